//! One crawl of one source ([`Crawler::crawl_once`], the testable step): seeds the frontier
//! and works through it, handing each entry to `entry`. The schedule around it lives
//! with the binary's supervisor, which also answers the admin API.
//!
//! A run works through the source's durable frontier (see `gazette_store::frontier`): it is
//! seeded with the list pages (and sitemaps), and every entry finished writes its page, marks
//! it done and queues its links in one transaction. A run killed at any point resumes from the
//! queue on the next start, without fetching finished entries again.
//!
//! Entries are leased, not just read (see [`gazette_store::PageStore`]): a run claims a few
//! entries at a time for this crawler's worker id, renews the leases of what it holds (in
//! flight, waiting, or deferred to a later run) every third of its length ([`CrawlerConfig::lease`]), and gives back what
//! it did not finish when it ends. Several crawlers on one shared store thus work through one
//! frontier, each entry fetched by one of them; the entries of one that died are handed out
//! again once their leases expire. While other workers hold leases and nothing is claimable,
//! a run waits (listening for cancellation) for their work to finish or come free.

use crate::config::{CrawlerConfig, SourceConfig};
use crate::entry::EntryRunner;
use crate::error::Result;
use crate::fetch::Fetcher;
use crate::politeness::{FetchError, Politeness};
use crate::report::CrawlReport;
use crate::source::CompiledSource;
use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use gazette_store::{FrontierEntry, FrontierKind, Lease, PageStore, now_ms};
use std::collections::{BTreeSet, HashSet, VecDeque};
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

/// The longest wait before looking again for work while other workers hold leases: their
/// completions may queue new entries before any lease expires.
const WORK_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Crawls sources into a store.
#[derive(Clone)]
pub struct Crawler {
    runner: EntryRunner,
    config: CrawlerConfig,
    progress: Option<ProgressFn>,
    /// This crawler's id in leases: unique per crawler (host, process and a random part).
    worker_id: Arc<str>,
}

/// A worker id unique to this crawler: the host name when known, the process id and a
/// random part (two crawlers of one process are two workers).
fn new_worker_id() -> Arc<str> {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "gazette".to_owned());
    format!("{host}-{}-{:08x}", std::process::id(), fastrand::u32(..)).into()
}

/// `worker`'s lease taken at `now`, lasting `length` ([`CrawlerConfig::lease`]).
fn lease(worker: &str, now: i64, length: std::time::Duration) -> Lease<'_> {
    Lease {
        worker,
        now_ms: now,
        until_ms: now.saturating_add(i64::try_from(length.as_millis()).unwrap_or(i64::MAX)),
    }
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
    pub fn new(config: CrawlerConfig, store: Arc<dyn PageStore>) -> Result<Self> {
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
            worker_id: new_worker_id(),
        })
    }

    /// How often held leases and claims are renewed: a third of their length, so that two
    /// renewals may fail before one expires.
    pub fn lease_renewal(&self) -> std::time::Duration {
        // Never zero (a timer of period zero is refused); settings refuse leases this short.
        (self.config.lease / 3).max(std::time::Duration::from_millis(100))
    }

    /// This crawler's id in frontier leases and schedule claims.
    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// Claims (or renews the claim on) the run of `source` due at `due_ms`, so that one
    /// crawler among replicas on a shared store runs it; see [`PageStore::claim_run`].
    pub async fn claim_run(&self, source: &str, due_ms: i64) -> Result<bool> {
        let (store, name, worker) = self.owned(source);
        let (now, length) = (now_ms(), self.config.lease);
        Ok(tokio::task::spawn_blocking(move || {
            store.claim_run(&name, due_ms, lease(&worker, now, length))
        })
        .await??)
    }

    /// Ends this crawler's claim on `source`'s schedule.
    pub async fn release_run(&self, source: &str) -> Result<()> {
        let (store, name, worker) = self.owned(source);
        Ok(tokio::task::spawn_blocking(move || store.release_run(&name, &worker)).await??)
    }

    /// Whether `source` has a run in progress (begun by any worker), which a crawler that
    /// did not win the schedule claim may join.
    pub async fn run_in_progress(&self, source: &str) -> Result<bool> {
        let (store, name, _) = self.owned(source);
        Ok(
            tokio::task::spawn_blocking(move || store.frontier_run(&name))
                .await??
                .is_some(),
        )
    }

    /// What a blocking store call needs: the store, the source's name and the worker id.
    fn owned(&self, source: &str) -> (Arc<dyn PageStore>, String, Arc<str>) {
        (
            Arc::clone(&self.runner.store),
            source.to_owned(),
            Arc::clone(&self.worker_id),
        )
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
        // Entries attempted by this run; an entry is never attempted twice in one run.
        let mut attempted: HashSet<u64> = HashSet::new();
        // Entries leased to this worker and not finished: claimed and waiting, in flight, or
        // deferred to a later run. Their leases are renewed until the run ends.
        let mut held: BTreeSet<u64> = BTreeSet::new();
        let mut queue: VecDeque<(u64, FrontierEntry)> = VecDeque::new();
        let mut in_flight = FuturesUnordered::new();
        let mut renew = tokio::time::interval(self.lease_renewal());
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        renew.reset();
        let mut done = 0;
        // One past the highest queue position claimed by this run.
        let mut claimed_up_to = 0;
        let outcome: Result<()> = 'run: loop {
            // When nothing is claimable but other workers hold leases: when to look again.
            let mut others_hold_until = None;
            while in_flight.len() < concurrency && !cancel.is_cancelled() {
                if queue.is_empty() {
                    let claim = match self.claim(source, concurrency * 2).await {
                        Ok(claim) => claim,
                        Err(error) => break 'run Err(error),
                    };
                    for (seq, entry) in claim.entries {
                        held.insert(seq);
                        claimed_up_to = claimed_up_to.max(seq + 1);
                        // Re-handed after a lost lease: finished or deferred here already.
                        if !attempted.contains(&seq) {
                            queue.push_back((seq, entry));
                        }
                    }
                    if queue.is_empty() && claim.leased_to_others > 0 {
                        others_hold_until = claim.next_expiry_ms;
                    }
                }
                let Some((seq, entry)) = queue.pop_front() else {
                    break;
                };
                attempted.insert(seq);
                let runner = self.runner.clone();
                let (compiled, cancel) = (Arc::clone(&compiled), cancel.clone());
                in_flight
                    .push(async move { (seq, runner.run(compiled, seq, entry, cancel).await) });
            }
            if in_flight.is_empty() {
                let Some(until) = others_hold_until.filter(|_| !cancel.is_cancelled()) else {
                    break Ok(());
                };
                let expiry = u64::try_from(until.saturating_sub(now_ms())).unwrap_or(0);
                let wait = WORK_POLL.min(std::time::Duration::from_millis(expiry));
                tokio::select! {
                    biased;
                    _ = cancel.cancelled() => {}
                    _ = renew.tick() => {
                        if let Err(error) = self.renew(source, &held).await {
                            break Err(error);
                        }
                    }
                    _ = tokio::time::sleep(wait) => {}
                }
                continue;
            }
            // Store errors end the run, but only after the entries in flight have finished.
            let (seq, result) = tokio::select! {
                biased;
                finished = in_flight.next() => match finished {
                    Some(finished) => finished,
                    None => continue,
                },
                _ = renew.tick() => {
                    if let Err(error) = self.renew(source, &held).await {
                        while in_flight.next().await.is_some() {}
                        break Err(error);
                    }
                    continue;
                }
            };
            match result {
                Ok(entry) => {
                    // Deferred and cancelled entries stay queued, leased here until the end.
                    if !entry.left_pending && !entry.cancelled {
                        held.remove(&seq);
                    }
                    report.add(entry);
                }
                Err(error) => {
                    while in_flight.next().await.is_some() {}
                    break Err(error);
                }
            }
            done += 1;
            if let Some(progress) = &self.progress {
                // Entries are claimed in queue order, so those queued after the last one
                // claimed here are still ahead (the run's next position counts them).
                let (store, name, _) = self.owned(&source.name);
                let run = tokio::task::spawn_blocking(move || store.frontier_run(&name)).await;
                let next_seq = match run {
                    Ok(Ok(run)) => run.map_or(0, |r| r.next_seq),
                    Ok(Err(_)) | Err(_) => 0,
                };
                let ahead = usize::try_from(next_seq.saturating_sub(claimed_up_to)).unwrap_or(0);
                progress(Progress {
                    source: &source.name,
                    done,
                    known: attempted.len() + queue.len() + ahead,
                });
            }
        };
        // What this run holds and did not finish is given back for whoever runs next.
        let released = self.release(source, &held).await;
        outcome?;
        released?;
        report.cancelled |= cancel.is_cancelled();
        if !report.cancelled && report.left_pending == 0 {
            let (store, name, _) = self.owned(&source.name);
            tokio::task::spawn_blocking(move || store.frontier_finish(&name)).await??;
        }
        Ok(report)
    }

    /// Leases up to `limit` entries of `source`'s run to this worker.
    async fn claim(
        &self,
        source: &SourceConfig,
        limit: usize,
    ) -> Result<gazette_store::FrontierClaim> {
        let (store, name, worker) = self.owned(&source.name);
        let (now, length) = (now_ms(), self.config.lease);
        Ok(tokio::task::spawn_blocking(move || {
            store.frontier_claim(&name, lease(&worker, now, length), limit)
        })
        .await??)
    }

    /// Renews this worker's leases on `held`. A lease lost meanwhile (this worker stalled past
    /// its expiry and another took the entry) is only logged: finishing an entry twice writes
    /// the same records.
    async fn renew(&self, source: &SourceConfig, held: &BTreeSet<u64>) -> Result<()> {
        if held.is_empty() {
            return Ok(());
        }
        let (store, name, worker) = self.owned(&source.name);
        let seqs: Vec<u64> = held.iter().copied().collect();
        let (now, length) = (now_ms(), self.config.lease);
        let asked = seqs.len();
        let kept = tokio::task::spawn_blocking(move || {
            store.frontier_renew(&name, lease(&worker, now, length), &seqs)
        })
        .await??;
        if kept.len() < asked {
            tracing::warn!(
                source = %source.name,
                lost = asked - kept.len(),
                "frontier leases expired and were taken over"
            );
        }
        Ok(())
    }

    /// Gives back this worker's leases on `held`.
    async fn release(&self, source: &SourceConfig, held: &BTreeSet<u64>) -> Result<()> {
        if held.is_empty() {
            return Ok(());
        }
        let (store, name, worker) = self.owned(&source.name);
        let seqs: Vec<u64> = held.iter().copied().collect();
        Ok(
            tokio::task::spawn_blocking(move || store.frontier_release(&name, &worker, &seqs))
                .await??,
        )
    }
}
