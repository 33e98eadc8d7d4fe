//! Notices published as attachments: a short article page links to a PDF or DOCX file that
//! holds the notice itself. This module finds those links, names formats by their bytes (not
//! by what the server or the link claims) for the crawl report, and turns a fetched document
//! into what is stored through the one pipeline, which reads PDF and DOCX from their text
//! ([`gazette_pipeline::document_text`]). DOC, WPS and OFD files (and other binaries) are
//! kept and reported as unsupported, never dropped silently.

use crate::fetch::FetchedPage;
use gazette_notice::DocumentFormat;
use gazette_store::{FrontierEntry, FrontierKind, PageWrite};
use url::Url;

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

/// What a fetched document becomes: the page to store and the format found. Every format
/// goes through the one pipeline ([`gazette_pipeline::prepare`]), which reads PDF and DOCX
/// from their text, markup as a page, and keeps anything else with its bytes and an
/// `unsupported_format` error. `parent` is the notice page that links to the document, which
/// carries its notices too.
pub(crate) fn document_write(
    reading: &gazette_pipeline::Reading,
    page: FetchedPage,
    content_sha256: Option<String>,
    parent: Option<String>,
) -> (PageWrite, Format) {
    let format = sniff(&page.body, &page.final_url);
    let mut write = gazette_pipeline::prepare(page.into_document(content_sha256), reading);
    write.page.linked_from = parent.into_iter().collect();
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

#[cfg(test)]
mod tests;
