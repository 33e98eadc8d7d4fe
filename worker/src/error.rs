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
    },
    /// The body exceeded the configured limit.
    #[error("fetching {url}: body larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
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

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, WorkerError>;
