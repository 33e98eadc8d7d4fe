//! End-to-end tests, one binary: the real application against a loopback fixture site.
//!
//! - `crash_resume`: SIGKILL during a crawl, then a restart that refetches nothing done.
//! - `api`: crawl the demo site, then every RPC through the generated clients.
//! - `metrics`: `/metrics` after RPCs.
//! - `ops`: worker metrics after a crawl, SIGTERM during a crawl and RPCs, export/import,
//!   `gazette verify` on a damaged record.
//! - `process`: the `gazette` binary itself: signals, exit status, durable data.

mod api;
mod crash_resume;
mod harness;
mod metrics;
mod ops;
mod process;
