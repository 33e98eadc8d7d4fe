use super::*;
use crate::codec::decode;
use crate::conformance::{entry, notice, page};
use crate::{ChangeFeedStore, Maintenance, NoticeReads, OrganisationReads, PageStore};
use gazette_notice::IssueStatus;
use std::sync::Arc;

fn store() -> (tempfile::TempDir, SledStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SledStore::open(dir.path()).expect("open store");
    (dir, store)
}

#[test]
fn a_page_and_its_notices_round_trip() {
    let (_dir, store) = store();
    let outcome = record_page(
        &store,
        page("http://a/1", 10),
        vec![notice("中共甲区委员会", "甲区委", "通报一")],
    )
    .expect("record");
    assert_eq!(outcome.new_notices.len(), 1);
    let id = &outcome.new_notices[0];
    let stored = store.notice(id).expect("read").expect("present");
    assert_eq!(stored.source_uri, "http://a/1");
    let org = store
        .resolve_organisation("甲区委")
        .expect("resolve")
        .expect("known alias");
    assert_eq!(org.display_name, "中共甲区委员会");
    assert_eq!(org.notice_ids, vec![id.clone()]);
    assert_eq!(
        store
            .page("http://a/1")
            .expect("page")
            .expect("present")
            .notice_ids,
        vec![id.clone()]
    );
}

#[test]
fn the_same_notice_from_two_urls_is_one_notice() {
    let (_dir, store) = store();
    let n = notice("中共甲区委员会", "甲区委", "通报一");
    record_page(&store, page("http://a/1", 10), vec![n.clone()]).expect("first");
    let second = record_page(&store, page("http://b/1", 20), vec![n]).expect("second");
    assert!(second.new_notices.is_empty());
    let all = store
        .list_notices(NoticeOrder::FetchedDesc, None, 10, Some(&|_| true))
        .expect("list");
    assert_eq!(all.total_matching, 1);
}

#[test]
fn listing_pages_newest_first_with_a_cursor() {
    let (_dir, store) = store();
    for i in 0..5 {
        record_page(
            &store,
            page(&format!("http://a/{i}"), i64::from(i)),
            vec![notice("中共甲区委员会", "甲区委", &format!("通报{i}"))],
        )
        .expect("record");
    }
    let first = store
        .list_notices(NoticeOrder::FetchedDesc, None, 2, Some(&|_| true))
        .expect("list");
    assert_eq!(first.total_matching, 5);
    assert_eq!(first.notices[0].notice.title.as_deref(), Some("通报4"));
    let cursor = first.next_cursor.expect("more follow");
    let second = store
        .list_notices(NoticeOrder::FetchedDesc, Some(&cursor), 10, Some(&|_| true))
        .expect("list");
    assert_eq!(second.notices.len(), 3);
    assert!(second.next_cursor.is_none());
}

#[test]
fn reopening_keeps_data_and_checks_the_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = SledStore::open(dir.path()).expect("open");
        record_page(
            &store,
            page("http://a/1", 1),
            vec![notice("中共乙党组", "乙党组", "t")],
        )
        .expect("record");
        store.flush().expect("flush");
    }
    let store = SledStore::open(dir.path()).expect("reopen");
    assert!(
        store
            .resolve_organisation("中共乙党组")
            .expect("resolve")
            .is_some()
    );
}

#[test]
fn export_then_import_reproduces_the_store() {
    let (_a, source) = store();
    for i in 0..3 {
        record_page(
            &source,
            page(&format!("http://a/{i}"), i64::from(i)),
            vec![notice("中共甲区委员会", "甲区委", &format!("通报{i}"))],
        )
        .expect("record");
    }
    record_page(
        &source,
        page("http://b/1", 9),
        vec![notice("中共乙县委员会", "乙县委", "通报")],
    )
    .expect("record");
    let mut dump = Vec::new();
    let stats = crate::maintenance::export(&source, &mut dump).expect("export");
    assert_eq!((stats.pages, stats.notices, stats.organisations), (4, 4, 2));

    let (_b, target) = store();
    let imported = crate::maintenance::import(&target, &mut dump.as_slice()).expect("import");
    assert_eq!(imported, stats);
    let all = |s: &SledStore| {
        let slice = s
            .list_notices(NoticeOrder::FetchedDesc, None, 100, Some(&|_| true))
            .expect("list");
        slice
            .notices
            .into_iter()
            .map(|n| (n.id.clone(), n.notice.clone(), n.organisation_id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(all(&source), all(&target));
    assert_eq!(
        source.organisations(None, 10).expect("orgs"),
        target.organisations(None, 10).expect("orgs")
    );
    assert_eq!(
        target
            .resolve_organisation("乙县委")
            .expect("resolve")
            .map(|o| o.display_name),
        Some("中共乙县委员会".to_owned())
    );
    assert!(target.verify().expect("verify").problems.is_empty());
}

#[test]
fn import_rejects_garbage_with_the_line_number() {
    let (_dir, store) = store();
    let error =
        crate::maintenance::import(&store, &mut "not json\n".as_bytes()).expect_err("garbage");
    assert!(error.to_string().contains("line 1"), "{error}");
    let error = crate::maintenance::import(&store, &mut "".as_bytes()).expect_err("empty");
    assert!(error.to_string().contains("header"), "{error}");
}

#[test]
fn verify_reports_a_damaged_record_and_a_dangling_index() {
    let (_dir, store) = store();
    let outcome = record_page(
        &store,
        page("http://a/1", 1),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("record");
    let clean = store.verify().expect("verify");
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    assert!(clean.records_checked >= 3);

    let id = &outcome.new_notices[0];
    store
        .damage_for_tests("notices", id.as_bytes(), b"\x01\x00\x00\x00\x00{}")
        .expect("damage");
    let report = store.verify().expect("verify");
    assert!(
        report.problems.iter().any(|p| p.contains("checksum")),
        "{:?}",
        report.problems
    );
    assert!(matches!(store.notice(id), Err(StoreError::Corrupt { .. })));
}

#[test]
fn a_changed_page_keeps_its_earlier_version_and_bodies_round_trip() {
    let (_dir, store) = store();
    let write = |sha: &str, at: i64, raw: &[u8]| PageWrite {
        page: PageRecord {
            url: "http://a/1".into(),
            content_sha256: sha.into(),
            fetched_at_ms: at,
            ..PageRecord::default()
        },
        notices: vec![],
        raw: Some(raw.to_vec()),
    };
    store
        .record_fetch(write("one", 10, b"first"))
        .expect("write");
    store
        .record_fetch(write("one", 20, b"first"))
        .expect("same content");
    assert!(store.page_versions("http://a/1").expect("read").is_empty());
    store
        .record_fetch(write("two", 30, b"second"))
        .expect("write");
    let versions = store.page_versions("http://a/1").expect("read");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].fetched_at_ms, 20);
    let current = store.page("http://a/1").expect("read").expect("stored");
    assert!(current.body_stored);
    assert_eq!(
        store.page_body("http://a/1", 30).expect("read").as_deref(),
        Some(&b"second"[..])
    );
    assert_eq!(
        store.page_body("http://a/1", 10).expect("read").as_deref(),
        Some(&b"first"[..])
    );
}

#[test]
fn the_frontier_resumes_dedupes_caps_and_finishes() {
    let (_dir, store) = store();
    let seeds = [entry("http://a/list", FrontierKind::List)];
    let run = store.frontier_begin("s", &seeds, 1, 2, 5).expect("begin");
    assert!(!run.resumed);
    let again = store.frontier_begin("s", &seeds, 2, 2, 5).expect("resume");
    assert!(again.resumed);
    let pending = store.frontier_pending("s", 10).expect("pending");
    assert_eq!(pending.len(), 1);
    let (seq, list) = pending[0].clone();
    store
        .frontier_complete(
            "s",
            Completion {
                seq,
                url: list.url.clone(),
                discovered: vec![
                    entry("http://a/1", FrontierKind::Notice),
                    entry("http://a/1", FrontierKind::Notice),
                    entry("http://a/list", FrontierKind::List),
                    entry("http://a/2", FrontierKind::Notice),
                    entry("http://a/3", FrontierKind::Notice),
                ],
                max_notices: 2,
                max_lists: 5,
                page: None,
            },
        )
        .expect("complete");
    let urls: Vec<String> = store
        .frontier_pending("s", 10)
        .expect("pending")
        .into_iter()
        .map(|(_, e)| e.url)
        .collect();
    assert_eq!(
        urls,
        ["http://a/1", "http://a/2"],
        "deduplicated and capped"
    );
    let other = store.frontier_pending("t", 10).expect("pending");
    assert!(other.is_empty(), "sources are separate");
    for (seq, e) in store.frontier_pending("s", 10).expect("pending") {
        store
            .frontier_complete(
                "s",
                Completion {
                    seq,
                    url: e.url.clone(),
                    page: Some(PageWrite {
                        page: page(&e.url, 5),
                        notices: vec![],
                        raw: None,
                    }),
                    ..Completion::default()
                },
            )
            .expect("complete");
    }
    assert!(store.page("http://a/2").expect("read").is_some());
    store.frontier_finish("s").expect("finish");
    let fresh = store.frontier_begin("s", &seeds, 3, 2, 5).expect("begin");
    assert!(!fresh.resumed);
    assert_eq!(store.frontier_pending("s", 10).expect("pending").len(), 1);
}

#[test]
fn a_changed_notice_gets_a_version_and_one_change_each() {
    let (_dir, store) = store();
    let first = notice("中共甲区委员会", "甲区委", "通报");
    let created = record_page(&store, page("http://a/1", 1), vec![first.clone()]).expect("first");
    let id = created.new_notices[0].clone();
    // The same notice again, even from another URL, is no change.
    record_page(&store, page("http://b/1", 2), vec![first.clone()]).expect("again");
    let mut changed = first;
    changed.issues[0].status = IssueStatus::InProgress;
    record_page(&store, page("http://a/1", 3), vec![changed]).expect("changed");

    let current = store.notice(&id).expect("read").expect("present");
    assert_eq!(current.version, 2);
    assert_eq!(current.notice.issues[0].status, IssueStatus::InProgress);
    let versions = store.notice_versions(&id).expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].notice.issues[0].status, IssueStatus::Completed);

    let log = store.changes_after(None, 10).expect("log");
    let kinds: Vec<_> = log.iter().map(|c| (c.kind, c.version)).collect();
    assert_eq!(kinds, [(ChangeKind::Created, 1), (ChangeKind::Updated, 2)]);
    assert!(log[0].seq < log[1].seq);
    assert_eq!(
        store.changes_after(Some(log[0].seq), 10).expect("tail"),
        log[1..]
    );
    // Each write returned once on disk, and watchers were told so.
    let mut woken = store.subscribe_changes();
    assert_eq!(*woken.borrow_and_update(), log[1].seq);
    assert_eq!(store.change_feed().durable_through, log[1].seq);

    // A restore keeps the log, and new changes continue after it.
    let mut dump = Vec::new();
    crate::maintenance::export(&store, &mut dump).expect("export");
    let (_b, restored) = self::store();
    crate::maintenance::import(&restored, &mut dump.as_slice()).expect("import");
    assert_eq!(restored.changes_after(None, 10).expect("log"), log);
    assert_eq!(restored.notice_versions(&id).expect("versions"), versions);
    record_page(
        &restored,
        page("http://c/1", 4),
        vec![notice("中共丙镇委员会", "丙镇党委", "通报")],
    )
    .expect("new");
    let after = restored.changes_after(Some(log[1].seq), 10).expect("tail");
    assert_eq!(after.len(), 1);
    // The restore continues the exported lineage, so the old tokens still mean the same.
    assert_eq!(restored.change_feed().lineage, store.change_feed().lineage);
    assert_eq!(restored.change_feed().durable_through, after[0].seq);
    // A write to the original store wakes its watchers.
    record_page(
        &store,
        page("http://d/1", 5),
        vec![notice("中共丁镇委员会", "丁镇党委", "通报")],
    )
    .expect("new");
    assert!(woken.has_changed().expect("store alive"));
}

#[test]
fn the_unfiltered_listing_matches_the_filtered_one() {
    let (_dir, store) = store();
    for i in 0..7 {
        record_page(
            &store,
            page(&format!("http://a/{i}"), i64::from(i)),
            vec![notice("中共甲区委员会", "甲区委", &format!("通报{i}"))],
        )
        .expect("record");
    }
    let ids = |slice: &NoticeSlice| {
        slice
            .notices
            .iter()
            .map(|n| n.id.clone())
            .collect::<Vec<_>>()
    };
    let mut cursor_all: Option<Vec<u8>> = None;
    let mut cursor_kept: Option<Vec<u8>> = None;
    loop {
        let all = store
            .list_notices(NoticeOrder::FetchedDesc, cursor_all.as_deref(), 3, None)
            .expect("all");
        let kept = store
            .list_notices(
                NoticeOrder::FetchedDesc,
                cursor_kept.as_deref(),
                3,
                Some(&|_| true),
            )
            .expect("kept");
        assert_eq!(ids(&all), ids(&kept));
        assert_eq!(all.total_matching, 7);
        assert_eq!(all.next_cursor, kept.next_cursor);
        match all.next_cursor {
            Some(next) => {
                cursor_all = Some(next);
                cursor_kept = kept.next_cursor;
            }
            None => break,
        }
    }
}

#[test]
fn a_cached_notice_is_never_served_for_a_changed_or_damaged_record() {
    let (_dir, store) = store();
    let first = record_page(
        &store,
        page("http://a/1", 1),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("record");
    let id = &first.new_notices[0];
    // Twice, so the second read comes from the cache.
    for _ in 0..2 {
        let read = store.notice(id).expect("read").expect("present");
        assert_eq!(read.notice.title.as_deref(), Some("通报"));
    }

    // The same notice with an issue's status changed: the record changes (same id), so the
    // cached copy must not be used.
    let mut changed = notice("中共甲区委员会", "甲区委", "通报");
    changed.issues[0].status = IssueStatus::InProgress;
    record_page(&store, page("http://a/1", 1), vec![changed]).expect("record again");
    let read = store.notice(id).expect("read").expect("present");
    assert_eq!(read.notice.issues[0].status, IssueStatus::InProgress);
    assert_eq!(read.version, 2);

    // A record replaced behind the store's back with a valid frame decodes afresh...
    let mut rewritten = (*read).clone();
    rewritten.source_uri = "http://elsewhere/".into();
    store
        .damage_for_tests(
            "notices",
            id.as_bytes(),
            &codec::encode("notices", &rewritten).expect("encode"),
        )
        .expect("rewrite");
    let read = store.notice(id).expect("read").expect("present");
    assert_eq!(read.source_uri, "http://elsewhere/");
    // ...and a damaged one is reported at its next read from disk.
    store
        .damage_for_tests("notices", id.as_bytes(), b"\x01\x00\x00\x00\x00{}")
        .expect("damage");
    assert!(matches!(store.notice(id), Err(StoreError::Corrupt { .. })));
}

#[test]
fn the_kept_notice_count_follows_new_notices_refreshes_and_imports() {
    let (_dir, store) = store();
    let total = |s: &SledStore| {
        s.list_notices(NoticeOrder::FetchedDesc, None, 1, None)
            .expect("list")
            .total_matching
    };
    assert_eq!(total(&store), 0);
    for i in 0..3 {
        record_page(
            &store,
            page(&format!("http://a/{i}"), i),
            vec![notice(&format!("中共{i}区委员会"), "", "通报")],
        )
        .expect("record");
    }
    assert_eq!(total(&store), 3);
    // A refresh (same content) and a change (new version) of an existing notice add nothing.
    let refetched = PageRecord {
        fetched_at_ms: 50,
        ..page("http://a/0", 0)
    };
    record_page(&store, refetched, vec![notice("中共0区委员会", "", "通报")]).expect("refresh");
    let mut changed = notice("中共1区委员会", "", "通报");
    changed.issues[0].status = IssueStatus::NotStated;
    record_page(&store, page("http://a/1", 1), vec![changed]).expect("change");
    assert_eq!(total(&store), 3);
    // A page with two notices adds two.
    record_page(
        &store,
        page("http://b/1", 60),
        vec![
            notice("中共乙区委员会", "", "通报一"),
            notice("中共丙区委员会", "", "通报二"),
        ],
    )
    .expect("record two");
    assert_eq!(total(&store), 5);
    assert_eq!(store.by_fetched.len(), 5);

    // An import writes notices without the change log; the count is taken afresh after it.
    let mut export = Vec::new();
    crate::maintenance::export(&store, &mut export).expect("export");
    let (_other_dir, other) = self::store();
    assert_eq!(total(&other), 0);
    crate::maintenance::import(&other, &mut export.as_slice()).expect("import");
    assert_eq!(total(&other), 5);
}

/// Stores a notice, reads its record as a cache-missing reader would (noting the cache epoch
/// first), then stores a changed version: the id, that epoch, the record's size and what the
/// reader decoded.
fn read_then_changed(store: &SledStore) -> (String, u64, usize, Arc<StoredNotice>) {
    let mut first = notice("中共甲区委员会", "甲区委", "通报");
    first.issues[0].status = IssueStatus::InProgress;
    let id = record_page(store, page("http://a/1", 1), vec![first])
        .expect("record")
        .new_notices[0]
        .clone();
    let epoch = store.notice_cache.epoch();
    let raw = store
        .notices
        .get(id.as_bytes())
        .expect("get")
        .expect("present");
    let old = Arc::new(decode::<StoredNotice>("notices", &raw).expect("decode"));
    record_page(
        store,
        page("http://a/1", 1),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("write");
    (id, epoch, raw.len(), old)
}

#[test]
fn a_read_that_straddles_a_write_does_not_cache_what_the_write_replaced() {
    let (_dir, store) = store();
    // A reader misses and reads the record; a writer commits a change; then the reader offers
    // what it read to the cache. The interleaving is played step by step.
    let (id, epoch, size, old) = read_then_changed(&store);
    store.notice_cache.fill(id.as_bytes(), epoch, size, &old);

    let read = store.notice(&id).expect("read").expect("present");
    assert_eq!(read.notice.issues[0].status, IssueStatus::Completed);
    assert_eq!(read.version, 2);
}

#[test]
fn the_store_works_with_the_notice_cache_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SledStore::open_with(
        dir.path(),
        StoreOptions {
            notice_cache_bytes: 0,
            ..StoreOptions::default()
        },
    )
    .expect("open store");
    let outcome = record_page(
        &store,
        page("http://a/1", 1),
        vec![notice("中共甲区委员会", "", "通报")],
    )
    .expect("record");
    let read = store
        .notice(&outcome.new_notices[0])
        .expect("read")
        .expect("present");
    assert_eq!(read.notice.title.as_deref(), Some("通报"));
    assert_eq!(
        store
            .list_notices(NoticeOrder::FetchedDesc, None, 5, None)
            .expect("list")
            .notices
            .len(),
        1
    );
}

/// Stores 甲区委's notice "通报" at http://a/1 and returns its id.
fn first_notice(store: &SledStore) -> String {
    record_page(
        store,
        page("http://a/1", 1),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("first notice")
    .new_notices[0]
        .clone()
}

fn total(store: &SledStore) -> usize {
    store
        .list_notices(NoticeOrder::FetchedDesc, None, 1, None)
        .expect("count")
        .total_matching
}

#[test]
fn an_edited_notice_keeps_its_id_wherever_its_new_content_is_found() {
    let (_dir, store) = store();
    let id = first_notice(&store);
    // The publisher corrects the title: a new content id, but the same notice.
    let corrected = notice("中共甲区委员会", "甲区委", "通报（更正）");
    let edit = record_page(&store, page("http://a/1", 2), vec![corrected.clone()]).expect("edit");
    assert!(edit.new_notices.is_empty());
    assert!(edit.withdrawn_notices.is_empty());
    assert_eq!(edit.updated_notices, vec![id.clone()]);
    let current = store.notice(&id).expect("read").expect("present");
    assert_eq!(current.version, 2);
    assert_eq!(current.notice.title.as_deref(), Some("通报（更正）"));
    assert_eq!(store.notice_versions(&id).expect("versions").len(), 1);
    assert_eq!(total(&store), 1);

    // The corrected text found at another URL, even in a store restored from an export, is
    // still that notice.
    let mut dump = Vec::new();
    crate::maintenance::export(&store, &mut dump).expect("export");
    let (_other_dir, restored) = self::store();
    crate::maintenance::import(&restored, &mut dump.as_slice()).expect("import");
    for target in [&store, &restored] {
        let elsewhere =
            record_page(target, page("http://b/1", 3), vec![corrected.clone()]).expect("elsewhere");
        assert!(elsewhere.new_notices.is_empty());
        assert_eq!(elsewhere.updated_notices, vec![id.clone()]);
        let carriers = target
            .notice(&id)
            .expect("read")
            .expect("present")
            .carriers();
        assert_eq!(carriers, ["http://a/1", "http://b/1"]);
    }
}

#[test]
fn a_notice_no_page_carries_is_withdrawn_and_may_come_back() {
    let (_dir, store) = store();
    let kept = notice("中共甲区委员会", "甲区委", "通报");
    let dropped = notice("中共乙县委员会", "乙县委", "通报");
    let both = record_page(
        &store,
        page("http://a/1", 1),
        vec![kept.clone(), dropped.clone()],
    )
    .expect("both");
    let (kept_id, dropped_id) = (both.new_notices[0].clone(), both.new_notices[1].clone());
    let org = store
        .resolve_organisation("乙县委")
        .expect("resolve")
        .expect("known");
    assert_eq!(total(&store), 2);

    let one = record_page(&store, page("http://a/1", 2), vec![kept.clone()]).expect("one");
    assert_eq!(one.withdrawn_notices, vec![dropped_id.clone()]);
    assert!(store.notice(&dropped_id).expect("read").is_none());
    assert_eq!(store.withdrawn_version(&dropped_id).expect("read"), Some(1));
    let history = store.notice_versions(&dropped_id).expect("versions");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].notice, dropped);
    assert!(store.resolve_organisation(&org.id).expect("read").is_none());
    assert_eq!(total(&store), 1);
    let last = store.changes_after(None, 10).expect("log");
    let last = last.last().expect("logged");
    assert_eq!(
        (last.kind, last.notice_id.as_str(), last.version),
        (ChangeKind::Withdrawn, dropped_id.as_str(), 1)
    );
    assert_eq!(
        store
            .page("http://a/1")
            .expect("read")
            .expect("page")
            .notice_ids,
        vec![kept_id.clone()]
    );

    let again = record_page(&store, page("http://a/1", 3), vec![kept, dropped]).expect("again");
    assert_eq!(again.new_notices, vec![dropped_id.clone()]);
    let back = store.notice(&dropped_id).expect("read").expect("back");
    assert_eq!(back.version, 2);
    assert_eq!(store.withdrawn_version(&dropped_id).expect("read"), None);
    assert_eq!(total(&store), 2);
    assert!(store.resolve_organisation(&org.id).expect("read").is_some());
}

#[test]
fn a_notice_another_page_carries_is_kept_and_not_taken_over() {
    let (_dir, store) = store();
    let id = first_notice(&store);
    record_page(
        &store,
        page("http://b/1", 2),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("b");
    // b/1 now carries something else: the notice stays, carried by a/1 alone, and the new
    // content is a notice of its own rather than a version that a/1 would undo.
    let other = record_page(
        &store,
        page("http://b/1", 3),
        vec![notice("中共甲区委员会", "甲区委", "另一通报")],
    )
    .expect("replaced");
    assert_eq!(other.new_notices.len(), 1);
    assert!(other.withdrawn_notices.is_empty());
    let stays = store.notice(&id).expect("read").expect("kept");
    assert_eq!(stays.carriers(), ["http://a/1"]);
    assert_eq!(stays.source_uri, "http://a/1");
    assert_eq!(total(&store), 2);
}

#[test]
fn a_page_that_yields_nothing_keeps_its_notices() {
    let (_dir, store) = store();
    let id = first_notice(&store);
    let broken = record_page(&store, page("http://a/1", 2), vec![]).expect("error page");
    assert!(broken.withdrawn_notices.is_empty());
    assert!(store.notice(&id).expect("read").is_some());
    assert_eq!(
        store
            .page("http://a/1")
            .expect("read")
            .expect("page")
            .notice_ids,
        vec![id.clone()]
    );
    // When the page recovers with other content, the notice it carried is still replaced.
    let edit = record_page(
        &store,
        page("http://a/1", 3),
        vec![notice("中共甲区委员会", "甲区委", "通报（修订）")],
    )
    .expect("recovered");
    assert_eq!(edit.updated_notices, [id]);
}

#[test]
fn a_page_reused_for_another_organisation_withdraws_the_old_notice() {
    let (_dir, store) = store();
    let old = first_notice(&store);
    let reused = record_page(
        &store,
        page("http://a/1", 2),
        vec![notice("中共乙县委员会", "乙县委", "通报")],
    )
    .expect("reused");
    assert_eq!(reused.new_notices.len(), 1);
    assert_ne!(reused.new_notices[0], old);
    assert_eq!(reused.withdrawn_notices, [old]);
    assert_eq!(total(&store), 1);
}

#[test]
fn a_change_log_reader_gets_the_logged_version_while_the_cache_still_holds_the_old_one() {
    let (_dir, store) = store();
    let (id, _, size, old) = read_then_changed(&store);
    // The moment between a commit and the cache's invalidation, when a watcher woken by the
    // commit reads: the cache still has version 1.
    let epoch = store.notice_cache.epoch();
    store.notice_cache.fill(id.as_bytes(), epoch, size, &old);
    assert_eq!(store.notice(&id).expect("read").expect("cached").version, 1);

    let logged = store.changes_after(None, 10).expect("log");
    assert_eq!(logged.len(), 2);
    for change in logged {
        let read = store
            .notice_version(&change.notice_id, change.version)
            .expect("read")
            .expect("every logged version is readable");
        assert_eq!(read.version, change.version);
    }
}

#[test]
fn an_export_carries_page_bodies_and_frontiers_and_an_old_one_claims_no_body() {
    let (_dir, store) = store();
    let raw = "<html><body>巡察整改 \u{1F4DC} bytes</body></html>".as_bytes();
    store
        .record_fetch(PageWrite {
            page: page("http://a/1", 40),
            notices: vec![notice("中共甲区委员会", "甲区委", "通报")],
            raw: Some(raw.to_vec()),
        })
        .expect("write");
    let seeds = [
        entry("http://a/list", FrontierKind::List),
        entry("http://a/2", FrontierKind::Notice),
    ];
    store
        .frontier_begin("src", &seeds, 5, 10, 10)
        .expect("begin");
    let pending = store.frontier_pending("src", 10).expect("pending");
    store
        .frontier_complete(
            "src",
            Completion {
                seq: pending[0].0,
                url: pending[0].1.url.clone(),
                discovered: vec![entry("http://a/3", FrontierKind::Notice)],
                max_notices: 10,
                max_lists: 10,
                page: None,
            },
        )
        .expect("complete");
    let mut dump = Vec::new();
    crate::maintenance::export(&store, &mut dump).expect("export");

    let (_b, restored) = self::store();
    crate::maintenance::import(&restored, &mut dump.as_slice()).expect("import");
    let page = restored.page("http://a/1").expect("read").expect("page");
    assert!(page.body_stored);
    assert_eq!(
        restored
            .page_body("http://a/1", 40)
            .expect("read")
            .as_deref(),
        Some(raw)
    );
    // The interrupted run resumes where it was, and what it finished stays finished.
    assert_eq!(
        restored.frontier_pending("src", 10).expect("pending"),
        store.frontier_pending("src", 10).expect("pending")
    );
    let run = restored
        .frontier_begin("src", &seeds, 6, 10, 10)
        .expect("resume");
    assert!(run.resumed);
    assert_eq!(run.started_ms, 5);
    assert_eq!(run.notices_queued, 2);

    // An export of a build that left bodies out: the pages it restores claim none.
    let text = String::from_utf8(dump).expect("JSON Lines");
    let without: String = text
        .lines()
        .filter(|l| !l.contains(r#""type":"page_body""#))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without.len(), text.len(), "bodies were exported");
    let (_c, older) = self::store();
    crate::maintenance::import(&older, &mut without.as_bytes()).expect("import");
    let page = older.page("http://a/1").expect("read").expect("page");
    assert!(!page.body_stored);
    assert_eq!(older.page_body("http://a/1", 40).expect("read"), None);
    assert!(older.verify().expect("verify").problems.is_empty());
}

#[test]
fn a_document_notice_is_found_on_its_article_page_too_and_goes_with_the_document() {
    let (_dir, store) = store();
    let document = |at: i64, title: &str| {
        let mut record = page("http://a/files/1.pdf", at);
        record.content_sha256 = format!("sha-{title}");
        record.linked_from = vec!["http://a/art/1.html".into()];
        record
    };
    let first = record_page(
        &store,
        document(10, "通报一"),
        vec![notice("中共甲区委员会", "甲区委", "通报一")],
    )
    .expect("record");
    let id = first.new_notices[0].clone();
    let stored = store.notice(&id).expect("read").expect("present");
    assert_eq!(stored.source_uri, "http://a/files/1.pdf");
    assert_eq!(
        stored.found_on,
        ["http://a/files/1.pdf", "http://a/art/1.html"]
    );
    // The document now carries another organisation's notice: the article page, which only
    // carried the old one through the document, does not keep it alive.
    let second = record_page(
        &store,
        document(20, "通报二"),
        vec![notice("中共乙县委员会", "乙县委", "通报二")],
    )
    .expect("record");
    assert_eq!(second.withdrawn_notices, std::slice::from_ref(&id));
    assert!(store.notice(&id).expect("read").is_none());
}

/// The conformance suite on sled, one test per case, each on fresh stores in temp dirs.
mod conformance_on_sled {
    use crate::Store;
    use std::sync::Arc;

    fn run(case: crate::conformance::Case) {
        let dirs = std::cell::RefCell::new(Vec::new());
        let factory = || {
            let dir = tempfile::tempdir().expect("temp dir");
            let store = crate::SledStore::open(dir.path()).expect("open store");
            dirs.borrow_mut().push(dir);
            Arc::new(store) as Arc<dyn Store>
        };
        case(&factory);
    }

    macro_rules! cases {
        ($($name:ident),* $(,)?) => {
            $(
                #[test]
                fn $name() {
                    run(crate::conformance::$name);
                }
            )*

            #[test]
            fn every_case_runs_on_sled() {
                let here = [$(stringify!($name)),*];
                let suite: Vec<&str> = crate::conformance::CASES.iter().map(|(n, _)| *n).collect();
                assert_eq!(here.as_slice(), suite.as_slice());
            }
        };
    }

    cases!(
        page_and_notices_round_trip,
        one_notice_from_two_urls,
        versions_and_change_log,
        edits_keep_their_id,
        withdrawal_and_return,
        organisations_and_aliases,
        listing_orders_and_cursors,
        change_feed_resume_and_wake,
        frontier_runs_resume_and_finish,
        frontier_leases_and_expiry,
        schedule_claims,
        export_import_round_trip,
        import_merge_takes_a_new_lineage,
        copy_between_stores,
        verify_and_stats,
    );
}

#[test]
fn verify_names_a_stale_ordered_index_entry() {
    let (_dir, store) = store();
    let id = record_page(
        &store,
        page("http://a/1", 1),
        vec![notice("中共甲区委员会", "甲区委", "通报")],
    )
    .expect("record")
    .new_notices[0]
        .clone();
    assert!(store.verify().expect("verify").problems.is_empty());
    // An entry of the notice under a signing date it does not have would list it twice.
    let mut stale = vec![6, 0];
    stale.extend_from_slice(b"1999-01-01");
    stale.push(0);
    stale.extend_from_slice(id.as_bytes());
    store
        .damage_for_tests("notices_ordered", &stale, id.as_bytes())
        .expect("insert");
    let report = store.verify().expect("verify");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains(&id) && p.contains("does not match")),
        "{:?}",
        report.problems
    );
}
