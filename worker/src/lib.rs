//! gazette's crawl worker: fetches list pages and notice pages from publication sites, hands
//! the bytes to the notice crate to clean and parse, and records the results in a
//! [`gazette_store::NoticeStore`]. Never depends on tonic.
//!
//! - [`config`] — [`SourceConfig`] (what to crawl) and [`CrawlerConfig`] (how).
//! - [`fetch`] — [`Fetcher`], HTTP with timeouts, size limits and address checks.
//! - [`links`] — [`LinkFilter`], notice links on a list page.
//! - [`crawl`] — [`Crawler`], one testable `crawl_once` step and the scheduled `run` loop.
//! - [`error`] — [`WorkerError`].

pub mod config;
pub mod crawl;
pub mod error;
pub mod fetch;
pub mod links;

pub use config::{CrawlerConfig, SourceConfig};
pub use crawl::{CrawlReport, Crawler};
pub use error::{Result, WorkerError};
pub use fetch::{FetchedPage, Fetcher};
pub use links::LinkFilter;
