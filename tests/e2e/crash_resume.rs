//! SIGKILL in the middle of `gazette crawl --once`, then a rerun: every page is stored exactly
//! once, no page stored before the kill is fetched again, and no notice is duplicated.

use crate::sites::numbered::{NumberedSite, PER_LIST, crawl_config};
use gazette_store::SledStore;
use gazette_store::prelude::*;
use std::collections::HashSet;
use std::process::Stdio;

const LIST_PAGES: usize = 6;
const PAGES: usize = LIST_PAGES * PER_LIST;
/// Notice pages served before the first process is killed.
const KILL_AFTER: usize = 90;

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
    let site = NumberedSite::start("临江", KILL_AFTER).await;
    let base = site.base();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = dir.path().join("gazette.toml");
    std::fs::write(&config, crawl_config(&base, LIST_PAGES, 4, None)).expect("write config");

    let mut first = crawl_command(&config, &data)
        .spawn()
        .expect("start gazette");
    tokio::select! {
        _ = site.reached.notified() => {}
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
    let hits = site.hits.lock().expect("lock");
    for url in &before {
        let path = url.strip_prefix(&base).expect("same site");
        assert_eq!(
            hits.get(path).map(Vec::len),
            Some(1),
            "{path} was stored before the kill"
        );
    }
    for n in 0..PAGES {
        let count = hits.get(&format!("/n/{n}.html")).map_or(0, Vec::len);
        assert!(
            (1..=2).contains(&count),
            "/n/{n}.html fetched {count} times"
        );
    }
}
