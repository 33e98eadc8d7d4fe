//! Crawl benchmark: a local site of 10,000 notice pages (100 list pages of 100 links), crawled
//! with politeness off into a fresh store; reports pages/s and peak RSS (VmHWM).
//!
//! - `cargo bench -p gazette-worker --bench crawl` serves the site from a child process (so the
//!   figures are the crawler's alone) and crawls it.
//! - `crawl --serve` serves the site on 127.0.0.1 and prints its base URL (used by
//!   `crawl-vs-scrapy.sh` so that Scrapy and gazette crawl the same server).
//! - `crawl --crawl URL` crawls a site served elsewhere.

use axum::http::{Uri, header};
use axum::response::IntoResponse;
use gazette_store::SledStore;
use gazette_store::prelude::*;
use gazette_worker::{Crawler, CrawlerConfig, Pagination, SourceConfig};
use std::io::{BufRead as _, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const LIST_PAGES: usize = 100;
const PER_LIST: usize = 100;
const PAGES: usize = LIST_PAGES * PER_LIST;
const NOTICE_TEXT: &str = include_str!("../../src/demo/qinghe-district.txt");
/// 巡察整改通报, "rectification notice": the link text of every notice link.
const LINK_TEXT: &str = "巡察整改通报";
/// 临江区, the sample notice's district, renamed per page so every page is a distinct notice.
const DISTRICT: &str = "临江区";

fn notice_html(n: usize) -> String {
    let text = NOTICE_TEXT.replace(DISTRICT, &format!("临江{n}区"));
    let title = text.lines().next().unwrap_or_default();
    let body: String = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{l}</p>\n"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><div class=\"nav\"><a href=\"/\">首页</a></div><div class=\"article\"><h1>{title}</h1>\n{body}</div></body></html>"
    )
}

fn list_html(page: usize) -> String {
    let links: String = (0..PER_LIST)
        .map(|i| {
            format!(
                "<li><a href=\"/n/{}.html\">{LINK_TEXT}</a></li>\n",
                (page - 1) * PER_LIST + i
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><ul>{links}</ul></body></html>"
    )
}

async fn serve(listener: tokio::net::TcpListener) {
    let app = axum::Router::new().fallback(|uri: Uri| async move {
        let path = uri.path();
        let number = |prefix: &str| {
            path.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(".html"))
                .and_then(|n| n.parse::<usize>().ok())
        };
        let html = match (number("/n/"), number("/list_")) {
            (Some(n), _) if n < PAGES => notice_html(n),
            (_, Some(p)) if (1..=LIST_PAGES).contains(&p) => list_html(p),
            _ => return axum::http::StatusCode::NOT_FOUND.into_response(),
        };
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
    });
    if let Err(error) = axum::serve(listener, app).await {
        eprintln!("site stopped: {error}");
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn crawl(base: &str) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SledStore::open(dir.path())?);
    // Politeness off: this is our own site on loopback.
    let config = CrawlerConfig {
        delay: Duration::ZERO,
        per_host_concurrency: 8,
        global_concurrency: 64,
        respect_robots: false,
        ..CrawlerConfig::default()
    };
    let crawler = Crawler::new(config, Arc::clone(&store) as Arc<dyn Store>)?;
    let source = SourceConfig {
        name: "bench".into(),
        start_urls: vec![format!("{base}/list_1.html")],
        notice_url_pattern: r"/n/\d+\.html$".into(),
        max_pages: PAGES,
        use_sitemaps: false,
        allow_loopback: true,
        pagination: Pagination {
            url_template: Some(format!("{base}/list_{{n}}.html")),
            template_start: 2,
            max_list_pages: LIST_PAGES,
            ..Pagination::default()
        },
        ..SourceConfig::default()
    };
    let started = Instant::now();
    let report = crawler
        .crawl_once(&source, &CancellationToken::new())
        .await?;
    let elapsed = started.elapsed();
    store.flush()?;
    let pages = report.pages_fetched + report.list_pages;
    println!(
        "gazette: {pages} pages ({} notice pages, {} notices, {} failures) in {:.2}s = {:.0} pages/s, peak RSS {} MiB",
        report.pages_fetched,
        report.notices_new,
        report.failures.len(),
        elapsed.as_secs_f64(),
        pages as f64 / elapsed.as_secs_f64(),
        peak_rss_kib() / 1024
    );
    if report.pages_fetched != PAGES {
        return Err(format!("expected {PAGES} notice pages: {report:?}").into());
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--serve") => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            println!("http://{}", listener.local_addr()?);
            std::io::stdout().flush()?;
            serve(listener).await;
            Ok(())
        }
        Some("--crawl") => {
            let base = args.get(1).ok_or("--crawl needs the site's base URL")?;
            crawl(base).await
        }
        // `cargo bench` passes `--bench`; anything else runs the whole benchmark.
        Some(_) | None => {
            let exe = std::env::current_exe()?;
            let mut site = std::process::Command::new(exe)
                .arg("--serve")
                .stdout(std::process::Stdio::piped())
                .spawn()?;
            let stdout = site.stdout.take().ok_or("no stdout from the site")?;
            let mut base = String::new();
            std::io::BufReader::new(stdout).read_line(&mut base)?;
            let result = crawl(base.trim()).await;
            site.kill()?;
            site.wait()?;
            result
        }
    }
}
