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
            .and_then(gazette_services::timeout::grpc_timeout)
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
