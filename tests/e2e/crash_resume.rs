//! SIGKILL in the middle of `gazette crawl --once`, then a rerun: every page is stored exactly
//! once, no page stored before the kill is fetched again, and no notice is duplicated.

use crate::sites::numbered::{PER_LIST, list_html, notice_html};
use axum::http::{Uri, header};
use axum::response::IntoResponse;
use gazette_store::SledStore;
use gazette_store::prelude::*;
use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

const LIST_PAGES: usize = 6;
const PAGES: usize = LIST_PAGES * PER_LIST;
/// Notice pages served before the first process is killed.
const KILL_AFTER: usize = 90;

type Hits = Arc<Mutex<HashMap<String, usize>>>;

async fn site(hits: Hits, reached: Arc<tokio::sync::Notify>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let (hits, reached) = (Arc::clone(&hits), Arc::clone(&reached));
        async move {
            let path = uri.path().to_owned();
            let served_notices = {
                let mut hits = hits.lock().expect("lock");
                *hits.entry(path.clone()).or_default() += 1;
                hits.keys().filter(|p| p.starts_with("/n/")).count()
            };
            if served_notices >= KILL_AFTER {
                reached.notify_one();
            }
            let number = |prefix: &str| {
                path.strip_prefix(prefix)
                    .and_then(|rest| rest.strip_suffix(".html"))
                    .and_then(|n| n.parse::<usize>().ok())
            };
            let html = if let Some(n) = number("/n/") {
                notice_html("临江", n)
            } else if let Some(p) = number("/list_") {
                list_html(p)
            } else {
                return axum::http::StatusCode::NOT_FOUND.into_response();
            };
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

fn crawl_command(config: &std::path::Path, data: &std::path::Path) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_gazette"));
    cmd.args(["crawl", "--once", "--config"])
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .env("GAZETTE_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    cmd
}

fn stored_urls(data: &std::path::Path, base: &str) -> (HashSet<String>, usize, usize) {
    let store = SledStore::open(data).expect("open store after the crawl");
    let mut urls = HashSet::new();
    let mut notice_ids = HashSet::new();
    let mut linked = 0;
    for n in 0..PAGES {
        let url = format!("{base}/n/{n}.html");
        if let Some(page) = store.page(&url).expect("read page") {
            linked += page.notice_ids.len();
            notice_ids.extend(page.notice_ids);
            urls.insert(url);
        }
    }
    let total = store
        .list_notices(gazette_store::NoticeOrder::FetchedDesc, None, 1, None)
        .expect("list notices")
        .total_matching;
    assert_eq!(
        notice_ids.len(),
        linked,
        "notice ids are distinct across pages"
    );
    (urls, total, notice_ids.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_crawl_resumes_without_refetching_or_duplicating() {
    let hits: Hits = Arc::default();
    let reached = Arc::new(tokio::sync::Notify::new());
    let addr = site(Arc::clone(&hits), Arc::clone(&reached)).await;
    let base = format!("http://{addr}");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = dir.path().join("gazette.toml");
    std::fs::write(
        &config,
        format!(
            r#"[crawler]
delay = "0s"
per_host_concurrency = 4
retry_base = "10ms"

[[source]]
name = "local"
start_urls = ["{base}/list_0.html"]
notice_url_pattern = '/n/\d+\.html$'
max_pages = {PAGES}
use_sitemaps = false
allow_loopback = true

[source.pagination]
url_template = "{base}/list_{{n}}.html"
template_start = 1
max_list_pages = {LIST_PAGES}
"#
        ),
    )
    .expect("write config");

    let mut first = crawl_command(&config, &data)
        .spawn()
        .expect("start gazette");
    tokio::select! {
        _ = reached.notified() => {}
        status = first.wait() => panic!("the crawl ended before it was killed: {status:?}"),
    }
    first.start_kill().expect("SIGKILL");
    let status = first.wait().await.expect("wait for the killed crawl");
    assert!(!status.success(), "killed, not finished");
    let (before, _, _) = stored_urls(&data, &base);
    assert!(
        before.len() < PAGES,
        "killed mid-crawl: {} stored",
        before.len()
    );
    println!("{} of {PAGES} pages stored before the kill", before.len());

    let second = crawl_command(&config, &data)
        .output()
        .await
        .expect("rerun gazette");
    let summary = String::from_utf8_lossy(&second.stdout);
    assert!(second.status.success(), "{summary}");
    assert!(summary.contains("resumed"), "{summary}");

    let (after, total_notices, distinct) = stored_urls(&data, &base);
    assert_eq!(after.len(), PAGES, "every page stored");
    assert_eq!(total_notices, distinct, "no duplicate notices");
    assert!(distinct >= PAGES, "each page yields its notice");
    let hits = hits.lock().expect("lock");
    for url in &before {
        let path = url.strip_prefix(&base).expect("same site");
        assert_eq!(
            hits.get(path),
            Some(&1),
            "{path} was stored before the kill"
        );
    }
    for n in 0..PAGES {
        let count = hits.get(&format!("/n/{n}.html")).copied().unwrap_or(0);
        assert!(
            (1..=2).contains(&count),
            "/n/{n}.html fetched {count} times"
        );
    }
}
