//! Bounds what hostile markup costs before the HTML tree builder sees it. html5ever checks
//! "element in scope" by walking the stack of open elements, so every tag costs time in
//! proportion to the nesting depth: 100,000 nested `<div>`s (1.1 MB) took 51 s. A cheap scan
//! over the tags (a small tokenizer that knows comments, raw-text elements, quoted attribute
//! values and foreign content) keeps a model of the tree builder's stack of open elements,
//! with the implied end tags of the HTML spec that keep real pages shallow (`<p>`, `<li>`,
//! `<dd>`, table rows and cells, options, headings, nested `<a>`), and drops start tags that
//! would nest deeper than [`MAX_DEPTH`] (their text stays). Formatting elements closed
//! implicitly are reopened by the tree builder at every paragraph, so past
//! [`MAX_REOPENED_FORMATTING`] of them further ones are dropped too. After [`MAX_TAGS`] tags
//! the rest of the document is passed on as text only: the per-document work budget. Real
//! pages nest a few dozen levels and hold a few thousand tags, so they pass through unchanged
//! and borrowed.

use std::borrow::Cow;

/// Deepest nesting passed to the tree builder. Government CMS pages with layout tables nest
/// about 40 levels; the browser engines cap the DOM at 512 (Blink) and the HTML spec lets
/// parsers impose a limit.
pub(crate) const MAX_DEPTH: usize = 256;

/// Most tags (start and end) passed to the tree builder, the per-document work budget: with
/// the depth capped the tree builder is linear, and this bound keeps a 16 MiB page of tags
/// within about a second per MB even in its worst constant factor. Real article pages carry
/// 2,000–30,000 tags.
pub(crate) const MAX_TAGS: usize = 400_000;

/// Most implicitly closed formatting elements (`<p><font>…</p>` without `</font>`) that the
/// tree builder is left to reopen: it recreates all of them in every later paragraph.
pub(crate) const MAX_REOPENED_FORMATTING: usize = 64;

/// Elements without content (the HTML spec's void elements and obsolete ones parsed alike).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "frame", "basefont", "bgsound", "image",
];

/// Elements whose content is raw text up to their own end tag (scripting is on, so
/// `<noscript>` is one too, as html5ever parses it).
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
];

/// `<plaintext>`: everything after it is text.
const PLAINTEXT: &str = "plaintext";

/// What the stack model needs to know of an element, as bits (one `match` per tag, so the
/// scope searches below compare integers, not names).
mod kind {
    /// `<p>`.
    pub(super) const P: u32 = 1;
    /// Bounds "button scope" (applet, caption, html, table, td, th, marquee, object,
    /// template, button).
    pub(super) const BUTTON_SCOPE: u32 = 1 << 1;
    /// A special element other than address, div and p: stops the search for an open list
    /// item.
    pub(super) const STOPS_LIST_ITEM: u32 = 1 << 2;
    /// A formatting element the tree builder reopens (b, big, code, em, font, i, nobr, s,
    /// small, strike, strong, tt, u).
    pub(super) const FORMATTING: u32 = 1 << 3;
    /// h1–h6.
    pub(super) const HEADING: u32 = 1 << 4;
    /// `<li>`.
    pub(super) const LI: u32 = 1 << 5;
    /// `<dd>`, `<dt>`.
    pub(super) const DD_DT: u32 = 1 << 6;
    /// `<tr>`.
    pub(super) const TR: u32 = 1 << 7;
    /// `<td>`, `<th>`.
    pub(super) const CELL: u32 = 1 << 8;
    /// `<table>`.
    pub(super) const TABLE: u32 = 1 << 9;
    /// `<thead>`, `<tbody>`, `<tfoot>`.
    pub(super) const SECTION: u32 = 1 << 10;
    /// `<option>`.
    pub(super) const OPTION: u32 = 1 << 11;
    /// `<select>`.
    pub(super) const SELECT: u32 = 1 << 12;
    /// `<a>`.
    pub(super) const A: u32 = 1 << 13;
    /// `<button>`.
    pub(super) const BUTTON: u32 = 1 << 14;
    /// A start tag that closes an open `<p>` (the spec's "close a p element" steps).
    pub(super) const CLOSES_P: u32 = 1 << 15;
    /// `<svg>`, `<math>`: foreign content, where `<x/>` closes itself.
    pub(super) const FOREIGN: u32 = 1 << 16;
    /// Bits that are counted on the stack, so that searches for them can be skipped.
    pub(super) const COUNTED: [u32; 11] = [
        P, LI, DD_DT, TR, CELL, SECTION, OPTION, SELECT, A, BUTTON, HEADING,
    ];
}

/// The [`kind`] bits of an element name (lower case).
fn kind_of(name: &str) -> u32 {
    use kind::*;
    match name {
        "p" => P | CLOSES_P,
        "li" => LI | STOPS_LIST_ITEM | CLOSES_P,
        "dd" | "dt" => DD_DT | STOPS_LIST_ITEM | CLOSES_P,
        "tr" => TR | STOPS_LIST_ITEM,
        "td" | "th" => CELL | BUTTON_SCOPE | STOPS_LIST_ITEM,
        "table" => TABLE | BUTTON_SCOPE | STOPS_LIST_ITEM | CLOSES_P,
        "thead" | "tbody" | "tfoot" => SECTION | STOPS_LIST_ITEM,
        "option" => OPTION,
        "select" => SELECT | STOPS_LIST_ITEM,
        "a" => A,
        "button" => BUTTON | BUTTON_SCOPE | STOPS_LIST_ITEM,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => HEADING | STOPS_LIST_ITEM | CLOSES_P,
        "address" | "div" => CLOSES_P,
        "applet" | "caption" | "html" | "marquee" | "object" | "template" => {
            BUTTON_SCOPE | STOPS_LIST_ITEM
        }
        "article" | "aside" | "blockquote" | "center" | "details" | "dir" | "dl" | "fieldset"
        | "figcaption" | "figure" | "footer" | "header" | "hgroup" | "main" | "menu" | "nav"
        | "ol" | "section" | "summary" | "ul" | "pre" | "listing" | "form" | "search" => {
            STOPS_LIST_ITEM | CLOSES_P
        }
        "dialog" | "hr" | "xmp" => CLOSES_P,
        "body" | "colgroup" | "frameset" | "head" => STOPS_LIST_ITEM,
        "b" | "big" | "code" | "em" | "font" | "i" | "nobr" | "s" | "small" | "strike"
        | "strong" | "tt" | "u" => FORMATTING,
        "svg" | "math" => FOREIGN,
        _ => 0,
    }
}

/// The markup with over-deep nesting and tags past the budget removed; borrowed when nothing
/// had to go.
pub(crate) fn flatten(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    // Bytes of `html` already copied to `out` (or that would have been, while it is `None`).
    let mut copied = 0usize;
    let mut tags = 0usize;
    let mut open = OpenElements::default();
    let mut i = 0usize;
    while let Some(offset) = bytes[i..].iter().position(|&b| b == b'<') {
        let start = i + offset;
        let Some(tag) = read_tag(bytes, start) else {
            i = start + 1;
            continue;
        };
        i = tag.end;
        let name = tag.name(html);
        // The range to drop, if any.
        let mut drop = None;
        match tag.kind {
            TagKind::Other => {}
            TagKind::Start if name == PLAINTEXT => break,
            // A raw-text element holds text up to its own end tag: it never nests, so it is
            // kept whole within the budget and dropped whole (script text and all) past it.
            TagKind::Start if RAW_TEXT.contains(&name.as_ref()) => {
                let close = find_end_tag(bytes, tag.end, &name);
                if tags >= MAX_TAGS {
                    let end = close
                        .and_then(|c| read_tag(bytes, c))
                        .map_or(bytes.len(), |t| t.end);
                    drop = Some(start..end);
                    i = end;
                } else {
                    tags += 1;
                    match close {
                        Some(c) => {
                            // Its end tag is kept too, and does not touch the stack.
                            let end = read_tag(bytes, c).map_or(bytes.len(), |t| t.end);
                            i = end;
                        }
                        None => break,
                    }
                }
            }
            TagKind::Start | TagKind::End if tags >= MAX_TAGS => drop = Some(start..tag.end),
            TagKind::Start => {
                tags += 1;
                if !open.start(name, tag.self_closing) {
                    drop = Some(start..tag.end);
                }
            }
            TagKind::End => {
                tags += 1;
                if !open.end(&name) {
                    drop = Some(start..tag.end);
                }
            }
        }
        if let Some(range) = drop {
            let text = out.get_or_insert_with(|| String::with_capacity(html.len()));
            text.push_str(html.get(copied..range.start).unwrap_or_default());
            copied = range.end;
        }
    }
    match out {
        Some(mut text) => {
            text.push_str(html.get(copied..).unwrap_or_default());
            Cow::Owned(text)
        }
        None => Cow::Borrowed(html),
    }
}

/// One element on the modelled stack.
struct Open<'a> {
    name: Cow<'a, str>,
    kind: u32,
}

/// A model of the tree builder's stack of open elements, good enough to know how deep the
/// next element would nest. Searches are bounded by [`MAX_DEPTH`] and skipped when no element
/// of the kind looked for is open.
#[derive(Default)]
struct OpenElements<'a> {
    stack: Vec<Open<'a>>,
    /// How many open elements carry each bit of [`kind::COUNTED`].
    counts: [usize; 11],
    /// The stack height at which foreign content (SVG, MathML) began.
    foreign_at: Option<usize>,
    /// Formatting elements closed implicitly and not yet ended: the tree builder reopens them.
    reopened: usize,
}

impl<'a> OpenElements<'a> {
    /// Applies a start tag; false when it must be dropped.
    fn start(&mut self, name: Cow<'a, str>, self_closing: bool) -> bool {
        if VOID.contains(&name.as_ref()) || (self_closing && self.foreign_at.is_some()) {
            return true;
        }
        let kind = kind_of(&name);
        if self.foreign_at.is_none() {
            self.implied_ends(kind);
        }
        if kind & kind::FORMATTING != 0 && self.reopened >= MAX_REOPENED_FORMATTING {
            return false;
        }
        if self.stack.len() >= MAX_DEPTH {
            return false;
        }
        if kind & kind::FOREIGN != 0 && self.foreign_at.is_none() {
            self.foreign_at = Some(self.stack.len());
        }
        self.count(kind, true);
        self.stack.push(Open { name, kind });
        true
    }

    /// The elements a start tag closes first, as the HTML spec's "in body" and table rules do.
    fn implied_ends(&mut self, kind: u32) {
        use kind::*;
        if kind & CLOSES_P != 0
            && let Some(at) = self.find(P, BUTTON_SCOPE)
        {
            self.truncate(at);
        }
        let top = |at: usize, len: usize| at + 1 == len;
        let len = self.stack.len();
        let found = if kind & LI != 0 {
            self.find(LI, STOPS_LIST_ITEM & !LI)
        } else if kind & DD_DT != 0 {
            self.find(DD_DT, STOPS_LIST_ITEM & !DD_DT)
        } else if kind & TR != 0 {
            self.find(TR, TABLE)
        } else if kind & CELL != 0 {
            self.find(CELL, TR | TABLE)
        } else if kind & SECTION != 0 {
            self.find(SECTION, TABLE)
        } else if kind & OPTION != 0 {
            self.find(OPTION, SELECT).filter(|at| top(*at, len))
        } else if kind & HEADING != 0 {
            self.find(HEADING, 0).filter(|at| top(*at, len))
        } else if kind & (A | BUTTON | SELECT) != 0 {
            // A new `<a>`, `<button>` or `<select>` ends the open one.
            self.find(kind & (A | BUTTON | SELECT), 0)
        } else {
            None
        };
        if let Some(at) = found {
            self.truncate(at);
        }
    }

    /// Applies an end tag; false when it ends nothing open (a stray or dropped element's end).
    fn end(&mut self, name: &str) -> bool {
        if VOID.contains(&name) {
            // `</br>` is a line break: constant work for the tree builder.
            return true;
        }
        if name == "p" {
            // A stray `</p>` is an empty paragraph, also constant work.
            if let Some(at) = self.find(kind::P, kind::BUTTON_SCOPE) {
                self.truncate(at);
            }
            return true;
        }
        match self.stack.iter().rposition(|open| open.name == name) {
            Some(at) => {
                let own = self.stack[at].kind & kind::FORMATTING != 0;
                self.truncate(at);
                // The element its own end tag closes is not reopened.
                if own {
                    self.reopened = self.reopened.saturating_sub(1);
                }
                true
            }
            // The end of a formatting element closed implicitly: the tree builder forgets it.
            None if kind_of(name) & kind::FORMATTING != 0 && self.reopened > 0 => {
                self.reopened -= 1;
                true
            }
            None => false,
        }
    }

    /// The topmost open element with a bit of `wanted`, searching down until one with a bit of
    /// `stop`.
    fn find(&self, wanted: u32, stop: u32) -> Option<usize> {
        let counted = kind::COUNTED
            .iter()
            .zip(self.counts)
            .any(|(bit, n)| wanted & bit != 0 && n > 0);
        if !counted {
            return None;
        }
        for (at, open) in self.stack.iter().enumerate().rev() {
            if open.kind & wanted != 0 {
                return Some(at);
            }
            if open.kind & stop != 0 {
                return None;
            }
        }
        None
    }

    fn count(&mut self, kind: u32, opened: bool) {
        for (bit, n) in kind::COUNTED.iter().zip(self.counts.iter_mut()) {
            if kind & bit != 0 {
                *n = if opened { *n + 1 } else { n.saturating_sub(1) };
            }
        }
    }

    /// Closes the element at `at` and everything above it. Formatting elements closed this way
    /// (other than the one an end tag names) are left for the tree builder to reopen.
    fn truncate(&mut self, at: usize) {
        for i in at..self.stack.len() {
            let kind = self.stack[i].kind;
            if kind & kind::FORMATTING != 0 {
                self.reopened += 1;
            }
            self.count(kind, false);
        }
        self.stack.truncate(at);
        if self.foreign_at.is_some_and(|f| f >= at) {
            self.foreign_at = None;
        }
    }
}

/// What a `<` opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// A start tag.
    Start,
    /// An end tag.
    End,
    /// A comment, doctype or processing instruction: passed on as it is.
    Other,
}

/// A tag found at some `<`.
#[derive(Debug, Clone, Copy)]
struct Tag {
    kind: TagKind,
    /// Byte range of the lower-cased-on-demand name.
    name_start: usize,
    name_end: usize,
    /// One past the closing `>` (or the end of input).
    end: usize,
    /// Ends with `/>`.
    self_closing: bool,
}

impl Tag {
    /// The tag name in lower case (old hand-written pages write `<TD>` and `<FONT>`), borrowed
    /// when it already is.
    fn name<'a>(&self, html: &'a str) -> Cow<'a, str> {
        let name = html.get(self.name_start..self.name_end).unwrap_or_default();
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        }
    }
}

/// Reads the tag that the `<` at `at` opens, as the HTML tokenizer would: a start tag needs a
/// letter after `<`, an end tag one after `</`; `<!--` runs to `-->`, `<!` and `<?` to `>`.
/// Anything else is text.
fn read_tag(bytes: &[u8], at: usize) -> Option<Tag> {
    let next = *bytes.get(at + 1)?;
    let other = |end: usize| Tag {
        kind: TagKind::Other,
        name_start: at,
        name_end: at,
        end,
        self_closing: false,
    };
    match next {
        b'!' => {
            if bytes[at..].starts_with(b"<!--") {
                let end = find(bytes, at + 4, b"-->").map_or(bytes.len(), |e| e + 3);
                return Some(other(end));
            }
            let end = find(bytes, at + 2, b">").map_or(bytes.len(), |e| e + 1);
            Some(other(end))
        }
        b'?' => {
            let end = find(bytes, at + 2, b">").map_or(bytes.len(), |e| e + 1);
            Some(other(end))
        }
        b'/' => {
            let name_start = at + 2;
            if !bytes.get(name_start)?.is_ascii_alphabetic() {
                return None;
            }
            let name_end = name_end(bytes, name_start);
            let (end, _) = tag_end(bytes, name_end);
            Some(Tag {
                kind: TagKind::End,
                name_start,
                name_end,
                end,
                self_closing: false,
            })
        }
        c if c.is_ascii_alphabetic() => {
            let name_start = at + 1;
            let name_end = name_end(bytes, name_start);
            let (end, self_closing) = tag_end(bytes, name_end);
            Some(Tag {
                kind: TagKind::Start,
                name_start,
                name_end,
                end,
                self_closing,
            })
        }
        _ => None,
    }
}

/// One past the tag name that starts at `from`.
fn name_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .map_or(bytes.len(), |p| from + p)
}

/// One past the `>` that ends a tag whose attributes start at `from`, skipping quoted
/// attribute values; and whether the tag ends with `/>`.
fn tag_end(bytes: &[u8], from: usize) -> (usize, bool) {
    let mut i = from;
    let mut after_equals = false;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return (i + 1, i > from && bytes[i - 1] == b'/'),
            b'=' => after_equals = true,
            q @ (b'"' | b'\'') if after_equals => {
                i = find(bytes, i + 1, &[q]).map_or(bytes.len(), |e| e);
                after_equals = false;
            }
            b if b.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    (bytes.len(), false)
}

/// Where the end tag `</name` of a raw-text element starts at or after `from`, followed by
/// whitespace, `/` or `>` as the tokenizer requires; the scan then resumes there.
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    let mut i = from;
    while let Some(at) = find(bytes, i, b"</") {
        let name_start = at + 2;
        let candidate = bytes.get(name_start..name_start + name.len())?;
        let follows = bytes.get(name_start + name.len()).copied();
        if candidate.eq_ignore_ascii_case(name.as_bytes())
            && follows.is_none_or(|b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

/// The first occurrence of `needle` in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = bytes.get(from..)?;
    if needle.len() == 1 {
        return hay.iter().position(|&b| b == needle[0]).map(|p| from + p);
    }
    hay.windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markup_passes_borrowed() {
        let page = "<!DOCTYPE html><html><head><title>a<b></title><script>if (a<b) {x('<div>')}</script>\
                    </head><body><div class='x>y'><p>整改<br><img src=a.png/><ul><li>一<li>二</ul>\
                    <!-- <div><div> --><svg><path d='M0'/><path/></svg></div></body></html>";
        assert!(matches!(flatten(page), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_cut_at_the_cap_and_text_kept() {
        let n = MAX_DEPTH + 100;
        let page = format!(
            "{}整改。{}<p>后文</p>",
            "<div>".repeat(n),
            "</div>".repeat(n)
        );
        let flat = flatten(&page);
        assert_eq!(flat.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(flat.matches("</div>").count(), MAX_DEPTH);
        assert!(flat.contains("整改。") && flat.ends_with("<p>后文</p>"));
        // Unclosed paragraphs and list items do not nest, so they are never cut.
        let many = "<p>一段".repeat(2 * MAX_DEPTH);
        assert!(matches!(flatten(&many), Cow::Borrowed(_)));
    }

    #[test]
    fn tags_past_the_budget_become_text() {
        let page = format!(
            "{}<script>var a = '<b>';</script>尾",
            "<span>字</span>".repeat(MAX_TAGS)
        );
        let flat = flatten(&page);
        assert_eq!(flat.matches("<span>").count(), MAX_TAGS / 2);
        assert_eq!(flat.matches('字').count(), MAX_TAGS);
        // Past the budget a script goes whole, its text with it.
        assert!(flat.ends_with("字尾"), "{}", &flat[flat.len() - 40..]);
    }

    #[test]
    fn raw_text_and_foreign_content_do_not_count() {
        // Tags inside a script are text; `<path/>` in SVG closes itself.
        let script = format!("<script>{}</script>", "<div>".repeat(2 * MAX_DEPTH));
        assert!(matches!(flatten(&script), Cow::Borrowed(_)));
        let svg = format!("<svg>{}</svg><div>x</div>", "<path/>".repeat(2 * MAX_DEPTH));
        assert!(matches!(flatten(&svg), Cow::Borrowed(_)));
        // Outside foreign content `<div/>` opens a div, as the tree builder reads it.
        let bogus = "<div/>".repeat(MAX_DEPTH + 10);
        assert_eq!(flatten(&bogus).matches("<div/>").count(), MAX_DEPTH);
        // Upper-case names are the same elements.
        let upper = "<P>段".repeat(2 * MAX_DEPTH);
        assert!(matches!(flatten(&upper), Cow::Borrowed(_)));
    }
}
