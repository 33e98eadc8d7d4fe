//! What makes an acknowledged write survive kill -9: every committed write waits for a flush
//! before it returns, and writers that commit while a flush runs share the next one (group
//! commit), so concurrent writers pay for one flush between them rather than one each.
//!
//! The change log is published to watchers only up to the last entry known durable, so a
//! watcher never holds a resume token for an entry a crash could still lose; and change-log
//! positions come from a high-water mark persisted before any position below it is used, so a
//! position handed out before a crash is never handed out again after it.

use crate::error::{Result, StoreError};
use std::sync::{Condvar, Mutex, PoisonError};

/// Positions reserved per persisted high-water mark: one extra flush per this many changes.
pub(crate) const RESERVE_BLOCK: u64 = 1024;
/// A write starts only with at least this many positions reserved ahead of it; one that logs
/// more reserves again and reruns (see [`crate::sled_store::SledStore::transaction`]).
pub(crate) const RESERVE_AHEAD: u64 = 64;
/// Key in the `meta` tree of the change-log high-water mark (u64 BE): no position at or above
/// it has been used.
pub(crate) const HIGH_WATER_KEY: &[u8] = b"change_seq_high_water";
/// Key in the `meta` tree of the store's lineage id (u64 BE), created with the store.
pub(crate) const LINEAGE_KEY: &[u8] = b"store_lineage";

/// The next change-log position and how far positions are reserved; held under the writers'
/// lock, so positions are taken in commit order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChangeSequence {
    /// The position the next logged change gets.
    pub(crate) next: u64,
    /// Positions below this are covered by the persisted high-water mark.
    pub(crate) reserved: u64,
}

/// The flush state shared by all writers.
#[derive(Debug, Default)]
struct FlushState {
    /// Tickets handed out: one per committed write that waits for durability.
    requested: u64,
    /// Every ticket up to this one is durable.
    flushed: u64,
    /// A writer is flushing on behalf of everyone who asked before it started.
    flushing: bool,
    /// The newest change-log position committed by a ticket holder.
    committed_seq: u64,
}

/// Group commit: one flush at a time, each covering every write committed before it began.
pub(crate) struct GroupCommit {
    state: Mutex<FlushState>,
    done: Condvar,
    /// The last change-log position known durable (0: none), for watchers.
    durable: tokio::sync::watch::Sender<u64>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// Starts with everything up to `durable_seq` already on disk (what a store opens with).
    pub(crate) fn new(durable_seq: u64) -> Self {
        Self {
            state: Mutex::new(FlushState {
                committed_seq: durable_seq,
                ..FlushState::default()
            }),
            done: Condvar::new(),
            durable: tokio::sync::watch::Sender::new(durable_seq),
        }
    }

    /// Returns once the write just committed, whose newest change-log entry is `seq` (0 when
    /// it logged none), is on disk. The first writer to find no flush running flushes for
    /// everyone who committed before it; the others wait for that flush, or for the next.
    pub(crate) fn wait_durable(&self, seq: u64, flush: impl Fn() -> Result<()>) -> Result<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.requested += 1;
        let ticket = state.requested;
        state.committed_seq = state.committed_seq.max(seq);
        loop {
            if state.flushed >= ticket {
                return Ok(());
            }
            if state.flushing {
                state = self
                    .done
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Everything committed up to now is covered by a flush that starts now: writers
            // commit before they take a ticket.
            state.flushing = true;
            let (target, target_seq) = (state.requested, state.committed_seq);
            drop(state);
            let flushed = flush();
            state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.flushing = false;
            if flushed.is_ok() {
                state.flushed = state.flushed.max(target);
                self.publish(target_seq);
            }
            self.done.notify_all();
            // On failure the others retry as leaders; this writer reports the error.
            flushed?;
        }
    }

    /// Makes entries up to `seq` visible to watchers (they are on disk).
    pub(crate) fn publish(&self, seq: u64) {
        self.durable.send_if_modified(|durable| {
            let newer = seq > *durable;
            if newer {
                *durable = seq;
            }
            newer
        });
    }

    /// The last change-log position known durable (0: none).
    pub(crate) fn durable_seq(&self) -> u64 {
        *self.durable.borrow()
    }

    /// A receiver that wakes whenever more of the log becomes durable.
    pub(crate) fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.durable.subscribe()
    }
}

/// Reads a u64 BE from `meta`, when present and well-formed.
pub(crate) fn read_u64(meta: &sled::Tree, key: &[u8]) -> Result<Option<u64>> {
    match meta.get(key)? {
        None => Ok(None),
        Some(raw) => raw
            .as_ref()
            .try_into()
            .map(u64::from_be_bytes)
            .map(Some)
            .map_err(|_| StoreError::Corrupt {
                tree: crate::schema::META_TREE,
                reason: format!("{} is not 8 bytes", String::from_utf8_lossy(key)),
            }),
    }
}

/// A new lineage id: random, never 0, so that two stores created apart never share one.
pub(crate) fn new_lineage() -> u64 {
    fastrand::u64(1..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn writers_that_commit_during_a_flush_share_the_next_one() {
        const WRITERS: u64 = 16;
        let commit = Arc::new(GroupCommit::new(0));
        let flushes = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (1..=WRITERS)
            .map(|seq| {
                let (commit, flushes) = (Arc::clone(&commit), Arc::clone(&flushes));
                std::thread::spawn(move || {
                    let flush = || {
                        // The first flush lasts until every other writer has committed and
                        // is waiting: they must all be covered by one more flush.
                        if flushes.fetch_add(1, Ordering::SeqCst) == 0 {
                            while commit.state.lock().expect("state").requested < WRITERS {
                                std::thread::yield_now();
                            }
                        }
                        Ok(())
                    };
                    commit.wait_durable(seq, flush).expect("flushed");
                    // Returned only once its own entry was published as durable.
                    assert!(commit.durable_seq() >= seq);
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("writer");
        }
        assert_eq!(commit.durable_seq(), WRITERS);
        assert_eq!(
            flushes.load(Ordering::SeqCst),
            2,
            "one flush for the 15 waiting"
        );
    }

    #[test]
    fn a_failed_flush_publishes_nothing_and_the_next_writer_flushes_again() {
        let commit = GroupCommit::new(3);
        let failed = commit.wait_durable(4, || Err(StoreError::Io("disk full".into())));
        assert!(matches!(failed, Err(StoreError::Io(_))));
        assert_eq!(commit.durable_seq(), 3, "nothing unflushed is published");
        commit.wait_durable(5, || Ok(())).expect("flushed");
        assert_eq!(commit.durable_seq(), 5);
    }
}
