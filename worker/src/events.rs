//! The crawl worker's events, each emitted from one function that both logs it (tracing) and
//! records its metric (the `metrics` facade; the binary installs the recorder, so without one
//! the metrics cost nothing). Call sites say what happened; the names and labels live here.
//!
//! | metric | labels |
//! | --- | --- |
//! | `gazette_pages_fetched_total` | `source`, `status` (one per request): the HTTP status, `not_modified`, `redirect` for a redirect hop, `blocked` for an anti-bot challenge, or why no answer came (`error_timeout`, `error_connect`, `refused_robots`, …: [`crate::failure::FailureClass::label`]) |
//! | `gazette_fetch_duration_seconds` | `source` (one observation per HTTP request) |
//! | `gazette_parse_outcomes_total` | `source`, `outcome`: `notices`, `no_notice`, `clean_error`, `unchanged`, `unsupported_format` |
//! | `gazette_notices_stored_total` | `source`, `kind`: `new`, `updated` |
//! | `gazette_crawl_runs_total` | `source`, `result`: `completed`, `cancelled`, `failed` |
//! | `gazette_crawl_duration_seconds` | `source` |

use crate::report::CrawlReport;
use gazette_pipeline::Parsed;
use std::borrow::Cow;
use std::time::Duration;

/// The `status` label of an answer: its code, or `not_modified` for a 304.
pub(crate) fn answer_status(status: u16) -> Cow<'static, str> {
    if status == 304 {
        Cow::Borrowed("not_modified")
    } else {
        Cow::Owned(status.to_string())
    }
}

/// One request ended (an answer, or an error with `status` saying which), or a page was
/// refused before any request (`elapsed` is then `None`: no latency to record).
pub(crate) fn page_fetched(
    source: &str,
    url: &str,
    status: Cow<'static, str>,
    elapsed: Option<Duration>,
) {
    tracing::debug!(source, url, status = %status, ?elapsed, "page fetched");
    metrics::counter!(
        "gazette_pages_fetched_total",
        "source" => source.to_owned(),
        "status" => status,
    )
    .increment(1);
    if let Some(elapsed) = elapsed {
        metrics::histogram!("gazette_fetch_duration_seconds", "source" => source.to_owned())
            .record(elapsed.as_secs_f64());
    }
}

/// What became of a fetched notice page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseOutcome {
    /// It was cleaned and parsed.
    Parsed(Parsed),
    /// The page had not changed; nothing was parsed.
    Unchanged,
    /// A document of a format that is kept but not read (DOC, WPS, OFD, …).
    UnsupportedFormat,
}

impl ParseOutcome {
    fn label(self) -> &'static str {
        match self {
            Self::Parsed(Parsed::Notices(_)) => "notices",
            Self::Parsed(Parsed::NoNotice) => "no_notice",
            Self::Parsed(Parsed::CleanError) => "clean_error",
            Self::Unchanged => "unchanged",
            Self::UnsupportedFormat => "unsupported_format",
        }
    }
}

/// A notice page was cleaned and parsed (or found unchanged).
pub(crate) fn page_parsed(source: &str, url: &str, outcome: ParseOutcome) {
    match outcome {
        ParseOutcome::Parsed(Parsed::Notices(count)) => {
            tracing::debug!(source, url, count, "page parsed");
        }
        ParseOutcome::Unchanged => tracing::debug!(source, url, "page unchanged"),
        ParseOutcome::Parsed(Parsed::NoNotice | Parsed::CleanError)
        | ParseOutcome::UnsupportedFormat => {
            tracing::info!(
                source,
                url,
                outcome = outcome.label(),
                "page kept without a notice"
            );
        }
    }
    metrics::counter!(
        "gazette_parse_outcomes_total",
        "source" => source.to_owned(),
        "outcome" => outcome.label(),
    )
    .increment(1);
}

/// A page was answered with an anti-bot challenge (its fetch is counted with the status
/// label `blocked`); nothing of it is stored.
pub(crate) fn page_blocked(
    source: &str,
    url: &str,
    status: u16,
    challenge: crate::blocked::Challenge,
) {
    tracing::warn!(
        source,
        url,
        status,
        challenge = challenge.label(),
        "blocked by an anti-bot challenge"
    );
}

/// A page's notices were written to the store.
pub(crate) fn notices_stored(source: &str, url: &str, outcome: &gazette_store::PageOutcome) {
    let (new, updated, withdrawn) = (
        outcome.new_notices.len(),
        outcome.updated_notices.len(),
        outcome.withdrawn_notices.len(),
    );
    if new + updated + withdrawn == 0 {
        return;
    }
    tracing::debug!(source, url, new, updated, withdrawn, "notices stored");
    for (kind, count) in [("new", new), ("updated", updated), ("withdrawn", withdrawn)] {
        if count > 0 {
            metrics::counter!(
                "gazette_notices_stored_total",
                "source" => source.to_owned(),
                "kind" => kind,
            )
            .increment(count as u64);
        }
    }
}

/// A run of `source` ended, with its report or the store error that stopped it.
pub(crate) fn crawl_finished(
    source: &str,
    result: &crate::error::Result<CrawlReport>,
    elapsed: Duration,
) {
    let label = match result {
        Ok(report) if report.cancelled => "cancelled",
        Ok(_) => "completed",
        Err(_) => "failed",
    };
    match result {
        Ok(report) => tracing::info!(
            source,
            result = label,
            resumed = report.resumed,
            fetched = report.pages_fetched,
            unchanged = report.pages_unchanged,
            new = report.notices_new,
            updated = report.notices_updated,
            withdrawn = report.notices_withdrawn,
            left_pending = report.left_pending,
            failures = report.failures.len(),
            ?elapsed,
            "crawl finished"
        ),
        Err(error) => tracing::error!(source, %error, ?elapsed, "crawl failed"),
    }
    metrics::counter!(
        "gazette_crawl_runs_total",
        "source" => source.to_owned(),
        "result" => label,
    )
    .increment(1);
    metrics::histogram!("gazette_crawl_duration_seconds", "source" => source.to_owned())
        .record(elapsed.as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_labelled_by_status() {
        assert_eq!(answer_status(200), "200");
        assert_eq!(answer_status(304), "not_modified");
    }

    #[test]
    fn events_without_a_recorder_are_harmless() {
        page_fetched("s", "http://x/", answer_status(200), Some(Duration::ZERO));
        page_parsed("s", "http://x/", ParseOutcome::Parsed(Parsed::NoNotice));
        let outcome = gazette_store::PageOutcome {
            new_notices: vec!["a".into()],
            withdrawn_notices: vec!["b".into()],
            ..Default::default()
        };
        notices_stored("s", "http://x/", &outcome);
        let report = CrawlReport::default();
        crawl_finished("s", &Ok(report), Duration::ZERO);
    }
}
