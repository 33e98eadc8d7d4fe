//! gazette's crawl worker: fetches list pages and notice pages from publication sites, hands
//! the bytes to [`gazette_pipeline`] (the one path to a stored page, shared with the admin
//! API) and records the results through [`gazette_store::PageStore`], sharing each source's
//! frontier with other crawlers on the same store by leases. Never depends on tonic.
//!
//! Modules, each depending only on those above it (doc links aside):
//! - [`failure`] — [`FailureClass`], the one classification of a failed fetch, which retries,
//!   the breaker, robots.txt and the metrics all read.
//! - [`error`] — [`WorkerError`], and its class.
//! - [`address`] — which IP addresses are public (the IANA special-purpose registries).
//! - [`config`] — [`SourceConfig`] (what to crawl) and [`CrawlerConfig`] (how).
//! - `report` — [`CrawlReport`] and what each entry did.
//! - `events` — every crawl event logged and counted in one place (the metric names are
//!   listed there).
//! - [`blocked`] — answers that are an anti-bot challenge instead of the page.
//! - [`robots`] — what robots.txt says for our User-Agent, and RFC 9309's fetch limits.
//! - [`fetch`] — [`Fetcher`], one HTTP request at a time with timeouts, size and
//!   content-type limits, address checks and conditional requests; [`fetch::RedirectChain`].
//! - [`politeness`] — redirects hop by hop, each under its host's robots.txt (RFC 9309),
//!   spacing, concurrency and circuit breaker; a global cap; retries with backoff and
//!   Retry-After.
//! - [`links`] — [`LinkFilter`], notice links and the next page on a list page; sitemaps and
//!   their `<lastmod>`.
//! - `source` — a source with its patterns compiled for a run.
//! - [`attachment`] — notices published as PDF or DOCX files: links, format sniffing, text.
//! - [`cms`] — list mechanics of TRS, Hanweb and VSB sites, read from the list page.
//! - `discover` — what a list page or sitemap adds to the frontier (the place for new list
//!   mechanics).
//! - `answer` — what a fetch's result means for its entry: page, unchanged, deferred, failed
//!   (the place for new kinds of answer).
//! - `entry` — one frontier entry, fetch to store; a notice page's bytes go through
//!   [`gazette_pipeline::prepare`].
//! - [`crawl`] — [`Crawler`], one testable `crawl_once` step over the durable frontier.
//! - [`schedule`] — interval, or cron in the source's time zone.

pub mod failure;

pub mod error;

pub mod address;
pub mod blocked;
pub mod config;
mod report;

mod events;

pub mod robots;

pub mod fetch;

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
