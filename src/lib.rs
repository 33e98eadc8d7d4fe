//! The `gazette` binary's library half: configuration, the application that wires the store,
//! the gRPC server and the crawl worker together, the demo site, and the command
//! implementations behind the thin CLI in `main.rs`. Nothing in the workspace depends on it.
//!
//! - [`settings`] — [`settings::Settings`], defaults and the TOML file.
//! - [`app`] — [`app::Application`], one process, one store, orderly shutdown.
//! - [`server`] — the tonic server with health and reflection.
//! - [`deadline`] — DEADLINE_EXCEEDED for calls past `request_timeout` or `grpc-timeout`.
//! - [`message_limit`] — RESOURCE_EXHAUSTED for a message over the limit, either way.
//! - [`telemetry`], [`rpc_metrics`] — logging, the Prometheus listener and per-RPC metrics.
//! - [`supervisor`] — the process's tasks in one set: the first failure stops them all.
//! - [`scheduler`] — schedules sources, triggers runs, keeps their state for the admin API.
//! - [`demo_site`] — a loopback publication site with the project's sample notices.
//! - [`demo_documents`] — the PDF and DOCX attachments it (and the tests) publish.
//! - [`stores`] — [`stores::open_store`]: a data directory or a database URL, opened as
//!   `Arc<dyn Store>`.
//! - [`commands`] — `parse`, `clean`, `demo`, `export`, `verify`, `migrate` as functions.

pub mod app;
pub mod commands;
pub mod deadline;
pub mod demo_documents;
pub mod demo_site;
pub mod message_limit;
pub mod rpc_metrics;
pub mod scheduler;
pub mod server;
pub mod settings;
pub mod stores;
pub mod supervisor;
pub mod telemetry;
