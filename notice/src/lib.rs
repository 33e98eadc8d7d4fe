//! gazette's domain: what a rectification progress notice (整改进展情况通报) is, and how raw
//! bytes become one. Pure code with no I/O, so the worker, the CLI and the tests share it; it
//! must not depend on tokio, reqwest, sled or tonic.
//!
//! The pipeline is `bytes → charset → extract (HTML only) → clean → parse`:
//! - [`model`] — [`Notice`] and its parts; their serde form is the `gazette parse --json` contract.
//! - [`document`] — [`CleanDocument`], the cleaned text with page markers and page metadata.
//! - [`format`] — [`DocumentFormat`], what a byte string is (text, PDF, DOCX, DOC, OFD, …).
//! - [`charset`] — decoding with BOM, header, meta and sniffing.
//! - [`extract`] — the article body of an HTML page as text.
//! - [`clean`] — chrome, ad footers and continuation markers out; hard-wrapped lines joined.
//! - [`parse`] — [`NoticeParser`], from cleaned text to notices.

pub mod charset;
pub mod clean;
pub mod document;
pub mod error;
pub mod extract;
pub mod format;
pub mod model;
pub mod parse;

pub use document::{
    CleanDocument, CleanOptions, DocumentMetadata, InputKind, PageMarker, PageMarkerKind,
};
pub use error::{NoticeError, Result};
pub use format::{DocumentFormat, sniff};
pub use model::{
    Contact, Fragment, Inspection, Issue, IssueStatus, Notice, NoticeDate, NoticeDateTime,
    ReportedFigures,
};
pub use parse::{ExplainedNode, Explanation, NoticeParser, Role};

/// Decodes, extracts and cleans one input. This is the one cleaner behind `gazette clean`,
/// the crawl worker and document ingestion. Input that is not HTML or text (see [`sniff`])
/// is refused with [`NoticeError::UnsupportedFormat`].
pub fn clean(bytes: &[u8], options: &CleanOptions) -> Result<CleanDocument> {
    let format = sniff(bytes);
    if !format.is_text() {
        return Err(NoticeError::UnsupportedFormat(format));
    }
    let decoded = charset::decode(
        bytes,
        options.content_type.as_deref(),
        options.charset_override.as_deref(),
    )?;
    let is_html = match options.kind {
        InputKind::Html => true,
        InputKind::Text => false,
        InputKind::Auto => looks_like_html(&decoded.text),
    };
    let mut doc = if is_html {
        extract::extract_html(&decoded.text, options)?
    } else {
        CleanDocument {
            text: decoded.text,
            ..CleanDocument::default()
        }
    };
    doc.encoding = decoded.encoding.to_owned();
    clean::clean_text(&mut doc);
    if doc.text.trim().is_empty() {
        return Err(NoticeError::NoText);
    }
    Ok(doc)
}

/// Cleans and parses one input: the whole pipeline.
pub fn parse(bytes: &[u8], options: &CleanOptions) -> Result<(CleanDocument, Vec<Notice>)> {
    let doc = clean(bytes, options)?;
    let notices = NoticeParser::new().parse(&doc);
    Ok((doc, notices))
}

/// Cleans one input and explains how each of its notices was read: the outline of the body with
/// every node's role and the evidence for it (`gazette parse --explain`).
pub fn explain(bytes: &[u8], options: &CleanOptions) -> Result<Vec<Explanation>> {
    let doc = clean(bytes, options)?;
    Ok(NoticeParser::new().explain(&doc))
}

/// True when the text starts like markup: a doctype, `<html>`, or a tag within its first bytes.
fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype")
        || head.starts_with("<html")
        || head.contains("<body")
        || head.contains("<meta")
        || head.contains("<p>")
        || head.contains("<div")
}
