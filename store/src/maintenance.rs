//! Backups, checks and copies on every backend, through [`crate::Maintenance`]: export of
//! every record as JSON Lines, import from it, and [`copy`] from one store into another.
//!
//! A store hands out its records as [`ExportRecord`]s, the backend-neutral form of everything
//! it holds, kind by kind: pages, notices and organisations, the `organisation_name` index
//! entries (kept, rather than rebuilt, because the first organisation to claim an alias keeps
//! it), earlier page and notice versions, the change log behind WatchNotices (so resume tokens
//! stay valid across a restore), notice aliases and withdrawals, the raw page bodies
//! (deflated) that pages claim with `body_stored`, and each source's crawl frontier (queue,
//! seen set and unfinished run), so that a restored store resumes an interrupted crawl. The
//! ordering indexes are rebuilt on import; frontier leases are not records (they end with the
//! workers that hold them).
//!
//! The export format is one JSON object per line, tagged by `type`: a `header` first (format,
//! schema version and lineage), then one line per record; page bodies are base64. An export
//! written before bodies were exported restores pages that claim no body (`body_stored` is
//! cleared where the body is not there), and one written before notices listed their pages
//! (`found_on`) has them filled from the pages' notice lists.

use crate::Maintenance;
use crate::error::{Result, StoreError};
use crate::records::{
    ChangeRecord, FrontierEntry, FrontierRun, OrganisationRecord, PageRecord, StoredNotice,
};
use crate::schema::SCHEMA_VERSION;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, Write};

/// Name of the export format, written in the header line.
pub const EXPORT_FORMAT: &str = "gazette-export/1";

/// The first line of an export: what wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportHeader {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// The record schema ([`SCHEMA_VERSION`] of the build that wrote it).
    pub schema_version: u32,
    /// The exporting store's lineage (see [`crate::ChangeFeed`]); absent before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<u64>,
}

impl ExportHeader {
    /// The header of an export of a store of `lineage` by this build.
    pub fn new(lineage: u64) -> Self {
        Self {
            format: EXPORT_FORMAT.into(),
            schema_version: SCHEMA_VERSION,
            lineage: Some(lineage),
        }
    }

    /// Refuses an export this build cannot read.
    pub fn check(&self) -> Result<()> {
        if self.format != EXPORT_FORMAT || self.schema_version > SCHEMA_VERSION {
            return Err(StoreError::Import(format!(
                "export {} of schema {} is not readable by this build",
                self.format, self.schema_version
            )));
        }
        Ok(())
    }
}

/// One record of a store, in a form every backend reads and writes (one line of an export).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExportRecord {
    /// A page's current record.
    Page {
        /// The record.
        record: Box<PageRecord>,
    },
    /// A notice's current record.
    Notice {
        /// The record.
        record: Box<StoredNotice>,
    },
    /// An organisation.
    Organisation {
        /// The record.
        record: OrganisationRecord,
    },
    /// A folded name or alias leading to an organisation.
    OrganisationName {
        /// The folded name.
        name: String,
        /// The organisation it names.
        organisation_id: String,
    },
    /// An earlier record of a page whose content changed.
    PageVersion {
        /// The record.
        record: Box<PageRecord>,
    },
    /// An earlier version of a notice (a withdrawn notice's last one too).
    NoticeVersion {
        /// The record.
        record: Box<StoredNotice>,
    },
    /// An entry of the change log.
    Change {
        /// The entry.
        record: ChangeRecord,
    },
    /// A content-derived notice id that leads to the notice it succeeded.
    NoticeAlias {
        /// The derived id.
        alias: String,
        /// The notice id it stands for.
        notice_id: String,
    },
    /// A notice no stored page carries, with its last version.
    WithdrawnNotice {
        /// The notice.
        notice_id: String,
        /// Its last version.
        version: u64,
    },
    /// The raw bytes of `url` as fetched at `fetched_at_ms`, deflated as stored.
    PageBody {
        /// The page.
        url: String,
        /// The fetch it came from.
        fetched_at_ms: i64,
        /// The deflated bytes (base64 in an export).
        #[serde(with = "base64_bytes")]
        deflated: Vec<u8>,
    },
    /// An entry queued in `source`'s frontier at position `seq`.
    FrontierQueued {
        /// The source.
        source: String,
        /// Its queue position.
        seq: u64,
        /// The entry.
        entry: FrontierEntry,
    },
    /// A URL seen in `source`'s current run, done or still queued.
    FrontierSeen {
        /// The source.
        source: String,
        /// The URL.
        url: String,
        /// Finished (or only queued).
        done: bool,
    },
    /// `source`'s unfinished run.
    FrontierRun {
        /// The source.
        source: String,
        /// The run.
        run: FrontierRun,
    },
}

/// Page bodies as base64 text in JSON.
mod base64_bytes {
    use base64::Engine as _;
    const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    pub(super) fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        BASE64
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("page body: {e}")))
    }
}

/// The header line: the header tagged like the records.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum HeaderLine {
    Header(ExportHeader),
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

/// How many records of each kind a store holds (each kind of [`ExportRecord`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCounts {
    /// Current page records.
    pub pages: usize,
    /// Current notice records.
    pub notices: usize,
    /// Organisations.
    pub organisations: usize,
    /// Folded names and aliases of organisations.
    pub organisation_names: usize,
    /// Earlier page records.
    pub page_versions: usize,
    /// Earlier notice versions.
    pub notice_versions: usize,
    /// Change-log entries.
    pub changes: usize,
    /// Notice aliases.
    pub notice_aliases: usize,
    /// Withdrawn notices.
    pub withdrawn_notices: usize,
    /// Kept raw page bodies.
    pub page_bodies: usize,
    /// Queued frontier entries.
    pub frontier_queued: usize,
    /// URLs seen in unfinished runs.
    pub frontier_seen: usize,
    /// Unfinished runs.
    pub frontier_runs: usize,
}

impl RecordCounts {
    /// Each kind's name and count, in export order.
    pub fn kinds(&self) -> [(&'static str, usize); 13] {
        [
            ("pages", self.pages),
            ("notices", self.notices),
            ("organisations", self.organisations),
            ("organisation_names", self.organisation_names),
            ("page_versions", self.page_versions),
            ("notice_versions", self.notice_versions),
            ("changes", self.changes),
            ("notice_aliases", self.notice_aliases),
            ("withdrawn_notices", self.withdrawn_notices),
            ("page_bodies", self.page_bodies),
            ("frontier_queued", self.frontier_queued),
            ("frontier_seen", self.frontier_seen),
            ("frontier_runs", self.frontier_runs),
        ]
    }

    /// Records in all.
    pub fn total(&self) -> usize {
        self.kinds().iter().map(|(_, n)| n).sum()
    }

    /// Counts `record`.
    pub fn add(&mut self, record: &ExportRecord) {
        let counter = match record {
            ExportRecord::Page { .. } => &mut self.pages,
            ExportRecord::Notice { .. } => &mut self.notices,
            ExportRecord::Organisation { .. } => &mut self.organisations,
            ExportRecord::OrganisationName { .. } => &mut self.organisation_names,
            ExportRecord::PageVersion { .. } => &mut self.page_versions,
            ExportRecord::NoticeVersion { .. } => &mut self.notice_versions,
            ExportRecord::Change { .. } => &mut self.changes,
            ExportRecord::NoticeAlias { .. } => &mut self.notice_aliases,
            ExportRecord::WithdrawnNotice { .. } => &mut self.withdrawn_notices,
            ExportRecord::PageBody { .. } => &mut self.page_bodies,
            ExportRecord::FrontierQueued { .. } => &mut self.frontier_queued,
            ExportRecord::FrontierSeen { .. } => &mut self.frontier_seen,
            ExportRecord::FrontierRun { .. } => &mut self.frontier_runs,
        };
        *counter += 1;
    }
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
    /// Bytes the store uses on disk (as the backend reports it; 0 when it cannot tell).
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

fn io_error(error: std::io::Error) -> StoreError {
    StoreError::Io(error.to_string())
}

fn write_json(out: &mut dyn Write, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(|source| StoreError::Codec {
        tree: "export",
        source,
    })?;
    out.write_all(b"\n").map_err(io_error)
}

/// Writes every record of `store` to `out` as JSON Lines, without holding the store in
/// memory.
pub fn export(store: &dyn Maintenance, out: &mut dyn Write) -> Result<TransferStats> {
    write_json(out, &HeaderLine::Header(store.export_header()?))?;
    let mut counts = RecordCounts::default();
    store.export_records(&mut |record| {
        counts.add(&record);
        write_json(&mut *out, &record)
    })?;
    out.flush().map_err(io_error)?;
    Ok(counts.transfer())
}

impl RecordCounts {
    /// The counts an export or import summary gives.
    pub fn transfer(&self) -> TransferStats {
        TransferStats {
            pages: self.pages,
            notices: self.notices,
            organisations: self.organisations,
        }
    }
}

/// Reads an export and writes its records into `store` through
/// [`Maintenance::import_records`]. Fails on the first malformed line, naming it.
pub fn import(store: &dyn Maintenance, input: &mut dyn BufRead) -> Result<TransferStats> {
    let mut lines = input
        .lines()
        .enumerate()
        .filter(|(_, line)| line.as_ref().map(|l| !l.trim().is_empty()).unwrap_or(true));
    let header = match lines.next() {
        None => return Err(StoreError::Import("empty input: no export header".into())),
        Some((number, line)) => {
            let line = line.map_err(io_error)?;
            let HeaderLine::Header(header) = serde_json::from_str(&line).map_err(|_| {
                StoreError::Import(format!(
                    "line {}: the first line is not an export header",
                    number + 1
                ))
            })?;
            header.check()?;
            header
        }
    };
    let mut records = lines.map(|(number, line)| {
        let line = line.map_err(io_error)?;
        serde_json::from_str::<ExportRecord>(&line)
            .map_err(|e| StoreError::Import(format!("line {}: {e}", number + 1)))
    });
    let mut found_on = FoundOn::default();
    let mut records =
        std::iter::from_fn(move || records.next().map(|r| r.map(|r| found_on.fill(r))));
    store.import_records(&header, &mut records)
}

/// Copies every record of `from` into `to`, which must hold none, and checks that `to` then
/// holds as many records of each kind as `from`. Returns both sides' counts.
pub fn copy(from: &dyn Maintenance, to: &dyn Maintenance) -> Result<(RecordCounts, RecordCounts)> {
    let before = to.record_counts()?;
    if before.total() != 0 {
        return Err(StoreError::Import(format!(
            "the target store is not empty ({} records); copy into an empty store",
            before.total()
        )));
    }
    let header = from.export_header()?;
    // The source is read on this thread and written on another, a bounded queue between them,
    // so that neither store is held in memory.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<ExportRecord>>(1024);
    let mut sent = RecordCounts::default();
    let imported = std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            let mut found_on = FoundOn::default();
            let mut records = rx.into_iter().map(|r| r.map(|r| found_on.fill(r)));
            to.import_records(&header, &mut records)
        });
        let read = from.export_records(&mut |record| {
            sent.add(&record);
            tx.send(Ok(record))
                .map_err(|_| StoreError::Import("the target store stopped reading".into()))
        });
        if let Err(error) = &read {
            // The writer sees the error and stops without finishing the import.
            let _ = tx.send(Err(StoreError::Import(format!(
                "reading the source: {error}"
            ))));
        }
        drop(tx);
        let written = writer
            .join()
            .map_err(|_| StoreError::Import("the import thread panicked".into()))?;
        // A target that failed is the cause when the source saw its reader stop.
        match (read, written) {
            (_, Err(error)) | (Err(error), Ok(_)) => Err(error),
            (Ok(()), Ok(stats)) => Ok(stats),
        }
    });
    imported?;
    let source = from.record_counts()?;
    let target = to.record_counts()?;
    let differing: Vec<String> = source
        .kinds()
        .iter()
        .zip(target.kinds())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((kind, a), (_, b))| format!("{kind}: {a} in the source, {b} in the target"))
        .collect();
    if !differing.is_empty() {
        return Err(StoreError::Import(format!(
            "the copy differs from its source: {}",
            differing.join("; ")
        )));
    }
    if sent != source {
        return Err(StoreError::Import(
            "the source changed while it was copied; stop its writers and copy again".into(),
        ));
    }
    Ok((source, target))
}

/// Fills `found_on` of notices of exports written before it existed, from the pages' notice
/// lists (pages come first in an export).
#[derive(Default)]
struct FoundOn {
    carriers: HashMap<String, Vec<String>>,
}

impl FoundOn {
    fn fill(&mut self, mut record: ExportRecord) -> ExportRecord {
        if let ExportRecord::Page { record: page } = &record {
            for id in &page.notice_ids {
                self.carriers
                    .entry(id.clone())
                    .or_default()
                    .push(page.url.clone());
            }
        }
        if let ExportRecord::Notice { record: notice } = &mut record
            && notice.found_on.is_empty()
        {
            let mut found_on = vec![notice.source_uri.clone()];
            for url in self.carriers.remove(&notice.id).unwrap_or_default() {
                if !found_on.contains(&url) {
                    found_on.push(url);
                }
            }
            notice.found_on = found_on;
        }
        record
    }
}
