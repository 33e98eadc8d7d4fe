//! Compiles `gazette/v1/*.proto` with protox (pure Rust, so no `protoc` is needed) and generates
//! the tonic code from the resulting descriptor set. The same descriptor set is written to
//! `OUT_DIR` for gRPC server reflection.

use prost::Message;
use std::path::PathBuf;

const PROTO_FILES: &[&str] = &["gazette/v1/notice.proto", "gazette/v1/service.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // compile_fds emits no rerun-if-changed of its own, so watch the sources here.
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={file}");
    }
    let fds = protox::compile(PROTO_FILES, ["."])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out_dir.join("gazette_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}
