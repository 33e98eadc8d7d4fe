//! Worker errors. A failing page is recorded and skipped; only store errors stop a run.

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
    /// True for failures worth retrying: timeouts, connection errors, 5xx and 429.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Http { source, .. } => {
                source.is_timeout()
                    || source.is_connect()
                    || source.is_request()
                    || source.is_body()
            }
            Self::Status { status, .. } => *status == 429 || *status >= 500,
            Self::BadUrl { .. }
            | Self::ForbiddenAddress { .. }
            | Self::RedirectLoop { .. }
            | Self::TooManyRedirects { .. }
            | Self::ContentType { .. }
            | Self::RobotsDisallowed { .. }
            | Self::CircuitOpen { .. }
            | Self::TooLarge { .. }
            | Self::Blocked { .. }
            | Self::BadPattern { .. }
            | Self::BadCron { .. }
            | Self::Store(_)
            | Self::Task(_) => false,
        }
    }

    /// True for failures that say the host is unwell (they count towards its breaker); a 429
    /// is the host asking us to slow down, which Retry-After handles.
    pub fn is_host_failure(&self) -> bool {
        match self {
            Self::Status { status, .. } => *status >= 500,
            Self::Http { .. } => self.is_retryable(),
            // A host that challenges us is not unwell, but asking it on at full speed is
            // pointless: its breaker opens after as many challenges as failures.
            Self::Blocked { .. } => true,
            Self::BadUrl { .. }
            | Self::ForbiddenAddress { .. }
            | Self::RedirectLoop { .. }
            | Self::TooManyRedirects { .. }
            | Self::ContentType { .. }
            | Self::RobotsDisallowed { .. }
            | Self::CircuitOpen { .. }
            | Self::TooLarge { .. }
            | Self::BadPattern { .. }
            | Self::BadCron { .. }
            | Self::Store(_)
            | Self::Task(_) => false,
        }
    }

    /// The server's Retry-After, if it sent one.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            Self::Status { retry_after, .. } => *retry_after,
            Self::Http { .. }
            | Self::BadUrl { .. }
            | Self::ForbiddenAddress { .. }
            | Self::RedirectLoop { .. }
            | Self::TooManyRedirects { .. }
            | Self::ContentType { .. }
            | Self::RobotsDisallowed { .. }
            | Self::CircuitOpen { .. }
            | Self::TooLarge { .. }
            | Self::Blocked { .. }
            | Self::BadPattern { .. }
            | Self::BadCron { .. }
            | Self::Store(_)
            | Self::Task(_) => None,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, WorkerError>;
