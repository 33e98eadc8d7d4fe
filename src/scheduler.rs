//! Runs each source on its schedule, lets the admin API trigger a run early, and keeps the
//! state of every source for GetCrawlStatus: the binary's implementation of
//! [`gazette_services::CrawlControl`] over the worker. It runs as one task of the process
//! [`crate::supervisor::Supervisor`].
//!
//! Replicas on one shared store run each scheduled run of a source once: before a run, the
//! scheduler claims it in the store by its due time ([`Crawler::claim_run`]), renews the
//! claim while the run lasts and releases it after. A replica that loses the claim joins the
//! run while it is in progress (the frontier's leases share its entries out) and otherwise
//! skips it. The first run after start is due at time 0, which the first replica claims; after
//! it, every replica computes the same due times ([`Schedule::next_due_ms`]).

use gazette_services::{
    BlockedPage, CrawlControl, SourceInfo, SourceState, TriggerOutcome, UnsupportedDocument,
};
use gazette_store::now_ms;
use gazette_worker::schedule::Schedule;
use gazette_worker::{Crawler, SourceConfig};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// One source's schedule task and its state.
struct Slot {
    source: SourceConfig,
    state: Mutex<SourceState>,
    trigger: Notify,
}

/// The crawl scheduler: one task per source.
#[derive(Clone)]
pub struct CrawlScheduler {
    slots: Arc<HashMap<String, Arc<Slot>>>,
    order: Arc<Vec<String>>,
}

impl CrawlScheduler {
    /// A scheduler for `sources`; nothing runs until [`Self::run`].
    pub fn new(sources: &[SourceConfig]) -> Self {
        let slots = sources
            .iter()
            .map(|s| {
                let slot = Slot {
                    source: s.clone(),
                    state: Mutex::new(SourceState {
                        source: s.name.clone(),
                        ..SourceState::default()
                    }),
                    trigger: Notify::new(),
                };
                (s.name.clone(), Arc::new(slot))
            })
            .collect();
        Self {
            slots: Arc::new(slots),
            order: Arc::new(sources.iter().map(|s| s.name.clone()).collect()),
        }
    }

    /// Runs every source now and then on its schedule, or early when triggered, until `cancel`.
    /// A source task that panics is an error (see [`join_sources`]).
    pub async fn run(&self, crawler: Crawler, cancel: CancellationToken) -> anyhow::Result<()> {
        let mut tasks = tokio::task::JoinSet::new();
        let mut names = HashMap::new();
        for slot in self.slots.values() {
            let (slot, crawler, cancel) = (Arc::clone(slot), crawler.clone(), cancel.clone());
            let name = slot.source.name.clone();
            let task = tasks.spawn(async move {
                let schedule = match Schedule::of(&slot.source) {
                    Ok(schedule) => schedule,
                    Err(error) => {
                        tracing::error!(source = %slot.source.name, %error, "not scheduled");
                        return;
                    }
                };
                let mut due_ms = 0;
                loop {
                    if let Some(result) = claimed_run(&crawler, &slot, due_ms, &cancel).await {
                        slot.finish(result, schedule.until_next());
                    }
                    let now = now_ms();
                    due_ms = schedule.next_due_ms(now);
                    let wait = std::time::Duration::from_millis(
                        u64::try_from(due_ms.saturating_sub(now)).unwrap_or(0),
                    );
                    slot.state().next_run_ms = Some(due_ms);
                    tokio::select! {
                        biased;
                        _ = cancel.cancelled() => break,
                        // A triggered run is due now.
                        _ = slot.trigger.notified() => due_ms = now_ms(),
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            });
            names.insert(task.id(), name);
        }
        join_sources(tasks, &names).await
    }
}

/// The run of `slot`'s source due at `due_ms`, when this replica claims it (the claim renewed
/// while it runs and released after) or joins it in progress; `None` when another replica ran
/// it already.
async fn claimed_run(
    crawler: &Crawler,
    slot: &Slot,
    due_ms: i64,
    cancel: &CancellationToken,
) -> Option<gazette_worker::Result<gazette_worker::CrawlReport>> {
    let name = &slot.source.name;
    let claimed = match crawler.claim_run(name, due_ms).await {
        Ok(claimed) => claimed,
        Err(error) => return Some(Err(error)),
    };
    if !claimed {
        match crawler.run_in_progress(name).await {
            Ok(true) => tracing::info!(source = %name, "joining a run another replica claimed"),
            Ok(false) => {
                tracing::debug!(source = %name, due_ms, "run claimed by another replica");
                return None;
            }
            Err(error) => return Some(Err(error)),
        }
    }
    slot.begin();
    let crawl = crawler.crawl_once(&slot.source, cancel);
    tokio::pin!(crawl);
    let mut renew = tokio::time::interval(crawler.lease_renewal());
    renew.reset();
    let result = loop {
        tokio::select! {
            result = &mut crawl => break result,
            _ = renew.tick(), if claimed => {
                if let Err(error) = crawler.claim_run(name, due_ms).await {
                    tracing::warn!(source = %name, %error, "renewing the schedule claim failed");
                }
            }
        }
    };
    if claimed && let Err(error) = crawler.release_run(name).await {
        tracing::warn!(source = %name, %error, "releasing the schedule claim failed");
    }
    Some(result)
}

/// Waits for every source task. One that panicked would leave its source unscheduled without
/// a word while the process serves on, so it is an error naming the source instead, which the
/// process supervisor turns into a stop and a non-zero exit; the other tasks are aborted when
/// the set is dropped.
async fn join_sources(
    mut tasks: tokio::task::JoinSet<()>,
    names: &HashMap<tokio::task::Id, String>,
) -> anyhow::Result<()> {
    while let Some(joined) = tasks.join_next().await {
        if let Err(error) = joined
            && error.is_panic()
        {
            let source = names.get(&error.id()).map_or("?", String::as_str);
            anyhow::bail!("the crawl task of source {source:?} panicked: {error}");
        }
    }
    Ok(())
}

impl Slot {
    fn state(&self) -> std::sync::MutexGuard<'_, SourceState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn begin(&self) {
        let mut state = self.state();
        state.running = true;
        state.last_started_ms = Some(now_ms());
        state.next_run_ms = None;
    }

    fn finish(
        &self,
        result: gazette_worker::Result<gazette_worker::CrawlReport>,
        wait: std::time::Duration,
    ) {
        let mut state = self.state();
        state.running = false;
        state.last_finished_ms = Some(now_ms());
        state.next_run_ms =
            Some(now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2));
        match result {
            // The worker's events module logs and counts the run; here only the state changes.
            Ok(report) => {
                state.pages_fetched = report.pages_fetched;
                state.pages_unchanged = report.pages_unchanged;
                state.notices_new = report.notices_new;
                state.failures = report.failures;
                state.blocked = report
                    .blocked
                    .into_iter()
                    .map(|b| BlockedPage {
                        uri: b.url,
                        http_status: b.status,
                        challenge: b.challenge.label().to_owned(),
                    })
                    .collect();
                state.unsupported = report
                    .unsupported
                    .into_iter()
                    .map(|d| UnsupportedDocument {
                        uri: d.url,
                        format: d.format.to_owned(),
                    })
                    .collect();
            }
            Err(error) => {
                state.failures = vec![error.to_string()];
                state.blocked.clear();
                state.unsupported.clear();
            }
        }
    }
}

impl CrawlControl for CrawlScheduler {
    fn sources(&self) -> Vec<SourceInfo> {
        self.order
            .iter()
            .filter_map(|name| self.slots.get(name))
            .map(|slot| SourceInfo {
                name: slot.source.name.clone(),
                start_urls: slot.source.start_urls.clone(),
                notice_url_pattern: slot.source.notice_url_pattern.clone(),
                interval: slot.source.interval,
                max_pages: slot.source.max_pages,
            })
            .collect()
    }

    fn trigger(&self, source: &str) -> TriggerOutcome {
        match self.slots.get(source) {
            None => TriggerOutcome::UnknownSource,
            Some(slot) if slot.state().running => TriggerOutcome::AlreadyRunning,
            Some(slot) => {
                // notify_one keeps a permit if the task is between runs and not yet waiting.
                slot.trigger.notify_one();
                TriggerOutcome::Started
            }
        }
    }

    fn states(&self) -> Vec<SourceState> {
        self.order
            .iter()
            .filter_map(|name| self.slots.get(name))
            .map(|slot| slot.state().clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicked_source_task_is_an_error_naming_the_source() {
        let mut tasks = tokio::task::JoinSet::new();
        let mut names = HashMap::new();
        let quiet = tasks.spawn(std::future::pending::<()>());
        names.insert(quiet.id(), "quiet".to_owned());
        let broken = tasks.spawn(async { panic!("a bug") });
        names.insert(broken.id(), "broken".to_owned());
        let error = join_sources(tasks, &names)
            .await
            .expect_err("a panic is an error");
        assert!(format!("{error:#}").contains("\"broken\""), "{error:#}");

        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(async {});
        join_sources(tasks, &HashMap::new())
            .await
            .expect("tasks that end are no error");
    }
}
