//! The conformance suite every backend passes: one set of checks written against `&dyn Store`
//! only, so that the sled store (in this crate's tests) and any other backend (in its own
//! tests, with the `conformance` feature) run the very same cases unchanged.
//!
//! A backend's test calls [`run_all`] with a factory that returns a fresh, empty store each
//! time (cases open more than one: export and copy need a target), or one test per entry of
//! [`CASES`]. A failed check panics naming what differed, as a test should.
//!
//! Covered: a page and its notices written and read back (bodies, pages, counts), notice
//! identity across URLs, versions and the change log, edits kept under their id (aliases),
//! withdrawal and return, `found_on`, organisations and resolution by alias, every listing
//! order with cursors and filters, the change feed's order, resume and wake-up, the frontier
//! (begin, resume, claim with leases and expiry, renew, release, complete, finish), schedule
//! claims, export and import with counts, copy into another store, verify and stats.
//!
//! The durability promise (a write acknowledged to a client survives SIGKILL of the process)
//! needs a process to kill: `tests/e2e/durability.rs` runs it against `gazette serve
//! --store LOCATION`, a data directory, and a database URL from `GAZETTE_TEST_STORE_URL`.

use crate::maintenance::{copy, export, import};
use crate::records::{Completion, FrontierEntry, FrontierKind, PageRecord, PageWrite};
use crate::{Lease, NoticeOrder, Store, StoredNotice, record_page};
use gazette_notice::{Issue, IssueStatus, Notice, NoticeDate, NoticeDateTime};
use std::sync::Arc;

/// Opens a fresh, empty store of the backend under test.
pub type Factory<'a> = &'a dyn Fn() -> Arc<dyn Store>;

/// One check of the suite.
pub type Case = fn(Factory<'_>);

/// Every case, by name.
pub const CASES: &[(&str, Case)] = &[
    ("page_and_notices_round_trip", page_and_notices_round_trip),
    ("one_notice_from_two_urls", one_notice_from_two_urls),
    ("versions_and_change_log", versions_and_change_log),
    ("edits_keep_their_id", edits_keep_their_id),
    ("withdrawal_and_return", withdrawal_and_return),
    ("organisations_and_aliases", organisations_and_aliases),
    ("listing_orders_and_cursors", listing_orders_and_cursors),
    ("change_feed_resume_and_wake", change_feed_resume_and_wake),
    (
        "frontier_runs_resume_and_finish",
        frontier_runs_resume_and_finish,
    ),
    ("frontier_leases_and_expiry", frontier_leases_and_expiry),
    ("schedule_claims", schedule_claims),
    ("export_import_round_trip", export_import_round_trip),
    (
        "import_merge_takes_a_new_lineage",
        import_merge_takes_a_new_lineage,
    ),
    ("copy_between_stores", copy_between_stores),
    ("verify_and_stats", verify_and_stats),
];

/// Runs every case, each on fresh stores from `factory`.
pub fn run_all(factory: Factory<'_>) {
    for (name, case) in CASES {
        eprintln!("conformance: {name}");
        case(factory);
    }
}

// The record builders below are the crate's test fixtures too (`crate::tests`,
// `crate::postgres::tests`), so that every backend's tests write the same records.

/// A notice of `org` (known also as `alias`) titled `title`, with one completed issue.
pub(crate) fn notice(org: &str, alias: &str, title: &str) -> Notice {
    Notice {
        title: Some(title.into()),
        organisation: Some(org.into()),
        organisation_aliases: vec![alias.into()],
        issues: vec![Issue {
            number: "1".into(),
            title: "整改问题".into(),
            status: IssueStatus::Completed,
            category_path: vec![],
        }],
        ..Notice::default()
    }
}

/// A notice titled `title` signed and published on the given ISO dates, if any.
pub(crate) fn dated(title: &str, signed: Option<&str>, published: Option<&str>) -> Notice {
    Notice {
        signed_on: signed.and_then(NoticeDate::parse_iso),
        published_at: published.and_then(NoticeDateTime::parse_iso),
        ..notice("中共丙市委员会", "丙市委", title)
    }
}

/// A page of `url` fetched at `at`, its content hash differing with each fetch time.
pub(crate) fn page(url: &str, at: i64) -> PageRecord {
    PageRecord {
        url: url.into(),
        final_url: url.into(),
        status: 200,
        content_sha256: format!("sha-{url}-{at}"),
        fetched_at_ms: at,
        ..PageRecord::default()
    }
}

/// A frontier entry for `url` found at depth 0, with no parent.
pub(crate) fn entry(url: &str, kind: FrontierKind) -> FrontierEntry {
    FrontierEntry {
        url: url.into(),
        kind,
        depth: 0,
        parent: None,
    }
}

fn lease(worker: &str, now_ms: i64) -> Lease<'_> {
    Lease {
        worker,
        now_ms,
        until_ms: now_ms + 1_000,
    }
}

fn only_new(store: &dyn Store, url: &str, at: i64, notices: Vec<Notice>) -> String {
    let outcome = record_page(store, page(url, at), notices).expect("record a page");
    assert_eq!(outcome.new_notices.len(), 1, "{outcome:?}");
    outcome.new_notices[0].clone()
}

/// A page, its notice, its raw bytes and its organisation are written and read back.
pub fn page_and_notices_round_trip(factory: Factory<'_>) {
    let store = factory();
    let raw = "<html><body>巡察整改情况通报 \u{2014} 正文</body></html>".as_bytes();
    let outcome = store
        .record_fetch(PageWrite {
            page: page("http://a.test/1", 10),
            notices: vec![notice("中共甲区委员会", "甲区委", "通报一")],
            raw: Some(raw.to_vec()),
        })
        .expect("record");
    assert_eq!(outcome.new_notices.len(), 1);
    let id = &outcome.new_notices[0];
    let stored = store.notice(id).expect("read").expect("present");
    assert_eq!(stored.source_uri, "http://a.test/1");
    assert_eq!(stored.notice.title.as_deref(), Some("通报一"));
    assert_eq!(stored.version.max(1), 1);
    assert_eq!(stored.found_on, ["http://a.test/1"]);
    let stored_page = store.page("http://a.test/1").expect("read").expect("page");
    assert!(stored_page.body_stored);
    assert_eq!(stored_page.notice_ids, std::slice::from_ref(id));
    assert_eq!(
        store
            .page_body("http://a.test/1", 10)
            .expect("body")
            .as_deref(),
        Some(raw)
    );
    assert_eq!(store.page_body("http://a.test/1", 11).expect("body"), None);
    assert_eq!(store.page("http://a.test/none").expect("read"), None);
    assert_eq!(store.notice("0000000000000000").expect("read"), None);
    // Several at once: the ones that exist, unknown ids skipped.
    let several = store
        .notices(&[id.clone(), "0000000000000000".to_owned(), id.clone()])
        .expect("read several");
    assert!(
        !several.is_empty() && several.iter().all(|n| n.id == *id),
        "{several:?}"
    );
    assert!(store.notices(&[]).expect("read none").is_empty());
    assert_eq!(store.page_count().expect("count"), 1);
    only_new(
        &*store,
        "http://a.test/2",
        11,
        vec![notice("中共乙县委员会", "乙县委", "通报二")],
    );
    let urls: Vec<String> = store
        .pages(None, 10)
        .expect("pages")
        .into_iter()
        .map(|p| p.url)
        .collect();
    assert_eq!(urls, ["http://a.test/1", "http://a.test/2"]);
    let after: Vec<String> = store
        .pages(Some("http://a.test/1"), 10)
        .expect("pages")
        .into_iter()
        .map(|p| p.url)
        .collect();
    assert_eq!(after, ["http://a.test/2"]);
    // A changed page keeps its earlier record as a version.
    record_page(
        &*store,
        page("http://a.test/1", 20),
        vec![notice("中共甲区委员会", "甲区委", "通报一")],
    )
    .expect("refetch");
    let versions = store.page_versions("http://a.test/1").expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].fetched_at_ms, 10);
}

/// The same notice found at two URLs is one notice that lists both.
pub fn one_notice_from_two_urls(factory: Factory<'_>) {
    let store = factory();
    let id = only_new(
        &*store,
        "http://a.test/1",
        1,
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    );
    let again = record_page(
        &*store,
        page("http://b.test/9", 2),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("second url");
    assert!(again.new_notices.is_empty(), "{again:?}");
    let stored = store.notice(&id).expect("read").expect("present");
    let mut found_on = stored.found_on.clone();
    found_on.sort();
    assert_eq!(found_on, ["http://a.test/1", "http://b.test/9"]);
    let all = store
        .list_notices(NoticeOrder::FetchedDesc, None, 10, None)
        .expect("list");
    assert_eq!(all.total_matching, 1);
}

/// A changed notice gets a new version, its earlier one is kept, and each is logged once.
pub fn versions_and_change_log(factory: Factory<'_>) {
    let store = factory();
    let mut first = notice("中共甲区委员会", "甲区委", "通报");
    first.issues[0].status = IssueStatus::InProgress;
    let id = only_new(&*store, "http://a.test/1", 1, vec![first]);
    let second = record_page(
        &*store,
        page("http://a.test/1", 2),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("changed");
    assert_eq!(second.updated_notices, std::slice::from_ref(&id));
    let current = store.notice(&id).expect("read").expect("present");
    assert_eq!(current.version, 2);
    assert_eq!(current.notice.issues[0].status, IssueStatus::Completed);
    let earlier = store.notice_versions(&id).expect("versions");
    assert_eq!(earlier.len(), 1);
    assert_eq!(earlier[0].notice.issues[0].status, IssueStatus::InProgress);
    let v1 = store.notice_version(&id, 1).expect("read").expect("v1");
    assert_eq!(v1.notice.issues[0].status, IssueStatus::InProgress);
    let v2 = store.notice_version(&id, 2).expect("read").expect("v2");
    assert_eq!(v2.version, 2);
    assert_eq!(store.notice_version(&id, 3).expect("read"), None);
    let log = store.changes_after(None, 100).expect("log");
    let kinds: Vec<(crate::ChangeKind, u64)> = log.iter().map(|c| (c.kind, c.version)).collect();
    assert_eq!(
        kinds,
        [
            (crate::ChangeKind::Created, 1),
            (crate::ChangeKind::Updated, 2)
        ]
    );
    // The same content again is a refresh: no version, no change.
    record_page(
        &*store,
        page("http://a.test/1", 3),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("refresh");
    assert_eq!(
        store.notice(&id).expect("read").expect("present").version,
        2
    );
    assert_eq!(store.changes_after(None, 100).expect("log").len(), 2);
}

/// A notice whose title a page corrects keeps its id, here and wherever the corrected text
/// is found later (an alias).
pub fn edits_keep_their_id(factory: Factory<'_>) {
    let store = factory();
    let id = only_new(
        &*store,
        "http://a.test/1",
        1,
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    );
    let corrected = notice("中共甲区委员会", "甲区委", "通报（更正）");
    let edit =
        record_page(&*store, page("http://a.test/1", 2), vec![corrected.clone()]).expect("edit");
    assert!(edit.new_notices.is_empty(), "{edit:?}");
    assert_eq!(edit.updated_notices, std::slice::from_ref(&id));
    let elsewhere =
        record_page(&*store, page("http://b.test/1", 3), vec![corrected]).expect("elsewhere");
    assert!(elsewhere.new_notices.is_empty(), "{elsewhere:?}");
    let stored = store.notice(&id).expect("read").expect("present");
    assert_eq!(stored.notice.title.as_deref(), Some("通报（更正）"));
    assert_eq!(stored.carriers().len(), 2);
}

/// A notice no page carries is withdrawn (out of listings, its version kept) and comes back
/// with its history when a page carries it again; a notice another page carries stays.
pub fn withdrawal_and_return(factory: Factory<'_>) {
    let store = factory();
    let id = only_new(
        &*store,
        "http://a.test/1",
        1,
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    );
    let other = notice("中共乙县委员会", "乙县委", "另一份通报");
    let moved = record_page(&*store, page("http://a.test/1", 2), vec![other]).expect("replaced");
    assert_eq!(moved.withdrawn_notices, std::slice::from_ref(&id));
    assert_eq!(store.notice(&id).expect("read"), None);
    assert_eq!(store.withdrawn_version(&id).expect("read"), Some(1));
    assert_eq!(store.notice_versions(&id).expect("versions").len(), 1);
    let listed = store
        .list_notices(NoticeOrder::FetchedDesc, None, 10, None)
        .expect("list");
    assert_eq!(listed.total_matching, 1);
    assert!(listed.notices.iter().all(|n| n.id != id));
    let org = store.resolve_organisation("甲区委").expect("resolve");
    assert!(org.is_none_or(|o| !o.notice_ids.contains(&id)));
    let log = store.changes_after(None, 100).expect("log");
    assert!(
        log.iter()
            .any(|c| c.notice_id == id && c.kind == crate::ChangeKind::Withdrawn)
    );
    // Back on another page: the same id, its history intact.
    let back = record_page(
        &*store,
        page("http://c.test/1", 3),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("back");
    assert!(
        back.new_notices.contains(&id) || back.updated_notices.contains(&id),
        "{back:?}"
    );
    assert_eq!(store.withdrawn_version(&id).expect("read"), None);
    assert!(store.notice(&id).expect("read").is_some());
    // Carried by two pages, dropped by one: kept.
    record_page(
        &*store,
        page("http://d.test/1", 4),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("second carrier");
    let dropped = record_page(
        &*store,
        page("http://c.test/1", 5),
        vec![dated("别的通报", None, None)],
    )
    .expect("dropped by one");
    assert!(dropped.withdrawn_notices.is_empty(), "{dropped:?}");
    let kept = store.notice(&id).expect("read").expect("kept");
    assert_eq!(kept.carriers(), ["http://d.test/1"]);
}

/// Organisations list in id order with a cursor and resolve by id, full name or alias.
pub fn organisations_and_aliases(factory: Factory<'_>) {
    let store = factory();
    let a = only_new(
        &*store,
        "http://a.test/1",
        1,
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    );
    only_new(
        &*store,
        "http://a.test/2",
        2,
        vec![notice("中共乙县委员会", "乙县委", "通报")],
    );
    only_new(
        &*store,
        "http://a.test/3",
        3,
        vec![notice("中共丙市委员会", "丙市委", "通报")],
    );
    let org = store
        .resolve_organisation("甲区委")
        .expect("resolve")
        .expect("alias");
    assert_eq!(org.display_name, "中共甲区委员会");
    assert_eq!(org.notice_ids, [a]);
    let by_name = store
        .resolve_organisation("中共甲区委员会")
        .expect("resolve")
        .expect("name");
    assert_eq!(by_name.id, org.id);
    let by_id = store
        .resolve_organisation(&org.id)
        .expect("resolve")
        .expect("id");
    assert_eq!(by_id, org);
    assert_eq!(
        store.resolve_organisation("无此单位").expect("resolve"),
        None
    );
    let all = store.organisations(None, 10).expect("list");
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id));
    let first = store.organisations(None, 2).expect("page 1");
    let rest = store.organisations(Some(&first[1].id), 2).expect("page 2");
    assert_eq!(first.len() + rest.len(), 3);
    assert_eq!(rest[0], all[2]);
}

/// Stores notices with varied dates (some missing, some sharing a key) for listing checks.
fn varied_notices(store: &dyn Store) {
    let dates = [
        (Some("2024-03-05"), Some("2024-03-06T09:30")),
        (Some("2024-03"), Some("2024-03-06")),
        (None, Some("2023-12-31T23:59")),
        (Some("2023-11-30"), None),
        (Some("2024-03-05"), Some("2024-03-06T09:30")),
        (None, None),
        (Some("2025-01-02"), Some("2025-01-02T08:00")),
    ];
    for (i, (signed, published)) in dates.into_iter().enumerate() {
        let at = 1_000 + i64::try_from(i % 4).expect("small") * 10;
        only_new(
            store,
            &format!("http://list.test/{i}"),
            at,
            vec![dated(&format!("第{i}号通报"), signed, published)],
        );
    }
}

/// Pages through a whole listing `limit` at a time.
fn walk(
    store: &dyn Store,
    order: NoticeOrder,
    limit: usize,
    keep: Option<&dyn Fn(&StoredNotice) -> bool>,
) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut cursor: Option<Vec<u8>> = None;
    let mut total = None;
    for _ in 0..100 {
        let slice = store
            .list_notices(order, cursor.as_deref(), limit, keep)
            .expect("list");
        assert!(slice.notices.len() <= limit);
        assert_eq!(
            *total.get_or_insert(slice.total_matching),
            slice.total_matching
        );
        ids.extend(slice.notices.iter().map(|n| n.id.clone()));
        match slice.next_cursor {
            Some(next) => cursor = Some(next),
            None => return (ids, total.unwrap_or(0)),
        }
    }
    panic!("{order:?}: the listing never ended");
}

/// Every order lists every notice once, in [`NoticeOrder::compare`]'s order, page by page,
/// filtered or not, and `notice_cursor` continues right after a notice.
pub fn listing_orders_and_cursors(factory: Factory<'_>) {
    let store = factory();
    varied_notices(&*store);
    let everything = store
        .list_notices(NoticeOrder::FetchedDesc, None, 100, None)
        .expect("list");
    assert_eq!(everything.total_matching, 7);
    assert_eq!(everything.next_cursor, None);
    let notices: Vec<Arc<StoredNotice>> = everything.notices;
    let signed_2024 = |n: &StoredNotice| n.notice.signed_on.is_some_and(|d| d.year == 2024);
    for order in NoticeOrder::ALL {
        let mut expected: Vec<&StoredNotice> = notices.iter().map(|n| &**n).collect();
        expected.sort_by(|a, b| order.compare(a, b));
        let expected_ids: Vec<String> = expected.iter().map(|n| n.id.clone()).collect();
        for limit in [1, 2, 3, 7] {
            let (ids, total) = walk(&*store, order, limit, None);
            assert_eq!(ids, expected_ids, "{order:?} by {limit}");
            assert_eq!(total, 7);
            let (kept, kept_total) = walk(&*store, order, limit, Some(&signed_2024));
            let expected_kept: Vec<String> = expected
                .iter()
                .filter(|n| signed_2024(n))
                .map(|n| n.id.clone())
                .collect();
            assert_eq!(kept, expected_kept, "{order:?} filtered by {limit}");
            assert_eq!(kept_total, expected_kept.len());
        }
        // A caller that returns fewer notices than it got continues from the last it returned.
        let cursor = store.notice_cursor(order, expected[2]);
        let rest = store
            .list_notices(order, Some(&cursor), 100, None)
            .expect("continue");
        let rest_ids: Vec<String> = rest.notices.iter().map(|n| n.id.clone()).collect();
        assert_eq!(
            rest_ids,
            expected_ids[3..],
            "{order:?} from a notice's cursor"
        );
    }
}

/// The change log is in commit order, resumes after any position, and a subscriber is woken
/// by a write.
pub fn change_feed_resume_and_wake(factory: Factory<'_>) {
    let store = factory();
    let empty = store.change_feed();
    assert_ne!(empty.lineage, 0);
    assert_eq!(empty.durable_through, 0);
    assert!(store.changes_after(None, 10).expect("log").is_empty());
    let mut subscriber = store.subscribe_changes();
    subscriber.borrow_and_update();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(only_new(
            &*store,
            &format!("http://feed.test/{i}"),
            i,
            vec![notice("中共甲区委员会", "甲区委", &format!("通报{i}"))],
        ));
    }
    assert!(
        subscriber.has_changed().expect("store alive"),
        "a write wakes subscribers"
    );
    let log = store.changes_after(None, 100).expect("log");
    assert_eq!(
        log.iter().map(|c| c.notice_id.clone()).collect::<Vec<_>>(),
        ids
    );
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    let feed = store.change_feed();
    assert_eq!(feed.lineage, empty.lineage);
    assert_eq!(feed.durable_through, log[4].seq);
    assert_eq!(*subscriber.borrow_and_update(), log[4].seq);
    let resumed = store.changes_after(Some(log[1].seq), 100).expect("resume");
    assert_eq!(resumed, log[2..]);
    let limited = store.changes_after(Some(log[0].seq), 2).expect("resume");
    assert_eq!(limited, log[1..3]);
    assert!(
        store
            .changes_after(Some(log[4].seq), 10)
            .expect("end")
            .is_empty()
    );
}

fn complete(store: &dyn Store, source: &str, seq: u64, url: &str, found: Vec<FrontierEntry>) {
    store
        .frontier_complete(
            source,
            Completion {
                seq,
                url: url.into(),
                discovered: found,
                max_notices: 3,
                max_lists: 10,
                page: Some(PageWrite {
                    page: page(url, 50),
                    notices: Vec::new(),
                    raw: Some(b"<html></html>".to_vec()),
                }),
            },
        )
        .expect("complete");
}

/// A run is begun, resumed rather than restarted, dedupes and caps what it queues, keeps
/// sources apart, and finishes only once nothing is queued.
pub fn frontier_runs_resume_and_finish(factory: Factory<'_>) {
    let store = factory();
    let seeds = [
        entry("http://f.test/list", FrontierKind::List),
        entry("http://f.test/1", FrontierKind::Notice),
    ];
    assert_eq!(store.frontier_run("s").expect("run"), None);
    let run = store.frontier_begin("s", &seeds, 7, 3, 10).expect("begin");
    assert!(!run.resumed);
    store
        .frontier_begin(
            "t",
            &[entry("http://g.test/1", FrontierKind::Notice)],
            7,
            3,
            10,
        )
        .expect("other source");
    let again = store.frontier_begin("s", &[], 8, 3, 10).expect("resume");
    assert!(again.resumed);
    assert_eq!(again.started_ms, 7);
    assert_eq!(
        store.frontier_run("s").expect("run").map(|r| r.started_ms),
        Some(7)
    );
    let claim = store
        .frontier_claim("s", lease("w", 100), 10)
        .expect("claim");
    let urls: Vec<&str> = claim.entries.iter().map(|(_, e)| e.url.as_str()).collect();
    assert_eq!(urls, ["http://f.test/list", "http://f.test/1"]);
    assert!(
        !store.frontier_finish("s").expect("finish"),
        "entries are queued"
    );
    // The list page finds the notice already queued, two new ones and one over the cap.
    let (list_seq, _) = claim.entries[0].clone();
    complete(
        &*store,
        "s",
        list_seq,
        "http://f.test/list",
        vec![
            entry("http://f.test/1", FrontierKind::Notice),
            entry("http://f.test/2", FrontierKind::Notice),
            entry("http://f.test/3", FrontierKind::Notice),
            entry("http://f.test/4", FrontierKind::Notice),
        ],
    );
    let more = store
        .frontier_claim("s", lease("w", 100), 10)
        .expect("claim");
    let urls: Vec<&str> = more.entries.iter().map(|(_, e)| e.url.as_str()).collect();
    assert_eq!(
        urls,
        ["http://f.test/2", "http://f.test/3"],
        "deduped and capped at 3"
    );
    let mut held: Vec<(u64, String)> = claim.entries[1..]
        .iter()
        .chain(&more.entries)
        .map(|(seq, e)| (*seq, e.url.clone()))
        .collect();
    held.sort();
    for (seq, url) in &held {
        complete(
            &*store,
            "s",
            *seq,
            url,
            vec![entry("http://f.test/list", FrontierKind::List)],
        );
    }
    assert!(store.page("http://f.test/3").expect("read").is_some());
    assert!(store.frontier_finish("s").expect("finish"));
    assert_eq!(store.frontier_run("s").expect("run"), None);
    // The other source's run is untouched; a new run of "s" starts afresh.
    assert!(store.frontier_run("t").expect("run").is_some());
    let fresh = store
        .frontier_begin("s", &seeds, 9, 3, 10)
        .expect("new run");
    assert!(!fresh.resumed);
    let urls: Vec<String> = store
        .frontier_claim("s", lease("w", 200), 10)
        .expect("claim")
        .entries
        .into_iter()
        .map(|(_, e)| e.url)
        .collect();
    assert_eq!(
        urls,
        ["http://f.test/list", "http://f.test/1"],
        "seen set was dropped"
    );
}

/// Leases: an entry goes to one worker at a time; a worker's own live leases are not handed
/// back to it; expired leases are handed out again; renewal keeps them, release frees them;
/// a lost lease cannot be renewed; completion ends the lease.
pub fn frontier_leases_and_expiry(factory: Factory<'_>) {
    let store = factory();
    let seeds: Vec<FrontierEntry> = (0..4)
        .map(|i| entry(&format!("http://l.test/{i}"), FrontierKind::Notice))
        .collect();
    store.frontier_begin("s", &seeds, 0, 10, 10).expect("begin");
    let a = store
        .frontier_claim("s", lease("a", 1_000), 2)
        .expect("a claims");
    assert_eq!(a.entries.len(), 2);
    assert_eq!(a.leased_to_others, 0);
    let b = store
        .frontier_claim("s", lease("b", 1_100), 10)
        .expect("b claims");
    assert_eq!(b.entries.len(), 2, "the two a does not hold");
    assert_eq!(b.leased_to_others, 2);
    assert_eq!(b.next_expiry_ms, Some(2_000));
    let a_again = store
        .frontier_claim("s", lease("a", 1_200), 10)
        .expect("a again");
    assert!(a_again.entries.is_empty(), "nothing claimable: {a_again:?}");
    assert_eq!(a_again.leased_to_others, 2);
    assert_eq!(a_again.next_expiry_ms, Some(2_100));
    // a renews one of its two leases; the other expires and goes to c.
    let a_seqs: Vec<u64> = a.entries.iter().map(|(seq, _)| *seq).collect();
    let kept = store
        .frontier_renew("s", lease("a", 1_900), &a_seqs[..1])
        .expect("renew");
    assert_eq!(kept, a_seqs[..1]);
    let c = store
        .frontier_claim("s", lease("c", 2_050), 10)
        .expect("c claims");
    let c_seqs: Vec<u64> = c.entries.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(c_seqs, a_seqs[1..], "only a's expired lease");
    let lost = store
        .frontier_renew("s", lease("a", 2_060), &a_seqs[1..])
        .expect("renew");
    assert!(lost.is_empty(), "a lost that lease to c");
    // b gives its entries back: claimable at once, by anyone.
    let b_seqs: Vec<u64> = b.entries.iter().map(|(seq, _)| *seq).collect();
    store.frontier_release("s", "b", &b_seqs).expect("release");
    let d = store
        .frontier_claim("s", lease("d", 2_070), 10)
        .expect("d claims");
    let d_seqs: Vec<u64> = d.entries.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(d_seqs, b_seqs);
    // Releasing what another worker holds changes nothing.
    store.frontier_release("s", "b", &d_seqs).expect("release");
    let none = store
        .frontier_claim("s", lease("e", 2_080), 10)
        .expect("e claims");
    assert!(none.entries.is_empty());
    assert_eq!(none.leased_to_others, 4);
    // Completing ends an entry and its lease; the run finishes once all four are done.
    for (seq, e) in a.entries[..1].iter().chain(&c.entries).chain(&d.entries) {
        assert!(!store.frontier_finish("s").expect("finish"));
        complete(&*store, "s", *seq, &e.url, Vec::new());
    }
    let after = store
        .frontier_claim("s", lease("e", 10_000), 10)
        .expect("claim");
    assert!(after.entries.is_empty());
    assert_eq!(after.leased_to_others, 0);
    assert!(store.frontier_finish("s").expect("finish"));
}

/// One worker among several runs each scheduled run of a source.
pub fn schedule_claims(factory: Factory<'_>) {
    let store = factory();
    assert!(store.claim_run("s", 100, lease("a", 100)).expect("claim"));
    assert!(
        !store.claim_run("s", 100, lease("b", 150)).expect("claim"),
        "a holds it"
    );
    assert!(
        !store.claim_run("s", 200, lease("b", 150)).expect("claim"),
        "a's is live"
    );
    assert!(
        store.claim_run("s", 100, lease("a", 600)).expect("renew"),
        "the holder renews"
    );
    assert!(
        store.claim_run("t", 100, lease("b", 150)).expect("claim"),
        "sources apart"
    );
    store.release_run("s", "a").expect("release");
    assert!(
        !store.claim_run("s", 100, lease("b", 700)).expect("claim"),
        "that run was done"
    );
    assert!(
        store.claim_run("s", 200, lease("b", 700)).expect("claim"),
        "the next one"
    );
    // b dies holding it: after its expiry the next due run goes to c.
    assert!(!store.claim_run("s", 300, lease("c", 1_600)).expect("claim"));
    assert!(store.claim_run("s", 300, lease("c", 1_800)).expect("claim"));
}

/// A store with one record of every kind: versions, a withdrawal, an alias, bodies and a
/// frontier in progress.
fn populated(store: &dyn Store) {
    let mut first = notice("中共甲区委员会", "甲区委", "通报");
    first.issues[0].status = IssueStatus::InProgress;
    store
        .record_fetch(PageWrite {
            page: page("http://x.test/1", 1),
            notices: vec![first],
            raw: Some(b"<html>first</html>".to_vec()),
        })
        .expect("write");
    record_page(
        store,
        page("http://x.test/1", 2),
        vec![notice("中共甲区委员会", "甲区委", "通报（更正）")],
    )
    .expect("edit");
    record_page(
        store,
        page("http://x.test/2", 3),
        vec![notice("中共乙县委员会", "乙县委", "通报")],
    )
    .expect("write");
    record_page(
        store,
        page("http://x.test/2", 4),
        vec![dated("新通报", Some("2024-05-06"), None)],
    )
    .expect("withdraws");
    varied_notices(store);
    let seeds = [
        entry("http://x.test/list", FrontierKind::List),
        entry("http://x.test/9", FrontierKind::Notice),
    ];
    store
        .frontier_begin("src", &seeds, 5, 10, 10)
        .expect("begin");
    let claim = store
        .frontier_claim("src", lease("w", 10), 1)
        .expect("claim");
    let (seq, list) = claim.entries[0].clone();
    complete(
        store,
        "src",
        seq,
        &list.url,
        vec![entry("http://x.test/8", FrontierKind::Notice)],
    );
}

fn listing(store: &dyn Store, order: NoticeOrder) -> Vec<(String, u64, Notice)> {
    store
        .list_notices(order, None, 1_000, None)
        .expect("list")
        .notices
        .iter()
        .map(|n| (n.id.clone(), n.version, n.notice.clone()))
        .collect()
}

/// An export read back into an empty store reproduces every record, listing and lineage.
pub fn export_import_round_trip(factory: Factory<'_>) {
    let source = factory();
    populated(&*source);
    let counts = source.record_counts().expect("counts");
    for (kind, count) in counts.kinds() {
        // Leases are not records; everything else is there at least once.
        assert!(count > 0, "the populated store has no {kind}");
    }
    let mut dump = Vec::new();
    let stats = export(&*source, &mut dump).expect("export");
    assert_eq!(stats, counts.transfer());
    let target = factory();
    let imported = import(&*target, &mut dump.as_slice()).expect("import");
    assert_eq!(imported, stats);
    assert_eq!(target.record_counts().expect("counts"), counts);
    for order in NoticeOrder::ALL {
        assert_eq!(
            listing(&*target, order),
            listing(&*source, order),
            "{order:?}"
        );
    }
    assert_eq!(
        target.organisations(None, 100).expect("orgs"),
        source.organisations(None, 100).expect("orgs")
    );
    assert_eq!(
        target.changes_after(None, 1_000).expect("log"),
        source.changes_after(None, 1_000).expect("log")
    );
    assert_eq!(
        target.change_feed(),
        source.change_feed(),
        "lineage and position carried"
    );
    assert_eq!(
        target.page_body("http://x.test/1", 1).expect("body"),
        Some(b"<html>first</html>".to_vec())
    );
    assert!(target.verify().expect("verify").problems.is_empty());
    // The restored store goes on: a new change continues the log, the crawl resumes.
    let next = only_new(
        &*target,
        "http://x.test/new",
        9,
        vec![notice("中共丁镇委员会", "丁镇委", "通报")],
    );
    let log = target.changes_after(None, 1_000).expect("log");
    assert_eq!(log.last().map(|c| c.notice_id.clone()), Some(next));
    assert!(
        target
            .frontier_begin("src", &[], 6, 10, 10)
            .expect("resume")
            .resumed
    );
    // Garbage is refused with its line number; an empty input with a word about the header.
    let error = import(&*factory(), &mut "not json\n".as_bytes()).expect_err("garbage");
    assert!(error.to_string().contains("line 1"), "{error}");
    let error = import(&*factory(), &mut "".as_bytes()).expect_err("empty");
    assert!(error.to_string().contains("header"), "{error}");
}

/// An export merged into a store that has a change log of its own gives that store a new
/// lineage (positions of neither store describe the merged log), and its log goes on above
/// every imported position.
pub fn import_merge_takes_a_new_lineage(factory: Factory<'_>) {
    let source = factory();
    populated(&*source);
    let mut dump = Vec::new();
    export(&*source, &mut dump).expect("export");
    let target = factory();
    only_new(
        &*target,
        "http://own.test/1",
        1,
        vec![notice("中共戊县委员会", "戊县委", "通报")],
    );
    let before = target.change_feed();
    import(&*target, &mut dump.as_slice()).expect("import");
    let after = target.change_feed();
    assert_ne!(after.lineage, before.lineage);
    assert_ne!(after.lineage, source.change_feed().lineage);
    assert_ne!(after.lineage, 0);
    let highest = target
        .changes_after(None, 10_000)
        .expect("log")
        .iter()
        .map(|c| c.seq)
        .max()
        .unwrap_or(0);
    let next = only_new(
        &*target,
        "http://own.test/2",
        2,
        vec![notice("中共己县委员会", "己县委", "通报")],
    );
    let logged = target.changes_after(Some(highest), 10).expect("log");
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0].notice_id, next);
}

/// `copy` moves every record into an empty store, with equal counts, and refuses a store that
/// holds anything.
pub fn copy_between_stores(factory: Factory<'_>) {
    let source = factory();
    populated(&*source);
    let target = factory();
    let (from, to) = copy(&*source, &*target).expect("copy");
    assert_eq!(from, to);
    assert_eq!(from, source.record_counts().expect("counts"));
    assert_eq!(
        listing(&*target, NoticeOrder::SignedDesc),
        listing(&*source, NoticeOrder::SignedDesc)
    );
    assert!(target.verify().expect("verify").problems.is_empty());
    let refused = copy(&*source, &*target).expect_err("target not empty");
    assert!(refused.to_string().contains("not empty"), "{refused}");
}

/// A sound store verifies clean; stats count what is there.
pub fn verify_and_stats(factory: Factory<'_>) {
    let store = factory();
    let empty = store.verify().expect("verify");
    assert!(empty.problems.is_empty(), "{:?}", empty.problems);
    populated(&*store);
    let report = store.verify().expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let counts = store.record_counts().expect("counts");
    assert!(report.records_checked >= counts.pages + counts.notices + counts.organisations);
    assert!(report.index_entries_checked >= counts.notices);
    let stats = store.stats().expect("stats");
    assert_eq!(
        (stats.pages, stats.notices, stats.organisations),
        (counts.pages, counts.notices, counts.organisations)
    );
    store.flush().expect("flush");
}
