//! gazette's storage: fetched pages, parsed notices and organisations, behind role traits
//! ([`PageStore`], [`NoticeReads`], [`OrganisationReads`], [`ChangeFeedStore`],
//! [`Maintenance`]) combined in the object-safe [`Store`], so that callers hold
//! `Arc<dyn Store>` (or the narrowest role they need) and never a backend type. sled is the
//! embedded backend ([`SledStore`]); another backend implements the same traits and runs the
//! same `conformance` suite. Depends on the notice model only; never on tonic or reqwest.
//!
//! - [`records`] — what is stored ([`PageRecord`], [`StoredNotice`], [`OrganisationRecord`]).
//! - [`identity`] — stable ids for notices and organisations, and name folding for lookups.
//! - [`rules`] — notice identity, versions, withdrawal and organisations as a pure plan.
//! - [`frontier`] — each source's durable crawl queue, so a killed crawl resumes; leases.
//! - [`sled_store`] — [`SledStore`], trees, keys and transactions.
//! - [`maintenance`] — export, import, copy between stores, and the records they move.
//! - [`schema`] — the schema version and migrations, run on open.
//! - `conformance` — the tests every backend must pass (feature `conformance`, or tests).
//! - `durability` — group commit and change-log positions that survive a crash.
//! - `damage` — sled's panics on damaged files turned into [`StoreError::Damaged`].
//! - `codec` — record framing with checksums verified on read.
//! - `notice_cache` — decoded notices reused while their records are unchanged.
//! - `postgres` — `PgStore`, the same trait on a PostgreSQL database shared by replicas
//!   (feature `postgres`, on by default).
//! - [`error`] — [`StoreError`].

pub(crate) mod codec;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod damage;
mod durability;
pub mod error;
pub mod frontier;
pub mod identity;
pub mod maintenance;
mod notice_cache;
mod order_index;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod records;
pub mod rules;
pub mod schema;
mod sled_maintenance;
pub mod sled_store;

pub use error::{Result, StoreError};
pub use maintenance::{
    ExportHeader, ExportRecord, RecordCounts, StoreStats, TransferStats, VerifyReport,
};
pub use notice_cache::DEFAULT_NOTICE_CACHE_BYTES;
pub use records::{
    ChangeKind, ChangeRecord, Completion, FrontierClaim, FrontierEntry, FrontierKind, FrontierRun,
    OrganisationRecord, PageOutcome, PageRecord, PageWrite, StoredNotice,
};
pub use schema::SCHEMA_VERSION;
pub use sled_store::{DEFAULT_CACHE_BYTES, SledStore, StoreOptions};

use gazette_notice::Notice;
use std::sync::Arc;

/// One page of a notice listing.
#[derive(Debug, Clone, Default)]
pub struct NoticeSlice {
    /// Notices in the listing's order (shared: the store may keep them cached).
    pub notices: Vec<Arc<StoredNotice>>,
    /// Opaque position after the last notice, when more follow.
    pub next_cursor: Option<Vec<u8>>,
    /// How many notices matched the filter in all.
    pub total_matching: usize,
}

/// Orderings of a notice listing. Each is total: by its key, notices without one last in
/// either direction, then by id ascending. Keys are the texts of [`Self::sort_key`], compared
/// bytewise (a SQL backend compares them with a binary collation, `COLLATE "C"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum NoticeOrder {
    /// Newest fetched first (the default).
    #[default]
    FetchedDesc,
    /// Oldest fetched first.
    FetchedAsc,
    /// Latest publication time first.
    PublishedDesc,
    /// Earliest publication time first.
    PublishedAsc,
    /// Latest signing date first.
    SignedDesc,
    /// Earliest signing date first.
    SignedAsc,
}

impl NoticeOrder {
    /// Every ordering.
    pub const ALL: [Self; 6] = [
        Self::FetchedDesc,
        Self::FetchedAsc,
        Self::PublishedDesc,
        Self::PublishedAsc,
        Self::SignedDesc,
        Self::SignedAsc,
    ];

    /// True for the newest-first orderings.
    pub fn descending(self) -> bool {
        matches!(
            self,
            Self::FetchedDesc | Self::PublishedDesc | Self::SignedDesc
        )
    }

    /// The key a notice sorts by: the fetch time as 20 zero-padded digits, the publication
    /// time or the signing date in ISO form (`2024-03`, `2024-03-05`, `2024-03-05T09:30`);
    /// `None` when the notice states none.
    pub fn sort_key(self, notice: &StoredNotice) -> Option<String> {
        match self {
            Self::FetchedDesc | Self::FetchedAsc => {
                Some(format!("{:020}", notice.fetched_at_ms.max(0)))
            }
            Self::PublishedDesc | Self::PublishedAsc => {
                notice.notice.published_at.map(|p| p.to_string())
            }
            Self::SignedDesc | Self::SignedAsc => notice.notice.signed_on.map(|d| d.to_string()),
        }
    }

    /// The total order of notices in this ordering (what every backend must reproduce).
    pub fn compare(self, a: &StoredNotice, b: &StoredNotice) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let by_key = match (self.sort_key(a), self.sort_key(b)) {
            (Some(x), Some(y)) if self.descending() => y.cmp(&x),
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_key.then_with(|| a.id.cmp(&b.id))
    }
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

/// A lease handed to a crawl worker: the worker's id and when the lease ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease<'a> {
    /// The worker holding it (unique per process, e.g. host, pid and a random part).
    pub worker: &'a str,
    /// The time it was taken or renewed, in milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// When it expires; after that the work is handed to any worker that asks.
    pub until_ms: i64,
}

/// Pages and each source's frontier: the crawler's writes and what it reads back.
///
/// Frontier semantics (see `notes/store-trait.md` and [`crate::frontier`]): a run of a source
/// is begun (or resumed) with [`Self::frontier_begin`]; workers take queued entries with
/// [`Self::frontier_claim`], which leases them until an expiry; a lease is kept alive with
/// [`Self::frontier_renew`] and given back with [`Self::frontier_release`]; an entry whose
/// lease expired is handed out again. [`Self::frontier_complete`] finishes an entry (whoever
/// holds its lease: a repeated completion writes the same records again, which the rules make
/// harmless). [`Self::frontier_finish`] ends the run only when nothing is queued or leased.
/// [`Self::claim_run`] lets one worker among replicas start each scheduled run of a source.
pub trait PageStore: Send + Sync {
    /// Stores a fetched page, its notices and its raw bytes (compressed) in one transaction;
    /// an earlier record with other content is kept as a version.
    fn record_fetch(&self, write: PageWrite) -> Result<PageOutcome>;
    /// The page stored under `url`.
    fn page(&self, url: &str) -> Result<Option<PageRecord>>;
    /// Up to `limit` pages in URL order, starting after URL `after`.
    fn pages(&self, after: Option<&str>, limit: usize) -> Result<Vec<PageRecord>>;
    /// Number of stored pages.
    fn page_count(&self) -> Result<usize>;
    /// Earlier versions of the page under `url`, oldest first (the current one is
    /// [`Self::page`]). Kept in the trait because it is the only read of what a changed page
    /// replaced (the README's promise that earlier versions are kept).
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
    /// `source`'s unfinished run, if any (a worker joins a run only while one exists).
    fn frontier_run(&self, source: &str) -> Result<Option<FrontierRun>>;
    /// Leases up to `limit` queued entries of `source`'s run to `lease.worker` until
    /// `lease.until_ms`, oldest first: entries not leased, or whose lease ended before
    /// `lease.now_ms`. Entries leased to this same worker and not expired are not handed out
    /// again (the worker holds them). Also says how many entries other workers hold.
    fn frontier_claim(&self, source: &str, lease: Lease<'_>, limit: usize)
    -> Result<FrontierClaim>;
    /// Extends the leases `lease.worker` holds on `seqs` to `lease.until_ms`; returns the
    /// positions it still held (a lease that expired and was claimed by another worker is
    /// lost, and its entry is no longer this worker's to finish).
    fn frontier_renew(&self, source: &str, lease: Lease<'_>, seqs: &[u64]) -> Result<Vec<u64>>;
    /// Gives back `worker`'s leases on `seqs` without finishing them (a deferred or cancelled
    /// entry): they are claimable at once.
    fn frontier_release(&self, source: &str, worker: &str, seqs: &[u64]) -> Result<()>;
    /// Finishes one entry atomically: dequeues it (and its lease), marks it done, queues the
    /// links found on it and stores its page.
    fn frontier_complete(&self, source: &str, done: Completion) -> Result<PageOutcome>;
    /// Ends `source`'s run when nothing is queued or leased, and says whether it did; with
    /// entries left, the run stays (to be resumed) and this returns false.
    fn frontier_finish(&self, source: &str) -> Result<bool>;
    /// Claims the run of `source` due at `due_ms` for `lease.worker`, so that one replica
    /// among several runs each scheduled run. Granted when no other worker holds an unexpired
    /// claim on the source and no run due at or after `due_ms` was granted already; a worker
    /// that holds the claim renews it by asking again with the same `due_ms`.
    fn claim_run(&self, source: &str, due_ms: i64, lease: Lease<'_>) -> Result<bool>;
    /// Ends `worker`'s claim on `source`'s schedule (its run is over); the due time stays
    /// claimed.
    fn release_run(&self, source: &str, worker: &str) -> Result<()>;
}

/// Reads of notices: by id, by version, and listings in every [`NoticeOrder`].
pub trait NoticeReads: Send + Sync {
    /// The notice with `id` (shared: the store may keep it cached).
    fn notice(&self, id: &str) -> Result<Option<Arc<StoredNotice>>>;
    /// The notices among `ids` that exist, in no particular order: an organisation's notices
    /// for GetIssueStatus. A backend across a network reads them in one round trip.
    fn notices(&self, ids: &[String]) -> Result<Vec<Arc<StoredNotice>>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.notice(id)?);
        }
        Ok(out)
    }
    /// The last version of the notice `id` when it was withdrawn (no stored page carries it
    /// any more); its versions remain in [`Self::notice_versions`].
    fn withdrawn_version(&self, id: &str) -> Result<Option<u64>>;
    /// The notice `id` as it was at `version` (the current record or an earlier version), read
    /// from the records themselves: a change-log reader is woken by a commit and may run before
    /// cached copies of what it replaced are dropped.
    fn notice_version(&self, id: &str, version: u64) -> Result<Option<StoredNotice>>;
    /// Earlier versions of the notice `id`, oldest first (the current one is [`Self::notice`];
    /// a withdrawn notice has only these).
    fn notice_versions(&self, id: &str) -> Result<Vec<StoredNotice>>;
    /// Up to `limit` notices kept by `keep` (all when `None`, which is much cheaper: only the
    /// page is decoded) in `order`, starting after the cursor `after` (one this store returned
    /// for the same order). Every order is a scan of an ordered index, not a sort.
    fn list_notices(
        &self,
        order: NoticeOrder,
        after: Option<&[u8]>,
        limit: usize,
        keep: Option<&dyn Fn(&StoredNotice) -> bool>,
    ) -> Result<NoticeSlice>;
    /// The cursor that makes [`Self::list_notices`] in `order` continue just after `notice`,
    /// for a caller that returns fewer notices than it was given.
    fn notice_cursor(&self, order: NoticeOrder, notice: &StoredNotice) -> Vec<u8>;
}

/// Reads of organisations.
pub trait OrganisationReads: Send + Sync {
    /// Up to `limit` organisations in id order, starting after id `after`.
    fn organisations(&self, after: Option<&str>, limit: usize) -> Result<Vec<OrganisationRecord>>;
    /// The organisation with id, full name or alias `name`.
    fn resolve_organisation(&self, name: &str) -> Result<Option<OrganisationRecord>>;
}

/// The change log behind WatchNotices.
pub trait ChangeFeedStore: Send + Sync {
    /// Up to `limit` change-log entries after sequence number `after` (from the start when
    /// `None`), in commit order; only entries already durable, so that no reader ever sees
    /// (and holds a resume token for) an entry that a crash could still lose.
    fn changes_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<ChangeRecord>>;
    /// The store's lineage and the end of its durable change log, to check resume tokens.
    fn change_feed(&self) -> ChangeFeed;
    /// Wakes (its `changed()` resolves) whenever more of the change log is durable, written by
    /// this process or (on a shared database) any other; the value is the newest durable
    /// position. An async notification: no reader polls.
    fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64>;
}

/// Backups, checks and copies, on every backend: the records of [`ExportRecord`] are the
/// backend-neutral form of everything a store holds ([`maintenance::export`] writes them as
/// JSON Lines, [`maintenance::import`] reads them back, [`maintenance::copy`] moves them
/// between two stores).
pub trait Maintenance: Send + Sync {
    /// The header of an export of this store (its lineage).
    fn export_header(&self) -> Result<ExportHeader>;
    /// Hands every record to `sink`, kind by kind in the order of [`ExportRecord`]'s
    /// variants, without holding the store in memory; an error from `sink` stops it.
    fn export_records(&self, sink: &mut dyn FnMut(ExportRecord) -> Result<()>) -> Result<()>;
    /// Writes `records` (replacing records with the same keys), then makes them durable.
    /// `header` is the export's: the store continues its lineage when it had no change log of
    /// its own (a restore), so resume tokens of the exported store stay valid; merged into a
    /// store with a change log of another lineage, the store takes a new lineage. Indexes
    /// (fetch time and the other orders) are rebuilt from the notices.
    fn import_records(
        &self,
        header: &ExportHeader,
        records: &mut dyn Iterator<Item = Result<ExportRecord>>,
    ) -> Result<TransferStats>;
    /// How many records of each kind the store holds (what an export would write).
    fn record_counts(&self) -> Result<RecordCounts>;
    /// Decodes every record (checking its checksum where the backend keeps one) and checks
    /// that every index entry and cross-reference points at a record that exists.
    fn verify(&self) -> Result<VerifyReport>;
    /// Record counts and size, for metrics; called at scrape time only.
    fn stats(&self) -> Result<StoreStats>;
    /// Makes every write so far durable (each write already is when it returns; this covers
    /// writes outside transactions, such as the end of a crawl run).
    fn flush(&self) -> Result<()>;
}

/// Everything a store does: what the binary, the services and the worker hold as
/// `Arc<dyn Store>` (each role trait is reachable from it by upcasting).
pub trait Store:
    PageStore + NoticeReads + OrganisationReads + ChangeFeedStore + Maintenance + 'static
{
}

impl<T> Store for T where
    T: PageStore + NoticeReads + OrganisationReads + ChangeFeedStore + Maintenance + 'static
{
}

/// The role traits, for code that calls a concrete store's methods (`use
/// gazette_store::prelude::*`).
pub mod prelude {
    pub use crate::{
        ChangeFeedStore, Maintenance, NoticeOrder, NoticeReads, OrganisationReads, PageStore, Store,
    };
}

/// Milliseconds since the Unix epoch, the unit of every time in the records (0 before the
/// epoch, `i64::MAX` past what it holds).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Stores a page and the notices parsed from it, with no raw bytes: a helper over
/// [`PageStore::record_fetch`] for tests and benchmarks.
pub fn record_page(
    store: &dyn PageStore,
    page: PageRecord,
    notices: Vec<Notice>,
) -> Result<PageOutcome> {
    store.record_fetch(PageWrite {
        page,
        notices,
        raw: None,
    })
}

#[cfg(test)]
mod tests;
