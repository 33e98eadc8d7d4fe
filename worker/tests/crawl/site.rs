//! A fault-injecting publication site on 127.0.0.1: each path answers through a handler that
//! sees how often it was hit, and every hit is counted per path.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use futures::FutureExt as _;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A sample notice (the project's demo text): title line, then paragraphs.
pub(crate) const NOTICE_TEXT: &str = include_str!("../../../src/demo/qinghe-district.txt");
/// A phrase of the sample notice's body, to find in cleaned text.
pub(crate) const NOTICE_PHRASE: &str = "市委第三巡察组";
/// 巡察整改通报, "rectification notice": link text the default keywords accept.
pub(crate) const LINK_TEXT: &str = "巡察整改通报";

/// What a handler gets: the hit number (1 for the first request to the path) and the request
/// headers.
pub(crate) type Handler =
    Arc<dyn Fn(usize, HeaderMap) -> BoxFuture<'static, Response> + Send + Sync>;

/// A running site.
pub(crate) struct Site {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Site {
    /// Serves `routes` (path → handler); other paths are 404.
    pub(crate) async fn start(routes: Vec<(String, Handler)>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let routes: Arc<HashMap<String, Handler>> = Arc::new(routes.into_iter().collect());
        let counter = Arc::clone(&hits);
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
            let (routes, counter) = (Arc::clone(&routes), Arc::clone(&counter));
            async move {
                let path = uri.path().to_owned();
                let n = {
                    let mut hits = counter.lock().expect("lock");
                    let n = hits.entry(path.clone()).or_default();
                    *n += 1;
                    *n
                };
                match routes.get(&path) {
                    Some(handler) => handler(n, headers).await,
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Self { addr, hits }
    }

    /// An absolute URL of the site.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests seen for `path`.
    pub(crate) fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .expect("lock")
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

/// A handler from a synchronous function of the hit number and headers.
pub(crate) fn handler(f: impl Fn(usize, HeaderMap) -> Response + Send + Sync + 'static) -> Handler {
    Arc::new(move |n, h| {
        let response = f(n, h);
        async move { response }.boxed()
    })
}

/// An HTML response.
pub(crate) fn html(body: impl Into<String>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

/// A list page linking to `links` with the notice link text.
pub(crate) fn list_page(links: &[&str]) -> String {
    let items: String = links
        .iter()
        .map(|href| format!("<li><a href=\"{href}\">{LINK_TEXT}</a></li>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>巡察整改</title></head><body><ul>{items}</ul></body></html>"
    )
}

/// A notice page around the sample notice, with `extra` appended to its body.
pub(crate) fn notice_page(charset: &str, extra: &str) -> String {
    let title = NOTICE_TEXT.lines().next().unwrap_or_default();
    let paragraphs: String = NOTICE_TEXT
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{l}</p>\n"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\">\
         <title>{title}</title></head><body><div class=\"article\"><h1>{title}</h1>\n{paragraphs}{extra}</div></body></html>"
    )
}

/// A body of `total` bytes streamed in 64 KiB chunks without a Content-Length; counts what it
/// produced into `produced`.
pub(crate) fn endless(total: u64, produced: Arc<AtomicU64>) -> Response {
    const CHUNK: usize = 64 * 1024;
    let stream = futures::stream::unfold(0u64, move |sent| {
        let produced = Arc::clone(&produced);
        async move {
            if sent >= total {
                return None;
            }
            produced.fetch_add(CHUNK as u64, Ordering::Relaxed);
            Some((
                Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; CHUNK])),
                sent + CHUNK as u64,
            ))
        }
    });
    (
        [(header::CONTENT_TYPE, "text/html")],
        Body::from_stream(stream),
    )
        .into_response()
}
