//! What a fetch's result means for its frontier entry: a page to use, a page unchanged since
//! the stored copy, an entry to keep for a later run, or a failure. Every fetched response is
//! classified here, once, so that a new kind of answer (a challenge page, say) is recognised in
//! one place and every caller handles it.

use crate::error::WorkerError;
use crate::fetch::FetchedPage;
use crate::politeness::FetchError;
use gazette_store::{FrontierKind, PageRecord, identity};

/// What to do with a fetched (or refused) entry.
#[derive(Debug)]
pub(crate) enum Answer {
    /// A page to use: new or changed content (`content_sha256` is set for notice pages).
    Page {
        /// The page.
        page: FetchedPage,
        /// Hex SHA-256 of the body, computed for notice pages to compare with the stored copy.
        content_sha256: Option<String>,
    },
    /// A notice page whose content has not changed (a 304, or the same bytes).
    Unchanged,
    /// Shutdown interrupted the fetch before anything was written; the entry stays queued.
    Cancelled,
    /// The host is paused (its breaker is open, or its robots.txt cannot be had); the entry
    /// stays queued for a later run.
    Deferred {
        /// Why, for the report.
        reason: String,
    },
    /// The site answered with an anti-bot challenge instead of the page: done for this run,
    /// and never stored (it must neither replace a stored copy nor withdraw its notices).
    Blocked(crate::blocked::BlockedPage),
    /// The entry is done for this run without a page.
    Failed {
        /// Why, for the report; `None` for an expected miss (a guessed sitemap that is absent).
        reason: Option<String>,
    },
}

/// Classifies the result of fetching an entry of `kind`, whose stored copy is `stored`.
pub(crate) fn classify(
    kind: FrontierKind,
    stored: Option<&PageRecord>,
    result: Result<FetchedPage, FetchError>,
) -> Answer {
    let page = match result {
        Ok(page) => page,
        Err(FetchError::Cancelled) => return Answer::Cancelled,
        // The host is paused, not the page gone: kept for a later run.
        Err(FetchError::Failed(
            error @ (WorkerError::CircuitOpen { .. } | WorkerError::RobotsUnavailable { .. }),
        )) => {
            return Answer::Deferred {
                reason: error.to_string(),
            };
        }
        Err(FetchError::Failed(WorkerError::Blocked {
            url,
            status,
            challenge,
        })) => {
            return Answer::Blocked(crate::blocked::BlockedPage {
                url,
                status,
                challenge,
            });
        }
        Err(FetchError::Failed(error)) => {
            // A missing sitemap is normal: /sitemap.xml is only a guess.
            let quiet = kind == FrontierKind::Sitemap && error.class().is_missing();
            return Answer::Failed {
                reason: (!quiet).then(|| error.to_string()),
            };
        }
    };
    match kind {
        FrontierKind::List | FrontierKind::Sitemap => Answer::Page {
            page,
            content_sha256: None,
        },
        FrontierKind::Notice | FrontierKind::Attachment => {
            if page.not_modified() {
                return Answer::Unchanged;
            }
            let sha = identity::content_sha256(&page.body);
            if stored.is_some_and(|p| p.content_sha256 == sha) {
                return Answer::Unchanged;
            }
            Answer::Page {
                page,
                content_sha256: Some(sha),
            }
        }
    }
}
