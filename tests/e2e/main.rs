//! End-to-end tests, one binary: the real application against a loopback fixture site.
//!
//! - `crash_resume`: SIGKILL during a crawl, then a restart that refetches nothing done.
//! - `api`: crawl the demo site, then every RPC through the generated clients.
//! - `metrics`: `/metrics` after RPCs.
//! - `process`: the `gazette` binary itself: signals, exit status, durable data.

mod api;
mod crash_resume;
mod harness;
mod metrics;
mod process;
