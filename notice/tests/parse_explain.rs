//! `gazette parse --explain` on every fixture of the repository (the notices, the hold-out set,
//! the layout fixtures and the blind batches): the outline of each notice with every node's role
//! and its evidence, as reviewed insta snapshots. A change in how a notice is read shows here as
//! a change of role or evidence, so a wrong issue can be traced to the rule that made it.

mod support;

use gazette_notice::{CleanOptions, InputKind};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Fixture directories whose inputs are explained.
const DIRS: [&str; 7] = [
    "notices",
    "holdout",
    "layouts",
    "blind/batch1",
    "blind/batch2",
    "blind/batch3",
    "blind/batch4",
];

/// Inputs (.txt and .html) of `dir`, in name order.
fn inputs(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(support::fixtures_dir().join(dir))
        .expect("the fixture directory exists")
        .map(|e| e.expect("fixture entries are readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt" || e == "html"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_is_explained_as_snapshotted() {
    let mut explained = 0;
    for dir in DIRS {
        for path in inputs(dir) {
            let kind = if path.extension().is_some_and(|e| e == "html") {
                InputKind::Html
            } else {
                InputKind::Text
            };
            let bytes = std::fs::read(&path).expect("fixtures are readable");
            let options = CleanOptions {
                kind,
                ..CleanOptions::default()
            };
            let explanations =
                gazette_notice::explain(&bytes, &options).expect("fixtures clean and parse");
            let mut text = String::new();
            for (i, e) in explanations.iter().enumerate() {
                let _ = write!(text, "notice {}\n{e}", i + 1);
            }
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("fixture names are UTF-8");
            let name = format!("{}__{stem}", dir.replace('/', "_"));
            insta::assert_snapshot!(name, text);
            explained += 1;
        }
    }
    assert!(explained >= 200, "only {explained} fixtures explained");
}

/// The library's explanation and the parse agree: every issue the parser returns is a node
/// the explanation calls an issue, in the same order.
#[test]
fn explanations_list_the_parsed_issues() {
    for dir in DIRS {
        for path in inputs(dir)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        {
            let bytes = std::fs::read(&path).expect("fixtures are readable");
            let options = CleanOptions {
                kind: InputKind::Text,
                ..CleanOptions::default()
            };
            let (_, notices) = gazette_notice::parse(&bytes, &options).expect("fixtures parse");
            let explanations = gazette_notice::explain(&bytes, &options).expect("fixtures parse");
            assert_eq!(notices.len(), explanations.len(), "{}", path.display());
            for (n, e) in notices.iter().zip(&explanations) {
                let issues = e
                    .nodes
                    .iter()
                    .filter(|node| node.role == gazette_notice::Role::Issue)
                    .count();
                assert_eq!(n.issues.len(), issues, "{}", path.display());
            }
        }
    }
}
