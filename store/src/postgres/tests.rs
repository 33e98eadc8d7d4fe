//! Tests of the PostgreSQL backend against a throwaway server (skipped with a printed reason
//! when none can be started outside CI; failed under `CI=true`).

use super::*;
use crate::Lease;
use crate::conformance::{entry, notice, page};
use crate::records::FrontierKind;
use gazette_notice::Notice;
use gazette_notice::{NoticeDate, NoticeDateTime};

/// A store on a fresh database, or `None` (printed) when there is no server.
fn store(test: &str) -> Option<(String, PgStore)> {
    let url = test_server::fresh_database_or_skip(test)?;
    let store = PgStore::open(&url).expect("open the store");
    Some((url, store))
}

#[test]
fn migrations_apply_once_and_a_newer_schema_is_refused() {
    let Some((url, store)) = store("migrations_apply_once_and_a_newer_schema_is_refused") else {
        return;
    };
    let lineage = store.change_feed().lineage;
    assert_ne!(lineage, 0);
    drop(store);
    // Reopening applies nothing and keeps the lineage: tokens name the database.
    let again = PgStore::open(&url).expect("reopen");
    assert_eq!(again.change_feed().lineage, lineage);
    again
        .with_conn(|c| {
            c.execute(
                "INSERT INTO schema_version (version, what) VALUES (99, 'from the future')",
                &[],
            )?;
            Ok(())
        })
        .expect("pretend a newer build migrated");
    drop(again);
    match PgStore::open(&url) {
        Err(StoreError::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (99, PG_SCHEMA_VERSION));
        }
        other => panic!("a newer schema must be refused, got {other:?}"),
    }
}

#[test]
fn a_page_its_notices_versions_and_withdrawal_round_trip() {
    let Some((_url, store)) = store("a_page_its_notices_versions_and_withdrawal_round_trip") else {
        return;
    };
    let first = store
        .record_fetch(PageWrite {
            page: page("http://site.test/a", 10),
            notices: vec![notice(
                "中共柳溪县委员会",
                "柳溪县委",
                "柳溪县委巡察整改通报",
            )],
            raw: Some(b"<html>first</html>".to_vec()),
        })
        .expect("record");
    assert_eq!(first.new_notices.len(), 1);
    let id = first.new_notices[0].clone();
    let stored = store.notice(&id).expect("read").expect("present");
    assert_eq!(stored.found_on, vec!["http://site.test/a".to_owned()]);
    assert_eq!(
        store.page_body("http://site.test/a", 10).expect("body"),
        Some(b"<html>first</html>".to_vec())
    );
    let org = store
        .resolve_organisation("柳溪县委")
        .expect("resolve")
        .expect("alias known");
    assert_eq!(org.notice_ids, vec![id.clone()]);

    // Changed text: a new version, the old one kept, and the page's earlier record kept.
    let mut changed = page("http://site.test/a", 20);
    changed.clean = Some(gazette_notice::CleanDocument {
        text: "更正后的正文".into(),
        ..Default::default()
    });
    let second = crate::record_page(
        &store,
        changed,
        vec![notice(
            "中共柳溪县委员会",
            "柳溪县委",
            "柳溪县委巡察整改通报",
        )],
    )
    .expect("record again");
    assert_eq!(second.updated_notices, vec![id.clone()]);
    assert_eq!(
        store.notice(&id).expect("read").expect("present").version,
        2
    );
    assert_eq!(store.notice_versions(&id).expect("versions").len(), 1);
    assert_eq!(
        store.page_versions("http://site.test/a").expect("pv").len(),
        1
    );

    // The page now carries another organisation's notice: the first is withdrawn.
    let third = crate::record_page(
        &store,
        page("http://site.test/a", 30),
        vec![notice(
            "中共石桥镇委员会",
            "石桥镇党委",
            "石桥镇巡察整改通报",
        )],
    )
    .expect("record a third time");
    assert_eq!(third.withdrawn_notices, vec![id.clone()]);
    assert!(store.notice(&id).expect("read").is_none());
    assert_eq!(store.withdrawn_version(&id).expect("withdrawn"), Some(2));
    assert!(
        store
            .resolve_organisation("柳溪县委")
            .expect("resolve")
            .is_none()
    );

    let kinds: Vec<(String, u64, ChangeKind)> = store
        .changes_after(None, 100)
        .expect("log")
        .into_iter()
        .map(|c| (c.notice_id, c.version, c.kind))
        .collect();
    assert_eq!(kinds[0], (id.clone(), 1, ChangeKind::Created));
    assert_eq!(kinds[1], (id.clone(), 2, ChangeKind::Updated));
    assert!(kinds.contains(&(id.clone(), 2, ChangeKind::Withdrawn)));
    assert_eq!(kinds.len(), 4);
    assert_eq!(store.change_feed().durable_through, 4);
    assert_eq!(
        store.notice_version(&id, 1).expect("v1").map(|n| n.version),
        Some(1)
    );
    assert_eq!(store.page_count().expect("count"), 1);
}

fn dated(title: &str, signed: Option<(u16, u8, u8)>, published: Option<(u16, u8)>) -> Notice {
    Notice {
        signed_on: signed.map(|(year, month, day)| NoticeDate {
            year,
            month,
            day: Some(day),
        }),
        published_at: published.map(|(year, month)| NoticeDateTime {
            date: NoticeDate {
                year,
                month,
                day: None,
            },
            time: None,
        }),
        ..notice("中共河湾区委员会", "河湾区委", title)
    }
}

#[test]
fn every_ordering_pages_through_in_the_apis_order() {
    let Some((_url, store)) = store("every_ordering_pages_through_in_the_apis_order") else {
        return;
    };
    // Ties on every key, keys absent, and fetch times out of insertion order.
    for i in 0..23u8 {
        let signed = (i % 4 != 0).then_some((2020 + u16::from(i % 3), 1 + i % 5, 1 + i % 7));
        let published = (i % 5 != 0).then_some((2021, 1 + i % 3));
        let at = i64::from((i * 7) % 11) * 1000;
        crate::record_page(
            &store,
            page(&format!("http://site.test/n{i}"), at),
            vec![dated(&format!("第{i}号通报"), signed, published)],
        )
        .expect("record");
    }
    let all = store
        .list_ordered(SortField::FetchedAt, true, None, usize::MAX)
        .expect("all")
        .0;
    assert_eq!(all.len(), 23);
    for field in [
        SortField::FetchedAt,
        SortField::PublishedAt,
        SortField::SignedOn,
    ] {
        for descending in [true, false] {
            let mut expected: Vec<SortPosition> =
                all.iter().map(|n| (field.key(n), n.id.clone())).collect();
            expected.sort_by(|a, b| {
                let by_key = match (&a.0, &b.0) {
                    (Some(x), Some(y)) if descending => y.cmp(x),
                    (Some(x), Some(y)) => x.cmp(y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                };
                by_key.then_with(|| a.1.cmp(&b.1))
            });
            let mut seen = Vec::new();
            let mut after = None;
            loop {
                let (page, next, total) = store
                    .list_ordered(field, descending, after.as_ref(), 4)
                    .expect("page");
                assert_eq!(total, 23);
                seen.extend(page.iter().map(|n| (field.key(n), n.id.clone())));
                match next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen, expected, "{field:?} descending={descending}");
            // A filter pages the same way and counts only what it keeps.
            let odd = |n: &StoredNotice| n.id.as_bytes().last().is_some_and(|b| b % 2 == 1);
            let (kept, _, total) = store
                .list_filtered(field, descending, None, 100, &odd)
                .expect("filtered");
            let expected_kept: Vec<&String> = expected
                .iter()
                .map(|(_, id)| id)
                .filter(|id| id.as_bytes().last().is_some_and(|b| b % 2 == 1))
                .collect();
            assert_eq!(total, expected_kept.len());
            assert_eq!(
                kept.iter().map(|n| &n.id).collect::<Vec<_>>(),
                expected_kept
            );
        }
    }
    // The trait's fetch-time listing with its byte cursors agrees.
    let mut cursor = None;
    let mut ids = Vec::new();
    loop {
        let slice = store
            .list_notices(NoticeOrder::FetchedDesc, cursor.as_deref(), 5, None)
            .expect("list");
        ids.extend(slice.notices.iter().map(|n| n.id.clone()));
        match slice.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(ids, all.iter().map(|n| n.id.clone()).collect::<Vec<_>>());
    let filtered = store
        .list_notices(
            NoticeOrder::FetchedDesc,
            None,
            3,
            Some(&|n: &StoredNotice| n.notice.signed_on.is_some()),
        )
        .expect("filtered");
    assert_eq!(filtered.notices.len(), 3);
    assert!(filtered.next_cursor.is_some());
}

#[test]
fn calls_work_from_plain_threads_blocking_threads_and_async_tasks() {
    let Some((_url, store)) =
        store("calls_work_from_plain_threads_blocking_threads_and_async_tasks")
    else {
        return;
    };
    let plain = store.clone();
    std::thread::spawn(move || plain.page_count().expect("from a plain thread"))
        .join()
        .expect("thread");
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let s = store.clone();
    multi.block_on(async move {
        let b = s.clone();
        tokio::task::spawn_blocking(move || b.page_count().expect("from spawn_blocking"))
            .await
            .expect("join");
        // Inline on a worker thread, as GetNotice runs.
        let t = s.clone();
        tokio::spawn(async move { t.notice("0123456789abcdef").expect("from a task") })
            .await
            .expect("join");
    });
    let single = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let s = store.clone();
    single.block_on(async move {
        assert_eq!(s.page_count().expect("from a current-thread task"), 0);
        // The last handle dropped inside a task closes the pool without a panic.
        drop(s);
    });
    drop(multi);
}

#[test]
fn two_replicas_writing_the_same_pages_make_one_notice_and_an_ordered_log() {
    let Some((url, a)) =
        store("two_replicas_writing_the_same_pages_make_one_notice_and_an_ordered_log")
    else {
        return;
    };
    let b = PgStore::open(&url).expect("second replica");
    assert_eq!(a.change_feed().lineage, b.change_feed().lineage);
    let mut watched = b.subscribe_changes();
    let writers: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .enumerate()
        .map(|(w, store)| {
            std::thread::spawn(move || {
                for i in 0..15 {
                    // Both replicas store the same notice from the same page, and one of
                    // their own.
                    crate::record_page(
                        &store,
                        page("http://site.test/shared", 1000 + i),
                        vec![notice(
                            "中共东港区委员会",
                            "东港区委",
                            "东港区委巡察整改通报",
                        )],
                    )
                    .expect("shared page");
                    crate::record_page(
                        &store,
                        page(&format!("http://site.test/own{w}-{i}"), 2000 + i),
                        vec![notice(
                            "中共东港区委员会",
                            "东港区委",
                            &format!("东港区第{w}-{i}号通报"),
                        )],
                    )
                    .expect("own page");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer");
    }
    let all = a
        .list_notices(NoticeOrder::FetchedDesc, None, 1000, None)
        .expect("list");
    assert_eq!(
        all.total_matching, 31,
        "one shared notice and 30 of their own"
    );
    let log = b.changes_after(None, 1000).expect("log");
    let seqs: Vec<u64> = log.iter().map(|c| c.seq).collect();
    assert_eq!(
        seqs,
        (1..=31).collect::<Vec<u64>>(),
        "positions contiguous, in order"
    );
    assert!(log.iter().all(|c| c.kind == ChangeKind::Created));
    let org = a
        .resolve_organisation("东港区委")
        .expect("resolve")
        .expect("one organisation");
    assert_eq!(org.notice_ids.len(), 31);
    // The other replica's watch channel reaches the end of the log (by notification).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        while *watched.borrow_and_update() < 31 {
            watched.changed().await.expect("feed open");
        }
    });
}

#[test]
fn a_watcher_on_one_replica_is_woken_by_a_write_on_another() {
    let Some((url, writer)) = store("a_watcher_on_one_replica_is_woken_by_a_write_on_another")
    else {
        return;
    };
    // A fallback poll longer than any test: only the notification can wake the watcher.
    let options = PgOptions {
        feed_poll: Duration::from_secs(3600),
        ..PgOptions::default()
    };
    let watcher = PgStore::open_with(&url, options).expect("watching replica");
    let mut changes = watcher.subscribe_changes();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // The listener has read the feed once connected; a write after that is notified.
        let writing = tokio::task::spawn_blocking(move || {
            crate::record_page(
                &writer,
                page("http://site.test/w", 5),
                vec![notice(
                    "中共北林区委员会",
                    "北林区委",
                    "北林区委巡察整改通报",
                )],
            )
            .expect("write")
        });
        writing.await.expect("join");
        while *changes.borrow_and_update() < 1 {
            changes.changed().await.expect("feed open");
        }
    });
    assert_eq!(watcher.change_feed().durable_through, 1);
}

#[test]
fn frontier_leases_share_work_and_expire_to_other_replicas() {
    let Some((url, a)) = store("frontier_leases_share_work_and_expire_to_other_replicas") else {
        return;
    };
    let b = PgStore::open(&url).expect("second replica");
    let seeds: Vec<FrontierEntry> = (0..6)
        .map(|i| entry(&format!("http://site.test/p{i}"), FrontierKind::Notice))
        .collect();
    let run = a.frontier_begin("src", &seeds, 100, 50, 10).expect("begin");
    assert!(!run.resumed);
    assert_eq!(run.notices_queued, 6);
    let again = b
        .frontier_begin("src", &seeds, 200, 50, 10)
        .expect("join run");
    assert!(again.resumed, "the other replica joins the run");

    let mine = a
        .frontier_claim(
            "src",
            Lease {
                worker: "a",
                now_ms: 1_000,
                until_ms: 61_000,
            },
            4,
        )
        .expect("claim a")
        .entries;
    let claimed = b
        .frontier_claim(
            "src",
            Lease {
                worker: "b",
                now_ms: 1_000,
                until_ms: 61_000,
            },
            4,
        )
        .expect("claim b");
    assert_eq!(
        (claimed.leased_to_others, claimed.next_expiry_ms),
        (4, Some(61_000))
    );
    let theirs = claimed.entries;
    assert_eq!(mine.len(), 4);
    assert_eq!(theirs.len(), 2, "leased entries are not handed out twice");
    let mut all: Vec<u64> = mine.iter().chain(&theirs).map(|(s, _)| *s).collect();
    all.sort_unstable();
    assert_eq!(all, (0..6).collect::<Vec<u64>>());
    assert!(
        b.frontier_claim(
            "src",
            Lease {
                worker: "b",
                now_ms: 2_000,
                until_ms: 62_000
            },
            4
        )
        .expect("none")
        .entries
        .is_empty()
    );

    // a completes two (one finding a link already seen, one a new one) and dies.
    for (seq, e) in &mine[..2] {
        a.frontier_complete(
            "src",
            Completion {
                seq: *seq,
                url: e.url.clone(),
                discovered: vec![
                    entry("http://site.test/p5", FrontierKind::Notice),
                    entry("http://site.test/p9", FrontierKind::Notice),
                ],
                max_notices: 50,
                max_lists: 10,
                page: Some(PageWrite {
                    page: page(&e.url, 3_000),
                    notices: vec![notice("中共南岭乡委员会", "南岭乡党委", &e.url)],
                    raw: None,
                }),
            },
        )
        .expect("complete");
    }
    let finish_entries = |store: &PgStore, entries: &[(u64, FrontierEntry)]| {
        for (seq, e) in entries {
            store
                .frontier_complete(
                    "src",
                    Completion {
                        seq: *seq,
                        url: e.url.clone(),
                        max_notices: 50,
                        max_lists: 10,
                        ..Completion::default()
                    },
                )
                .expect("complete");
        }
    };
    finish_entries(&b, &theirs);
    // a's remaining two leases expire; b takes them over, with the new link.
    let taken = b
        .frontier_claim(
            "src",
            Lease {
                worker: "b",
                now_ms: 61_001,
                until_ms: 121_001,
            },
            10,
        )
        .expect("take over")
        .entries;
    let urls: Vec<&str> = taken.iter().map(|(_, e)| e.url.as_str()).collect();
    assert_eq!(urls.len(), 3, "{urls:?}");
    assert!(urls.contains(&"http://site.test/p9"));
    assert!(
        !b.frontier_finish("src").expect("finish while queued"),
        "a run with entries left goes on"
    );
    assert!(
        b.frontier_begin("src", &[], 9, 50, 10)
            .expect("still on")
            .resumed
    );
    finish_entries(&b, &taken);
    assert!(
        frontier::pending(&a, "src", 10)
            .expect("pending")
            .is_empty()
    );
    assert!(b.frontier_finish("src").expect("finish"));
    let fresh = a
        .frontier_begin("src", &seeds, 70_000, 50, 10)
        .expect("new run");
    assert!(!fresh.resumed, "the finished run is gone");
    assert_eq!(a.page_count().expect("pages"), 2);
}

#[test]
fn leases_are_renewed_released_and_lost_to_a_claim_after_expiry() {
    let Some((_url, a)) = store("leases_are_renewed_released_and_lost_to_a_claim_after_expiry")
    else {
        return;
    };
    let seeds: Vec<FrontierEntry> = (0..3)
        .map(|i| entry(&format!("http://site.test/r{i}"), FrontierKind::List))
        .collect();
    a.frontier_begin("src", &seeds, 0, 10, 10).expect("begin");
    let held = a
        .frontier_claim(
            "src",
            Lease {
                worker: "w1",
                now_ms: 0,
                until_ms: 100,
            },
            3,
        )
        .expect("claim")
        .entries;
    assert_eq!(held.len(), 3);
    // Renewed past its expiry while no one else claimed it: still w1's.
    assert_eq!(
        a.frontier_renew(
            "src",
            Lease {
                worker: "w1",
                now_ms: 200,
                until_ms: 300
            },
            &[0, 1]
        )
        .expect("renew"),
        vec![0, 1]
    );
    assert!(
        a.frontier_renew(
            "src",
            Lease {
                worker: "w2",
                now_ms: 200,
                until_ms: 300
            },
            &[0]
        )
        .expect("not w2's")
        .is_empty()
    );
    // Entry 2 expired at 100 and w2 takes it: w1 has lost it.
    let taken = a
        .frontier_claim(
            "src",
            Lease {
                worker: "w2",
                now_ms: 150,
                until_ms: 250,
            },
            3,
        )
        .expect("claim")
        .entries;
    assert_eq!(taken.iter().map(|(s, _)| *s).collect::<Vec<_>>(), vec![2]);
    assert!(
        a.frontier_renew(
            "src",
            Lease {
                worker: "w1",
                now_ms: 200,
                until_ms: 400
            },
            &[2]
        )
        .expect("lost")
        .is_empty()
    );
    // Released entries are claimable at once.
    a.frontier_release("src", "w1", &[0]).expect("release");
    let again = a
        .frontier_claim(
            "src",
            Lease {
                worker: "w3",
                now_ms: 160,
                until_ms: 260,
            },
            3,
        )
        .expect("claim");
    assert_eq!(
        again.entries.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        vec![0]
    );
    assert_eq!(again.leased_to_others, 2);
    assert_eq!(again.next_expiry_ms, Some(250));
    assert!(a.frontier_run("src").expect("run").is_some());
}

#[test]
fn one_replica_claims_each_scheduled_run() {
    let Some((url, a)) = store("one_replica_claims_each_scheduled_run") else {
        return;
    };
    let b = PgStore::open(&url).expect("second replica");
    assert!(
        a.claim_run(
            "src",
            1_000,
            Lease {
                worker: "a",
                now_ms: 1_000,
                until_ms: 2_000
            }
        )
        .expect("a claims")
    );
    assert!(
        !b.claim_run(
            "src",
            1_000,
            Lease {
                worker: "b",
                now_ms: 1_010,
                until_ms: 2_010
            }
        )
        .expect("b waits")
    );
    assert!(
        a.claim_run(
            "src",
            1_000,
            Lease {
                worker: "a",
                now_ms: 1_500,
                until_ms: 2_500
            }
        )
        .expect("a renews")
    );
    assert!(
        !b.claim_run(
            "src",
            1_000,
            Lease {
                worker: "b",
                now_ms: 2_600,
                until_ms: 3_600
            }
        )
        .expect("same run: started once")
    );
    assert!(
        !b.claim_run(
            "src",
            5_000,
            Lease {
                worker: "b",
                now_ms: 2_400,
                until_ms: 3_400
            }
        )
        .expect("a's claim is live")
    );
    assert!(
        b.claim_run(
            "src",
            5_000,
            Lease {
                worker: "b",
                now_ms: 2_500,
                until_ms: 3_500
            }
        )
        .expect("expired: the next run")
    );
    assert!(
        !a.claim_run(
            "src",
            5_000,
            Lease {
                worker: "a",
                now_ms: 2_600,
                until_ms: 3_600
            }
        )
        .expect("now b's")
    );
    b.release_run("src", "b").expect("release");
    assert!(
        !a.claim_run(
            "src",
            5_000,
            Lease {
                worker: "a",
                now_ms: 2_700,
                until_ms: 3_700
            }
        )
        .expect("that run was claimed")
    );
    assert!(
        a.claim_run(
            "src",
            9_000,
            Lease {
                worker: "a",
                now_ms: 2_700,
                until_ms: 3_700
            }
        )
        .expect("released: the next run")
    );
    assert!(
        b.claim_run(
            "other",
            9_000,
            Lease {
                worker: "b",
                now_ms: 2_700,
                until_ms: 3_700
            }
        )
        .expect("per source")
    );
}

/// Set in the child process of the SIGKILL test: the database it writes to.
const DURABILITY_CHILD: &str = "GAZETTE_PG_DURABILITY_CHILD";

#[test]
fn an_acknowledged_write_survives_sigkill_of_the_writer() {
    use std::io::BufRead as _;
    if let Ok(url) = std::env::var(DURABILITY_CHILD) {
        // The child: write pages, saying which after each write returned, until killed (or a
        // bound, so it ends by itself if the parent died).
        let store = PgStore::open(&url).expect("child opens the store");
        for i in 0..10_000i64 {
            let url = format!("http://site.test/kill/{i}");
            crate::record_page(
                &store,
                page(&url, i),
                vec![notice(
                    "中共西坪镇委员会",
                    "西坪镇党委",
                    &format!("西坪镇第{i}号通报"),
                )],
            )
            .expect("child write");
            println!("acked {url}");
        }
        return;
    }
    let Some((url, _store)) = store("an_acknowledged_write_survives_sigkill_of_the_writer") else {
        return;
    };
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "postgres::tests::an_acknowledged_write_survives_sigkill_of_the_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(DURABILITY_CHILD, &url)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the writer");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut acked = Vec::new();
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("read the writer");
        if let Some(url) = line.strip_prefix("acked ") {
            acked.push(url.to_owned());
            if acked.len() == 40 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL the writer");
    child.wait().expect("reap the writer");
    assert_eq!(
        acked.len(),
        40,
        "the writer acknowledged 40 writes before it was killed"
    );
    let store = PgStore::open(&url).expect("reopen");
    for url in &acked {
        let page = store
            .page(url)
            .expect("read")
            .expect("acknowledged page kept");
        assert_eq!(page.notice_ids.len(), 1);
        assert!(store.notice(&page.notice_ids[0]).expect("read").is_some());
    }
    let logged = store.changes_after(None, 100_000).expect("log").len();
    assert!(
        logged >= acked.len(),
        "every acknowledged notice is in the change log"
    );
}

#[test]
fn cursor_positions_round_trip_and_garbage_is_refused() {
    for position in [
        (
            Some("2024-03-05T09:30".to_owned()),
            "0123456789abcdef".to_owned(),
        ),
        (None, "fedcba9876543210".to_owned()),
        (Some(String::new()), "00".to_owned()),
    ] {
        assert_eq!(
            decode_position(&encode_position(&position)).expect("round trip"),
            position
        );
    }
    assert!(decode_position(b"").is_err());
    assert!(decode_position(b"\x01no-nul").is_err());
    assert!(decode_position(b"\x01\xff\x00id").is_err());
}

/// The store conformance suite, unchanged, each case on fresh databases. Every case runs even
/// when one fails, so that the report names them all.
#[test]
fn the_conformance_suite_passes_on_postgresql() {
    if test_server::fresh_database_or_skip("the_conformance_suite_passes_on_postgresql").is_none() {
        return;
    }
    let factory = || -> Arc<dyn crate::Store> {
        let url = test_server::fresh_database().expect("a fresh database");
        Arc::new(PgStore::open(&url).expect("open a fresh store"))
    };
    let mut failed = Vec::new();
    for (name, case) in crate::conformance::CASES {
        eprintln!("conformance on PostgreSQL: {name}");
        if std::panic::catch_unwind(|| case(&factory)).is_err() {
            failed.push(*name);
        }
    }
    assert!(failed.is_empty(), "failed cases: {failed:?}");
}
