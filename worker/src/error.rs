//! Worker errors. A failing page is recorded and skipped; only store errors stop a run. What a
//! failed fetch means for retries, the breaker and the metrics is decided once, by
//! [`WorkerError::class`] (see [`crate::failure`]).

use crate::failure::{FailureClass, Refusal};

/// What can go wrong fetching or storing.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The URL is not http(s) or does not parse.
    #[error("bad url {url:?}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The host resolves to a loopback, private or link-local address and the source does not
    /// allow that.
    #[error("refusing {url}: {host} resolves to a non-public address")]
    ForbiddenAddress {
        /// The URL.
        url: String,
        /// The host.
        host: String,
    },
    /// The request failed (DNS, connect, timeout, TLS, reset).
    #[error("fetching {url}: {source}")]
    Http {
        /// The URL.
        url: String,
        /// The reqwest error.
        source: reqwest::Error,
    },
    /// The server answered with a non-success status.
    #[error("fetching {url}: HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// The `Retry-After` delay of a 429 or 503.
        retry_after: Option<std::time::Duration>,
    },
    /// Redirects came back to a URL already visited.
    #[error("fetching {url}: redirect loop")]
    RedirectLoop {
        /// The URL.
        url: String,
    },
    /// More redirects than allowed.
    #[error("fetching {url}: more than {limit} redirects")]
    TooManyRedirects {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The response is not HTML or text (or XML for a sitemap).
    #[error("fetching {url}: unwanted content type {content_type:?}")]
    ContentType {
        /// The URL.
        url: String,
        /// The declared type.
        content_type: String,
    },
    /// robots.txt disallows the URL for our User-Agent.
    #[error("robots.txt disallows {url}")]
    RobotsDisallowed {
        /// The URL.
        url: String,
    },
    /// robots.txt could not be had (a 5xx or no connection): by RFC 9309 the whole host is
    /// disallowed until it can be fetched again.
    #[error("robots.txt of {url} unavailable; the host is not crawled for now")]
    RobotsUnavailable {
        /// The page's URL.
        url: String,
    },
    /// The host failed too often recently; its circuit breaker is open.
    #[error("circuit breaker open for {host}")]
    CircuitOpen {
        /// The host.
        host: String,
    },
    /// The source's cron expression does not parse.
    #[error("source {source_name}: invalid cron {cron:?}: {reason}")]
    BadCron {
        /// The source.
        source_name: String,
        /// The expression.
        cron: String,
        /// The parser's error.
        reason: String,
    },
    /// The source's time zone is not a known IANA name.
    #[error("source {source_name}: unknown timezone {timezone:?}")]
    BadTimeZone {
        /// The source.
        source_name: String,
        /// The name given.
        timezone: String,
    },
    /// The body exceeded the configured limit.
    #[error("fetching {url}: body larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The site answered with an anti-bot challenge instead of the page. It is never stored
    /// as the page; the host is backed off.
    #[error("{url}: blocked by an anti-bot challenge ({}, HTTP {status})", challenge.label())]
    Blocked {
        /// The URL.
        url: String,
        /// The HTTP status of the answer.
        status: u16,
        /// Which challenge it was.
        challenge: crate::blocked::Challenge,
    },
    /// The source's link pattern is not a valid regex.
    #[error("source {source_name}: invalid notice_url_pattern: {reason}")]
    BadPattern {
        /// The source.
        source_name: String,
        /// The regex error.
        reason: String,
    },
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] gazette_store::StoreError),
    /// A blocking task failed.
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl WorkerError {
    /// The one classification of this error, which retries, the breaker and the metrics read.
    pub fn class(&self) -> FailureClass {
        match self {
            Self::Http { source, .. } if source.is_timeout() => FailureClass::Timeout,
            Self::Http { source, .. } if source.is_connect() => FailureClass::Connect,
            Self::Http { source, .. } if source.is_request() || source.is_body() => {
                FailureClass::Transport
            }
            Self::Http { .. } => FailureClass::Protocol,
            Self::Status {
                status: 429,
                retry_after,
                ..
            } => FailureClass::RateLimited {
                retry_after: *retry_after,
            },
            Self::Status {
                status,
                retry_after,
                ..
            } if *status >= 500 => FailureClass::ServerError {
                status: *status,
                retry_after: *retry_after,
            },
            Self::Status { status, .. } => FailureClass::ClientError { status: *status },
            Self::RedirectLoop { .. } | Self::TooManyRedirects { .. } => FailureClass::Redirect,
            Self::ContentType { .. } => FailureClass::ContentType,
            Self::TooLarge { .. } => FailureClass::TooLarge,
            Self::Blocked { .. } => FailureClass::Challenged,
            Self::BadUrl { .. } => FailureClass::Refused(Refusal::BadUrl),
            Self::ForbiddenAddress { .. } => FailureClass::Refused(Refusal::Address),
            Self::RobotsDisallowed { .. } => FailureClass::Refused(Refusal::Robots),
            Self::RobotsUnavailable { .. } => FailureClass::Refused(Refusal::RobotsUnavailable),
            Self::CircuitOpen { .. } => FailureClass::Refused(Refusal::Breaker),
            Self::BadCron { .. }
            | Self::BadPattern { .. }
            | Self::BadTimeZone { .. }
            | Self::Store(_)
            | Self::Task(_) => FailureClass::Internal,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, WorkerError>;
