//! gazette's one path from a document's bytes to what is stored. The crawler (a fetched
//! page), `IngestDocument` (a pushed document) and `ReparseAll` (a stored page read again) all
//! build their [`PageWrite`] here, so a page that fails to clean, or holds no notice, is kept
//! with the same record and the same error wherever it came from. Depends on the notice crate
//! and the store's records; never on reqwest, tonic or sled types.
//!
//! - [`Document`] — bytes and what came with them; [`Reading`] — a source's overrides.
//! - [`document_text`] — the text of PDF and DOCX documents, which is what is cleaned and
//!   parsed for them.
//! - [`prepare`] — clean and parse a document into a [`PageWrite`].
//! - [`reparse`] — parse a stored page's cleaned text again.
//! - [`Parsed`] — what a write holds, for logs and metrics.
//! - `samples` (feature `samples`) — PDFs shaped like real publishers' for the demo and tests.
//! - [`write_within`] — prepare off the async threads and write only while the caller still
//!   waits and its deadline has not passed.

pub mod document_text;
#[cfg(any(test, feature = "samples"))]
pub mod samples;

use document_text::Extracted;
use gazette_notice::{CleanOptions, DocumentFormat, InputKind, NoticeParser};
use gazette_store::{PageRecord, PageWrite, identity};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

/// The content type a document's extracted text is read as.
const DOCUMENT_TEXT: &str = "text/plain; charset=utf-8";

/// The error kept on a page that cleaned but yielded no notice.
pub const NO_NOTICE: &str = "no notice found";

/// A document as fetched or pushed: its bytes and what came with them.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// The URL it was requested from or published at (the page's key).
    pub url: String,
    /// The URL after redirects (the same as `url` for a pushed document).
    pub final_url: String,
    /// HTTP status, or 0 for a pushed document.
    pub status: u16,
    /// The declared `Content-Type`.
    pub content_type: Option<String>,
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The `Last-Modified` header.
    pub last_modified: Option<String>,
    /// When it arrived, in milliseconds since the Unix epoch.
    pub fetched_at_ms: i64,
    /// Hex SHA-256 of `body`, when the caller already computed it (computed otherwise).
    pub content_sha256: Option<String>,
    /// The raw bytes.
    pub body: Vec<u8>,
}

/// How a source's documents are read: overrides for sites where detection fails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reading {
    /// A charset forced instead of detected.
    pub charset: Option<String>,
    /// A CSS selector of the article body.
    pub content_selector: Option<String>,
}

/// What a prepared page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// One or more notices.
    Notices(usize),
    /// Clean text but no notice in it.
    NoNotice,
    /// The document could not be cleaned (charset, not a document).
    CleanError,
}

impl Parsed {
    /// What `write` holds.
    pub fn of(write: &PageWrite) -> Self {
        if write.page.clean.is_none() {
            Self::CleanError
        } else if write.notices.is_empty() {
            Self::NoNotice
        } else {
            Self::Notices(write.notices.len())
        }
    }
}

/// Cleans and parses `doc` into what is stored: the page record, its notices and its raw bytes.
/// A PDF or DOCX is cleaned and parsed as its extracted text; other formats that are not
/// markup or text are refused by the cleaner (`unsupported_format`). A document that fails to
/// clean or holds no notice is kept with its error, never dropped. CPU work: run it off the
/// async threads.
pub fn prepare(doc: Document, reading: &Reading) -> PageWrite {
    let mut options = CleanOptions {
        content_type: doc.content_type.clone(),
        charset_override: reading.charset.clone(),
        content_selector: reading.content_selector.clone(),
        kind: InputKind::Auto,
    };
    let format = gazette_notice::sniff(&doc.body);
    let text = match format {
        DocumentFormat::Pdf | DocumentFormat::Docx => {
            Some(document_text::extract(&doc.body, format))
        }
        DocumentFormat::Text
        | DocumentFormat::Xlsx
        | DocumentFormat::Ofd
        | DocumentFormat::Doc
        | DocumentFormat::Archive
        | DocumentFormat::Image
        | DocumentFormat::Binary => None,
    };
    let mut page = PageRecord {
        content_sha256: doc
            .content_sha256
            .unwrap_or_else(|| identity::content_sha256(&doc.body)),
        url: doc.url,
        final_url: doc.final_url,
        status: doc.status,
        content_type: doc.content_type,
        etag: doc.etag,
        last_modified: doc.last_modified,
        fetched_at_ms: doc.fetched_at_ms,
        ..PageRecord::default()
    };
    let input = match text {
        None => None,
        Some(Extracted::Text(text)) => {
            // The document's own text, read as plain text whatever the server called it.
            options = CleanOptions {
                content_type: Some(DOCUMENT_TEXT.into()),
                kind: InputKind::Text,
                ..CleanOptions::default()
            };
            Some(text.into_bytes())
        }
        Some(Extracted::Unreadable(reason)) => {
            page.error = Some(reason);
            return PageWrite {
                page,
                notices: Vec::new(),
                raw: Some(doc.body),
            };
        }
        Some(Extracted::Unsupported(_)) => None,
    };
    let notices = match gazette_notice::parse(input.as_deref().unwrap_or(&doc.body), &options) {
        Ok((clean, notices)) => {
            page.clean = Some(clean);
            notices
        }
        Err(error) => {
            page.error = Some(error.to_string());
            Vec::new()
        }
    };
    settle(page, notices, Some(doc.body))
}

/// Parses a stored page's cleaned text again (after the parser changed): the same record with
/// fresh notices and a fresh error. `None` for a page that never cleaned: there is nothing to
/// parse, and its stored error still holds.
pub fn reparse(mut page: PageRecord, parser: &NoticeParser) -> Option<PageWrite> {
    let notices = parser.parse(page.clean.as_ref()?);
    page.error = None;
    Some(settle(page, notices, None))
}

/// The rules for a cleaned page's notices and error: a page that only announces a notice
/// published as its attachment keeps no hollow copy of it, and the error names a missing
/// notice. Applied alike when a page is first stored and when it is parsed again.
fn settle(
    mut page: PageRecord,
    mut notices: Vec<gazette_notice::Notice>,
    raw: Option<Vec<u8>>,
) -> PageWrite {
    let has_attachments = page
        .clean
        .as_ref()
        .is_some_and(|c| !c.metadata.attachments.is_empty());
    if has_attachments && !notices.is_empty() && notices.iter().all(announces_attachment) {
        notices.clear();
        page.error = Some(ANNOUNCES_ATTACHMENT.into());
    } else if page.clean.is_some() && notices.is_empty() {
        page.error = Some(NO_NOTICE.into());
    }
    PageWrite { page, notices, raw }
}

/// The error kept on a page whose only notice is the announcement of its attachment.
pub const ANNOUNCES_ATTACHMENT: &str = "the page announces a notice published as an attachment";

/// True when a notice parsed from a page with attachments is only the page announcing them:
/// a title (and organisation) with nothing a notice reports: no issues, no figures, no
/// inspection team or dates, no signing date. Such a page ("现将有关情况予以公布，详见附件")
/// would otherwise store a hollow copy of the notice its attachment holds. The kind (巡察,
/// 巡视) is read from the title alone, so it says nothing here.
pub fn announces_attachment(notice: &gazette_notice::Notice) -> bool {
    let inspection = &notice.inspection;
    notice.issues.is_empty()
        && notice.reported == gazette_notice::ReportedFigures::default()
        && inspection.team.is_none()
        && inspection.start.is_none()
        && inspection.end.is_none()
        && inspection.feedback_on.is_none()
        && notice.signed_on.is_none()
}

/// Why [`write_within`] wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The deadline passed before the write began; nothing was stored.
    #[error("the deadline passed before the document was stored")]
    DeadlineExceeded,
    /// The blocking task panicked or was cancelled.
    #[error("background task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// A job's state: who decides, once, between writing and abandoning.
const OPEN: u8 = 0;
const WRITING: u8 = 1;
const ABANDONED: u8 = 2;

/// Abandons the job unless its write has begun; used both at the deadline and when the
/// caller's future is dropped (a transport timeout, a client gone away).
struct AbandonOnDrop(Arc<AtomicU8>);

impl AbandonOnDrop {
    /// True when the job is now abandoned; false when its write had already begun.
    fn abandon(&self) -> bool {
        self.0
            .compare_exchange(OPEN, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// Prepares `doc` on a blocking thread (tracked by `tasks`) and hands the result to `write`
/// there, unless `deadline` passes or the returned future is dropped first. Then the answer is
/// [`PipelineError::DeadlineExceeded`] at once, the parse still running is abandoned and
/// nothing is written. A write that has begun is waited for, so an answer of `Ok` always means
/// written and an error never does.
pub async fn write_within<T, W>(
    tasks: &TaskTracker,
    doc: Document,
    reading: Reading,
    deadline: Option<Instant>,
    write: W,
) -> Result<T, PipelineError>
where
    T: Send + 'static,
    W: FnOnce(PageWrite) -> T + Send + 'static,
{
    let state = Arc::new(AtomicU8::new(OPEN));
    let guard = AbandonOnDrop(Arc::clone(&state));
    let mut job = tasks.spawn_blocking(move || {
        let prepared = prepare(doc, &reading);
        // The clock is checked too, for a caller whose timer has not fired yet.
        let late = deadline.is_some_and(|at| Instant::now() >= at);
        let begun = !late
            && state
                .compare_exchange(OPEN, WRITING, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
        begun.then(|| write(prepared))
    });
    let expired = async {
        match deadline {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    let joined = tokio::select! {
        biased;
        joined = &mut job => joined,
        () = expired => {
            if guard.abandon() {
                return Err(PipelineError::DeadlineExceeded);
            }
            job.await
        }
    };
    joined?.ok_or(PipelineError::DeadlineExceeded)
}

#[cfg(test)]
mod tests;
