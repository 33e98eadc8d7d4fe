//! `gazette_notice::clean` never panics: on arbitrary bytes, on random HTML-ish markup built
//! from the tags and chrome words the extractor reacts to, and on fixture pages with random
//! byte edits. Case counts are bounded so the whole file runs in a few seconds.

mod support;

use gazette_notice::{CleanOptions, InputKind};
use proptest::prelude::*;

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

#[test]
fn deep_nesting_does_not_overflow() {
    let page = format!("{}整改。{}", "<div>".repeat(3_000), "</div>".repeat(3_000));
    let _ = gazette_notice::clean(page.as_bytes(), &options(InputKind::Html));
    let page = "<table><tr><td>".repeat(1_000);
    let _ = gazette_notice::clean(page.as_bytes(), &options(InputKind::Html));
}
