//! The crawler's rules towards sites: robots.txt by RFC 9309, robots and spacing on redirect
//! targets' hosts, gzipped sitemaps and sitemap indexes, and `<lastmod>`.

use super::site::{Handler, Site, handler, html, list_page, notice_page};
use crate::{Harness, source, test_config};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gazette_store::prelude::*;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn list(links: &[&str]) -> (String, Handler) {
    let body = list_page(links);
    ("/list.html".into(), handler(move |_, _| html(body.clone())))
}

fn notice(path: &str) -> (String, Handler) {
    let marker = format!("<p>页面{path}</p>");
    (
        path.into(),
        handler(move |_, _| html(notice_page("utf-8", &marker))),
    )
}

fn text(body: impl Into<String>) -> Response {
    let body = body.into();
    ([(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

fn redirect(to: String) -> Handler {
    handler(move |_, _| (StatusCode::FOUND, [(header::LOCATION, to.clone())]).into_response())
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// A robots.txt answering 503 for its first three requests (one try and two retries), then
/// allowing everything.
fn failing_robots() -> (String, Handler) {
    (
        "/robots.txt".into(),
        handler(|n, _| {
            if n <= 3 {
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            } else {
                text("User-agent: *\nAllow: /\n")
            }
        }),
    )
}

#[tokio::test]
async fn robots_txt_server_errors_pause_the_host_until_the_retry_time() {
    let site = Site::start(vec![
        failing_robots(),
        list(&["/a.html"]),
        notice("/a.html"),
    ])
    .await;
    let mut config = test_config();
    config.robots_unavailable_retry = Duration::from_secs(3600);
    let h = Harness::new(config);
    let src = source(site.url("/list.html"));
    let first = h.crawl(&src).await;
    assert_eq!(site.hits("/robots.txt"), 3, "asked, then retried twice");
    assert_eq!(site.hits("/list.html"), 0, "nothing is fetched meanwhile");
    assert_eq!(first.left_pending, 1, "the list page waits: {first:?}");
    assert!(first.failures[0].contains("robots.txt"), "{first:?}");
    // Within the retry time robots.txt is not asked again and the host stays paused.
    let second = h.crawl(&src).await;
    assert!(second.resumed, "{second:?}");
    assert_eq!(site.hits("/robots.txt"), 3);
    assert_eq!(site.hits("/list.html"), 0);
}

#[tokio::test]
async fn robots_txt_is_asked_again_after_the_retry_time() {
    let site = Site::start(vec![
        failing_robots(),
        list(&["/a.html"]),
        notice("/a.html"),
    ])
    .await;
    let mut config = test_config();
    config.robots_unavailable_retry = Duration::ZERO;
    let h = Harness::new(config);
    let src = source(site.url("/list.html"));
    let first = h.crawl(&src).await;
    assert_eq!(first.left_pending, 1, "{first:?}");
    let second = h.crawl(&src).await;
    assert_eq!(
        site.hits("/robots.txt"),
        4,
        "asked again once the pause is over"
    );
    assert_eq!(second.notices_new, 1, "{second:?}");
    assert_eq!(site.hits("/a.html"), 1);
}

#[tokio::test]
async fn robots_txt_client_errors_allow_everything() {
    let site = Site::start(vec![
        (
            "/robots.txt".into(),
            handler(|_, _| StatusCode::FORBIDDEN.into_response()),
        ),
        list(&["/a.html"]),
        notice("/a.html"),
    ])
    .await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(report.notices_new, 1, "{report:?}");
    assert_eq!(
        site.hits("/robots.txt"),
        1,
        "a 4xx is an answer, not retried"
    );
}

/// A site whose robots.txt reaches its rules (disallowing /private/) after `hops` redirects.
async fn redirected_robots_site(hops: usize) -> Site {
    let mut routes = vec![
        list(&["/private/a.html", "/b.html"]),
        notice("/private/a.html"),
        notice("/b.html"),
        (
            format!("/hop{hops}.txt"),
            handler(|_, _| text("User-agent: *\nDisallow: /private/\n")),
        ),
    ];
    for hop in 0..hops {
        let from = if hop == 0 {
            "/robots.txt".to_owned()
        } else {
            format!("/hop{hop}.txt")
        };
        routes.push((from, redirect(format!("/hop{}.txt", hop + 1))));
    }
    Site::start(routes).await
}

#[tokio::test]
async fn robots_txt_redirects_are_followed_five_hops_whatever_the_page_limit() {
    let mut config = test_config();
    // Pages may follow one redirect; robots.txt still gets the five RFC 9309 asks for.
    config.max_redirects = 1;
    let site = redirected_robots_site(5).await;
    let h = Harness::new(config.clone());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(site.hits("/hop5.txt"), 1, "{report:?}");
    assert_eq!(site.hits("/private/a.html"), 0, "{report:?}");
    assert_eq!(site.hits("/b.html"), 1);
    // A sixth redirect makes robots.txt unavailable in the 4xx sense: everything allowed.
    let site = redirected_robots_site(6).await;
    let h = Harness::new(config);
    h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(site.hits("/hop6.txt"), 0);
    assert_eq!(site.hits("/private/a.html"), 1);
}

#[tokio::test]
async fn robots_txt_is_parsed_up_to_500_kib() {
    let mut robots = String::from("User-agent: *\nDisallow: /early/\n");
    while robots.len() < 1536 * 1024 {
        robots.push_str("# a long comment line that only pads the file out\n");
    }
    robots.push_str("Disallow: /late/\n");
    let site = Site::start(vec![
        (
            "/robots.txt".into(),
            handler(move |_, _| text(robots.clone())),
        ),
        list(&["/early/a.html", "/late/b.html"]),
        notice("/early/a.html"),
        notice("/late/b.html"),
    ])
    .await;
    // Larger than the body limit too: robots.txt is cut, not refused.
    let mut config = test_config();
    config.max_body_bytes = 1024 * 1024;
    let h = Harness::new(config);
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(site.hits("/early/a.html"), 0, "{report:?}");
    assert_eq!(
        site.hits("/late/b.html"),
        1,
        "a rule past 500 KiB is ignored"
    );
}

#[tokio::test]
async fn a_redirect_to_another_host_obeys_that_hosts_robots_txt() {
    let other = Site::start(vec![
        (
            "/robots.txt".into(),
            handler(|_, _| text("User-agent: *\nDisallow: /private/\n")),
        ),
        notice("/private/n.html"),
        notice("/open.html"),
    ])
    .await;
    let site = Site::start(vec![
        list(&["/go/1.html", "/go/2.html"]),
        ("/go/1.html".into(), redirect(other.url("/private/n.html"))),
        ("/go/2.html".into(), redirect(other.url("/open.html"))),
    ])
    .await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(other.hits("/robots.txt"), 1, "{report:?}");
    assert_eq!(other.hits("/private/n.html"), 0, "{report:?}");
    assert_eq!(other.hits("/open.html"), 1);
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert!(
        report.failures[0].contains("robots.txt disallows"),
        "{report:?}"
    );
    let stored = h
        .store
        .page(&site.url("/go/2.html"))
        .expect("read")
        .expect("stored under the URL asked for");
    assert_eq!(stored.final_url, other.url("/open.html"));
}

#[tokio::test]
async fn a_redirect_to_another_host_waits_that_hosts_crawl_delay() {
    let arrivals: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let page = |arrivals: &Arc<Mutex<Vec<Instant>>>| {
        let arrivals = Arc::clone(arrivals);
        handler(move |_, _| {
            arrivals.lock().expect("lock").push(Instant::now());
            html(notice_page("utf-8", ""))
        })
    };
    let other = Site::start(vec![
        (
            "/robots.txt".into(),
            handler(|_, _| text("User-agent: *\nCrawl-delay: 1\n")),
        ),
        ("/n1.html".into(), page(&arrivals)),
        ("/n2.html".into(), page(&arrivals)),
    ])
    .await;
    let site = Site::start(vec![
        list(&["/go/1.html", "/go/2.html"]),
        ("/go/1.html".into(), redirect(other.url("/n1.html"))),
        ("/go/2.html".into(), redirect(other.url("/n2.html"))),
    ])
    .await;
    let h = Harness::new(test_config());
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert!(report.failures.is_empty(), "{report:?}");
    let arrivals = arrivals.lock().expect("lock").clone();
    assert_eq!(arrivals.len(), 2, "{report:?}");
    // The second request was due a second after the first; its arrival can only be later,
    // bar the first's own transit.
    let gap = arrivals[1].duration_since(arrivals[0]);
    assert!(gap >= Duration::from_millis(900), "{gap:?}");
}

/// A sitemap `<urlset>` of `(loc, lastmod)` pairs.
fn urlset(entries: &[(String, Option<&str>)]) -> String {
    let urls: String = entries
        .iter()
        .map(|(loc, lastmod)| match lastmod {
            Some(m) => format!("<url><loc>{loc}</loc><lastmod>{m}</lastmod></url>"),
            None => format!("<url><loc>{loc}</loc></url>"),
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>"
    )
}

#[tokio::test]
async fn gzipped_sitemaps_and_sitemap_indexes_are_read() {
    // Pages are named by the site's own address, which is known only once it listens: a first
    // site serves the notices, a second one the sitemaps naming them.
    let pages = Site::start(vec![notice("/n1.html"), notice("/n2.html")]).await;
    let file = gzip(urlset(&[(pages.url("/n1.html"), None)]).as_bytes());
    let encoded = gzip(urlset(&[(pages.url("/n2.html"), None)]).as_bytes());
    let site = Site::start(vec![
        (
            "/robots.txt".into(),
            handler(|_, _| text("User-agent: *\nSitemap: /index.xml\n")),
        ),
        list(&[]),
        (
            "/index.xml".into(),
            handler(|_, _| {
                // Relative locations, which the protocol forbids but sites write.
                let index = "<?xml version=\"1.0\"?><sitemapindex>\
                    <sitemap><loc>/sm1.xml.gz</loc></sitemap>\
                    <sitemap><loc>/sm2.xml</loc></sitemap></sitemapindex>";
                ([(header::CONTENT_TYPE, "application/xml")], index).into_response()
            }),
        ),
        (
            // A .xml.gz file: gzip bytes, declared as such.
            "/sm1.xml.gz".into(),
            handler(move |_, _| {
                ([(header::CONTENT_TYPE, "application/x-gzip")], file.clone()).into_response()
            }),
        ),
        (
            // An XML sitemap sent with Content-Encoding: gzip.
            "/sm2.xml".into(),
            handler(move |_, _| {
                (
                    [
                        (header::CONTENT_TYPE, "application/xml"),
                        (header::CONTENT_ENCODING, "gzip"),
                    ],
                    encoded.clone(),
                )
                    .into_response()
            }),
        ),
    ])
    .await;
    let mut src = source(site.url("/list.html"));
    src.use_sitemaps = true;
    src.notice_url_pattern = r"/n\d\.html$".into();
    let h = Harness::new(test_config());
    let report = h.crawl(&src).await;
    assert!(report.failures.is_empty(), "{report:?}");
    assert_eq!(report.sitemaps, 3, "{report:?}");
    assert_eq!(pages.hits("/n1.html"), 1, "{report:?}");
    assert_eq!(pages.hits("/n2.html"), 1, "{report:?}");
}

#[tokio::test]
async fn lastmod_skips_pages_stored_since_and_fetches_newer_ones() {
    let pages = Site::start(vec![
        notice("/old.html"),
        notice("/new.html"),
        notice("/undated.html"),
    ])
    .await;
    let sitemap = urlset(&[
        (pages.url("/old.html"), Some("2001-02-03")),
        (pages.url("/new.html"), Some("2999-01-01T00:00:00+08:00")),
        (pages.url("/undated.html"), None),
    ]);
    let site = Site::start(vec![
        list(&[]),
        (
            "/sitemap.xml".into(),
            handler(move |_, _| {
                ([(header::CONTENT_TYPE, "application/xml")], sitemap.clone()).into_response()
            }),
        ),
    ])
    .await;
    let mut src = source(site.url("/list.html"));
    src.use_sitemaps = true;
    src.notice_url_pattern = r"\.html$".into();
    let h = Harness::new(test_config());
    let first = h.crawl(&src).await;
    assert_eq!(first.pages_fetched, 3, "nothing stored yet: {first:?}");
    let second = h.crawl(&src).await;
    assert_eq!(second.sitemap_unchanged, 1, "{second:?}");
    assert_eq!(pages.hits("/old.html"), 1, "unchanged since it was stored");
    assert_eq!(pages.hits("/new.html"), 2, "changed after it was stored");
    assert_eq!(pages.hits("/undated.html"), 2, "no date: asked again");
}

#[tokio::test]
async fn an_unreachable_robots_txt_keeps_the_last_rules_known() {
    // Rules on the first request, then server errors for good.
    let robots = handler(|n, _| {
        if n == 1 {
            text("User-agent: *\nDisallow: /private/\n")
        } else {
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    });
    let site = Site::start(vec![
        ("/robots.txt".into(), robots),
        list(&["/private/a.html", "/b.html"]),
        notice("/private/a.html"),
        notice("/b.html"),
    ])
    .await;
    let mut config = test_config();
    // Every page asks again, so each one after the list meets the failing robots.txt.
    config.robots_max_age = Duration::ZERO;
    config.robots_unavailable_retry = Duration::from_secs(3600);
    let h = Harness::new(config);
    let report = h.crawl(&source(site.url("/list.html"))).await;
    assert_eq!(
        site.hits("/robots.txt"),
        4,
        "the rules, then one try and two retries"
    );
    assert_eq!(site.hits("/private/a.html"), 0, "{report:?}");
    assert_eq!(site.hits("/b.html"), 1, "{report:?}");
    assert_eq!(report.left_pending, 0, "{report:?}");
}
