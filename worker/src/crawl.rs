//! One crawl of one source ([`Crawler::crawl_once`], the testable step): seeds the frontier
//! and works through it, handing each entry to `entry`. The schedule around it lives
//! with the binary's supervisor, which also answers the admin API.
//!
//! A run works through the source's durable frontier (see `gazette_store::frontier`): it is
//! seeded with the list pages (and sitemaps), and every entry finished writes its page, marks
//! it done and queues its links in one transaction. A run killed at any point resumes from the
//! queue on the next start, without fetching finished entries again.

use crate::config::{CrawlerConfig, SourceConfig};
use crate::entry::EntryRunner;
use crate::error::Result;
use crate::fetch::{Fetcher, now_ms};
use crate::politeness::{FetchError, Politeness};
use crate::report::CrawlReport;
use crate::source::CompiledSource;
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use gazette_store::{FrontierEntry, FrontierKind};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;
use url::Url;

/// Progress of a run, for a progress bar: entries finished and entries known so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The source.
    pub source: &'a str,
    /// Entries finished in this process.
    pub done: usize,
    /// Entries finished plus those known to be queued.
    pub known: usize,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(Progress<'_>) + Send + Sync>;

/// Crawls sources into a store.
#[derive(Clone)]
pub struct Crawler {
    runner: EntryRunner,
    config: CrawlerConfig,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Crawler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crawler")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Crawler {
    /// A crawler writing into `store`.
    pub fn new(config: CrawlerConfig, store: Arc<dyn gazette_store::NoticeStore>) -> Result<Self> {
        Ok(Self {
            runner: EntryRunner {
                fetcher: Fetcher::new(&config)?,
                politeness: Arc::new(Politeness::new(&config)),
                cpu: Arc::new(tokio::sync::Semaphore::new(
                    std::thread::available_parallelism().map_or(2, |n| n.get()),
                )),
                store,
            },
            config,
            progress: None,
        })
    }

    /// Calls `progress` after every finished entry.
    pub fn with_progress(mut self, progress: ProgressFn) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The entries a fresh run of `source` starts from: its list pages (start pages, then
    /// template pages), and its sitemaps.
    async fn seeds(
        &self,
        source: &SourceConfig,
        cancel: &CancellationToken,
    ) -> std::result::Result<Vec<FrontierEntry>, FetchError> {
        let list = |url: String| FrontierEntry {
            url,
            kind: FrontierKind::List,
            depth: 0,
            parent: None,
        };
        let mut seeds: Vec<FrontierEntry> = source.start_urls.iter().cloned().map(list).collect();
        if let Some(template) = &source.pagination.url_template {
            let more = source.pagination.max_list_pages.saturating_sub(seeds.len());
            let first = source.pagination.template_start;
            seeds.extend(
                (first..)
                    .take(more)
                    .map(|n| list(template.replace("{n}", &n.to_string()))),
            );
        }
        if source.use_sitemaps {
            let mut origins = HashSet::new();
            for start in &source.start_urls {
                let Ok(url) = Url::parse(start) else { continue };
                if !origins.insert(url.origin()) {
                    continue;
                }
                let mut sitemaps = Vec::new();
                if self.config.respect_robots {
                    match self
                        .runner
                        .politeness
                        .robots(&self.runner.fetcher, &url, source.allow_loopback, cancel)
                        .await
                    {
                        // Relative Sitemap lines are resolved against the site.
                        Ok(rules) => {
                            sitemaps = rules
                                .sitemaps()
                                .iter()
                                .filter_map(|s| url.join(s).ok().map(String::from))
                                .collect();
                        }
                        Err(FetchError::Cancelled) => return Err(FetchError::Cancelled),
                        Err(FetchError::Failed(_)) => {}
                    }
                }
                if sitemaps.is_empty() {
                    sitemaps.extend(url.join("/sitemap.xml").ok().map(String::from));
                }
                seeds.extend(sitemaps.into_iter().map(|url| FrontierEntry {
                    url,
                    kind: FrontierKind::Sitemap,
                    depth: 0,
                    parent: None,
                }));
            }
        }
        Ok(seeds)
    }

    /// One run of `source`: resumes its unfinished run or starts one, then works through its
    /// frontier with up to `per_host_concurrency` entries in flight. Page-level failures are in
    /// the report; only store failures end the run with an error. Cancellation is honoured
    /// between entries, never in the middle of a write: entries in flight are drained.
    ///
    /// The run is traced in a `crawl` span carrying the source's name, and its end is logged
    /// and counted (`gazette_crawl_runs_total`) whatever the result.
    pub async fn crawl_once(
        &self,
        source: &SourceConfig,
        cancel: &CancellationToken,
    ) -> Result<CrawlReport> {
        let span = tracing::info_span!("crawl", source = %source.name);
        async {
            let started = std::time::Instant::now();
            let result = self.crawl_once_inner(source, cancel).await;
            crate::events::crawl_finished(&source.name, &result, started.elapsed());
            result
        }
        .instrument(span)
        .await
    }

    async fn crawl_once_inner(
        &self,
        source: &SourceConfig,
        cancel: &CancellationToken,
    ) -> Result<CrawlReport> {
        let compiled = Arc::new(CompiledSource::new(source)?);
        let mut report = CrawlReport {
            source: source.name.clone(),
            ..CrawlReport::default()
        };
        let seeds = match self.seeds(source, cancel).await {
            Ok(seeds) => seeds,
            Err(FetchError::Cancelled) | Err(FetchError::Failed(_)) => {
                report.cancelled = true;
                return Ok(report);
            }
        };
        let (max_notices, max_lists) = compiled.caps();
        let store = Arc::clone(&self.runner.store);
        let name = source.name.clone();
        let run = tokio::task::spawn_blocking(move || {
            store.frontier_begin(&name, &seeds, now_ms(), max_notices, max_lists)
        })
        .await??;
        report.resumed = run.resumed;
        let concurrency = self.config.per_host_concurrency.max(1);
        let mut attempted: HashSet<u64> = HashSet::new();
        let mut queue: VecDeque<(u64, FrontierEntry)> = VecDeque::new();
        let mut in_flight = FuturesUnordered::new();
        let mut done = 0;
        loop {
            while in_flight.len() < concurrency && !cancel.is_cancelled() {
                if queue.is_empty() {
                    queue = self.pending(source, &attempted).await?;
                }
                let Some((seq, entry)) = queue.pop_front() else {
                    break;
                };
                attempted.insert(seq);
                let runner = self.runner.clone();
                let (compiled, cancel) = (Arc::clone(&compiled), cancel.clone());
                in_flight.push(async move { runner.run(compiled, seq, entry, cancel).await });
            }
            // Store errors end the run, but only after the entries in flight have finished.
            let Some(result) = in_flight.next().await else {
                break;
            };
            match result {
                Ok(entry) => report.add(entry),
                Err(error) => {
                    while in_flight.next().await.is_some() {}
                    return Err(error);
                }
            }
            done += 1;
            if let Some(progress) = &self.progress {
                progress(Progress {
                    source: &source.name,
                    done,
                    known: attempted.len() + queue.len(),
                });
            }
        }
        report.cancelled |= cancel.is_cancelled();
        if !report.cancelled && report.left_pending == 0 {
            let store = Arc::clone(&self.runner.store);
            let name = source.name.clone();
            tokio::task::spawn_blocking(move || store.frontier_finish(&name)).await??;
        }
        Ok(report)
    }

    /// Queued entries not yet attempted in this process.
    async fn pending(
        &self,
        source: &SourceConfig,
        attempted: &HashSet<u64>,
    ) -> Result<VecDeque<(u64, FrontierEntry)>> {
        let store = Arc::clone(&self.runner.store);
        let name = source.name.clone();
        let limit = attempted.len() + 1000;
        let pending =
            tokio::task::spawn_blocking(move || store.frontier_pending(&name, limit)).await??;
        Ok(pending
            .into_iter()
            .filter(|(seq, _)| !attempted.contains(seq))
            .collect())
    }
}
