//! A fixed amount of clean + parse work for instruction-count profiling, where the timed loop of
//! `benches/clean_parse.rs` would run a different number of rounds under a slow profiler:
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_rounds*'
//! target/release/examples/profile_clean_parse [ROUNDS]`. One warm-up round runs first, so
//! regexes compiled on first use (once per process) stay out of the measured rounds.

use gazette_notice::{CleanOptions, InputKind};
use std::path::Path;

/// The `.txt` files of `dir`, sorted, or none when it does not exist.
fn texts(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("skipping {}: not found", dir.display());
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// Cleans and parses every input `rounds` times; returns the notices found.
fn rounds_of_work(inputs: &[Vec<u8>], options: &CleanOptions, rounds: usize) -> usize {
    let mut notices = 0;
    for _ in 0..rounds {
        for input in inputs {
            if let Ok((_, parsed)) = gazette_notice::parse(std::hint::black_box(input), options) {
                notices += parsed.len();
            }
        }
    }
    notices
}

/// The rounds the profiler counts (the warm-up calls [`rounds_of_work`] directly).
#[inline(never)]
fn measured_rounds(inputs: &[Vec<u8>], options: &CleanOptions, rounds: usize) -> usize {
    rounds_of_work(inputs, options, rounds)
}

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = texts(&manifest.join("../../shared/seeds"));
    inputs.extend(texts(&manifest.join("tests/fixtures/notices")));
    inputs.extend(texts(&manifest.join("tests/fixtures/layouts")));
    let rounds = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let options = CleanOptions {
        kind: InputKind::Text,
        ..CleanOptions::default()
    };
    let warm_up = rounds_of_work(&inputs, &options, 1);
    let notices = measured_rounds(&inputs, &options, rounds);
    println!(
        "{} inputs, {warm_up} notices in the warm-up, {notices} in {rounds} rounds",
        inputs.len()
    );
}
