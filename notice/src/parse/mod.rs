//! Cleaned text to notices.

use crate::document::CleanDocument;
use crate::model::{Issue, IssueStatus, Notice};
use regex::Regex;
use std::sync::LazyLock;

/// 关于“X”问题的整改: the usual issue heading of a rectification notice.
static ISSUE_HEADING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(\d+)\s*[、.．]\s*关于[“\x22](.+?)[”\x22]问题")
        .expect("the issue heading pattern is a valid regex")
});

/// 中共…委员会 / 党组 / 工委: a party organisation's full name.
static ORGANISATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"中共[^，。、；：\s“”]{2,30}?(?:委员会|党组|工委)")
        .expect("the organisation pattern is a valid regex")
});

/// Turns a cleaned document into the notices it contains.
#[derive(Debug, Clone, Default)]
pub struct NoticeParser;

impl NoticeParser {
    /// A parser with the default rules.
    pub fn new() -> Self {
        Self
    }

    /// Parses every notice in `doc`; a text with no notice in it gives an empty list.
    pub fn parse(&self, doc: &CleanDocument) -> Vec<Notice> {
        let mut notice = Notice {
            title: doc.title.clone(),
            organisation: ORGANISATION.find(&doc.text).map(|m| m.as_str().to_owned()),
            published_at: doc.metadata.published_at,
            ..Notice::default()
        };
        for line in doc.text.lines() {
            if let Some(caps) = ISSUE_HEADING.captures(line) {
                notice.issues.push(Issue {
                    number: caps[1].to_owned(),
                    title: caps[2].to_owned(),
                    status: IssueStatus::NotStated,
                    category_path: Vec::new(),
                });
            }
        }
        if notice.organisation.is_none() && notice.issues.is_empty() {
            return Vec::new();
        }
        vec![notice]
    }
}
