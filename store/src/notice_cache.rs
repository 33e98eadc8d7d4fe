//! Decoded notices kept in memory between reads, so that a read of a popular notice costs a
//! map lookup instead of a tree lookup, a checksum and a JSON decode.
//!
//! Every write of a notice record goes through [`crate::SledStore`], which calls
//! [`NoticeCache::invalidate`] after the write commits. A reader that missed reads the record
//! and offers it with [`NoticeCache::fill`], together with the epoch it saw *before* reading;
//! the offer is dropped if any write committed in between. The epoch check and the insert
//! happen under a shared gate that invalidation takes exclusively, so a record read before a
//! write can never be cached after that write's invalidation. Records are checked against
//! their checksums whenever they are read from disk, which for a cached notice is when it was
//! first read.

use crate::records::StoredNotice;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Default memory for decoded notices (by the size of their stored records).
pub const DEFAULT_NOTICE_CACHE_BYTES: u64 = 64 * 1024 * 1024;

/// A decoded notice and the size of the record it came from.
#[derive(Clone)]
struct Entry {
    record_len: usize,
    notice: Arc<StoredNotice>,
}

/// Weighs an entry by its record's size: decoded notices take roughly as much memory as their
/// JSON, and the size is known without walking the notice.
#[derive(Clone)]
struct RecordSize;

/// The map of decoded notices.
type Entries = quick_cache::sync::Cache<Box<str>, Entry, RecordSize>;

impl quick_cache::Weighter<Box<str>, Entry> for RecordSize {
    fn weight(&self, key: &Box<str>, entry: &Entry) -> u64 {
        u64::try_from(key.len() + entry.record_len).unwrap_or(u64::MAX)
    }
}

/// Decoded notices by id; see the module documentation.
pub(crate) struct NoticeCache {
    entries: Option<Entries>,
    /// Bumped by every invalidation.
    epoch: AtomicU64,
    /// Held shared while a fill checks the epoch and inserts, exclusively while an
    /// invalidation bumps it and removes entries.
    gate: RwLock<()>,
}

impl NoticeCache {
    /// A cache of about `bytes`; 0 turns it off.
    pub(crate) fn new(bytes: u64) -> Self {
        // A notice record is typically 5 to 20 KB.
        let estimated_items = usize::try_from(bytes / 8192).unwrap_or(usize::MAX).max(16);
        Self {
            entries: (bytes > 0).then(|| {
                quick_cache::sync::Cache::with_weighter(estimated_items, bytes, RecordSize)
            }),
            epoch: AtomicU64::new(0),
            gate: RwLock::new(()),
        }
    }

    /// The cached notice `id`.
    pub(crate) fn get(&self, id: &[u8]) -> Option<Arc<StoredNotice>> {
        let id = std::str::from_utf8(id).ok()?;
        self.entries.as_ref()?.get(id).map(|entry| entry.notice)
    }

    /// The epoch to pass to [`Self::fill`]; read it before reading the record.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Offers a notice decoded from a `record_len`-byte record read after `epoch` was taken.
    pub(crate) fn fill(
        &self,
        id: &[u8],
        epoch: u64,
        record_len: usize,
        notice: &Arc<StoredNotice>,
    ) {
        let (Some(entries), Ok(id)) = (&self.entries, std::str::from_utf8(id)) else {
            return;
        };
        // A poisoned gate only means a panic elsewhere; the epoch is still exact.
        let _shared = self
            .gate
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.epoch.load(Ordering::Acquire) == epoch {
            entries.insert(
                id.into(),
                Entry {
                    record_len,
                    notice: Arc::clone(notice),
                },
            );
        }
    }

    /// Forgets `ids` after their records were rewritten (or may have been).
    pub(crate) fn invalidate<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        self.forget(|entries| {
            for id in ids {
                entries.remove(id);
            }
        });
    }

    /// Forgets everything, after writes that do not name their notices (imports).
    pub(crate) fn clear(&self) {
        self.forget(|entries| entries.clear());
    }

    /// Bumps the epoch and runs `remove` on the entries (when the cache is on) with the gate
    /// held exclusively, so that no fill that read before this point inserts after it.
    fn forget(&self, remove: impl FnOnce(&Entries)) {
        let _exclusive = self
            .gate
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Some(entries) = &self.entries {
            remove(entries);
        }
    }
}

impl std::fmt::Debug for NoticeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoticeCache")
            .field("enabled", &self.entries.is_some())
            .field("epoch", &self.epoch())
            .finish_non_exhaustive()
    }
}
