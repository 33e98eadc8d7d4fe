//! The crawler on sites in the styles of real publication CMSs (see `sites`): list mechanics
//! read from the list pages, notices published as attachments, and anti-bot challenges.

use crate::harness::{TOKEN, authed, finished_run};
use crate::sites::{self, FixtureSite, organisation};
use gazette::app::Application;
use gazette::settings::{Secret, Settings};
use gazette_proto::pb;
use gazette_proto::pb::crawl_service_client::CrawlServiceClient;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use gazette_store::prelude::*;
use gazette_store::{SledStore, StoredNotice};
use gazette_worker::cms::Cms;
use gazette_worker::{CrawlReport, Crawler, CrawlerConfig, Pagination, SourceConfig};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// No spacing, tiny retry delays and a breaker that never opens: the tests count requests.
fn crawler_config() -> CrawlerConfig {
    CrawlerConfig {
        delay: Duration::ZERO,
        retry_base: Duration::from_millis(1),
        retry_max: Duration::from_millis(5),
        max_retries: 1,
        breaker_threshold: 1000,
        ..CrawlerConfig::default()
    }
}

fn source(name: &str, start_urls: Vec<String>, max_list_pages: usize) -> SourceConfig {
    SourceConfig {
        name: name.into(),
        start_urls,
        allow_loopback: true,
        use_sitemaps: false,
        max_pages: 500,
        pagination: Pagination {
            max_list_pages,
            ..Pagination::default()
        },
        ..SourceConfig::default()
    }
}

struct Run {
    store: Arc<SledStore>,
    report: CrawlReport,
    _dir: tempfile::TempDir,
}

async fn crawl(source: &SourceConfig) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SledStore::open(dir.path()).expect("open store"));
    let crawler =
        Crawler::new(crawler_config(), Arc::clone(&store) as Arc<dyn Store>).expect("crawler");
    let report = crawler
        .crawl_once(source, &CancellationToken::new())
        .await
        .expect("crawl step");
    Run {
        store,
        report,
        _dir: dir,
    }
}

impl Run {
    fn notices(&self) -> Vec<Arc<StoredNotice>> {
        let all = self
            .store
            .list_notices(gazette_store::NoticeOrder::FetchedDesc, None, 10_000, None)
            .expect("list notices");
        assert_eq!(all.notices.len(), all.total_matching);
        all.notices
    }

    fn notice_at(&self, url: &str) -> Arc<StoredNotice> {
        self.notices()
            .into_iter()
            .find(|n| n.source_uri == url)
            .unwrap_or_else(|| panic!("no notice from {url}: {:?}", self.report))
    }
}

/// Every path was asked for exactly once.
#[track_caller]
fn each_once(site: &FixtureSite, paths: &[String]) {
    for path in paths {
        assert_eq!(site.hits(path), 1, "{path}");
    }
}

#[tokio::test]
async fn trs_script_pager_lists_are_crawled_to_the_last_page_and_each_notice_stored_once() {
    const PAGES: usize = 32;
    const PER_PAGE: usize = 2;
    let site = sites::trs::start(PAGES, PER_PAGE).await;
    let start = site.url(&format!("{}index.html", sites::trs::COLUMN));
    let run = crawl(&source("trs", vec![start.clone()], 40)).await;
    assert!(run.report.failures.is_empty(), "{:?}", run.report);
    assert_eq!(run.report.list_pages, PAGES, "{:?}", run.report);
    let notices = run.notices();
    assert_eq!(notices.len(), PAGES * PER_PAGE);
    for i in 0..PAGES * PER_PAGE {
        let notice = run.notice_at(&site.url(&sites::trs::article_path(i)));
        assert_eq!(
            notice.notice.organisation.as_deref(),
            Some(&*organisation(i))
        );
        assert_eq!(notice.found_on.len(), 1);
    }
    let lists: Vec<String> = std::iter::once(format!("{}index.html", sites::trs::COLUMN))
        .chain((1..PAGES).map(|n| format!("{}index_{n}.html", sites::trs::COLUMN)))
        .collect();
    each_once(&site, &lists);
    let articles: Vec<String> = (0..PAGES * PER_PAGE)
        .map(sites::trs::article_path)
        .collect();
    each_once(&site, &articles);

    // The source's list-page cap bounds the pager.
    let capped = crawl(&source("trs-capped", vec![start.clone()], 5)).await;
    assert_eq!(capped.report.list_pages, 5, "{:?}", capped.report);
    // Forcing another CMS leaves the script pager unread: one page of links.
    let forced = crawl(&SourceConfig {
        cms: Cms::Vsb,
        ..source("trs-as-vsb", vec![start], 40)
    })
    .await;
    assert_eq!(forced.report.list_pages, 1, "{:?}", forced.report);
    assert_eq!(forced.notices().len(), PER_PAGE);
}

#[tokio::test]
async fn hanweb_data_proxy_and_xml_block_lists_are_read() {
    use sites::hanweb::{INLINE_COLUMN, INLINE_RECORDS, PROXY_COLUMN, PROXY_RECORDS};
    let site = sites::hanweb::start().await;
    let starts = vec![
        site.url(&format!("/col/col{PROXY_COLUMN}/index.html")),
        site.url(&format!("/col/col{INLINE_COLUMN}/index.html")),
    ];
    let run = crawl(&source("hanweb", starts, 10)).await;
    assert!(run.report.failures.is_empty(), "{:?}", run.report);
    assert_eq!(run.notices().len(), PROXY_RECORDS + INLINE_RECORDS);
    let articles: Vec<String> = (0..PROXY_RECORDS)
        .map(|i| sites::hanweb::article_path(PROXY_COLUMN, i))
        .chain((0..INLINE_RECORDS).map(|i| sites::hanweb::article_path(INLINE_COLUMN, i)))
        .collect();
    each_once(&site, &articles);
    for path in &articles {
        let notice = run.notice_at(&site.url(path));
        assert!(notice.notice.organisation.is_some(), "{path}");
    }
    // The proxy was asked for each group of records once (perPage 5 × groupSize 2), always
    // with the column's ids, never beyond the total.
    let proxy = site.hits_under("/module/web/jpage/dataproxy.jsp");
    let ranges: Vec<(String, usize)> = proxy
        .iter()
        .map(|(query, hits)| {
            assert!(
                query.contains(&format!("columnid={PROXY_COLUMN}")),
                "{query}"
            );
            assert!(
                query.contains("unitid=8843") && query.contains("webid=31"),
                "{query}"
            );
            let q = query.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let start = url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "startrecord")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            (start, *hits)
        })
        .collect();
    let mut starts: Vec<&str> = ranges.iter().map(|(s, _)| s.as_str()).collect();
    starts.sort_by_key(|s| s.parse::<usize>().unwrap_or(0));
    assert_eq!(starts, ["1", "11", "21"], "{proxy:?}");
    assert!(ranges.iter().all(|(_, hits)| *hits == 1), "{proxy:?}");
}

#[tokio::test]
async fn vsb_backward_numbered_lists_are_read_from_the_page_count() {
    const PAGES: usize = 7;
    const PER_PAGE: usize = 3;
    let site = sites::vsb::start(PAGES, PER_PAGE).await;
    let run = crawl(&source("vsb", vec![site.url(sites::vsb::FIRST)], 20)).await;
    assert!(run.report.failures.is_empty(), "{:?}", run.report);
    assert_eq!(run.report.list_pages, PAGES, "{:?}", run.report);
    assert_eq!(run.notices().len(), PAGES * PER_PAGE);
    let lists: Vec<String> = std::iter::once(sites::vsb::FIRST.to_owned())
        .chain((1..PAGES).map(|n| format!("/jjjc/xcgz/{n}.htm")))
        .collect();
    each_once(&site, &lists);
    let articles: Vec<String> = (0..PAGES * PER_PAGE)
        .map(sites::vsb::article_path)
        .collect();
    each_once(&site, &articles);
}

#[tokio::test]
async fn pdf_and_docx_attachments_become_notices_found_on_their_article_pages() {
    use sites::attachments as a;
    let site = a::start().await;
    let run = crawl(&source("files", vec![site.url(a::LIST)], 10)).await;
    assert!(run.report.failures.is_empty(), "{:?}", run.report);

    let pdf = run.notice_at(&site.url(a::PDF_FILE));
    assert_eq!(
        pdf.found_on,
        [site.url(a::PDF_FILE), site.url(a::PDF_ARTICLE)]
    );
    assert_eq!(pdf.notice.organisation.as_deref(), Some(&*organisation(80)));
    // The PDF states no publication time; its article page does.
    assert_eq!(
        pdf.notice
            .published_at
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("2024-05-20")
    );
    // The body came through the PDF's ToUnicode CMap intact.
    let phrase = a::pdf_notice()
        .lines()
        .nth(3)
        .unwrap_or_default()
        .to_owned();
    assert!(pdf.text.contains(&phrase), "{phrase} not in {}", pdf.text);

    let docx_url = site.url(&format!("{}?{}", a::DOCX_FILE, a::DOCX_QUERY));
    let docx = run.notice_at(&docx_url);
    assert_eq!(docx.found_on, [docx_url.clone(), site.url(a::DOCX_ARTICLE)]);
    assert_eq!(
        docx.notice.organisation.as_deref(),
        Some(&*organisation(81))
    );
    assert!(!docx.notice.issues.is_empty());

    // A PDF linked straight from the list is a notice of its own page only.
    let direct = run.notice_at(&site.url(a::DIRECT_PDF));
    assert_eq!(direct.found_on, [site.url(a::DIRECT_PDF)]);
    assert_eq!(run.notices().len(), 3);

    // DOC and OFD are kept with their bytes and reported, never dropped.
    let mut unsupported: Vec<(String, &str)> = run
        .report
        .unsupported
        .iter()
        .map(|d| (d.url.clone(), d.format))
        .collect();
    unsupported.sort();
    assert_eq!(
        unsupported,
        [
            (site.url(a::DOC_FILE), "doc"),
            (site.url(a::OFD_FILE), "ofd")
        ]
    );
    for path in [a::DOC_FILE, a::OFD_FILE] {
        let page = run
            .store
            .page(&site.url(path))
            .expect("read page")
            .expect("the document is stored");
        assert!(page.body_stored, "{path}");
        let error = page.error.unwrap_or_default();
        assert!(error.starts_with("unsupported_format"), "{error}");
        assert_eq!(page.linked_from, [site.url(a::OLD_ARTICLE)]);
    }
    // Every file was fetched once.
    for path in [a::PDF_FILE, a::DIRECT_PDF, a::DOC_FILE, a::OFD_FILE] {
        assert_eq!(site.hits(path), 1, "{path}");
    }
    assert_eq!(site.hits(&format!("{}?{}", a::DOCX_FILE, a::DOCX_QUERY)), 1);

    // A second run finds everything unchanged and stores nothing twice.
    let crawler =
        Crawler::new(crawler_config(), Arc::clone(&run.store) as Arc<dyn Store>).expect("crawler");
    let again = crawler
        .crawl_once(
            &source("files", vec![site.url(a::LIST)], 10),
            &CancellationToken::new(),
        )
        .await
        .expect("second run");
    assert_eq!(again.notices_new, 0, "{again:?}");
    assert_eq!(run.notices().len(), 3);
}

#[tokio::test]
async fn challenge_answers_are_reported_backed_off_never_stored_and_never_withdraw() {
    use sites::challenges as c;
    let (site, challenge_all) = c::start().await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().expect("literal address"),
        metrics_addr: Some("127.0.0.1:0".parse().expect("literal address")),
        data_dir: data_dir.path().to_path_buf(),
        admin_token: Some(Secret::new(TOKEN.to_owned())),
        crawler: crawler_config(),
        sources: vec![SourceConfig {
            interval: Duration::from_secs(3600),
            ..source("guarded", vec![site.url(c::LIST)], 5)
        }],
        ..Settings::default()
    };
    let app = Application::build(settings).await.expect("build app");
    let addr = app.grpc_addr().expect("bound address");
    let metrics = app.metrics_addr().expect("metrics address");
    let store = app.store();
    let cancel = CancellationToken::new();
    let server = tokio::spawn(app.run(cancel.clone(), true));
    let channel = crate::harness::connect(addr).await;
    let mut crawl = CrawlServiceClient::new(channel.clone());
    let mut notices = NoticeServiceClient::new(channel);

    let first = finished_run(&mut crawl, "guarded", None, Duration::from_secs(10)).await;
    assert!(first.blocked, "{first:?}");
    let mut blocked: Vec<(String, String, i32)> = first
        .blocked_pages
        .iter()
        .map(|b| (b.uri.clone(), b.challenge.clone(), b.http_status))
        .collect();
    blocked.sort();
    let mut expected: Vec<(String, String, i32)> = c::CHALLENGED
        .iter()
        .map(|(path, label)| {
            let status = match *label {
                "ts_412" => 412,
                "jsl_521" => 521,
                _ => 200,
            };
            (site.url(path), (*label).to_owned(), status)
        })
        .collect();
    expected.sort();
    assert_eq!(blocked, expected);
    for (path, _) in c::CHALLENGED {
        assert!(
            store.page(&site.url(path)).expect("read").is_none(),
            "{path} stored"
        );
        // Challenges are not retried: asking again at once would only repeat the challenge.
        assert_eq!(site.hits(path), 1, "{path}");
    }
    let listed = notices
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect("ListNotices")
        .into_inner()
        .notices;
    assert_eq!(listed.len(), 1);
    let name = listed[0].name.clone();
    let open_page = store
        .page(&site.url(c::OPEN))
        .expect("read")
        .expect("the ordinary page is stored");

    // The ordinary article now answers with a challenge too: reported, its stored copy and
    // its notice untouched.
    challenge_all.store(true, Ordering::SeqCst);
    crawl
        .trigger_crawl(authed(pb::TriggerCrawlRequest {
            source: "guarded".into(),
        }))
        .await
        .expect("TriggerCrawl");
    let second = finished_run(
        &mut crawl,
        "guarded",
        first.last_run_started_at,
        Duration::from_secs(10),
    )
    .await;
    assert!(
        second
            .blocked_pages
            .iter()
            .any(|b| b.uri == site.url(c::OPEN) && b.challenge == "jsl_521"),
        "{second:?}"
    );
    let still = notices
        .get_notice(pb::GetNoticeRequest {
            name: name.clone(),
            ..Default::default()
        })
        .await
        .expect("the notice is not withdrawn")
        .into_inner()
        .notice
        .expect("a notice");
    assert_eq!(still.name, name);
    assert_eq!(
        store.page(&site.url(c::OPEN)).expect("read"),
        Some(open_page),
        "the stored page was replaced"
    );

    let body = crate::harness::scrape_metrics(metrics).await;
    assert!(
        body.lines()
            .any(|l| l.starts_with("gazette_pages_fetched_total")
                && l.contains(r#"source="guarded""#)
                && l.contains(r#"status="blocked""#)),
        "{body}"
    );
    cancel.cancel();
    server.await.expect("server task").expect("clean shutdown");
}

#[tokio::test]
async fn each_challenge_spaces_the_hosts_next_request_further_apart() {
    use sites::challenges as c;
    let (site, _) = c::start().await;
    let base = Duration::from_millis(100);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SledStore::open(dir.path()).expect("open store"));
    let config = CrawlerConfig {
        retry_base: base,
        retry_max: Duration::from_secs(5),
        ..crawler_config()
    };
    let crawler = Crawler::new(config, Arc::clone(&store) as Arc<dyn Store>).expect("crawler");
    let report = crawler
        .crawl_once(
            &source("spaced", vec![site.url(c::LIST)], 5),
            &CancellationToken::new(),
        )
        .await
        .expect("crawl step");
    assert_eq!(report.blocked.len(), c::CHALLENGED.len(), "{report:?}");
    // The challenged pages are asked for in list order, one at a time; after the k-th
    // challenge the host's next request waits base·2^(k-1) more (arrivals can only be later).
    let arrivals: Vec<std::time::Instant> = c::CHALLENGED
        .iter()
        .map(|(path, _)| {
            let at = site.arrivals(path);
            assert_eq!(at.len(), 1, "{path}");
            at[0]
        })
        .collect();
    for (k, pair) in arrivals.windows(2).enumerate() {
        let gap = pair[1].duration_since(pair[0]);
        let due = base * 2u32.pow(u32::try_from(k).expect("few"));
        assert!(
            gap >= due,
            "challenge {}: next request after {gap:?}, due {due:?}",
            k + 1
        );
    }
}
