//! Each fault of a misbehaving site ends in the right outcome, and never stalls the crawl.

use super::site::{Handler, NOTICE_PHRASE, Site, endless, handler, html, list_page, notice_page};
use crate::{Harness, source, test_config};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use futures::FutureExt as _;
use gazette_store::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn list(links: &[&str]) -> (String, Handler) {
    let body = list_page(links);
    ("/list.html".into(), handler(move |_, _| html(body.clone())))
}

fn notice(path: &str) -> (String, Handler) {
    (path.into(), handler(|_, _| html(notice_page("utf-8", ""))))
}

#[tokio::test]
async fn a_slow_page_times_out_without_stalling_the_others() {
    let slow: Handler = Arc::new(|_, _| {
        async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            html(notice_page("utf-8", ""))
        }
        .boxed()
    });
    let site = Site::start(vec![
        list(&["/slow.html", "/fast.html"]),
        ("/slow.html".into(), slow),
        notice("/fast.html"),
    ])
    .await;
    let mut config = test_config();
    config.per_host_concurrency = 2;
    let h = Harness::new(config);
    let started = Instant::now();
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert!(started.elapsed() < Duration::from_secs(10), "{report:?}");
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert!(report.failures[0].contains("slow.html"), "{report:?}");
    assert_eq!(site.hits("/slow.html"), 3, "one try and two retries");
    assert!(
        h.store
            .page(&site.url("/fast.html"))
            .expect("read")
            .is_some()
    );
    assert!(
        h.store
            .page(&site.url("/slow.html"))
            .expect("read")
            .is_none()
    );
}

#[tokio::test]
async fn server_errors_are_retried_until_success() {
    let flaky = handler(|n, _| {
        if n <= 2 {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        } else {
            html(notice_page("utf-8", ""))
        }
    });
    let site = Site::start(vec![list(&["/n.html"]), ("/n.html".into(), flaky)]).await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert!(report.failures.is_empty(), "{report:?}");
    assert_eq!(site.hits("/n.html"), 3);
    assert_eq!(report.pages_fetched, 1);
    assert!(report.notices_new >= 1, "{report:?}");
}

#[tokio::test]
async fn connection_resets_are_retried_then_reported() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            // Linger 0 turns the close into a TCP reset.
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    let mut config = test_config();
    config.respect_robots = false;
    let h = Harness::new(config);
    let report = h.crawl(&source(format!("http://{addr}/list.html"))).await;
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert_eq!(report.list_pages, 0);
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        3,
        "one try and two retries"
    );
}

#[tokio::test]
async fn a_redirect_loop_is_caught() {
    let to = |target: &'static str| {
        handler(move |_, _| (StatusCode::FOUND, [(header::LOCATION, target)]).into_response())
    };
    let site = Site::start(vec![
        list(&["/a.html"]),
        ("/a.html".into(), to("/b.html")),
        ("/b.html".into(), to("/a.html")),
    ])
    .await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert!(report.failures[0].contains("redirect loop"), "{report:?}");
    assert_eq!(site.hits("/a.html"), 1, "a loop is not retried");
}

#[tokio::test]
async fn a_huge_body_is_refused_without_reading_it_all() {
    const HUNDRED_MB: u64 = 100 * 1024 * 1024;
    let site_streamed = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let produced = Arc::clone(&site_streamed);
    let big = handler(move |_, _| endless(HUNDRED_MB, Arc::clone(&produced)));
    let declared_produced = Arc::clone(&site_streamed);
    let declared = handler(move |_, _| {
        let mut response = endless(HUNDRED_MB, Arc::clone(&declared_produced));
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HUNDRED_MB.into());
        response
    });
    let site = Site::start(vec![
        list(&["/big.html", "/declared.html"]),
        ("/big.html".into(), big),
        ("/declared.html".into(), declared),
    ])
    .await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(report.failures.len(), 2, "{report:?}");
    assert!(
        report
            .failures
            .iter()
            .all(|f| f.contains("body larger than")),
        "{report:?}"
    );
    let streamed = site_streamed.load(Ordering::Relaxed);
    assert!(
        streamed < 16 * 1024 * 1024,
        "read {streamed} bytes of 100 MB"
    );
    assert_eq!(site.hits("/big.html"), 1, "too large is not retried");
}

#[tokio::test]
async fn a_wrongly_declared_charset_still_decodes() {
    let gbk = handler(|_, _| {
        // GBK bytes under a UTF-8 header and meta, as some CMSs serve them.
        let page = notice_page("utf-8", "");
        let (bytes, _, _) = encoding_rs::GBK.encode(&page);
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            bytes.into_owned(),
        )
            .into_response()
    });
    let site = Site::start(vec![list(&["/gbk.html"]), ("/gbk.html".into(), gbk)]).await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert!(report.failures.is_empty(), "{report:?}");
    let page = h
        .store
        .page(&site.url("/gbk.html"))
        .expect("read")
        .expect("stored");
    let text = page.clean.expect("cleaned").text;
    assert!(text.contains(NOTICE_PHRASE), "{text}");
}

#[tokio::test]
async fn robots_txt_disallow_is_obeyed() {
    let robots = handler(|_, _| "User-agent: *\nDisallow: /private/\n".into_response());
    let site = Site::start(vec![
        ("/robots.txt".into(), robots),
        list(&["/private/n.html", "/public/n.html"]),
        notice("/private/n.html"),
        notice("/public/n.html"),
    ])
    .await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(site.hits("/private/n.html"), 0);
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert!(
        report.failures[0].contains("robots.txt disallows"),
        "{report:?}"
    );
    assert!(
        h.store
            .page(&site.url("/public/n.html"))
            .expect("read")
            .is_some()
    );
    assert_eq!(site.hits("/robots.txt"), 1, "robots.txt is cached");
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after() {
    let limited = handler(|n, _| {
        if n == 1 {
            (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")]).into_response()
        } else {
            html(notice_page("utf-8", ""))
        }
    });
    let site = Site::start(vec![list(&["/n.html"]), ("/n.html".into(), limited)]).await;
    let h = Harness::new(test_config());
    let started = Instant::now();
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert!(report.failures.is_empty(), "{report:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(site.hits("/n.html"), 2);
}

#[tokio::test]
async fn a_page_that_is_not_a_notice_is_kept_with_its_error() {
    // 今天天气很好: "the weather is fine today", a page with no notice in it.
    let other = handler(|_, _| html("<html><body><p>今天天气很好</p></body></html>"));
    let site = Site::start(vec![list(&["/other.html"]), ("/other.html".into(), other)]).await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(report.pages_with_errors, 1, "{report:?}");
    assert_eq!(report.notices_new, 0);
    let page = h
        .store
        .page(&site.url("/other.html"))
        .expect("read")
        .expect("kept");
    assert_eq!(
        page.error.as_deref(),
        Some(gazette_pipeline::NO_NOTICE),
        "{page:?}"
    );
    assert!(page.body_stored);
}

#[tokio::test]
async fn a_crawled_page_is_stored_as_the_shared_pipeline_prepares_its_bytes() {
    let body = notice_page("utf-8", "<p>附件：无</p>");
    let served = body.clone();
    let site = Site::start(vec![
        list(&["/n.html"]),
        ("/n.html".into(), handler(move |_, _| html(served.clone()))),
    ])
    .await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(report.notices_new, 1, "{report:?}");
    let stored = h
        .store
        .page(&site.url("/n.html"))
        .expect("read")
        .expect("stored");
    // What IngestDocument and ReparseAll also go through, given the same bytes.
    let expected = gazette_pipeline::prepare(
        gazette_pipeline::Document {
            url: stored.url.clone(),
            final_url: stored.final_url.clone(),
            status: 200,
            content_type: stored.content_type.clone(),
            fetched_at_ms: stored.fetched_at_ms,
            body: body.into_bytes(),
            ..gazette_pipeline::Document::default()
        },
        &gazette_pipeline::Reading::default(),
    );
    assert_eq!(stored.clean, expected.page.clean);
    assert_eq!(stored.error, expected.page.error);
    assert_eq!(stored.content_sha256, expected.page.content_sha256);
    assert_eq!(stored.notice_ids.len(), expected.notices.len());
}

#[tokio::test]
async fn wrong_content_types_and_loopback_without_permission_are_refused() {
    let pdf = handler(|_, _| ([(header::CONTENT_TYPE, "application/pdf")], "%PDF").into_response());
    let site = Site::start(vec![list(&["/a.pdf.html"]), ("/a.pdf.html".into(), pdf)]).await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert!(
        report.failures[0].contains("unwanted content type"),
        "{report:?}"
    );
    let mut strict = source(site.url("/list.html"));
    strict.allow_loopback = false;
    let before = site.hits("/list.html");
    let report = h.crawl(&strict).await;
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.contains("non-public address")),
        "{report:?}"
    );
    assert_eq!(site.hits("/list.html"), before);
}

#[tokio::test]
async fn a_dead_site_does_not_hold_up_another_source() {
    let hang: Handler = Arc::new(|_, _| {
        async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            html("")
        }
        .boxed()
    });
    let dead = Site::start(vec![
        ("/list.html".into(), Arc::clone(&hang)),
        ("/robots.txt".into(), hang),
    ])
    .await;
    let good = Site::start(vec![list(&["/n.html"]), notice("/n.html")]).await;
    let h = Harness::new(test_config());
    let (dead_source, mut good_source) = (
        source(dead.url("/list.html")),
        source(good.url("/list.html")),
    );
    good_source.name = "good".into();
    let started = Instant::now();
    let dead_run = async {
        let report = h.crawl(&dead_source).await;
        (report, started.elapsed())
    };
    let good_run = async {
        let report = h.crawl(&good_source).await;
        (report, started.elapsed())
    };
    let ((dead_report, dead_took), (good_report, good_took)) = tokio::join!(dead_run, good_run);
    assert!(good_report.failures.is_empty(), "{good_report:?}");
    assert_eq!(good_report.pages_fetched, 1);
    assert!(!dead_report.failures.is_empty(), "{dead_report:?}");
    assert!(
        good_took < dead_took,
        "good {good_took:?}, dead {dead_took:?}"
    );
    assert!(good_took < Duration::from_secs(1), "{good_took:?}");
}
