//! End-to-end tests, one binary: the real application against a loopback fixture site.
//!
//! - `api`: crawl the demo site, then every RPC through the generated clients.
//! - `metrics`: `/metrics` after RPCs.
//! - `process`: the `gazette` binary itself: signals, exit status, durable data.

mod api;
mod harness;
mod metrics;
mod process;
