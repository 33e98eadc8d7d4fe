//! Link discovery: what a fetched list page or sitemap adds to the frontier. List mechanics
//! (plain anchors, a "next" link, a URL template) and sitemaps live here, so that a new way of
//! finding links plugs in at [`discover`] without touching fetching or storing.

use crate::fetch::FetchedPage;
use crate::links::{lastmod_ms, parse_sitemap};
use crate::source::CompiledSource;
use gazette_store::{FrontierEntry, FrontierKind};
use std::io::Read as _;
use url::Url;

/// Sitemap index levels followed (index → sitemap → pages).
const MAX_SITEMAP_DEPTH: u32 = 2;
/// Largest sitemap read after decompression: the protocol's own limit (50 MB uncompressed).
const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;
/// The first two bytes of a gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An entry found on a page, with what the page said of its last change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The entry to queue.
    pub(crate) entry: FrontierEntry,
    /// A sitemap's `<lastmod>` for it, in ms since the epoch: a notice page stored after
    /// this is not fetched again.
    pub(crate) modified_ms: Option<i64>,
}

impl Found {
    fn plain(entry: FrontierEntry) -> Self {
        Self {
            entry,
            modified_ms: None,
        }
    }
}

/// The entries found on `page`, fetched for the list or sitemap `entry`; notice pages find
/// none (their links are not followed). An error says why a sitemap could not be read.
pub(crate) fn discover(
    source: &CompiledSource,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Result<Vec<Found>, String> {
    match entry.kind {
        FrontierKind::List => Ok(list_links(source, entry, page)
            .into_iter()
            .map(Found::plain)
            .collect()),
        FrontierKind::Sitemap => sitemap_entries(source, entry, page),
        FrontierKind::Notice | FrontierKind::Attachment => Ok(Vec::new()),
    }
}

/// A list page's notice links, and its next list page unless a URL template queued them all.
fn list_links(
    compiled: &CompiledSource,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Vec<FrontierEntry> {
    let source = &compiled.source;
    let Ok(html) = gazette_notice::charset::decode(
        &page.body,
        page.content_type.as_deref(),
        source.charset.as_deref(),
    )
    .map(|d| d.text) else {
        return Vec::new();
    };
    let Ok(base) = Url::parse(&page.final_url) else {
        return Vec::new();
    };
    // A link to a PDF or DOCX is a notice published as a file.
    let mut found: Vec<FrontierEntry> = compiled
        .links
        .notice_links(&html, &base)
        .into_iter()
        .map(|url| crate::attachment::linked_entry(url, entry.depth + 1, None))
        .collect();
    // Script pagers, data proxies and record blocks of the site's CMS.
    found.extend(crate::cms::list_entries(
        source,
        &compiled.links,
        &html,
        &base,
        entry.depth,
    ));
    if source.pagination.url_template.is_none()
        && let Some(next) = compiled.next.find(&html, &base)
    {
        found.push(FrontierEntry {
            url: next.into(),
            kind: FrontierKind::List,
            depth: entry.depth + 1,
            parent: None,
        });
    }
    found
}

/// A sitemap's entries: further sitemaps of an index (up to [`MAX_SITEMAP_DEPTH`] levels), or
/// the pages that match the source's notice pattern, each with its `<lastmod>`.
fn sitemap_entries(
    compiled: &CompiledSource,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Result<Vec<Found>, String> {
    let text = sitemap_text(&page.body).map_err(|e| format!("{}: {e}", page.url))?;
    let mut sitemap = parse_sitemap(&text);
    // The protocol wants absolute URLs; relative ones are read against the sitemap's own URL
    // rather than dropped, and what cannot be resolved is.
    if let Ok(base) = Url::parse(&page.final_url) {
        sitemap.entries.retain_mut(|e| match base.join(&e.loc) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                e.loc = url.into();
                true
            }
            Ok(_) | Err(_) => false,
        });
    }
    if sitemap.is_index {
        if entry.depth >= MAX_SITEMAP_DEPTH {
            return Ok(Vec::new());
        }
        return Ok(sitemap
            .entries
            .into_iter()
            .map(|e| {
                Found::plain(FrontierEntry {
                    url: e.loc,
                    kind: FrontierKind::Sitemap,
                    depth: entry.depth + 1,
                    parent: None,
                })
            })
            .collect());
    }
    Ok(sitemap
        .entries
        .into_iter()
        .filter(|e| compiled.links.url_pattern.is_match(&e.loc))
        .map(|e| Found {
            modified_ms: e.lastmod.and_then(|m| lastmod_ms(&m, compiled.tz)),
            entry: FrontierEntry {
                url: e.loc,
                kind: FrontierKind::Notice,
                depth: entry.depth + 1,
                parent: None,
            },
        })
        .collect())
}

/// The attachments a notice page links to, each remembering the page (which then carries
/// the attachment's notices too); none when the source does not follow attachments.
pub(crate) fn attachments(
    compiled: &CompiledSource,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Vec<FrontierEntry> {
    let source = &compiled.source;
    if !source.attachments {
        return Vec::new();
    }
    let Ok(decoded) = gazette_notice::charset::decode(
        &page.body,
        page.content_type.as_deref(),
        source.charset.as_deref(),
    ) else {
        return Vec::new();
    };
    let Ok(base) = Url::parse(&page.final_url) else {
        return Vec::new();
    };
    crate::attachment::document_links(&decoded.text, &base)
        .into_iter()
        .map(|url| FrontierEntry {
            url: url.into(),
            kind: FrontierKind::Attachment,
            depth: entry.depth + 1,
            parent: Some(entry.url.clone()),
        })
        .collect()
}

/// A sitemap body as text. A `.xml.gz` sitemap arrives gzipped (a Content-Encoding is undone
/// by the HTTP client already), so it is recognised by its magic bytes, not its name, and read
/// up to the protocol's size limit.
fn sitemap_text(body: &[u8]) -> Result<String, String> {
    if !body.starts_with(&GZIP_MAGIC) {
        return Ok(String::from_utf8_lossy(body).into_owned());
    }
    let mut xml = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(MAX_SITEMAP_BYTES)
        .read_to_end(&mut xml)
        .map_err(|e| format!("gzipped sitemap does not decompress: {e}"))?;
    Ok(String::from_utf8_lossy(&xml).into_owned())
}
