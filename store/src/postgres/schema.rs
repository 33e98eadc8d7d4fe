//! The PostgreSQL schema: SQL migrations embedded in the binary, applied in order at start in
//! one transaction each, and recorded in `schema_version`. Replicas starting together take an
//! advisory lock, so one applies them and the others find them applied; a database migrated by
//! a newer build is refused, as on sled, since an older binary would misread it.

use super::{PgError, tx_err};
use crate::error::StoreError;

/// One migration: the version it brings the schema to and its SQL.
struct Migration {
    version: u32,
    what: &'static str,
    sql: &'static str,
}

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    what: "pages, notices, organisations, change log, frontier with leases, schedule claims",
    sql: include_str!("migrations/0001_initial.sql"),
}];

/// The schema version this build writes and reads.
pub const PG_SCHEMA_VERSION: u32 = 1;

/// Key of the advisory lock held while migrating (any constant; "gazette" in ASCII).
const MIGRATION_LOCK: i64 = 0x0067_617a_6574_7465;

/// Brings the database to [`PG_SCHEMA_VERSION`] and makes sure it has a lineage. Returns the
/// migrations applied.
pub(crate) fn migrate(client: &mut postgres::Client) -> Result<Vec<&'static str>, PgError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version integer PRIMARY KEY,
             what text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )?;
    let found: Option<i32> = tx
        .query_one("SELECT max(version) FROM schema_version", &[])?
        .get(0);
    let found = found.and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
    if found > PG_SCHEMA_VERSION {
        return Err(tx_err(StoreError::SchemaTooNew {
            found,
            supported: PG_SCHEMA_VERSION,
        }));
    }
    let mut applied = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.batch_execute(migration.sql)?;
        let version = i32::try_from(migration.version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO schema_version (version, what) VALUES ($1, $2)",
            &[&version, &migration.what],
        )?;
        applied.push(migration.what);
    }
    let lineage = crate::durability::new_lineage();
    tx.execute(
        "INSERT INTO feed (id, lineage, last) VALUES (1, $1, 0) ON CONFLICT (id) DO NOTHING",
        &[&super::to_i64(lineage)],
    )?;
    tx.commit()?;
    Ok(applied)
}
