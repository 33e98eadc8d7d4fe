//! The page as a flat list of text blocks. One iterative walk over the DOM (no recursion, so
//! deeply nested junk cannot overflow the stack) renders every block-level run of text as one
//! line and records, for every element, which range of blocks it spans. Density scoring then
//! works on ranges instead of re-walking subtrees.
//!
//! Tables follow two CMS habits: data tables (statistics, 整改台账, 整改任务清单) become one line
//! per row with cells in order separated by one tab each (header row included, empty cells
//! kept, a rowspan cell repeated in the rows it covers, a colspan cell followed by empty
//! cells), while layout tables (old VSB and hand-made sites nest tables, put a navigation bar in
//! a row and whole articles in a cell) are treated like `<div>`s.

use super::density::{Hint, hint_of};
use crate::clean::shape::{SENTENCE_PUNCT, is_space};
use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};
use std::collections::HashSet;

/// Elements whose text is never article text. `<form>` is absent on purpose: ASP.NET CMSs wrap
/// the whole page in one.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "head", "title", "iframe", "svg", "select",
    "option", "button", "textarea", "input", "nav", "footer", "aside", "map", "object", "canvas",
    "audio", "video", "link", "meta",
];

/// Elements that end a line of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "dd",
    "dt",
    "dl",
    "header",
    "center",
    "hr",
    "caption",
    "figure",
    "figcaption",
    "tbody",
    "thead",
    "tfoot",
    "main",
    "address",
];

/// File extensions of attachments (附件) that government pages link to.
const ATTACHMENT_EXTENSIONS: &[&str] = &[
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".ofd", ".zip", ".rar", ".7z", ".txt",
    ".ppt", ".pptx",
];

/// A data-table cell longer than this means the table lays out the page.
const LAYOUT_CELL_CHARS: usize = 150;

/// One rendered line of the page.
#[derive(Debug, Default)]
pub(crate) struct Block {
    /// The text, whitespace collapsed, table cells separated by tabs.
    pub(crate) text: String,
    /// Visible characters.
    pub(crate) chars: u32,
    /// Visible characters inside links.
    pub(crate) link_chars: u32,
    /// Sentence punctuation outside links.
    pub(crate) punct: u32,
    /// Inside an element whose class or id says navigation, footer, share bar and the like.
    pub(crate) in_chrome_region: bool,
    /// Names of attachment links in this block.
    pub(crate) attachments: Vec<String>,
}

/// The blocks an element spans.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Region {
    /// First block index.
    pub(crate) first: usize,
    /// One past the last block index.
    pub(crate) end: usize,
    /// What its class and id suggest.
    pub(crate) hint: Hint,
}

/// The rendered page.
#[derive(Debug, Default)]
pub(crate) struct PageText {
    /// Blocks in document order.
    pub(crate) blocks: Vec<Block>,
    /// Every element that spans at least one block.
    pub(crate) regions: Vec<Region>,
}

struct Open {
    first: usize,
    hint: Hint,
    is_link: bool,
    is_table: bool,
}

/// A data table being rendered: where the row stands and what rowspans carry down.
#[derive(Default)]
struct RowState {
    /// Next column of the row.
    col: usize,
    /// Per column: rows still covered by a rowspan from above, and the spanning cell's text.
    spans: Vec<(usize, String)>,
    /// Byte offset in the row's text where the open cell starts, with its colspan and rowspan.
    cell: Option<(usize, usize, usize)>,
}

/// One open table: a data table renders as rows, a layout table like a `<div>`.
enum OpenTable {
    Data(RowState),
    Layout,
}

#[derive(Default)]
struct Walker {
    page: PageText,
    current: Block,
    stack: Vec<Open>,
    /// Open tables, innermost last.
    tables: Vec<OpenTable>,
    link_depth: usize,
    chrome_depth: usize,
    attachment: Option<String>,
    /// Tables rendered as rows of tab-separated cells.
    data_tables: HashSet<NodeId>,
}

/// Renders the subtree of `root` (the whole document when rendering a page).
pub(crate) fn render(root: ElementRef<'_>, skip_hidden: bool) -> PageText {
    let mut w = Walker {
        data_tables: data_tables(root),
        ..Walker::default()
    };
    let mut skip_until: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(text) => w.text(text),
                    Node::Element(e) => {
                        let Some(el) = ElementRef::wrap(node) else {
                            continue;
                        };
                        if SKIPPED_ELEMENTS.contains(&e.name()) || (skip_hidden && is_hidden(&el)) {
                            skip_until = Some(node.id());
                            continue;
                        }
                        w.open(el);
                    }
                    Node::Document
                    | Node::Fragment
                    | Node::Doctype(_)
                    | Node::Comment(_)
                    | Node::ProcessingInstruction(_) => {}
                }
            }
            Edge::Close(node) => {
                if skip_until == Some(node.id()) {
                    skip_until = None;
                    continue;
                }
                if skip_until.is_none()
                    && let Some(el) = ElementRef::wrap(node)
                {
                    w.close(el);
                }
            }
        }
    }
    w.flush();
    w.page
}

/// Inline `display:none` or the `hidden` attribute: leave-site dialogs, mobile menus, share
/// pop-ups. (WeChat's `visibility:hidden` on `#js_content` is not hidden: JS reveals it.)
fn is_hidden(el: &ElementRef<'_>) -> bool {
    let e = el.value();
    e.attr("hidden").is_some()
        || e.attr("style").is_some_and(|s| {
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            s.to_ascii_lowercase().contains("display:none")
        })
}

/// What the first pass learns about one open table.
#[derive(Default)]
struct TableScan {
    /// A nested table: the table lays out the page.
    nested: bool,
    /// Some cell is longer than [`LAYOUT_CELL_CHARS`].
    long_cell: bool,
    /// Effective width (columns, counting colspans and cells spanned down from rows above) of
    /// every row with cells, in order.
    widths: Vec<usize>,
    /// The longest cell of the first row with cells.
    longest_header_cell: usize,
    /// The first row with cells holds a link: a navigation bar, not column labels.
    header_link: bool,
    /// A long cell stands alone in its row: the article cell of a page grid.
    lone_long_cell: bool,
    /// Cells of the row being read, columns in it covered from rows above, and whether one of
    /// its cells is long.
    row_cells: usize,
    row_covered: usize,
    row_long: bool,
    /// Rows still covered by a rowspan, per column.
    spans: Vec<usize>,
    /// Columns of the row being read.
    col: usize,
}

impl TableScan {
    /// A data table keeps its grid: no nested table, and either short cells everywhere (the
    /// statistics tables of most notices) or a rectangular grid under a header row of short
    /// labels (整改任务清单: 序号 / 反馈问题 / 整改措施 / … with paragraphs in the cells). A page
    /// layout grid has no such header and its rows differ in width.
    fn is_data(&self) -> bool {
        if self.nested {
            return false;
        }
        if !self.long_cell {
            return true;
        }
        let Some(&header) = self.widths.first() else {
            return false;
        };
        let rows = self.widths.len();
        let regular = self.widths.iter().filter(|w| **w == header).count();
        let labels = self.longest_header_cell <= HEADER_CELL_CHARS && !self.header_link;
        if self.lone_long_cell {
            return false;
        }
        let grid = match header {
            0 | 1 => false,
            // Two columns (问题 / 整改情况) also make an article-beside-sidebar layout, so they
            // must be perfectly regular and carry short labels.
            2 => rows >= 3 && regular == rows && self.longest_header_cell <= TWO_COLUMN_LABEL_CHARS,
            _ => rows >= 2 && regular * 5 >= rows * 4,
        };
        labels && grid
    }

    /// Starts a row: columns still covered by rowspans from above count first.
    fn open_row(&mut self) {
        self.col = 0;
        self.row_cells = 0;
        self.row_covered = 0;
        self.row_long = false;
    }

    /// Closes a row: its width is its cells plus every column still covered from above.
    fn close_row(&mut self) {
        let covered = self.spans.iter().skip(self.col).filter(|s| **s > 0).count();
        let width = self.col + covered;
        for span in &mut self.spans {
            *span = span.saturating_sub(1);
        }
        if width > 0 {
            self.widths.push(width);
        }
        // A cell alone in a row that no rowspan reaches into lays out the page.
        let spanned_into = covered + self.row_covered > 0;
        self.lone_long_cell |= self.row_cells == 1 && self.row_long && !spanned_into;
    }

    /// Places a cell of `colspan` columns covering `rowspan` rows.
    fn place_cell(&mut self, colspan: usize, rowspan: usize) {
        while self.spans.get(self.col).is_some_and(|s| *s > 0) {
            self.col += 1;
            self.row_covered += 1;
        }
        let end = self.col + colspan;
        if self.spans.len() < end {
            self.spans.resize(end, 0);
        }
        for span in &mut self.spans[self.col..end] {
            // The current row counts as one; `close_row` takes it off.
            *span = rowspan;
        }
        self.col = end;
        self.row_cells += 1;
    }
}

/// Longest header label of a long-celled data table (`完成时限`, `责任单位（责任人）`).
const HEADER_CELL_CHARS: usize = 30;

/// Longest header label of a two-column long-celled data table.
const TWO_COLUMN_LABEL_CHARS: usize = 12;

/// Largest colspan or rowspan believed: hostile markup may claim millions.
const MAX_SPAN: usize = 64;

/// A cell's `colspan` or `rowspan`, clamped to 1..=[`MAX_SPAN`].
fn span_attr(e: &scraper::node::Element, name: &str) -> usize {
    e.attr(name)
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_SPAN)
}

/// Separates a cell from the one before it in the row (the first cell has none).
fn push_cell_separator(text: &mut String, col: usize) {
    if col > 0 {
        text.push('\t');
    }
}

/// The data tables under `root` (see [`TableScan::is_data`]). One pass over the tree, so
/// thousands of nested layout tables stay linear.
fn data_tables(root: ElementRef<'_>) -> HashSet<NodeId> {
    let mut data = HashSet::new();
    let mut tables: Vec<(NodeId, TableScan)> = Vec::new();
    // The text length of open cells, and whether the open cell is in the first row with cells.
    let mut cells: Vec<(usize, bool)> = Vec::new();
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if let Some(t) = node.value().as_text() {
                    if let Some(cell) = cells.last_mut() {
                        cell.0 += t.chars().filter(|c| !is_space(*c)).count();
                    }
                } else if let Some(e) = node.value().as_element() {
                    match e.name() {
                        "table" => {
                            if let Some((_, parent)) = tables.last_mut() {
                                parent.nested = true;
                            }
                            tables.push((node.id(), TableScan::default()));
                        }
                        "tr" => {
                            if let Some((_, table)) = tables.last_mut() {
                                table.open_row();
                            }
                        }
                        "a" => {
                            if cells.last().is_some_and(|c| c.1)
                                && let Some((_, table)) = tables.last_mut()
                            {
                                table.header_link = true;
                            }
                        }
                        "td" | "th" => {
                            let header = tables.last().is_some_and(|(_, t)| t.widths.is_empty());
                            if let Some((_, table)) = tables.last_mut() {
                                table.place_cell(span_attr(e, "colspan"), span_attr(e, "rowspan"));
                            }
                            cells.push((0, header));
                        }
                        _ => {}
                    }
                }
            }
            Edge::Close(node) => {
                let Some(e) = node.value().as_element() else {
                    continue;
                };
                match e.name() {
                    "table" => {
                        if let Some((id, table)) = tables.pop()
                            && table.is_data()
                        {
                            data.insert(id);
                        }
                    }
                    "tr" => {
                        if let Some((_, table)) = tables.last_mut() {
                            table.close_row();
                        }
                    }
                    "td" | "th" => {
                        if let Some((chars, header)) = cells.pop()
                            && let Some((_, table)) = tables.last_mut()
                        {
                            let long = chars > LAYOUT_CELL_CHARS;
                            table.long_cell |= long;
                            table.row_long |= long;
                            if header {
                                table.longest_header_cell = table.longest_header_cell.max(chars);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    data
}

impl Walker {
    fn in_data_table(&self) -> bool {
        matches!(self.tables.last(), Some(OpenTable::Data(_)))
    }

    fn open(&mut self, el: ElementRef<'_>) {
        let name = el.value().name();
        let hint = hint_of(el.value());
        let is_link = name == "a";
        let is_table = name == "table";
        if is_table {
            self.flush();
            self.tables.push(if self.data_tables.contains(&el.id()) {
                OpenTable::Data(RowState::default())
            } else {
                OpenTable::Layout
            });
        } else if self.in_data_table() {
            match name {
                "tr" => {
                    self.flush();
                    if let Some(OpenTable::Data(row)) = self.tables.last_mut() {
                        row.col = 0;
                    }
                }
                "td" | "th" => self.open_cell(el.value()),
                _ if BLOCK_ELEMENTS.contains(&name) => self.space(),
                _ => {}
            }
        } else if BLOCK_ELEMENTS.contains(&name) {
            self.flush();
        }
        if is_link {
            self.link_depth += 1;
            let href = el
                .value()
                .attr("href")
                .unwrap_or_default()
                .to_ascii_lowercase();
            if ATTACHMENT_EXTENSIONS.iter().any(|ext| href.ends_with(ext)) {
                self.attachment = Some(String::new());
            }
        }
        if hint == Hint::Chrome {
            self.chrome_depth += 1;
        }
        self.stack.push(Open {
            first: self.page.blocks.len(),
            hint,
            is_link,
            is_table,
        });
    }

    /// Starts a cell of a data-table row. Cells are separated by one tab each, empty cells
    /// included, and a cell spanned down from a row above is repeated in this row, so that
    /// every row has its cells in the header's order.
    fn open_cell(&mut self, e: &scraper::node::Element) {
        let Some(OpenTable::Data(row)) = self.tables.last_mut() else {
            return;
        };
        let text = &mut self.current.text;
        while let Some((left, carried)) = row.spans.get_mut(row.col).filter(|s| s.0 > 0) {
            *left -= 1;
            push_cell_separator(text, row.col);
            text.push_str(carried);
            row.col += 1;
        }
        push_cell_separator(text, row.col);
        row.cell = Some((text.len(), span_attr(e, "colspan"), span_attr(e, "rowspan")));
    }

    /// Ends a data-table cell: a colspan leaves empty cells after it, a rowspan is remembered
    /// for the rows below.
    fn close_cell(&mut self) {
        let Some(OpenTable::Data(row)) = self.tables.last_mut() else {
            return;
        };
        let Some((start, colspan, rowspan)) = row.cell.take() else {
            return;
        };
        let text = &mut self.current.text;
        let cell = text
            .get(start..)
            .unwrap_or_default()
            .trim_matches(' ')
            .to_owned();
        let end = row.col + colspan;
        if row.spans.len() < end {
            row.spans.resize(end, (0, String::new()));
        }
        if rowspan > 1 {
            row.spans[row.col] = (rowspan - 1, cell);
            for span in &mut row.spans[row.col + 1..end] {
                *span = (rowspan - 1, String::new());
            }
        }
        for _ in 1..colspan {
            text.push('\t');
        }
        row.col = end;
    }

    /// Ends a data-table row: cells spanned down into its tail are repeated there.
    fn close_row(&mut self) {
        if let Some(OpenTable::Data(row)) = self.tables.last_mut() {
            let text = &mut self.current.text;
            while row.col < row.spans.len() {
                if let Some((left, carried)) = row.spans.get_mut(row.col).filter(|s| s.0 > 0) {
                    *left -= 1;
                    push_cell_separator(text, row.col);
                    text.push_str(carried);
                } else if row.spans[row.col + 1..].iter().any(|s| s.0 > 0) {
                    push_cell_separator(text, row.col);
                }
                row.col += 1;
            }
        }
        self.flush_row();
    }

    fn close(&mut self, el: ElementRef<'_>) {
        let name = el.value().name();
        let Some(open) = self.stack.pop() else { return };
        if open.is_link {
            self.link_depth = self.link_depth.saturating_sub(1);
            if let Some(name) = self.attachment.take() {
                let name = name.trim().to_owned();
                if !name.is_empty() {
                    self.current.attachments.push(name);
                }
            }
        }
        if open.is_table {
            self.flush_row();
            self.tables.pop();
        } else if self.in_data_table() {
            match name {
                "tr" => self.close_row(),
                "td" | "th" => self.close_cell(),
                _ if BLOCK_ELEMENTS.contains(&name) => self.space(),
                _ => {}
            }
        } else if BLOCK_ELEMENTS.contains(&name) {
            self.flush();
        }
        if open.hint == Hint::Chrome {
            self.chrome_depth = self.chrome_depth.saturating_sub(1);
        }
        let end = self.page.blocks.len();
        if end > open.first {
            self.page.regions.push(Region {
                first: open.first,
                end,
                hint: open.hint,
            });
        }
    }

    fn space(&mut self) {
        if !self.current.text.is_empty() && !self.current.text.ends_with([' ', '\t']) {
            self.current.text.push(' ');
        }
    }

    fn text(&mut self, text: &str) {
        for c in text.chars() {
            if is_space(c) {
                self.space();
                continue;
            }
            self.current.text.push(c);
            self.current.chars += 1;
            if self.link_depth > 0 {
                self.current.link_chars += 1;
            } else if SENTENCE_PUNCT.contains(&c) {
                self.current.punct += 1;
            }
            if let Some(name) = self.attachment.as_mut() {
                name.push(c);
            }
        }
    }

    fn flush(&mut self) {
        self.flush_trimmed(|c: char| c == ' ' || c == '\t');
    }

    /// Flushes a data-table row: its tabs stay, so an empty first or last cell keeps its place.
    fn flush_row(&mut self) {
        if self.current.text.chars().all(|c| c == ' ' || c == '\t') {
            self.current = Block::default();
            return;
        }
        self.flush_trimmed(|c: char| c == ' ');
    }

    fn flush_trimmed(&mut self, trim: impl Fn(char) -> bool) {
        let mut block = std::mem::take(&mut self.current);
        let trimmed = block.text.trim_matches(trim);
        if trimmed.is_empty() {
            return;
        }
        block.text = trimmed.to_owned();
        block.in_chrome_region = self.chrome_depth > 0;
        self.page.blocks.push(block);
    }
}
