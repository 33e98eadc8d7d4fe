//! The on-disk schema version and the migrations between versions. `SledStore::open` runs
//! every pending migration in order before anything else touches the data, and refuses a
//! database written by a newer build, so an older binary never misreads newer records.
//!
//! History:
//! - 1: records as bare JSON.
//! - 2: records framed with a format byte and a CRC-32 (see `codec`), verified on read.
//! - 3: notice aliases and withdrawals (new trees, a new change kind): nothing to rewrite, but
//!   an older build would misread the change log, so it must refuse the database.

use crate::codec;
use crate::error::{Result, StoreError};

/// Schema version written by this build.
pub const SCHEMA_VERSION: u32 = 3;
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
        what: "notice aliases and withdrawals (no record rewritten)",
        apply: |_| Ok(()),
    },
];

/// The version stored in `db`, or `None` for a database that has never been written.
pub fn stored_version(db: &sled::Db) -> Result<Option<u32>> {
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
pub fn migrate(db: &sled::Db) -> Result<Vec<&'static str>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NoticeStore, SledStore};

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
            .organisation("abc")
            .expect("readable")
            .expect("present");
        assert_eq!(org.display_name, "中共某县委员会");
        drop(store);
        let db = sled::open(dir.path()).expect("reopen");
        assert_eq!(stored_version(&db).expect("version"), Some(SCHEMA_VERSION));
        assert!(migrate(&db).expect("nothing left").is_empty());
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let db = sled::open(dir.path()).expect("open");
            set_version(&db, SCHEMA_VERSION + 1).expect("write");
            db.flush().expect("flush");
        }
        assert!(matches!(
            SledStore::open(dir.path()),
            Err(StoreError::SchemaTooNew { .. })
        ));
    }
}
