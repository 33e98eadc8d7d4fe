//! The real notices of the shared corpus (`../shared/seeds`) against their gold parses: notice
//! counts, issue counts, organisations and statuses. The full field-by-field scoring is
//! `tools/score-parse.py`; this is the quick in-Rust check that runs with `cargo test`.

mod support;

use gazette_notice::{CleanOptions, InputKind};
use serde_json::Value;

#[test]
fn seeds_match_gold_counts() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let mut seen = 0;
    for entry in std::fs::read_dir(shared.join("seeds")).expect("seeds dir is readable") {
        let path = entry.expect("seed entries are readable").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let gold_path = shared.join("gold").join(format!("{stem}.json"));
        let Ok(gold) = std::fs::read_to_string(&gold_path) else {
            continue;
        };
        let gold: Value = serde_json::from_str(&gold).expect("gold files are JSON");
        let gold = gold["notices"].as_array().expect("gold has a notices list");
        let bytes = std::fs::read(&path).expect("seed is readable");
        let options = CleanOptions {
            kind: InputKind::Text,
            ..CleanOptions::default()
        };
        let (_, notices) = gazette_notice::parse(&bytes, &options).expect("seeds parse");
        assert_eq!(notices.len(), gold.len(), "{stem}: notice count");
        for (got, want) in notices.iter().zip(gold) {
            let want_issues = want["issues"].as_array().map_or(0, Vec::len);
            assert_eq!(got.issues.len(), want_issues, "{stem}: issue count");
            assert_eq!(
                got.organisation.as_deref(),
                want["organisation"].as_str(),
                "{stem}: organisation"
            );
            for (issue, gold_issue) in got
                .issues
                .iter()
                .zip(want["issues"].as_array().into_iter().flatten())
            {
                assert_eq!(
                    Some(issue.status.as_str()),
                    gold_issue["status"].as_str(),
                    "{stem}: status"
                );
                assert_eq!(
                    Some(issue.number.as_str()),
                    gold_issue["number"].as_str(),
                    "{stem}: number"
                );
            }
        }
        seen += 1;
    }
    assert!(seen > 0, "no seed had a gold file");
}
