//! gazette's storage: fetched pages, parsed notices and organisations, behind the
//! [`NoticeStore`] trait so that a distributed backend can replace sled later. Depends on the
//! notice model only; never on tonic or reqwest.
//!
//! - [`records`] — what is stored ([`PageRecord`], [`StoredNotice`], [`OrganisationRecord`]).
//! - [`identity`] — stable ids for notices and organisations, and name folding for lookups.
//! - [`rules`] — notice identity, versions, withdrawal and organisations as a pure plan.
//! - [`frontier`] — each source's durable crawl queue, so a killed crawl resumes.
//! - [`sled_store`] — [`SledStore`], trees, keys and transactions.
//! - [`maintenance`] — export, import and verify.
//! - [`schema`] — the schema version and migrations, run on open.
//! - `durability` — group commit and change-log positions that survive a crash.
//! - `damage` — sled's panics on damaged files turned into [`StoreError::Damaged`].
//! - `codec` — record framing with checksums verified on read.
//! - `notice_cache` — decoded notices reused while their records are unchanged.
//! - `postgres` — `PgStore`, the same trait on a PostgreSQL database shared by replicas
//!   (feature `postgres`, on by default).
//! - [`error`] — [`StoreError`].

pub(crate) mod codec;
mod damage;
mod durability;
pub mod error;
pub mod frontier;
pub mod identity;
pub mod maintenance;
mod notice_cache;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod records;
pub mod rules;
pub mod schema;
pub mod sled_store;

pub use error::{Result, StoreError};
pub use maintenance::{StoreStats, TransferStats, VerifyReport};
pub use notice_cache::DEFAULT_NOTICE_CACHE_BYTES;
pub use records::{
    ChangeKind, ChangeRecord, Completion, FrontierEntry, FrontierKind, FrontierRun,
    OrganisationRecord, PageOutcome, PageRecord, PageWrite, StoredNotice,
};
pub use schema::SCHEMA_VERSION;
pub use sled_store::{DEFAULT_CACHE_BYTES, SledStore, StoreOptions};

use gazette_notice::Notice;
use std::sync::Arc;

/// One page of a notice listing.
#[derive(Debug, Clone, Default)]
pub struct NoticeSlice {
    /// Notices in order, newest fetched first (shared: the store may keep them cached).
    pub notices: Vec<Arc<StoredNotice>>,
    /// Opaque position after the last notice, when more follow.
    pub next_cursor: Option<Vec<u8>>,
    /// How many notices matched the filter in all.
    pub total_matching: usize,
}

/// Where a store's change log stands.
///
/// Positions are strictly increasing in commit order and never reused, not even after a crash
/// lost the last writes (they are not contiguous: a restart skips ahead). The lineage is a
/// random id created with the store: a position means something only in the lineage that
/// issued it. An import that restores an export into an empty store continues the export's
/// lineage, so resume tokens stay valid across a restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeFeed {
    /// The store's lineage id (never 0).
    pub lineage: u64,
    /// The newest change-log position on disk, 0 when the log is empty.
    pub durable_through: u64,
}

/// Storage used by the worker and the services. Calls are synchronous: callers on an async
/// runtime run large scans with `spawn_blocking`.
pub trait NoticeStore: Send + Sync + 'static {
    /// Stores a page and the notices parsed from it, atomically, linking each notice to its
    /// organisation.
    fn record_page(&self, page: PageRecord, notices: Vec<Notice>) -> Result<PageOutcome>;
    /// Stores a fetched page, its notices and its raw bytes (compressed) in one transaction;
    /// an earlier record with other content is kept as a version.
    fn record_fetch(&self, write: PageWrite) -> Result<PageOutcome>;
    /// Earlier versions of the page under `url`, oldest first (the current one is [`Self::page`]).
    fn page_versions(&self, url: &str) -> Result<Vec<PageRecord>>;
    /// The raw bytes of `url` as fetched at `fetched_at_ms`, when they were kept.
    fn page_body(&self, url: &str, fetched_at_ms: i64) -> Result<Option<Vec<u8>>>;
    /// Starts a run of `source` with `seeds` queued, or resumes its unfinished run (then
    /// `resumed` is set and `seeds` are ignored). Caps count queued entries per run.
    fn frontier_begin(
        &self,
        source: &str,
        seeds: &[FrontierEntry],
        now_ms: i64,
        max_notices: usize,
        max_lists: usize,
    ) -> Result<FrontierRun>;
    /// Up to `limit` queued entries of `source`'s run, oldest first, with their queue positions.
    fn frontier_pending(&self, source: &str, limit: usize) -> Result<Vec<(u64, FrontierEntry)>>;
    /// Finishes one entry atomically: dequeues it, marks it done, queues the links found on it
    /// and stores its page.
    fn frontier_complete(&self, source: &str, done: Completion) -> Result<PageOutcome>;
    /// Ends `source`'s run once nothing is queued.
    fn frontier_finish(&self, source: &str) -> Result<()>;
    /// The page stored under `url`.
    fn page(&self, url: &str) -> Result<Option<PageRecord>>;
    /// The notice with `id` (shared: the store may keep it cached).
    fn notice(&self, id: &str) -> Result<Option<Arc<StoredNotice>>>;
    /// The last version of the notice `id` when it was withdrawn (no stored page carries it
    /// any more); its versions remain in [`Self::notice_versions`].
    fn withdrawn_version(&self, id: &str) -> Result<Option<u64>>;
    /// Up to `limit` notices kept by `keep` (all when `None`, which is much cheaper: only the
    /// page is decoded), newest fetched first, starting after `after`.
    fn list_notices(
        &self,
        after: Option<&[u8]>,
        limit: usize,
        keep: Option<&dyn Fn(&StoredNotice) -> bool>,
    ) -> Result<NoticeSlice>;
    /// The cursor that makes [`Self::list_notices`] continue just after `notice`, for a caller
    /// that returns fewer notices than it was given.
    fn notice_cursor(&self, notice: &StoredNotice) -> Vec<u8>;
    /// Up to `limit` organisations in id order, starting after id `after`.
    fn organisations(&self, after: Option<&str>, limit: usize) -> Result<Vec<OrganisationRecord>>;
    /// The organisation with `id`.
    fn organisation(&self, id: &str) -> Result<Option<OrganisationRecord>>;
    /// The organisation with id, full name or alias `name`.
    fn resolve_organisation(&self, name: &str) -> Result<Option<OrganisationRecord>>;
    /// The notice `id` as it was at `version` (the current record or an earlier version), read
    /// from the records themselves: a change-log reader is woken by a commit and may run before
    /// cached copies of what it replaced are dropped.
    fn notice_version(&self, id: &str, version: u64) -> Result<Option<StoredNotice>>;
    /// Earlier versions of the notice `id`, oldest first (the current one is [`Self::notice`];
    /// a withdrawn notice has only these).
    fn notice_versions(&self, id: &str) -> Result<Vec<StoredNotice>>;
    /// Up to `limit` change-log entries after sequence number `after` (from the start when
    /// `None`), in commit order; only entries already on disk, so that no reader ever sees
    /// (and holds a resume token for) an entry that a crash could still lose.
    fn changes_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<ChangeRecord>>;
    /// The store's lineage and the end of its durable change log, to check resume tokens.
    fn change_feed(&self) -> ChangeFeed;
    /// Wakes (its `changed()` resolves) whenever more of the change log is on disk; the value
    /// is the newest durable position.
    fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64>;
    /// Up to `limit` pages in URL order, starting after URL `after`.
    fn pages(&self, after: Option<&str>, limit: usize) -> Result<Vec<PageRecord>>;
    /// Number of stored pages.
    fn page_count(&self) -> Result<usize>;
    /// Makes every write so far durable (each write already is when it returns; this covers
    /// writes outside transactions, such as the end of a crawl run).
    fn flush(&self) -> Result<()>;
}

#[cfg(test)]
mod tests;
