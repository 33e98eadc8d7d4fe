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

use crate::error::{Result, StoreError};
use crate::identity::{fold_name, notice_id, organisation_id};
use crate::records::Completion;
use crate::records::{
    FrontierEntry, FrontierRun, OrganisationRecord, PageOutcome, PageRecord, PageWrite,
    StoredNotice,
};
use crate::{NoticeSlice, NoticeStore};
use gazette_notice::Notice;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Transactional, Tree};
use std::path::Path;

/// Schema version written by this build. Bump it with a migration when a record changes shape.
/// Version 2 added page versions, page bodies and the frontier trees, and new [`PageRecord`]
/// fields with serde defaults, so version 1 stores open unchanged.
pub const SCHEMA_VERSION: u32 = 2;
const SCHEMA_KEY: &[u8] = b"schema_version";
/// sled's page cache. Its own default (1 GiB) fills with every page a crawl writes, which a
/// crawler mostly never reads again; reads are by key, so a modest cache serves them well.
pub const DEFAULT_CACHE_BYTES: u64 = 32 * 1024 * 1024;

/// A [`NoticeStore`] on a sled database in one directory.
#[derive(Clone)]
pub struct SledStore {
    db: sled::Db,
    pages: Tree,
    notices: Tree,
    by_fetched: Tree,
    organisations: Tree,
    organisation_names: Tree,
    pub(crate) page_versions: Tree,
    pub(crate) page_bodies: Tree,
    pub(crate) frontier: Tree,
    pub(crate) frontier_seen: Tree,
    pub(crate) frontier_runs: Tree,
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
        Self::open_with_cache(dir, DEFAULT_CACHE_BYTES)
    }

    /// Opens the store with a page cache of `cache_bytes`.
    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Self> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .open()?;
        let meta = db.open_tree("meta")?;
        match meta.get(SCHEMA_KEY)? {
            Some(raw) => {
                let found = raw
                    .as_ref()
                    .try_into()
                    .map(u32::from_be_bytes)
                    .map_err(|_| StoreError::InvalidCursor)?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::SchemaTooNew {
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                if found < SCHEMA_VERSION {
                    meta.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
                }
            }
            None => {
                meta.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes())?;
            }
        }
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
            db,
        })
    }
}

pub(crate) fn encode<T: Serialize>(tree: &'static str, value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|source| StoreError::Codec { tree, source })
}

pub(crate) fn decode<T: DeserializeOwned>(tree: &'static str, raw: &[u8]) -> Result<T> {
    serde_json::from_slice(raw).map_err(|source| StoreError::Codec { tree, source })
}

/// Inside a transaction our errors travel as aborts.
pub(crate) type TxResult<T> = std::result::Result<T, ConflictableTransactionError<StoreError>>;

pub(crate) fn tx_get<T: DeserializeOwned>(
    tree: &TransactionalTree,
    name: &'static str,
    key: &[u8],
) -> TxResult<Option<T>> {
    match tree.get(key)? {
        Some(raw) => decode(name, &raw)
            .map(Some)
            .map_err(ConflictableTransactionError::Abort),
        None => Ok(None),
    }
}

pub(crate) fn tx_put<T: Serialize>(
    tree: &TransactionalTree,
    name: &'static str,
    key: &[u8],
    value: &T,
) -> TxResult<()> {
    let raw = encode(name, value).map_err(ConflictableTransactionError::Abort)?;
    tree.insert(key, raw)?;
    Ok(())
}

fn fetched_key(fetched_at_ms: i64, id: &str) -> Vec<u8> {
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
        if let Some(previous) = &previous {
            by_fetched.remove(fetched_key(previous.fetched_at_ms, &id))?;
            outcome.updated_notices.push(id.clone());
        } else {
            outcome.new_notices.push(id.clone());
        }
        let stored = StoredNotice {
            id: id.clone(),
            organisation_id: org_id,
            notice: notice.clone(),
            source_uri: page.url.clone(),
            fetched_at_ms: page.fetched_at_ms,
            content_sha256: page.content_sha256.clone(),
            text: text.clone(),
        };
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
        );
        let result = trees.transaction(
            |(pages, notices, by_fetched, orgs, org_names, versions, bodies, fr, seen, runs)| {
                f(
                    &PageTrees {
                        pages,
                        notices,
                        by_fetched,
                        orgs,
                        org_names,
                        versions,
                        bodies,
                    },
                    &crate::frontier::FrontierTrees {
                        queue: fr,
                        seen,
                        runs,
                    },
                )
            },
        );
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Sled(e),
        })
    }
}

impl NoticeStore for SledStore {
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

    fn notice(&self, id: &str) -> Result<Option<StoredNotice>> {
        self.notices
            .get(id.as_bytes())?
            .map(|raw| decode("notices", &raw))
            .transpose()
    }

    fn list_notices(
        &self,
        after: Option<&[u8]>,
        limit: usize,
        keep: &dyn Fn(&StoredNotice) -> bool,
    ) -> Result<NoticeSlice> {
        let mut slice = NoticeSlice::default();
        for entry in self.by_fetched.iter() {
            let (key, _) = entry?;
            let id = key.get(8..).ok_or(StoreError::InvalidCursor)?;
            let Some(raw) = self.notices.get(id)? else {
                continue;
            };
            let notice: StoredNotice = decode("notices", &raw)?;
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
        let start = after.map(|a| a.as_bytes().to_vec()).unwrap_or_default();
        let mut out = Vec::new();
        for entry in self.organisations.range(start..) {
            let (key, raw) = entry?;
            if after.is_some_and(|a| key.as_ref() == a.as_bytes()) {
                continue;
            }
            if out.len() == limit {
                break;
            }
            out.push(decode("organisations", &raw)?);
        }
        Ok(out)
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
