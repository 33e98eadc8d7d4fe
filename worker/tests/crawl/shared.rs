//! Crawlers sharing one store's frontier through leases: two crawlers on one run fetch each
//! page once between them, and the entries of a worker that stopped are taken over once its
//! leases expire.

use super::site::{Handler, Site, handler, html, list_page, notice_page};
use crate::{Harness, source, test_config};
use gazette_store::prelude::*;
use gazette_store::{FrontierEntry, FrontierKind, Lease};
use gazette_worker::Crawler;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A list page linking to `n` notice pages, each a notice of its own.
async fn site_with_notices(n: usize) -> Site {
    let paths: Vec<String> = (0..n).map(|i| format!("/n/{i}.html")).collect();
    let links: Vec<&str> = paths.iter().map(String::as_str).collect();
    let list = list_page(&links);
    let mut routes: Vec<(String, Handler)> =
        vec![("/list.html".into(), handler(move |_, _| html(list.clone())))];
    for (i, path) in paths.iter().enumerate() {
        let body = notice_page("utf-8", &format!("<p>第{i}页附记</p>"));
        routes.push((path.clone(), handler(move |_, _| html(body.clone()))));
    }
    Site::start(routes).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_crawlers_started_on_one_run_fetch_each_page_once_between_them() {
    const NOTICES: usize = 30;
    let site = site_with_notices(NOTICES).await;
    let h = Harness::new(test_config());
    let other = Crawler::new(test_config(), Arc::clone(&h.store) as Arc<dyn PageStore>)
        .expect("second crawler");
    assert_ne!(h.crawler.worker_id(), other.worker_id());
    let src = source(site.url("/list.html"));
    let cancel = CancellationToken::new();
    let (a, b) = tokio::join!(
        h.crawler.crawl_once(&src, &cancel),
        other.crawl_once(&src, &cancel)
    );
    let (a, b) = (a.expect("first crawler"), b.expect("second crawler"));
    assert_eq!(site.hits("/list.html"), 1, "{a:?} {b:?}");
    for i in 0..NOTICES {
        assert_eq!(
            site.hits(&format!("/n/{i}.html")),
            1,
            "page {i}: {a:?} {b:?}"
        );
    }
    assert_eq!(a.pages_fetched + b.pages_fetched, NOTICES, "{a:?} {b:?}");
    assert_eq!(a.list_pages + b.list_pages, 1, "{a:?} {b:?}");
    assert_eq!(
        h.store.page_count().expect("count"),
        NOTICES,
        "notice pages are stored, list pages are not"
    );
    assert_eq!(
        h.store.frontier_run("test").expect("run"),
        None,
        "the run ended"
    );
}

#[tokio::test]
async fn the_entries_of_a_stopped_worker_are_taken_over_when_its_lease_expires() {
    let site = site_with_notices(3).await;
    let h = Harness::new(test_config());
    let src = source(site.url("/list.html"));
    // A worker that began the run, claimed its list page and stopped without finishing it.
    let list = FrontierEntry {
        url: site.url("/list.html"),
        kind: FrontierKind::List,
        depth: 0,
        parent: None,
    };
    h.store
        .frontier_begin("test", &[list], 0, 100, 100)
        .expect("begin");
    let now = gazette_store::now_ms();
    let stopped = Lease {
        worker: "a-worker-that-stopped",
        now_ms: now,
        until_ms: now + 300,
    };
    let claim = h.store.frontier_claim("test", stopped, 10).expect("claim");
    assert_eq!(claim.entries.len(), 1);

    let report = h.crawl(&src).await;
    assert!(report.resumed, "{report:?}");
    assert_eq!(site.hits("/list.html"), 1, "{report:?}");
    for i in 0..3 {
        assert_eq!(
            site.hits(&format!("/n/{i}.html")),
            1,
            "page {i}: {report:?}"
        );
    }
    assert_eq!(
        (report.list_pages, report.pages_fetched),
        (1, 3),
        "{report:?}"
    );
    assert_eq!(
        h.store.frontier_run("test").expect("run"),
        None,
        "the run ended"
    );
}

#[tokio::test]
async fn progress_counts_what_is_queued_beyond_the_entries_claimed() {
    const NOTICES: usize = 12;
    let site = site_with_notices(NOTICES).await;
    let h = Harness::new(test_config());
    let seen: Arc<std::sync::Mutex<Vec<(usize, usize)>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let crawler =
        h.crawler
            .clone()
            .with_progress(Arc::new(move |p: gazette_worker::Progress<'_>| {
                sink.lock().expect("progress").push((p.done, p.known));
            }));
    crawler
        .crawl_once(&source(site.url("/list.html")), &CancellationToken::new())
        .await
        .expect("crawl");
    let seen = seen.lock().expect("progress").clone();
    // Once the list page is done, every notice page it queued is known, though only a few
    // are claimed at a time.
    assert_eq!(seen.first(), Some(&(1, NOTICES + 1)), "{seen:?}");
    assert_eq!(seen.last(), Some(&(NOTICES + 1, NOTICES + 1)), "{seen:?}");
}
