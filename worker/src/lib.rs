//! gazette's crawl worker: fetches list pages and notice pages from publication sites, hands
//! the bytes to the notice crate to clean and parse, and records the results in a
//! [`gazette_store::NoticeStore`]. Never depends on tonic.
//!
//! - [`config`] — [`SourceConfig`] (what to crawl) and [`CrawlerConfig`] (how).
//! - [`fetch`] — [`Fetcher`], HTTP with timeouts, size and content-type limits, manual
//!   redirects and address checks on every hop, conditional requests.
//! - [`politeness`] — robots.txt, per-host spacing and concurrency, a global cap, retries with
//!   backoff and Retry-After, a per-host circuit breaker.
//! - [`links`] — [`LinkFilter`], notice links and the next page on a list page; sitemaps.
//! - [`crawl`] — [`Crawler`], one testable `crawl_once` step over the durable frontier and the
//!   scheduled `run` loop; `entry` handles one frontier entry.
//! - [`attachment`] — notices published as PDF or DOCX files: links, format sniffing, text.
//! - [`blocked`] — answers that are an anti-bot challenge instead of the page.
//! - [`cms`] — list mechanics of TRS, Hanweb and VSB sites, read from the list page.
//! - [`schedule`] — interval or cron.
//! - [`error`] — [`WorkerError`].
//! - `events` — every crawl event logged and counted in one place (the metric names are
//!   listed there).

pub mod attachment;
pub mod blocked;
pub mod cms;
pub mod config;
pub mod crawl;
mod entry;
pub mod error;
mod events;
pub mod fetch;
pub mod links;
pub mod politeness;
pub mod schedule;

pub use config::{CrawlerConfig, Pagination, SourceConfig};
pub use crawl::{CrawlReport, Crawler, Progress, ProgressFn};
pub use error::{Result, WorkerError};
pub use fetch::{FetchedPage, Fetcher};
pub use links::LinkFilter;
