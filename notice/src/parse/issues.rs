//! Numbered issues and where they sit. A notice's body has sections (一、整改工作组织情况 /
//! 二、整改落实情况 / 三、下一步…计划); only the rectification sections list issues. Within them
//! the issue level is the heading level that carries 关于…问题 headings, else the deepest
//! topical level (方面 → 1. → (1): the (1) items are the issues, the others their categories).
//! 一是/二是 enumerations are measures unless they are themselves 关于…问题 headings.

use super::headings::{Heading, LEVEL_CIRCLED, LEVEL_SECTION, heading};
use super::levels::{PROBLEM_LABELS, issue_level};
use super::status::{body_status, group_status, inline_status, label_status, note_status};
use crate::model::{Issue, IssueStatus};

/// Section headings about how rectification was organised (组织, 领导, 部署) or what comes
/// next (下一步, 长效机制, 今后, 计划): they list no issues.
const NON_ISSUE_SECTION_WORDS: [&str; 14] = [
    "组织",
    "领导",
    "部署",
    "总体情况",
    "基本情况",
    "开展情况",
    "下一步",
    "长效",
    "今后",
    "打算",
    "计划",
    "巩固",
    "持续深入",
    "深化巡察整改工作成效",
];

/// Words of a section heading that reports on rectification itself (落实, 进展, 问题).
const ISSUE_SECTION_WORDS: [&str; 6] = ["问题", "落实", "进展", "整改情况", "整改成效", "具体情况"];

/// 党组织 ("party organisations"): a topic of problems, not the 组织 of rectification work.
const PARTY_ORGANISATIONS: &str = "党组织";

/// 方面 ("aspect"): a section heading that is a topical category.
const ASPECT: &str = "方面";

/// Endings of an inspected unit's name heading its section in a round report.
const UNIT_ENDINGS: [&str; 6] = ["党组", "党委", "委员会", "党工委", "党总支", "党支部"];

/// Sentence ends that close an issue title.
const TITLE_ENDS: [char; 8] = ['。', '！', '？', '；', '：', ';', ':', '!'];

/// Quotes around the 关于“…” part of a heading.
const OPEN_QUOTES: [char; 4] = ['“', '"', '「', '『'];
/// Closing quotes.
const CLOSE_QUOTES: [char; 4] = ['”', '"', '」', '』'];

/// Issues found and which lines belong to issue bodies (the notice's own figures are read from
/// the other lines).
#[derive(Debug, Default)]
pub(crate) struct IssueScan {
    /// Issues in document order.
    pub(crate) issues: Vec<Issue>,
    /// Per line: inside an issue, or in an orphaned issue tail at the start of a continuation.
    pub(crate) in_issue: Vec<bool>,
    /// Per line: in a section about what comes next (下一步…计划), whose figures are plans.
    pub(crate) in_plan: Vec<bool>,
}

/// Words of a section heading about future work: next steps, plans, from now on.
const PLAN_WORDS: [&str; 4] = ["下一步", "计划", "打算", "今后"];

/// How a level-1 section relates to issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before any 一、 heading (a fragment may start inside the issue list).
    Preamble,
    /// Organisation or plan: no issues.
    Other,
    /// May list issues; `strong` when its heading says it reports rectification.
    Issues { strong: bool },
}

/// Finds the issues among `lines`; `continued` says the text starts mid-notice (上接).
pub(crate) fn scan(lines: &[&str], continued: bool) -> IssueScan {
    let headings: Vec<Option<Heading>> = lines.iter().map(|l| heading(l)).collect();
    let sections = sections(lines, &headings);
    let eligible = |i: usize| !matches!(sections[i], Section::Other);
    let text_of = |i: usize, h: &Heading| lines[i].get(h.rest..).unwrap_or_default();
    let in_plan = plan_mask(lines, &headings);
    let Some(level) = issue_level(&headings, &eligible, &text_of) else {
        return IssueScan {
            issues: Vec::new(),
            in_issue: orphan_mask(&headings, continued, LEVEL_SECTION),
            in_plan,
        };
    };
    let mut in_issue = orphan_mask(&headings, continued, level);
    let mut issues = Vec::new();
    // Enclosing headings: (level, text) from the section down.
    let mut stack: Vec<Enclosing> = Vec::new();
    let mut current: Option<usize> = None;
    // Per issue: its status already came from a note or a label (the first one wins).
    let mut settled: Vec<bool> = Vec::new();
    // Per issue: an enclosing heading groups it by status.
    let mut grouped: Vec<bool> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        if let Some(h) = h {
            if h.level <= level {
                current = None;
            }
            if h.level < level || (h.level == level && !eligible(i)) {
                stack.retain(|e| e.level < h.level);
                stack.push(Enclosing::new(h.level, text_of(i, h)));
                continue;
            }
            if h.level == level && eligible(i) {
                stack.retain(|e| e.level < h.level);
                let text = text_of(i, h);
                // A note on the heading (（已完成）) or a status stated on the heading line after
                // the title (…不规范。一是…。已完成整改。) settles the issue's status.
                let own = note_status(text)
                    .or_else(|| note_status(&first_sentence(text)))
                    .or_else(|| inline_status(after_title(text)));
                settled.push(own.is_some());
                grouped.push(enclosing_status(&stack).is_some());
                issues.push(Issue {
                    number: h.number.clone(),
                    title: issue_title(text),
                    status: own.or_else(|| enclosing_status(&stack)).unwrap_or_default(),
                    category_path: categories(&stack),
                });
                current = Some(issues.len() - 1);
                in_issue[i] = true;
                continue;
            }
        }
        if let Some(cur) = current {
            in_issue[i] = true;
            // A label (整改情况：已完成) overrides the group the issue sits in; a bare status
            // sentence (目前已整改到位。) only serves when no group states one.
            let found = label_status(lines[i])
                .or_else(|| (!grouped[cur]).then(|| body_status(lines[i])).flatten());
            if !settled[cur]
                && let Some(status) = found
            {
                issues[cur].status = status;
                settled[cur] = true;
            }
        }
    }
    number_unnumbered(&mut issues);
    IssueScan {
        issues,
        in_issue,
        in_plan,
    }
}

/// Lines under a level-1 heading about future work.
fn plan_mask(lines: &[&str], headings: &[Option<Heading>]) -> Vec<bool> {
    let mut inside = false;
    lines
        .iter()
        .zip(headings)
        .map(|(line, h)| {
            if let Some(h) = h.as_ref().filter(|h| h.level == LEVEL_SECTION) {
                let text = line.get(h.rest..).unwrap_or_default();
                inside = PLAN_WORDS.iter().any(|w| text.contains(w));
            }
            inside
        })
        .collect()
}

/// Numbers unnumbered 关于 headings by their position.
fn number_unnumbered(issues: &mut [Issue]) {
    for (i, issue) in issues.iter_mut().enumerate() {
        if issue.number.is_empty() {
            issue.number = (i + 1).to_string();
        }
    }
}

/// Classifies each line by the level-1 section it falls in.
fn sections(lines: &[&str], headings: &[Option<Heading>]) -> Vec<Section> {
    let mut kinds = Vec::with_capacity(lines.len());
    let mut current = Section::Preamble;
    for (line, h) in lines.iter().zip(headings) {
        if let Some(h) = h.as_ref().filter(|h| h.level == LEVEL_SECTION) {
            let text = line.get(h.rest..).unwrap_or_default();
            // "…方面" names a topic the inspection fed problems back on: the problems listed
            // under it are issues, whatever else the heading says (基层党组织建设方面).
            let aspect = text.contains(ASPECT);
            // 党组织 (party organisations) is a topic, not the organising of rectification.
            let topic_free = text.replace(PARTY_ORGANISATIONS, "");
            current = if !aspect
                && !text.contains("问题")
                && NON_ISSUE_SECTION_WORDS
                    .iter()
                    .any(|w| topic_free.contains(w))
            {
                Section::Other
            } else {
                Section::Issues {
                    strong: aspect || ISSUE_SECTION_WORDS.iter().any(|w| text.contains(w)),
                }
            };
        }
        kinds.push(current);
    }
    // When some section says it reports rectification, sections that do not are other matter.
    if kinds.contains(&Section::Issues { strong: true }) {
        for k in &mut kinds {
            if *k == (Section::Issues { strong: false }) {
                *k = Section::Other;
            }
        }
    }
    kinds
}

/// Lines at the start of a continued text that belong to an issue begun on another page.
fn orphan_mask(headings: &[Option<Heading>], continued: bool, level: u8) -> Vec<bool> {
    let mut mask = vec![false; headings.len()];
    if continued {
        for (i, h) in headings.iter().enumerate() {
            if h.as_ref()
                .is_some_and(|h| h.level <= level.min(LEVEL_CIRCLED))
            {
                break;
            }
            mask[i] = true;
        }
    }
    mask
}

/// A heading enclosing the lines that follow it.
struct Enclosing {
    level: u8,
    text: String,
    /// The status it groups issues by, if it is a status grouping.
    status: Option<IssueStatus>,
}

impl Enclosing {
    fn new(level: u8, text: &str) -> Self {
        Self {
            level,
            text: text.to_owned(),
            status: group_status(text),
        }
    }
}

/// The status of the nearest enclosing status grouping.
fn enclosing_status(stack: &[Enclosing]) -> Option<IssueStatus> {
    stack.iter().rev().find_map(|e| e.status)
}

/// Topical headings enclosing an issue, outermost first; level-1 sections only when they are
/// aspects (…方面) or inspected units (round reports), and never status groupings.
fn categories(stack: &[Enclosing]) -> Vec<String> {
    stack
        .iter()
        .filter(|e| {
            e.status.is_none()
                && (e.level > LEVEL_SECTION
                    || e.text.contains(ASPECT)
                    || UNIT_ENDINGS
                        .iter()
                        .any(|u| e.text.trim_end_matches('。').ends_with(u)))
        })
        .map(|e| first_sentence(&e.text))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Text up to the first sentence end, without trailing punctuation.
fn first_sentence(text: &str) -> String {
    let end = text.find(TITLE_ENDS).unwrap_or(text.len());
    text[..end]
        .trim()
        .trim_end_matches(['，', ',', '、', '.', '．'])
        .to_owned()
}

/// The issue title: the quoted part of 关于“X”问题的整改, the X of 关于X问题的整改, else the
/// heading text up to its first sentence end.
pub(crate) fn issue_title(text: &str) -> String {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("关于") {
        if let Some(open) = rest.chars().next().filter(|c| OPEN_QUOTES.contains(c)) {
            let inner = &rest[open.len_utf8()..];
            if let Some(close) = closing_quote(inner) {
                return inner[..close].trim().to_owned();
            }
        }
        if let Some(end) = rest.rfind("问题") {
            // 关于X的问题: the 的 joins X to 问题 and is no part of the title.
            let title = rest[..end].trim().trim_end_matches(['的', '之']);
            if !title.is_empty() && !title.contains('。') {
                return title.to_owned();
            }
        }
    }
    let text = PROBLEM_LABELS
        .iter()
        .find_map(|l| text.strip_prefix(l))
        .map_or(text, str::trim_start);
    let title = first_sentence(text);
    // A status note closing the title (…不全面（已整改）) is no part of it.
    match title.rfind(['（', '(']) {
        Some(open) if note_status(&title[open..]).is_some() => title[..open].trim_end().to_owned(),
        Some(_) | None => title,
    }
}

/// The heading text after its title sentence (where a status may be stated).
fn after_title(text: &str) -> &str {
    text.find(TITLE_ENDS).map_or("", |i| &text[i..])
}

/// Byte offset of the closing quote of a 关于“…”问题 heading: the last closing quote followed
/// by 问题 (titles may hold inner quotes), else the last closing quote before the sentence end.
fn closing_quote(inner: &str) -> Option<usize> {
    let limit = inner.find('。').unwrap_or(inner.len());
    let quotes: Vec<usize> = inner[..limit]
        .char_indices()
        .filter(|(_, c)| CLOSE_QUOTES.contains(c))
        .map(|(i, _)| i)
        .collect();
    quotes
        .iter()
        .rev()
        .find(|&&i| inner[i..].chars().nth(1).is_some_and(|c| c == '问'))
        .or(quotes.last())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_quotes_or_the_first_sentence() {
        assert_eq!(issue_title("关于“甲‘乙’丙”问题的整改"), "甲‘乙’丙");
        assert_eq!(issue_title("关于甲乙问题的整改情况"), "甲乙");
        assert_eq!(issue_title("关于甲乙不到位的问题"), "甲乙不到位");
        assert_eq!(
            issue_title("甲乙不全面（已整改）。按季度公开"),
            "甲乙不全面"
        );
        assert_eq!(issue_title("深入学习。一是加强"), "深入学习");
    }

    #[test]
    fn nested_lists_give_categories() {
        let lines = [
            "一、整改工作组织情况",
            "（一）加强领导。成立小组。",
            "二、整改落实情况",
            "（一）甲方面",
            "1.乙类",
            "（1）丙项。一是做了。",
            "（2）丁项。已完成。",
            "三、下一步工作计划",
            "（一）继续努力。",
        ];
        let scan = scan(&lines, false);
        let titles: Vec<_> = scan.issues.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["丙项", "丁项"]);
        assert_eq!(scan.issues[0].category_path, ["甲方面", "乙类"]);
    }

    #[test]
    fn status_from_groups_and_labels() {
        let lines = [
            "二、整改落实情况",
            "（一）已整改完成的问题",
            "1、关于“甲”问题的整改。",
            "整改结果及成效：",
            "（二）正在推进整改的问题",
            "1、关于“乙”问题的整改。",
            "2、关于“丙”问题的整改。",
            "整改措施及阶段性成效：",
            "正在深化整改的内容及时限：",
        ];
        let scan = scan(&lines, false);
        let statuses: Vec<_> = scan.issues.iter().map(|i| i.status).collect();
        assert_eq!(
            statuses,
            [
                IssueStatus::Completed,
                IssueStatus::InProgress,
                IssueStatus::InProgress
            ]
        );
        assert!(scan.issues.iter().all(|i| i.category_path.is_empty()));
    }
}
