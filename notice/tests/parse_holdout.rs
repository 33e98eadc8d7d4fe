//! The hold-out notices (`tests/fixtures/holdout/*.txt`, fictional, written to vary the layouts
//! real publishers use) against their hand-made gold parses (`*.json`, the schema of the shared
//! gold). Compared as `tools/score-parse.py` scores them: notice count, organisation, issue
//! numbers, titles (without quotes, 关于 and a trailing 问题/的整改) and statuses, and every field
//! the gold states; every difference is listed before the test fails.

mod support;

use gazette_notice::{CleanOptions, InputKind};
use serde_json::Value;
use std::path::PathBuf;

/// Fields compared when the gold states them (`group.leaf` inside a group object).
const FIELDS: [&str; 15] = [
    "organisation",
    "signed_by",
    "signed_on",
    "title",
    "published_at",
    "inspection.team",
    "inspection.kind",
    "inspection.start",
    "inspection.end",
    "inspection.feedback_on",
    "fragment.continued_from_page",
    "fragment.continues_on_page",
    "contact.phones",
    "contact.emails",
    "contact.address",
];

/// Gold files of the hold-out set, in name order.
fn gold_files() -> Vec<PathBuf> {
    let dir = support::fixtures_dir().join("holdout");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the holdout fixture directory exists")
        .map(|e| e.expect("holdout entries are readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Text as the scorer compares it: no whitespace or quotes, 党 as D, full-width ASCII folded.
fn norm_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !"“”‘’\"'「」『』".contains(*c))
        .map(|c| match c {
            '党' => 'D',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// An issue title as the scorer matches it: also without 关于 and a trailing 问题 / 的整改.
fn norm_title(s: &str) -> String {
    let s = norm_text(s);
    let mut s = s.trim_end_matches(['。', '.', ',', ';', ':', '!', '?']);
    s = s.strip_prefix("关于").unwrap_or(s);
    for suffix in ["整改情况", "的整改", "问题"] {
        s = s.strip_suffix(suffix).unwrap_or(s);
    }
    s.to_owned()
}

/// The value at `path` normalised for comparison; `None` for null, empty or absent.
fn field(notice: &Value, path: &str) -> Option<String> {
    let value = path.split('.').try_fold(notice, |v, key| v.get(key))?;
    let leaf = path.rsplit('.').next().unwrap_or(path);
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) if path.ends_with("_on") || path.ends_with("start") || leaf == "end" => {
            Some(s.chars().take(10).collect())
        }
        Value::String(s) => Some(norm_text(s)),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => {
            let mut set: Vec<String> = items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| match leaf {
                    "phones" => s.chars().filter(char::is_ascii_digit).collect(),
                    _ => s.trim().to_lowercase(),
                })
                .collect();
            set.sort();
            set.dedup();
            Some(set.join(" "))
        }
        Value::Number(n) => Some(n.as_f64().map_or_else(|| n.to_string(), |f| f.to_string())),
        other @ (Value::Bool(_) | Value::Object(_)) => Some(other.to_string()),
    }
}

/// Every difference between one parsed notice and its gold.
fn compare(name: &str, got: &Value, want: &Value, diffs: &mut Vec<String>) {
    let mut paths: Vec<String> = FIELDS.iter().map(|f| (*f).to_owned()).collect();
    if let Some(reported) = want["reported"].as_object() {
        paths.extend(reported.keys().map(|k| format!("reported.{k}")));
    }
    for path in paths {
        let want_value = field(want, &path);
        if want_value.is_none() {
            continue;
        }
        let mut got_value = field(got, &path);
        if path == "organisation" {
            let aliases: Vec<String> = want["organisation_aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(norm_text)
                .collect();
            if got_value.as_ref().is_some_and(|g| aliases.contains(g)) {
                got_value.clone_from(&want_value);
            }
        }
        if got_value != want_value {
            diffs.push(format!(
                "{name}: {path}: got {got_value:?}, want {want_value:?}"
            ));
        }
    }
    let issues = |v: &Value| -> Vec<(String, String, String)> {
        v["issues"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                let s = |k: &str| i[k].as_str().unwrap_or_default().to_owned();
                (s("number"), norm_title(&s("title")), s("status"))
            })
            .collect()
    };
    let (got_issues, want_issues) = (issues(got), issues(want));
    if got_issues != want_issues {
        diffs.push(format!(
            "{name}: issues (number, title, status)\n    got  {got_issues:?}\n    want {want_issues:?}"
        ));
    }
}

#[test]
fn holdout_notices_match_their_gold() {
    let files = gold_files();
    assert!(
        files.len() >= 15,
        "the hold-out set has {} files",
        files.len()
    );
    let mut diffs = Vec::new();
    for gold_path in &files {
        let name = gold_path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("holdout names are UTF-8")
            .to_owned();
        let gold: Value = serde_json::from_str(
            &std::fs::read_to_string(gold_path).expect("gold files are readable"),
        )
        .expect("gold files are JSON");
        let bytes = std::fs::read(gold_path.with_extension("txt")).expect("each gold has a text");
        let options = CleanOptions {
            kind: InputKind::Text,
            ..CleanOptions::default()
        };
        let (_, notices) = gazette_notice::parse(&bytes, &options).expect("holdout texts parse");
        let got = serde_json::to_value(&notices).expect("notices serialise");
        let (got, want) = (
            got.as_array().cloned().unwrap_or_default(),
            gold["notices"].as_array().cloned().unwrap_or_default(),
        );
        if got.len() != want.len() {
            diffs.push(format!(
                "{name}: {} notices, want {}",
                got.len(),
                want.len()
            ));
        }
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            compare(&format!("{name}[{i}]"), g, w, &mut diffs);
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
