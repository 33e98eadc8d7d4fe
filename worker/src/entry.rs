//! One frontier entry, start to finish: fetch it politely, then take links from a list page or
//! sitemap, or clean, parse and store a notice page, and finish the entry in the store in the
//! same transaction as the page write.

use crate::Crawler;
use crate::attachment::Format;
use crate::config::SourceConfig;
use crate::error::{Result, WorkerError};
use crate::events::{self, ParseOutcome};
use crate::fetch::{Expect, FetchRequest, FetchedPage};
use crate::links::{LinkFilter, NextLink, sitemap_locs};
use crate::politeness::Refusal;
use gazette_notice::{CleanOptions, InputKind};
use gazette_store::{
    Completion, FrontierEntry, FrontierKind, NoticeStore, PageOutcome, PageRecord, PageWrite,
    identity,
};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Sitemap index levels followed (index → sitemap → pages).
const MAX_SITEMAP_DEPTH: u32 = 2;

/// A source with its patterns compiled, shared by the tasks of one run.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) source: SourceConfig,
    pub(crate) links: LinkFilter,
    pub(crate) next: NextLink,
}

impl Compiled {
    pub(crate) fn new(source: &SourceConfig) -> Result<Self> {
        let bad = |reason: String| WorkerError::BadPattern {
            source_name: source.name.clone(),
            reason,
        };
        let selector = source
            .pagination
            .next_selector
            .as_deref()
            .map(|css| {
                scraper::Selector::parse(css).map_err(|e| bad(format!("next_selector: {e}")))
            })
            .transpose()?;
        Ok(Self {
            source: source.clone(),
            links: LinkFilter {
                url_pattern: regex::Regex::new(&source.notice_url_pattern)
                    .map_err(|e| bad(e.to_string()))?,
                keywords: source.notice_link_text.clone(),
            },
            next: NextLink {
                texts: source.pagination.next_link_text.clone(),
                selector,
            },
        })
    }

    /// Per-run caps for notice pages and for list pages plus sitemaps.
    pub(crate) fn caps(&self) -> (usize, usize) {
        (
            self.source.max_pages,
            self.source.pagination.max_list_pages + crate::crawl::MAX_SITEMAPS,
        )
    }
}

/// How one entry ended.
#[derive(Debug, Default)]
pub(crate) struct EntryResult {
    /// The entry's kind.
    pub(crate) kind: FrontierKind,
    /// A response (200 or 304) came back.
    pub(crate) fetched: bool,
    /// The page had not changed.
    pub(crate) unchanged: bool,
    /// What storing it did.
    pub(crate) outcome: PageOutcome,
    /// The page was stored with a cleaning or parsing error.
    pub(crate) page_error: bool,
    /// Why the entry failed (it is done for this run).
    pub(crate) failure: Option<String>,
    /// The entry stays queued for a later run (breaker open).
    pub(crate) left_pending: bool,
    /// Shutdown interrupted it before anything was written; it stays queued.
    pub(crate) cancelled: bool,
    /// The site answered with a challenge instead of the page (nothing was stored).
    pub(crate) blocked: Option<crate::blocked::BlockedPage>,
    /// A document of a format that is kept but not read.
    pub(crate) unsupported: Option<crate::attachment::UnsupportedDocument>,
}

impl Crawler {
    /// Fetches and finishes one entry. Only store failures are errors.
    pub(crate) async fn process_entry(
        &self,
        compiled: Arc<Compiled>,
        seq: u64,
        entry: FrontierEntry,
        cancel: CancellationToken,
    ) -> Result<EntryResult> {
        let source = &compiled.source;
        let mut result = EntryResult {
            kind: entry.kind,
            ..EntryResult::default()
        };
        let stored = match entry.kind {
            FrontierKind::Notice | FrontierKind::Attachment => {
                let store = Arc::clone(&self.store);
                let url = entry.url.clone();
                tokio::task::spawn_blocking(move || store.page(&url)).await??
            }
            FrontierKind::List | FrontierKind::Sitemap => None,
        };
        let req = FetchRequest {
            url: &entry.url,
            allow_loopback: source.allow_loopback,
            etag: stored.as_ref().and_then(|p| p.etag.as_deref()),
            last_modified: stored.as_ref().and_then(|p| p.last_modified.as_deref()),
            expect: match entry.kind {
                FrontierKind::Sitemap => Expect::Sitemap,
                FrontierKind::List | FrontierKind::Notice => Expect::Html,
                FrontierKind::Attachment => Expect::Attachment,
            },
            source: &source.name,
        };
        let page = match self.politeness.fetch(&self.fetcher, req, &cancel).await {
            Ok(page) => page,
            Err(Refusal::Cancelled) => {
                result.cancelled = true;
                return Ok(result);
            }
            Err(Refusal::Failed(WorkerError::CircuitOpen { host })) => {
                result.left_pending = true;
                result.failure = Some(format!("{}: circuit breaker open for {host}", entry.url));
                return Ok(result);
            }
            Err(Refusal::Failed(WorkerError::Blocked {
                url,
                status,
                challenge,
            })) => {
                // Never stored: a challenge is not the page, and must neither replace a stored
                // copy nor withdraw the notices it carries.
                events::page_blocked(&source.name, &url, status, challenge);
                result.failure = Some(format!(
                    "{url}: blocked by an anti-bot challenge ({}, HTTP {status})",
                    challenge.label()
                ));
                result.blocked = Some(crate::blocked::BlockedPage {
                    url,
                    status,
                    challenge,
                });
                self.complete(&compiled, seq, &entry, Vec::new(), None)
                    .await?;
                return Ok(result);
            }
            Err(Refusal::Failed(error)) => {
                // A missing guessed sitemap is normal, not a failure.
                let quiet = entry.kind == FrontierKind::Sitemap
                    && matches!(
                        error,
                        WorkerError::Status {
                            status: 404 | 410,
                            ..
                        }
                    );
                if !quiet {
                    result.failure = Some(error.to_string());
                }
                self.complete(&compiled, seq, &entry, Vec::new(), None)
                    .await?;
                return Ok(result);
            }
        };
        result.fetched = true;
        match entry.kind {
            FrontierKind::List => {
                let found = self.list_links(&compiled, &entry, &page);
                self.complete(&compiled, seq, &entry, found, None).await?;
            }
            FrontierKind::Sitemap => {
                let found = sitemap_entries(&compiled, &entry, &page);
                self.complete(&compiled, seq, &entry, found, None).await?;
            }
            FrontierKind::Notice | FrontierKind::Attachment => {
                let sha = identity::content_sha256(&page.body);
                if page.not_modified() || stored.as_ref().is_some_and(|p| p.content_sha256 == sha) {
                    result.unchanged = true;
                    events::page_parsed(&source.name, &entry.url, ParseOutcome::Unchanged);
                    // An unchanged article still names its attachments: an attachment that
                    // failed last time, or changed since, is asked for again.
                    let found = match (entry.kind, stored) {
                        (FrontierKind::Notice, Some(stored)) if source.attachments => {
                            self.unchanged_attachments(source, &entry, page, &stored)
                                .await?
                        }
                        (_, _) => Vec::new(),
                    };
                    self.complete(&compiled, seq, &entry, found, None).await?;
                } else {
                    // Cleaning and parsing are CPU work: off the async threads, one per core.
                    let source = source.clone();
                    let (write, discovered, format) = {
                        let _cpu = self.cpu.acquire().await;
                        let entry = entry.clone();
                        tokio::task::spawn_blocking(move || match entry.kind {
                            FrontierKind::Attachment => {
                                let (write, format) = crate::attachment::document_write(
                                    &source,
                                    page,
                                    sha,
                                    entry.parent.clone(),
                                );
                                (write, Vec::new(), Some(format))
                            }
                            FrontierKind::Notice | FrontierKind::List | FrontierKind::Sitemap => {
                                let found = attachment_entries(&source, &entry, &page);
                                let mut write = parse_page(&source, page, sha);
                                if !found.is_empty()
                                    && !write.notices.is_empty()
                                    && write
                                        .notices
                                        .iter()
                                        .all(crate::attachment::announces_attachment)
                                {
                                    write.notices.clear();
                                    write.page.error = Some(
                                        "the page announces a notice published as an attachment"
                                            .into(),
                                    );
                                }
                                (write, found, None)
                            }
                        })
                        .await?
                    };
                    result.page_error = write.page.error.is_some();
                    let parsed = if let Some(format) =
                        format.filter(|f| !f.is_readable() && *f != Format::Markup)
                    {
                        result.unsupported = Some(crate::attachment::UnsupportedDocument {
                            url: entry.url.clone(),
                            format,
                        });
                        ParseOutcome::UnsupportedFormat
                    } else if write.page.clean.is_none() {
                        ParseOutcome::CleanError
                    } else if write.notices.is_empty() {
                        ParseOutcome::NoNotice
                    } else {
                        ParseOutcome::Notices(write.notices.len())
                    };
                    events::page_parsed(&compiled.source.name, &entry.url, parsed);
                    result.outcome = self
                        .complete(&compiled, seq, &entry, discovered, Some(write))
                        .await?;
                    events::notices_stored(&compiled.source.name, &entry.url, &result.outcome);
                }
            }
        }
        Ok(result)
    }

    /// The attachments of an unchanged notice page: from the body just fetched, or from the
    /// stored copy when the server answered 304.
    async fn unchanged_attachments(
        &self,
        source: &SourceConfig,
        entry: &FrontierEntry,
        mut page: FetchedPage,
        stored: &PageRecord,
    ) -> Result<Vec<FrontierEntry>> {
        if page.not_modified() {
            let store = Arc::clone(&self.store);
            let (url, at) = (stored.url.clone(), stored.fetched_at_ms);
            let body = tokio::task::spawn_blocking(move || store.page_body(&url, at)).await??;
            let Some(body) = body else {
                return Ok(Vec::new());
            };
            page.body = body;
            page.content_type.clone_from(&stored.content_type);
            page.final_url.clone_from(&stored.final_url);
        }
        Ok(attachment_entries(source, entry, &page))
    }

    fn list_links(
        &self,
        compiled: &Compiled,
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
        // A URL template already queued every list page; otherwise follow "next".
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

    async fn complete(
        &self,
        compiled: &Compiled,
        seq: u64,
        entry: &FrontierEntry,
        discovered: Vec<FrontierEntry>,
        page: Option<PageWrite>,
    ) -> Result<PageOutcome> {
        let store: Arc<dyn NoticeStore> = Arc::clone(&self.store);
        let (max_notices, max_lists) = compiled.caps();
        let name = compiled.source.name.clone();
        let done = Completion {
            seq,
            url: entry.url.clone(),
            discovered,
            max_notices,
            max_lists,
            page,
        };
        Ok(tokio::task::spawn_blocking(move || store.frontier_complete(&name, done)).await??)
    }
}

fn sitemap_entries(
    compiled: &Compiled,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Vec<FrontierEntry> {
    let xml = String::from_utf8_lossy(&page.body);
    let (is_index, locs) = sitemap_locs(&xml);
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
                parent: None,
            })
            .collect();
    }
    locs.into_iter()
        .filter(|url| compiled.links.url_pattern.is_match(url))
        .filter_map(|url| Url::parse(&url).ok())
        .map(|url| crate::attachment::linked_entry(url, entry.depth + 1, None))
        .collect()
}

/// The attachments a notice page links to, each remembering the page (which then carries
/// the attachment's notices too).
fn attachment_entries(
    source: &SourceConfig,
    entry: &FrontierEntry,
    page: &FetchedPage,
) -> Vec<FrontierEntry> {
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

/// Cleans and parses a fetched notice page into what is stored. A page that fails to clean or
/// holds no notice is kept with its error, never dropped.
fn parse_page(source: &SourceConfig, page: FetchedPage, sha: String) -> PageWrite {
    let options = CleanOptions {
        content_type: page.content_type.clone(),
        charset_override: source.charset.clone(),
        content_selector: source.content_selector.clone(),
        kind: InputKind::Auto,
    };
    let mut record = PageRecord {
        url: page.url.clone(),
        final_url: page.final_url.clone(),
        status: page.status,
        content_type: page.content_type.clone(),
        etag: page.etag.clone(),
        last_modified: page.last_modified.clone(),
        fetched_at_ms: page.fetched_at_ms,
        content_sha256: sha,
        ..PageRecord::default()
    };
    let notices = match gazette_notice::parse(&page.body, &options) {
        Ok((doc, notices)) => {
            if notices.is_empty() {
                record.error = Some("no notice found in the page".into());
            }
            record.clean = Some(doc);
            notices
        }
        Err(error) => {
            record.error = Some(error.to_string());
            Vec::new()
        }
    };
    PageWrite {
        page: record,
        notices,
        raw: Some(page.body),
    }
}
