//! The sled implementation of [`crate::Store`].
//!
//! Trees:
//! - `meta`: `schema_version` → u32 BE.
//! - `pages`: url → [`PageRecord`] (JSON).
//! - `notices`: notice id → [`StoredNotice`] (JSON).
//! - `notices_by_fetched`: (u64::MAX − fetched ms) BE ‖ notice id → empty; forward iteration
//!   is newest first, and a key is a cursor that stays valid while notices are added.
//! - `organisations`: organisation id → [`OrganisationRecord`] (JSON).
//! - `organisation_names`: folded name or alias → organisation id.
//! - `page_versions`: url ‖ 0 ‖ fetched ms BE → an earlier [`PageRecord`] of a page whose content
//!   changed (JSON).
//! - `page_bodies`: url ‖ 0 ‖ fetched ms BE → the raw bytes, deflate-compressed.
//! - `frontier`, `frontier_seen`, `frontier_runs`: each source's resumable crawl state, see
//!   [`crate::frontier`].
//! - `notice_versions`: notice id ‖ 0 ‖ version BE → an earlier [`StoredNotice`] (JSON); a
//!   withdrawn notice's last version is kept here too.
//! - `changes`: sequence number BE → [`ChangeRecord`] (JSON), the log behind `WatchNotices`.
//! - `notice_aliases`: a content-derived id → the id of the notice it succeeded (see below).
//! - `withdrawn_notices`: notice id → its last version (u64 BE), while no page carries it.
//!
//! A notice's id comes from what it says ([`crate::identity`]), but a page edited to correct a
//! notice's title or date, or re-parsed by a better parser, is still the same notice. When a
//! page's new content yields an id never seen before where its old content had a notice that
//! is now gone, the new id is recorded as an alias of the old one and the notice gets a new
//! version under its old id; the alias sends the same content found at any other URL there
//! too. A notice that no stored page carries any more is withdrawn: it leaves the listings and
//! its organisation, and a change says so; if a page carries it again it comes back with its
//! version history intact.
//!
//! A page and everything derived from it are written in one multi-tree transaction, so a crash
//! never leaves a page without its notices or an index entry without its record.

pub(crate) use crate::codec::{TxResult, decode, tx_get, tx_put};
use crate::durability::{
    ChangeSequence, GroupCommit, HIGH_WATER_KEY, LINEAGE_KEY, RESERVE_AHEAD, RESERVE_BLOCK,
    new_lineage, read_u64,
};
use crate::error::{Result, StoreError};
use crate::identity::fold_name;
use crate::notice_cache::{DEFAULT_NOTICE_CACHE_BYTES, NoticeCache};
use crate::records::{ChangeKind, ChangeRecord, Completion};
use crate::records::{
    FrontierEntry, FrontierRun, OrganisationRecord, PageOutcome, PageRecord, PageWrite,
    StoredNotice,
};
use crate::{
    ChangeFeedStore, Lease, NoticeOrder, NoticeReads, NoticeSlice, OrganisationReads, PageStore,
};
use gazette_notice::Notice;
use sled::transaction::{TransactionError, TransactionalTree};
use sled::{Transactional, Tree};
use std::path::Path;
use std::sync::Arc;

/// sled's errors in the backend-neutral [`StoreError`] (kept here, with the backend: nothing
/// outside this module names a sled type).
impl From<sled::Error> for StoreError {
    fn from(error: sled::Error) -> Self {
        match error {
            // sled's word for damage it detected (rather than panicked on).
            sled::Error::Corruption { .. } | sled::Error::ReportableBug(_) => Self::Damaged {
                what: "reading the store",
                detail: error.to_string(),
            },
            sled::Error::CollectionNotFound(_)
            | sled::Error::Unsupported(_)
            | sled::Error::Io(_) => Self::Backend(error.to_string()),
        }
    }
}

/// sled's page cache. Its own default (1 GiB) fills with every page a crawl writes, which a
/// crawler mostly never reads again; reads are by key, so a modest cache serves them well.
pub const DEFAULT_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// Memory the store may use for caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// sled's page cache, in bytes.
    pub page_cache_bytes: u64,
    /// Decoded notices kept between reads, counted by their stored size in bytes; 0 turns the
    /// cache off. Reads still verify each record's checksum.
    pub notice_cache_bytes: u64,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            page_cache_bytes: DEFAULT_CACHE_BYTES,
            notice_cache_bytes: DEFAULT_NOTICE_CACHE_BYTES,
        }
    }
}

/// A [`crate::Store`] on a sled database in one directory.
#[derive(Clone)]
pub struct SledStore {
    pub(crate) db: sled::Db,
    pub(crate) pages: Tree,
    pub(crate) notices: Tree,
    pub(crate) by_fetched: Tree,
    pub(crate) organisations: Tree,
    pub(crate) organisation_names: Tree,
    pub(crate) page_versions: Tree,
    pub(crate) page_bodies: Tree,
    pub(crate) frontier: Tree,
    pub(crate) frontier_seen: Tree,
    pub(crate) frontier_runs: Tree,
    pub(crate) notice_versions: Tree,
    pub(crate) changes: Tree,
    pub(crate) notice_aliases: Tree,
    pub(crate) withdrawn_notices: Tree,
    /// `notices_ordered`: the ordered indexes of [`crate::order_index`].
    pub(crate) ordered: Tree,
    /// Serialises writers so that change-log sequence numbers are committed in order: a
    /// watcher that has seen change n can never later find a change below n. It holds the
    /// next position and the persisted high-water mark (see [`crate::durability`]).
    pub(crate) write_lock: std::sync::Arc<std::sync::Mutex<ChangeSequence>>,
    /// Flushes shared by concurrent writers; publishes the durable end of the change log.
    pub(crate) commits: std::sync::Arc<GroupCommit>,
    /// The `meta` tree: schema version, lineage, change-log high-water mark.
    pub(crate) meta: Tree,
    /// This store's lineage id (see [`crate::ChangeFeed`]); replaced by an import that
    /// continues another store's lineage.
    pub(crate) lineage: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// Decoded notices, reused while their records are unchanged.
    pub(crate) notice_cache: std::sync::Arc<NoticeCache>,
    /// The number of notices as of a change-log position, so that listings need not count
    /// the index each time; see [`SledStore::notice_count`].
    notice_count: std::sync::Arc<std::sync::Mutex<Option<NoticeCount>>>,
    /// Frontier leases and schedule claims. In memory: sled is one process, so a lease ends
    /// with the process that held it, which is what a lease is for.
    pub(crate) leases: std::sync::Arc<std::sync::Mutex<crate::frontier::Leases>>,
}

/// The number of notices once every change up to `through` (none: an empty log) is counted.
#[derive(Debug, Clone, Copy)]
struct NoticeCount {
    through: Option<u64>,
    count: usize,
}

impl std::fmt::Debug for SledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledStore").finish_non_exhaustive()
    }
}

impl SledStore {
    /// Opens (or creates) the store in `dir`. Fails if another process holds it or if it was
    /// written by a newer schema.
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_with(dir, StoreOptions::default())
    }

    /// Opens the store with caches of the given sizes.
    ///
    /// Damage that sled finds on opening (it panics on some, such as a truncated file) is
    /// [`StoreError::Damaged`].
    pub fn open_with(dir: &Path, options: StoreOptions) -> Result<Self> {
        let opening = "opening the store";
        crate::damage::guard(opening, || Self::open_unguarded(dir, options))?
            .map_err(|e| crate::sled_maintenance::damaged(opening, e))
    }

    fn open_unguarded(dir: &Path, options: StoreOptions) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(options.page_cache_bytes)
            .open()?;
        crate::schema::migrate(&db)?;
        let meta = db.open_tree(crate::schema::META_TREE)?;
        let lineage = match read_u64(&meta, LINEAGE_KEY)? {
            Some(id) => id,
            None => {
                let id = new_lineage();
                meta.insert(LINEAGE_KEY, &id.to_be_bytes())?;
                db.flush()?;
                id
            }
        };
        let changes = db.open_tree("changes")?;
        let last = last_change_of(&changes)?.unwrap_or(0);
        let reserved = read_u64(&meta, HIGH_WATER_KEY)?.unwrap_or(0);
        // Whatever the log holds after opening is on disk; positions continue above both the
        // log and every position reserved before (and possibly used before a crash).
        let sequence = ChangeSequence {
            next: reserved.max(last + 1),
            reserved,
        };
        Ok(Self {
            pages: db.open_tree("pages")?,
            notices: db.open_tree("notices")?,
            by_fetched: db.open_tree("notices_by_fetched")?,
            organisations: db.open_tree("organisations")?,
            organisation_names: db.open_tree("organisation_names")?,
            page_versions: db.open_tree("page_versions")?,
            page_bodies: db.open_tree("page_bodies")?,
            frontier: db.open_tree("frontier")?,
            frontier_seen: db.open_tree("frontier_seen")?,
            frontier_runs: db.open_tree("frontier_runs")?,
            notice_versions: db.open_tree("notice_versions")?,
            changes,
            notice_aliases: db.open_tree("notice_aliases")?,
            withdrawn_notices: db.open_tree("withdrawn_notices")?,
            ordered: db.open_tree(crate::order_index::ORDERED_TREE)?,
            write_lock: std::sync::Arc::new(std::sync::Mutex::new(sequence)),
            commits: std::sync::Arc::new(GroupCommit::new(last)),
            meta,
            lineage: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(lineage)),
            notice_cache: std::sync::Arc::new(NoticeCache::new(options.notice_cache_bytes)),
            notice_count: std::sync::Arc::default(),
            leases: std::sync::Arc::default(),
            db,
        })
    }
}

pub(crate) fn fetched_key(fetched_at_ms: i64, id: &str) -> Vec<u8> {
    let ms = u64::try_from(fetched_at_ms).unwrap_or(0);
    let mut key = (u64::MAX - ms).to_be_bytes().to_vec();
    key.extend_from_slice(id.as_bytes());
    key
}

/// The trees one page write touches, inside a transaction.
pub(crate) struct PageTrees<'a> {
    pub(crate) pages: &'a TransactionalTree,
    pub(crate) notices: &'a TransactionalTree,
    pub(crate) by_fetched: &'a TransactionalTree,
    pub(crate) orgs: &'a TransactionalTree,
    pub(crate) org_names: &'a TransactionalTree,
    pub(crate) versions: &'a TransactionalTree,
    pub(crate) bodies: &'a TransactionalTree,
    pub(crate) notice_versions: &'a TransactionalTree,
    pub(crate) changes: &'a TransactionalTree,
    pub(crate) aliases: &'a TransactionalTree,
    pub(crate) withdrawn: &'a TransactionalTree,
    pub(crate) ordered: &'a TransactionalTree,
    /// Positions for the change-log entries of this transaction.
    pub(crate) positions: &'a Positions,
    /// Ids of the notice records written, in this or an aborted earlier attempt: their cached
    /// copies are dropped once the transaction ends.
    pub(crate) written_notices: &'a std::cell::RefCell<Vec<String>>,
}

/// The change-log positions one transaction may use: from where the log stands up to the
/// reserved high-water mark. A transaction that needs more aborts, and is rerun after a
/// larger reservation.
pub(crate) struct Positions {
    next: std::cell::Cell<u64>,
    limit: u64,
    exhausted: std::cell::Cell<bool>,
}

impl Positions {
    /// The next position, or an abort when the reservation is used up.
    fn take(&self) -> TxResult<u64> {
        let seq = self.next.get();
        if seq >= self.limit {
            self.exhausted.set(true);
            return Err(sled::transaction::ConflictableTransactionError::Abort(
                StoreError::Io("change-log positions exhausted; reserving more".into()),
            ));
        }
        self.next.set(seq + 1);
        Ok(seq)
    }
}

/// Key of an earlier notice version: id ‖ 0 ‖ version BE.
pub(crate) fn notice_version_key(id: &str, version: u64) -> Vec<u8> {
    let mut key = id.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&version.to_be_bytes());
    key
}

/// Key of a page version or body: url ‖ 0 ‖ fetched ms BE (urls never contain NUL).
pub(crate) fn version_key(url: &str, fetched_at_ms: i64) -> Vec<u8> {
    let mut key = url.as_bytes().to_vec();
    key.push(0);
    key.extend_from_slice(&u64::try_from(fetched_at_ms).unwrap_or(0).to_be_bytes());
    key
}

/// Writes a page and its notices: the domain rules ([`crate::rules`]) plan the write from
/// what this transaction reads, and it is applied here. `compressed` is the raw body, already
/// compressed outside the (retryable) transaction.
pub(crate) fn write_page(
    t: &PageTrees<'_>,
    page: &PageRecord,
    notices: &[Notice],
    compressed: Option<&[u8]>,
) -> TxResult<PageOutcome> {
    let mut page = page.clone();
    if let Some(raw) = compressed {
        t.bodies
            .insert(version_key(&page.url, page.fetched_at_ms), raw)?;
        page.body_stored = true;
    }
    let stored = crate::rules::gather(&TxReads(t), &page, notices)?;
    let plan = crate::rules::plan(&stored, page, notices);
    apply(t, &plan)?;
    Ok(plan.outcome)
}

/// The rules' reads inside a sled transaction.
struct TxReads<'a, 'b>(&'a PageTrees<'b>);

impl crate::rules::StoredReads for TxReads<'_, '_> {
    type Error = sled::transaction::ConflictableTransactionError<StoreError>;

    fn page(&self, url: &str) -> TxResult<Option<PageRecord>> {
        tx_get(self.0.pages, "pages", url.as_bytes())
    }

    fn notice(&self, id: &str) -> TxResult<Option<StoredNotice>> {
        tx_get(self.0.notices, "notices", id.as_bytes())
    }

    fn withdrawn(&self, id: &str) -> TxResult<Option<u64>> {
        Ok(self
            .0
            .withdrawn
            .get(id.as_bytes())?
            .map(|raw| version_of(&raw)))
    }

    fn alias(&self, derived: &str) -> TxResult<Option<String>> {
        Ok(self
            .0
            .aliases
            .get(derived.as_bytes())?
            .map(|raw| String::from_utf8_lossy(&raw).into_owned()))
    }

    fn organisation_named(&self, folded: &str) -> TxResult<Option<String>> {
        Ok(self
            .0
            .org_names
            .get(folded.as_bytes())?
            .map(|raw| String::from_utf8_lossy(&raw).into_owned()))
    }

    fn organisation(&self, id: &str) -> TxResult<Option<OrganisationRecord>> {
        tx_get(self.0.orgs, "organisations", id.as_bytes())
    }
}

/// Applies a planned page write to the transaction's trees, in the plan's order.
fn apply(t: &PageTrees<'_>, plan: &crate::rules::PageWritePlan) -> TxResult<()> {
    use crate::rules::WriteOp;
    if let Some(old) = &plan.page_version {
        let key = version_key(&old.url, old.fetched_at_ms);
        tx_put(t.versions, "page_versions", &key, old)?;
    }
    t.written_notices
        .borrow_mut()
        .extend(plan.touched_notices().map(str::to_owned));
    for op in &plan.ops {
        match op {
            WriteOp::PutNotice(record) => {
                unindex_ordered(t, &record.id)?;
                tx_put(t.notices, "notices", record.id.as_bytes(), record)?;
                for order in crate::order_index::ORDERED {
                    let key = crate::order_index::key(order, record);
                    t.ordered.insert(key, record.id.as_bytes())?;
                }
            }
            WriteOp::RemoveNotice(id) => {
                unindex_ordered(t, id)?;
                t.notices.remove(id.as_bytes())?;
            }
            WriteOp::PutNoticeVersion { version, record } => {
                let key = notice_version_key(&record.id, *version);
                tx_put(t.notice_versions, "notice_versions", &key, record)?;
            }
            WriteOp::IndexFetched { fetched_at_ms, id } => {
                t.by_fetched.insert(fetched_key(*fetched_at_ms, id), &[])?;
            }
            WriteOp::UnindexFetched { fetched_at_ms, id } => {
                t.by_fetched.remove(fetched_key(*fetched_at_ms, id))?;
            }
            WriteOp::PutOrganisation(org) => {
                tx_put(t.orgs, "organisations", org.id.as_bytes(), org)?;
            }
            WriteOp::RemoveOrganisation(id) => {
                t.orgs.remove(id.as_bytes())?;
            }
            WriteOp::UnnameOrganisation {
                folded,
                organisation_id,
            } => {
                if t.org_names.get(folded.as_bytes())?.as_deref()
                    == Some(organisation_id.as_bytes())
                {
                    t.org_names.remove(folded.as_bytes())?;
                }
            }
            WriteOp::NameOrganisation {
                folded,
                organisation_id,
            } => {
                t.org_names
                    .insert(folded.as_bytes(), organisation_id.as_bytes())?;
            }
            WriteOp::Alias { derived, id } => {
                t.aliases.insert(derived.as_bytes(), id.as_bytes())?;
            }
            WriteOp::Withdraw { id, version } => {
                t.withdrawn.insert(id.as_bytes(), &version.to_be_bytes())?;
            }
            WriteOp::Unwithdraw(id) => {
                t.withdrawn.remove(id.as_bytes())?;
            }
            WriteOp::LogChange { id, version, kind } => log_change(t, id, *version, *kind)?,
        }
    }
    tx_put(t.pages, "pages", plan.page.url.as_bytes(), &plan.page)
}

/// Removes the ordered index entries of the notice `id` as it is stored now, if it is.
fn unindex_ordered(t: &PageTrees<'_>, id: &str) -> TxResult<()> {
    if let Some(old) = tx_get::<StoredNotice>(t.notices, "notices", id.as_bytes())? {
        for order in crate::order_index::ORDERED {
            t.ordered.remove(crate::order_index::key(order, &old))?;
        }
    }
    Ok(())
}

/// Appends an entry to the change log.
fn log_change(t: &PageTrees<'_>, id: &str, version: u64, kind: ChangeKind) -> TxResult<()> {
    let seq = t.positions.take()?;
    let record = ChangeRecord {
        seq,
        notice_id: id.to_owned(),
        version,
        kind,
    };
    tx_put(t.changes, "changes", &seq.to_be_bytes(), &record)
}

/// A version number stored as u64 BE (0 if malformed, which only makes the next version 1).
pub(crate) fn version_of(raw: &[u8]) -> u64 {
    raw.try_into().map(u64::from_be_bytes).unwrap_or(0)
}

impl SledStore {
    /// Runs `f` in one transaction over every tree a page write or frontier step touches, and
    /// returns once the transaction is on disk (see [`crate::durability`]): a write that
    /// returns Ok survives a kill -9.
    pub(crate) fn transaction<T>(
        &self,
        f: impl Fn(&PageTrees<'_>, &crate::frontier::FrontierTrees<'_>) -> TxResult<T>,
    ) -> Result<T> {
        let (result, last_seq) = self.commit(f)?;
        self.commits.wait_durable(last_seq, || self.flush_db())?;
        Ok(result)
    }

    /// sled's flush, with its panics (a damaged file) turned into errors.
    pub(crate) fn flush_db(&self) -> Result<()> {
        crate::damage::guard("flushing the store", || self.db.flush())??;
        Ok(())
    }

    /// Commits `f` under the writers' lock; returns its result and the newest change-log
    /// position it used (0: none), without waiting for the disk.
    fn commit<T>(
        &self,
        f: impl Fn(&PageTrees<'_>, &crate::frontier::FrontierTrees<'_>) -> TxResult<T>,
    ) -> Result<(T, u64)> {
        // A poisoned lock only means another writer panicked; the data is still consistent
        // because its transaction did not commit.
        let mut sequence = self
            .write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut ahead = RESERVE_AHEAD;
        loop {
            if sequence.next.saturating_add(ahead) > sequence.reserved {
                // Persisted before any position below it is used, so no position is ever
                // used twice, whatever a crash loses.
                let mark = sequence.next.saturating_add(ahead.max(RESERVE_BLOCK));
                self.meta.insert(HIGH_WATER_KEY, &mark.to_be_bytes())?;
                self.flush_db()?;
                sequence.reserved = mark;
            }
            let positions = Positions {
                next: std::cell::Cell::new(sequence.next),
                limit: sequence.reserved,
                exhausted: std::cell::Cell::new(false),
            };
            match self.commit_once(&f, &positions) {
                Err(_) if positions.exhausted.get() => {
                    // Logged more changes than reserved: reserve more and run it again.
                    ahead = ahead.saturating_mul(4);
                }
                Err(error) => return Err(error),
                Ok(result) => {
                    let next = positions.next.get();
                    let last = if next > sequence.next { next - 1 } else { 0 };
                    sequence.next = next;
                    return Ok((result, last));
                }
            }
        }
    }

    fn commit_once<T>(
        &self,
        f: &impl Fn(&PageTrees<'_>, &crate::frontier::FrontierTrees<'_>) -> TxResult<T>,
        positions: &Positions,
    ) -> Result<T> {
        let trees: [&Tree; 15] = [
            &self.pages,
            &self.notices,
            &self.by_fetched,
            &self.organisations,
            &self.organisation_names,
            &self.page_versions,
            &self.page_bodies,
            &self.frontier,
            &self.frontier_seen,
            &self.frontier_runs,
            &self.notice_versions,
            &self.changes,
            &self.notice_aliases,
            &self.withdrawn_notices,
            &self.ordered,
        ];
        let first = positions.next.get();
        let written_notices = std::cell::RefCell::new(Vec::new());
        let result = trees[..].transaction(|view: &Vec<TransactionalTree>| {
            let [
                pages,
                notices,
                by_fetched,
                orgs,
                org_names,
                versions,
                bodies,
                fr,
                seen,
                runs,
                notice_versions,
                changes,
                aliases,
                withdrawn,
                ordered,
            ] = view.as_slice()
            else {
                unreachable!("one view per tree of the transaction")
            };
            // A conflict reruns the closure: it starts from the same positions.
            positions.next.set(first);
            f(
                &PageTrees {
                    pages,
                    notices,
                    by_fetched,
                    orgs,
                    org_names,
                    versions,
                    bodies,
                    notice_versions,
                    changes,
                    aliases,
                    withdrawn,
                    ordered,
                    positions,
                    written_notices: &written_notices,
                },
                &crate::frontier::FrontierTrees {
                    queue: fr,
                    seen,
                    runs,
                },
            )
        });
        // After the commit (or its failure), so that no reader can cache what it replaced.
        self.notice_cache
            .invalidate(written_notices.borrow().iter().map(String::as_str));
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::from(e),
        })
    }

    /// The notice `id`: from the cache, or read (checksum verified), decoded and offered to it.
    fn load_notice(&self, id: &[u8]) -> Result<Option<Arc<StoredNotice>>> {
        if let Some(hit) = self.notice_cache.get(id) {
            return Ok(Some(hit));
        }
        let epoch = self.notice_cache.epoch();
        let Some(raw) = self.notices.get(id)? else {
            return Ok(None);
        };
        let notice = Arc::new(decode::<StoredNotice>("notices", &raw)?);
        self.notice_cache.fill(id, epoch, raw.len(), &notice);
        Ok(Some(notice))
    }

    /// Drops every cached notice, after writes that bypass [`Self::transaction`].
    pub(crate) fn forget_cached_notices(&self) {
        self.notice_cache.clear();
    }
}

impl SledStore {
    /// The number of notices. Counting the index walks every key, so the count is kept with
    /// the change-log position it reflects and brought forward by the notices created and
    /// withdrawn since (each is logged in the same transaction as its index entry).
    fn notice_count(&self) -> Result<usize> {
        let mut cached = self
            .notice_count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(NoticeCount { through, mut count }) = *cached else {
            // The first count: under the write lock, so the index and the log agree.
            let _writer = self
                .write_lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let counted = NoticeCount {
                through: self.last_change()?,
                count: self.by_fetched.len(),
            };
            *cached = Some(counted);
            return Ok(counted.count);
        };
        let start = through.map_or(0, |seq| seq.saturating_add(1));
        let mut last = through;
        for entry in self.changes.range(start.to_be_bytes()..) {
            let (_, raw) = entry?;
            let change: ChangeRecord = decode("changes", &raw)?;
            match change.kind {
                ChangeKind::Created => count += 1,
                ChangeKind::Withdrawn => count = count.saturating_sub(1),
                ChangeKind::Updated => {}
            }
            last = Some(change.seq);
        }
        *cached = Some(NoticeCount {
            through: last,
            count,
        });
        Ok(count)
    }

    /// The sequence number of the newest change-log entry.
    pub(crate) fn last_change(&self) -> Result<Option<u64>> {
        last_change_of(&self.changes)
    }

    /// Forgets the kept notice count, after writes that bypass the change log (imports).
    pub(crate) fn forget_notice_count(&self) {
        *self
            .notice_count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// The index tree and key prefix of `order`.
    fn order_index(&self, order: NoticeOrder) -> OrderIndex<'_> {
        match crate::order_index::tag(order) {
            None => OrderIndex {
                tree: &self.by_fetched,
                prefix: Vec::new(),
                id_in_key: true,
            },
            Some(tag) => OrderIndex {
                tree: &self.ordered,
                prefix: vec![tag],
                id_in_key: false,
            },
        }
    }

    /// The unfiltered listing: only the returned page is decoded, and the total is the kept
    /// count, so a page costs the same however many notices are stored.
    fn list_all_notices(
        &self,
        index: &OrderIndex<'_>,
        after: Option<&[u8]>,
        limit: usize,
    ) -> Result<NoticeSlice> {
        let mut slice = NoticeSlice {
            total_matching: self.notice_count()?,
            ..NoticeSlice::default()
        };
        let mut last_key = None;
        let mut more = false;
        for entry in index.after(after) {
            let (key, id) = entry?;
            if slice.notices.len() == limit {
                more = true;
                break;
            }
            if let Some(notice) = self.load_notice(&id)? {
                slice.notices.push(notice);
                last_key = Some(key);
            }
        }
        // A cursor only when something follows the last notice returned.
        slice.next_cursor = last_key.filter(|_| more);
        Ok(slice)
    }

    /// The filtered listing: every notice is read to count the matches, in index order.
    fn list_kept_notices(
        &self,
        index: &OrderIndex<'_>,
        after: Option<&[u8]>,
        limit: usize,
        keep: &dyn Fn(&StoredNotice) -> bool,
    ) -> Result<NoticeSlice> {
        let mut slice = NoticeSlice::default();
        let mut last_key = None;
        let mut more = false;
        for entry in index.after(None) {
            let (key, id) = entry?;
            let Some(notice) = self.load_notice(&id)? else {
                continue;
            };
            if !keep(&notice) {
                continue;
            }
            slice.total_matching += 1;
            if after.is_some_and(|cursor| key.as_slice() <= cursor) {
                continue;
            }
            if slice.notices.len() < limit {
                slice.notices.push(notice);
                last_key = Some(key);
            } else {
                more = true;
            }
        }
        slice.next_cursor = last_key.filter(|_| more);
        Ok(slice)
    }
}

/// One ordering's index: its entries are `prefix ‖ …`, and each names a notice id, at the end
/// of the key after 8 bytes (newest fetched first) or as the value (the other orders).
struct OrderIndex<'a> {
    tree: &'a Tree,
    prefix: Vec<u8>,
    id_in_key: bool,
}

impl OrderIndex<'_> {
    /// The entries after the cursor `after` (all when `None`) as (key, notice id).
    fn after(&self, after: Option<&[u8]>) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>)>> + '_ {
        let start = match after {
            Some(cursor) => std::ops::Bound::Excluded(cursor.to_vec()),
            None => std::ops::Bound::Included(self.prefix.clone()),
        };
        self.tree
            .range::<Vec<u8>, _>((start, std::ops::Bound::Unbounded))
            .take_while(|entry| {
                entry
                    .as_ref()
                    .map_or(true, |(key, _)| key.starts_with(&self.prefix))
            })
            .map(|entry| {
                let (key, value) = entry?;
                let id = if self.id_in_key {
                    key.get(8..).ok_or(StoreError::InvalidCursor)?.to_vec()
                } else {
                    value.to_vec()
                };
                Ok((key.to_vec(), id))
            })
    }
}

/// The sequence number of the newest entry of the change log `changes`.
fn last_change_of(changes: &Tree) -> Result<Option<u64>> {
    Ok(changes
        .last()?
        .and_then(|(key, _)| key.as_ref().try_into().ok().map(u64::from_be_bytes)))
}

/// Up to `limit` records of `tree` in key order, starting after key `after` (keyset paging).
fn records_after<T: serde::de::DeserializeOwned>(
    tree: &Tree,
    name: &'static str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<T>> {
    let start = after.map(|a| a.as_bytes().to_vec()).unwrap_or_default();
    let mut out = Vec::new();
    for entry in tree.range(start..) {
        let (key, raw) = entry?;
        if after.is_some_and(|a| key.as_ref() == a.as_bytes()) {
            continue;
        }
        if out.len() == limit {
            break;
        }
        out.push(decode(name, &raw)?);
    }
    Ok(out)
}

impl PageStore for SledStore {
    fn record_fetch(&self, write: PageWrite) -> Result<PageOutcome> {
        let compressed = write
            .raw
            .as_deref()
            .map(crate::frontier::compress)
            .transpose()?;
        self.transaction(|t, _| write_page(t, &write.page, &write.notices, compressed.as_deref()))
    }

    fn page(&self, url: &str) -> Result<Option<PageRecord>> {
        self.pages
            .get(url.as_bytes())?
            .map(|raw| decode("pages", &raw))
            .transpose()
    }

    fn pages(&self, after: Option<&str>, limit: usize) -> Result<Vec<PageRecord>> {
        records_after(&self.pages, "pages", after, limit)
    }

    fn page_count(&self) -> Result<usize> {
        Ok(self.pages.len())
    }

    fn page_versions(&self, url: &str) -> Result<Vec<PageRecord>> {
        let mut prefix = url.as_bytes().to_vec();
        prefix.push(0);
        self.page_versions
            .scan_prefix(prefix)
            .values()
            .map(|raw| decode("page_versions", &raw?))
            .collect()
    }

    fn page_body(&self, url: &str, fetched_at_ms: i64) -> Result<Option<Vec<u8>>> {
        self.page_bodies
            .get(version_key(url, fetched_at_ms))?
            .map(|raw| crate::frontier::decompress(&raw))
            .transpose()
    }

    fn frontier_begin(
        &self,
        source: &str,
        seeds: &[FrontierEntry],
        now_ms: i64,
        max_notices: usize,
        max_lists: usize,
    ) -> Result<FrontierRun> {
        self.begin_run(source, seeds, now_ms, max_notices, max_lists)
    }

    fn frontier_run(&self, source: &str) -> Result<Option<FrontierRun>> {
        self.frontier_runs
            .get(source.as_bytes())?
            .map(|raw| decode("frontier_runs", &raw))
            .transpose()
    }

    fn frontier_claim(
        &self,
        source: &str,
        lease: Lease<'_>,
        limit: usize,
    ) -> Result<crate::FrontierClaim> {
        self.claim(source, lease, limit)
    }

    fn frontier_renew(&self, source: &str, lease: Lease<'_>, seqs: &[u64]) -> Result<Vec<u64>> {
        Ok(self.lease_table().renew(source, lease, seqs))
    }

    fn frontier_release(&self, source: &str, worker: &str, seqs: &[u64]) -> Result<()> {
        self.lease_table().release(source, worker, seqs);
        Ok(())
    }

    fn frontier_complete(&self, source: &str, done: Completion) -> Result<PageOutcome> {
        self.complete(source, done)
    }

    fn frontier_finish(&self, source: &str) -> Result<bool> {
        self.finish_run(source)
    }

    fn claim_run(&self, source: &str, due_ms: i64, lease: Lease<'_>) -> Result<bool> {
        Ok(self.lease_table().claim_run(source, due_ms, lease))
    }

    fn release_run(&self, source: &str, worker: &str) -> Result<()> {
        self.lease_table().release_run(source, worker);
        Ok(())
    }
}

impl NoticeReads for SledStore {
    fn notice(&self, id: &str) -> Result<Option<Arc<StoredNotice>>> {
        self.load_notice(id.as_bytes())
    }

    fn withdrawn_version(&self, id: &str) -> Result<Option<u64>> {
        Ok(self
            .withdrawn_notices
            .get(id.as_bytes())?
            .map(|raw| version_of(&raw)))
    }

    fn notice_version(&self, id: &str, version: u64) -> Result<Option<StoredNotice>> {
        if let Some(raw) = self.notices.get(id.as_bytes())? {
            let current: StoredNotice = decode("notices", &raw)?;
            if current.version.max(1) == version {
                return Ok(Some(current));
            }
        }
        self.notice_versions
            .get(notice_version_key(id, version))?
            .map(|raw| decode("notice_versions", &raw))
            .transpose()
    }

    fn notice_versions(&self, id: &str) -> Result<Vec<StoredNotice>> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        self.notice_versions
            .scan_prefix(prefix)
            .values()
            .map(|raw| decode("notice_versions", &raw?))
            .collect()
    }

    fn list_notices(
        &self,
        order: NoticeOrder,
        after: Option<&[u8]>,
        limit: usize,
        keep: Option<&dyn Fn(&StoredNotice) -> bool>,
    ) -> Result<NoticeSlice> {
        let index = self.order_index(order);
        if after.is_some_and(|cursor| !cursor.starts_with(&index.prefix)) {
            return Err(StoreError::InvalidCursor);
        }
        match keep {
            None => self.list_all_notices(&index, after, limit),
            Some(keep) => self.list_kept_notices(&index, after, limit, keep),
        }
    }

    fn notice_cursor(&self, order: NoticeOrder, notice: &StoredNotice) -> Vec<u8> {
        crate::order_index::key(order, notice)
    }
}

impl OrganisationReads for SledStore {
    fn organisations(&self, after: Option<&str>, limit: usize) -> Result<Vec<OrganisationRecord>> {
        records_after(&self.organisations, "organisations", after, limit)
    }

    fn resolve_organisation(&self, name: &str) -> Result<Option<OrganisationRecord>> {
        if let Some(org) = self.organisation(name)? {
            return Ok(Some(org));
        }
        match self.organisation_names.get(fold_name(name).as_bytes())? {
            Some(id) => self.organisation(&String::from_utf8_lossy(&id)),
            None => Ok(None),
        }
    }
}

impl SledStore {
    /// The organisation with `id`.
    fn organisation(&self, id: &str) -> Result<Option<OrganisationRecord>> {
        self.organisations
            .get(id.as_bytes())?
            .map(|raw| decode("organisations", &raw))
            .transpose()
    }
}

impl ChangeFeedStore for SledStore {
    fn changes_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<ChangeRecord>> {
        let start = after.map_or(0, |seq| seq.saturating_add(1));
        let durable = self.commits.durable_seq();
        let mut out = Vec::new();
        if start > durable {
            return Ok(out);
        }
        for entry in self
            .changes
            .range(start.to_be_bytes()..=durable.to_be_bytes())
            .take(limit)
        {
            let (_, raw) = entry?;
            out.push(decode("changes", &raw)?);
        }
        Ok(out)
    }

    fn change_feed(&self) -> crate::ChangeFeed {
        crate::ChangeFeed {
            lineage: self.lineage.load(std::sync::atomic::Ordering::SeqCst),
            durable_through: self.commits.durable_seq(),
        }
    }

    fn subscribe_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }
}
