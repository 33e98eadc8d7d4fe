//! Issues read off the outline: every node [`super::roles`] called an issue, numbered as
//! printed, titled by its heading (the quoted part of 关于“…”的问题, else the first sentence),
//! with the status stated where a reader finds it: a note or label on the heading (（已完成）,
//! 【已完成】), a label or sentence in its body (状态：已办结, 整改情况：持续推进, 该问题已整改到位),
//! the status column of its table row, else the status group it sits in (已完成整改的问题).

use super::headings::LEVEL_CIRCLED;
use super::outline::{self, NodeKind, Outline, Role};
use super::roles::{self, strip_problem_label};
use super::status::{
    body_status, bracket_status, inline_status, label_status, label_value_status, note_status,
};
use crate::model::{Issue, IssueStatus};

/// Sentence ends that close an issue title.
const TITLE_ENDS: [char; 8] = ['。', '！', '？', '；', '：', ';', ':', '!'];

/// Quotes around the 关于“…” part of a heading.
const OPEN_QUOTES: [char; 4] = ['“', '"', '「', '『'];
/// Closing quotes.
const CLOSE_QUOTES: [char; 4] = ['”', '"', '」', '』'];

/// 针对 ("as to"): opens a heading that quotes the problem it answers (针对“X”问题).
const REGARDING: &str = "针对";

/// Characters of the words that may follow a quoted title (的问题, 方面的问题, 的整改, 整改情况,
/// 整改进展落实): a quote followed by nothing else wraps the whole title.
const WRAPPER_CHARS: &str = "的之问题方面整改情况进展落实及：:";

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
    /// The outline the issues were read from, with roles, evidence and statuses.
    pub(crate) outline: Outline,
}

/// Builds the outline of `lines`, gives its nodes roles and reads the issues; `opening` is the
/// opening paragraph's line, `continued` says the text starts mid-notice (上接).
pub(crate) fn scan(lines: &[&str], opening: Option<usize>, continued: bool) -> IssueScan {
    let mut outline = outline::build(lines, opening, continued);
    roles::assign(&mut outline);
    read(outline, lines)
}

/// Reads the issues off an outline whose roles are assigned.
fn read(mut outline: Outline, lines: &[&str]) -> IssueScan {
    let mut issues = Vec::new();
    let mut in_issue = orphan_mask(&outline, lines.len());
    let mut in_plan = vec![false; lines.len()];
    // A notice that groups its issues by status may print one form label (整改措施及阶段性成效：)
    // under every group alike; such a label says nothing about an issue outside the groups
    // either (the tail of a group begun on another page). A label seen under no group
    // (整改结果及成效：) still speaks by its name.
    let template_labels: Vec<&str> = outline
        .nodes
        .iter()
        .filter(|n| matches!(n.role, Role::StatusGroup(_)))
        .flat_map(|n| {
            lines
                .get(n.line + 1..n.end.min(lines.len()))
                .unwrap_or_default()
        })
        .filter_map(|l| label_name(l))
        .collect();
    for i in 0..outline.nodes.len() {
        let node = &outline.nodes[i];
        let span = node.line..node.end.min(lines.len());
        if node.role == Role::Plan && node.level == super::headings::LEVEL_SECTION {
            in_plan[span.clone()].fill(true);
        }
        if node.role != Role::Issue {
            continue;
        }
        in_issue[span.clone()].fill(true);
        let group = outline.ancestors(i).find_map(|a| {
            if let Role::StatusGroup(s) = a.role {
                Some((s, format!("in the group {}", first_sentence(&a.text))))
            } else {
                None
            }
        });
        let status = if let NodeKind::Row(row) = &node.kind {
            row.status
                .clone()
                .map(|(s, column)| (s, format!("the {column} column")))
                .or(group)
        } else {
            heading_status(&node.text, lines, span.clone(), group, &template_labels)
        };
        let category_path = outline
            .ancestors(i)
            .filter(|a| matches!(a.role, Role::IssueCategory | Role::RoundUnit))
            .map(|a| first_sentence(&a.text))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        issues.push(Issue {
            number: node.number.clone(),
            title: issue_title(&node.text),
            status: status.as_ref().map_or(IssueStatus::NotStated, |s| s.0),
            category_path,
        });
        outline.nodes[i].status = Some(status.unwrap_or((IssueStatus::NotStated, String::new())));
    }
    number_unnumbered(&mut issues);
    IssueScan {
        issues,
        in_issue,
        in_plan,
        outline,
    }
}

/// The status of an issue heading: a note or label on the heading itself settles it; else a
/// label in its body whose value states a status (整改情况：已完成) overrides its group; a
/// label named with status words (整改结果及成效：) or a bare status sentence (目前已整改到位。)
/// serves only when no group states one and the label is not the form the notice prints under
/// its status groups (`templates`). A bracketed label opening a body line (【已完成】加大…)
/// states the issue's status like one on the heading.
fn heading_status(
    text: &str,
    lines: &[&str],
    span: std::ops::Range<usize>,
    group: Option<(IssueStatus, String)>,
    templates: &[&str],
) -> Option<(IssueStatus, String)> {
    let own = note_status(text)
        .or_else(|| note_status(&first_sentence(text)))
        .or_else(|| bracket_status(text).map(|s| s.0))
        .or_else(|| inline_status(after_title(text)));
    if let Some(s) = own {
        return Some((s, "stated on the heading".to_owned()));
    }
    let body = lines.get(span.start + 1..span.end).unwrap_or_default();
    body.iter()
        .find_map(|line| {
            if let Some((s, 0)) = bracket_status(line.trim_start()) {
                return Some((s, "a bracketed label opening its text".to_owned()));
            }
            let grouped =
                group.is_some() || label_name(line).is_some_and(|name| templates.contains(&name));
            let label = if grouped {
                label_value_status(line)
            } else {
                label_status(line)
            };
            label
                .map(|s| (s, format!("the label {}", shorten_label(line))))
                .or_else(|| {
                    (!grouped)
                        .then(|| body_status(line))
                        .flatten()
                        .map(|s| (s, "a status sentence in its text".to_owned()))
                })
        })
        .or(group)
}

/// The name of a label line (整改措施及阶段性成效 of `整改措施及阶段性成效：…`).
fn label_name(line: &str) -> Option<&str> {
    let line = line.trim();
    let colon = line.find(['：', ':'])?;
    let name = &line[..colon];
    (name.chars().count() <= 16 && !name.contains(['，', '。', ','])).then_some(name)
}

/// A label line shown as evidence: up to its first clause.
fn shorten_label(line: &str) -> String {
    let end = line.find(['。', '，', '；']).unwrap_or(line.len());
    line[..end].chars().take(20).collect()
}

/// Lines at the start of a continued text that belong to an issue begun on another page: up
/// to the first heading at or above the issue level.
fn orphan_mask(outline: &Outline, total: usize) -> Vec<bool> {
    let mut mask = vec![false; total];
    if outline.continued {
        let issue_level = outline
            .nodes
            .iter()
            .filter(|n| n.role == Role::Issue)
            .map(|n| n.level)
            .min()
            .unwrap_or(super::headings::LEVEL_SECTION);
        let stop = outline
            .nodes
            .iter()
            .find(|n| n.level <= issue_level.min(LEVEL_CIRCLED) && n.level > outline::LEVEL_TOP)
            .map_or(total, |n| n.line);
        mask[..stop.min(total)].fill(true);
    }
    mask
}

/// Numbers unnumbered issues (关于 lines, `问题：` labels, rows without 序号) by position.
fn number_unnumbered(issues: &mut [Issue]) {
    for (i, issue) in issues.iter_mut().enumerate() {
        if issue.number.is_empty() {
            issue.number = (i + 1).to_string();
        }
    }
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
    // 针对“X”问题 ("as to the problem X") wraps a quoted title the way 关于“X”的问题 does.
    if let Some(inner) = text
        .strip_prefix(REGARDING)
        .and_then(|rest| rest.strip_prefix(OPEN_QUOTES))
        && let Some(close) = closing_quote(inner)
    {
        return inner[..close].trim().to_owned();
    }
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
    // A status label (【已完成】) ends the title, whatever the cleaner joined after it.
    let text = bracket_status(text).map_or(text, |(_, at)| text[..at].trim_end());
    let text = strip_problem_label(text);
    let title = first_sentence(text);
    // A status note closing the title (…不全面（已整改）, …【已完成】) is no part of it.
    match title.rfind(['（', '(', '【']) {
        Some(open) if note_status(&title[open..]).is_some() => title[..open].trim_end().to_owned(),
        Some(_) | None => title,
    }
}

/// The heading text after its title sentence (where a status may be stated).
fn after_title(text: &str) -> &str {
    text.find(TITLE_ENDS).map_or("", |i| &text[i..])
}

/// Byte offset of the closing quote of a 关于“…”问题 heading: the last closing quote followed
/// by nothing but wrapper words (的问题, 问题的整改; titles may hold inner quotes). A quote
/// followed by more words closes a quoted term inside the title (关于“一岗双责”履行不到位的问题,
/// 关于“四风”问题反弹回潮的问题), which stays whole.
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
        .find(|&&i| {
            let after = &inner[i..];
            let after = after
                .get(after.chars().next().map_or(0, char::len_utf8)..)
                .unwrap_or("");
            // Up to the sentence end or a status note (（已完成）, 【已完成】).
            after[..after.find(['。', '（', '(', '【']).unwrap_or(after.len())]
                .chars()
                .all(|c| WRAPPER_CHARS.contains(c))
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_quotes_or_the_first_sentence() {
        assert_eq!(issue_title("关于“甲‘乙’丙”问题的整改"), "甲‘乙’丙");
        assert_eq!(issue_title("关于“甲‘乙’丙”的问题"), "甲‘乙’丙");
        assert_eq!(
            issue_title("关于“一岗双责”履行不到位的问题"),
            "“一岗双责”履行不到位"
        );
        assert_eq!(issue_title("关于甲乙问题的整改情况"), "甲乙");
        assert_eq!(issue_title("关于甲乙不到位的问题"), "甲乙不到位");
        assert_eq!(
            issue_title("甲乙不全面（已整改）。按季度公开"),
            "甲乙不全面"
        );
        assert_eq!(issue_title("甲乙不全面【已完成】"), "甲乙不全面");
        assert_eq!(issue_title("针对“甲乙不优”问题"), "甲乙不优");
        assert_eq!(
            issue_title("针对“丙丁问题仍未根治”问题"),
            "丙丁问题仍未根治"
        );
        // Quoted terms inside a longer title stay whole.
        assert_eq!(
            issue_title("针对“四风”问题开展专项整治不彻底"),
            "针对“四风”问题开展专项整治不彻底"
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
        let scan = scan(&lines, None, false);
        let titles: Vec<_> = scan.issues.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["丙项", "丁项"]);
        assert_eq!(scan.issues[0].category_path, ["甲方面", "乙类"]);
    }

    #[test]
    fn bracket_labels_open_the_text_and_form_labels_stay_templates() {
        let lines = [
            "二、反馈问题整改落实情况",
            "（一）甲乙工作质效不高",
            "【已完成】加大保障力度，新增产品6款。",
            "（二）丙丁风险管控不严",
            "【持续推进】修订内控规程。",
        ];
        let statuses: Vec<_> = scan(&lines, None, false)
            .issues
            .iter()
            .map(|i| i.status)
            .collect();
        assert_eq!(statuses, [IssueStatus::Completed, IssueStatus::InProgress]);
        // The tail of a group begun on another page: its form label is the notice's template.
        let lines = [
            "3.甲乙公开不及时不规范",
            "整改措施及阶段性成效：制定公开目录，按月公开。",
            "二、正在推进整改的问题",
            "1.丙丁管护机制不健全",
            "整改措施及阶段性成效：建立保洁机制。",
        ];
        let statuses: Vec<_> = scan(&lines, None, true)
            .issues
            .iter()
            .map(|i| i.status)
            .collect();
        assert_eq!(statuses, [IssueStatus::NotStated, IssueStatus::InProgress]);
    }

    #[test]
    fn status_from_groups_labels_and_columns() {
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
        let scan = scan(&lines, None, false);
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
        let table = [
            "序号\t反馈问题\t整改措施\t整改进展",
            "1\t甲乙不到位\t制定办法\t已完成",
            "2\t丙丁不规范\t开展检查\t长期坚持",
        ];
        let rows = super::scan(&table, None, false);
        let got: Vec<_> = rows
            .issues
            .iter()
            .map(|i| (i.number.as_str(), i.title.as_str(), i.status))
            .collect();
        assert_eq!(
            got,
            [
                ("1", "甲乙不到位", IssueStatus::Completed),
                ("2", "丙丁不规范", IssueStatus::InProgress)
            ]
        );
    }

    #[test]
    fn measures_are_no_issues() {
        let lines = [
            "根据省委部署，省委第一巡视组对甲市进行了巡视，并向甲市委反馈了意见。",
            "一、坚持以上率下，推动整改落实",
            "1.加强组织领导。成立领导小组。",
            "2.压实整改责任。逐条认领。",
            "3.细化整改措施。制定措施。",
        ];
        let scan = scan(&lines, Some(0), false);
        assert!(scan.issues.is_empty(), "{:?}", scan.issues);
        assert_eq!(scan.outline.warnings.len(), 1);
    }
}
