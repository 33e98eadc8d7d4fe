//! What the store keeps: fetched pages, stored notices and organisations.

use gazette_notice::{CleanDocument, Notice};
use serde::{Deserialize, Serialize};

/// One fetched (or ingested) page and what became of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageRecord {
    /// The URL that was requested (the page's key).
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    /// HTTP status, or 0 for ingested documents.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The `ETag` header, sent back as `If-None-Match` on the next fetch.
    pub etag: Option<String>,
    /// The `Last-Modified` header, sent back as `If-Modified-Since` on the next fetch.
    pub last_modified: Option<String>,
    /// True when the raw bytes are kept (compressed) in `page_bodies` under this record's url
    /// and fetch time; see [`crate::PageStore::page_body`].
    pub body_stored: bool,
    /// Fetch time in milliseconds since the Unix epoch.
    pub fetched_at_ms: i64,
    /// Hex SHA-256 of the raw bytes.
    pub content_sha256: String,
    /// The cleaned document, when cleaning succeeded.
    pub clean: Option<CleanDocument>,
    /// Why cleaning failed, or why the page yielded no notice.
    pub error: Option<String>,
    /// Ids of the notices attributed to this page: those parsed from it, or, when its latest
    /// content yielded none (an error page, a parser that failed on it), those of its earlier
    /// content, so that they are neither lost nor orphaned.
    pub notice_ids: Vec<String>,
    /// For a document published as an attachment (a PDF or DOCX), the pages that link to it:
    /// the article pages the notice was announced on. They are carriers of its notices
    /// together with the document itself (`found_on` lists them).
    pub linked_from: Vec<String>,
}

/// A parsed notice together with where and when it came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredNotice {
    /// Stable id (the `{id}` of `notices/{id}`).
    pub id: String,
    /// Id of the organisation it belongs to, when one was recognised.
    pub organisation_id: Option<String>,
    /// The parsed notice.
    pub notice: Notice,
    /// The page URL it was parsed from.
    pub source_uri: String,
    /// Every stored page that carries it, `source_uri` included. Records written before this
    /// was kept read as empty; see [`StoredNotice::carriers`].
    pub found_on: Vec<String>,
    /// Fetch time in milliseconds since the Unix epoch.
    pub fetched_at_ms: i64,
    /// Hex SHA-256 of the page's raw bytes.
    pub content_sha256: String,
    /// The cleaned text of the page.
    pub text: String,
    /// Version of this notice: 1 when first stored, one more each time its content changes.
    /// Records written before versions existed read as 0 and count as 1.
    pub version: u64,
}

impl StoredNotice {
    /// The pages that carry this notice.
    pub fn carriers(&self) -> Vec<String> {
        if self.found_on.is_empty() {
            vec![self.source_uri.clone()]
        } else {
            self.found_on.clone()
        }
    }
}

/// One entry of the change log behind `WatchNotices`: a notice created, changed or withdrawn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeRecord {
    /// Position in the log; strictly increasing in commit order.
    pub seq: u64,
    /// The notice that changed.
    pub notice_id: String,
    /// Its version after the change.
    pub version: u64,
    /// Whether it was new.
    pub kind: ChangeKind,
}

/// Kind of change in the log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// First stored.
    #[default]
    Created,
    /// Stored again with other content.
    Updated,
    /// No stored page carries it any more: its last version moved to the notice's versions.
    Withdrawn,
}

/// An organisation that published notices, under all the names seen for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganisationRecord {
    /// Stable id (the `{id}` of `organisations/{id}`).
    pub id: String,
    /// Full name as printed in its latest notice.
    pub display_name: String,
    /// Other names seen for it.
    pub aliases: Vec<String>,
    /// Its notices' ids.
    pub notice_ids: Vec<String>,
}

/// What storing a page did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageOutcome {
    /// Notices that were new.
    pub new_notices: Vec<String>,
    /// Notices that already existed and were refreshed.
    pub updated_notices: Vec<String>,
    /// Notices that the page no longer carries and no other stored page does.
    pub withdrawn_notices: Vec<String>,
}

/// What kind of page a frontier entry is, which decides what is done with its body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FrontierKind {
    /// A list page: notice links and the next list page are taken from it.
    #[default]
    List,
    /// A notice page: cleaned, parsed and stored.
    Notice,
    /// A sitemap (or sitemap index): its `<loc>` entries are queued.
    Sitemap,
    /// A document linked from a notice page (PDF, DOCX, …): its text is extracted, cleaned,
    /// parsed and stored like a notice page's. Counted against the notice-page cap.
    Attachment,
}

/// A URL waiting in a source's frontier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrontierEntry {
    /// The URL to fetch.
    pub url: String,
    /// What it is.
    pub kind: FrontierKind,
    /// How many list pages (or sitemap levels) led to it; bounds pagination.
    pub depth: u32,
    /// For an attachment, the notice page that links to it.
    pub parent: Option<String>,
}

/// The state of a source's current run, kept so that a restart resumes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrontierRun {
    /// When the run started, in milliseconds since the Unix epoch.
    pub started_ms: i64,
    /// Sequence number of the next queued entry (keeps the queue in discovery order).
    pub next_seq: u64,
    /// Notice pages queued in this run (bounded by the source's `max_pages`).
    pub notices_queued: usize,
    /// List pages and sitemaps queued in this run.
    pub lists_queued: usize,
    /// False when this call started the run, true when it resumed an interrupted one.
    #[serde(skip)]
    pub resumed: bool,
}

/// A page to store: the record, its notices and the raw bytes to keep.
#[derive(Debug, Clone, Default)]
pub struct PageWrite {
    /// The record.
    pub page: PageRecord,
    /// Notices parsed from it.
    pub notices: Vec<Notice>,
    /// The raw bytes as fetched; stored compressed.
    pub raw: Option<Vec<u8>>,
}

/// The end of one frontier entry: everything written in one transaction, so a crash leaves
/// either all of it or none, and a rerun of the entry is harmless.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// The entry's queue position, from [`crate::PageStore::frontier_claim`].
    pub seq: u64,
    /// The entry's URL (marked done for the rest of the run).
    pub url: String,
    /// Links found on the page, queued unless already seen in this run.
    pub discovered: Vec<FrontierEntry>,
    /// Notice pages queued per run at most.
    pub max_notices: usize,
    /// List pages and sitemaps queued per run at most.
    pub max_lists: usize,
    /// The page to store, when it was fetched and changed.
    pub page: Option<PageWrite>,
}

/// What [`crate::PageStore::frontier_claim`] handed out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontierClaim {
    /// The entries now leased to the asking worker, with their queue positions, oldest first.
    pub entries: Vec<(u64, FrontierEntry)>,
    /// Entries queued but leased to other workers (not expired).
    pub leased_to_others: usize,
    /// The earliest expiry among those leases: when work may come free again.
    pub next_expiry_ms: Option<i64>,
}
