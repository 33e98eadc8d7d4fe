//! Incremental crawling: conditional requests, versions of changed pages, pagination and
//! sitemaps, and a run resumed after an interruption.

use super::site::{Handler, Site, handler, html, list_page, notice_page};
use crate::{Harness, source, test_config};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use gazette_store::prelude::*;
use gazette_worker::Pagination;

/// 下一页, "next page".
const NEXT_PAGE: &str = "下一页";
/// 修订, "revised": appended to make a changed version of the notice.
const REVISED: &str = "<p>（修订）</p>";

#[tokio::test]
async fn unchanged_pages_are_not_reparsed_and_changed_ones_keep_versions() {
    let page = handler(|n, headers| {
        let etag = if n <= 2 { "\"v1\"" } else { "\"v2\"" };
        if headers
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v.as_bytes() == etag.as_bytes())
        {
            return StatusCode::NOT_MODIFIED.into_response();
        }
        let extra = if n <= 2 { "" } else { REVISED };
        (
            [
                (header::ETAG, etag),
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            ],
            notice_page("utf-8", extra),
        )
            .into_response()
    });
    let list = list_page(&["/n.html"]);
    let site = Site::start(vec![
        ("/list.html".into(), handler(move |_, _| html(list.clone()))),
        ("/n.html".into(), page),
    ])
    .await;
    let h = Harness::new(test_config());
    let src = source(site.url("/list.html"));
    let first = h.crawl(&src).await;
    assert!(first.notices_new >= 1, "{first:?}");
    let second = h.crawl(&src).await;
    assert_eq!(second.pages_unchanged, 1, "{second:?}");
    assert_eq!((second.notices_new, second.notices_updated), (0, 0));
    let third = h.crawl(&src).await;
    assert_eq!(third.pages_unchanged, 0, "{third:?}");
    assert_eq!(site.hits("/n.html"), 3);
    let url = site.url("/n.html");
    let versions = h.store.page_versions(&url).expect("versions");
    assert_eq!(versions.len(), 1, "the first version is kept");
    let current = h.store.page(&url).expect("read").expect("stored");
    assert_eq!(current.etag.as_deref(), Some("\"v2\""));
    let old_body = h
        .store
        .page_body(&url, versions[0].fetched_at_ms)
        .expect("read")
        .expect("old body kept");
    assert!(!String::from_utf8_lossy(&old_body).contains("修订"));
}

#[tokio::test]
async fn next_links_and_templates_paginate() {
    let page1 = format!(
        "{}<a href=\"/list_2.html\">{NEXT_PAGE}</a>",
        list_page(&["/a.html"])
    );
    let page2 = list_page(&["/b.html"]);
    let routes: Vec<(String, Handler)> = vec![
        (
            "/list.html".into(),
            handler(move |_, _| html(page1.clone())),
        ),
        (
            "/list_2.html".into(),
            handler(move |_, _| html(page2.clone())),
        ),
        (
            "/a.html".into(),
            handler(|_, _| html(notice_page("utf-8", ""))),
        ),
        (
            "/b.html".into(),
            handler(|_, _| html(notice_page("utf-8", "<p>二</p>"))),
        ),
    ];
    let site = Site::start(routes).await;
    let h = Harness::new(test_config());
    let mut src = source(site.url("/list.html"));
    src.notice_url_pattern = r"/[ab]\.html$".into();
    let report = h.crawl(&src).await;
    assert!(report.failures.is_empty(), "{report:?}");
    assert_eq!(report.list_pages, 2, "{report:?}");
    for path in ["/a.html", "/b.html"] {
        assert!(
            h.store.page(&site.url(path)).expect("read").is_some(),
            "{path}"
        );
    }
    // The same site through a URL template instead of the next link.
    let h = Harness::new(test_config());
    src.pagination = Pagination {
        url_template: Some(site.url("/list_{n}.html")),
        template_start: 2,
        max_list_pages: 2,
        ..Pagination::default()
    };
    let report = h.crawl(&src).await;
    assert_eq!(report.list_pages, 2, "{report:?}");
    assert!(h.store.page(&site.url("/b.html")).expect("read").is_some());
}

#[tokio::test]
async fn sitemap_entries_matching_the_pattern_are_crawled() {
    let site = Site::start(vec![]).await;
    let sitemap = format!(
        "<?xml version=\"1.0\"?><urlset><url><loc>{}</loc></url><url><loc>{}</loc></url></urlset>",
        site.url("/c.html"),
        site.url("/other.html")
    );
    let robots = "User-agent: *\nAllow: /\nSitemap: /sm.xml\n";
    let site2 = Site::start(vec![
        ("/list.html".into(), handler(|_, _| html(list_page(&[])))),
        (
            "/robots.txt".into(),
            handler(move |_, _| robots.into_response()),
        ),
        (
            "/sm.xml".into(),
            handler(move |_, _| {
                ([(header::CONTENT_TYPE, "application/xml")], sitemap.clone()).into_response()
            }),
        ),
    ])
    .await;
    // The sitemap names pages of `site` (no routes: 404) — what matters is which are queued.
    let h = Harness::new(test_config());
    let mut src = source(site2.url("/list.html"));
    src.use_sitemaps = true;
    src.notice_url_pattern = r"/c\.html$".into();
    let report = h.crawl(&src).await;
    assert_eq!(report.sitemaps, 1, "{report:?}");
    assert_eq!(site.hits("/c.html"), 1, "{report:?}");
    assert_eq!(site.hits("/other.html"), 0);
}

#[tokio::test]
async fn an_interrupted_run_resumes_without_refetching() {
    let cancel = tokio_util::sync::CancellationToken::new();
    let paths: Vec<String> = (0..10).map(|i| format!("/n{i}.html")).collect();
    let links: Vec<&str> = paths.iter().map(String::as_str).collect();
    let list = list_page(&links);
    let mut routes: Vec<(String, Handler)> =
        vec![("/list.html".into(), handler(move |_, _| html(list.clone())))];
    for (i, path) in paths.iter().enumerate() {
        let stop = cancel.clone();
        routes.push((
            path.clone(),
            handler(move |_, _| {
                if i == 4 {
                    stop.cancel();
                }
                html(notice_page("utf-8", &format!("<p>{i}</p>")))
            }),
        ));
    }
    let site = Site::start(routes).await;
    let h = Harness::new(test_config());
    let src = source(site.url("/list.html"));
    let first = h.crawler.crawl_once(&src, &cancel).await.expect("crawl");
    assert!(first.cancelled, "{first:?}");
    assert_eq!(first.pages_fetched, 5, "the page in flight is finished");
    let second = h.crawl(&src).await;
    assert!(second.resumed, "{second:?}");
    assert_eq!(second.pages_fetched, 5, "{second:?}");
    assert_eq!(
        site.hits("/list.html"),
        1,
        "a finished list page is not fetched again"
    );
    for path in &paths {
        assert_eq!(site.hits(path), 1, "{path}");
        assert!(h.store.page(&site.url(path)).expect("read").is_some());
    }
    let third = h.crawl(&src).await;
    assert!(!third.resumed, "the resumed run finished");
}

#[tokio::test]
async fn a_failing_host_opens_its_breaker_and_keeps_its_pages_queued() {
    let paths: Vec<String> = (0..5).map(|i| format!("/n{i}.html")).collect();
    let links: Vec<&str> = paths.iter().map(String::as_str).collect();
    let list = list_page(&links);
    let mut routes: Vec<(String, Handler)> =
        vec![("/list.html".into(), handler(move |_, _| html(list.clone())))];
    for path in &paths {
        routes.push((
            path.clone(),
            handler(|_, _| StatusCode::SERVICE_UNAVAILABLE.into_response()),
        ));
    }
    let site = Site::start(routes).await;
    let mut config = test_config();
    config.max_retries = 0;
    config.breaker_threshold = 2;
    let h = Harness::new(config);
    let src = source(site.url("/list.html"));
    let report = h.crawl(&src).await;
    assert_eq!(report.left_pending, 3, "{report:?}");
    let served: usize = paths.iter().map(|p| site.hits(p)).sum();
    assert_eq!(served, 2, "no request while the breaker is open");
    let again = h.crawl(&src).await;
    assert!(again.resumed, "the queued pages wait for the next run");
}
