//! Expected parses of the project's own fictional notices (`tests/fixtures/notices/*.txt`), as
//! reviewed insta snapshots. The parser runs on the fixture text directly, so these expectations
//! do not move when the cleaner changes; page and paywall markers left in the text are the
//! parser's own fallback to handle.

mod support;

use gazette_notice::{CleanDocument, NoticeParser};
use std::path::PathBuf;

/// Fixture files in name order.
fn fixtures() -> Vec<PathBuf> {
    let dir = support::fixtures_dir().join("notices");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the notices fixture directory exists")
        .map(|e| e.expect("fixture entries are readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_parse_as_snapshotted() {
    let files = fixtures();
    let mut notices = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("fixtures are UTF-8 text");
        let doc = CleanDocument {
            text,
            ..CleanDocument::default()
        };
        let parsed = NoticeParser::new().parse(&doc);
        notices += parsed.len();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("fixture names are UTF-8");
        insta::assert_json_snapshot!(name, parsed);
    }
    assert!(files.len() >= 30, "only {} fixture files", files.len());
    assert!(notices >= 30, "only {notices} fixture notices");
}

/// The whole pipeline (clean, then parse) must not change what the parser finds in text that
/// is already clean: the cleaner's reflow and chrome rules must leave notices intact.
#[test]
fn cleaning_first_changes_no_parse() {
    let options = gazette_notice::CleanOptions {
        kind: gazette_notice::InputKind::Text,
        ..Default::default()
    };
    let mut differing = Vec::new();
    for path in fixtures() {
        let bytes = std::fs::read(&path).expect("fixture readable");
        let text = String::from_utf8(bytes.clone()).expect("fixtures are UTF-8 text");
        let direct = NoticeParser::new().parse(&CleanDocument {
            text,
            ..CleanDocument::default()
        });
        let (_, piped) = gazette_notice::parse(&bytes, &options).expect("fixture cleans");
        if direct != piped {
            differing.push(path.display().to_string());
        }
    }
    assert!(
        differing.is_empty(),
        "clean+parse differs from parse for {differing:#?}"
    );
}
