//! Which heading level lists the issues. Publishers nest headings in many orders (issues as `1.`
//! with measures `（1）`, issues as `（一）` with measures `1.`, issues as `（1）` with measures `①`,
//! or issues as the `一、` sections themselves), so the level is read from the document rather
//! than from a fixed rank: the level whose headings are 关于…问题 headings; else the level whose
//! headings read like problem statements (…不够到位, …存在漏洞) rather than measures (制定…,
//! 对…开展…) or categories (…方面); else the deepest topical level.

use super::headings::{Heading, LEVEL_ABOUT, LEVEL_CIRCLED, LEVEL_SECTION, is_about_issue};
use super::status::group_status;

/// Words of a shortcoming: not (不够, 不到位, 不规范), lacking (缺位, 欠缺), not yet (未),
/// loopholes, lagging, weak spots, shortboards, slow, room to improve, out of control, delayed,
/// too high or fast, feeble, gaps, hidden dangers, chaos, weakened, frequent, repeated despite
/// bans, violations, too low, too big.
const PROBLEM_CUES: [&str; 28] = [
    "不", "缺", "未", "欠", "漏洞", "滞后", "薄弱", "短板", "弱项", "缓慢", "有待", "失控", "延期",
    "偏低", "偏高", "偏大", "过高", "过快", "乏力", "差距", "隐患", "混乱", "弱化", "淡化", "多发",
    "屡禁", "违规", "较慢",
];

/// Verbs and prepositions a measure starts with (draw up, carry out, set up, revise, push,
/// complete, found, pool, revitalise, reserve, clear up, focus, strictly, dispatch, jointly,
/// launch, schedule backwards, introduce, hold, implement, strengthen, deepen, continue,
/// recover, investigate, sign, close down, staff, cancel, commission, urge, select, fill, for).
const ACTION_STARTS: [&str; 44] = [
    "制定", "开展", "建立", "修订", "推行", "推动", "完成", "成立", "整合", "盘活", "储备", "清理",
    "聚焦", "严格", "选派", "联合", "上线", "倒排", "出台", "印发", "召开", "实行", "健全", "完善",
    "强化", "压实", "深化", "持续", "追回", "收回", "清退", "查处", "签订", "关停", "配齐", "取消",
    "委托", "督促", "选拔", "补齐", "加强", "加大", "组织", "对",
];

/// 方面 ("aspect"): a heading that names a category of problems, not one problem.
const ASPECT: &str = "方面";

/// A `问题：` label in front of a problem statement (`1.问题：…`).
pub(crate) const PROBLEM_LABELS: [&str; 4] = ["问题：", "问题:", "存在问题：", "存在问题:"];

/// Endings of an inspected unit's name heading a section of a round report: such headings list
/// the units, not issues.
const UNIT_ENDINGS: [&str; 9] = [
    "党组",
    "D组",
    "党委",
    "D委",
    "委员会",
    "党工委",
    "党总支",
    "党支部",
    "党组织",
];

/// Longest problem statement (bytes, 60 characters).
const MAX_LEAD_BYTES: usize = 180;

/// Sentence ends that close a heading's first sentence.
const SENTENCE_ENDS: [char; 6] = ['。', '！', '？', '；', ';', '!'];

/// The heading text's first sentence, without a `问题：` label.
pub(crate) fn lead_sentence(text: &str) -> &str {
    let mut text = text.trim();
    for label in PROBLEM_LABELS {
        if let Some(rest) = text.strip_prefix(label) {
            text = rest.trim_start();
            break;
        }
    }
    let end = text.find(SENTENCE_ENDS).unwrap_or(text.len());
    &text[..end]
}

/// True when a heading reads like a problem statement: it names a shortcoming, does not start
/// like a measure and is not a category (方面) or a status grouping.
pub(crate) fn reads_as_problem(text: &str) -> bool {
    let lead = lead_sentence(text).trim_start_matches(['“', '"', '‘']);
    !lead.is_empty()
        && lead.len() <= MAX_LEAD_BYTES
        && PROBLEM_CUES.iter().any(|c| lead.contains(c))
        && !lead.contains(ASPECT)
        && !ACTION_STARTS.iter().any(|a| lead.starts_with(a))
        && group_status(lead).is_none()
}

/// True when a heading names an inspected unit (市教育局党组。…).
fn names_unit(text: &str) -> bool {
    let lead = lead_sentence(text).trim_end_matches(['：', ':']);
    lead.chars().count() <= 30 && UNIT_ENDINGS.iter().any(|e| lead.ends_with(e))
}

/// Per-level tallies of the headings in issue-bearing sections.
#[derive(Default, Clone, Copy)]
struct Tally {
    about: usize,
    problem: usize,
    total: usize,
}

/// The heading level of issues among `headings`; `eligible` says whether a line lies in a
/// section that may list issues, `text_of` gives a heading's text.
pub(crate) fn issue_level<'a>(
    headings: &[Option<Heading>],
    eligible: &dyn Fn(usize) -> bool,
    text_of: &dyn Fn(usize, &Heading) -> &'a str,
) -> Option<u8> {
    let mut tally = [Tally::default(); LEVEL_ABOUT as usize + 1];
    let mut deepest = None;
    for (i, h) in headings.iter().enumerate() {
        let Some(h) = h else { continue };
        if !eligible(i) {
            continue;
        }
        let text = text_of(i, h);
        let t = &mut tally[h.level as usize];
        t.total += 1;
        if is_about_issue(text) {
            t.about += 1;
        } else if h.level <= LEVEL_CIRCLED {
            let problem = reads_as_problem(text);
            t.problem += usize::from(problem);
            let deeper = h.level > LEVEL_SECTION && deepest < Some(h.level);
            // A problem statement is no status grouping (reads_as_problem checked it).
            if deeper && (problem || group_status(text).is_none()) && !names_unit(text) {
                deepest = Some(h.level);
            }
        }
    }
    // 关于…问题 headings: the level with most, the shallower on a tie; the sections themselves
    // only when no deeper level has any and at least two sections are such headings.
    let deeper_about = (LEVEL_SECTION as usize + 1..tally.len()).any(|l| tally[l].about > 0);
    let about = (LEVEL_SECTION as usize..tally.len())
        .filter(|&l| l > LEVEL_SECTION as usize || (!deeper_about && tally[l].about >= 2))
        .max_by_key(|&l| (tally[l].about, std::cmp::Reverse(l)))
        .filter(|&l| tally[l].about > 0);
    // Problem statements: the level with most, when most of its headings read so.
    let problem = (LEVEL_SECTION as usize..=LEVEL_CIRCLED as usize)
        .filter(|&l| tally[l].problem >= 2 && tally[l].problem * 10 >= tally[l].total * 6)
        .max_by_key(|&l| (tally[l].problem, std::cmp::Reverse(l)));
    about
        .or(problem)
        .and_then(|l| u8::try_from(l).ok())
        .or(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_read_apart_from_measures_and_categories() {
        assert!(reads_as_problem("财务管理不够规范。"));
        assert!(reads_as_problem(
            "问题：经费管理存在漏洞。整改情况：已完成。"
        ));
        assert!(reads_as_problem("“网格管理作用发挥不充分”问题。清理…"));
        assert!(!reads_as_problem("对全镇资产开展清查，收回不合规资金。"));
        assert!(!reads_as_problem("制定管理办法，整改不到位的严肃问责。"));
        assert!(!reads_as_problem("落实全面从严治党不力方面"));
        assert!(!reads_as_problem("已完成整改的问题"));
    }
}
