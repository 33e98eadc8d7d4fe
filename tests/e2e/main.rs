//! End-to-end tests, one binary: the real application against a loopback fixture site.
//!
//! - `crash_resume`: SIGKILL during a crawl, then a restart that refetches nothing done.
//! - `api`: crawl the demo site, then every RPC through the generated clients.
//! - `api_notices`: NoticeService — paging, filters, orderings, versions, the watch stream.
//! - `api_organisations`: OrganisationService — organisations, issue status, issues.
//! - `api_crawl`: CrawlService — sources, triggered crawls, ingestion, re-parsing.
//! - `api_transport`: auth, deadlines, message limits, gzip, health, TLS.
//! - `child`: the `gazette` binary as a child process serving gRPC, for the tests below that
//!   need a real process (signals, SIGKILL, several replicas).
//! - `durability`: SIGKILL right after acknowledged writes, resume tokens across crashes and
//!   stores, damaged store files.
//! - `migrate`: a demo store migrated from sled into PostgreSQL answers ListNotices alike on
//!   two replicas and as on sled; and back.
//! - `metrics`: `/metrics` after RPCs.
//! - `ops`: worker metrics after a crawl, SIGTERM during a crawl and RPCs, export/import,
//!   `gazette verify` on a damaged record.
//! - `process`: the `gazette` binary itself: signals, exit status, durable data, a bad TLS
//!   certificate, `crawl` without listeners.
//! - `replicas`: three `gazette serve` on one PostgreSQL database share a crawl; one is
//!   killed with SIGKILL and the others finish its work.
//! - `supervision`: a task failing while serving stops the others with its error.
//! - `cms_sites`: TRS, Hanweb and VSB list mechanics, PDF/DOCX attachments and anti-bot
//!   challenges, on the fixture sites of `sites`.

mod api;
mod api_crawl;
mod api_notices;
mod api_organisations;
mod api_transport;
mod child;
mod cms_sites;
mod crash_resume;
mod durability;
mod harness;
mod metrics;
mod migrate;
mod ops;
mod process;
mod replicas;
mod sites;
mod supervision;
