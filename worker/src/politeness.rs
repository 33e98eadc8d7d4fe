//! Politeness and robustness per host: a global cap on requests in flight, per-host
//! concurrency and spacing, robots.txt (through `texting_robots`, Crawl-delay honoured), a
//! circuit breaker, and retries with exponential backoff, full jitter and Retry-After.

use crate::config::CrawlerConfig;
use crate::error::{Result, WorkerError};
use crate::events;
use crate::fetch::{Expect, FetchRequest, FetchedPage, Fetcher};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

/// How long robots.txt is trusted before it is fetched again.
const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// Longest Crawl-delay honoured; beyond it a site would take days per run.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// What robots.txt says for our User-Agent.
#[derive(Debug, Default)]
pub struct RobotsRules {
    /// The parsed rules; `None` allows everything (no robots.txt).
    robot: Option<texting_robots::Robot>,
}

impl RobotsRules {
    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        self.robot.as_ref().is_none_or(|r| r.allowed(url))
    }

    /// The sitemaps robots.txt lists.
    pub fn sitemaps(&self) -> Vec<String> {
        self.robot
            .as_ref()
            .map(|r| r.sitemaps.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Default)]
struct HostTimes {
    /// Earliest time of the next request to the host.
    next_at: Option<Instant>,
    /// Spacing between requests: the configured delay or robots.txt's Crawl-delay.
    delay: Duration,
    /// Extra spacing after anti-bot challenges: doubled by each one (from `retry_base` up to
    /// `retry_max`), gone with the next ordinary answer.
    backoff: Duration,
    /// Consecutive failures.
    failures: u32,
    /// The breaker refuses requests until then.
    open_until: Option<Instant>,
}

#[derive(Debug)]
struct Host {
    permits: Semaphore,
    times: Mutex<HostTimes>,
    robots: tokio::sync::Mutex<Option<(Instant, Arc<RobotsRules>)>>,
}

/// The per-host state shared by every source of a crawler.
#[derive(Debug)]
pub struct Politeness {
    config: CrawlerConfig,
    global: Semaphore,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

/// Why a polite fetch ended without a page.
#[derive(Debug)]
pub enum Refusal {
    /// Shutdown was requested while waiting.
    Cancelled,
    /// The fetch failed (after retries where they apply).
    Failed(WorkerError),
}

impl From<WorkerError> for Refusal {
    fn from(error: WorkerError) -> Self {
        Self::Failed(error)
    }
}

fn host_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Waits for `duration`, or returns false if `cancel` fires first.
async fn sleep_or_cancel(duration: Duration, cancel: &CancellationToken) -> bool {
    tokio::select! {
        biased;
        _ = cancel.cancelled() => false,
        _ = tokio::time::sleep(duration) => true,
    }
}

impl Politeness {
    /// Limits from `config`.
    pub fn new(config: &CrawlerConfig) -> Self {
        Self {
            config: config.clone(),
            global: Semaphore::new(config.global_concurrency.max(1)),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(hosts.entry(key.to_owned()).or_insert_with(|| {
            Arc::new(Host {
                permits: Semaphore::new(self.config.per_host_concurrency.max(1)),
                times: Mutex::new(HostTimes {
                    delay: self.config.delay,
                    ..HostTimes::default()
                }),
                robots: tokio::sync::Mutex::new(None),
            })
        }))
    }

    /// Fetches with every rule applied: robots.txt, the breaker, the global and per-host caps,
    /// the per-host spacing and retries.
    pub async fn fetch(
        &self,
        fetcher: &Fetcher,
        req: FetchRequest<'_>,
        cancel: &CancellationToken,
    ) -> std::result::Result<FetchedPage, Refusal> {
        let url = Url::parse(req.url).map_err(|e| WorkerError::BadUrl {
            url: req.url.into(),
            reason: e.to_string(),
        })?;
        let key = host_key(&url);
        let host = self.host(&key);
        if self.config.respect_robots && req.expect != Expect::Robots {
            let rules = match self.robots(fetcher, &url, req.allow_loopback, cancel).await {
                Ok(rules) => rules,
                Err(Refusal::Cancelled) => return Err(Refusal::Cancelled),
                Err(Refusal::Failed(error)) => {
                    // No robots.txt answer: the page is not asked for (RFC 9309).
                    events::page_fetched(
                        req.source,
                        req.url,
                        "refused_robots_unavailable".into(),
                        None,
                    );
                    return Err(Refusal::Failed(error));
                }
            };
            if !rules.allowed(req.url) {
                let error = WorkerError::RobotsDisallowed {
                    url: req.url.into(),
                };
                events::page_fetched(req.source, req.url, events::error_status(&error), None);
                return Err(error.into());
            }
        }
        self.fetch_retrying(fetcher, &host, &key, req, cancel).await
    }

    /// Fetches under the caps, retrying what is worth retrying.
    async fn fetch_retrying(
        &self,
        fetcher: &Fetcher,
        host: &Host,
        key: &str,
        req: FetchRequest<'_>,
        cancel: &CancellationToken,
    ) -> std::result::Result<FetchedPage, Refusal> {
        let mut attempt = 0;
        loop {
            let result = self.fetch_once(fetcher, host, key, req, cancel).await?;
            let error = match result {
                Ok(page) => return Ok(page),
                Err(error) => error,
            };
            if !error.is_retryable() || attempt >= self.config.max_retries {
                return Err(error.into());
            }
            let wait = match error.retry_after() {
                // The server said when; waiting longer than our cap would stall the run, so
                // give the page up for this run instead.
                Some(after) if after > self.config.retry_max => return Err(error.into()),
                Some(after) => after,
                None => self.backoff(attempt),
            };
            tracing::debug!(url = req.url, %error, ?wait, attempt, "retrying");
            if !sleep_or_cancel(wait, cancel).await {
                return Err(Refusal::Cancelled);
            }
            attempt += 1;
        }
    }

    /// Exponential backoff with full jitter: uniform in [0, min(max, base·2^attempt)].
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .config
            .retry_base
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.config.retry_max);
        cap.mul_f64(fastrand::f64())
    }

    /// One request under the caps and the breaker. The outer error is a refusal (cancelled or
    /// breaker open), the inner one the request's own result.
    async fn fetch_once(
        &self,
        fetcher: &Fetcher,
        host: &Host,
        key: &str,
        req: FetchRequest<'_>,
        cancel: &CancellationToken,
    ) -> std::result::Result<Result<FetchedPage>, Refusal> {
        // The host's permit first, and the global one only once our slot on the host has come:
        // a task waiting for a busy or slow host must not hold a permit other hosts could use.
        let _host_permit = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(Refusal::Cancelled),
            permit = host.permits.acquire() => permit,
        };
        // Reserve the next slot on this host, then wait for it.
        let slot = {
            let mut times = host.times.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if times.open_until.is_some_and(|until| until > now) {
                let error = WorkerError::CircuitOpen { host: key.into() };
                if req.expect != Expect::Robots {
                    events::page_fetched(req.source, req.url, events::error_status(&error), None);
                }
                return Err(error.into());
            }
            let slot = times.next_at.map_or(now, |at| at.max(now));
            times.next_at = Some(slot + times.delay + times.backoff);
            slot
        };
        let _global_permit = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(Refusal::Cancelled),
            permit = async {
                tokio::time::sleep_until(slot).await;
                self.global.acquire().await
            } => permit,
        };
        let started = Instant::now();
        let result = fetcher.request(req).await;
        // robots.txt is not a page: only the pages it allows or refuses are counted.
        if req.expect != Expect::Robots {
            let status = match &result {
                Ok(page) => events::answer_status(page.status),
                Err(error) => events::error_status(error),
            };
            events::page_fetched(req.source, req.url, status, Some(started.elapsed()));
        }
        let mut times = host.times.lock().unwrap_or_else(|e| e.into_inner());
        // A challenge says the site wants fewer of our requests: space them out further.
        // Nothing here answers the challenge; the page is simply not had.
        match &result {
            Err(WorkerError::Blocked { .. }) => {
                times.backoff = times
                    .backoff
                    .saturating_mul(2)
                    .max(self.config.retry_base)
                    .min(self.config.retry_max);
                tracing::info!(host = key, backoff = ?times.backoff, "anti-bot challenge, backing off");
                times.next_at = times.next_at.map(|at| at + times.backoff);
            }
            Ok(_) => times.backoff = Duration::ZERO,
            Err(_) => {}
        }
        match &result {
            Err(error) if error.is_host_failure() => {
                times.failures += 1;
                if times.failures >= self.config.breaker_threshold {
                    tracing::warn!(
                        host = key,
                        failures = times.failures,
                        "circuit breaker open"
                    );
                    times.open_until = Some(Instant::now() + self.config.breaker_cooldown);
                    times.failures = 0;
                }
            }
            Ok(_) | Err(_) => times.failures = 0,
        }
        Ok(result)
    }

    /// robots.txt of `url`'s host, fetched at most once a day per host.
    pub async fn robots(
        &self,
        fetcher: &Fetcher,
        url: &Url,
        allow_loopback: bool,
        cancel: &CancellationToken,
    ) -> std::result::Result<Arc<RobotsRules>, Refusal> {
        let key = host_key(url);
        let host = self.host(&key);
        let mut cached = host.robots.lock().await;
        if let Some((at, rules)) = cached.as_ref()
            && at.elapsed() < ROBOTS_TTL
        {
            return Ok(Arc::clone(rules));
        }
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let req = FetchRequest {
            expect: Expect::Robots,
            ..FetchRequest::html(robots_url.as_str(), allow_loopback)
        };
        // robots.txt groups name a product token ("gazette"), not the full header.
        let agent = self
            .config
            .user_agent
            .split(['/', ' '])
            .next()
            .unwrap_or_default()
            .to_owned();
        let rules = match self.fetch_retrying(fetcher, &host, &key, req, cancel).await {
            Ok(page) => RobotsRules {
                // An unparsable robots.txt is treated as absent, as crawlers commonly do.
                robot: texting_robots::Robot::new(&agent, &page.body).ok(),
            },
            Err(Refusal::Cancelled) => return Err(Refusal::Cancelled),
            // A server error or no connection: per RFC 9309 assume everything is disallowed,
            // for now; nothing is cached, so the next page asks again (and the breaker stops
            // the asking when the host is down).
            Err(Refusal::Failed(error)) if error.is_host_failure() => {
                return Err(Refusal::Failed(error));
            }
            // 4xx and the like: no usable robots.txt, everything allowed.
            Err(Refusal::Failed(_)) => RobotsRules::default(),
        };
        if let Some(delay) = rules.robot.as_ref().and_then(|r| r.delay) {
            let crawl_delay = Duration::try_from_secs_f32(delay)
                .unwrap_or(MAX_CRAWL_DELAY)
                .min(MAX_CRAWL_DELAY);
            let mut times = host.times.lock().unwrap_or_else(|e| e.into_inner());
            times.delay = self.config.delay.max(crawl_delay);
        }
        let rules = Arc::new(rules);
        *cached = Some((Instant::now(), Arc::clone(&rules)));
        Ok(rules)
    }
}
