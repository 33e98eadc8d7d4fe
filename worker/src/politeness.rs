//! Politeness and robustness per host: a global cap on requests in flight, per-host
//! concurrency and spacing, robots.txt by RFC 9309 (Crawl-delay honoured), a circuit breaker,
//! and retries with exponential backoff, full jitter and Retry-After. Redirects are followed
//! here, one hop at a time, so that a redirect to another host obeys that host's robots.txt,
//! spacing, concurrency and breaker as a direct request would.

use crate::config::CrawlerConfig;
use crate::error::{Result, WorkerError};
use crate::events;
use crate::failure::{FailureClass, Refusal, Retry};
use crate::fetch::{Expect, FetchRequest, FetchedPage, Fetcher, Hop, RedirectChain};
use crate::robots::{self, MAX_ROBOTS_REDIRECTS, RobotsRules};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Longest time robots.txt is trusted before it is fetched again (RFC 9309, 2.4: a day).
const MAX_ROBOTS_AGE: Duration = Duration::from_secs(24 * 3600);
/// Longest Crawl-delay honoured; beyond it a site would take days per run.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

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

/// What we know of a host's robots.txt.
#[derive(Debug)]
enum RobotsState {
    /// Rules fetched (or everything allowed after a 4xx) at `at`.
    Known {
        /// When they were had.
        at: Instant,
        /// The rules.
        rules: Arc<RobotsRules>,
    },
    /// The last fetch failed (5xx, 429 or no connection): until `until` the host is
    /// disallowed, or ruled by the last rules known (RFC 9309, 2.3.1.4 and 2.4).
    Unavailable {
        /// When robots.txt is asked for again.
        until: Instant,
        /// Rules from an earlier successful fetch, used meanwhile.
        last_known: Option<Arc<RobotsRules>>,
    },
}

#[derive(Debug)]
struct Host {
    permits: Semaphore,
    times: Mutex<HostTimes>,
    robots: tokio::sync::Mutex<Option<RobotsState>>,
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
pub enum FetchError {
    /// Shutdown was requested while waiting.
    Cancelled,
    /// The fetch failed (after retries where they apply).
    Failed(WorkerError),
}

impl From<WorkerError> for FetchError {
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

    /// Fetches with every rule applied to every hop: robots.txt, the breaker, the global and
    /// per-host caps, the per-host spacing and retries. A redirect is followed only once its
    /// target's host allows it.
    pub async fn fetch(
        &self,
        fetcher: &Fetcher,
        req: FetchRequest<'_>,
        cancel: &CancellationToken,
    ) -> std::result::Result<FetchedPage, FetchError> {
        let limit = match req.expect {
            Expect::Robots => MAX_ROBOTS_REDIRECTS,
            Expect::Html | Expect::Sitemap | Expect::Attachment => fetcher.max_redirects(),
        };
        let mut chain = RedirectChain::new(req.url, limit)?;
        loop {
            let url = chain.current().clone();
            if self.config.respect_robots && req.expect != Expect::Robots {
                self.obey_robots(fetcher, &url, req, cancel).await?;
            }
            let key = host_key(&url);
            let host = self.host(&key);
            match self
                .fetch_retrying(fetcher, &host, &key, req, &chain, cancel)
                .await?
            {
                Hop::Page(page) => return Ok(page),
                Hop::Redirect(next) => chain.follow(next)?,
            }
        }
    }

    /// Refuses `url` unless its host's robots.txt allows it (counted as a refused page).
    async fn obey_robots(
        &self,
        fetcher: &Fetcher,
        url: &Url,
        req: FetchRequest<'_>,
        cancel: &CancellationToken,
    ) -> std::result::Result<(), FetchError> {
        let error = match self.robots(fetcher, url, req.allow_loopback, cancel).await {
            Ok(rules) if rules.allowed(url.as_str()) => return Ok(()),
            Ok(_) => WorkerError::RobotsDisallowed {
                url: url.to_string(),
            },
            Err(FetchError::Cancelled) => return Err(FetchError::Cancelled),
            // No robots.txt answer: the page is not asked for (RFC 9309, 2.3.1.4).
            Err(FetchError::Failed(_)) => WorkerError::RobotsUnavailable {
                url: url.to_string(),
            },
        };
        events::page_fetched(req.source, req.url, error.class().label(), None);
        Err(error.into())
    }

    /// Fetches under the caps, retrying what is worth retrying.
    async fn fetch_retrying(
        &self,
        fetcher: &Fetcher,
        host: &Host,
        key: &str,
        req: FetchRequest<'_>,
        chain: &RedirectChain,
        cancel: &CancellationToken,
    ) -> std::result::Result<Hop, FetchError> {
        let mut attempt = 0;
        loop {
            let result = self
                .fetch_once(fetcher, host, key, req, chain, cancel)
                .await?;
            let error = match result {
                Ok(hop) => return Ok(hop),
                Err(error) => error,
            };
            if attempt >= self.config.max_retries {
                return Err(error.into());
            }
            let wait = match error.class().retry() {
                Retry::Never => return Err(error.into()),
                // The server said when; waiting longer than our cap would stall the run, so
                // give the page up for this run instead.
                Retry::After(after) if after > self.config.retry_max => return Err(error.into()),
                Retry::After(after) => after,
                Retry::Backoff => self.backoff(attempt),
            };
            tracing::debug!(url = req.url, %error, ?wait, attempt, "retrying");
            if !sleep_or_cancel(wait, cancel).await {
                return Err(FetchError::Cancelled);
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
        chain: &RedirectChain,
        cancel: &CancellationToken,
    ) -> std::result::Result<Result<Hop>, FetchError> {
        // The host's permit first, and the global one only once our slot on the host has come:
        // a task waiting for a busy or slow host must not hold a permit other hosts could use.
        let _host_permit = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(FetchError::Cancelled),
            permit = host.permits.acquire() => permit,
        };
        // Reserve the next slot on this host, then wait for it.
        let slot = {
            let mut times = host.times.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            if times.open_until.is_some_and(|until| until > now) {
                let error = WorkerError::CircuitOpen { host: key.into() };
                if req.expect != Expect::Robots {
                    events::page_fetched(req.source, req.url, error.class().label(), None);
                }
                return Err(error.into());
            }
            let slot = times.next_at.map_or(now, |at| at.max(now));
            times.next_at = Some(slot + times.delay + times.backoff);
            slot
        };
        let _global_permit = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(FetchError::Cancelled),
            permit = async {
                tokio::time::sleep_until(slot).await;
                self.global.acquire().await
            } => permit,
        };
        let started = Instant::now();
        let result = fetcher.hop(req, chain).await;
        // robots.txt is not a page: only the pages it allows or refuses are counted. A
        // redirect counts as the request it is, under its own status.
        if req.expect != Expect::Robots {
            let status = match &result {
                Ok(Hop::Page(page)) => events::answer_status(page.status),
                Ok(Hop::Redirect(_)) => "redirect".into(),
                Err(error) => error.class().label(),
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
                // From the answer, not from when the request was due: a slow challenge must
                // not eat into the pause.
                let now = Instant::now();
                times.next_at = Some(times.next_at.map_or(now, |at| at.max(now)) + times.backoff);
            }
            Ok(_) => times.backoff = Duration::ZERO,
            Err(_) => {}
        }
        match &result {
            Err(error) if error.class().is_host_failure() => {
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

    /// The robots.txt rules of `url`'s host, by RFC 9309: fetched again after
    /// `robots_max_age` (a day at most); a 4xx (or too many redirects) allows everything; a
    /// 5xx, a 429, a challenge or no connection disallows the host (or keeps the last rules
    /// known) for `robots_unavailable_retry`, after which it is asked again. An error means
    /// the host may not be crawled now.
    pub async fn robots(
        &self,
        fetcher: &Fetcher,
        url: &Url,
        allow_loopback: bool,
        cancel: &CancellationToken,
    ) -> std::result::Result<Arc<RobotsRules>, FetchError> {
        let key = host_key(url);
        let host = self.host(&key);
        let mut state = host.robots.lock().await;
        let last_known = match state.as_ref() {
            Some(RobotsState::Known { at, rules })
                if at.elapsed() < self.config.robots_max_age.min(MAX_ROBOTS_AGE) =>
            {
                return Ok(Arc::clone(rules));
            }
            Some(RobotsState::Unavailable { until, last_known }) if Instant::now() < *until => {
                return match last_known {
                    Some(rules) => Ok(Arc::clone(rules)),
                    None => Err(unavailable(url)),
                };
            }
            Some(RobotsState::Known { rules, .. }) => Some(Arc::clone(rules)),
            Some(RobotsState::Unavailable { last_known, .. }) => last_known.clone(),
            None => None,
        };
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let req = FetchRequest {
            expect: Expect::Robots,
            ..FetchRequest::html(robots_url.as_str(), allow_loopback)
        };
        // robots.txt groups name a product token ("gazette"), not the full header.
        let agent = robots::product_token(&self.config.user_agent);
        // Redirects are followed through `fetch` (with each hop's host's spacing); the rules
        // found apply to this host (RFC 9309, 2.3.1.2). Boxed: `fetch` can call back here.
        let fetched = Box::pin(self.fetch(fetcher, req, cancel)).await;
        let rules = match fetched {
            Ok(page) => RobotsRules::parse(agent, &page.body),
            Err(FetchError::Cancelled) => return Err(FetchError::Cancelled),
            Err(FetchError::Failed(error)) => match robots_failure(error.class()) {
                RobotsFailure::AllowAll => RobotsRules::allow_all(),
                RobotsFailure::Unreachable => {
                    tracing::warn!(host = key, %error, "robots.txt unavailable; host paused");
                    *state = Some(RobotsState::Unavailable {
                        until: Instant::now() + self.config.robots_unavailable_retry,
                        last_known: last_known.clone(),
                    });
                    return last_known.ok_or_else(|| unavailable(url));
                }
                // Nothing was learnt, so nothing is cached, and the host's pages wait.
                RobotsFailure::NotAsked => return last_known.ok_or_else(|| unavailable(url)),
            },
        };
        if let Some(delay) = rules.crawl_delay() {
            let crawl_delay = Duration::try_from_secs_f32(delay)
                .unwrap_or(MAX_CRAWL_DELAY)
                .min(MAX_CRAWL_DELAY);
            let mut times = host.times.lock().unwrap_or_else(|e| e.into_inner());
            times.delay = self.config.delay.max(crawl_delay);
        }
        let rules = Arc::new(rules);
        *state = Some(RobotsState::Known {
            at: Instant::now(),
            rules: Arc::clone(&rules),
        });
        Ok(rules)
    }
}

/// What a failed robots.txt fetch means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RobotsFailure {
    /// No usable file (a 4xx, too many redirects, a body that is not text): everything is
    /// allowed (RFC 9309, 2.3.1.3).
    AllowAll,
    /// The server is unreachable (a 5xx, no answer, or a 429 asking us to come back later):
    /// the host is disallowed for a while (RFC 9309, 2.3.1.4).
    Unreachable,
    /// The request was never sent (the host's breaker is open): nothing is known yet.
    NotAsked,
}

/// The one reading of a failed robots.txt fetch, from the failure's class.
fn robots_failure(class: FailureClass) -> RobotsFailure {
    match class {
        FailureClass::Timeout
        | FailureClass::Connect
        | FailureClass::Transport
        | FailureClass::ServerError { .. }
        | FailureClass::RateLimited { .. }
        // A challenge in place of robots.txt says nothing about what is allowed, and the
        // host is turning us away anyway: treat it as unreachable, so the host waits.
        | FailureClass::Challenged => RobotsFailure::Unreachable,
        FailureClass::Refused(Refusal::Breaker) => RobotsFailure::NotAsked,
        FailureClass::Protocol
        | FailureClass::ClientError { .. }
        | FailureClass::Redirect
        | FailureClass::ContentType
        | FailureClass::TooLarge
        | FailureClass::Refused(
            Refusal::BadUrl | Refusal::Address | Refusal::Robots | Refusal::RobotsUnavailable,
        )
        | FailureClass::Internal => RobotsFailure::AllowAll,
    }
}

fn unavailable(url: &Url) -> FetchError {
    FetchError::Failed(WorkerError::RobotsUnavailable {
        url: url.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_failures_follow_rfc_9309() {
        let cases = [
            (
                FailureClass::ClientError { status: 404 },
                RobotsFailure::AllowAll,
            ),
            (
                FailureClass::ClientError { status: 403 },
                RobotsFailure::AllowAll,
            ),
            (FailureClass::Redirect, RobotsFailure::AllowAll),
            (FailureClass::ContentType, RobotsFailure::AllowAll),
            (
                FailureClass::ServerError {
                    status: 503,
                    retry_after: None,
                },
                RobotsFailure::Unreachable,
            ),
            (
                FailureClass::RateLimited { retry_after: None },
                RobotsFailure::Unreachable,
            ),
            (FailureClass::Timeout, RobotsFailure::Unreachable),
            (FailureClass::Connect, RobotsFailure::Unreachable),
            // An open breaker must not pass for "no robots.txt": that would allow everything.
            (
                FailureClass::Refused(Refusal::Breaker),
                RobotsFailure::NotAsked,
            ),
        ];
        for (class, want) in cases {
            assert_eq!(robots_failure(class), want, "{class:?}");
        }
    }
}
