//! Operability: worker metrics after a crawl, SIGTERM during a crawl and during RPCs with
//! nothing lost, export then import giving identical API answers, and `gazette verify`
//! finding a damaged record.

use crate::child::{self, Served};
use crate::harness::{connect, scrape_metrics, spawn_app};
use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::routing::get;
use gazette::app::{Application, SHUTDOWN_DEADLINE};
use gazette::commands::demo_source;
use gazette::demo_site::DemoSite;
use gazette::settings::Settings;
use gazette_proto::pb;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use gazette_proto::pb::organisation_service_client::OrganisationServiceClient;
use gazette_store::SledStore;
use gazette_store::prelude::*;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

/// One sample notice, varied per page so every page has its own content.
const NOTICE_TEXT: &str = include_str!("../../src/demo/qinghe-district.txt");
/// Notice pages of the slow site: far more than are fetched before the signal.
const SLOW_PAGES: usize = 60;
/// How long the slow site takes per notice page.
const SLOW_PAGE_DELAY: Duration = Duration::from_millis(100);

#[tokio::test]
async fn metrics_after_a_crawl_count_the_worker_events_by_source() {
    let app = spawn_app().await;
    let body = scrape_metrics(app.metrics_addr).await;
    // Every line of a series carries its labels; check each one is there for the source.
    let has = |name: &str, labels: &[&str]| {
        body.lines().any(|l| {
            l.starts_with(name)
                && l.contains(r#"source="demo""#)
                && labels.iter().all(|label| l.contains(label))
        })
    };
    assert!(
        has("gazette_pages_fetched_total", &[r#"status="200""#]),
        "{body}"
    );
    assert!(
        has("gazette_fetch_duration_seconds_bucket", &["le=\"0.5\""]),
        "{body}"
    );
    assert!(
        has("gazette_parse_outcomes_total", &[r#"outcome="notices""#]),
        "{body}"
    );
    assert!(
        has("gazette_notices_stored_total", &[r#"kind="new""#]),
        "{body}"
    );
    assert!(
        has("gazette_crawl_runs_total", &[r#"result="completed""#]),
        "{body}"
    );
    assert!(has("gazette_crawl_duration_seconds_count", &[]), "{body}");
    app.stop().await;
}

/// A loopback site whose notice pages are slow, recording what it served.
struct SlowSite {
    addr: SocketAddr,
    /// URLs of notice pages whose response was handed to the server, in order.
    served: Arc<Mutex<Vec<String>>>,
    /// The number of notice pages served so far.
    count: tokio::sync::watch::Receiver<usize>,
    cancel: CancellationToken,
}

#[derive(Clone)]
struct SlowState {
    addr: SocketAddr,
    served: Arc<Mutex<Vec<String>>>,
    count: Arc<tokio::sync::watch::Sender<usize>>,
}

async fn slow_list() -> axum::response::Html<String> {
    let links: String = (0..SLOW_PAGES)
        .map(|i| format!("<li><a href=\"/notice/{i}.html\">巡察整改通报 {i}</a></li>\n"))
        .collect();
    axum::response::Html(format!(
        "<html><head><meta charset=\"utf-8\"></head><body><ul>{links}</ul></body></html>"
    ))
}

async fn slow_notice(
    State(state): State<SlowState>,
    UrlPath(file): UrlPath<String>,
) -> axum::response::Html<String> {
    tokio::time::sleep(SLOW_PAGE_DELAY).await;
    let body = format!(
        "<html><head><meta charset=\"utf-8\"><title>通报 {file}</title></head><body>\
         <div class=\"content\"><pre>{NOTICE_TEXT}\n（第 {file} 页）</pre></div></body></html>"
    );
    state
        .served
        .lock()
        .expect("served list")
        .push(format!("http://{}/notice/{file}", state.addr));
    state.count.send_modify(|n| *n += 1);
    axum::response::Html(body)
}

impl SlowSite {
    async fn spawn() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind slow site");
        let addr = listener.local_addr().expect("site address");
        let (tx, count) = tokio::sync::watch::channel(0);
        let served = Arc::new(Mutex::new(Vec::new()));
        let state = SlowState {
            addr,
            served: Arc::clone(&served),
            count: Arc::new(tx),
        };
        let app = Router::new()
            .route("/list.html", get(slow_list))
            .route("/notice/{file}", get(slow_notice))
            .with_state(state);
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
        });
        Self {
            addr,
            served,
            count,
            cancel,
        }
    }

    fn config(&self) -> String {
        format!(
            "[crawler]\ndelay = \"0s\"\nper_host_concurrency = 2\nrespect_robots = false\n\
             [[source]]\nname = \"slow\"\nstart_urls = [\"http://{}/list.html\"]\n\
             notice_url_pattern = '/notice/\\d+\\.html$'\nnotice_link_text = [\"巡察\"]\n\
             interval = \"1h\"\nmax_pages = {SLOW_PAGES}\nuse_sitemaps = false\n\
             allow_loopback = true\n",
            self.addr
        )
    }
}

async fn serve_binary(config: &Path, data_dir: &Path) -> Served {
    let mut command = child::gazette(["serve"]);
    command
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data_dir);
    child::serve(command).await
}

fn kill_term(child: &tokio::process::Child) {
    let pid = child.id().expect("child still running");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_crawl_and_rpcs_loses_nothing_and_exits_zero() {
    let site = SlowSite::spawn().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("gazette.toml");
    std::fs::write(&config, site.config()).expect("write config");
    let data_dir = dir.path().join("data");
    let mut served = serve_binary(&config, &data_dir).await;

    // RPCs in flight at the signal: a watch stream, and unary calls in a loop.
    let channel = connect(served.addr).await;
    let mut watch = NoticeServiceClient::new(channel.clone())
        .watch_notices(pb::WatchNoticesRequest::default())
        .await
        .expect("WatchNotices")
        .into_inner();
    let stop_calls = CancellationToken::new();
    let calls = tokio::spawn({
        let mut client = NoticeServiceClient::new(channel);
        let stop = stop_calls.clone();
        async move {
            let mut outcomes = Vec::new();
            while !stop.is_cancelled() {
                let result = client.list_notices(pb::ListNoticesRequest::default()).await;
                let done = result.is_err();
                outcomes.push(result.map(|r| r.into_inner().notices.len()));
                if done {
                    break;
                }
            }
            outcomes
        }
    });

    // Signal mid-crawl: a few pages served, most still to come.
    let mut count = site.count.clone();
    tokio::time::timeout(Duration::from_secs(15), count.wait_for(|n| *n >= 5))
        .await
        .expect("the crawl never got going")
        .expect("site alive");
    let before_signal = site.served.lock().expect("served").clone();
    kill_term(&served.child);
    let status = tokio::time::timeout(
        SHUTDOWN_DEADLINE + Duration::from_secs(5),
        served.child.wait(),
    )
    .await
    .expect("gazette did not exit within the shutdown deadline")
    .expect("wait for gazette");
    stop_calls.cancel();
    let log = served.log.lock().expect("log").join("\n");
    assert!(status.success(), "exit status {status}\n{log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        log.contains("result=\"cancelled\"") || log.contains("result=cancelled"),
        "{log}"
    );
    let total_served = site.served.lock().expect("served").len();
    assert!(
        total_served < SLOW_PAGES,
        "the crawl was not stopped early: {total_served} pages\n{log}"
    );

    // Unary calls either succeeded or were refused as the server went away; none hung.
    let outcomes = calls.await.expect("RPC task");
    assert!(outcomes.iter().any(Result::is_ok), "{outcomes:?}");
    for outcome in &outcomes {
        if let Err(status) = outcome {
            assert!(
                matches!(
                    status.code(),
                    tonic::Code::Unavailable | tonic::Code::Cancelled | tonic::Code::Unknown
                ),
                "{status:?}"
            );
        }
    }
    // The watch stream ended instead of holding the shutdown up.
    let mut watched = 0;
    while let Ok(Some(_)) = watch.message().await {
        watched += 1;
    }

    // Every page the site served before the signal is in the store, and the store is sound.
    let store = SledStore::open(&data_dir).expect("the store opens after shutdown");
    for url in &before_signal {
        let page = store.page(url).expect("read page");
        assert!(page.is_some(), "{url} was served but not stored\n{log}");
    }
    assert!(
        watched <= before_signal.len() + SLOW_PAGES,
        "{watched} changes watched"
    );
    let report = store.verify().expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    site.cancel.cancel();
}

/// Crawls the demo site once into `data_dir`, in this process, and closes the store.
async fn crawl_demo_into(data_dir: &Path) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind site");
    let site = DemoSite::spawn(listener).expect("start site");
    let mut settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().expect("literal address"),
        data_dir: data_dir.to_path_buf(),
        ..Settings::default()
    };
    settings.crawler.delay = Duration::ZERO;
    let source = demo_source(&site);
    let app = Application::build(settings).await.expect("build app");
    let report = app
        .crawler()
        .crawl_once(&source, &CancellationToken::new())
        .await
        .expect("crawl");
    assert_eq!(
        report.pages_fetched,
        DemoSite::pages_to_fetch(),
        "{report:?}"
    );
    app.store().flush().expect("flush");
    site.cancel.cancel();
}

/// The application serving `data_dir` (no crawling) until the token is cancelled.
async fn serve_in_process(
    data_dir: &Path,
) -> (
    Channel,
    CancellationToken,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().expect("literal address"),
        data_dir: data_dir.to_path_buf(),
        ..Settings::default()
    };
    let app = Application::build(settings).await.expect("build app");
    let addr = app.grpc_addr().expect("bound address");
    let cancel = CancellationToken::new();
    let server = tokio::spawn(app.run(cancel.clone(), false));
    (connect(addr).await, cancel, server)
}

/// Every read answer of the API for a store, as comparable text.
async fn api_answers(channel: Channel) -> Vec<String> {
    let mut notices = NoticeServiceClient::new(channel.clone());
    let mut organisations = OrganisationServiceClient::new(channel);
    let mut answers = Vec::new();
    let listed = notices
        .list_notices(pb::ListNoticesRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .expect("ListNotices")
        .into_inner();
    assert!(!listed.notices.is_empty());
    for notice in &listed.notices {
        let got = notices
            .get_notice(pb::GetNoticeRequest {
                name: notice.name.clone(),
                ..Default::default()
            })
            .await
            .expect("GetNotice")
            .into_inner();
        answers.push(format!("{got:?}"));
    }
    answers.push(format!("{listed:?}"));
    let orgs = organisations
        .list_organisations(pb::ListOrganisationsRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .expect("ListOrganisations")
        .into_inner();
    assert!(!orgs.organisations.is_empty());
    for org in &orgs.organisations {
        let status = organisations
            .get_issue_status(pb::GetIssueStatusRequest {
                organisation: org.name.clone(),
            })
            .await
            .expect("GetIssueStatus")
            .into_inner();
        answers.push(format!("{status:?}"));
    }
    answers.push(format!("{orgs:?}"));
    answers
}

/// Runs the binary to completion; returns its exit code and stdout.
async fn run_binary(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run gazette");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (
        output.status.code(),
        format!("{stdout}\n--- stderr ---\n{stderr}"),
    )
}

#[tokio::test]
async fn export_then_import_into_an_empty_store_gives_identical_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let file = dir.path().join("backup.jsonl");
    crawl_demo_into(&a).await;

    let (code, out) = run_binary(&[
        "export".as_ref(),
        "--data-dir".as_ref(),
        a.as_os_str(),
        "--out".as_ref(),
        file.as_os_str(),
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run_binary(&[
        "import".as_ref(),
        file.as_os_str(),
        "--data-dir".as_ref(),
        b.as_os_str(),
    ])
    .await;
    assert_eq!(code, Some(0), "{out}");

    let (channel_a, cancel_a, server_a) = serve_in_process(&a).await;
    let (channel_b, cancel_b, server_b) = serve_in_process(&b).await;
    let (answers_a, answers_b) = tokio::join!(api_answers(channel_a), api_answers(channel_b));
    assert_eq!(answers_a, answers_b);
    cancel_a.cancel();
    cancel_b.cancel();
    server_a.await.expect("server A").expect("clean shutdown A");
    server_b.await.expect("server B").expect("clean shutdown B");
}

#[tokio::test]
async fn migrate_copies_a_store_with_every_count_checked_and_refuses_a_non_empty_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    crawl_demo_into(&a).await;
    let expected = SledStore::open(&a)
        .expect("open source")
        .record_counts()
        .expect("counts");
    assert!(expected.pages > 0 && expected.notices > 0 && expected.changes > 0);

    let migrate = [
        "migrate".as_ref(),
        "--from".as_ref(),
        a.as_os_str(),
        "--to".as_ref(),
        b.as_os_str(),
    ];
    let (code, out) = run_binary(&migrate).await;
    assert_eq!(code, Some(0), "{out}");
    // Every kind is printed with its count on both sides.
    for (kind, count) in expected.kinds() {
        assert!(
            out.lines().any(|line| {
                let words: Vec<&str> = line.split_whitespace().collect();
                words == [kind, &count.to_string(), &count.to_string()]
            }),
            "{kind} {count} missing: {out}"
        );
    }
    assert!(out.contains("every count matches"), "{out}");
    let copied = SledStore::open(&b).expect("open target");
    assert_eq!(copied.record_counts().expect("counts"), expected);
    assert!(copied.verify().expect("verify").problems.is_empty());
    drop(copied);

    let (channel_a, cancel_a, server_a) = serve_in_process(&a).await;
    let (channel_b, cancel_b, server_b) = serve_in_process(&b).await;
    let (answers_a, answers_b) = tokio::join!(api_answers(channel_a), api_answers(channel_b));
    assert_eq!(answers_a, answers_b);
    cancel_a.cancel();
    cancel_b.cancel();
    server_a.await.expect("server A").expect("clean shutdown A");
    server_b.await.expect("server B").expect("clean shutdown B");

    // A second copy into the now non-empty target is refused, and changes nothing.
    let (code, out) = run_binary(&migrate).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not empty"), "{out}");
    assert_eq!(
        SledStore::open(&b)
            .expect("open target")
            .record_counts()
            .expect("counts"),
        expected
    );
}

#[tokio::test]
async fn verify_passes_a_healthy_store_and_names_a_damaged_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    crawl_demo_into(&data).await;
    let verify = [
        std::ffi::OsStr::new("verify"),
        "--data-dir".as_ref(),
        data.as_os_str(),
    ];
    let (code, out) = run_binary(&verify).await;
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("0 problem(s)"), "{out}");

    let id = {
        let store = SledStore::open(&data).expect("open store");
        let slice = store
            .list_notices(gazette_store::NoticeOrder::FetchedDesc, None, 1, None)
            .expect("list");
        let id = slice.notices.first().expect("a notice").id.clone();
        store
            .damage_for_tests("notices", id.as_bytes(), b"\x01\x00\x00\x00\x00{}")
            .expect("damage");
        store.flush().expect("flush");
        id
    };
    let (code, out) = run_binary(&verify).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("damaged:") && l.contains(&id)),
        "{id} not named: {out}"
    );
}
