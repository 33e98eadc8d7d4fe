//! Export, import, counts, verification and stats on PostgreSQL, in the backend-neutral
//! records of [`crate::maintenance`].
//!
//! An export reads every table in one `REPEATABLE READ` transaction, so it is a consistent
//! snapshot even while other replicas write, through server-side cursors, so no table is held
//! in memory; the records go to the caller's sink on the caller's thread between batches. An
//! import is one transaction holding the feed lock: other replicas' page writes wait, and a
//! failed import leaves nothing behind.

use super::{Conn, PgError, PgStore, count, decode, encode, off_runtime, to_i64, to_u64};
use crate::error::{Result, StoreError};
use crate::maintenance::{ExportHeader, ExportRecord, RecordCounts, TransferStats};
use crate::records::{ChangeRecord, PageRecord, StoredNotice};
use crate::{StoreStats, VerifyReport};

/// Rows fetched per round trip of an export cursor (bodies are larger: fewer at a time).
const BATCH: usize = 500;
const BODY_BATCH: usize = 50;

/// A connection inside a transaction begun by hand (so that it can span calls off and on the
/// runtime); rolled back unless committed, so no open transaction goes back to the pool.
struct Held {
    conn: Option<Conn>,
    done: bool,
}

impl Held {
    fn begin(store: &PgStore, begin: &'static str) -> Result<Self> {
        let conn = off_runtime(|| -> Result<Conn> {
            let mut conn = store.conn()?;
            conn.batch_execute(begin).map_err(PgError::from)?;
            Ok(conn)
        })?;
        Ok(Self {
            conn: Some(conn),
            done: false,
        })
    }

    /// Runs `f` on the connection, off the runtime.
    fn run<T: Send>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> std::result::Result<T, PgError> + Send,
    ) -> Result<T> {
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| StoreError::Backend("transaction already ended".into()))?;
        off_runtime(move || f(conn)).map_err(StoreError::from)
    }

    fn commit(mut self) -> Result<()> {
        self.run(|c| Ok(c.batch_execute("COMMIT")?))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            let done = self.done;
            off_runtime(move || {
                if !done && conn.batch_execute("ROLLBACK").is_err() {
                    // A connection that cannot roll back is closed rather than reused.
                    let _ = conn.close_for_reuse();
                }
                drop(conn);
            });
        }
    }
}

/// Closing a pooled connection: r2d2 drops a connection whose `has_broken` is true; making
/// the client unusable is the way to say so.
trait CloseForReuse {
    fn close_for_reuse(&mut self) -> std::result::Result<(), postgres::Error>;
}

impl CloseForReuse for Conn {
    fn close_for_reuse(&mut self) -> std::result::Result<(), postgres::Error> {
        self.batch_execute("SELECT pg_terminate_backend(pg_backend_pid())")
    }
}

/// Streams the rows of `query` through a cursor, `batch` at a time, handing each to `record`
/// and the result to `sink` on this thread.
fn stream(
    held: &mut Held,
    query: &str,
    batch: usize,
    record: impl Fn(&postgres::Row) -> std::result::Result<ExportRecord, PgError>,
    sink: &mut dyn FnMut(ExportRecord) -> Result<()>,
) -> Result<()> {
    let declare = format!("DECLARE export_rows NO SCROLL CURSOR FOR {query}");
    held.run(move |c| Ok(c.batch_execute(&declare)?))?;
    let fetch = format!("FETCH {batch} FROM export_rows");
    loop {
        let fetch = fetch.clone();
        let rows = held.run(move |c| Ok(c.query(&fetch, &[])?))?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            sink(record(row)?)?;
        }
    }
    held.run(|c| Ok(c.batch_execute("CLOSE export_rows")?))
}

fn bytes(row: &postgres::Row, index: usize) -> &[u8] {
    row.get::<_, &[u8]>(index)
}

/// Every record, kind by kind in the order of [`ExportRecord`]'s variants, from one
/// consistent snapshot.
pub(crate) fn export_records(
    store: &PgStore,
    sink: &mut dyn FnMut(ExportRecord) -> Result<()>,
) -> Result<()> {
    let mut held = Held::begin(store, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
    let h = &mut held;
    stream(
        h,
        "SELECT record FROM pages ORDER BY url",
        BATCH,
        |r| {
            Ok(ExportRecord::Page {
                record: Box::new(decode("pages", bytes(r, 0))?),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT record FROM notices ORDER BY id",
        BATCH,
        |r| {
            Ok(ExportRecord::Notice {
                record: Box::new(decode("notices", bytes(r, 0))?),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT record FROM organisations ORDER BY id",
        BATCH,
        |r| {
            Ok(ExportRecord::Organisation {
                record: decode("organisations", bytes(r, 0))?,
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT folded, organisation_id FROM organisation_names ORDER BY folded",
        BATCH,
        |r| {
            Ok(ExportRecord::OrganisationName {
                name: r.get(0),
                organisation_id: r.get(1),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT record FROM page_versions ORDER BY url, fetched_at_ms",
        BATCH,
        |r| {
            Ok(ExportRecord::PageVersion {
                record: Box::new(decode("page_versions", bytes(r, 0))?),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT record FROM notice_versions ORDER BY id, version",
        BATCH,
        |r| {
            Ok(ExportRecord::NoticeVersion {
                record: Box::new(decode("notice_versions", bytes(r, 0))?),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT seq, notice_id, version, kind FROM changes ORDER BY seq",
        BATCH,
        |r| {
            Ok(ExportRecord::Change {
                record: ChangeRecord {
                    seq: to_u64(r.get(0)),
                    notice_id: r.get(1),
                    version: to_u64(r.get(2)),
                    kind: super::change_kind(r.get(3))?,
                },
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT derived, id FROM notice_aliases ORDER BY derived",
        BATCH,
        |r| {
            Ok(ExportRecord::NoticeAlias {
                alias: r.get(0),
                notice_id: r.get(1),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT id, version FROM withdrawn_notices ORDER BY id",
        BATCH,
        |r| {
            Ok(ExportRecord::WithdrawnNotice {
                notice_id: r.get(0),
                version: to_u64(r.get(1)),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT url, fetched_at_ms, body FROM page_bodies ORDER BY url, fetched_at_ms",
        BODY_BATCH,
        |r| {
            Ok(ExportRecord::PageBody {
                url: r.get(0),
                fetched_at_ms: r.get(1),
                deflated: r.get(2),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT source, seq, entry FROM frontier_queue ORDER BY source, seq",
        BATCH,
        |r| {
            Ok(ExportRecord::FrontierQueued {
                source: r.get(0),
                seq: to_u64(r.get(1)),
                entry: decode("frontier", bytes(r, 2))?,
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT source, url, done FROM frontier_seen ORDER BY source, url",
        BATCH,
        |r| {
            Ok(ExportRecord::FrontierSeen {
                source: r.get(0),
                url: r.get(1),
                done: r.get(2),
            })
        },
        sink,
    )?;
    stream(
        h,
        "SELECT source, started_ms, next_seq, notices_queued, lists_queued
             FROM frontier_runs ORDER BY source",
        BATCH,
        |r| {
            Ok(ExportRecord::FrontierRun {
                source: r.get(0),
                run: super::frontier::run_from(r, 1, false),
            })
        },
        sink,
    )?;
    held.commit()
}

/// Writes `records` in one transaction under the feed lock (see the module documentation),
/// continuing the export's lineage when this database had no change log.
pub(crate) fn import_records(
    store: &PgStore,
    header: &ExportHeader,
    records: &mut dyn Iterator<Item = Result<ExportRecord>>,
) -> Result<TransferStats> {
    let mut held = Held::begin(store, "BEGIN ISOLATION LEVEL READ COMMITTED")?;
    let (own_lineage, had_changes) = held.run(|c| {
        let lineage = to_u64(
            c.query_one("SELECT lineage FROM feed WHERE id = 1 FOR UPDATE", &[])?
                .get(0),
        );
        let had = c.query_opt("SELECT 1 FROM changes LIMIT 1", &[])?.is_some();
        Ok((lineage, had))
    })?;
    let mut counts = RecordCounts::default();
    let mut claimed_bodies: Vec<(bool, String, i64)> = Vec::new();
    let mut batch = Vec::with_capacity(BATCH);
    for record in records {
        let record = record?;
        counts.add(&record);
        let claimed = match &record {
            ExportRecord::Page { record: page } => Some((false, page)),
            ExportRecord::PageVersion { record: page } => Some((true, page)),
            ExportRecord::Notice { .. }
            | ExportRecord::Organisation { .. }
            | ExportRecord::OrganisationName { .. }
            | ExportRecord::NoticeVersion { .. }
            | ExportRecord::Change { .. }
            | ExportRecord::NoticeAlias { .. }
            | ExportRecord::WithdrawnNotice { .. }
            | ExportRecord::PageBody { .. }
            | ExportRecord::FrontierQueued { .. }
            | ExportRecord::FrontierSeen { .. }
            | ExportRecord::FrontierRun { .. } => None,
        };
        if let Some((is_version, page)) = claimed.filter(|(_, page)| page.body_stored) {
            claimed_bodies.push((is_version, page.url.clone(), page.fetched_at_ms));
        }
        batch.push(record);
        if batch.len() >= BATCH {
            let full = std::mem::take(&mut batch);
            held.run(move |c| write_records(c, &full))?;
        }
    }
    held.run(move |c| write_records(c, &batch))?;
    held.run(move |c| unclaim_missing_bodies(c, &claimed_bodies))?;
    let continued = match header.lineage {
        Some(exported) if !had_changes || exported == own_lineage => exported,
        None if !had_changes => own_lineage,
        Some(_) | None => crate::durability::new_lineage(),
    };
    let last = held.run(move |c| {
        let row = c.query_one(
            "UPDATE feed SET lineage = $1,
                   last = GREATEST(last, (SELECT coalesce(max(seq), 0) FROM changes))
                 WHERE id = 1 RETURNING last",
            &[&to_i64(continued)],
        )?;
        Ok(to_u64(row.get(0)))
    })?;
    held.commit()?;
    if continued != own_lineage {
        // Every replica reads the lineage when it opens; this one must now too.
        store.inner.feed.set_lineage(continued);
    }
    store.committed_through(last);
    Ok(counts.transfer())
}

/// How many records of each kind the database holds.
pub(crate) fn record_counts(store: &PgStore) -> Result<RecordCounts> {
    store.with_conn(|c| {
        let row = c.query_one(
            "SELECT (SELECT count(*) FROM pages), (SELECT count(*) FROM notices),
                   (SELECT count(*) FROM organisations), (SELECT count(*) FROM organisation_names),
                   (SELECT count(*) FROM page_versions), (SELECT count(*) FROM notice_versions),
                   (SELECT count(*) FROM changes), (SELECT count(*) FROM notice_aliases),
                   (SELECT count(*) FROM withdrawn_notices), (SELECT count(*) FROM page_bodies),
                   (SELECT count(*) FROM frontier_queue), (SELECT count(*) FROM frontier_seen),
                   (SELECT count(*) FROM frontier_runs)",
            &[],
        )?;
        let n = |i: usize| count(row.get(i));
        Ok(RecordCounts {
            pages: n(0),
            notices: n(1),
            organisations: n(2),
            organisation_names: n(3),
            page_versions: n(4),
            notice_versions: n(5),
            changes: n(6),
            notice_aliases: n(7),
            withdrawn_notices: n(8),
            page_bodies: n(9),
            frontier_queued: n(10),
            frontier_seen: n(11),
            frontier_runs: n(12),
        })
    })
}

/// Record counts and the database's size.
pub(crate) fn stats(store: &PgStore) -> Result<StoreStats> {
    store.with_conn(|c| {
        let row = c.query_one(
            "SELECT (SELECT count(*) FROM pages), (SELECT count(*) FROM notices),
                   (SELECT count(*) FROM organisations), pg_database_size(current_database())",
            &[],
        )?;
        Ok(StoreStats {
            pages: count(row.get(0)),
            notices: count(row.get(1)),
            organisations: count(row.get(2)),
            size_on_disk_bytes: u64::try_from(row.get::<_, i64>(3)).unwrap_or(0),
        })
    })
}

/// Decodes every record and checks the references between them: each page's notices
/// exist (or are withdrawn), each notice's organisation exists and lists it, each name and
/// alias leads somewhere, each claimed body is there, and every sort-key column agrees
/// with its record.
pub(crate) fn verify(store: &PgStore) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    let mut held = Held::begin(store, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
    let h = &mut held;
    let checks: [(&str, &str); 6] = [
        (
            "organisation_names",
            "SELECT 'organisation name ' || n.folded || ' leads to a missing organisation ' \
                 || n.organisation_id FROM organisation_names n \
                 LEFT JOIN organisations o ON o.id = n.organisation_id WHERE o.id IS NULL",
        ),
        (
            "notice_aliases",
            "SELECT 'alias ' || a.derived || ' leads to a missing notice ' || a.id \
                 FROM notice_aliases a LEFT JOIN notices n ON n.id = a.id \
                 LEFT JOIN withdrawn_notices w ON w.id = a.id \
                 WHERE n.id IS NULL AND w.id IS NULL",
        ),
        (
            "withdrawn_notices",
            "SELECT 'notice ' || w.id || ' is both current and withdrawn' \
                 FROM withdrawn_notices w JOIN notices n ON n.id = w.id",
        ),
        (
            "changes",
            "SELECT 'the change log ends at ' || max(seq) || ' past the feed position ' \
                 || (SELECT last FROM feed WHERE id = 1) FROM changes \
                 HAVING max(seq) > (SELECT last FROM feed WHERE id = 1)",
        ),
        (
            "frontier_queue",
            "SELECT 'frontier entry ' || q.source || '/' || q.seq || ' has no run' \
                 FROM frontier_queue q LEFT JOIN frontier_runs r ON r.source = q.source \
                 WHERE r.source IS NULL",
        ),
        (
            "feed",
            "SELECT 'the feed row is missing' WHERE NOT EXISTS (SELECT 1 FROM feed)",
        ),
    ];
    for (_, sql) in checks {
        let problems: Vec<String> =
            h.run(move |c| Ok(c.query(sql, &[])?.iter().map(|r| r.get(0)).collect()))?;
        report.index_entries_checked += 1;
        report.problems.extend(problems);
    }
    // Records: decoded, and their cross-references checked against the database.
    let mut pages = Vec::new();
    stream_checked(
        h,
        "SELECT url, record FROM pages",
        &mut |row| {
            let url: String = row.get(0);
            match decode::<PageRecord>("pages", bytes(row, 1)) {
                Ok(page) if page.url != url => {
                    Err(format!("page {url}: its record names {}", page.url))
                }
                Ok(page) => {
                    pages.push(page);
                    Ok(())
                }
                Err(e) => Err(format!("page {url}: {e}")),
            }
        },
        &mut report,
    )?;
    for page in pages {
        let problems = h.run(move |c| page_problems(c, &page))?;
        report.index_entries_checked += 1;
        report.problems.extend(problems);
    }
    let mut notices = Vec::new();
    stream_checked(
        h,
        "SELECT id, fetched_at_ms, published_at, signed_on, record FROM notices",
        &mut |row| {
            let id: String = row.get(0);
            let notice = decode::<StoredNotice>("notices", bytes(row, 4))
                .map_err(|e| format!("notices/{id}: {e}"))?;
            let columns = (
                row.get::<_, i64>(1),
                row.get::<_, Option<String>>(2),
                row.get::<_, Option<String>>(3),
            );
            let expected = (
                notice.fetched_at_ms,
                notice.notice.published_at.map(|p| p.to_string()),
                notice.notice.signed_on.map(|d| d.to_string()),
            );
            if notice.id != id {
                return Err(format!("notices/{id}: its record names {}", notice.id));
            }
            if columns != expected {
                return Err(format!(
                    "notices/{id}: sort columns {columns:?} disagree with the record {expected:?}"
                ));
            }
            notices.push(notice);
            Ok(())
        },
        &mut report,
    )?;
    for notice in notices {
        let problems = h.run(move |c| notice_problems(c, &notice))?;
        report.index_entries_checked += 1;
        report.problems.extend(problems);
    }
    for (tree, sql) in [
        ("organisations", "SELECT id, record FROM organisations"),
        ("page_versions", "SELECT url, record FROM page_versions"),
        ("notice_versions", "SELECT id, record FROM notice_versions"),
        ("frontier", "SELECT source, entry FROM frontier_queue"),
    ] {
        stream_checked(
            h,
            sql,
            &mut |row| {
                let key: String = row.get(0);
                let raw = bytes(row, 1);
                let decoded = match tree {
                    "organisations" => decode::<crate::OrganisationRecord>(tree, raw).map(drop),
                    "page_versions" => decode::<PageRecord>(tree, raw).map(drop),
                    "notice_versions" => decode::<StoredNotice>(tree, raw).map(drop),
                    _ => decode::<crate::FrontierEntry>(tree, raw).map(drop),
                };
                decoded.map_err(|e| format!("{tree} {key}: {e}"))
            },
            &mut report,
        )?;
    }
    held.commit()?;
    Ok(report)
}

/// Streams `query`'s rows through `check`, counting records and collecting problems.
fn stream_checked(
    held: &mut Held,
    query: &str,
    check: &mut dyn FnMut(&postgres::Row) -> std::result::Result<(), String>,
    report: &mut VerifyReport,
) -> Result<()> {
    let declare = format!("DECLARE verify_rows NO SCROLL CURSOR FOR {query}");
    held.run(move |c| Ok(c.batch_execute(&declare)?))?;
    loop {
        let rows = held.run(|c| Ok(c.query("FETCH 500 FROM verify_rows", &[])?))?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            report.records_checked += 1;
            if let Err(problem) = check(row) {
                report.problems.push(problem);
            }
        }
    }
    held.run(|c| Ok(c.batch_execute("CLOSE verify_rows")?))
}

fn page_problems(c: &mut Conn, page: &PageRecord) -> std::result::Result<Vec<String>, PgError> {
    let mut problems = Vec::new();
    for id in &page.notice_ids {
        let known = c
            .query_opt(
                "SELECT 1 FROM notices WHERE id = $1 UNION ALL
                 SELECT 1 FROM withdrawn_notices WHERE id = $1",
                &[id],
            )?
            .is_some();
        if !known {
            problems.push(format!("page {}: notice {id} is missing", page.url));
        }
    }
    if page.body_stored {
        let there = c
            .query_opt(
                "SELECT 1 FROM page_bodies WHERE url = $1 AND fetched_at_ms = $2",
                &[&page.url, &page.fetched_at_ms],
            )?
            .is_some();
        if !there {
            problems.push(format!(
                "page {}: claims a stored body, which is missing",
                page.url
            ));
        }
    }
    Ok(problems)
}

fn notice_problems(
    c: &mut Conn,
    notice: &StoredNotice,
) -> std::result::Result<Vec<String>, PgError> {
    let mut problems = Vec::new();
    if let Some(org_id) = &notice.organisation_id {
        match c.query_opt("SELECT record FROM organisations WHERE id = $1", &[org_id])? {
            None => problems.push(format!(
                "notices/{}: organisation {org_id} is missing",
                notice.id
            )),
            Some(row) => {
                let org: crate::OrganisationRecord = decode("organisations", bytes(&row, 0))?;
                if !org.notice_ids.contains(&notice.id) {
                    problems.push(format!(
                        "notices/{}: organisation {org_id} does not list it",
                        notice.id
                    ));
                }
            }
        }
    }
    Ok(problems)
}

/// Writes a batch of records (replacing records with the same keys).
fn write_records(c: &mut Conn, records: &[ExportRecord]) -> std::result::Result<(), PgError> {
    use super::writes;
    // Inside the import's own transaction (begun by hand): no nested BEGIN here.
    let tx: &mut postgres::Client = c;
    for record in records {
        match record {
            ExportRecord::Page { record } => writes::put_page(tx, record)?,
            ExportRecord::Notice { record } => writes::put_notice(tx, record)?,
            ExportRecord::Organisation { record } => writes::put_organisation(tx, record)?,
            ExportRecord::OrganisationName {
                name,
                organisation_id,
            } => writes::name_organisation(tx, name, organisation_id)?,
            ExportRecord::PageVersion { record } => writes::put_page_version(tx, record)?,
            ExportRecord::NoticeVersion { record } => {
                writes::put_notice_version(tx, record.version.max(1), record)?;
            }
            ExportRecord::Change { record } => {
                tx.execute(
                    "INSERT INTO changes (seq, notice_id, version, kind) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (seq) DO UPDATE SET notice_id = EXCLUDED.notice_id,
                       version = EXCLUDED.version, kind = EXCLUDED.kind",
                    &[
                        &to_i64(record.seq),
                        &record.notice_id,
                        &to_i64(record.version),
                        &super::change_kind_name(record.kind),
                    ],
                )?;
            }
            ExportRecord::NoticeAlias { alias, notice_id } => {
                writes::put_alias(tx, alias, notice_id)?;
            }
            ExportRecord::WithdrawnNotice { notice_id, version } => {
                writes::put_withdrawn(tx, notice_id, *version)?;
            }
            ExportRecord::PageBody {
                url,
                fetched_at_ms,
                deflated,
            } => writes::put_page_body(tx, url, *fetched_at_ms, deflated)?,
            ExportRecord::FrontierQueued { source, seq, entry } => {
                tx.execute(
                    "INSERT INTO frontier_queue (source, seq, entry) VALUES ($1, $2, $3)
                     ON CONFLICT (source, seq) DO UPDATE SET entry = EXCLUDED.entry,
                       lease_owner = NULL, lease_expires_ms = NULL",
                    &[source, &to_i64(*seq), &encode("frontier", entry)?],
                )?;
            }
            ExportRecord::FrontierSeen { source, url, done } => {
                tx.execute(
                    "INSERT INTO frontier_seen (source, url, done) VALUES ($1, $2, $3)
                     ON CONFLICT (source, url) DO UPDATE SET done = EXCLUDED.done",
                    &[source, url, done],
                )?;
            }
            ExportRecord::FrontierRun { source, run } => {
                super::frontier::save_run(tx, source, run)?;
            }
        }
    }
    Ok(())
}

/// Clears `body_stored` on imported pages and page versions whose body the import did not
/// bring (an export of an older build), so that no record claims what is not there.
fn unclaim_missing_bodies(
    c: &mut Conn,
    claimed: &[(bool, String, i64)],
) -> std::result::Result<(), PgError> {
    for (is_version, url, fetched_at_ms) in claimed {
        let there = c
            .query_opt(
                "SELECT 1 FROM page_bodies WHERE url = $1 AND fetched_at_ms = $2",
                &[url, fetched_at_ms],
            )?
            .is_some();
        if there {
            continue;
        }
        let row = if *is_version {
            c.query_opt(
                "SELECT record FROM page_versions WHERE url = $1 AND fetched_at_ms = $2",
                &[url, fetched_at_ms],
            )?
        } else {
            c.query_opt("SELECT record FROM pages WHERE url = $1", &[url])?
        };
        let Some(row) = row else { continue };
        let tree = if *is_version {
            "page_versions"
        } else {
            "pages"
        };
        let mut page: PageRecord = decode(tree, bytes(&row, 0))?;
        if page.fetched_at_ms != *fetched_at_ms || !page.body_stored {
            continue;
        }
        page.body_stored = false;
        let record = encode(tree, &page)?;
        if *is_version {
            c.execute(
                "UPDATE page_versions SET record = $3 WHERE url = $1 AND fetched_at_ms = $2",
                &[url, fetched_at_ms, &record],
            )?;
        } else {
            c.execute(
                "UPDATE pages SET record = $2 WHERE url = $1",
                &[url, &record],
            )?;
        }
    }
    Ok(())
}
