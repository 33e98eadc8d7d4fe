//! What a run and each of its entries did: plain data, read by the events and summed by the
//! run loop.

use gazette_store::{FrontierKind, PageOutcome};

/// What one run of one source did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrawlReport {
    /// The source's name.
    pub source: String,
    /// True when this run resumed one that was interrupted.
    pub resumed: bool,
    /// List pages fetched.
    pub list_pages: usize,
    /// Sitemaps fetched.
    pub sitemaps: usize,
    /// Notice pages fetched (including unchanged ones).
    pub pages_fetched: usize,
    /// Pages whose content had not changed since the last fetch (304 or same hash).
    pub pages_unchanged: usize,
    /// Sitemap entries not fetched: their `<lastmod>` is no later than the stored copy.
    pub sitemap_unchanged: usize,
    /// Pages stored with a cleaning or parsing error (kept, never dropped).
    pub pages_with_errors: usize,
    /// Notices stored for the first time.
    pub notices_new: usize,
    /// Notices stored again from a changed or another page.
    pub notices_updated: usize,
    /// Notices withdrawn because their only page no longer carries them.
    pub notices_withdrawn: usize,
    /// Entries left queued for a later run (their host's circuit breaker is open).
    pub left_pending: usize,
    /// Pages that failed, with the reason.
    pub failures: Vec<String>,
    /// Pages answered with an anti-bot challenge instead of their content (also among
    /// `failures`); none of them was stored.
    pub blocked: Vec<crate::blocked::BlockedPage>,
    /// Documents kept but not read (DOC, WPS, OFD, other binaries).
    pub unsupported: Vec<UnsupportedDocument>,
    /// True when the run stopped early because of shutdown.
    pub cancelled: bool,
}

impl CrawlReport {
    /// Counts one finished entry.
    pub(crate) fn add(&mut self, entry: EntryResult) {
        if entry.cancelled {
            self.cancelled = true;
            return;
        }
        if entry.fetched {
            match entry.kind {
                FrontierKind::List => self.list_pages += 1,
                FrontierKind::Sitemap => self.sitemaps += 1,
                FrontierKind::Notice | FrontierKind::Attachment => self.pages_fetched += 1,
            }
        }
        self.pages_unchanged += usize::from(entry.unchanged);
        self.sitemap_unchanged += entry.sitemap_unchanged;
        self.pages_with_errors += usize::from(entry.page_error);
        self.left_pending += usize::from(entry.left_pending);
        self.notices_new += entry.outcome.new_notices.len();
        self.notices_updated += entry.outcome.updated_notices.len();
        self.notices_withdrawn += entry.outcome.withdrawn_notices.len();
        self.failures.extend(entry.failure);
        self.blocked.extend(entry.blocked);
        self.unsupported.extend(entry.unsupported);
    }
}

/// How one frontier entry ended.
#[derive(Debug, Default)]
pub(crate) struct EntryResult {
    /// The entry's kind.
    pub(crate) kind: FrontierKind,
    /// A response (200 or 304) came back.
    pub(crate) fetched: bool,
    /// The page had not changed.
    pub(crate) unchanged: bool,
    /// Entries of a sitemap left out as unchanged by their `<lastmod>`.
    pub(crate) sitemap_unchanged: usize,
    /// What storing it did.
    pub(crate) outcome: PageOutcome,
    /// The page was stored with a cleaning or parsing error.
    pub(crate) page_error: bool,
    /// Why the entry failed (it is done for this run).
    pub(crate) failure: Option<String>,
    /// The entry stays queued for a later run (breaker open).
    pub(crate) left_pending: bool,
    /// Shutdown interrupted it before anything was written; it stays queued.
    pub(crate) cancelled: bool,
    /// The site answered with a challenge instead of the page (nothing was stored).
    pub(crate) blocked: Option<crate::blocked::BlockedPage>,
    /// A document of a format that is kept but not read.
    pub(crate) unsupported: Option<UnsupportedDocument>,
}

/// A document that was kept but not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedDocument {
    /// Its URL.
    pub url: String,
    /// Its format's label (`doc`, `wps`, `ofd`, `binary`; see
    /// [`crate::attachment::Format::label`]).
    pub format: &'static str,
}
