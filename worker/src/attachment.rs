//! Notices published as attachments: a short article page links to a PDF or DOCX file that
//! holds the notice itself. This module finds those links, tells formats apart by their bytes
//! (not by what the server or the link claims), and extracts the text of the two formats that
//! pure-Rust code reads well:
//!
//! - PDF through `lopdf`: the fonts' encodings (Type0 fonts with `Identity-H` codes are decoded
//!   through their `ToUnicode` CMaps, as Chinese PDFs from Word and WPS are written), every
//!   decompression bounded; lines are split where the text position moves to another line.
//! - DOCX through `zip` and `quick-xml`: the paragraphs of `word/document.xml`.
//!
//! DOC, WPS and OFD files (and other binaries) are not read: they are kept and reported as
//! unsupported, never dropped silently.

use crate::fetch::FetchedPage;
use gazette_notice::DocumentFormat;
use gazette_store::{FrontierEntry, FrontierKind, PageRecord, PageWrite};
use lopdf::content::Content;
use lopdf::{Document, Encoding, LoadOptions, Object};
use std::collections::BTreeMap;
use std::io::Read as _;
use url::Url;

/// Largest size any stream of a PDF may decompress to, and the largest `document.xml` read.
const MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;
/// Pages of a PDF read at most (a notice is a few pages; a yearbook is not a notice).
const MAX_PDF_PAGES: usize = 300;
/// Characters of text kept from one attachment.
const MAX_TEXT_CHARS: usize = 2_000_000;
/// Attachment links taken from one notice page.
pub const MAX_LINKS_PER_PAGE: usize = 10;

/// What an attachment's bytes are: the notice crate's sniff ([`gazette_notice::sniff`]), with
/// WPS told from DOC (they share the OLE2 container) by the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `%PDF-`.
    Pdf,
    /// A zip holding `word/document.xml`.
    Docx,
    /// An OLE2 compound file (Word 97–2003).
    Doc,
    /// An OLE2 compound file linked as `.wps` (Kingsoft WPS).
    Wps,
    /// A zip holding `OFD.xml` (GB/T 33190, China's fixed-layout format).
    Ofd,
    /// Markup or text: an HTML page served where a file was linked.
    Markup,
    /// Anything else (a spreadsheet, an archive, an image, binary data).
    Other(DocumentFormat),
}

impl Format {
    /// Its label in logs, metrics and the API.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Doc => "doc",
            Self::Wps => "wps",
            Self::Ofd => "ofd",
            Self::Markup => "html",
            Self::Other(format) => format.name(),
        }
    }

    /// True for the formats whose text is extracted.
    pub fn is_readable(self) -> bool {
        matches!(self, Self::Pdf | Self::Docx)
    }
}

/// File extensions of documents worth following from a notice page.
const DOCUMENT_EXTENSIONS: &[&str] = &["pdf", "docx", "doc", "wps", "ofd"];

/// Document links (PDF, DOCX, DOC, WPS, OFD by the path's extension, or by a query value
/// naming such a file, as download scripts do) in a notice page, absolute, in page order,
/// without duplicates, at most [`MAX_LINKS_PER_PAGE`].
pub fn document_links(html: &str, base: &Url) -> Vec<Url> {
    let mut links: Vec<Url> = Vec::new();
    for url in crate::cms::hrefs(html, base) {
        if links.len() >= MAX_LINKS_PER_PAGE {
            break;
        }
        if extension_of(&url).is_some() && !links.contains(&url) && url != *base {
            links.push(url);
        }
    }
    links
}

/// The frontier entry of a link to a notice: an attachment when the URL names a document
/// (a list that links a PDF directly, or a notice page's attachment with its `parent`), a
/// notice page otherwise.
pub(crate) fn linked_entry(url: Url, depth: u32, parent: Option<String>) -> FrontierEntry {
    let kind = if extension_of(&url).is_some() {
        FrontierKind::Attachment
    } else {
        FrontierKind::Notice
    };
    FrontierEntry {
        url: url.into(),
        kind,
        depth,
        parent,
    }
}

/// The document extension a URL names, lowercased.
fn extension_of(url: &Url) -> Option<&'static str> {
    let named = |name: &str| {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        DOCUMENT_EXTENSIONS.iter().find(|e| **e == ext).copied()
    };
    let path = url.path().rsplit('/').next().unwrap_or_default();
    named(path).or_else(|| url.query_pairs().find_map(|(_, v)| named(&v)))
}

/// The format of `bytes`; `url` only tells WPS from DOC, which share a container.
pub fn sniff(bytes: &[u8], url: &str) -> Format {
    match gazette_notice::sniff(bytes) {
        DocumentFormat::Pdf => Format::Pdf,
        DocumentFormat::Docx => Format::Docx,
        DocumentFormat::Ofd => Format::Ofd,
        DocumentFormat::Text => Format::Markup,
        DocumentFormat::Doc => {
            let wps = Url::parse(url).ok().and_then(|u| extension_of(&u)) == Some("wps");
            if wps { Format::Wps } else { Format::Doc }
        }
        other @ (DocumentFormat::Xlsx
        | DocumentFormat::Archive
        | DocumentFormat::Image
        | DocumentFormat::Binary) => Format::Other(other),
    }
}

/// What reading an attachment gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    /// Its text, one line per line of the document.
    Text(String),
    /// A format that is not read.
    Unsupported(Format),
    /// A PDF or DOCX that could not be read (damaged, encrypted with a password, no text
    /// layer), with the reason.
    Unreadable(String),
}

/// The text of a PDF or DOCX attachment. Never panics: the PDF and zip readers return
/// errors for bad input, and a panic inside them (a bug there) is caught and reported as
/// unreadable rather than taking the crawl down.
pub fn extract(bytes: &[u8], format: Format) -> Extracted {
    let read = match format {
        Format::Pdf => pdf_text,
        Format::Docx => docx_text,
        Format::Doc | Format::Wps | Format::Ofd | Format::Markup | Format::Other(_) => {
            return Extracted::Unsupported(format);
        }
    };
    match std::panic::catch_unwind(|| read(bytes)) {
        Ok(Ok(text)) if text.trim().is_empty() => {
            Extracted::Unreadable(format!("no text in the {}", format.label()))
        }
        Ok(Ok(text)) => Extracted::Text(text),
        Ok(Err(reason)) => Extracted::Unreadable(reason),
        Err(_) => Extracted::Unreadable(format!("the {} reader failed", format.label())),
    }
}

/// A number operand.
fn number(object: Option<&Object>) -> Option<f32> {
    object?.as_float().ok()
}

/// Where text is being shown: the text line's vertical position, the leading and the text
/// matrix's vertical scale (PDF 32000-1 §9.4.2).
#[derive(Debug, Default)]
struct TextState {
    line_y: f32,
    leading: f32,
    scale: f32,
    shown_y: Option<f32>,
}

impl TextState {
    fn begin(&mut self) {
        self.line_y = 0.0;
        self.scale = 1.0;
    }

    /// Starts a new output line when the text moved to another line since the last text.
    fn show(&mut self, out: &mut String) {
        if self.shown_y.is_some_and(|y| (y - self.line_y).abs() > 0.5) && !out.ends_with('\n') {
            out.push('\n');
        }
        self.shown_y = Some(self.line_y);
    }

    fn next_line(&mut self) {
        self.line_y -= self.leading * self.scale;
    }
}

fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_DECOMPRESSED),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| format!("pdf: {e}"))?;
    let mut out = String::new();
    for (_, page) in doc.get_pages().into_iter().take(MAX_PDF_PAGES) {
        let encodings: BTreeMap<Vec<u8>, Encoding<'_>> = doc
            .get_page_fonts(page)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(name, font)| {
                font.get_font_encoding_with_limit(&doc, MAX_DECOMPRESSED)
                    .ok()
                    .map(|e| (name, e))
            })
            .collect();
        let content = doc
            .get_page_content_with_limit(page, MAX_DECOMPRESSED)
            .map_err(|e| format!("pdf page: {e}"))?;
        let Ok(content) = Content::decode(&content) else {
            continue;
        };
        let mut font: Option<&Encoding<'_>> = None;
        let mut state = TextState::default();
        state.begin();
        for op in &content.operations {
            let operands = &op.operands;
            match op.operator.as_str() {
                "BT" => state.begin(),
                "Tf" => {
                    font = operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .and_then(|name| encodings.get(name));
                }
                "Tm" => {
                    state.scale = number(operands.get(3)).unwrap_or(1.0);
                    state.line_y = number(operands.get(5)).unwrap_or(0.0);
                }
                "Td" | "TD" => {
                    let ty = number(operands.get(1)).unwrap_or(0.0);
                    if op.operator == "TD" {
                        state.leading = -ty;
                    }
                    state.line_y += ty * state.scale;
                }
                "TL" => state.leading = number(operands.first()).unwrap_or(0.0),
                "T*" => state.next_line(),
                "Tj" | "TJ" | "'" | "\"" => {
                    if op.operator != "Tj" && op.operator != "TJ" {
                        state.next_line();
                    }
                    let Some(encoding) = font else { continue };
                    state.show(&mut out);
                    let shown = if op.operator == "\"" {
                        operands.get(2..).unwrap_or_default()
                    } else {
                        operands.as_slice()
                    };
                    show_strings(encoding, shown, &mut out);
                }
                _ => {}
            }
            if out.len() > MAX_TEXT_CHARS * 4 {
                return Ok(out);
            }
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

/// Appends the decoded strings of a show operator (`TJ` arrays hold strings and kerning).
fn show_strings(encoding: &Encoding<'_>, operands: &[Object], out: &mut String) {
    for operand in operands {
        // Kerning numbers between the strings move the pen, they show nothing.
        if let Ok(bytes) = operand.as_str() {
            if let Ok(text) = Document::decode_text(encoding, bytes) {
                out.push_str(&text);
            }
        } else if let Ok(items) = operand.as_array() {
            show_strings(encoding, items, out);
        }
    }
}

fn docx_text(bytes: &[u8]) -> Result<String, String> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("docx: {e}"))?;
    let entry = archive
        .by_name("word/document.xml")
        .map_err(|e| format!("docx: {e}"))?;
    let mut xml = Vec::new();
    entry
        .take(MAX_DECOMPRESSED as u64)
        .read_to_end(&mut xml)
        .map_err(|e| format!("docx: {e}"))?;
    paragraphs(&xml)
}

/// The text of WordprocessingML: `w:t` runs, tabs and breaks, one line per `w:p`. Field
/// instructions (`w:instrText`) and deleted runs (`w:delText`) are not text of the document.
fn paragraphs(xml: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("docx xml: {e}"))?;
        if let Event::Eof = event {
            break;
        }
        if let Event::Start(tag) = &event
            && tag.local_name().as_ref() == "t"
        {
            in_text = true;
        } else if let Event::End(tag) = &event {
            match tag.local_name().as_ref() {
                "t" => in_text = false,
                "p" => out.push('\n'),
                _ => {}
            }
        } else if let Event::Empty(tag) = &event {
            match tag.local_name().as_ref() {
                "tab" => out.push('\t'),
                "br" | "cr" | "p" => out.push('\n'),
                _ => {}
            }
        } else if !in_text {
            // Only the text of `w:t` runs is the document's.
        } else if let Event::Text(text) = &event {
            out.push_str(&text.xml10_content());
        } else if let Event::CData(text) = event {
            out.push_str(&text.into_inner());
        } else if let Event::GeneralRef(entity) = &event {
            let resolved = entity
                .resolve_char_ref()
                .ok()
                .flatten()
                .or(match entity.as_ref() {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => None,
                });
            out.extend(resolved);
        }
        if out.len() > MAX_TEXT_CHARS * 4 {
            break;
        }
        buf.clear();
    }
    Ok(out)
}

/// The error kept on the page record of an unsupported document; starts with
/// `unsupported_format`, the label the crawl reports it under.
pub fn unsupported_error(format: Format) -> String {
    format!(
        "unsupported_format: {} documents are kept but not read",
        format.label()
    )
}

/// What a fetched document becomes: the page to store and the format found. A PDF or DOCX
/// has its text extracted and goes through the one pipeline as that text (the raw bytes and
/// their hash are what is kept); markup served where a file was linked goes through it as a
/// page; anything else is kept with its bytes and an `unsupported_format` error. `parent` is
/// the notice page that links to the document, which carries its notices too.
pub(crate) fn document_write(
    reading: &gazette_pipeline::Reading,
    page: FetchedPage,
    content_sha256: Option<String>,
    parent: Option<String>,
) -> (PageWrite, Format) {
    let format = sniff(&page.body, &page.final_url);
    let content_type = page.content_type.clone();
    let sha = content_sha256.unwrap_or_else(|| gazette_store::identity::content_sha256(&page.body));
    let linked_from: Vec<String> = parent.into_iter().collect();
    let extracted = (format != Format::Markup).then(|| extract(&page.body, format));
    let error = match extracted {
        None => None,
        Some(Extracted::Text(text)) => {
            let raw = page.body.clone();
            let mut document = page.into_document(Some(sha));
            document.body = text.into_bytes();
            document.content_type = Some(TEXT.into());
            let mut write =
                gazette_pipeline::prepare(document, &gazette_pipeline::Reading::default());
            write.raw = Some(raw);
            write.page.content_type = content_type;
            write.page.linked_from = linked_from;
            return (write, format);
        }
        Some(Extracted::Unsupported(format)) => Some(unsupported_error(format)),
        Some(Extracted::Unreadable(reason)) => Some(reason),
    };
    let mut write = match error {
        // Markup where a file was linked: read as the page it is.
        None => gazette_pipeline::prepare(page.into_document(Some(sha)), reading),
        Some(error) => PageWrite {
            page: PageRecord {
                url: page.url,
                final_url: page.final_url,
                status: page.status,
                etag: page.etag,
                last_modified: page.last_modified,
                fetched_at_ms: page.fetched_at_ms,
                content_sha256: sha,
                error: Some(error),
                ..PageRecord::default()
            },
            notices: Vec::new(),
            raw: Some(page.body),
        },
    };
    write.page.content_type = content_type;
    write.page.linked_from = linked_from;
    (write, format)
}

/// Gives a document's notices (and its cleaned metadata) the publication time of the article
/// page that announced it, where the document states none.
pub(crate) fn inherit_publication(
    write: &mut PageWrite,
    published: Option<gazette_notice::NoticeDateTime>,
) {
    let Some(published) = published else {
        return;
    };
    if let Some(clean) = write.page.clean.as_mut()
        && clean.metadata.published_at.is_none()
    {
        clean.metadata.published_at = Some(published);
    }
    for notice in write
        .notices
        .iter_mut()
        .filter(|n| n.published_at.is_none())
    {
        notice.published_at = Some(published);
    }
}

/// The content type a document's extracted text is read as.
const TEXT: &str = "text/plain; charset=utf-8";

#[cfg(test)]
mod tests;
