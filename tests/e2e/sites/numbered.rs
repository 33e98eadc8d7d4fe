//! A plain site of many numbered notices, for crawls that must be interrupted part-way: list
//! page `p` (`/list/{p}.html`) links notices `p * PER_LIST ..` (`/n/{n}.html`), and notice `n`
//! is the demo's sample notice with its district renamed, so that every page carries a
//! notice of its own (notice ids come from the organisation and title).

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::IntoResponse;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// Notices linked from each list page.
pub(crate) const PER_LIST: usize = 50;
/// 巡察整改通报, "rectification notice": the link text of every notice link.
pub(crate) const LINK_TEXT: &str = "巡察整改通报";
const NOTICE_TEXT: &str = include_str!("../../../src/demo/qinghe-district.txt");
/// The district of the sample notice, renamed per page.
const DISTRICT: &str = "临江区";

/// Notice `n`, its district named `{prefix}{n}区`.
pub(crate) fn notice_html(prefix: &str, n: usize) -> String {
    let text = NOTICE_TEXT.replace(DISTRICT, &format!("{prefix}{n}区"));
    let title = text.lines().next().unwrap_or_default();
    let body: String = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{l}</p>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><div class=\"article\"><h1>{title}</h1>{body}</div></body></html>"
    )
}

/// List page `page`.
pub(crate) fn list_html(page: usize) -> String {
    let links: String = (0..PER_LIST)
        .map(|i| {
            format!(
                "<li><a href=\"/n/{}.html\">{LINK_TEXT}</a></li>",
                page * PER_LIST + i
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><ul>{links}</ul></body></html>"
    )
}

/// Who fetched each path, in order (by the request's User-Agent; empty when it sent none).
pub(crate) type Hits = Arc<Mutex<HashMap<String, Vec<String>>>>;

/// The site served on 127.0.0.1 (port 0), recording every request.
pub(crate) struct NumberedSite {
    pub(crate) addr: SocketAddr,
    pub(crate) hits: Hits,
    /// Notified once the given number of distinct notice pages have been served (to anyone),
    /// the point at which a test interrupts its crawl.
    pub(crate) reached: Arc<Notify>,
}

impl NumberedSite {
    /// Serves the site with its notices' districts named `{prefix}{n}区`; [`Self::reached`]
    /// is notified once `notices` distinct notice pages have been served.
    pub(crate) async fn start(prefix: &'static str, notices: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let hits: Hits = Arc::default();
        let reached = Arc::new(Notify::new());
        let (log, signal) = (Arc::clone(&hits), Arc::clone(&reached));
        let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
            let (hits, reached) = (Arc::clone(&log), Arc::clone(&signal));
            async move {
                let path = uri.path().to_owned();
                let agent = headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let served_notices = {
                    let mut hits = hits.lock().expect("lock");
                    hits.entry(path.clone()).or_default().push(agent);
                    hits.keys().filter(|p| p.starts_with("/n/")).count()
                };
                if served_notices >= notices {
                    reached.notify_one();
                }
                let number = |prefix: &str| {
                    path.strip_prefix(prefix)
                        .and_then(|rest| rest.strip_suffix(".html"))
                        .and_then(|n| n.parse::<usize>().ok())
                };
                let html = if let Some(n) = number("/n/") {
                    notice_html(prefix, n)
                } else if let Some(p) = number("/list_") {
                    list_html(p)
                } else {
                    return StatusCode::NOT_FOUND.into_response();
                };
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Self {
            addr,
            hits,
            reached,
        }
    }

    /// `http://{addr}`, the prefix of every URL of the site.
    pub(crate) fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A crawler configuration of one source, `local`, crawling the site at `base` through its
/// first `list_pages` list pages (so `list_pages * PER_LIST` notice pages) without delay, with
/// at most `per_host_concurrency` requests in flight; `interval` schedules the source when
/// the process runs on schedules.
pub(crate) fn crawl_config(
    base: &str,
    list_pages: usize,
    per_host_concurrency: usize,
    interval: Option<&str>,
) -> String {
    let pages = list_pages * PER_LIST;
    let interval = interval.map_or(String::new(), |i| format!("interval = \"{i}\"\n"));
    format!(
        r#"[crawler]
delay = "0s"
per_host_concurrency = {per_host_concurrency}
retry_base = "10ms"

[[source]]
name = "local"
start_urls = ["{base}/list_0.html"]
notice_url_pattern = '/n/\d+\.html$'
max_pages = {pages}
use_sitemaps = false
allow_loopback = true
{interval}
[source.pagination]
url_template = "{base}/list_{{n}}.html"
template_start = 1
max_list_pages = {list_pages}
"#
    )
}
