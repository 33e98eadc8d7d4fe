//! Link discovery: what a fetched list page or sitemap adds to the frontier. List mechanics
//! (plain anchors, a "next" link, a URL template) and sitemaps live here, so that a new way of
//! finding links plugs in at [`discover`] without touching fetching or storing.

use crate::fetch::FetchedPage;
use crate::source::CompiledSource;
use gazette_store::{FrontierEntry, FrontierKind};
use url::Url;

/// Sitemap index levels followed (index → sitemap → pages).
const MAX_SITEMAP_DEPTH: u32 = 2;

/// The entries found on `page`, fetched for the list or sitemap `entry`; notice pages find
/// none (their links are not followed).
pub(crate) fn discover(
    source: &CompiledSource,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Vec<FrontierEntry> {
    match entry.kind {
        FrontierKind::List => list_links(source, entry, page),
        FrontierKind::Sitemap => sitemap_entries(source, entry, page),
        FrontierKind::Notice => Vec::new(),
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
    let mut found: Vec<FrontierEntry> = compiled
        .links
        .notice_links(&html, &base)
        .into_iter()
        .map(|url| FrontierEntry {
            url: url.into(),
            kind: FrontierKind::Notice,
            depth: entry.depth + 1,
        })
        .collect();
    if source.pagination.url_template.is_none()
        && let Some(next) = compiled.next.find(&html, &base)
    {
        found.push(FrontierEntry {
            url: next.into(),
            kind: FrontierKind::List,
            depth: entry.depth + 1,
        });
    }
    found
}

/// A sitemap's entries: further sitemaps of an index (up to [`MAX_SITEMAP_DEPTH`] levels), or
/// the pages that match the source's notice pattern.
fn sitemap_entries(
    compiled: &CompiledSource,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Vec<FrontierEntry> {
    let xml = String::from_utf8_lossy(&page.body);
    let (is_index, locs) = crate::links::sitemap_locs(&xml);
    if is_index {
        if entry.depth >= MAX_SITEMAP_DEPTH {
            return Vec::new();
        }
        return locs
            .into_iter()
            .map(|url| FrontierEntry {
                url,
                kind: FrontierKind::Sitemap,
                depth: entry.depth + 1,
            })
            .collect();
    }
    locs.into_iter()
        .filter(|url| compiled.links.url_pattern.is_match(url))
        .map(|url| FrontierEntry {
            url,
            kind: FrontierKind::Notice,
            depth: entry.depth + 1,
        })
        .collect()
}
