//! A tower layer that counts every RPC by method and gRPC status code and records its latency.
//! It sits in front of all services, so one place emits the metric for each call.
//!
//! The `method` label comes from a closed set: the methods this server defines (gazette's,
//! health and both reflection versions, read from their descriptor sets), and [`UNKNOWN_METHOD`]
//! for every other path. A label taken from the request path as sent would let anyone grow
//! `/metrics` and the process without bound with made-up method names.
//!
//! tonic answers a failed unary call with a trailers-only response, whose `grpc-status` is a
//! header; a successful call carries it in the trailers. So a response without the header is
//! counted as OK.

use pin_project_lite::pin_project;
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Instant;
use tower::{Layer, Service};

/// The `method` label of every call to a path this server does not define.
pub const UNKNOWN_METHOD: &str = "unknown";

/// The encoded descriptor sets of every service the server defines.
fn descriptor_sets() -> [&'static [u8]; 4] {
    [
        gazette_proto::FILE_DESCRIPTOR_SET,
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
    ]
}

/// Every `package.Service/Method` the server defines, read once from the descriptor sets.
pub fn known_methods() -> &'static HashSet<String> {
    static KNOWN: OnceLock<HashSet<String>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        use prost::Message as _;
        let mut known = HashSet::new();
        for encoded in descriptor_sets() {
            // The sets are compiled in; one that does not decode only makes its calls "unknown".
            let Ok(set) = prost_types::FileDescriptorSet::decode(encoded) else {
                tracing::warn!("a compiled-in descriptor set does not decode");
                continue;
            };
            for file in &set.file {
                let package = file.package();
                for service in &file.service {
                    for method in &service.method {
                        let service = service.name();
                        let method = method.name();
                        known.insert(if package.is_empty() {
                            format!("{service}/{method}")
                        } else {
                            format!("{package}.{service}/{method}")
                        });
                    }
                }
            }
        }
        known
    })
}

/// The `method` label of a request path: the method itself when the server defines it,
/// [`UNKNOWN_METHOD`] otherwise.
pub fn method_label(path: &str) -> &'static str {
    known_methods()
        .get(path.strip_prefix('/').unwrap_or(path))
        .map_or(UNKNOWN_METHOD, String::as_str)
}

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
        let method = method_label(request.uri().path());
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
        method: &'static str,
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
        let labels = vec![
            metrics::Label::new("method", *this.method),
            metrics::Label::new("code", code),
        ];
        metrics::counter!("gazette_rpc_requests_total", labels.clone()).increment(1);
        metrics::histogram!("gazette_rpc_duration_seconds", labels)
            .record(this.started.elapsed().as_secs_f64());
        Poll::Ready(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_the_defined_methods() {
        for path in [
            "/gazette.v1.NoticeService/GetNotice",
            "/gazette.v1.CrawlService/IngestDocument",
            "/grpc.health.v1.Health/Check",
            "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
        ] {
            assert_eq!(method_label(path), &path[1..], "{path}");
        }
        for path in [
            "/gazette.v1.NoticeService/NoSuchMethod",
            "/gazette.v1.NoticeService/GetNotice/extra",
            "/x",
            "/",
            "",
            "/gazette.v1.NoticeService/getnotice",
        ] {
            assert_eq!(method_label(path), UNKNOWN_METHOD, "{path}");
        }
        let long = format!("/{}", "a".repeat(2048));
        assert_eq!(method_label(&long), UNKNOWN_METHOD);
    }
}
