//! gazette's crawl worker: fetches list pages and notice pages from publication sites, hands
//! the bytes to [`gazette_pipeline`] (the one path to a stored page, shared with the admin
//! API) and records the results in a [`gazette_store::NoticeStore`]. Never depends on tonic.
//!
//! Modules, each depending only on those above it:
//! - [`error`] — [`WorkerError`]; [`failure`] — [`FailureClass`], the one classification of
//!   a failed fetch that retries, the breaker and the metrics read.
//! - [`address`] — which IP addresses are public (the IANA special-purpose registries).
//! - [`config`] — [`SourceConfig`] (what to crawl) and [`CrawlerConfig`] (how).
//! - `report` — [`CrawlReport`] and what each entry did.
//! - `events` — every crawl event logged and counted in one place (the metric names are
//!   listed there).
//! - [`blocked`] — answers that are an anti-bot challenge instead of the page.
//! - [`fetch`] — [`Fetcher`], HTTP with timeouts, size and content-type limits, manual
//!   redirects and address checks on every hop, conditional requests.
//! - [`robots`] — what robots.txt says for our User-Agent.
//! - [`politeness`] — robots.txt per host, per-host spacing and concurrency, a global cap,
//!   retries with backoff and Retry-After, a per-host circuit breaker.
//! - [`links`] — [`LinkFilter`], notice links and the next page on a list page; sitemap
//!   entries.
//! - `source` — a source with its patterns compiled for a run.
//! - [`attachment`] — notices published as PDF or DOCX files: links, format sniffing, text.
//! - [`cms`] — list mechanics of TRS, Hanweb and VSB sites, read from the list page.
//! - `discover` — what a list page or sitemap adds to the frontier.
//! - `answer` — what a fetch's result means for its entry (page, unchanged, deferred, failed).
//! - `entry` — one frontier entry, fetch to store.
//! - [`crawl`] — [`Crawler`], one testable `crawl_once` step over the durable frontier.
//! - [`schedule`] — interval or cron.

pub mod error;
pub mod failure;

pub mod address;
pub mod blocked;
pub mod config;
mod report;

mod events;

pub mod fetch;
pub mod robots;

pub mod politeness;

pub mod links;
mod source;

pub mod attachment;
pub mod cms;

mod discover;

mod answer;

mod entry;

pub mod crawl;

pub mod schedule;

pub use config::{CrawlerConfig, Pagination, SourceConfig};
pub use crawl::{Crawler, Progress, ProgressFn};
pub use error::{Result, WorkerError};
pub use failure::FailureClass;
pub use fetch::{FetchedPage, Fetcher};
pub use links::LinkFilter;
pub use report::{CrawlReport, UnsupportedDocument};
