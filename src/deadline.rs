//! A tower layer that ends a call with DEADLINE_EXCEEDED when it outlives the server's
//! `request_timeout` or the client's shorter `grpc-timeout`.
//!
//! tonic's own timeout (`Server::timeout`, and its handling of `grpc-timeout`) answers an
//! expired call with CANCELLED, which tells a client that *it* gave up and breaks retry
//! policies keyed on DEADLINE_EXCEEDED. This layer runs inside tonic's timer, on the same
//! deadline less [`MARGIN`], so it always answers first; tonic's timer stays as a backstop.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{Layer, Service};

/// How much earlier than tonic's timer this layer fires. tokio's timer has millisecond
/// resolution, so one tick ahead is enough to win the race deterministically.
const MARGIN: Duration = Duration::from_millis(1);

/// Adds [`Deadline`] around a service.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineLayer {
    limit: Duration,
}

impl DeadlineLayer {
    /// Calls may take `limit` at most (less when the client asks for less).
    pub fn new(limit: Duration) -> Self {
        Self { limit }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline {
            inner,
            limit: self.limit,
        }
    }
}

/// Answers DEADLINE_EXCEEDED for calls that outlive their deadline.
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
    limit: Duration,
}

/// Parses a `grpc-timeout` header value: at most 8 digits and a unit (H M S m u n).
fn grpc_timeout(value: &str) -> Option<Duration> {
    let (digits, unit) = value.split_at_checked(value.len().checked_sub(1)?)?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

impl<S, B, R> Service<http::Request<B>> for Deadline<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    R: Default,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = DeadlineCall<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let budget = request
            .headers()
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(grpc_timeout)
            .map_or(self.limit, |asked| asked.min(self.limit));
        DeadlineCall {
            inner: self.inner.call(request),
            sleep: tokio::time::sleep(budget.saturating_sub(MARGIN)),
            budget,
        }
    }
}

pin_project! {
    /// The response future of a call with a deadline.
    pub struct DeadlineCall<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: tokio::time::Sleep,
        budget: Duration,
    }
}

impl<F, R, E> Future for DeadlineCall<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
    R: Default,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let ready @ Poll::Ready(_) = this.inner.poll(cx) {
            return ready;
        }
        std::task::ready!(this.sleep.poll(cx));
        let status = tonic::Status::deadline_exceeded(format!(
            "the call did not finish within its deadline of {:?}",
            this.budget
        ));
        Poll::Ready(Ok(status.into_http()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse() {
        assert_eq!(grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(grpc_timeout("2S"), Some(Duration::from_secs(2)));
        assert_eq!(grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(grpc_timeout("5n"), Some(Duration::from_nanos(5)));
        for bad in ["", "m", "100", "123456789S", "1x", "-1S", "１S"] {
            assert_eq!(grpc_timeout(bad), None, "{bad}");
        }
    }
}
