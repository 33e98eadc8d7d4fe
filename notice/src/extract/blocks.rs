//! The page as a flat list of text blocks. One iterative walk over the DOM (no recursion, so
//! deeply nested junk cannot overflow the stack) renders every block-level run of text as one
//! line and records, for every element, which range of blocks it spans. Density scoring then
//! works on ranges instead of re-walking subtrees.
//!
//! Tables follow two CMS habits: data tables (statistics, 整改台账) become one line per row with
//! cells separated by a tab, while layout tables (old VSB and hand-made sites nest tables and put
//! whole articles in a cell) are treated like `<div>`s.

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

#[derive(Default)]
struct Walker {
    page: PageText,
    current: Block,
    stack: Vec<Open>,
    /// For each open table: true when it is a data table.
    tables: Vec<bool>,
    link_depth: usize,
    chrome_depth: usize,
    row_has_cell: bool,
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

/// The data tables under `root`: tables that hold no nested table and no cell longer than a
/// caption. One pass over the tree, so thousands of nested layout tables stay linear.
fn data_tables(root: ElementRef<'_>) -> HashSet<NodeId> {
    let mut data = HashSet::new();
    // Open tables with a "lays out the page" flag, and the text length of open cells.
    let mut tables: Vec<(NodeId, bool)> = Vec::new();
    let mut cells: Vec<usize> = Vec::new();
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if let Some(t) = node.value().as_text() {
                    if let Some(cell) = cells.last_mut() {
                        *cell += t.chars().filter(|c| !is_space(*c)).count();
                    }
                } else if let Some(e) = node.value().as_element() {
                    match e.name() {
                        "table" => {
                            if let Some(parent) = tables.last_mut() {
                                parent.1 = true;
                            }
                            tables.push((node.id(), false));
                        }
                        "td" | "th" => cells.push(0),
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
                        if let Some((id, layout)) = tables.pop()
                            && !layout
                        {
                            data.insert(id);
                        }
                    }
                    "td" | "th" => {
                        if cells.pop().is_some_and(|chars| chars > LAYOUT_CELL_CHARS)
                            && let Some(table) = tables.last_mut()
                        {
                            table.1 = true;
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
        self.tables.last().copied().unwrap_or(false)
    }

    fn open(&mut self, el: ElementRef<'_>) {
        let name = el.value().name();
        let hint = hint_of(el.value());
        let is_link = name == "a";
        let is_table = name == "table";
        if is_table {
            self.flush();
            self.tables.push(self.data_tables.contains(&el.id()));
        } else if self.in_data_table() {
            match name {
                "tr" => {
                    self.flush();
                    self.row_has_cell = false;
                }
                "td" | "th" => {
                    if self.row_has_cell {
                        self.current.text.push('\t');
                    }
                    self.row_has_cell = true;
                }
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
            self.flush();
            self.tables.pop();
        } else if self.in_data_table() {
            if name == "tr" {
                self.flush();
            } else if BLOCK_ELEMENTS.contains(&name) {
                self.space();
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
        let mut block = std::mem::take(&mut self.current);
        let trimmed = block.text.trim_matches(|c: char| c == ' ' || c == '\t');
        if trimmed.is_empty() {
            return;
        }
        block.text = trimmed.to_owned();
        block.in_chrome_region = self.chrome_depth > 0;
        self.page.blocks.push(block);
    }
}
