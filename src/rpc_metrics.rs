//! A tower layer that counts every RPC by method and gRPC status code and records its latency.
//! It sits in front of all services, so one place emits the metric for each call.
//!
//! tonic answers a failed unary call with a trailers-only response, whose `grpc-status` is a
//! header; a successful call carries it in the trailers. So a response without the header is
//! counted as OK.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

/// Adds [`RpcMetrics`] around a service.
#[derive(Debug, Clone, Copy, Default)]
pub struct RpcMetricsLayer;

impl<S> Layer<S> for RpcMetricsLayer {
    type Service = RpcMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RpcMetrics { inner }
    }
}

/// Records `gazette_rpc_requests_total` and `gazette_rpc_duration_seconds`.
#[derive(Debug, Clone)]
pub struct RpcMetrics<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for RpcMetrics<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = RecordedCall<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let method = request.uri().path().trim_start_matches('/').to_owned();
        RecordedCall {
            inner: self.inner.call(request),
            method,
            started: Instant::now(),
        }
    }
}

pin_project! {
    /// The response future of a measured call.
    pub struct RecordedCall<F> {
        #[pin]
        inner: F,
        method: String,
        started: Instant,
    }
}

impl<F, R, E> Future for RecordedCall<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let output = std::task::ready!(this.inner.poll(cx));
        let code = match &output {
            Ok(response) => response
                .headers()
                .get("grpc-status")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<i32>().ok())
                .map(|c| format!("{:?}", tonic::Code::from_i32(c)))
                .unwrap_or_else(|| "Ok".to_owned()),
            Err(_) => "TransportError".to_owned(),
        };
        let labels = [("method", std::mem::take(this.method)), ("code", code)];
        metrics::counter!("gazette_rpc_requests_total", &labels).increment(1);
        metrics::histogram!("gazette_rpc_duration_seconds", &labels)
            .record(this.started.elapsed().as_secs_f64());
        Poll::Ready(output)
    }
}
