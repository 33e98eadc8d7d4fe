//! The sled store's schema version and the migrations between versions. `SledStore::open` runs
//! every pending migration in order before anything else touches the data, and refuses a
//! database written by a newer build, so an older binary never misreads newer records.
//!
//! History:
//! - 1: records as bare JSON.
//! - 2: records framed with a format byte and a CRC-32 (see `codec`), verified on read.
//! - 3: notice aliases and withdrawals (new trees, a new change kind, which an older build
//!   would misread); each notice records the pages that carry it (`found_on`), filled in from
//!   the pages' notice lists.
//! - 4: ordered indexes of notices by publication time, signing date and fetch time ascending
//!   (`notices_ordered`, see `order_index`), filled from the notices.

use crate::codec;
use crate::error::{Result, StoreError};
use crate::records::{PageRecord, StoredNotice};

/// Schema version written by this build.
pub const SCHEMA_VERSION: u32 = 4;
const SCHEMA_KEY: &[u8] = b"schema_version";
/// Tree holding the schema version.
pub(crate) const META_TREE: &str = "meta";

/// Trees whose values were records (then bare JSON) in version 1.
pub(crate) const RECORD_TREES: &[&str] = &["pages", "notices", "organisations"];

/// Trees added in version 2 whose values are framed records too (`verify` checks them).
pub(crate) const LATER_RECORD_TREES: &[&str] = &[
    "page_versions",
    "frontier",
    "frontier_runs",
    "notice_versions",
    "changes",
];

/// One step from `from` to `from + 1`.
struct Migration {
    from: u32,
    what: &'static str,
    apply: fn(&sled::Db) -> Result<()>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        from: 1,
        what: "frame records with CRC-32 checksums",
        apply: frame_bare_records,
    },
    Migration {
        from: 2,
        what: "record the pages that carry each notice",
        apply: fill_found_on,
    },
    Migration {
        from: 3,
        what: "index notices by publication time, signing date and fetch time",
        apply: fill_ordered_indexes,
    },
];

/// The version stored in `db`, or `None` for a database that has never been written.
pub(crate) fn stored_version(db: &sled::Db) -> Result<Option<u32>> {
    let meta = db.open_tree(META_TREE)?;
    match meta.get(SCHEMA_KEY)? {
        Some(raw) => {
            let bytes: [u8; 4] = raw.as_ref().try_into().map_err(|_| StoreError::Corrupt {
                tree: META_TREE,
                reason: "schema version is not 4 bytes".into(),
            })?;
            Ok(Some(u32::from_be_bytes(bytes)))
        }
        None => Ok(None),
    }
}

fn set_version(db: &sled::Db, version: u32) -> Result<()> {
    db.open_tree(META_TREE)?
        .insert(SCHEMA_KEY, &version.to_be_bytes())?;
    Ok(())
}

/// Brings `db` to [`SCHEMA_VERSION`], returning the migrations applied.
pub(crate) fn migrate(db: &sled::Db) -> Result<Vec<&'static str>> {
    let mut version = match stored_version(db)? {
        Some(v) => v,
        None => {
            let has_records = RECORD_TREES
                .iter()
                .map(|name| db.open_tree(name).map(|t| !t.is_empty()))
                .collect::<std::result::Result<Vec<bool>, _>>()?
                .into_iter()
                .any(|b| b);
            // Version 1 wrote no version key when it created a database lazily; data without
            // a version is version 1, an empty database is new.
            if has_records { 1 } else { SCHEMA_VERSION }
        }
    };
    if version > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let mut applied = Vec::new();
    while version < SCHEMA_VERSION {
        let step =
            MIGRATIONS
                .iter()
                .find(|m| m.from == version)
                .ok_or(StoreError::SchemaTooNew {
                    found: version,
                    supported: SCHEMA_VERSION,
                })?;
        (step.apply)(db)?;
        version += 1;
        // Recorded after each step, so an interrupted upgrade resumes at the step it was in.
        set_version(db, version)?;
        db.flush()?;
        applied.push(step.what);
    }
    set_version(db, version)?;
    Ok(applied)
}

/// 1 → 2: wrap every bare JSON record in the checksummed frame. Idempotent: a record that
/// already carries a valid frame is left alone, so a rerun after a crash is safe.
fn frame_bare_records(db: &sled::Db) -> Result<()> {
    for &name in RECORD_TREES {
        let tree = db.open_tree(name)?;
        for entry in tree.iter() {
            let (key, raw) = entry?;
            if codec::unframe(name, &raw).is_ok() {
                continue;
            }
            tree.insert(key, codec::frame(&raw))?;
        }
    }
    Ok(())
}

/// 3 → 4: every notice gets its entries in the ordered indexes. Idempotent: an entry is the
/// same key and value however often it is written.
fn fill_ordered_indexes(db: &sled::Db) -> Result<()> {
    let ordered = db.open_tree(crate::order_index::ORDERED_TREE)?;
    for entry in db.open_tree("notices")?.iter() {
        let (_, raw) = entry?;
        let notice: StoredNotice = codec::decode("notices", &raw)?;
        for order in crate::order_index::ORDERED {
            ordered.insert(
                crate::order_index::key(order, &notice),
                notice.id.as_bytes(),
            )?;
        }
    }
    Ok(())
}

/// 2 → 3: a notice is withdrawn when no page carries it, so each notice must know all its pages,
/// not only the last one it was fetched from. Idempotent: a notice that already lists its pages
/// is left alone.
fn fill_found_on(db: &sled::Db) -> Result<()> {
    let mut carriers: std::collections::HashMap<String, Vec<String>> = Default::default();
    for entry in db.open_tree("pages")?.iter() {
        let (_, raw) = entry?;
        let page: PageRecord = codec::decode("pages", &raw)?;
        for id in page.notice_ids {
            carriers.entry(id).or_default().push(page.url.clone());
        }
    }
    let notices = db.open_tree("notices")?;
    for entry in notices.iter() {
        let (key, raw) = entry?;
        let mut notice: StoredNotice = codec::decode("notices", &raw)?;
        if !notice.found_on.is_empty() {
            continue;
        }
        let mut found_on = vec![notice.source_uri.clone()];
        for url in carriers.remove(&notice.id).unwrap_or_default() {
            if !found_on.contains(&url) {
                found_on.push(url);
            }
        }
        notice.found_on = found_on;
        notices.insert(key, codec::encode("notices", &notice)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Maintenance, NoticeReads, OrganisationReads, SledStore, record_page};

    #[test]
    fn a_version_1_database_is_migrated_and_readable() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let db = sled::open(dir.path()).expect("open");
            db.open_tree(META_TREE)
                .expect("meta")
                .insert(SCHEMA_KEY, &1u32.to_be_bytes())
                .expect("write");
            let org = serde_json::json!({"id": "abc", "display_name": "中共某县委员会", "aliases": [], "notice_ids": []});
            db.open_tree("organisations")
                .expect("tree")
                .insert("abc", serde_json::to_vec(&org).expect("json"))
                .expect("write");
            db.flush().expect("flush");
        }
        let store = SledStore::open(dir.path()).expect("migrates on open");
        let org = store
            .resolve_organisation("abc")
            .expect("readable")
            .expect("present");
        assert_eq!(org.display_name, "中共某县委员会");
        drop(store);
        let db = sled::open(dir.path()).expect("reopen");
        assert_eq!(stored_version(&db).expect("version"), Some(SCHEMA_VERSION));
        assert!(migrate(&db).expect("nothing left").is_empty());
    }

    #[test]
    fn a_version_2_database_learns_every_page_that_carries_a_notice() {
        let dir = tempfile::tempdir().expect("temp dir");
        let notice = gazette_notice::Notice {
            organisation: Some("中共甲区委员会".into()),
            title: Some("通报".into()),
            ..Default::default()
        };
        let page = |url: &str| PageRecord {
            url: url.into(),
            content_sha256: format!("sha-{url}"),
            ..Default::default()
        };
        let id = {
            let store = SledStore::open(dir.path()).expect("open");
            let id = record_page(&store, page("http://a/1"), vec![notice.clone()])
                .expect("a")
                .new_notices[0]
                .clone();
            record_page(&store, page("http://b/1"), vec![notice.clone()]).expect("b");
            // What version 2 wrote: the notice knows only the page it was last fetched from.
            let mut legacy = store
                .notice(&id)
                .expect("read")
                .expect("present")
                .as_ref()
                .clone();
            legacy.found_on.clear();
            store
                .notices
                .insert(
                    id.as_bytes(),
                    codec::encode("notices", &legacy).expect("encode"),
                )
                .expect("write");
            set_version(&store.db, 2).expect("version");
            store.flush().expect("flush");
            id
        };
        let store = SledStore::open(dir.path()).expect("migrates on open");
        let migrated = store.notice(&id).expect("read").expect("present");
        assert_eq!(migrated.found_on, ["http://b/1", "http://a/1"]);
        // b/1 moves on to another notice; a/1 still carries this one, so it stays.
        let other = gazette_notice::Notice {
            title: Some("另一通报".into()),
            ..notice
        };
        let outcome = record_page(&store, page("http://b/1"), vec![other]).expect("b again");
        assert!(outcome.withdrawn_notices.is_empty());
        assert_eq!(outcome.new_notices.len(), 1, "{outcome:?}");
        let kept = store.notice(&id).expect("read").expect("kept");
        assert_eq!(kept.notice.title.as_deref(), Some("通报"));
        assert_eq!(kept.found_on, ["http://a/1"]);
    }

    #[test]
    fn a_version_3_database_gets_its_notices_in_every_ordered_index() {
        use crate::NoticeOrder;
        let dir = tempfile::tempdir().expect("temp dir");
        let signed = ["2024-05-06", "2023-01-02", "2024-05"];
        let ids: Vec<String> = {
            let store = SledStore::open(dir.path()).expect("open");
            let ids = signed
                .iter()
                .enumerate()
                .map(|(i, date)| {
                    let notice = gazette_notice::Notice {
                        organisation: Some("中共甲区委员会".into()),
                        title: Some(format!("第{i}号通报")),
                        signed_on: gazette_notice::NoticeDate::parse_iso(date),
                        ..Default::default()
                    };
                    let page = PageRecord {
                        url: format!("http://a/{i}"),
                        fetched_at_ms: i64::try_from(i).expect("small"),
                        ..Default::default()
                    };
                    record_page(&store, page, vec![notice])
                        .expect("write")
                        .new_notices[0]
                        .clone()
                })
                .collect();
            // What version 3 had: no ordered indexes.
            store.ordered.clear().expect("clear");
            set_version(&store.db, 3).expect("version");
            store.flush().expect("flush");
            ids
        };
        let store = SledStore::open(dir.path()).expect("migrates on open");
        let listed = |order| -> Vec<String> {
            store
                .list_notices(order, None, 10, None)
                .expect("list")
                .notices
                .iter()
                .map(|n| n.id.clone())
                .collect()
        };
        assert_eq!(
            listed(NoticeOrder::SignedDesc),
            [ids[0].clone(), ids[2].clone(), ids[1].clone()]
        );
        assert_eq!(listed(NoticeOrder::FetchedAsc), ids);
        assert_eq!(listed(NoticeOrder::PublishedAsc).len(), 3);
        assert!(store.verify().expect("verify").problems.is_empty());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let db = sled::open(dir.path()).expect("open");
            set_version(&db, SCHEMA_VERSION + 1).expect("write");
            db.flush().expect("flush");
        }
        let opened = SledStore::open(dir.path());
        assert!(
            matches!(opened, Err(StoreError::SchemaTooNew { .. })),
            "{:?}",
            opened.err()
        );
    }
}
