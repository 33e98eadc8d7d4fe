//! One status code for a message over `max_message_bytes`: RESOURCE_EXHAUSTED, as the gRPC
//! status code table prescribes for a message larger than the peer's limit, whichever way it
//! travels.
//!
//! tonic answers a request too large to decode, and a response too large to encode, with
//! OUT_OF_RANGE (and a request that only grows past the limit while it is decompressed with
//! RESOURCE_EXHAUSTED). This layer rewrites tonic's two OUT_OF_RANGE size answers, recognised
//! by the message tonic gives them, wherever the status travels: in the headers of a
//! trailers-only response (a request refused before the handler ran) or in the trailers after
//! the body (a response refused while it was being encoded). No handler of ours answers
//! OUT_OF_RANGE, and any other OUT_OF_RANGE passes unchanged.

use http::HeaderMap;
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// `grpc-status` of RESOURCE_EXHAUSTED.
const RESOURCE_EXHAUSTED: &str = "8";
/// How tonic's size refusals begin (`tonic::codec`, decoding and encoding).
const SIZE_MESSAGES: &[&str] = &[
    "Error, decoded message length too large",
    "Error, encoded message length too large",
];

/// Rewrites a size refusal in `headers` (headers or trailers) to RESOURCE_EXHAUSTED.
fn rewrite(headers: &mut HeaderMap) {
    // tonic's own reading of the status: the message is percent-encoded on the wire.
    let is_size_refusal = tonic::Status::from_header_map(headers).is_some_and(|status| {
        status.code() == tonic::Code::OutOfRange
            && SIZE_MESSAGES
                .iter()
                .any(|s| status.message().starts_with(s))
    });
    if is_size_refusal {
        headers.insert(
            "grpc-status",
            http::HeaderValue::from_static(RESOURCE_EXHAUSTED),
        );
    }
}

/// Adds [`MessageLimit`] around a service.
#[derive(Debug, Clone, Copy, Default)]
pub struct MessageLimitLayer;

impl<S> Layer<S> for MessageLimitLayer {
    type Service = MessageLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        MessageLimit { inner }
    }
}

/// Answers RESOURCE_EXHAUSTED for messages over the limit on both paths.
#[derive(Debug, Clone)]
pub struct MessageLimit<S> {
    inner: S,
}

impl<S, B, R> Service<http::Request<B>> for MessageLimit<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
{
    type Response = http::Response<LimitBody<R>>;
    type Error = S::Error;
    type Future = LimitCall<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        LimitCall {
            inner: self.inner.call(request),
        }
    }
}

pin_project! {
    /// The response future of [`MessageLimit`].
    pub struct LimitCall<F> {
        #[pin]
        inner: F,
    }
}

impl<F, R, E> Future for LimitCall<F>
where
    F: Future<Output = Result<http::Response<R>, E>>,
{
    type Output = Result<http::Response<LimitBody<R>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let response = std::task::ready!(self.project().inner.poll(cx))?;
        let (mut parts, body) = response.into_parts();
        rewrite(&mut parts.headers);
        Poll::Ready(Ok(http::Response::from_parts(
            parts,
            LimitBody { inner: body },
        )))
    }
}

pin_project! {
    /// A response body whose trailers get the same rewrite.
    pub struct LimitBody<B> {
        #[pin]
        inner: B,
    }
}

impl<B: Body> Body for LimitBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let frame = std::task::ready!(self.project().inner.poll_frame(cx));
        Poll::Ready(frame.map(|frame| {
            frame.map(|mut frame| {
                if let Some(trailers) = frame.trailers_mut() {
                    rewrite(trailers);
                }
                frame
            })
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: tonic::Code, message: &str) -> HeaderMap {
        tonic::Status::new(code, message)
            .into_http::<tonic::body::Body>()
            .headers()
            .clone()
    }

    #[test]
    fn only_size_refusals_change() {
        for message in [
            "Error, decoded message length too large: found 9 bytes, the limit is: 4 bytes",
            "Error, encoded message length too large: found 9 bytes, the limit is: 4 bytes",
        ] {
            let mut headers = status(tonic::Code::OutOfRange, message);
            rewrite(&mut headers);
            assert_eq!(headers["grpc-status"], RESOURCE_EXHAUSTED, "{message}");
        }
        for (code, message) in [
            (tonic::Code::OutOfRange, "page 9 is past the end"),
            (
                tonic::Code::InvalidArgument,
                "Error, decoded message length too large",
            ),
            (tonic::Code::Ok, ""),
        ] {
            let mut headers = status(code, message);
            let before = headers.clone();
            rewrite(&mut headers);
            assert_eq!(headers, before, "{message}");
        }
    }
}
