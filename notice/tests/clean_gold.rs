//! The shared corpus's gold checks in Rust (`../shared/gold/cleaning.json` over the seeds and
//! `../shared/gold/gov-html.json` over the ten CMS pages), the same checks as
//! `tools/score-clean.py` plus the first line being the title and the published date. Skipped
//! with a note when `../shared` is absent (fails under `CI=true`).

mod support;

use gazette_notice::{CleanDocument, CleanOptions, InputKind};
use std::path::Path;

fn clean_file(path: &Path) -> CleanDocument {
    let bytes = std::fs::read(path).expect("fixture is readable");
    let kind = if path.extension().is_some_and(|e| e == "txt") {
        InputKind::Text
    } else {
        InputKind::Auto
    };
    let options = CleanOptions {
        kind,
        ..CleanOptions::default()
    };
    gazette_notice::clean(&bytes, &options).expect("fixture cleans")
}

/// The comparison form of score-clean.py: no whitespace, full-width ，：；（）！？ as ASCII.
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '（' => '(',
            '）' => ')',
            '！' => '!',
            '？' => '?',
            other => other,
        })
        .collect()
}

fn iso(doc: &CleanDocument) -> Option<String> {
    doc.metadata.published_at.map(|p| {
        let d = p.date;
        format!("{:04}-{:02}-{:02}", d.year, d.month, d.day.unwrap_or(1))
    })
}

/// One entry of a shared gold file (the input of score-clean.py).
#[derive(serde::Deserialize)]
struct GoldEntry {
    #[serde(default)]
    must_contain: Vec<String>,
    #[serde(default)]
    must_not_contain: Vec<String>,
    title: Option<String>,
    published: Option<String>,
}

fn check_gold(gold: &Path, inputs: &Path) -> Vec<String> {
    let raw = std::fs::read_to_string(gold).expect("gold file is readable");
    let entries: std::collections::BTreeMap<String, GoldEntry> =
        serde_json::from_str(&raw).expect("gold file is a JSON object");
    let mut failures = Vec::new();
    for (name, entry) in entries {
        let doc = clean_file(&inputs.join(&name));
        let out = normalise(&doc.text);
        for phrase in &entry.must_contain {
            if !out.contains(&normalise(phrase)) {
                failures.push(format!("{name}: missing {phrase}"));
            }
        }
        for junk in &entry.must_not_contain {
            if out.contains(&normalise(junk)) {
                failures.push(format!("{name}: leaked {junk}"));
            }
        }
        if let Some(title) = &entry.title {
            let first = doc.text.lines().next().map(normalise).unwrap_or_default();
            if !first.contains(&normalise(title)) {
                failures.push(format!(
                    "{name}: first line {first:?} is not the title {title}"
                ));
            }
        }
        if let Some(published) = &entry.published
            && iso(&doc).as_deref() != Some(published.as_str())
        {
            failures.push(format!("{name}: published {:?} != {published}", iso(&doc)));
        }
    }
    failures
}

#[test]
fn shared_gold_cleaning_and_gov_html() {
    let Some(shared) = support::shared_dir() else {
        return;
    };
    let mut failures = check_gold(&shared.join("gold/cleaning.json"), &shared.join("seeds"));
    failures.extend(check_gold(
        &shared.join("gold/gov-html.json"),
        &shared.join("fixtures/gov-html"),
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
