//! Rectification status words. A notice states status in the section an issue sits under
//! (（一）已整改完成的问题), in a label after the issue heading (整改结果及成效：) or in a note
//! on the heading itself (（已完成）). 整改进展情况及成效 alone says nothing either way.

use crate::model::IssueStatus;
use regex::Regex;
use std::sync::LazyLock;

/// Words of an unfinished or long-term rectification: stage results (阶段性成效), being
/// pushed on (正在推进), deepened (正在深化), continued (持续推进), kept up long-term
/// (长期坚持), basically done (基本完成), not yet done (尚未完成). Checked before the completed
/// words because 基本完成 and 未完成 contain 完成.
const IN_PROGRESS_WORDS: [&str; 19] = [
    "阶段性成效",
    "阶段性完成",
    "阶段性进展",
    "阶段性成果",
    "正在推进",
    "正在整改",
    "正在深化",
    "正在落实",
    "持续推进",
    "持续整改",
    "长期坚持",
    "长期推进",
    "长期整改",
    "整改中",
    "推进中",
    "基本完成",
    "尚未完成",
    "未完成",
    "逐步推进",
];

/// Words of a finished rectification: results (整改结果及成效), rectified and completed
/// (已整改完成, 已经完成), in place (整改到位), closed (办结, 销号).
const COMPLETED_WORDS: [&str; 12] = [
    "整改结果",
    "已经完成",
    "已经整改",
    "已整改完成",
    "已完成整改",
    "已整改到位",
    "已完成",
    "整改完成",
    "已办结",
    "已销号",
    "整改到位",
    "已整改",
];

/// Words that mark a heading as a grouping of issues by status rather than a topic.
const GROUP_WORDS: [&str; 4] = ["问题", "事项", "任务", "整改"];

/// Labels that introduce an issue's status or results (整改情况：, 整改结果及成效：, 状态：).
const LABEL_WORDS: [&str; 8] = [
    "整改", "成效", "进展", "结果", "完成", "情况", "措施", "状态",
];

/// Either word list as one alternation, so a text is scanned once per list.
fn alternation(words: &[&str]) -> Regex {
    Regex::new(&words.join("|")).expect("status words are plain literals")
}

/// [`IN_PROGRESS_WORDS`] compiled.
static IN_PROGRESS: LazyLock<Regex> = LazyLock::new(|| alternation(&IN_PROGRESS_WORDS));
/// [`COMPLETED_WORDS`] compiled.
static COMPLETED: LazyLock<Regex> = LazyLock::new(|| alternation(&COMPLETED_WORDS));

/// The status `text` states, if any.
pub(crate) fn status_of(text: &str) -> Option<IssueStatus> {
    if IN_PROGRESS.is_match(text) {
        Some(IssueStatus::InProgress)
    } else if COMPLETED.is_match(text) {
        Some(IssueStatus::Completed)
    } else {
        None
    }
}

/// The status of a heading that groups issues by status (（一）已整改完成的问题, 三、需长期
/// 坚持的问题); topical headings that merely contain such words (持续推进“三服务”) give none.
pub(crate) fn group_status(heading_text: &str) -> Option<IssueStatus> {
    let text = heading_text.trim();
    let status = status_of(text)?;
    (text.chars().count() <= 24
        && (GROUP_WORDS.iter().any(|w| text.contains(w)) || text.chars().count() <= 8))
        .then_some(status)
}

/// The status a label line states: `整改结果及成效：`, `整改情况：已完成。`, or a short line
/// that is only a status phrase.
pub(crate) fn label_status(line: &str) -> Option<IssueStatus> {
    read_label(line, true)
}

/// The status the value of a label line states (整改情况：已完成, 状态：持续推进), ignoring what
/// the label's name says: under a status group, a form label such as 整改措施及阶段性成效： is
/// the notice's template, not a statement about the issue.
pub(crate) fn label_value_status(line: &str) -> Option<IssueStatus> {
    read_label(line, false)
}

/// A label line's status; `by_name` lets the label's own words count (整改结果及成效：).
fn read_label(line: &str, by_name: bool) -> Option<IssueStatus> {
    let line = line.trim();
    if let Some(colon) = line.find(['：', ':']) {
        let label = &line[..colon];
        let n = label.chars().count();
        if !(2..=16).contains(&n) || label.contains(['，', '。', ',']) {
            return None;
        }
        if !LABEL_WORDS.iter().any(|w| label.contains(w)) {
            return None;
        }
        let value = line[colon..].trim_start_matches(['：', ':']);
        // The value's first clause: 整改情况：已完成。… / 整改进展：正在推进。…
        let clause_end = value
            .find(['。', '，', '；', ',', ';'])
            .unwrap_or(value.len());
        let head: String = value[..clause_end].chars().take(12).collect();
        return by_name
            .then(|| status_of(label))
            .flatten()
            .or_else(|| value_status(&head));
    }
    (line.chars().count() <= 12)
        .then(|| status_of(line))
        .flatten()
}

/// What may follow a completed word in a label's value and leave it a status: nothing, 整改,
/// a particle or a conjunction (已完成整改, 已办结。, 已完成，并…). Anything else is the object of
/// work done (已完成南湖菜市场改造), which is a result, not the issue's status.
const AFTER_COMPLETED: [&str; 5] = ["整改", "了", "并", "。", "，"];

/// The status a label's value states (its first clause, `head`).
fn value_status(head: &str) -> Option<IssueStatus> {
    match status_of(head)? {
        IssueStatus::Completed => {
            let after = COMPLETED.find(head).map_or("", |m| &head[m.end()..]);
            (after.is_empty() || AFTER_COMPLETED.iter().any(|a| after.starts_with(a)))
                .then_some(IssueStatus::Completed)
        }
        other @ (IssueStatus::InProgress | IssueStatus::NotStated) => Some(other),
    }
}

/// Time words that open a sentence about where the work stands now (目前正在推进…建设): an
/// in-progress word right after them states that the issue is still being rectified, whatever
/// the object.
const NOW: [&str; 3] = ["目前", "当前", "现"];

/// Subjects and time words a bare status sentence may start with (该问题, 此项, 目前, 现).
const STATUS_SUBJECTS: [&str; 9] = [
    "该问题",
    "此问题",
    "本问题",
    "该项问题",
    "该项",
    "此项",
    "目前",
    "当前",
    "现",
];

/// Longest bare status clause, in characters, once its subject is dropped (目前已整改到位,
/// 相关制度完善工作仍在持续推进).
const STATUS_CLAUSE_CHARS: usize = 14;

/// 均 / 都 ("all of them"): a clause about the items just listed (发现问题13个，均已完成整改),
/// not about the issue.
const ALL_OF_THEM: [char; 2] = ['均', '都'];

/// A clause that ends in a status word, followed by at most 整改 and a particle, after at most
/// `lead` characters (需长期坚持, 已取得阶段性成效, 正在整改中, 已基本完成整改; `None`: any lead,
/// 该项工作仍在持续推进): `已完成退出` reports a measure.
fn clause_pattern(words: &[&str], lead: Option<usize>) -> Regex {
    let lead = lead.map_or_else(|| ".*?".to_owned(), |n| format!(".{{0,{n}}}?"));
    Regex::new(&format!(
        "^{lead}(?:{})(?:整改)?(?:中|了)?$",
        words.join("|")
    ))
    .expect("status words are plain literals")
}

/// [`IN_PROGRESS_WORDS`] as a whole clause.
static IN_PROGRESS_CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| clause_pattern(&IN_PROGRESS_WORDS, None));
/// [`COMPLETED_WORDS`] as a whole clause.
/// A completed clause keeps to a short lead: `发现的问题已完成整改` reports what was done about
/// problems found along the way, not the issue's status.
static COMPLETED_CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| clause_pattern(&COMPLETED_WORDS, Some(3)));

/// The status of a clause that says nothing but a status: `已完成整改`, `该问题正在持续推进`,
/// `目前已整改到位`. Clauses with figures (已完成安置41人), objects (已完成退出) or about listed
/// items (均已办结) report work done, not the issue's status.
fn clause_status(clause: &str) -> Option<IssueStatus> {
    let mut clause = clause.trim();
    if let Some(rest) = NOW.iter().find_map(|n| clause.strip_prefix(n))
        && IN_PROGRESS_WORDS
            .iter()
            .any(|w| rest.trim_start_matches(['仍', '还']).starts_with(w))
    {
        return Some(IssueStatus::InProgress);
    }
    while let Some(rest) = STATUS_SUBJECTS.iter().find_map(|s| clause.strip_prefix(s)) {
        clause = rest;
    }
    if clause.chars().count() > STATUS_CLAUSE_CHARS
        || clause.contains(ALL_OF_THEM)
        || clause.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    if IN_PROGRESS_CLAUSE.is_match(clause) {
        Some(IssueStatus::InProgress)
    } else if COMPLETED_CLAUSE.is_match(clause) {
        Some(IssueStatus::Completed)
    } else {
        None
    }
}

/// The status stated in running text: a label sentence (整改情况：已完成。) or a bare status
/// clause (该问题已完成整改), the first one found.
pub(crate) fn inline_status(text: &str) -> Option<IssueStatus> {
    // Most lines state no status at all: one scan per word list settles them.
    if !IN_PROGRESS.is_match(text) && !COMPLETED.is_match(text) {
        return None;
    }
    text.split(['。', '；', ';']).find_map(|sentence| {
        let sentence = sentence.trim();
        if sentence.contains(['：', ':']) {
            return label_status(sentence);
        }
        sentence.split(['，', ',']).find_map(clause_status)
    })
}

/// The status a line of an issue's body states: as a label line or in a sentence of its own.
pub(crate) fn body_status(line: &str) -> Option<IssueStatus> {
    inline_status(line)
}

/// The status a note at the end of a heading states: `…问题的整改（已完成）`, `…问题【长期坚持】`.
pub(crate) fn note_status(heading_text: &str) -> Option<IssueStatus> {
    let text = heading_text.trim_end_matches(['。', ' ']);
    let body = text
        .strip_suffix('）')
        .or_else(|| text.strip_suffix(')'))
        .or_else(|| text.strip_suffix('】'))?;
    let open = body.rfind(['（', '(', '【'])?;
    status_of(&body[open..])
}

/// Longest status label in 【】 brackets, in characters (【已完成】, 【持续推进】).
const BRACKET_LABEL_CHARS: usize = 8;

/// The status a bracketed label anywhere on a heading states (…的问题【已完成】, also when the
/// cleaner joined the next paragraph onto the heading), with the label's byte offset.
pub(crate) fn bracket_status(text: &str) -> Option<(IssueStatus, usize)> {
    text.match_indices('【').find_map(|(open, _)| {
        let inner = &text[open + '【'.len_utf8()..];
        let close = inner.find('】')?;
        let label = &inner[..close];
        (label.chars().count() <= BRACKET_LABEL_CHARS)
            .then(|| status_of(label))
            .flatten()
            .map(|s| (s, open))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_with_objects_and_sentences_about_now() {
        assert_eq!(
            label_value_status("整改措施及阶段性成效：已完成南湖菜市场改造、社区食堂建设2个项目。"),
            None
        );
        assert_eq!(
            label_value_status("整改情况：已完成整改，建立长效机制。"),
            Some(IssueStatus::Completed)
        );
        assert_eq!(
            inline_status("整改情况：查处案件21起。目前正在推进利用厂建设，预计明年投运。"),
            Some(IssueStatus::InProgress)
        );
        // The status opens the sentence; a clause about what remains follows it.
        assert_eq!(
            inline_status("修订管理台账。该问题已基本完成整改，剩余工作将于9月底前完成。"),
            Some(IssueStatus::InProgress)
        );
        assert_eq!(
            inline_status("已完成12个站点的排查，整改工作仍在持续推进中。"),
            Some(IssueStatus::InProgress)
        );
        // 全部 ("all of them") speaks of the items just listed, like 均 and 都.
        assert_eq!(
            inline_status("排查发现的问题，按照清单抓整改，已全部完成。"),
            None
        );
    }

    #[test]
    fn reads_sections_labels_and_notes() {
        assert_eq!(
            group_status("已整改完成的问题"),
            Some(IssueStatus::Completed)
        );
        assert_eq!(
            group_status("正在推进整改的问题"),
            Some(IssueStatus::InProgress)
        );
        assert_eq!(group_status("整改进展情况及成效"), None);
        assert_eq!(group_status("持续推进“三服务”"), None);
        assert_eq!(
            label_status("整改措施及阶段性成效："),
            Some(IssueStatus::InProgress)
        );
        assert_eq!(
            label_status("整改结果及成效："),
            Some(IssueStatus::Completed)
        );
        assert_eq!(
            label_status("整改情况：已完成。"),
            Some(IssueStatus::Completed)
        );
        assert_eq!(label_status("一是加强领导：已完成"), None);
        assert_eq!(
            note_status("关于“某”问题的整改（已完成）"),
            Some(IssueStatus::Completed)
        );
        assert_eq!(
            bracket_status("关于“某”的问题【长期坚持】修订办法。").map(|s| s.0),
            Some(IssueStatus::InProgress)
        );
    }
}
