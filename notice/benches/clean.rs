//! Throughput of the cleaner on one core: pages per second of `gazette_notice::clean` over the
//! shared gov-html and real-pages sets and the project's fixture pages, next to a bare
//! `scraper::Html::parse_document` of the same pages (the floor: parsing alone).
//!
//! `cargo bench -p gazette-notice --bench clean` (set `BENCH_SECONDS` to change the duration of
//! each measurement, default 3; `BENCH_ONLY=gov-html`, `real-pages` or `fixtures` to run one
//! set; `BENCH_VERBOSE=1` for per-page times; `SHARED` to point at the shared corpus when it
//! is not `../shared` beside the repository). The shared corpus is skipped with a note when it
//! is absent.

use gazette_notice::CleanOptions;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Default seconds per measurement.
const DEFAULT_SECONDS: u64 = 3;

fn html_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .filter_map(|p| {
            Some((
                p.file_name()?.to_string_lossy().into_owned(),
                std::fs::read(&p).ok()?,
            ))
        })
        .collect();
    files.sort();
    files
}

/// Slices each measurement is cut into; clean and parse slices alternate so that a load change
/// on a shared machine hits both alike.
const SLICES: u32 = 10;

/// Runs `work` over `pages` round-robin for `budget`; returns (pages done, seconds spent).
fn run_for(pages: &[Vec<u8>], budget: Duration, work: &mut impl FnMut(&[u8])) -> (u64, f64) {
    let start = Instant::now();
    let mut done = 0u64;
    while start.elapsed() < budget {
        for page in pages {
            work(page);
            done += 1;
        }
    }
    (done, start.elapsed().as_secs_f64())
}

/// Pages per second of `a` and `b`, measured in alternating slices of `budget / SLICES`.
fn pages_per_second(
    pages: &[Vec<u8>],
    budget: Duration,
    mut a: impl FnMut(&[u8]),
    mut b: impl FnMut(&[u8]),
) -> (f64, f64) {
    // One warm-up round so that lazy statics and allocator pools are in place.
    for page in pages {
        a(page);
        b(page);
    }
    let slice = budget / SLICES;
    let (mut done_a, mut secs_a, mut done_b, mut secs_b) = (0, 0.0, 0, 0.0);
    for _ in 0..SLICES {
        let (d, s) = run_for(pages, slice, &mut a);
        done_a += d;
        secs_a += s;
        let (d, s) = run_for(pages, slice, &mut b);
        done_b += d;
        secs_b += s;
    }
    (done_a as f64 / secs_a, done_b as f64 / secs_b)
}

fn report(label: &str, pages: &[Vec<u8>], budget: Duration) {
    if pages.is_empty() {
        println!("{label}: no pages, skipped");
        return;
    }
    let bytes: usize = pages.iter().map(Vec::len).sum();
    let options = CleanOptions::default();
    let (clean, floor) = pages_per_second(
        pages,
        budget,
        |page| {
            std::hint::black_box(gazette_notice::clean(page, &options).ok());
        },
        |page| {
            let text = String::from_utf8_lossy(page);
            std::hint::black_box(scraper::Html::parse_document(&text));
        },
    );
    if std::env::var("BENCH_VERBOSE").is_ok() {
        for (i, page) in pages.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..20 {
                std::hint::black_box(gazette_notice::clean(page, &options).ok());
            }
            let clean = start.elapsed() / 20;
            let start = Instant::now();
            for _ in 0..20 {
                std::hint::black_box(scraper::Html::parse_document(&String::from_utf8_lossy(
                    page,
                )));
            }
            println!(
                "  page {i}: {} bytes, clean {clean:?}, parse {:?}",
                page.len(),
                start.elapsed() / 20
            );
        }
    }
    let mb_per_page = bytes as f64 / pages.len() as f64 / 1e6;
    println!(
        "{label}: {} pages, {:.0} KiB; gazette clean {clean:.1} pages/s ({:.2} MB/s); scraper parse (floor) {floor:.1} pages/s; clean/floor {:.2}",
        pages.len(),
        bytes as f64 / 1024.0,
        clean * mb_per_page,
        clean / floor
    );
}

fn main() {
    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECONDS);
    let budget = Duration::from_secs(seconds);
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = std::env::var_os("SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../shared"));
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    for set in ["gov-html", "real-pages"] {
        if !only.is_empty() && only != set {
            continue;
        }
        let dir = shared.join("fixtures").join(set);
        let pages: Vec<Vec<u8>> = html_files(&dir).into_iter().map(|(_, b)| b).collect();
        if pages.is_empty() {
            println!(
                "skipping {set}: shared corpus not found at {}",
                dir.display()
            );
        } else {
            report(set, &pages, budget);
        }
    }
    let own: Vec<Vec<u8>> = html_files(&manifest.join("tests/fixtures/pages"))
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    if only.is_empty() || only == "fixtures" {
        report("fixtures", &own, budget);
    }
}
