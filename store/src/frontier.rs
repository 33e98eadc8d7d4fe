//! Each source's crawl frontier, durable in sled so that a crawl killed mid-run resumes where it
//! stopped.
//!
//! Trees (keys start with the source name and a NUL, which names never contain):
//! - `frontier`: source ‖ 0 ‖ seq BE → [`FrontierEntry`] (JSON), the queue in discovery order.
//! - `frontier_seen`: source ‖ 0 ‖ url → `[0]` queued or `[1]` done in the current run.
//! - `frontier_runs`: source → [`FrontierRun`] (JSON), present while a run is unfinished.
//!
//! Finishing an entry (dequeue, mark done, queue its links, store its page) is one transaction
//! with the page write, so after a crash an entry is either done with its page stored or still
//! queued; a rerun of a queued entry writes the same notice ids, so nothing is duplicated.

use crate::error::{Result, StoreError};
use crate::records::{Completion, FrontierEntry, FrontierKind, FrontierRun, PageOutcome};
use crate::sled_store::{SledStore, TxResult, decode, tx_get, tx_put, write_page};
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
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

    pub(crate) fn pending(&self, source: &str, limit: usize) -> Result<Vec<(u64, FrontierEntry)>> {
        let mut out = Vec::new();
        let start = prefix(source).len();
        for item in self.frontier.scan_prefix(prefix(source)).take(limit) {
            let (key, raw) = item?;
            let seq = key
                .get(start..)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .ok_or(StoreError::InvalidCursor)?;
            out.push((seq, decode("frontier", &raw)?));
        }
        Ok(out)
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
    }

    /// Ends the run: the queue is empty, so the seen set is dropped (the next run re-checks
    /// every page with conditional requests). The run record goes last, so a crash in between
    /// leaves a run that resumes with nothing queued and finishes again.
    pub(crate) fn finish_run(&self, source: &str) -> Result<()> {
        for tree in [&self.frontier, &self.frontier_seen] {
            for key in tree.scan_prefix(prefix(source)).keys() {
                tree.remove(key?)?;
            }
        }
        self.frontier_runs.remove(source.as_bytes())?;
        Ok(())
    }
}
