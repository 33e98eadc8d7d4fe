//! One crawl of one source ([`Crawler::crawl_once`], the testable step) and the scheduled loop
//! around it ([`Crawler::run`]). Fetching is kept apart from cleaning and parsing, which are
//! the notice crate's pure functions.

use crate::config::{CrawlerConfig, SourceConfig};
use crate::error::{Result, WorkerError};
use crate::fetch::{FetchedPage, Fetcher};
use crate::links::LinkFilter;
use gazette_notice::{CleanOptions, InputKind};
use gazette_store::{NoticeStore, PageRecord, identity};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use url::Url;

/// What one run of one source did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlReport {
    /// The source's name.
    pub source: String,
    /// List pages fetched.
    pub list_pages: usize,
    /// Notice pages fetched.
    pub pages_fetched: usize,
    /// Pages whose content had not changed since the last fetch.
    pub pages_unchanged: usize,
    /// Notices stored for the first time.
    pub notices_new: usize,
    /// Notices stored again from a changed or another page.
    pub notices_updated: usize,
    /// Pages that failed, with the reason.
    pub failures: Vec<String>,
    /// True when the run stopped early because of shutdown.
    pub cancelled: bool,
}

/// Crawls sources into a store.
#[derive(Clone)]
pub struct Crawler {
    fetcher: Fetcher,
    store: Arc<dyn NoticeStore>,
    config: CrawlerConfig,
}

impl Crawler {
    /// A crawler writing into `store`.
    pub fn new(config: CrawlerConfig, store: Arc<dyn NoticeStore>) -> Result<Self> {
        Ok(Self {
            fetcher: Fetcher::new(&config)?,
            store,
            config,
        })
    }

    /// Runs every source on its interval until `cancel` fires. Each source has its own task,
    /// so a slow or dead site never holds up the others.
    pub async fn run(&self, sources: Vec<SourceConfig>, cancel: CancellationToken) {
        let mut tasks = tokio::task::JoinSet::new();
        for source in sources {
            let crawler = self.clone();
            let cancel = cancel.clone();
            tasks.spawn(async move {
                loop {
                    match crawler.crawl_once(&source, &cancel).await {
                        Ok(report) => tracing::info!(
                            source = %report.source,
                            fetched = report.pages_fetched,
                            new = report.notices_new,
                            failures = report.failures.len(),
                            "crawl finished"
                        ),
                        Err(error) => {
                            tracing::error!(source = %source.name, %error, "crawl failed")
                        }
                    }
                    tokio::select! {
                        biased;
                        _ = cancel.cancelled() => break,
                        _ = tokio::time::sleep(source.interval) => {}
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// One run of `source`: its list pages, then each notice page they link to. Page-level
    /// failures are recorded in the report; only store failures end the run with an error.
    /// Cancellation is honoured between pages, never in the middle of a write.
    pub async fn crawl_once(
        &self,
        source: &SourceConfig,
        cancel: &CancellationToken,
    ) -> Result<CrawlReport> {
        let mut report = CrawlReport {
            source: source.name.clone(),
            ..CrawlReport::default()
        };
        let filter = LinkFilter {
            url_pattern: regex::Regex::new(&source.notice_url_pattern).map_err(|e| {
                WorkerError::BadPattern {
                    source_name: source.name.clone(),
                    reason: e.to_string(),
                }
            })?,
            keywords: source.notice_link_text.clone(),
        };
        let mut targets: Vec<Url> = Vec::new();
        for start in &source.start_urls {
            if cancel.is_cancelled() {
                report.cancelled = true;
                return Ok(report);
            }
            match self.fetcher.fetch(start, source.allow_loopback).await {
                Ok(page) => {
                    report.list_pages += 1;
                    let html = gazette_notice::charset::decode(
                        &page.body,
                        page.content_type.as_deref(),
                        source.charset.as_deref(),
                    )
                    .map(|d| d.text)
                    .unwrap_or_default();
                    let base = Url::parse(&page.final_url).map_err(|e| WorkerError::BadUrl {
                        url: page.final_url.clone(),
                        reason: e.to_string(),
                    })?;
                    for link in filter.notice_links(&html, &base) {
                        if !targets.contains(&link) {
                            targets.push(link);
                        }
                    }
                }
                Err(error) => report.failures.push(error.to_string()),
            }
        }
        targets.truncate(source.max_pages);
        for (i, target) in targets.iter().enumerate() {
            if i > 0 {
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => { report.cancelled = true; break; }
                    _ = tokio::time::sleep(self.config.delay) => {}
                }
            } else if cancel.is_cancelled() {
                report.cancelled = true;
                break;
            }
            match self
                .fetcher
                .fetch(target.as_str(), source.allow_loopback)
                .await
            {
                Ok(page) => {
                    report.pages_fetched += 1;
                    self.store_page(source, page, &mut report).await?;
                }
                Err(error) => report.failures.push(error.to_string()),
            }
        }
        Ok(report)
    }

    /// Cleans, parses and stores one fetched page, unless its bytes are unchanged.
    async fn store_page(
        &self,
        source: &SourceConfig,
        page: FetchedPage,
        report: &mut CrawlReport,
    ) -> Result<()> {
        let sha = identity::content_sha256(&page.body);
        let store = Arc::clone(&self.store);
        let options = CleanOptions {
            content_type: page.content_type.clone(),
            charset_override: source.charset.clone(),
            content_selector: source.content_selector.clone(),
            kind: InputKind::Auto,
        };
        let outcome = tokio::task::spawn_blocking(move || {
            if store
                .page(&page.url)?
                .is_some_and(|p| p.content_sha256 == sha)
            {
                return Ok(None);
            }
            let mut record = PageRecord {
                url: page.url.clone(),
                final_url: page.final_url.clone(),
                status: page.status,
                content_type: page.content_type.clone(),
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
            store.record_page(record, notices).map(Some)
        })
        .await??;
        match outcome {
            None => report.pages_unchanged += 1,
            Some(outcome) => {
                report.notices_new += outcome.new_notices.len();
                report.notices_updated += outcome.updated_notices.len();
            }
        }
        Ok(())
    }
}
