//! Each source's crawl frontier in PostgreSQL, shared by the replicas.
//!
//! - `frontier_runs`: the unfinished run of a source (counters and the next queue position),
//!   locked (`FOR UPDATE`) by every step that changes it.
//! - `frontier_queue`: entries in discovery order; a replica leases entries
//!   ([`claim`]: `FOR UPDATE SKIP LOCKED`, so concurrent claims never return the same entry)
//!   until an expiry, after which any replica may claim them again: the work of a replica that
//!   died is taken over once its leases run out.
//! - `frontier_seen`: URLs queued or done in the run, so each is queued once per run.
//! - `schedule_claims`: which replica runs a source's schedule, until when.
//!
//! Completing an entry deletes it, marks it done, queues its links and stores its page in one
//! transaction (the page write's feed lock first, then the run row, the same order everywhere).

use super::{PgError, PgStore, bigint, count, decode, encode, to_i64, to_u64};
use crate::error::StoreError;

type Result<T, E = StoreError> = std::result::Result<T, E>;
use crate::Lease;
use crate::records::{
    Completion, FrontierClaim, FrontierEntry, FrontierKind, FrontierRun, PageOutcome,
};
use postgres::Transaction;

/// The run of `source`, locked for this transaction.
fn locked_run(tx: &mut Transaction<'_>, source: &str) -> Result<Option<FrontierRun>, PgError> {
    Ok(tx
        .query_opt(
            "SELECT started_ms, next_seq, notices_queued, lists_queued FROM frontier_runs
             WHERE source = $1 FOR UPDATE",
            &[&source],
        )?
        .map(|row| run_from(&row, 0, false)))
}

/// The run in the columns `started_ms, next_seq, notices_queued, lists_queued` of `row`, the
/// first of them at index `first`.
pub(crate) fn run_from(row: &postgres::Row, first: usize, resumed: bool) -> FrontierRun {
    FrontierRun {
        started_ms: row.get(first),
        next_seq: to_u64(row.get(first + 1)),
        notices_queued: count(row.get(first + 2)),
        lists_queued: count(row.get(first + 3)),
        resumed,
    }
}

/// Stores (or replaces) the counters and next queue position of `source`'s run.
pub(crate) fn save_run(
    tx: &mut impl postgres::GenericClient,
    source: &str,
    run: &FrontierRun,
) -> Result<(), PgError> {
    tx.execute(
        "INSERT INTO frontier_runs (source, started_ms, next_seq, notices_queued, lists_queued)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source) DO UPDATE SET started_ms = EXCLUDED.started_ms,
           next_seq = EXCLUDED.next_seq, notices_queued = EXCLUDED.notices_queued,
           lists_queued = EXCLUDED.lists_queued",
        &[
            &source,
            &run.started_ms,
            &to_i64(run.next_seq),
            &bigint(run.notices_queued),
            &bigint(run.lists_queued),
        ],
    )?;
    Ok(())
}

/// Queues `entry` unless it was seen in this run or its kind's cap is reached; true if queued.
fn enqueue(
    tx: &mut Transaction<'_>,
    source: &str,
    run: &mut FrontierRun,
    entry: &FrontierEntry,
    max_notices: usize,
    max_lists: usize,
) -> Result<bool, PgError> {
    let (counter, cap) = match entry.kind {
        FrontierKind::Notice | FrontierKind::Attachment => (&mut run.notices_queued, max_notices),
        FrontierKind::List | FrontierKind::Sitemap => (&mut run.lists_queued, max_lists),
    };
    if *counter >= cap {
        return Ok(false);
    }
    let inserted = tx.execute(
        "INSERT INTO frontier_seen (source, url, done) VALUES ($1, $2, false)
         ON CONFLICT (source, url) DO NOTHING",
        &[&source, &entry.url],
    )?;
    if inserted == 0 {
        return Ok(false);
    }
    *counter += 1;
    tx.execute(
        "INSERT INTO frontier_queue (source, seq, entry) VALUES ($1, $2, $3)",
        &[&source, &to_i64(run.next_seq), &encode("frontier", entry)?],
    )?;
    run.next_seq += 1;
    Ok(true)
}

pub(crate) fn begin(
    store: &PgStore,
    source: &str,
    seeds: &[FrontierEntry],
    now_ms: i64,
    max_notices: usize,
    max_lists: usize,
) -> Result<FrontierRun> {
    store.transaction(false, |tx| {
        // Two replicas beginning at once: the row lock (or, for a new run, the primary key)
        // makes one start it and the other resume it.
        let created = tx
            .query_opt(
                "INSERT INTO frontier_runs (source, started_ms, next_seq, notices_queued, lists_queued)
                 VALUES ($1, $2, 0, 0, 0) ON CONFLICT (source) DO NOTHING RETURNING source",
                &[&source, &now_ms],
            )?
            .is_some();
        let mut run = locked_run(tx, source)?.ok_or_else(|| {
            PgError::Store(StoreError::NoRun {
                source_name: source.to_owned(),
            })
        })?;
        if !created {
            run.resumed = true;
            return Ok(run);
        }
        for seed in seeds {
            enqueue(tx, source, &mut run, seed, max_notices, max_lists)?;
        }
        save_run(tx, source, &run)?;
        Ok(run)
    })
}

fn entries(rows: &[postgres::Row]) -> Result<Vec<(u64, FrontierEntry)>, PgError> {
    let mut out = rows
        .iter()
        .map(|row| {
            let entry: FrontierEntry = decode("frontier", row.get::<_, &[u8]>(1))?;
            Ok((to_u64(row.get(0)), entry))
        })
        .collect::<Result<Vec<_>, PgError>>()?;
    out.sort_by_key(|(seq, _)| *seq);
    Ok(out)
}

#[cfg(test)]
pub(crate) fn pending(
    store: &PgStore,
    source: &str,
    limit: usize,
) -> Result<Vec<(u64, FrontierEntry)>> {
    let limit = bigint(limit);
    store.with_conn(|conn| {
        let rows = conn.query(
            "SELECT seq, entry FROM frontier_queue WHERE source = $1 ORDER BY seq LIMIT $2",
            &[&source, &limit],
        )?;
        entries(&rows)
    })
}

/// Leases up to `limit` entries nobody holds (never leased, released, or expired at
/// `now_ms`) to `worker` until `until_ms`. `SKIP LOCKED`: two replicas claiming at once take
/// different entries instead of waiting for each other.
pub(crate) fn claim(
    store: &PgStore,
    source: &str,
    lease: Lease<'_>,
    limit: usize,
) -> Result<FrontierClaim> {
    let limit = bigint(limit);
    let (worker, now_ms, until_ms) = (lease.worker, lease.now_ms, lease.until_ms);
    store.transaction(false, |tx| {
        let rows = tx.query(
            "UPDATE frontier_queue q SET lease_owner = $3, lease_expires_ms = $4
             FROM (SELECT seq FROM frontier_queue
                   WHERE source = $1 AND (lease_expires_ms IS NULL OR lease_expires_ms <= $5)
                   ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED) free
             WHERE q.source = $1 AND q.seq = free.seq
             RETURNING q.seq, q.entry",
            &[&source, &limit, &worker, &until_ms, &now_ms],
        )?;
        let others = tx.query_one(
            "SELECT count(*), min(lease_expires_ms) FROM frontier_queue
             WHERE source = $1 AND lease_owner <> $2 AND lease_expires_ms > $3",
            &[&source, &worker, &now_ms],
        )?;
        Ok(FrontierClaim {
            entries: entries(&rows)?,
            leased_to_others: count(others.get(0)),
            next_expiry_ms: others.get(1),
        })
    })
}

/// Extends `worker`'s leases on `seqs` to `until_ms` (never shortening them); returns the
/// positions it still held. A lease that expired but was not claimed by another is kept.
pub(crate) fn renew(
    store: &PgStore,
    source: &str,
    worker: &str,
    until_ms: i64,
    seqs: &[u64],
) -> Result<Vec<u64>> {
    let seqs: Vec<i64> = seqs.iter().map(|s| to_i64(*s)).collect();
    store.with_conn(|conn| {
        let mut kept: Vec<u64> = conn
            .query(
                "UPDATE frontier_queue SET lease_expires_ms = GREATEST(lease_expires_ms, $4)
                 WHERE source = $1 AND seq = ANY($2) AND lease_owner = $3 RETURNING seq",
                &[&source, &seqs, &worker, &until_ms],
            )?
            .iter()
            .map(|row| to_u64(row.get(0)))
            .collect();
        kept.sort_unstable();
        Ok(kept)
    })
}

/// Gives back `worker`'s leases on `seqs`: claimable at once.
pub(crate) fn release(store: &PgStore, source: &str, worker: &str, seqs: &[u64]) -> Result<()> {
    let seqs: Vec<i64> = seqs.iter().map(|s| to_i64(*s)).collect();
    store.with_conn(|conn| {
        conn.execute(
            "UPDATE frontier_queue SET lease_owner = NULL, lease_expires_ms = NULL
             WHERE source = $1 AND seq = ANY($2) AND lease_owner = $3",
            &[&source, &seqs, &worker],
        )?;
        Ok(())
    })
}

/// `source`'s unfinished run.
pub(crate) fn run(store: &PgStore, source: &str) -> Result<Option<FrontierRun>> {
    store.with_conn(|conn| {
        Ok(conn
            .query_opt(
                "SELECT started_ms, next_seq, notices_queued, lists_queued FROM frontier_runs
                 WHERE source = $1",
                &[&source],
            )?
            .map(|row| run_from(&row, 0, true)))
    })
}

pub(crate) fn complete(store: &PgStore, source: &str, done: Completion) -> Result<PageOutcome> {
    let compressed = done
        .page
        .as_ref()
        .and_then(|w| w.raw.as_deref())
        .map(crate::frontier::compress)
        .transpose()?;
    let (outcome, last) = store.transaction(done.page.is_some(), |tx| {
        let mut run = locked_run(tx, source)?.ok_or_else(|| {
            PgError::Store(StoreError::NoRun {
                source_name: source.to_owned(),
            })
        })?;
        tx.execute(
            "DELETE FROM frontier_queue WHERE source = $1 AND seq = $2",
            &[&source, &to_i64(done.seq)],
        )?;
        tx.execute(
            "INSERT INTO frontier_seen (source, url, done) VALUES ($1, $2, true)
             ON CONFLICT (source, url) DO UPDATE SET done = true",
            &[&source, &done.url],
        )?;
        for entry in &done.discovered {
            enqueue(
                tx,
                source,
                &mut run,
                entry,
                done.max_notices,
                done.max_lists,
            )?;
        }
        save_run(tx, source, &run)?;
        match &done.page {
            Some(write) => {
                super::writes::write_page(tx, &write.page, &write.notices, compressed.as_deref())
            }
            None => Ok((PageOutcome::default(), None)),
        }
    })?;
    if let Some(last) = last {
        store.committed_through(last);
    }
    Ok(outcome)
}

/// Ends the run once nothing is queued (so nothing is leased either) and says whether it
/// did; while another replica still has entries queued or leased, the run goes on.
pub(crate) fn finish(store: &PgStore, source: &str) -> Result<bool> {
    store.transaction(false, |tx| {
        if locked_run(tx, source)?.is_none() {
            return Ok(true);
        }
        let queued = tx
            .query_opt(
                "SELECT 1 FROM frontier_queue WHERE source = $1 LIMIT 1",
                &[&source],
            )?
            .is_some();
        if queued {
            return Ok(false);
        }
        tx.execute("DELETE FROM frontier_seen WHERE source = $1", &[&source])?;
        tx.execute("DELETE FROM frontier_runs WHERE source = $1", &[&source])?;
        Ok(true)
    })
}

/// Claims the run of `source` due at `due_ms` for the lease's worker until its expiry: granted when no
/// one claimed the source yet; to the holder for a due time at or after its own (renewing);
/// to another worker once the holder's claim expired (or was released) and for a later due
/// time only, so a run is started once whichever replica asks.
pub(crate) fn claim_run(
    store: &PgStore,
    source: &str,
    due_ms: i64,
    lease: Lease<'_>,
) -> Result<bool> {
    let (worker, now_ms, until_ms) = (lease.worker, lease.now_ms, lease.until_ms);
    store.with_conn(|conn| {
        Ok(conn
            .query_opt(
                "INSERT INTO schedule_claims (source, owner, due_ms, expires_ms)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (source) DO UPDATE SET owner = EXCLUDED.owner,
                   due_ms = EXCLUDED.due_ms, expires_ms = EXCLUDED.expires_ms
                 WHERE (schedule_claims.owner = EXCLUDED.owner
                        AND EXCLUDED.due_ms >= schedule_claims.due_ms)
                    OR (schedule_claims.expires_ms <= $5
                        AND EXCLUDED.due_ms > schedule_claims.due_ms)
                 RETURNING owner",
                &[&source, &worker, &due_ms, &until_ms, &now_ms],
            )?
            .is_some())
    })
}

/// Ends `worker`'s claim on `source`'s schedule; the due time stays claimed.
pub(crate) fn release_run(store: &PgStore, source: &str, worker: &str) -> Result<()> {
    store.with_conn(|conn| {
        conn.execute(
            "UPDATE schedule_claims SET expires_ms = $3 WHERE source = $1 AND owner = $2",
            &[&source, &worker, &i64::MIN],
        )?;
        Ok(())
    })
}
