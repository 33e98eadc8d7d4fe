//! gazette's gRPC services: handlers that validate a request, convert it, ask the store and
//! convert the answer back. They depend on the proto contract, the notice model and the
//! [`gazette_store::Store`] trait, never on reqwest or sled types.
//!
//! - [`notices`] — `NoticeService` ([`NoticeApi`]).
//! - [`organisations`] — `OrganisationService` ([`OrganisationApi`]).
//! - [`crawl`] — `CrawlService` ([`CrawlApi`]) and the [`CrawlControl`] it drives.
//! - [`auth`] — [`BearerAuth`], the admin token check.
//! - [`convert`] — domain model to protobuf.
//! - [`paging`], [`filter`] — page sizes, page tokens and the filter syntax.
//! - [`timeout`] — the `grpc-timeout` header.
//! - [`error`] — [`ApiError`] and its exhaustive mapping to `tonic::Status`.

pub mod auth;
pub mod convert;
pub mod crawl;
pub mod error;
pub mod filter;
pub mod notices;
pub mod organisations;
pub mod paging;
pub mod timeout;

pub use auth::BearerAuth;
pub use crawl::{
    BlockedPage, CrawlApi, CrawlControl, SourceInfo, SourceState, TriggerOutcome,
    UnsupportedDocument,
};
pub use error::ApiError;
pub use notices::NoticeApi;
pub use organisations::OrganisationApi;
