//! Throughput of clean + parse on one core: `cargo bench -p gazette-notice --bench clean_parse`.
//! Reads the shared seeds (skipped politely when `../shared` is absent) and the crate's own
//! fixtures (notices and layouts), runs the whole pipeline over them repeatedly for about three
//! seconds and prints MB/s of wall time and, on Linux, MB/s of the thread's own CPU time
//! (`/proc/thread-self/schedstat`), which is what one core does when the machine is shared.

use gazette_notice::{CleanOptions, InputKind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long to keep the pipeline busy.
const RUN_FOR: Duration = Duration::from_secs(3);

/// The `.txt` files of `dir`, or none when it does not exist.
fn texts(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        println!("skipping {}: not found", dir.display());
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    out.sort();
    out
}

fn main() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = texts(&manifest.join("../../shared/seeds"));
    inputs.extend(texts(&manifest.join("tests/fixtures/notices")));
    inputs.extend(texts(&manifest.join("tests/fixtures/layouts")));
    if inputs.is_empty() {
        println!("no inputs, nothing to measure");
        return;
    }
    let options = CleanOptions {
        kind: InputKind::Text,
        ..CleanOptions::default()
    };
    let per_round: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    let (mut bytes, mut rounds, mut notices) = (0usize, 0usize, 0usize);
    let cpu_start = cpu_time();
    let start = Instant::now();
    while start.elapsed() < RUN_FOR {
        for (_, input) in &inputs {
            if let Ok((_, parsed)) = gazette_notice::parse(std::hint::black_box(input), &options) {
                notices += parsed.len();
            }
        }
        bytes += per_round;
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    if let (Some(a), Some(b)) = (cpu_start, cpu_time()) {
        let cpu = b.saturating_sub(a).as_secs_f64();
        println!(
            "clean+parse on CPU time: {:.2} s of {secs:.2} s wall, {:.1} MB/s",
            cpu,
            bytes as f64 / cpu.max(f64::EPSILON) / 1_000_000.0
        );
    }
    println!(
        "clean+parse: {} files, {:.1} KB per round, {rounds} rounds, {} notices/round, {:.1} MB/s",
        inputs.len(),
        per_round as f64 / 1024.0,
        notices / rounds.max(1),
        bytes as f64 / secs / 1_000_000.0
    );
}

/// The calling thread's time on a CPU so far, from the first field (nanoseconds) of
/// `/proc/thread-self/schedstat`; `None` where that file does not exist.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}
