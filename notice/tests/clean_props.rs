//! `gazette_notice::clean` never panics: on arbitrary bytes, on random HTML-ish markup built
//! from the tags and chrome words the extractor reacts to, and on fixture pages with random
//! byte edits. Hostile markup (deep nesting of every kind, unclosed-tag and comment/script
//! soup, up to a few MB) must also finish within a time bound generous enough for a slow
//! machine and a debug build, but far below what quadratic behaviour costs. Case counts are
//! bounded so the whole file runs in well under a minute.

mod support;

use gazette_notice::{CleanOptions, InputKind};
use proptest::prelude::*;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Pieces of markup and text that exercise the extractor's and cleaner's rules.
const PIECES: &[&str] = &[
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<br>",
    "<table>",
    "<tr>",
    "<td>",
    "</td>",
    "</tr>",
    "</table>",
    "<a href='x.pdf'>",
    "</a>",
    "<h1>",
    "</h1>",
    "<title>",
    "</title>",
    "<div class='TRS_Editor'>",
    "<div class=nav>",
    "<script>",
    "</script>",
    "<style>",
    "<div style='display:none'>",
    "</html>",
    "<meta charset=gb2312>",
    "<meta charset=big5>",
    "整改",
    "。",
    "，",
    "：",
    "（上接第7版）",
    "（下转第九版）",
    "上接第",
    "版",
    "当前位置：",
    "首页 > ",
    "打印 | 关闭",
    "版权所有",
    "ICP备",
    "发布日期：",
    "2023-05-11 10:00",
    "索 引 号：",
    "##paidbegin##",
    "【素材库】会员",
    "一、",
    "（一）",
    "1．",
    "\n",
    "\n\n",
    " ",
    "\u{3000}",
    "\t",
    "\u{F0000}",
    "[1]",
    "2023年10月11日 星期三",
    "<",
    ">",
    "&nbsp;",
    "&#x0;",
    "\u{FFFD}",
    "𠮷",
];

fn options(kind: InputKind) -> CleanOptions {
    CleanOptions {
        kind,
        ..CleanOptions::default()
    }
}

fn fixture_pages() -> Vec<Vec<u8>> {
    let dir = support::fixtures_dir().join("pages");
    let mut pages: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.ends_with(".html") || name.ends_with(".txt")
                })
                .filter_map(|e| std::fs::read(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    pages
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for kind in [InputKind::Auto, InputKind::Html, InputKind::Text] {
            let _ = gazette_notice::clean(&bytes, &options(kind));
        }
    }

    #[test]
    fn html_ish_strings_never_panic(
        picks in proptest::collection::vec(0..PIECES.len(), 0..200),
        content_type in proptest::option::of("text/html; charset=(gbk|utf-8|big5|utf-16|x-bogus)"),
    ) {
        let page: String = picks.iter().map(|&i| PIECES[i]).collect();
        for kind in [InputKind::Html, InputKind::Text] {
            let mut opts = options(kind);
            opts.content_type = content_type.clone();
            if let Ok(doc) = gazette_notice::clean(page.as_bytes(), &opts) {
                for marker in &doc.page_markers {
                    prop_assert!(marker.offset <= doc.text.len());
                    prop_assert!(doc.text.is_char_boundary(marker.offset));
                }
            }
        }
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let pages = fixture_pages();
        prop_assume!(!pages.is_empty());
        let mut page = pages[which.index(pages.len())].clone();
        for (at, byte) in edits {
            let i = at.index(page.len());
            page[i] = byte;
        }
        page.truncate(cut.index(page.len() + 1).max(page.len() / 2));
        let _ = gazette_notice::clean(&page, &options(InputKind::Auto));
    }
}

/// Building blocks of hostile pages: each, repeated, nests or piles up in its own way.
const HOSTILE_UNITS: &[&str] = &[
    "<div>",
    "<table><tr><td>",
    "<b><i><span><a href=x><font color=red><em>字",
    "<p>段<li>项<dd>",
    "<!--c--><script>if (a<b) { x('<div>'); }</script><div>",
    "<a href=1><b>字</a></b>",
    "<ul><li>项",
    "<p><font color=1>字</p><p><font color=2>字</p>",
    "<select><option>甲<optgroup>",
    "<svg><g><path d='M0'/>",
    "<h1>题<h2>题<section>",
    "<div class='title x>y'>标题",
    "<a href='a.pdf'>附件.pdf</a>",
    "</div></span></td>",
    "<tr><td>序号</td><td>问题整改情况</td></tr>",
];

/// Largest hostile page the property test builds (closing tags may double it); the 1.1 MB
/// page of 100,000 nested `<div>`s has its own test below.
const MAX_HOSTILE_BYTES: usize = 300_000;

/// The CPU-time bound of one clean: 20 s plus 20 s per MB. A debug build needs at most about
/// 2.5 s of CPU per MB of the worst of these pages (a release build 0.07 s), so the bound
/// leaves a wide margin for a slow machine, while quadratic behaviour costs far more:
/// 100,000 nested `<div>`s (1.1 MB) took 51 s in a release build and minutes in a debug one.
/// CPU time, not wall time, so that a machine busy with other builds does not fail the test.
fn time_bound(bytes: usize) -> Duration {
    Duration::from_secs(20) + Duration::from_millis(20 * (bytes as u64 / 1_000))
}

/// How many times the CPU bound the wall clock may run before the test gives up anyway (a
/// machine where the thread gets less than a tenth of a core).
const WALL_FACTOR: u32 = 10;

/// CPU time used so far by the thread whose `/proc/<pid>/task/<tid>/stat` is `stat`: user
/// plus system time, in the kernel's fixed USER_HZ of 100 ticks per second.
fn thread_cpu(stat: &std::path::Path) -> Option<Duration> {
    let text = std::fs::read_to_string(stat).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = text.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Cleans `page` on a worker thread and fails when it uses more CPU time than
/// [`time_bound`] (or, where procfs is missing, more wall time), without waiting for a
/// runaway clean to finish. Returns the CPU (or wall) time it took.
fn clean_within_bound(page: String) -> Duration {
    let bound = time_bound(page.len());
    let (done, finished) = mpsc::channel();
    let (named, stat_path) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = named.send(
            // The link reads `<pid>/task/<tid>`, relative to /proc.
            std::fs::read_link("/proc/thread-self")
                .ok()
                .map(|dir| std::path::Path::new("/proc").join(dir).join("stat")),
        );
        let started = Instant::now();
        let _ = gazette_notice::clean(page.as_bytes(), &options(InputKind::Auto));
        let _ = done.send(started.elapsed());
    });
    let stat = stat_path.recv().ok().flatten();
    let started = Instant::now();
    loop {
        match finished.recv_timeout(Duration::from_millis(200)) {
            Ok(took) => return stat.as_deref().and_then(thread_cpu).unwrap_or(took),
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("clean panicked"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        let used = stat.as_deref().and_then(thread_cpu);
        let wall = started.elapsed();
        match used {
            Some(cpu) if cpu > bound => panic!("clean used more than {bound:?} of CPU time"),
            None if wall > bound => panic!("clean took longer than {bound:?}"),
            _ if wall > bound * WALL_FACTOR => panic!("clean ran for more than {wall:?}"),
            _ => {}
        }
    }
}

/// A hostile page: `units` cycled `repeats` times around some text, capped in size.
fn hostile_page(units: &[usize], repeats: usize, close: bool) -> String {
    let mut page = String::from("<html><body>");
    for i in 0..repeats {
        page.push_str(HOSTILE_UNITS[units[i % units.len()]]);
        if page.len() > MAX_HOSTILE_BYTES {
            break;
        }
    }
    page.push_str("整改工作，持续推进。");
    if close {
        for _ in 0..repeats {
            page.push_str("</div>");
            if page.len() > 2 * MAX_HOSTILE_BYTES {
                break;
            }
        }
    }
    page
}

proptest! {
    // Few cases, and few shrinking runs, each of which may wait for a bound.
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 4, ..ProptestConfig::default() })]

    #[test]
    fn hostile_markup_is_cleaned_within_a_bound(
        units in proptest::collection::vec(0..HOSTILE_UNITS.len(), 1..4),
        repeats in 1usize..40_000,
        close in any::<bool>(),
    ) {
        let page = hostile_page(&units, repeats, close);
        clean_within_bound(page);
    }
}

#[test]
fn a_hundred_thousand_nested_divs_are_cleaned_within_the_bound() {
    let n = 100_000;
    let page = format!(
        "<html><body>{}<p>整改工作，持续推进。</p>{}</body></html>",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    assert!(page.len() > 1_000_000);
    clean_within_bound(page);
    // A table nested as deep, and the same depth of inline tags, left unclosed.
    clean_within_bound("<table><tr><td>".repeat(n));
    clean_within_bound("<span><b>字".repeat(n));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let page = format!("{}整改。{}", "<div>".repeat(3_000), "</div>".repeat(3_000));
    let _ = gazette_notice::clean(page.as_bytes(), &options(InputKind::Html));
    let page = "<table><tr><td>".repeat(1_000);
    let _ = gazette_notice::clean(page.as_bytes(), &options(InputKind::Html));
}
