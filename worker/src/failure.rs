//! The one classification of a failed fetch. [`crate::WorkerError::class`] maps an error to a
//! [`FailureClass`] once; whether it is retried ([`FailureClass::retry`]), whether it counts
//! against the host's circuit breaker ([`FailureClass::is_host_failure`]) and how the metrics
//! label it ([`FailureClass::label`]) are all read from that class, so the three can never
//! disagree about what a failure was.

use std::borrow::Cow;
use std::time::Duration;

/// What kind of failure a fetch ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// No answer in time.
    Timeout,
    /// No connection (refused, reset, unreachable).
    Connect,
    /// The request or the body was cut short after connecting.
    Transport,
    /// An answer that HTTP could not make sense of (decoding, a malformed answer).
    Protocol,
    /// A 5xx: the server is failing.
    ServerError {
        /// The status.
        status: u16,
        /// The server's Retry-After (a 503 may send one).
        retry_after: Option<Duration>,
    },
    /// A 429: the server asks us to slow down.
    RateLimited {
        /// The server's Retry-After.
        retry_after: Option<Duration>,
    },
    /// Another non-success status (4xx, a redirect without a Location).
    ClientError {
        /// The status.
        status: u16,
    },
    /// A redirect loop, or more redirects than allowed.
    Redirect,
    /// The answer is not of the type asked for.
    ContentType,
    /// The body exceeded the size limit.
    TooLarge,
    /// The site answered with an anti-bot challenge instead of the page. Not retried (asking
    /// again at once only repeats the challenge); it counts towards the host's breaker, so a
    /// site that challenges every request is left alone for the breaker's cooldown.
    Challenged,
    /// We did not ask: the request was refused before it was sent.
    Refused(Refusal),
    /// Not a fetch failure (store, task, configuration).
    Internal,
}

/// Why a request was never sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The URL does not parse or is not http(s).
    BadUrl,
    /// The host resolves to a non-public address.
    Address,
    /// robots.txt disallows the URL.
    Robots,
    /// robots.txt could not be had, so the host is disallowed for now (RFC 9309, 2.3.1.4).
    RobotsUnavailable,
    /// The host's circuit breaker is open.
    Breaker,
}

/// Whether and how a failure is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Not worth asking again in this run.
    Never,
    /// Again after an exponential backoff with jitter.
    Backoff,
    /// Again after the server's own Retry-After.
    After(Duration),
}

impl FailureClass {
    /// Whether the request is worth repeating: transient transport failures, 5xx and 429.
    pub fn retry(self) -> Retry {
        match self {
            Self::ServerError {
                retry_after: Some(after),
                ..
            }
            | Self::RateLimited {
                retry_after: Some(after),
            } => Retry::After(after),
            Self::Timeout
            | Self::Connect
            | Self::Transport
            | Self::ServerError {
                retry_after: None, ..
            }
            | Self::RateLimited { retry_after: None } => Retry::Backoff,
            Self::Protocol
            | Self::ClientError { .. }
            | Self::Redirect
            | Self::ContentType
            | Self::TooLarge
            | Self::Challenged
            | Self::Refused(_)
            | Self::Internal => Retry::Never,
        }
    }

    /// True for failures that say the host is unwell: they count towards its circuit breaker
    /// and, for robots.txt, disallow the host for now (RFC 9309). A 429 is the host asking us
    /// to slow down, which Retry-After handles, not a sign that it is down.
    pub fn is_host_failure(self) -> bool {
        match self {
            Self::Timeout
            | Self::Connect
            | Self::Transport
            | Self::ServerError { .. }
            | Self::Challenged => true,
            Self::Protocol
            | Self::RateLimited { .. }
            | Self::ClientError { .. }
            | Self::Redirect
            | Self::ContentType
            | Self::TooLarge
            | Self::Refused(_)
            | Self::Internal => false,
        }
    }

    /// True when the server says the page does not exist (404, 410): for a guessed URL such
    /// as `/sitemap.xml` that is an answer, not a failure.
    pub fn is_missing(self) -> bool {
        matches!(self, Self::ClientError { status: 404 | 410 })
    }

    /// The `status` label of `gazette_pages_fetched_total` for this failure: the HTTP status
    /// when there was one, else why no answer came.
    pub fn label(self) -> Cow<'static, str> {
        let label = match self {
            Self::ServerError { status, .. } | Self::ClientError { status } => {
                return Cow::Owned(status.to_string());
            }
            Self::RateLimited { .. } => "429",
            Self::Timeout => "error_timeout",
            Self::Connect => "error_connect",
            Self::Transport | Self::Protocol => "error_http",
            Self::Redirect => "error_redirect",
            Self::ContentType => "error_content_type",
            Self::TooLarge => "error_too_large",
            Self::Challenged => "blocked",
            Self::Refused(Refusal::BadUrl) => "error_bad_url",
            Self::Refused(Refusal::Address) => "refused_address",
            Self::Refused(Refusal::Robots) => "refused_robots",
            Self::Refused(Refusal::RobotsUnavailable) => "refused_robots_unavailable",
            Self::Refused(Refusal::Breaker) => "refused_breaker",
            Self::Internal => "error_other",
        };
        Cow::Borrowed(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WorkerError;

    fn status(status: u16, retry_after: Option<Duration>) -> FailureClass {
        WorkerError::Status {
            url: "http://x/".into(),
            status,
            retry_after,
        }
        .class()
    }

    #[test]
    fn retry_breaker_and_label_read_one_class() {
        let cases = [
            // (class, retry, host failure, label)
            (status(503, None), Retry::Backoff, true, "503"),
            (
                status(503, Some(Duration::from_secs(4))),
                Retry::After(Duration::from_secs(4)),
                true,
                "503",
            ),
            (status(429, None), Retry::Backoff, false, "429"),
            (
                status(429, Some(Duration::from_secs(1))),
                Retry::After(Duration::from_secs(1)),
                false,
                "429",
            ),
            (status(404, None), Retry::Never, false, "404"),
            (status(302, None), Retry::Never, false, "302"),
            (
                WorkerError::RobotsDisallowed { url: "u".into() }.class(),
                Retry::Never,
                false,
                "refused_robots",
            ),
            (
                WorkerError::RobotsUnavailable { url: "u".into() }.class(),
                Retry::Never,
                false,
                "refused_robots_unavailable",
            ),
            (
                WorkerError::CircuitOpen { host: "h".into() }.class(),
                Retry::Never,
                false,
                "refused_breaker",
            ),
            (
                WorkerError::TooLarge {
                    url: "u".into(),
                    limit: 1,
                }
                .class(),
                Retry::Never,
                false,
                "error_too_large",
            ),
            (
                WorkerError::RedirectLoop { url: "u".into() }.class(),
                Retry::Never,
                false,
                "error_redirect",
            ),
        ];
        for (class, retry, host, label) in cases {
            assert_eq!(class.retry(), retry, "{class:?}");
            assert_eq!(class.is_host_failure(), host, "{class:?}");
            assert_eq!(class.label(), label, "{class:?}");
        }
        assert!(status(410, None).is_missing());
        assert!(!status(500, None).is_missing());
    }
}
