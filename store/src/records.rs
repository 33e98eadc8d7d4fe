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
    /// Fetch time in milliseconds since the Unix epoch.
    pub fetched_at_ms: i64,
    /// Hex SHA-256 of the raw bytes.
    pub content_sha256: String,
    /// The cleaned document, when cleaning succeeded.
    pub clean: Option<CleanDocument>,
    /// Why cleaning failed, or why the page yielded no notice.
    pub error: Option<String>,
    /// Ids of the notices parsed from this page.
    pub notice_ids: Vec<String>,
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
    /// Fetch time in milliseconds since the Unix epoch.
    pub fetched_at_ms: i64,
    /// Hex SHA-256 of the page's raw bytes.
    pub content_sha256: String,
    /// The cleaned text of the page.
    pub text: String,
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
}
