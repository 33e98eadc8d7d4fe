//! Backups and checks: streaming export to JSON Lines, import from it, and verification of
//! every record's checksum and every index entry.
//!
//! The export format is one JSON object per line, tagged by `type`: a `header` first (format
//! and schema version), then `page`, `notice` and `organisation` records, the
//! `organisation_name` index entries (kept, rather than rebuilt, because the first organisation
//! to claim an alias keeps it), earlier `page_version`s and `notice_version`s, and the `change`
//! log behind WatchNotices, so resume tokens stay valid across a restore; then the raw page
//! bodies (deflated, base64) that pages claim with `body_stored`, and each source's crawl
//! frontier (queue, seen set and unfinished run), so that a restored store resumes an
//! interrupted crawl and keeps the bytes its pages were parsed from. The fetch-time index is
//! rebuilt on import. An export written before bodies were exported restores pages that claim
//! no body (`body_stored` is cleared where the body is not there).

use crate::codec::{decode, encode};
use crate::error::{Result, StoreError};
use crate::records::{
    ChangeRecord, FrontierEntry, FrontierRun, OrganisationRecord, PageRecord, StoredNotice,
};
use crate::schema::SCHEMA_VERSION;
use crate::sled_store::{SledStore, fetched_key, notice_version_key, version_key};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, Write};

/// Name of the export format, written in the header line.
pub const EXPORT_FORMAT: &str = "gazette-export/1";

/// One line of an export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ExportLine {
    Header {
        format: String,
        schema_version: u32,
        /// The exporting store's lineage (see [`crate::ChangeFeed`]); absent before it existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lineage: Option<u64>,
    },
    Page {
        record: Box<PageRecord>,
    },
    Notice {
        record: Box<StoredNotice>,
    },
    Organisation {
        record: OrganisationRecord,
    },
    OrganisationName {
        name: String,
        organisation_id: String,
    },
    PageVersion {
        record: Box<PageRecord>,
    },
    NoticeVersion {
        record: Box<StoredNotice>,
    },
    Change {
        record: ChangeRecord,
    },
    NoticeAlias {
        alias: String,
        notice_id: String,
    },
    WithdrawnNotice {
        notice_id: String,
        version: u64,
    },
    /// The raw bytes of `url` as fetched at `fetched_at_ms`, deflated as stored, in base64.
    PageBody {
        url: String,
        fetched_at_ms: i64,
        deflated: String,
    },
    /// An entry queued in `source`'s frontier at position `seq`.
    FrontierQueued {
        source: String,
        seq: u64,
        entry: FrontierEntry,
    },
    /// A URL seen in `source`'s current run, done or still queued.
    FrontierSeen {
        source: String,
        url: String,
        done: bool,
    },
    /// `source`'s unfinished run.
    FrontierRun {
        source: String,
        run: FrontierRun,
    },
}

/// Counts of what an export or import moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferStats {
    /// Page records.
    pub pages: usize,
    /// Notice records.
    pub notices: usize,
    /// Organisation records.
    pub organisations: usize,
}

/// Sizes of the store, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Stored pages.
    pub pages: usize,
    /// Stored notices.
    pub notices: usize,
    /// Known organisations.
    pub organisations: usize,
    /// Bytes sled uses on disk.
    pub size_on_disk_bytes: u64,
}

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records whose checksum and content were checked.
    pub records_checked: usize,
    /// Index entries checked.
    pub index_entries_checked: usize,
    /// Every problem found, in plain language with the tree and key.
    pub problems: Vec<String>,
}

/// Page bodies in export lines.
const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

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

fn io_error(error: std::io::Error) -> StoreError {
    StoreError::Io(error.to_string())
}

fn write_line(out: &mut dyn Write, line: &ExportLine) -> Result<()> {
    serde_json::to_writer(&mut *out, line).map_err(|source| StoreError::Codec {
        tree: "export",
        source,
    })?;
    out.write_all(b"\n").map_err(io_error)
}

/// Writes one line per entry of `tree`, made by `line` from the key and value; returns how
/// many were written.
fn export_tree(
    out: &mut dyn Write,
    tree: &sled::Tree,
    line: impl Fn(&[u8], &[u8]) -> Result<ExportLine>,
) -> Result<usize> {
    let mut written = 0;
    for entry in tree.iter() {
        let (key, value) = entry?;
        write_line(out, &line(&key, &value)?)?;
        written += 1;
    }
    Ok(written)
}

impl SledStore {
    /// Writes every record to `out` as JSON Lines, one tree at a time, without holding the
    /// store in memory.
    /// Damage sled finds on the way is [`StoreError::Damaged`].
    pub fn export(&self, out: &mut dyn Write) -> Result<TransferStats> {
        crate::damage::guard("exporting the store", || self.export_unguarded(out))?
            .map_err(|e| damaged("exporting the store", e))
    }

    fn export_unguarded(&self, out: &mut dyn Write) -> Result<TransferStats> {
        let mut stats = TransferStats::default();
        write_line(
            out,
            &ExportLine::Header {
                format: EXPORT_FORMAT.into(),
                schema_version: SCHEMA_VERSION,
                lineage: Some(self.lineage.load(std::sync::atomic::Ordering::SeqCst)),
            },
        )?;
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
        stats.pages = export_tree(out, &self.pages, |_, raw| {
            Ok(ExportLine::Page {
                record: Box::new(decode("pages", raw)?),
            })
        })?;
        stats.notices = export_tree(out, &self.notices, |_, raw| {
            Ok(ExportLine::Notice {
                record: Box::new(decode("notices", raw)?),
            })
        })?;
        stats.organisations = export_tree(out, &self.organisations, |_, raw| {
            Ok(ExportLine::Organisation {
                record: decode("organisations", raw)?,
            })
        })?;
        export_tree(out, &self.organisation_names, |name, id| {
            Ok(ExportLine::OrganisationName {
                name: text(name),
                organisation_id: text(id),
            })
        })?;
        export_tree(out, &self.page_versions, |_, raw| {
            Ok(ExportLine::PageVersion {
                record: Box::new(decode("page_versions", raw)?),
            })
        })?;
        export_tree(out, &self.notice_versions, |_, raw| {
            Ok(ExportLine::NoticeVersion {
                record: Box::new(decode("notice_versions", raw)?),
            })
        })?;
        export_tree(out, &self.changes, |_, raw| {
            Ok(ExportLine::Change {
                record: decode("changes", raw)?,
            })
        })?;
        export_tree(out, &self.notice_aliases, |alias, id| {
            Ok(ExportLine::NoticeAlias {
                alias: text(alias),
                notice_id: text(id),
            })
        })?;
        export_tree(out, &self.withdrawn_notices, |id, version| {
            Ok(ExportLine::WithdrawnNotice {
                notice_id: text(id),
                version: crate::sled_store::version_of(version),
            })
        })?;
        export_tree(out, &self.page_bodies, |key, deflated| {
            let (url, fetched_at_ms) = split_version_key(key)?;
            Ok(ExportLine::PageBody {
                url,
                fetched_at_ms,
                deflated: BASE64.encode(deflated),
            })
        })?;
        export_tree(out, &self.frontier, |key, raw| {
            let (source, rest) = split_source_key(key)?;
            let seq = rest
                .try_into()
                .map(u64::from_be_bytes)
                .map_err(|_| bad_key("frontier"))?;
            Ok(ExportLine::FrontierQueued {
                source,
                seq,
                entry: decode("frontier", raw)?,
            })
        })?;
        export_tree(out, &self.frontier_seen, |key, state| {
            let (source, url) = split_source_key(key)?;
            Ok(ExportLine::FrontierSeen {
                source,
                url: text(url),
                done: state == crate::frontier::DONE,
            })
        })?;
        export_tree(out, &self.frontier_runs, |source, raw| {
            Ok(ExportLine::FrontierRun {
                source: text(source),
                run: decode("frontier_runs", raw)?,
            })
        })?;
        out.flush().map_err(io_error)?;
        Ok(stats)
    }

    /// Reads an export and writes its records, replacing records with the same keys, then
    /// flushes. Fails on the first malformed line, naming it.
    ///
    /// The store continues the export's lineage when it had no change log of its own (a
    /// restore), so that resume tokens of the exported store stay valid; an import merged into
    /// a store with a change log of another lineage gives the store a new lineage, as
    /// positions of neither store describe the merged log.
    pub fn import(&self, input: &mut dyn BufRead) -> Result<TransferStats> {
        // Writers wait: positions and the lineage change under the writers' lock.
        let mut sequence = self
            .write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let had_changes = !self.changes.is_empty();
        let mut lineage = None;
        let result = self.import_lines(input, &mut lineage);
        // Imported notices bypass the change log that keeps the notice count current and the
        // transaction that keeps cached notices current; a failed import may have written some.
        self.forget_notice_count();
        self.forget_cached_notices();
        let stats = result?;
        let own = self.lineage.load(std::sync::atomic::Ordering::SeqCst);
        let continued = match lineage {
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

    fn import_lines(
        &self,
        input: &mut dyn BufRead,
        lineage: &mut Option<u64>,
    ) -> Result<TransferStats> {
        let mut stats = TransferStats::default();
        let mut saw_header = false;
        for (number, line) in input.lines().enumerate() {
            let line = line.map_err(io_error)?;
            if line.trim().is_empty() {
                continue;
            }
            let parsed: ExportLine = serde_json::from_str(&line)
                .map_err(|e| StoreError::Import(format!("line {}: {e}", number + 1)))?;
            match parsed {
                ExportLine::Header {
                    format,
                    schema_version,
                    lineage: exported,
                } => {
                    *lineage = exported;
                    if format != EXPORT_FORMAT || schema_version > SCHEMA_VERSION {
                        return Err(StoreError::Import(format!(
                            "line {}: export {format} of schema {schema_version} is not readable by this build",
                            number + 1
                        )));
                    }
                    saw_header = true;
                }
                _ if !saw_header => {
                    return Err(StoreError::Import(
                        "the first line is not an export header".into(),
                    ));
                }
                ExportLine::Page { record } => {
                    self.pages
                        .insert(record.url.as_bytes(), encode("pages", &*record)?)?;
                    stats.pages += 1;
                }
                ExportLine::Notice { record } => {
                    self.notices
                        .insert(record.id.as_bytes(), encode("notices", &*record)?)?;
                    self.by_fetched
                        .insert(fetched_key(record.fetched_at_ms, &record.id), &[])?;
                    stats.notices += 1;
                }
                ExportLine::Organisation { record } => {
                    self.organisations
                        .insert(record.id.as_bytes(), encode("organisations", &record)?)?;
                    stats.organisations += 1;
                }
                ExportLine::PageVersion { record } => {
                    let key = version_key(&record.url, record.fetched_at_ms);
                    self.page_versions
                        .insert(key, encode("page_versions", &*record)?)?;
                }
                ExportLine::NoticeVersion { record } => {
                    let key = notice_version_key(&record.id, record.version.max(1));
                    self.notice_versions
                        .insert(key, encode("notice_versions", &*record)?)?;
                }
                ExportLine::Change { record } => {
                    self.changes
                        .insert(record.seq.to_be_bytes(), encode("changes", &record)?)?;
                }
                ExportLine::NoticeAlias { alias, notice_id } => {
                    self.notice_aliases
                        .insert(alias.as_bytes(), notice_id.as_bytes())?;
                }
                ExportLine::WithdrawnNotice { notice_id, version } => {
                    self.withdrawn_notices
                        .insert(notice_id.as_bytes(), &version.to_be_bytes())?;
                }
                ExportLine::PageBody {
                    url,
                    fetched_at_ms,
                    deflated,
                } => {
                    let raw = BASE64.decode(deflated.as_bytes()).map_err(|e| {
                        StoreError::Import(format!("line {}: page body: {e}", number + 1))
                    })?;
                    self.page_bodies
                        .insert(version_key(&url, fetched_at_ms), raw)?;
                }
                ExportLine::FrontierQueued { source, seq, entry } => {
                    self.frontier.insert(
                        crate::frontier::queue_key(&source, seq),
                        encode("frontier", &entry)?,
                    )?;
                }
                ExportLine::FrontierSeen { source, url, done } => {
                    let state = if done {
                        crate::frontier::DONE
                    } else {
                        crate::frontier::QUEUED
                    };
                    self.frontier_seen
                        .insert(crate::frontier::seen_key(&source, &url), state)?;
                }
                ExportLine::FrontierRun { source, run } => {
                    self.frontier_runs
                        .insert(source.as_bytes(), encode("frontier_runs", &run)?)?;
                }
                ExportLine::OrganisationName {
                    name,
                    organisation_id,
                } => {
                    self.organisation_names
                        .insert(name.as_bytes(), organisation_id.as_bytes())?;
                }
            }
        }
        if !saw_header {
            return Err(StoreError::Import("empty input: no export header".into()));
        }
        crate::schema::fill_found_on(&self.db)?;
        self.unclaim_missing_bodies()?;
        self.flush_db()?;
        Ok(stats)
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

    /// Decodes every record (checking its checksum) and checks that every index entry and
    /// cross-reference points at a record that exists.
    /// Damage sled finds on the way (or panics on) is reported as a problem, after what was
    /// checked before it.
    pub fn verify(&self) -> Result<VerifyReport> {
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

    /// Record counts and disk size. Counting walks the trees, so call it at scrape time only.
    pub fn stats(&self) -> Result<StoreStats> {
        Ok(StoreStats {
            pages: self.pages.len(),
            notices: self.notices.len(),
            organisations: self.organisations.len(),
            size_on_disk_bytes: self.db.size_on_disk()?,
        })
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
