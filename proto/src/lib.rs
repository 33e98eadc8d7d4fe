//! The gazette.v1 API contract. The `.proto` files under `gazette/v1/` are the source of truth;
//! `build.rs` compiles them with protox and tonic-prost-build. This crate depends on nothing else
//! of ours, so other teams can take it alone.
//!
//! - [`pb`] — generated messages, clients and servers.
//! - [`FILE_DESCRIPTOR_SET`]: the encoded descriptor set, for server reflection.

/// Generated code for package `gazette.v1`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod pb {
    tonic::include_proto!("gazette.v1");
}

/// Encoded `FileDescriptorSet` of the gazette.v1 protos, for tonic-reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/gazette_descriptor.bin"));
