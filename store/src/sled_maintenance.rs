//! [`Maintenance`] on sled: every tree handed out as [`ExportRecord`]s, records written back
//! tree by tree, counts, verification of every checksum and index entry, and statistics.

use crate::codec::{decode, encode};
use crate::error::{Result, StoreError};
use crate::maintenance::{ExportHeader, ExportRecord, RecordCounts, TransferStats};
use crate::records::{OrganisationRecord, PageRecord, StoredNotice};
use crate::sled_store::{SledStore, fetched_key, notice_version_key, version_key};
use crate::{Maintenance, StoreStats, VerifyReport};

fn bad_key(tree: &'static str) -> StoreError {
    StoreError::Corrupt {
        tree,
        reason: "malformed key".into(),
    }
}

/// A page-body key: url ‖ 0 ‖ fetched ms BE.
fn split_version_key(key: &[u8]) -> Result<(String, i64)> {
    let (url, ms) = key
        .split_at_checked(key.len().saturating_sub(9))
        .filter(|(_, rest)| rest.first() == Some(&0))
        .ok_or_else(|| bad_key("page_bodies"))?;
    let ms: [u8; 8] = ms[1..].try_into().map_err(|_| bad_key("page_bodies"))?;
    let ms = i64::try_from(u64::from_be_bytes(ms)).map_err(|_| bad_key("page_bodies"))?;
    Ok((String::from_utf8_lossy(url).into_owned(), ms))
}

/// A frontier key: source ‖ 0 ‖ rest.
fn split_source_key(key: &[u8]) -> Result<(String, &[u8])> {
    let nul = key
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| bad_key("frontier"))?;
    Ok((
        String::from_utf8_lossy(&key[..nul]).into_owned(),
        &key[nul + 1..],
    ))
}

/// Damage sled reported (rather than panicked on), said to have been found while `what`.
pub(crate) fn damaged(what: &'static str, error: StoreError) -> StoreError {
    if let StoreError::Damaged { detail, .. } = error {
        return StoreError::Damaged { what, detail };
    }
    error
}

/// Hands one record per entry of `tree`, made by `line` from the key and value, to `sink`.
fn export_tree(
    sink: &mut dyn FnMut(ExportRecord) -> Result<()>,
    tree: &sled::Tree,
    line: impl Fn(&[u8], &[u8]) -> Result<ExportRecord>,
) -> Result<()> {
    for entry in tree.iter() {
        let (key, value) = entry?;
        sink(line(&key, &value)?)?;
    }
    Ok(())
}

impl Maintenance for SledStore {
    fn export_header(&self) -> Result<ExportHeader> {
        Ok(ExportHeader::new(
            self.lineage.load(std::sync::atomic::Ordering::SeqCst),
        ))
    }

    /// Damage sled finds on the way is [`StoreError::Damaged`].
    fn export_records(&self, sink: &mut dyn FnMut(ExportRecord) -> Result<()>) -> Result<()> {
        crate::damage::guard("exporting the store", || self.export_unguarded(sink))?
            .map_err(|e| damaged("exporting the store", e))
    }

    fn import_records(
        &self,
        header: &ExportHeader,
        records: &mut dyn Iterator<Item = Result<ExportRecord>>,
    ) -> Result<TransferStats> {
        header.check()?;
        // Writers wait: positions and the lineage change under the writers' lock.
        let mut sequence = self
            .write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let had_changes = !self.changes.is_empty();
        let result = self.import_unlocked(records);
        // Imported notices bypass the change log that keeps the notice count current and the
        // transaction that keeps cached notices current; a failed import may have written some.
        self.forget_notice_count();
        self.forget_cached_notices();
        let stats = result?;
        let own = self.lineage.load(std::sync::atomic::Ordering::SeqCst);
        let continued = match header.lineage {
            Some(exported) if !had_changes || exported == own => exported,
            // An export of an older build has no lineage: its positions join ours.
            None if !had_changes => own,
            Some(_) | None => crate::durability::new_lineage(),
        };
        self.meta
            .insert(crate::durability::LINEAGE_KEY, &continued.to_be_bytes())?;
        self.flush_db()?;
        self.lineage
            .store(continued, std::sync::atomic::Ordering::SeqCst);
        let last = self.last_change()?.unwrap_or(0);
        sequence.next = sequence.next.max(last + 1);
        self.commits.publish(last);
        Ok(stats)
    }

    fn record_counts(&self) -> Result<RecordCounts> {
        Ok(RecordCounts {
            pages: self.pages.len(),
            notices: self.notices.len(),
            organisations: self.organisations.len(),
            organisation_names: self.organisation_names.len(),
            page_versions: self.page_versions.len(),
            notice_versions: self.notice_versions.len(),
            changes: self.changes.len(),
            notice_aliases: self.notice_aliases.len(),
            withdrawn_notices: self.withdrawn_notices.len(),
            page_bodies: self.page_bodies.len(),
            frontier_queued: self.frontier.len(),
            frontier_seen: self.frontier_seen.len(),
            frontier_runs: self.frontier_runs.len(),
        })
    }

    /// Damage sled finds on the way (or panics on) is reported as a problem, after what was
    /// checked before it.
    fn verify(&self) -> Result<VerifyReport> {
        const VERIFYING: &str = "verifying the store";
        let mut report = VerifyReport::default();
        match crate::damage::guard(VERIFYING, || self.verify_into(&mut report)) {
            Ok(Ok(())) => {}
            Err(damage) => report.problems.push(damage.to_string()),
            Ok(Err(error)) => {
                let error = damaged(VERIFYING, error);
                if !matches!(error, StoreError::Damaged { .. }) {
                    return Err(error);
                }
                report.problems.push(error.to_string());
            }
        }
        Ok(report)
    }

    /// Counting walks the trees, so call it at scrape time only.
    fn stats(&self) -> Result<StoreStats> {
        Ok(StoreStats {
            pages: self.pages.len(),
            notices: self.notices.len(),
            organisations: self.organisations.len(),
            size_on_disk_bytes: self.db.size_on_disk()?,
        })
    }

    fn flush(&self) -> Result<()> {
        let last = self.last_change()?.unwrap_or(0);
        self.flush_db()?;
        self.commits.publish(last);
        Ok(())
    }
}

impl SledStore {
    fn export_unguarded(&self, sink: &mut dyn FnMut(ExportRecord) -> Result<()>) -> Result<()> {
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        export_tree(sink, &self.pages, |_, raw| {
            Ok(ExportRecord::Page {
                record: Box::new(decode("pages", raw)?),
            })
        })?;
        export_tree(sink, &self.notices, |_, raw| {
            Ok(ExportRecord::Notice {
                record: Box::new(decode("notices", raw)?),
            })
        })?;
        export_tree(sink, &self.organisations, |_, raw| {
            Ok(ExportRecord::Organisation {
                record: decode("organisations", raw)?,
            })
        })?;
        export_tree(sink, &self.organisation_names, |name, id| {
            Ok(ExportRecord::OrganisationName {
                name: text(name),
                organisation_id: text(id),
            })
        })?;
        export_tree(sink, &self.page_versions, |_, raw| {
            Ok(ExportRecord::PageVersion {
                record: Box::new(decode("page_versions", raw)?),
            })
        })?;
        export_tree(sink, &self.notice_versions, |_, raw| {
            Ok(ExportRecord::NoticeVersion {
                record: Box::new(decode("notice_versions", raw)?),
            })
        })?;
        export_tree(sink, &self.changes, |_, raw| {
            Ok(ExportRecord::Change {
                record: decode("changes", raw)?,
            })
        })?;
        export_tree(sink, &self.notice_aliases, |alias, id| {
            Ok(ExportRecord::NoticeAlias {
                alias: text(alias),
                notice_id: text(id),
            })
        })?;
        export_tree(sink, &self.withdrawn_notices, |id, version| {
            Ok(ExportRecord::WithdrawnNotice {
                notice_id: text(id),
                version: crate::sled_store::version_of(version),
            })
        })?;
        export_tree(sink, &self.page_bodies, |key, deflated| {
            let (url, fetched_at_ms) = split_version_key(key)?;
            Ok(ExportRecord::PageBody {
                url,
                fetched_at_ms,
                deflated: deflated.to_vec(),
            })
        })?;
        export_tree(sink, &self.frontier, |key, raw| {
            let (source, rest) = split_source_key(key)?;
            let seq = rest
                .try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| bad_key("frontier"))?;
            Ok(ExportRecord::FrontierQueued {
                source,
                seq,
                entry: decode("frontier", raw)?,
            })
        })?;
        export_tree(sink, &self.frontier_seen, |key, state| {
            let (source, url) = split_source_key(key)?;
            Ok(ExportRecord::FrontierSeen {
                source,
                url: text(url),
                done: state == crate::frontier::DONE,
            })
        })?;
        export_tree(sink, &self.frontier_runs, |source, raw| {
            Ok(ExportRecord::FrontierRun {
                source: text(source),
                run: decode("frontier_runs", raw)?,
            })
        })?;
        Ok(())
    }

    fn import_unlocked(
        &self,
        records: &mut dyn Iterator<Item = Result<ExportRecord>>,
    ) -> Result<TransferStats> {
        let mut stats = TransferStats::default();
        for record in records {
            match record? {
                ExportRecord::Page { record } => {
                    self.pages
                        .insert(record.url.as_bytes(), encode("pages", &*record)?)?;
                    stats.pages += 1;
                }
                ExportRecord::Notice { record } => {
                    self.unindex_notice(&record.id)?;
                    self.notices
                        .insert(record.id.as_bytes(), encode("notices", &*record)?)?;
                    self.index_notice(&record)?;
                    stats.notices += 1;
                }
                ExportRecord::Organisation { record } => {
                    self.organisations
                        .insert(record.id.as_bytes(), encode("organisations", &record)?)?;
                    stats.organisations += 1;
                }
                ExportRecord::PageVersion { record } => {
                    let key = version_key(&record.url, record.fetched_at_ms);
                    self.page_versions
                        .insert(key, encode("page_versions", &*record)?)?;
                }
                ExportRecord::NoticeVersion { record } => {
                    let key = notice_version_key(&record.id, record.version.max(1));
                    self.notice_versions
                        .insert(key, encode("notice_versions", &*record)?)?;
                }
                ExportRecord::Change { record } => {
                    self.changes
                        .insert(record.seq.to_be_bytes(), encode("changes", &record)?)?;
                }
                ExportRecord::NoticeAlias { alias, notice_id } => {
                    self.notice_aliases
                        .insert(alias.as_bytes(), notice_id.as_bytes())?;
                }
                ExportRecord::WithdrawnNotice { notice_id, version } => {
                    self.withdrawn_notices
                        .insert(notice_id.as_bytes(), &version.to_be_bytes())?;
                }
                ExportRecord::PageBody {
                    url,
                    fetched_at_ms,
                    deflated,
                } => {
                    self.page_bodies
                        .insert(version_key(&url, fetched_at_ms), deflated)?;
                }
                ExportRecord::FrontierQueued { source, seq, entry } => {
                    self.frontier.insert(
                        crate::frontier::queue_key(&source, seq),
                        encode("frontier", &entry)?,
                    )?;
                }
                ExportRecord::FrontierSeen { source, url, done } => {
                    let state = if done {
                        crate::frontier::DONE
                    } else {
                        crate::frontier::QUEUED
                    };
                    self.frontier_seen
                        .insert(crate::frontier::seen_key(&source, &url), state)?;
                }
                ExportRecord::FrontierRun { source, run } => {
                    self.frontier_runs
                        .insert(source.as_bytes(), encode("frontier_runs", &run)?)?;
                }
                ExportRecord::OrganisationName {
                    name,
                    organisation_id,
                } => {
                    self.organisation_names
                        .insert(name.as_bytes(), organisation_id.as_bytes())?;
                }
            }
        }
        self.unclaim_missing_bodies()?;
        self.flush_db()?;
        Ok(stats)
    }

    /// Indexes `notice` in every order (outside a transaction: imports and migrations).
    pub(crate) fn index_notice(&self, notice: &StoredNotice) -> Result<()> {
        self.by_fetched
            .insert(fetched_key(notice.fetched_at_ms, &notice.id), &[])?;
        for order in crate::order_index::ORDERED {
            self.ordered
                .insert(crate::order_index::key(order, notice), notice.id.as_bytes())?;
        }
        Ok(())
    }

    /// Drops the index entries of the notice `id` as stored now, before it is replaced.
    fn unindex_notice(&self, id: &str) -> Result<()> {
        if let Some(raw) = self.notices.get(id.as_bytes())? {
            let old: StoredNotice = decode("notices", &raw)?;
            self.by_fetched
                .remove(fetched_key(old.fetched_at_ms, &old.id))?;
            for order in crate::order_index::ORDERED {
                self.ordered.remove(crate::order_index::key(order, &old))?;
            }
        }
        Ok(())
    }

    /// Clears `body_stored` on pages and page versions whose body is not in the store (an
    /// export written before bodies were exported), so that no record claims what is not there.
    fn unclaim_missing_bodies(&self) -> Result<()> {
        for (tree, name) in [
            (&self.pages, "pages"),
            (&self.page_versions, "page_versions"),
        ] {
            for entry in tree.iter() {
                let (key, raw) = entry?;
                let mut page: PageRecord = decode(name, &raw)?;
                if page.body_stored
                    && !self
                        .page_bodies
                        .contains_key(version_key(&page.url, page.fetched_at_ms))?
                {
                    page.body_stored = false;
                    tree.insert(key, encode(name, &page)?)?;
                }
            }
        }
        Ok(())
    }

    fn verify_into(&self, report: &mut VerifyReport) -> Result<()> {
        let mut notice_ids = std::collections::HashSet::new();
        let mut organisation_ids = std::collections::HashSet::new();
        let mut pages = Vec::new();
        let mut notices = Vec::new();
        for entry in self.organisations.iter() {
            let (key, raw) = entry?;
            report.records_checked += 1;
            match decode::<OrganisationRecord>("organisations", &raw) {
                Ok(org) => {
                    organisation_ids.insert(org.id);
                }
                Err(e) => report.problems.push(format!(
                    "organisations/{}: {e}",
                    String::from_utf8_lossy(&key)
                )),
            }
        }
        for entry in self.notices.iter() {
            let (key, raw) = entry?;
            report.records_checked += 1;
            match decode::<StoredNotice>("notices", &raw) {
                Ok(notice) => {
                    notice_ids.insert(notice.id.clone());
                    notices.push(notice);
                }
                Err(e) => report
                    .problems
                    .push(format!("notices/{}: {e}", String::from_utf8_lossy(&key))),
            }
        }
        for entry in self.pages.iter() {
            let (key, raw) = entry?;
            report.records_checked += 1;
            match decode::<PageRecord>("pages", &raw) {
                Ok(page) => pages.push(page),
                Err(e) => report
                    .problems
                    .push(format!("page {}: {e}", String::from_utf8_lossy(&key))),
            }
        }
        for &name in crate::schema::LATER_RECORD_TREES {
            for entry in self.db.open_tree(name)?.iter() {
                let (key, raw) = entry?;
                report.records_checked += 1;
                if let Err(e) = crate::codec::unframe(name, &raw) {
                    report
                        .problems
                        .push(format!("{name} {}: {e}", String::from_utf8_lossy(&key)));
                }
            }
        }
        for notice in &notices {
            if let Some(org) = &notice.organisation_id
                && !organisation_ids.contains(org)
            {
                report.problems.push(format!(
                    "notices/{} names missing organisations/{org}",
                    notice.id
                ));
            }
            report.index_entries_checked += 1;
            if !self
                .by_fetched
                .contains_key(fetched_key(notice.fetched_at_ms, &notice.id))?
            {
                report.problems.push(format!(
                    "notices/{} is missing from the fetch-time index",
                    notice.id
                ));
            }
            for order in crate::order_index::ORDERED {
                report.index_entries_checked += 1;
                if !self
                    .ordered
                    .contains_key(crate::order_index::key(order, notice))?
                {
                    report.problems.push(format!(
                        "notices/{} is missing from the {order:?} index",
                        notice.id
                    ));
                }
            }
        }
        for page in &pages {
            if page.body_stored {
                report.index_entries_checked += 1;
                if !self
                    .page_bodies
                    .contains_key(version_key(&page.url, page.fetched_at_ms))?
                {
                    report.problems.push(format!(
                        "page {} claims a stored body that is missing",
                        page.url
                    ));
                }
            }
            for id in &page.notice_ids {
                report.index_entries_checked += 1;
                if !notice_ids.contains(id) {
                    report
                        .problems
                        .push(format!("page {} names missing notices/{id}", page.url));
                }
            }
        }
        for entry in self.by_fetched.iter() {
            let (key, _) = entry?;
            report.index_entries_checked += 1;
            let id = key
                .get(8..)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            if !notice_ids.contains(id.as_ref()) {
                report
                    .problems
                    .push(format!("fetch-time index entry for missing notices/{id}"));
            }
        }
        let by_id: std::collections::HashMap<&str, &StoredNotice> =
            notices.iter().map(|n| (n.id.as_str(), n)).collect();
        for entry in self.ordered.iter() {
            let (key, id) = entry?;
            report.index_entries_checked += 1;
            let id = String::from_utf8_lossy(&id);
            let Some(notice) = by_id.get(id.as_ref()) else {
                report
                    .problems
                    .push(format!("ordered index entry for missing notices/{id}"));
                continue;
            };
            // An entry left behind by an earlier state of the notice would list it twice.
            let current = crate::order_index::ORDERED
                .iter()
                .any(|order| crate::order_index::key(*order, notice) == key.as_ref());
            if !current {
                report.problems.push(format!(
                    "ordered index entry for notices/{id} does not match the notice"
                ));
            }
        }
        for entry in self.organisation_names.iter() {
            let (name, id) = entry?;
            report.index_entries_checked += 1;
            let id = String::from_utf8_lossy(&id);
            if !organisation_ids.contains(id.as_ref()) {
                report.problems.push(format!(
                    "name {:?} points at missing organisations/{id}",
                    String::from_utf8_lossy(&name)
                ));
            }
        }
        Ok(())
    }

    /// Overwrites the raw bytes of a record; for tests of `verify` and of checksums.
    #[doc(hidden)]
    pub fn damage_for_tests(&self, tree: &str, key: &[u8], raw: &[u8]) -> Result<()> {
        self.db.open_tree(tree)?.insert(key, raw)?;
        // As a damaged disk would be noticed at the next read of the record.
        self.forget_cached_notices();
        Ok(())
    }
}
