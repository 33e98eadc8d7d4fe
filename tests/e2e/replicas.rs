//! Three `gazette serve` replicas on one PostgreSQL database crawl a local site of a few
//! hundred pages together: the work is shared through frontier leases, one replica is killed
//! with SIGKILL mid-crawl, the others take over its entries once its leases expire, every
//! page is stored with its notice and nothing is duplicated, each page is fetched once (but
//! for the few the killed replica had in flight), and a watcher on a surviving replica sees
//! every notice created exactly once, and a resume token it got is valid on another replica.
//!
//! The database is a throwaway server (see `gazette_store::postgres::test_server`); the test is
//! skipped with a printed reason outside CI when none can be started.

use crate::child::{self, Served};
use crate::sites::numbered::{NumberedSite, PER_LIST, crawl_config};
use gazette_proto::pb;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use gazette_store::{NoticeOrder, NoticeReads, PageStore};
use std::collections::HashMap;
use std::time::Duration;

const LIST_PAGES: usize = 6;
const PAGES: usize = LIST_PAGES * PER_LIST;
/// Notice pages served (to anyone) before replica 0 is killed.
const KILL_AFTER: usize = 60;
const REPLICAS: usize = 3;
/// Requests a replica has in flight at most (`per_host_concurrency` below): what it can have
/// fetched and not yet stored when it is killed, so what may be fetched a second time.
const IN_FLIGHT: usize = 4;
/// How long the replicas' leases last (`[crawler] lease`): the survivors take the killed
/// replica's entries over after this long. Short to keep the test short, long enough that a
/// replica stalled on a loaded machine still renews (every third of it) in time.
const LEASE: &str = "15s";
/// Bounds the whole crawl.
const BOUND: Duration = Duration::from_secs(300);

/// The User-Agent of replica `i`, which the site records with each request.
fn agent(i: usize) -> String {
    format!("gazette-replica-{i}")
}

/// Starts replica `i`: `gazette serve` on the database `url` with `config`, fetching as
/// [`agent`]`(i)`.
async fn start(i: usize, url: &str, config: &std::path::Path) -> Served {
    let mut command = child::gazette(["serve", "--store", url]);
    command
        .arg("--config")
        .arg(config)
        .env("GAZETTE_CRAWLER__USER_AGENT", agent(i))
        .env("GAZETTE_CRAWLER__LEASE", LEASE);
    child::serve(command).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_share_a_crawl_and_survive_one_killed() {
    let Some(url) = gazette_store::postgres::test_server::fresh_database_or_skip(
        "three_replicas_share_a_crawl_and_survive_one_killed",
    ) else {
        return;
    };
    let site = NumberedSite::start("东湖", KILL_AFTER).await;
    let base = site.base();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("gazette.toml");
    std::fs::write(
        &config,
        crawl_config(&base, LIST_PAGES, IN_FLIGHT, Some("24h")),
    )
    .expect("write config");

    let mut replicas = Vec::new();
    for i in 0..REPLICAS {
        replicas.push(Some(start(i, &url, &config).await));
    }
    // A watcher on a replica that survives, from the start of the log.
    let watch_addr = replicas[REPLICAS - 1]
        .as_ref()
        .map(|r| r.addr)
        .expect("last");
    let channel = crate::harness::connect(watch_addr).await;
    let mut stream = NoticeServiceClient::new(channel)
        .watch_notices(pb::WatchNoticesRequest {
            view: pb::NoticeView::Basic.into(),
            ..Default::default()
        })
        .await
        .expect("watch accepted")
        .into_inner();

    tokio::time::timeout(BOUND, site.reached.notified())
        .await
        .expect("the crawl reaches the kill point");
    let mut victim = replicas[0].take().expect("replica 0");
    victim.child.start_kill().expect("SIGKILL replica 0");
    victim.child.wait().await.expect("reap replica 0");
    let killed_at: HashMap<String, Vec<String>> = site.hits.lock().expect("lock").clone();

    // Every notice is created once, as the surviving watcher sees it.
    let mut created: HashMap<String, usize> = HashMap::new();
    // Each change's notice and resume token, in the order delivered.
    let mut delivered: Vec<(String, String)> = Vec::new();
    tokio::time::timeout(BOUND, async {
        while created.len() < PAGES {
            let change = stream
                .message()
                .await
                .expect("stream open")
                .expect("a change");
            assert_eq!(change.change_type, pb::ChangeType::Created as i32);
            let name = change.notice.map(|n| n.name).unwrap_or_default();
            *created.entry(name.clone()).or_default() += 1;
            delivered.push((name, change.resume_token));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the survivors finish the crawl: {} notices", created.len()));
    let twice: Vec<_> = created.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "seen more than once: {twice:?}");

    // A resume token from one replica is valid on another: the other survivor continues the
    // log exactly where the token points, with the same changes in the same order.
    let other = replicas[1].as_ref().map(|r| r.addr).expect("replica 1");
    let channel = crate::harness::connect(other).await;
    let middle = PAGES / 2;
    let mut resumed = NoticeServiceClient::new(channel)
        .watch_notices(pb::WatchNoticesRequest {
            resume_token: delivered[middle].1.clone(),
            view: pb::NoticeView::Basic.into(),
            ..Default::default()
        })
        .await
        .expect("another replica's token is accepted")
        .into_inner();
    for (name, _) in &delivered[middle + 1..] {
        let change = tokio::time::timeout(BOUND, resumed.message())
            .await
            .expect("the resumed stream delivers")
            .expect("stream open")
            .expect("a change");
        assert_eq!(change.notice.map(|n| n.name).as_ref(), Some(name));
    }

    // The database holds every page with its own notice, and no notice twice.
    let store = gazette_store::postgres::PgStore::open(&url).expect("open the database");
    let mut notice_ids = std::collections::HashSet::new();
    for n in 0..PAGES {
        let page = store
            .page(&format!("{base}/n/{n}.html"))
            .expect("read page")
            .unwrap_or_else(|| panic!("page {n} stored"));
        assert_eq!(page.notice_ids.len(), 1, "page {n}");
        notice_ids.extend(page.notice_ids);
    }
    assert_eq!(notice_ids.len(), PAGES, "a notice per page, none shared");
    let total = store
        .list_notices(NoticeOrder::FetchedDesc, None, 1, None)
        .expect("list")
        .total_matching;
    assert_eq!(total, PAGES, "no duplicate notices");

    // Each page fetched once, but for what the killed replica had fetched and not stored.
    let hits = site.hits.lock().expect("lock");
    let mut refetched = Vec::new();
    for n in 0..PAGES {
        let path = format!("/n/{n}.html");
        let agents = hits.get(&path).cloned().unwrap_or_default();
        match agents.len() {
            1 => {}
            2 => {
                let first = killed_at.get(&path).and_then(|a| a.first());
                assert_eq!(
                    first,
                    Some(&agent(0)),
                    "{path} fetched twice, first by {agents:?}: only the killed replica's work is redone"
                );
                refetched.push(path);
            }
            count => panic!("{path} fetched {count} times: {agents:?}"),
        }
    }
    assert!(
        refetched.len() <= IN_FLIGHT,
        "more refetched than the killed replica had in flight: {refetched:?}"
    );
    let by_replica = |i: usize| {
        hits.iter()
            .filter(|(p, agents)| p.starts_with("/n/") && agents.contains(&agent(i)))
            .count()
    };
    let shares: Vec<usize> = (0..REPLICAS).map(by_replica).collect();
    println!(
        "notice pages fetched per replica: {shares:?}; refetched after the kill: {refetched:?}"
    );
    assert!(
        shares.iter().all(|&n| n > 0),
        "every replica took part: {shares:?}"
    );
}
