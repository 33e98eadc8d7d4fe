//! One frontier entry, start to finish: fetch it politely, classify the answer
//! ([`crate::answer`]), then queue the links a list page or sitemap holds
//! ([`crate::discover`]), or turn a notice page's bytes into a stored page and notices through
//! the one path all writers share ([`gazette_pipeline::prepare`]); the entry is finished in the
//! store in the same transaction as the page write.

use crate::answer::{self, Answer};
use crate::attachment::{self, Format};
use crate::discover::{self, Found};
use crate::error::Result;
use crate::events::{self, ParseOutcome};
use crate::fetch::{Expect, FetchRequest, FetchedPage, Fetcher};
use crate::politeness::Politeness;
use crate::report::EntryResult;
use crate::report::UnsupportedDocument;
use crate::source::CompiledSource;
use gazette_pipeline::Parsed;
use gazette_store::{
    Completion, FrontierEntry, FrontierKind, PageOutcome, PageRecord, PageStore, PageWrite,
};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What every entry of every run uses: the HTTP client, the per-host rules, the store and the
/// cap on CPU-bound work.
#[derive(Clone)]
pub(crate) struct EntryRunner {
    pub(crate) fetcher: Fetcher,
    pub(crate) politeness: Arc<Politeness>,
    pub(crate) store: Arc<dyn PageStore>,
    /// Cleaning and parsing jobs at once: one per core. More only adds threads (each with its
    /// own allocator arena) without adding throughput.
    pub(crate) cpu: Arc<tokio::sync::Semaphore>,
}

impl EntryRunner {
    /// Fetches and finishes one entry. Only store failures are errors.
    pub(crate) async fn run(
        &self,
        compiled: Arc<CompiledSource>,
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
        let fetched = self.politeness.fetch(&self.fetcher, req, &cancel).await;
        match answer::classify(entry.kind, stored.as_ref(), fetched) {
            Answer::Cancelled => result.cancelled = true,
            Answer::Deferred { reason } => {
                result.left_pending = true;
                result.failure = Some(format!("{}: {reason}", entry.url));
            }
            Answer::Blocked(blocked) => {
                // Never stored: a challenge is not the page, and must neither replace a stored
                // copy nor withdraw the notices it carries.
                events::page_blocked(
                    &source.name,
                    &blocked.url,
                    blocked.status,
                    blocked.challenge,
                );
                result.failure = Some(format!(
                    "{}: blocked by an anti-bot challenge ({}, HTTP {})",
                    blocked.url,
                    blocked.challenge.label(),
                    blocked.status
                ));
                result.blocked = Some(blocked);
                self.complete(&compiled, seq, &entry, Vec::new(), None)
                    .await?;
            }
            Answer::Failed { reason } => {
                result.failure = reason;
                self.complete(&compiled, seq, &entry, Vec::new(), None)
                    .await?;
            }
            Answer::Unchanged => {
                result.fetched = true;
                result.unchanged = true;
                events::page_parsed(&source.name, &entry.url, ParseOutcome::Unchanged);
                let found = self
                    .unchanged_attachments(&compiled, &entry, stored.as_ref())
                    .await?;
                self.complete(&compiled, seq, &entry, found, None).await?;
            }
            Answer::Page {
                page,
                content_sha256,
            } => {
                result.fetched = true;
                match entry.kind {
                    FrontierKind::List | FrontierKind::Sitemap => {
                        let found = match discover::discover(&compiled, &entry, &page) {
                            Ok(found) => found,
                            Err(reason) => {
                                result.failure = Some(reason);
                                Vec::new()
                            }
                        };
                        let (found, skipped) = self.skip_unchanged(found).await?;
                        result.sitemap_unchanged = skipped;
                        self.complete(&compiled, seq, &entry, found, None).await?;
                    }
                    FrontierKind::Notice | FrontierKind::Attachment => {
                        let (write, found, parsed) = if entry.kind == FrontierKind::Attachment {
                            let (write, format) = self
                                .prepare_document(&compiled, &entry, page, content_sha256)
                                .await?;
                            let parsed = if format.is_readable() || format == Format::Markup {
                                ParseOutcome::Parsed(Parsed::of(&write))
                            } else {
                                result.unsupported = Some(UnsupportedDocument {
                                    url: entry.url.clone(),
                                    format: format.label(),
                                });
                                ParseOutcome::UnsupportedFormat
                            };
                            (write, Vec::new(), parsed)
                        } else {
                            let found = discover::attachments(&compiled, &entry, &page);
                            let write = self.prepare(&compiled, page, content_sha256).await?;
                            let parsed = ParseOutcome::Parsed(Parsed::of(&write));
                            (write, found, parsed)
                        };
                        result.page_error = write.page.error.is_some();
                        events::page_parsed(compiled.name(), &entry.url, parsed);
                        result.outcome = self
                            .complete(&compiled, seq, &entry, found, Some(write))
                            .await?;
                        events::notices_stored(compiled.name(), &entry.url, &result.outcome);
                    }
                }
            }
        }
        Ok(result)
    }

    /// Drops the notice pages a sitemap dates no later than their stored copy: their
    /// `<lastmod>` says they have not changed since we fetched them. Returns the entries to
    /// queue and how many were dropped.
    async fn skip_unchanged(&self, found: Vec<Found>) -> Result<(Vec<FrontierEntry>, usize)> {
        if found.iter().all(|f| f.modified_ms.is_none()) {
            return Ok((found.into_iter().map(|f| f.entry).collect(), 0));
        }
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let mut keep = Vec::with_capacity(found.len());
            let mut skipped = 0;
            for Found { entry, modified_ms } in found {
                if let Some(modified) = modified_ms
                    && store
                        .page(&entry.url)?
                        .is_some_and(|stored| stored.fetched_at_ms >= modified)
                {
                    skipped += 1;
                    continue;
                }
                keep.push(entry);
            }
            Ok((keep, skipped))
        })
        .await?
    }

    /// A fetched notice page's bytes to what is stored: cleaning and parsing are CPU work, so
    /// they run off the async threads, one job per core.
    async fn prepare(
        &self,
        compiled: &Arc<CompiledSource>,
        page: FetchedPage,
        content_sha256: Option<String>,
    ) -> Result<PageWrite> {
        let document = page.into_document(content_sha256);
        let compiled = Arc::clone(compiled);
        let _cpu = self.cpu.acquire().await;
        Ok(tokio::task::spawn_blocking(move || {
            gazette_pipeline::prepare(document, &compiled.reading)
        })
        .await?)
    }

    /// A fetched attachment to what is stored (see [`attachment::document_write`]), off the
    /// async threads like any parse.
    async fn prepare_document(
        &self,
        compiled: &Arc<CompiledSource>,
        entry: &FrontierEntry,
        page: FetchedPage,
        content_sha256: Option<String>,
    ) -> Result<(PageWrite, Format)> {
        let compiled = Arc::clone(compiled);
        let parent = entry.parent.clone();
        // The article page was stored before its attachments were queued; a document rarely
        // states when it was published, the page announcing it does.
        let published = match parent.clone() {
            Some(url) => {
                let store = Arc::clone(&self.store);
                tokio::task::spawn_blocking(move || store.page(&url))
                    .await??
                    .and_then(|p| p.clean)
                    .and_then(|c| c.metadata.published_at)
            }
            None => None,
        };
        let _cpu = self.cpu.acquire().await;
        Ok(tokio::task::spawn_blocking(move || {
            let (mut write, format) =
                attachment::document_write(&compiled.reading, page, content_sha256, parent);
            attachment::inherit_publication(&mut write, published);
            (write, format)
        })
        .await?)
    }

    /// The attachments of an unchanged notice page that carries no notice of its own (it
    /// announces one published as a file), read from its stored copy: an attachment that
    /// failed last time, or changed since, is asked for again. Pages with notices of their own
    /// are not read again, which keeps unchanged pages cheap.
    async fn unchanged_attachments(
        &self,
        compiled: &CompiledSource,
        entry: &FrontierEntry,
        stored: Option<&PageRecord>,
    ) -> Result<Vec<FrontierEntry>> {
        let Some(stored) = stored.filter(|s| {
            entry.kind == FrontierKind::Notice
                && compiled.source.attachments
                && s.notice_ids.is_empty()
        }) else {
            return Ok(Vec::new());
        };
        let store = Arc::clone(&self.store);
        let (url, at) = (stored.url.clone(), stored.fetched_at_ms);
        let Some(body) = tokio::task::spawn_blocking(move || store.page_body(&url, at)).await??
        else {
            return Ok(Vec::new());
        };
        let page = FetchedPage {
            url: stored.url.clone(),
            final_url: stored.final_url.clone(),
            content_type: stored.content_type.clone(),
            body,
            ..FetchedPage::default()
        };
        Ok(discover::attachments(compiled, entry, &page))
    }

    /// Finishes the entry: dequeues it, queues what it found and writes its page, in one
    /// transaction.
    async fn complete(
        &self,
        compiled: &CompiledSource,
        seq: u64,
        entry: &FrontierEntry,
        discovered: Vec<FrontierEntry>,
        page: Option<PageWrite>,
    ) -> Result<PageOutcome> {
        let store: Arc<dyn PageStore> = Arc::clone(&self.store);
        let (max_notices, max_lists) = compiled.caps();
        let name = compiled.name().to_owned();
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
