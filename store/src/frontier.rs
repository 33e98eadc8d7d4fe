//! Each source's crawl frontier, durable in sled so that a crawl killed mid-run resumes where it
//! stopped.
//!
//! Trees (keys start with the source name and a NUL, which names never contain):
//! - `frontier`: source ‖ 0 ‖ seq BE → [`FrontierEntry`] (JSON), the queue in discovery order.
//! - `frontier_seen`: source ‖ 0 ‖ url → `[0]` queued or `[1]` done in the current run.
//! - `frontier_runs`: source → [`FrontierRun`] (JSON), present while a run is unfinished.
//!
//! Leases (who works on which entry, until when) and schedule claims are kept in memory
//! (`Leases`): a sled store is opened by one process, so a lease ends with the process that
//! holds it, which is the point of a lease; several workers in that process share them.
//!
//! Finishing an entry (dequeue, mark done, queue its links, store its page) is one transaction
//! with the page write, so after a crash an entry is either done with its page stored or still
//! queued; a rerun of a queued entry writes the same notice ids, so nothing is duplicated.

use crate::Lease;
use crate::error::{Result, StoreError};
use crate::records::{
    Completion, FrontierClaim, FrontierEntry, FrontierKind, FrontierRun, PageOutcome,
};
use crate::sled_store::{SledStore, TxResult, decode, tx_get, tx_put, write_page};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::HashMap;
use std::io::{Read, Write};

pub(crate) const QUEUED: &[u8] = &[0];
pub(crate) const DONE: &[u8] = &[1];

/// The frontier trees inside a transaction.
pub(crate) struct FrontierTrees<'a> {
    pub(crate) queue: &'a TransactionalTree,
    pub(crate) seen: &'a TransactionalTree,
    pub(crate) runs: &'a TransactionalTree,
}

fn prefix(source: &str) -> Vec<u8> {
    let mut key = source.as_bytes().to_vec();
    key.push(0);
    key
}

pub(crate) fn queue_key(source: &str, seq: u64) -> Vec<u8> {
    let mut key = prefix(source);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// The position in a queue key of [`queue_key`], whose source prefix is `start` bytes long.
fn queue_seq(key: &[u8], start: usize) -> Result<u64> {
    key.get(start..)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or(StoreError::InvalidCursor)
}

pub(crate) fn seen_key(source: &str, url: &str) -> Vec<u8> {
    let mut key = prefix(source);
    key.extend_from_slice(url.as_bytes());
    key
}

/// Deflate-compresses a page body (pure-Rust miniz_oxide backend).
pub(crate) fn compress(raw: &[u8]) -> Result<Vec<u8>> {
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(raw).map_err(StoreError::BodyCodec)?;
    encoder.finish().map_err(StoreError::BodyCodec)
}

pub(crate) fn decompress(compressed: &[u8]) -> Result<Vec<u8>> {
    let mut raw = Vec::new();
    flate2::read::DeflateDecoder::new(compressed)
        .read_to_end(&mut raw)
        .map_err(StoreError::BodyCodec)?;
    Ok(raw)
}

/// Queues `entry` unless it was already seen in this run or the run's cap for its kind is
/// reached. Returns true if queued.
fn enqueue(
    t: &FrontierTrees<'_>,
    source: &str,
    run: &mut FrontierRun,
    entry: &FrontierEntry,
    max_notices: usize,
    max_lists: usize,
) -> TxResult<bool> {
    let seen = seen_key(source, &entry.url);
    if t.seen.get(&seen)?.is_some() {
        return Ok(false);
    }
    let counter = match entry.kind {
        FrontierKind::Notice | FrontierKind::Attachment => (&mut run.notices_queued, max_notices),
        FrontierKind::List | FrontierKind::Sitemap => (&mut run.lists_queued, max_lists),
    };
    if *counter.0 >= counter.1 {
        return Ok(false);
    }
    *counter.0 += 1;
    tx_put(t.queue, "frontier", &queue_key(source, run.next_seq), entry)?;
    t.seen.insert(seen, QUEUED)?;
    run.next_seq += 1;
    Ok(true)
}

impl SledStore {
    pub(crate) fn begin_run(
        &self,
        source: &str,
        seeds: &[FrontierEntry],
        now_ms: i64,
        max_notices: usize,
        max_lists: usize,
    ) -> Result<FrontierRun> {
        self.transaction(|_, t| {
            if let Some(mut run) =
                tx_get::<FrontierRun>(t.runs, "frontier_runs", source.as_bytes())?
            {
                run.resumed = true;
                return Ok(run);
            }
            let mut run = FrontierRun {
                started_ms: now_ms,
                ..FrontierRun::default()
            };
            for seed in seeds {
                enqueue(t, source, &mut run, seed, max_notices, max_lists)?;
            }
            tx_put(t.runs, "frontier_runs", source.as_bytes(), &run)?;
            Ok(run)
        })
    }

    /// Leases up to `limit` claimable entries of `source` to `lease.worker`, oldest first.
    pub(crate) fn claim(
        &self,
        source: &str,
        lease: Lease<'_>,
        limit: usize,
    ) -> Result<FrontierClaim> {
        let mut table = self.lease_table();
        let mut claim = FrontierClaim::default();
        let start = prefix(source).len();
        for item in self.frontier.scan_prefix(prefix(source)) {
            if claim.entries.len() >= limit {
                break;
            }
            let (key, raw) = item?;
            let seq = queue_seq(&key, start)?;
            if table.held(source, seq, lease.now_ms).is_some() {
                continue;
            }
            table.take(source, seq, lease);
            claim.entries.push((seq, decode("frontier", &raw)?));
        }
        for (worker, until) in table.live(source, lease.now_ms) {
            if worker != lease.worker {
                claim.leased_to_others += 1;
                claim.next_expiry_ms = Some(claim.next_expiry_ms.map_or(until, |e| e.min(until)));
            }
        }
        Ok(claim)
    }

    /// Up to `limit` queued entries of `source`, oldest first, leased or not (for tests).
    #[cfg(test)]
    pub(crate) fn frontier_pending(
        &self,
        source: &str,
        limit: usize,
    ) -> Result<Vec<(u64, FrontierEntry)>> {
        let mut out = Vec::new();
        let start = prefix(source).len();
        for item in self.frontier.scan_prefix(prefix(source)).take(limit) {
            let (key, raw) = item?;
            let seq = queue_seq(&key, start)?;
            out.push((seq, decode("frontier", &raw)?));
        }
        Ok(out)
    }

    /// The lease table, whatever a panicking holder left (its entries stay consistent: each
    /// change is one map operation).
    pub(crate) fn lease_table(&self) -> std::sync::MutexGuard<'_, Leases> {
        self.leases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn complete(&self, source: &str, done: Completion) -> Result<PageOutcome> {
        let compressed = done
            .page
            .as_ref()
            .and_then(|w| w.raw.as_deref())
            .map(compress)
            .transpose()?;
        self.transaction(|pages, t| {
            let mut run: FrontierRun = tx_get(t.runs, "frontier_runs", source.as_bytes())?.ok_or(
                ConflictableTransactionError::Abort(StoreError::NoRun {
                    source_name: source.to_owned(),
                }),
            )?;
            t.queue.remove(queue_key(source, done.seq))?;
            // Only now, inside the transaction that dequeues it, is the entry no longer
            // claimable; dropping the lease of an entry already finished changes nothing.
            t.seen.insert(seen_key(source, &done.url), DONE)?;
            for entry in &done.discovered {
                enqueue(t, source, &mut run, entry, done.max_notices, done.max_lists)?;
            }
            tx_put(t.runs, "frontier_runs", source.as_bytes(), &run)?;
            match &done.page {
                Some(write) => {
                    write_page(pages, &write.page, &write.notices, compressed.as_deref())
                }
                None => Ok(PageOutcome::default()),
            }
        })
        .inspect(|_| self.lease_table().forget(source, done.seq))
    }

    /// Ends the run when its queue is empty (nothing queued, so nothing leased either): the
    /// seen set is dropped (the next run re-checks every page with conditional requests). The
    /// run record goes last, so a crash in between leaves a run that resumes with nothing
    /// queued and finishes again. Returns false, changing nothing, while entries are queued.
    pub(crate) fn finish_run(&self, source: &str) -> Result<bool> {
        if self
            .frontier
            .scan_prefix(prefix(source))
            .next()
            .transpose()?
            .is_some()
        {
            return Ok(false);
        }
        for key in self.frontier_seen.scan_prefix(prefix(source)).keys() {
            self.frontier_seen.remove(key?)?;
        }
        self.frontier_runs.remove(source.as_bytes())?;
        self.lease_table().forget_source(source);
        Ok(true)
    }
}

/// One lease: the worker and its expiry.
#[derive(Debug, Clone)]
struct Held {
    worker: String,
    until_ms: i64,
}

/// A source's schedule claim: the run due last granted, its holder and the claim's expiry.
#[derive(Debug, Clone)]
struct RunClaim {
    due_ms: i64,
    worker: String,
    until_ms: i64,
}

/// Frontier leases by source and queue position, and schedule claims by source.
#[derive(Debug, Default)]
pub(crate) struct Leases {
    entries: HashMap<String, HashMap<u64, Held>>,
    runs: HashMap<String, RunClaim>,
}

impl Leases {
    /// The live lease on `seq`, if any.
    fn held(&self, source: &str, seq: u64, now_ms: i64) -> Option<&Held> {
        self.entries
            .get(source)
            .and_then(|leases| leases.get(&seq))
            .filter(|held| held.until_ms > now_ms)
    }

    fn take(&mut self, source: &str, seq: u64, lease: Lease<'_>) {
        self.entries.entry(source.to_owned()).or_default().insert(
            seq,
            Held {
                worker: lease.worker.to_owned(),
                until_ms: lease.until_ms,
            },
        );
    }

    /// Live leases of `source`: (worker, expiry).
    fn live(&self, source: &str, now_ms: i64) -> Vec<(&str, i64)> {
        self.entries
            .get(source)
            .into_iter()
            .flat_map(|leases| leases.values())
            .filter(|held| held.until_ms > now_ms)
            .map(|held| (held.worker.as_str(), held.until_ms))
            .collect()
    }

    pub(crate) fn renew(&mut self, source: &str, lease: Lease<'_>, seqs: &[u64]) -> Vec<u64> {
        let Some(leases) = self.entries.get_mut(source) else {
            return Vec::new();
        };
        let mut kept = Vec::new();
        for seq in seqs {
            // Still this worker's, even if it expired, as long as nobody claimed it since.
            if let Some(held) = leases.get_mut(seq).filter(|h| h.worker == lease.worker) {
                held.until_ms = held.until_ms.max(lease.until_ms);
                kept.push(*seq);
            }
        }
        kept
    }

    pub(crate) fn release(&mut self, source: &str, worker: &str, seqs: &[u64]) {
        if let Some(leases) = self.entries.get_mut(source) {
            for seq in seqs {
                if leases.get(seq).is_some_and(|h| h.worker == worker) {
                    leases.remove(seq);
                }
            }
        }
    }

    fn forget(&mut self, source: &str, seq: u64) {
        if let Some(leases) = self.entries.get_mut(source) {
            leases.remove(&seq);
        }
    }

    fn forget_source(&mut self, source: &str) {
        self.entries.remove(source);
    }

    pub(crate) fn claim_run(&mut self, source: &str, due_ms: i64, lease: Lease<'_>) -> bool {
        let granted = match self.runs.get(source) {
            None => true,
            Some(claim) if claim.worker == lease.worker => due_ms >= claim.due_ms,
            Some(claim) => claim.until_ms <= lease.now_ms && due_ms > claim.due_ms,
        };
        if granted {
            self.runs.insert(
                source.to_owned(),
                RunClaim {
                    due_ms,
                    worker: lease.worker.to_owned(),
                    until_ms: lease.until_ms,
                },
            );
        }
        granted
    }

    pub(crate) fn release_run(&mut self, source: &str, worker: &str) {
        if let Some(claim) = self.runs.get_mut(source).filter(|c| c.worker == worker) {
            claim.until_ms = i64::MIN;
        }
    }
}
