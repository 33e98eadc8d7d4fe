//! Shared by the notice crate's integration tests: where the read-only corpus in `../shared`
//! is, and whether its absence is a skip (developer machine) or a failure (`CI=true`).

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

/// The shared corpus directory beside the repository, or `None` (with the reason printed) when
/// it is absent outside CI. Under `CI=true` its absence panics, because CI must score it.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    if dir.join("seeds").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but the shared corpus is missing at {}",
            dir.display()
        );
    }
    eprintln!("skipping: shared corpus not found at {}", dir.display());
    None
}

/// The repository's own fixtures of the notice crate.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}
