//! The sled implementation of [`NoticeStore`].
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
//!
//! A page and everything derived from it are written in one multi-tree transaction, so a crash
//! never leaves a page without its notices or an index entry without its record.

pub(crate) use crate::codec::{TxResult, decode, tx_get, tx_put};
use crate::error::{Result, StoreError};
use crate::identity::{fold_name, notice_id, organisation_id};
use crate::notice_cache::{DEFAULT_NOTICE_CACHE_BYTES, NoticeCache};
use crate::records::{ChangeKind, ChangeRecord, Completion};
use crate::records::{
    FrontierEntry, FrontierRun, OrganisationRecord, PageOutcome, PageRecord, PageWrite,
    StoredNotice,
};
use crate::{NoticeSlice, NoticeStore};
use gazette_notice::Notice;
use sled::transaction::{TransactionError, TransactionalTree};
use sled::{Transactional, Tree};
use std::path::Path;
use std::sync::Arc;

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

/// A [`NoticeStore`] on a sled database in one directory.
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
    /// Serialises writers so that change-log sequence numbers are committed in order: a
    /// watcher that has seen change n can never later find a change below n.
    pub(crate) write_lock: std::sync::Arc<std::sync::Mutex<()>>,
    /// Decoded notices, reused while their records are unchanged.
    pub(crate) notice_cache: std::sync::Arc<NoticeCache>,
    /// The number of notices as of a change-log position, so that listings need not count
    /// the index each time; see [`SledStore::notice_count`].
    notice_count: std::sync::Arc<std::sync::Mutex<Option<NoticeCount>>>,
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
    pub fn open_with(dir: &Path, options: StoreOptions) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(options.page_cache_bytes)
            .open()?;
        crate::schema::migrate(&db)?;
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
            changes: db.open_tree("changes")?,
            write_lock: std::sync::Arc::default(),
            notice_cache: std::sync::Arc::new(NoticeCache::new(options.notice_cache_bytes)),
            notice_count: std::sync::Arc::default(),
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

/// Names under which a notice's organisation may be looked up.
fn names_of(notice: &Notice) -> Vec<&str> {
    notice
        .organisation
        .iter()
        .chain(notice.organisation_aliases.iter())
        .map(String::as_str)
        .filter(|n| !n.trim().is_empty())
        .collect()
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
    /// Sequence number for the next change-log entry of this transaction.
    pub(crate) next_change: &'a std::cell::Cell<u64>,
    /// Ids of the notice records written, in this or an aborted earlier attempt: their cached
    /// copies are dropped once the transaction ends.
    pub(crate) written_notices: &'a std::cell::RefCell<Vec<String>>,
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

/// Writes a page and its notices. A previous record with other content moves to
/// `page_versions`, so a changed notice keeps its earlier versions. `compressed` is the raw
/// body, already compressed outside the (retryable) transaction.
pub(crate) fn write_page(
    t: &PageTrees<'_>,
    page: &PageRecord,
    notices: &[Notice],
    compressed: Option<&[u8]>,
) -> TxResult<PageOutcome> {
    let (pages, notice_tree, by_fetched, orgs, org_names) =
        (t.pages, t.notices, t.by_fetched, t.orgs, t.org_names);
    let previous_page: Option<PageRecord> = tx_get(pages, "pages", page.url.as_bytes())?;
    if let Some(old) = previous_page
        .as_ref()
        .filter(|old| old.content_sha256 != page.content_sha256)
    {
        tx_put(
            t.versions,
            "page_versions",
            &version_key(&old.url, old.fetched_at_ms),
            old,
        )?;
    }
    let mut page = page.clone();
    if let Some(raw) = compressed {
        t.bodies
            .insert(version_key(&page.url, page.fetched_at_ms), raw)?;
        page.body_stored = true;
    }
    let mut outcome = PageOutcome::default();
    page.notice_ids.clear();
    let text = page
        .clean
        .as_ref()
        .map(|c| c.text.clone())
        .unwrap_or_default();
    for (index, notice) in notices.iter().enumerate() {
        let id = notice_id(notice, &page.content_sha256, index);
        let org_id = match notice.organisation.as_deref() {
            Some(full_name) => {
                let names = names_of(notice);
                let mut known = None;
                for name in &names {
                    if let Some(raw) = org_names.get(fold_name(name).as_bytes())? {
                        known = Some(String::from_utf8_lossy(&raw).into_owned());
                        break;
                    }
                }
                let org_id = known.unwrap_or_else(|| organisation_id(full_name));
                let mut org: OrganisationRecord = tx_get(orgs, "organisations", org_id.as_bytes())?
                    .unwrap_or_else(|| OrganisationRecord {
                        id: org_id.clone(),
                        ..Default::default()
                    });
                org.display_name = full_name.to_owned();
                for name in &names {
                    let folded = fold_name(name);
                    if org_names.get(folded.as_bytes())?.is_none() {
                        org_names.insert(folded.as_bytes(), org_id.as_bytes())?;
                    }
                    if *name != full_name && !org.aliases.iter().any(|a| a == name) {
                        org.aliases.push((*name).to_owned());
                    }
                }
                org.aliases.retain(|a| a != full_name);
                if !org.notice_ids.contains(&id) {
                    org.notice_ids.push(id.clone());
                }
                tx_put(orgs, "organisations", org_id.as_bytes(), &org)?;
                Some(org_id)
            }
            None => None,
        };
        let previous: Option<StoredNotice> = tx_get(notice_tree, "notices", id.as_bytes())?;
        let mut stored = StoredNotice {
            id: id.clone(),
            organisation_id: org_id,
            notice: notice.clone(),
            source_uri: page.url.clone(),
            fetched_at_ms: page.fetched_at_ms,
            content_sha256: page.content_sha256.clone(),
            text: text.clone(),
            version: 1,
        };
        let change = match &previous {
            None => {
                outcome.new_notices.push(id.clone());
                Some(ChangeKind::Created)
            }
            Some(previous) => {
                by_fetched.remove(fetched_key(previous.fetched_at_ms, &id))?;
                outcome.updated_notices.push(id.clone());
                let previous_version = previous.version.max(1);
                // Only a change of what the notice says makes a version; the same notice seen
                // again, or from another URL, is a refresh.
                if previous.notice != stored.notice || previous.text != stored.text {
                    let key = notice_version_key(&id, previous_version);
                    tx_put(t.notice_versions, "notice_versions", &key, previous)?;
                    stored.version = previous_version + 1;
                    Some(ChangeKind::Updated)
                } else {
                    stored.version = previous_version;
                    None
                }
            }
        };
        if let Some(kind) = change {
            let seq = t.next_change.get();
            t.next_change.set(seq + 1);
            let record = ChangeRecord {
                seq,
                notice_id: id.clone(),
                version: stored.version,
                kind,
            };
            tx_put(t.changes, "changes", &seq.to_be_bytes(), &record)?;
        }
        t.written_notices.borrow_mut().push(id.clone());
        tx_put(notice_tree, "notices", id.as_bytes(), &stored)?;
        by_fetched.insert(fetched_key(stored.fetched_at_ms, &id), &[])?;
        page.notice_ids.push(id);
    }
    tx_put(pages, "pages", page.url.as_bytes(), &page)?;
    Ok(outcome)
}

impl SledStore {
    /// Runs `f` in one transaction over every tree a page write or frontier step touches.
    pub(crate) fn transaction<T>(
        &self,
        f: impl Fn(&PageTrees<'_>, &crate::frontier::FrontierTrees<'_>) -> TxResult<T>,
    ) -> Result<T> {
        // A poisoned lock only means another writer panicked; the data is still consistent
        // because its transaction did not commit.
        let _writer = self
            .write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Read under the lock, so no other writer can take the same numbers.
        let first_change = self.last_change()?.map_or(1, |seq| seq + 1);
        let trees = (
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
        );
        let written_notices = std::cell::RefCell::new(Vec::new());
        let result = trees.transaction(
            |(
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
            )| {
                let next_change = std::cell::Cell::new(first_change);
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
                        next_change: &next_change,
                        written_notices: &written_notices,
                    },
                    &crate::frontier::FrontierTrees {
                        queue: fr,
                        seen,
                        runs,
                    },
                )
            },
        );
        // After the commit (or its failure), so that no reader can cache what it replaced.
        self.notice_cache
            .invalidate(written_notices.borrow().iter().map(String::as_str));
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
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
    /// The unfiltered listing: only the returned page is decoded, and the total is the index's
    /// length, so a page costs the same however many notices are stored.
    /// The number of notices. Counting the index walks every key, so the count is kept with
    /// the change-log position it reflects and brought forward by the notices created since
    /// (each creation is logged in the same transaction as its index entry).
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
            if change.kind == ChangeKind::Created {
                count += 1;
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
    fn last_change(&self) -> Result<Option<u64>> {
        Ok(self
            .changes
            .last()?
            .and_then(|(key, _)| key.as_ref().try_into().ok().map(u64::from_be_bytes)))
    }

    /// Forgets the kept notice count, after writes that bypass the change log (imports).
    pub(crate) fn forget_notice_count(&self) {
        *self
            .notice_count
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    fn list_all_notices(&self, after: Option<&[u8]>, limit: usize) -> Result<NoticeSlice> {
        let mut slice = NoticeSlice {
            total_matching: self.notice_count()?,
            ..NoticeSlice::default()
        };
        let start = after.map(<[u8]>::to_vec).unwrap_or_default();
        let mut last_key = None;
        let mut more = false;
        for key in self.by_fetched.range(start..).keys() {
            let key = key?;
            if after.is_some_and(|cursor| key.as_ref() <= cursor) {
                continue;
            }
            if slice.notices.len() == limit {
                more = true;
                break;
            }
            let id = key.get(8..).ok_or(StoreError::InvalidCursor)?;
            if let Some(notice) = self.load_notice(id)? {
                slice.notices.push(notice);
                last_key = Some(key.to_vec());
            }
        }
        // A cursor only when something follows the last notice returned.
        slice.next_cursor = last_key.filter(|_| more);
        Ok(slice)
    }
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

impl NoticeStore for SledStore {
    fn notice_versions(&self, id: &str) -> Result<Vec<StoredNotice>> {
        let mut prefix = id.as_bytes().to_vec();
        prefix.push(0);
        self.notice_versions
            .scan_prefix(prefix)
            .values()
            .map(|raw| decode("notice_versions", &raw?))
            .collect()
    }

    fn changes_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<ChangeRecord>> {
        let range = match after {
            Some(seq) => self.changes.range(seq.saturating_add(1).to_be_bytes()..),
            None => self.changes.range::<&[u8], _>(..),
        };
        let mut out = Vec::new();
        for entry in range.take(limit) {
            let (_, raw) = entry?;
            out.push(decode("changes", &raw)?);
        }
        Ok(out)
    }

    fn wait_for_changes(&self, after: Option<u64>, timeout: std::time::Duration) -> Result<bool> {
        // Subscribe before looking, so a change committed in between still wakes us.
        let mut subscriber = self.changes.watch_prefix(Vec::new());
        if !self.changes_after(after, 1)?.is_empty() {
            return Ok(true);
        }
        Ok(subscriber.next_timeout(timeout).is_ok())
    }

    fn pages(&self, after: Option<&str>, limit: usize) -> Result<Vec<PageRecord>> {
        records_after(&self.pages, "pages", after, limit)
    }

    fn page_count(&self) -> Result<usize> {
        Ok(self.pages.len())
    }

    fn record_page(&self, page: PageRecord, notices: Vec<Notice>) -> Result<PageOutcome> {
        self.transaction(|t, _| write_page(t, &page, &notices, None))
    }

    fn record_fetch(&self, write: PageWrite) -> Result<PageOutcome> {
        let compressed = write
            .raw
            .as_deref()
            .map(crate::frontier::compress)
            .transpose()?;
        self.transaction(|t, _| write_page(t, &write.page, &write.notices, compressed.as_deref()))
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

    fn frontier_pending(&self, source: &str, limit: usize) -> Result<Vec<(u64, FrontierEntry)>> {
        self.pending(source, limit)
    }

    fn frontier_complete(&self, source: &str, done: Completion) -> Result<PageOutcome> {
        self.complete(source, done)
    }

    fn frontier_finish(&self, source: &str) -> Result<()> {
        self.finish_run(source)
    }

    fn page(&self, url: &str) -> Result<Option<PageRecord>> {
        self.pages
            .get(url.as_bytes())?
            .map(|raw| decode("pages", &raw))
            .transpose()
    }

    fn notice(&self, id: &str) -> Result<Option<Arc<StoredNotice>>> {
        self.load_notice(id.as_bytes())
    }

    fn notice_cursor(&self, notice: &StoredNotice) -> Vec<u8> {
        fetched_key(notice.fetched_at_ms, &notice.id)
    }

    fn list_notices(
        &self,
        after: Option<&[u8]>,
        limit: usize,
        keep: Option<&dyn Fn(&StoredNotice) -> bool>,
    ) -> Result<NoticeSlice> {
        let Some(keep) = keep else {
            return self.list_all_notices(after, limit);
        };
        let mut slice = NoticeSlice::default();
        for entry in self.by_fetched.iter() {
            let (key, _) = entry?;
            let id = key.get(8..).ok_or(StoreError::InvalidCursor)?;
            let Some(notice) = self.load_notice(id)? else {
                continue;
            };
            if !keep(&notice) {
                continue;
            }
            slice.total_matching += 1;
            let past_cursor = after.is_none_or(|cursor| key.as_ref() > cursor);
            if past_cursor && slice.notices.len() < limit {
                slice.next_cursor = Some(key.to_vec());
                slice.notices.push(notice);
            }
        }
        // The cursor is only needed if something follows the last notice returned.
        if slice.notices.len() < limit {
            slice.next_cursor = None;
        } else if let Some(cursor) = &slice.next_cursor {
            let more = self
                .by_fetched
                .range(cursor.clone()..)
                .skip(1)
                .filter_map(|e| e.ok())
                .filter_map(|(k, _)| {
                    k.get(8..)
                        .and_then(|id| self.notices.get(id).ok().flatten())
                })
                .filter_map(|raw| decode::<StoredNotice>("notices", &raw).ok())
                .any(|n| keep(&n));
            if !more {
                slice.next_cursor = None;
            }
        }
        Ok(slice)
    }

    fn organisations(&self, after: Option<&str>, limit: usize) -> Result<Vec<OrganisationRecord>> {
        records_after(&self.organisations, "organisations", after, limit)
    }

    fn organisation(&self, id: &str) -> Result<Option<OrganisationRecord>> {
        self.organisations
            .get(id.as_bytes())?
            .map(|raw| decode("organisations", &raw))
            .transpose()
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

    fn flush(&self) -> Result<()> {
        self.db.flush()?;
        Ok(())
    }
}
