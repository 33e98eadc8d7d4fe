//! The binary under SIGKILL and damage: what `gazette serve` acknowledged is there after a
//! kill -9 and a restart, a watcher resuming across the crash sees every change once, resume
//! tokens of another store or from beyond the log are refused, and a damaged store file makes
//! `serve`, `verify` and `export` fail with a clear message instead of a panic.
//!
//! The SIGKILL case runs on any store `gazette serve --store` opens: a data directory always,
//! and the database named by `GAZETTE_TEST_STORE_URL` (an empty database) when that is set;
//! without it that run is skipped with a printed reason.

use crate::child::{self, Served};
use crate::harness::connect;
use gazette_proto::pb;
use gazette_proto::pb::crawl_service_client::CrawlServiceClient;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tonic::transport::Channel;

/// The project's own sample notice; the district is renamed per document so that every
/// document is a notice of its own.
const NOTICE_TEXT: &str = include_str!("../../src/demo/qinghe-district.txt");
/// 临江区, the district the sample names.
const DISTRICT: &str = "临江区";
const TOKEN: &str = "durability-test-token";
/// Kill-and-restart rounds.
const ROUNDS: usize = 20;
/// IngestDocument calls per round, all in flight at once (so that writers share flushes).
const PER_ROUND: usize = 8;
/// A bound on anything that should take well under a second, so a hang fails the test.
const BOUND: Duration = Duration::from_secs(60);

/// Starts `gazette serve` on `store` (a data directory or a database URL).
async fn serve(store: &std::ffi::OsStr) -> Served {
    let mut command = child::gazette(["serve", "--admin-token", TOKEN]);
    command.arg("--store").arg(store);
    child::serve(command).await
}

/// Sends SIGKILL and waits for the process to be gone.
async fn kill_9(mut server: Served) {
    server.child.start_kill().expect("SIGKILL");
    server.child.wait().await.expect("reap the killed server");
}

/// Document `n`: the sample notice of a district of its own.
fn document(n: usize) -> Vec<u8> {
    NOTICE_TEXT
        .replace(DISTRICT, &format!("临江{n}区"))
        .into_bytes()
}

/// Ingests document `n`; returns the notice names the server acknowledged as stored.
async fn ingest(channel: Channel, n: usize) -> Vec<String> {
    let mut request = tonic::Request::new(pb::IngestDocumentRequest {
        uri: format!("https://durable.example/notices/{n}.txt"),
        content: document(n),
        content_type: "text/plain; charset=utf-8".into(),
    });
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {TOKEN}").parse().expect("header"),
    );
    let stored = CrawlServiceClient::new(channel)
        .ingest_document(request)
        .await
        .expect("IngestDocument acknowledged")
        .into_inner();
    assert_eq!(stored.notices.len(), 1, "document {n}: {}", stored.error);
    stored.notices
}

/// What a watcher received: (change type, notice name, resume token), in order.
type Received = Arc<Mutex<Vec<(i32, String, String)>>>;

/// Watches from `token` until the stream ends (its server is killed), recording every change.
fn watch(channel: Channel, token: String, received: Received) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = NoticeServiceClient::new(channel)
            .watch_notices(pb::WatchNoticesRequest {
                resume_token: token,
                view: pb::NoticeView::Basic.into(),
                ..Default::default()
            })
            .await
            .expect("watch accepted")
            .into_inner();
        while let Ok(Some(change)) = stream.message().await {
            let name = change.notice.map(|n| n.name).unwrap_or_default();
            received.lock().expect("received").push((
                change.change_type,
                name,
                change.resume_token,
            ));
        }
    })
}

fn last_token(received: &Received) -> String {
    received
        .lock()
        .expect("received")
        .last()
        .map(|(_, _, token)| token.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ingests_survive_sigkill_and_a_resuming_watcher_sees_each_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    survives_sigkill(dir.path().join("data").as_os_str()).await;
}

/// The same promise on a PostgreSQL database: the one `GAZETTE_TEST_STORE_URL` names (which
/// must be empty), else a fresh database on the tests' throwaway server (skipped with a
/// printed reason outside CI when none can be started; a failure under `CI=true`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_ingests_survive_sigkill_on_a_database_store() {
    let url = match std::env::var_os("GAZETTE_TEST_STORE_URL") {
        Some(url) => url,
        None => match gazette_store::postgres::test_server::fresh_database_or_skip(
            "acknowledged_ingests_survive_sigkill_on_a_database_store",
        ) {
            Some(url) => url.into(),
            None => return,
        },
    };
    survives_sigkill(&url).await;
}

/// Kill-and-restart rounds of `gazette serve --store STORE` with ingests in flight: every
/// acknowledged notice is there after each SIGKILL, and a watcher resuming across the crashes
/// sees each change exactly once, in growing positions.
async fn survives_sigkill(store: &std::ffi::OsStr) {
    let received: Received = Arc::default();
    let mut acknowledged: Vec<String> = Vec::new();
    for round in 0..ROUNDS {
        let server = serve(store).await;
        let channel = connect(server.addr).await;
        // Everything acknowledged before every earlier kill is there.
        let mut notices = NoticeServiceClient::new(channel.clone());
        for name in &acknowledged {
            let found = notices
                .get_notice(pb::GetNoticeRequest {
                    name: name.clone(),
                    view: pb::NoticeView::Basic.into(),
                })
                .await;
            assert!(
                found.is_ok(),
                "round {round}: acknowledged {name} lost after SIGKILL: {found:?}"
            );
        }
        // The watcher resumes across the crash from the last token it was given.
        let watcher = watch(
            channel.clone(),
            last_token(&received),
            Arc::clone(&received),
        );
        let calls = (0..PER_ROUND).map(|i| ingest(channel.clone(), round * PER_ROUND + i));
        let names = tokio::time::timeout(BOUND, futures::future::join_all(calls))
            .await
            .expect("ingests answered");
        acknowledged.extend(names.into_iter().flatten());
        // Killed right after the acknowledgements, before any periodic flush could run.
        kill_9(server).await;
        tokio::time::timeout(BOUND, watcher)
            .await
            .expect("the watch stream ends with its server")
            .expect("watcher task");
    }

    // A last start: everything is there, and the watcher catches up to a sentinel written now.
    let server = serve(store).await;
    let channel = connect(server.addr).await;
    let mut stream = NoticeServiceClient::new(channel.clone())
        .watch_notices(pb::WatchNoticesRequest {
            resume_token: last_token(&received),
            view: pb::NoticeView::Basic.into(),
            ..Default::default()
        })
        .await
        .expect("watch accepted")
        .into_inner();
    let sentinel = ingest(channel.clone(), ROUNDS * PER_ROUND).await;
    tokio::time::timeout(BOUND, async {
        loop {
            let change = stream
                .message()
                .await
                .expect("stream open")
                .expect("a change");
            let name = change.notice.map(|n| n.name).unwrap_or_default();
            let done = sentinel.contains(&name);
            received.lock().expect("received").push((
                change.change_type,
                name,
                change.resume_token,
            ));
            if done {
                break;
            }
        }
    })
    .await
    .expect("the watcher reaches the sentinel");
    kill_9(server).await;

    let received = received.lock().expect("received").clone();
    let mut created: HashMap<&str, usize> = HashMap::new();
    for (kind, name, _) in &received {
        assert_eq!(
            *kind,
            pb::ChangeType::Created as i32,
            "only new notices were written: {name}"
        );
        *created.entry(name.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = created.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "seen more than once: {twice:?}");
    let missed: Vec<_> = acknowledged
        .iter()
        .filter(|name| !created.contains_key(name.as_str()))
        .collect();
    assert!(missed.is_empty(), "the watcher missed {missed:?}");
    assert_eq!(created.len(), acknowledged.len() + sentinel.len());
    // Positions only grow, across every crash.
    let positions: Vec<&str> = received.iter().map(|(_, _, t)| t.as_str()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[tokio::test]
async fn resume_tokens_of_another_store_or_beyond_the_log_are_invalid_arguments() {
    let mut app = crate::harness::spawn_app().await;
    let mut stream = app
        .notices
        .watch_notices(pb::WatchNoticesRequest::default())
        .await
        .expect("watch")
        .into_inner();
    let first = stream
        .message()
        .await
        .expect("stream open")
        .expect("the crawled notices are in the log");
    drop(stream);
    let token = first.resume_token;
    assert_eq!(token.len(), 32, "{token}");
    let (lineage, position) = token.split_at(16);
    let position = u64::from_str_radix(position, 16).expect("hex position");
    // The same position in another store's lineage (the first digit changed).
    let other = format!(
        "{}{}{}",
        if lineage.starts_with('0') { '1' } else { '0' },
        &lineage[1..],
        &token[16..]
    );
    let beyond = format!("{lineage}{:016x}", position + 1_000_000);
    for (what, token) in [("another store", other), ("beyond the log", beyond)] {
        let refused = app
            .notices
            .watch_notices(pb::WatchNoticesRequest {
                resume_token: token,
                ..Default::default()
            })
            .await
            .expect_err(what);
        assert_eq!(refused.code(), tonic::Code::InvalidArgument, "{what}");
        let details = tonic_types::StatusExt::get_error_details(&refused);
        let bad = details.bad_request().expect("field violations");
        assert_eq!(bad.field_violations[0].field, "resume_token", "{what}");
        assert!(
            refused.message().contains("empty token"),
            "{what}: {}",
            refused.message()
        );
    }
}

/// Pages in the damaged store: enough for sled to spread them over many segments of its log
/// and snapshot its page table, which is what a cut through the file then contradicts.
const DAMAGED_PAGES: usize = 3000;

/// Writes a store of [`DAMAGED_PAGES`] pages in `data` through `gazette import` (one flush
/// rather than one per page).
async fn written_store(dir: &Path, data: &Path) {
    let export = dir.join("made.jsonl");
    let mut lines =
        vec![r#"{"type":"header","format":"gazette-export/1","schema_version":3}"#.to_owned()];
    let mut seed: u64 = 17;
    for n in 0..DAMAGED_PAGES {
        // Letters from a fixed generator, distinct per page.
        let error: String = (0..2000)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                char::from(b'a' + u8::try_from((seed >> 33) % 26).expect("below 26"))
            })
            .collect();
        let record = serde_json::json!({
            "type": "page",
            "record": {
                "url": format!("https://damaged.example/{n}.html"),
                "content_sha256": format!("{n:064x}"),
                "error": error,
            }
        });
        lines.push(record.to_string());
    }
    std::fs::write(&export, lines.join("\n")).expect("write the export");
    let imported = gazette(&["import", &export.to_string_lossy()], data).await;
    assert!(imported.status.success(), "{imported:?}");
}

/// A copy of the store `from` in `to` with sled's main file cut to `percent` of its length.
fn cut_copy(from: &Path, to: &Path, percent: u64) {
    std::fs::create_dir_all(to.join("blobs")).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("list the store") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
    let file = to.join("db");
    let len = std::fs::metadata(&file).expect("sled's main file").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .expect("open for truncation")
        .set_len(len * percent / 100)
        .expect("truncate");
}

/// Runs `gazette ARGS --data-dir DATA` to completion (bounded, so a server that starts after
/// all fails the test instead of hanging it).
async fn gazette(args: &[&str], data: &Path) -> std::process::Output {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(BOUND, run)
        .await
        .unwrap_or_else(|_| panic!("gazette {args:?} did not stop"))
        .expect("run gazette")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_store_file_is_reported_by_serve_verify_and_export_without_a_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut damaged = 0;
    // Where a cut falls in the middle of sled's log, sled recovers the prefix as after a
    // crash (and `verify` finds it sound); where it contradicts sled's page table, sled
    // panics on opening. Which cuts do depends on where sled's flusher happened to put the
    // segments, so stores are written afresh until one kind of damage shows.
    for (generation, percent) in (0..3).flat_map(|g| (2..=98).step_by(3).map(move |p| (g, p))) {
        if damaged > 0 {
            break;
        }
        let pristine = dir.path().join(format!("pristine-{generation}"));
        if !pristine.exists() {
            written_store(dir.path(), &pristine).await;
        }
        let data = dir.path().join(format!("cut-{generation}-{percent}"));
        cut_copy(&pristine, &data, percent);
        let verified = gazette(&["verify"], &data).await;
        let said = |output: &std::process::Output| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        };
        assert!(
            !said(&verified).contains("panicked"),
            "verify on a cut to {percent}%:\n{}",
            said(&verified)
        );
        if verified.status.success() {
            continue; // a prefix recovered as after a crash
        }
        damaged += 1;
        let out = dir.path().join("out.jsonl");
        let out = out.to_string_lossy();
        let runs: [&[&str]; 3] = [
            &["verify"],
            &["serve", "--grpc-addr", "127.0.0.1:0"],
            &["export", "--out", &out],
        ];
        for args in runs {
            let output = gazette(args, &data).await;
            let stderr = String::from_utf8_lossy(&output.stderr);
            let said = said(&output);
            let what = format!("{} on a store cut to {percent}%", args[0]);
            assert!(!output.status.success(), "{what}: exit 0\n{said}");
            assert_ne!(output.status.code(), Some(101), "{what}: a panic\n{said}");
            assert!(!stderr.contains("panicked"), "{what}:\n{stderr}");
            assert!(said.contains("damaged"), "{what}:\n{said}");
            assert!(
                said.contains(&*data.to_string_lossy()),
                "{what} names the store:\n{said}"
            );
            assert!(said.contains("export"), "{what} names the way out:\n{said}");
        }
    }
    assert!(
        damaged > 0,
        "no cut damaged the store beyond a crash's recovery"
    );
}
