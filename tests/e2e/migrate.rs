//! `gazette migrate` from a sled store crawled by `gazette demo` into PostgreSQL: two
//! `gazette serve --store postgres://…` on two ports answer ListNotices (every order, every
//! page) exactly as the sled store did, and the way back gives the same counts.
//!
//! Skipped with a printed reason outside CI when no PostgreSQL server can be started.

use crate::child::{self, Served};
use gazette_proto::pb;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use prost::Message as _;
use std::net::SocketAddr;

/// Starts `gazette ARGS` serving gRPC on a free port (the demo logs it after its crawl).
async fn run(args: &[&str]) -> Served {
    child::serve(child::gazette(args)).await
}

/// Stops a server with SIGTERM (by its own pid) and waits for it.
async fn stop(mut running: Served) {
    if let Some(pid) = running.child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
    }
    running.child.wait().await.expect("wait for gazette");
}

/// Every page of ListNotices in every order, filtered or not, one notice a page.
async fn listings(addr: SocketAddr) -> Vec<pb::ListNoticesResponse> {
    let channel = crate::harness::connect(addr).await;
    let mut client = NoticeServiceClient::new(channel);
    let mut out = Vec::new();
    for order in [
        "",
        "fetched_at asc",
        "published_at desc",
        "published_at asc",
        "signed_on desc",
        "signed_on asc",
    ] {
        for filter in ["", "kind = \"巡察\""] {
            let mut token = String::new();
            loop {
                let page = client
                    .list_notices(pb::ListNoticesRequest {
                        page_size: 1,
                        order_by: order.into(),
                        filter: filter.into(),
                        page_token: token.clone(),
                        ..Default::default()
                    })
                    .await
                    .expect("ListNotices")
                    .into_inner();
                token = page.next_page_token.clone();
                out.push(page);
                if token.is_empty() {
                    break;
                }
            }
        }
    }
    out
}

fn migrate(from: &str, to: &str) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["migrate", "--from", from, "--to", to])
        .env("NO_COLOR", "1")
        .output()
        .expect("run gazette migrate");
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    printed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_store_migrated_to_postgresql_answers_alike_on_two_replicas() {
    let Some(url) = gazette_store::postgres::test_server::fresh_database_or_skip(
        "a_demo_store_migrated_to_postgresql_answers_alike_on_two_replicas",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let sled_dir = dir.path().join("demo");
    let sled = sled_dir.display().to_string();
    let demo = run(&["demo", "--data-dir", &sled]).await;
    let on_sled = listings(demo.addr).await;
    stop(demo).await;
    assert!(on_sled.len() > 6, "the demo stored notices");

    let copied = migrate(&sled, &url);
    assert!(copied.contains("every count matches"), "{copied}");

    let first = run(&["serve", "--store", &url]).await;
    let second = run(&["serve", "--store", &url]).await;
    let (a, b) = (listings(first.addr).await, listings(second.addr).await);
    let bytes = |pages: &[pb::ListNoticesResponse]| -> Vec<Vec<u8>> {
        pages.iter().map(prost::Message::encode_to_vec).collect()
    };
    assert_eq!(
        bytes(&a),
        bytes(&b),
        "two replicas answer alike, tokens too"
    );
    // Page tokens hold a backend's own cursor; everything else is the same as on sled.
    let without_tokens = |pages: &[pb::ListNoticesResponse]| -> Vec<Vec<u8>> {
        pages
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.next_page_token = if p.next_page_token.is_empty() {
                    String::new()
                } else {
                    "more".into()
                };
                p.encode_to_vec()
            })
            .collect()
    };
    assert_eq!(
        without_tokens(&a),
        without_tokens(&on_sled),
        "PostgreSQL answers as the sled store did"
    );
    stop(first).await;
    stop(second).await;

    let back = dir.path().join("back").display().to_string();
    let returned = migrate(&url, &back);
    assert!(returned.contains("every count matches"), "{returned}");
}
