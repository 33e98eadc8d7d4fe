//! The text of documents published as files: PDF and DOCX, the two formats pure-Rust code
//! reads well.
//!
//! - PDF through `lopdf`: the fonts' encodings (Type0 fonts with `Identity-H` codes are decoded
//!   through their `ToUnicode` CMaps, as Chinese PDFs from Word and WPS are written), every
//!   decompression bounded; lines are split where the text position moves to another line
//!   (PDF 32000-1 §9.4), since a text object often holds a whole paragraph of moves.
//! - DOCX through `zip` and `quick-xml`: the paragraphs of `word/document.xml`.
//!
//! DOC, WPS and OFD files (and other binaries) are not read.

use gazette_notice::DocumentFormat;
use lopdf::content::Content;
use lopdf::{Document, Encoding, LoadOptions, Object};
use std::collections::BTreeMap;
use std::io::Read as _;

/// Largest size any stream of a PDF may decompress to, and the largest `document.xml` read.
const MAX_DECOMPRESSED: usize = 64 * 1024 * 1024;
/// Pages of a PDF read at most (a notice is a few pages; a yearbook is not a notice).
const MAX_PDF_PAGES: usize = 300;
/// Characters of text kept from one document.
const MAX_TEXT_CHARS: usize = 2_000_000;

/// What reading an attachment gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    /// Its text, one line per line of the document.
    Text(String),
    /// A format whose text is not read.
    Unsupported(DocumentFormat),
    /// A PDF or DOCX that could not be read (damaged, encrypted with a password, no text
    /// layer), with the reason.
    Unreadable(String),
}

/// The text of a PDF or DOCX document; other formats are [`Extracted::Unsupported`]. Never
/// panics: the PDF and zip readers return errors for bad input, and a panic inside them (a
/// bug there) is caught and reported as unreadable rather than taking the caller down.
pub fn extract(bytes: &[u8], format: DocumentFormat) -> Extracted {
    let read = match format {
        DocumentFormat::Pdf => pdf_text,
        DocumentFormat::Docx => docx_text,
        DocumentFormat::Text
        | DocumentFormat::Xlsx
        | DocumentFormat::Ofd
        | DocumentFormat::Doc
        | DocumentFormat::Archive
        | DocumentFormat::Image
        | DocumentFormat::Binary => return Extracted::Unsupported(format),
    };
    match std::panic::catch_unwind(|| read(bytes)) {
        Ok(Ok(text)) if text.trim().is_empty() => {
            Extracted::Unreadable(format!("no text in the {}", format.name()))
        }
        Ok(Ok(text)) => Extracted::Text(text),
        Ok(Err(reason)) => Extracted::Unreadable(reason),
        Err(_) => Extracted::Unreadable(format!("the {} reader failed", format.name())),
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

#[cfg(test)]
pub(crate) mod tests;
