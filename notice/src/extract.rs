//! HTML to text: find the article body of a government or newspaper page and render it as
//! paragraphs, one per line.

use crate::document::{CleanDocument, CleanOptions};
use crate::error::{NoticeError, Result};
use scraper::{ElementRef, Html, Node, Selector};

/// Elements whose text is never article text.
const SKIPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "head", "iframe", "svg",
    "select", "button", "form",
];

/// Elements that end a line of text.
const BLOCK_ELEMENTS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
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
];

/// Extracts the article of an HTML page into a [`CleanDocument`] whose text is not yet cleaned.
pub fn extract_html(html: &str, options: &CleanOptions) -> Result<CleanDocument> {
    let page = Html::parse_document(html);
    let root = match &options.content_selector {
        Some(css) => {
            let selector = Selector::parse(css).map_err(|e| NoticeError::InvalidSelector {
                selector: css.clone(),
                reason: e.to_string(),
            })?;
            page.select(&selector).next()
        }
        None => None,
    };
    let root = root.unwrap_or_else(|| page.root_element());
    let mut text = String::new();
    render(root, &mut text);
    let title = Selector::parse("title")
        .ok()
        .and_then(|s| page.select(&s).next())
        .map(|t| t.text().collect::<String>().trim().to_owned())
        .filter(|t| !t.is_empty());
    Ok(CleanDocument {
        title,
        text,
        ..CleanDocument::default()
    })
}

fn render(element: ElementRef<'_>, out: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED_ELEMENTS.contains(&name) {
                    continue;
                }
                let block = BLOCK_ELEMENTS.contains(&name);
                if block {
                    out.push('\n');
                }
                if let Some(el) = ElementRef::wrap(child) {
                    render(el, out);
                }
                if block {
                    out.push('\n');
                }
            }
            Node::Document
            | Node::Fragment
            | Node::Doctype(_)
            | Node::Comment(_)
            | Node::ProcessingInstruction(_) => {}
        }
    }
}
