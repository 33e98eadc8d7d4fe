//! The parser never panics: not on random strings (including multi-byte characters around every
//! boundary it slices at), not on fixture notices mangled by deletions, insertions and line
//! breaks, and not through the whole `gazette_notice::parse` pipeline on raw bytes.

mod support;

use gazette_notice::{
    CleanDocument, CleanOptions, InputKind, NoticeParser, PageMarker, PageMarkerKind,
};
use proptest::prelude::*;

/// Characters the parser's rules care about, so random text hits its code paths.
const ALPHABET: &[&str] = &[
    "关于",
    "“",
    "”",
    "问题",
    "的整改",
    "。",
    "，",
    "：",
    "\n",
    "\n",
    "一、",
    "（一）",
    "1、",
    "1.",
    "（1）",
    "①",
    "一是",
    "第一，",
    "中共",
    "委员会",
    "党组",
    "工委",
    "2021年",
    "6月",
    "23日",
    "至",
    "巡察",
    "巡视",
    "组",
    "第六",
    "反馈",
    "已完成",
    "正在推进",
    "个问题",
    "条整改措施",
    "@",
    "163.com",
    "电话",
    "0510-",
    "88203269",
    "邮政信箱",
    "；",
    "上接第",
    "下转第",
    "7版",
    "##paidbegin##",
    "X",
    "D",
    "十六",
    "万元",
    "人",
    " ",
    "é",
    "😀",
    "\u{3000}",
];

fn fixture_texts() -> Vec<String> {
    let dir = support::fixtures_dir().join("notices");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .expect("the notices fixture directory exists")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    texts.sort();
    texts
}

fn parse_text(text: String, markers: Vec<PageMarker>) {
    let doc = CleanDocument {
        text,
        page_markers: markers,
        ..CleanDocument::default()
    };
    let _ = NoticeParser::new().parse(&doc);
}

/// A mutation: delete a char range, insert a token, or break a line, at a char position.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, usize),
    Break(usize),
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let n = chars.len().max(1);
        match *m {
            Mutation::Delete(at, len) => {
                let at = at % n;
                let end = (at + len % 8).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            Mutation::Insert(at, token) => {
                let at = (at % n).min(chars.len());
                let token = ALPHABET[token % ALPHABET.len()];
                chars.splice(at..at, token.chars());
            }
            Mutation::Break(at) => {
                let at = (at % n).min(chars.len());
                chars.insert(at, '\n');
            }
        }
    }
    chars.into_iter().collect()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, l)| Mutation::Delete(a, l)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, t)| Mutation::Insert(a, t)),
        any::<usize>().prop_map(Mutation::Break),
    ]
}

fn marker() -> impl Strategy<Value = PageMarker> {
    (any::<bool>(), 0u32..40, any::<usize>()).prop_map(|(from, page, offset)| PageMarker {
        kind: if from {
            PageMarkerKind::ContinuedFrom
        } else {
            PageMarkerKind::ContinuesOn
        },
        page,
        offset: offset % 4096,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_token_soup(tokens in prop::collection::vec(0..ALPHABET.len(), 0..200), markers in prop::collection::vec(marker(), 0..4)) {
        let text: String = tokens.iter().map(|&i| ALPHABET[i]).collect();
        parse_text(text, markers);
    }

    #[test]
    fn never_panics_on_random_strings(text in "\\PC{0,400}") {
        parse_text(text, Vec::new());
    }

    #[test]
    fn never_panics_on_mutated_fixtures(which in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..24), markers in prop::collection::vec(marker(), 0..3)) {
        let texts = fixture_texts();
        let text = mutate(&texts[which % texts.len()], &mutations);
        parse_text(text, markers);
    }

    #[test]
    fn pipeline_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let options = CleanOptions { kind: InputKind::Text, ..CleanOptions::default() };
        let _ = gazette_notice::parse(&bytes, &options);
    }
}
