//! Roles for the outline's nodes, from the evidence a reader uses: a section's heading (下一步
//! names plans, 反馈问题整改落实情况 names issues, 已完成整改的问题 groups them by status), the
//! wording of its items (a problem names a shortfall: …不够到位, …存在漏洞; a measure names an
//! action of the rectifying unit: 加强…, 压实…, 细化…), 关于…问题 headings, `问题：` labels and
//! the problem column of a table.
//!
//! A section whose items all read as actions lists measures, whatever its heading says, unless
//! its heading names the problems fed back and no other section lists them (the issues are then
//! taken with a warning). Within the issue-bearing sections the issue level is read from the
//! document rather than from a fixed rank, because publishers nest in many orders (issues as
//! `1.` with measures `（1）`, as `（一）` with measures `1.`, or the `一、` sections themselves):
//! the level of the 关于…问题 headings (or `问题：` labels); else the level whose headings read
//! as shortfalls; else the deepest topical level.

use super::headings::{LEVEL_CIRCLED, LEVEL_SECTION, is_about_issue};
use super::outline::{LEVEL_LABELLED, Node, NodeKind, Outline, Role};
use super::status::group_status;
use regex::Regex;
use std::sync::LazyLock;

/// Words of a shortcoming: not (不够, 不到位, 不规范), lacking (缺位, 欠缺, 缺失), not yet (未),
/// loopholes, lagging, weak spots, shortboards, slow, room to improve, out of control, delayed,
/// too high or fast, feeble, gaps, hidden dangers, chaos, weakened, frequent, repeated despite
/// bans, violations, too low, dead corners, blind spots, risks, still present.
const PROBLEM_CUES: [&str; 33] = [
    "不",
    "缺",
    "未",
    "欠",
    "漏洞",
    "滞后",
    "薄弱",
    "短板",
    "弱项",
    "缓慢",
    "有待",
    "失控",
    "延期",
    "偏低",
    "偏高",
    "偏大",
    "过高",
    "过快",
    "乏力",
    "差距",
    "隐患",
    "混乱",
    "弱化",
    "淡化",
    "多发",
    "屡禁",
    "违规",
    "较慢",
    "死角",
    "盲区",
    "风险",
    "仍然存在",
    "偏松",
];

/// Verbs and prepositions a measure starts with (draw up, carry out, set up, revise, push,
/// complete, found, pool, revitalise, reserve, clear up, focus, strictly, dispatch, jointly,
/// launch, schedule backwards, introduce, hold, implement, strengthen, deepen, continue,
/// recover, investigate, sign, close down, staff, cancel, commission, urge, select, fill, for,
/// raise, advance, adhere to, promptly, refine, grasp firmly, make sure, improve, optimise).
const ACTION_STARTS: [&str; 55] = [
    "制定", "开展", "建立", "修订", "推行", "推动", "完成", "成立", "整合", "盘活", "储备", "清理",
    "聚焦", "严格", "选派", "联合", "上线", "倒排", "出台", "印发", "召开", "实行", "健全", "完善",
    "强化", "压实", "深化", "持续", "追回", "收回", "清退", "查处", "签订", "关停", "配齐", "取消",
    "委托", "督促", "选拔", "补齐", "加强", "加大", "组织", "对", "提高", "推进", "坚持", "迅速",
    "细化", "狠抓", "抓实", "抓好", "确保", "提升", "优化",
];

/// 方面 ("aspect"): a heading that names a category of problems, not one problem.
const ASPECT: &str = "方面";

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

/// Section headings about how rectification was organised (组织, 领导, 部署) or its background
/// (总体情况, 基本情况): they list no issues.
const NON_ISSUE_SECTION_WORDS: [&str; 10] = [
    "组织",
    "领导",
    "部署",
    "总体情况",
    "基本情况",
    "开展情况",
    "长效",
    "持续深入",
    "深化巡察整改工作成效",
    "巡察整改工作成效",
];

/// Words of a section heading about what comes next: next steps, plans, from now on,
/// consolidating, deepening further.
const PLAN_WORDS: [&str; 7] = [
    "下一步",
    "计划",
    "打算",
    "今后",
    "巩固",
    "持续深化整改",
    "工作安排",
];

/// Words of a section heading that reports on rectification itself (落实, 进展, 完成情况).
const ISSUE_SECTION_WORDS: [&str; 7] = [
    "问题",
    "落实",
    "进展",
    "整改情况",
    "整改成效",
    "具体情况",
    "完成情况",
];

/// Words of a heading that names the problems fed back (问题, 反馈): a section so titled lists
/// issues even when they are worded as measures.
const NAMES_PROBLEMS: [&str; 3] = ["问题", "反馈", "任务清单"];

/// 党组织 ("party organisations"): a topic of problems, not the 组织 of rectification work.
const PARTY_ORGANISATIONS: &str = "党组织";

/// `问题：` / `问题一：` / `存在问题3：` in front of a problem statement.
static PROBLEM_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:存在|反馈|主要)?问题\s*(?:[一二三四五六七八九十]{1,3}|[0-9０-９]{1,3})?\s*[：:]\s*",
    )
    .expect("the problem label pattern is a valid regex")
});

/// `text` without a leading problem label.
pub(crate) fn strip_problem_label(text: &str) -> &str {
    PROBLEM_LABEL
        .find(text)
        .map_or(text, |m| text[m.end()..].trim_start())
}

/// True when `text` starts with a problem label.
fn has_problem_label(text: &str) -> bool {
    PROBLEM_LABEL.is_match(text.trim_start())
}

/// Endings of a category heading: …方面的问题 / …方面问题 / …方面存在的问题 / …方面, the
/// quotes of 关于“…”方面的问题 set aside.
const CATEGORY_ENDINGS: [&str; 4] = ["方面的问题", "方面问题", "方面存在的问题", "方面"];

/// True for a heading naming an aspect (方面) of the problems: a category, not one problem.
pub(crate) fn is_category(text: &str) -> bool {
    // Only the lead's last characters (quotes skipped) can match an ending; a lead may be a
    // whole paragraph, so it is not copied.
    let mut tail = lead_sentence(text)
        .trim_end_matches(['：', ':'])
        .chars()
        .rev()
        .filter(|c| !QUOTE_MARKS.contains(c));
    let mut last = ['\0'; LONGEST_CATEGORY_ENDING];
    let mut n = 0;
    for (slot, c) in last.iter_mut().zip(tail.by_ref()) {
        *slot = c;
        n += 1;
    }
    // `last` holds the lead's last `n` characters, newest first.
    CATEGORY_ENDINGS
        .iter()
        .any(|e| e.chars().count() <= n && e.chars().rev().zip(&last).all(|(a, &b)| a == b))
}

/// Quote marks a category heading may put around its topic (关于“…”方面的问题).
const QUOTE_MARKS: [char; 5] = ['“', '”', '‘', '’', '"'];

/// Characters in the longest of [`CATEGORY_ENDINGS`] (方面存在的问题).
const LONGEST_CATEGORY_ENDING: usize = 7;

/// The heading text's first sentence, without a `问题：` label.
pub(crate) fn lead_sentence(text: &str) -> &str {
    let text = strip_problem_label(text.trim());
    let end = text.find(SENTENCE_ENDS).unwrap_or(text.len());
    &text[..end]
}

/// The verb a heading's lead starts with when it reads as an action of the rectifying unit.
pub(crate) fn action_start(text: &str) -> Option<&'static str> {
    let lead = lead_sentence(text).trim_start_matches(['“', '"', '‘']);
    ACTION_STARTS.iter().find(|a| lead.starts_with(*a)).copied()
}

/// The shortfall word of a heading that reads as a problem statement: it names a shortcoming,
/// does not start like a measure and is not a category (方面) or a status grouping.
pub(crate) fn problem_cue(text: &str) -> Option<&'static str> {
    let lead = lead_sentence(text).trim_start_matches(['“', '"', '‘']);
    if lead.is_empty()
        || lead.len() > MAX_LEAD_BYTES
        || lead.contains(ASPECT)
        || action_start(lead).is_some()
        || group_status(lead).is_some()
    {
        return None;
    }
    PROBLEM_CUES.iter().find(|c| lead.contains(*c)).copied()
}

/// True when a heading reads like a problem statement.
#[cfg(test)]
pub(crate) fn reads_as_problem(text: &str) -> bool {
    problem_cue(text).is_some()
}

/// True when a heading names an inspected unit (市教育局党组。…).
pub(crate) fn names_unit(text: &str) -> bool {
    let lead = lead_sentence(text).trim_end_matches(['：', ':']);
    lead.chars().count() <= 30 && UNIT_ENDINGS.iter().any(|e| lead.ends_with(e))
}

/// How one node's own wording reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wording {
    /// A 关于…问题 heading or a `问题：` label: an issue by convention.
    About,
    /// A shortfall (the cue word).
    Problem(&'static str),
    /// An action (the verb).
    Action(&'static str),
    /// Neither.
    Plain,
}

/// How `node` reads.
fn wording(node: &Node) -> Wording {
    match node.kind {
        NodeKind::Labelled | NodeKind::Row(_) => return Wording::About,
        NodeKind::Heading => {}
        NodeKind::Table(_) | NodeKind::Opening | NodeKind::Contact => return Wording::Plain,
    }
    if is_category(&node.text) {
        return Wording::Plain;
    }
    if is_about_issue(&node.text) || has_problem_label(&node.text) {
        return Wording::About;
    }
    if let Some(cue) = problem_cue(&node.text) {
        return Wording::Problem(cue);
    }
    action_start(&node.text).map_or(Wording::Plain, Wording::Action)
}

/// What a level-1 section is, before the whole notice is weighed.
#[derive(Debug, Clone, PartialEq)]
struct Section {
    role: Role,
    /// Lists issues (issue section, status group, category, round unit).
    issues: bool,
    /// Its heading or its items say so plainly.
    strong: bool,
    /// Listed issues only by its heading: all its items read as actions.
    action_items: bool,
    evidence: Vec<String>,
}

/// Gives every node of `outline` a role and its evidence, and adds structure warnings.
pub(crate) fn assign(outline: &mut Outline) {
    let wordings: Vec<Wording> = outline.nodes.iter().map(wording).collect();
    let mut sections = classify_sections(outline, &wordings);
    weigh_sections(&mut sections);
    // The level-1 section each node falls in (itself for a section).
    let section_of: Vec<Option<usize>> = (0..outline.nodes.len())
        .map(|i| {
            if is_section(&outline.nodes[i]) {
                return Some(i);
            }
            let mut p = outline.nodes[i].parent;
            while let Some(j) = p {
                if is_section(&outline.nodes[j]) {
                    return Some(j);
                }
                p = outline.nodes[j].parent;
            }
            None
        })
        .collect();
    let eligible = |i: usize| match section_of[i] {
        Some(s) => sections.iter().any(|(j, sec)| *j == s && sec.issues),
        None => true,
    };
    let level = issue_level(&outline.nodes, &wordings, &eligible);
    let has_sections = !sections.is_empty();
    // A notice without sections whose only numbered items read as actions lists measures.
    let measures_only = level.as_ref().is_some_and(|l| {
        !has_sections
            && l.basis == LevelBasis::Deepest
            && outline
                .nodes
                .iter()
                .zip(&wordings)
                .filter(|(n, _)| n.level == l.level && n.kind == NodeKind::Heading)
                .all(|(_, w)| matches!(w, Wording::Action(_)))
    });
    let level = level.filter(|_| !measures_only);
    // The deepest level is a guess; it stands only under a heading that says it reports the
    // issues (or in a notice without sections), never under a slogan: 思想上高度重视 or
    // 市委书记亲自抓 are how the work was done, not problems.
    let in_weak_section = |i: usize| {
        section_of[i].is_some_and(|s| sections.iter().any(|(j, sec)| *j == s && !sec.strong))
    };
    let weak_only = level.is_some_and(|l| {
        l.basis == LevelBasis::Deepest
            && outline
                .nodes
                .iter()
                .enumerate()
                .filter(|(i, n)| n.level == l.level && eligible(*i))
                .all(|(i, _)| in_weak_section(i))
    });
    let level = level.filter(|_| !weak_only);
    for i in 0..outline.nodes.len() {
        let (role, evidence) = node_role(outline, i, &wordings, &sections, &eligible, &level);
        outline.nodes[i].role = role;
        outline.nodes[i].evidence = evidence;
    }
    warn(
        outline,
        &wordings,
        &sections,
        &level,
        measures_only || weak_only,
    );
}

/// True for a level-1 numbered heading.
fn is_section(node: &Node) -> bool {
    node.kind == NodeKind::Heading && node.level == LEVEL_SECTION
}

/// Each level-1 section with its role from its heading and its items.
fn classify_sections(outline: &Outline, wordings: &[Wording]) -> Vec<(usize, Section)> {
    let mut out = Vec::new();
    for (i, node) in outline.nodes.iter().enumerate() {
        if !is_section(node) {
            continue;
        }
        // The items: every node beneath the section.
        let (mut problems, mut actions, mut items, mut first_action) = (0usize, 0, 0, None);
        for (j, n) in outline.nodes.iter().enumerate().skip(i + 1) {
            if n.line >= node.end {
                break;
            }
            items += 1;
            match wordings[j] {
                Wording::About | Wording::Problem(_) => problems += 1,
                Wording::Action(verb) => {
                    actions += 1;
                    first_action.get_or_insert(verb);
                }
                Wording::Plain => {}
            }
        }
        // Actions count only when they are nearly all the items: topical headings that happen
        // to start with a verb (推动产业转型升级) sit among plain ones.
        let actions = if actions * 4 >= items * 3 { actions } else { 0 };
        out.push((i, section(&node.text, problems, actions, first_action)));
    }
    out
}

/// One section's role from its heading `text` and the tallies of its items.
fn section(text: &str, problems: usize, actions: usize, verb: Option<&str>) -> Section {
    let make = |role, issues, strong, evidence: String| Section {
        role,
        issues,
        strong,
        action_items: false,
        evidence: vec![evidence],
    };
    if let Some(w) = PLAN_WORDS.iter().find(|w| text.contains(*w)) {
        return make(
            Role::Plan,
            false,
            false,
            format!("the heading names plans ({w})"),
        );
    }
    if let Some(status) = group_status(text) {
        return make(
            Role::StatusGroup(status),
            true,
            true,
            "the heading groups issues by status".to_owned(),
        );
    }
    let category_or_section = if text.contains(ASPECT) {
        Role::IssueCategory
    } else if names_unit(text) {
        Role::RoundUnit
    } else {
        Role::IssueSection
    };
    if problems >= 2 || (problems == 1 && actions == 0) {
        return make(
            category_or_section,
            true,
            true,
            format!("{problems} of its items read as problems fed back"),
        );
    }
    let names_problems = NAMES_PROBLEMS.iter().find(|w| text.contains(*w));
    if actions >= 2 && problems == 0 {
        let verb = verb.unwrap_or_default();
        let items = format!("its {actions} items read as actions of the rectifying unit ({verb}…)");
        return match names_problems {
            Some(w) => Section {
                action_items: true,
                evidence: vec![format!("the heading names the problems ({w})"), items],
                ..make(category_or_section, true, true, String::new())
            },
            None => make(Role::Measures, false, false, items),
        };
    }
    let topic_free = text.replace(PARTY_ORGANISATIONS, "");
    if !text.contains(ASPECT)
        && !text.contains("问题")
        && let Some(w) = NON_ISSUE_SECTION_WORDS
            .iter()
            .find(|w| topic_free.contains(*w))
    {
        let role = if actions > 0 || ["组织", "领导", "部署"].contains(w) {
            Role::Measures
        } else {
            Role::Overview
        };
        return make(role, false, false, format!("the heading names {w}"));
    }
    if text.contains(ASPECT) {
        return make(
            Role::IssueCategory,
            true,
            true,
            "the heading names an aspect (方面) of the problems".to_owned(),
        );
    }
    if let Some(w) = ISSUE_SECTION_WORDS.iter().find(|w| text.contains(*w)) {
        return make(
            category_or_section,
            true,
            true,
            format!("the heading reports rectification ({w})"),
        );
    }
    make(
        category_or_section,
        true,
        false,
        "no heading word rules issues out".to_owned(),
    )
}

/// Weighs the sections against each other: when some section plainly lists issues, the others
/// do not; a section that lists issues only by its heading (its items read as actions) yields
/// to one whose items read as problems.
fn weigh_sections(sections: &mut [(usize, Section)]) {
    let by_items = sections
        .iter()
        .any(|(_, s)| s.issues && s.strong && !s.action_items);
    let strong = sections.iter().any(|(_, s)| s.issues && s.strong);
    for (_, s) in sections.iter_mut() {
        if s.issues && s.action_items && by_items {
            s.issues = false;
            s.role = Role::Measures;
            s.evidence
                .push("another section's items read as problems".to_owned());
        } else if s.issues && !s.strong && strong {
            s.issues = false;
            s.role = Role::Overview;
            s.evidence
                .push("another section plainly reports the issues".to_owned());
        }
    }
}

/// Why the issue level is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LevelBasis {
    /// Its headings are 关于…问题 headings or `问题：` labels.
    About,
    /// Most of its headings read as shortfalls.
    Problems,
    /// The deepest topical level (no heading reads as a problem).
    Deepest,
}

/// The issue level and its basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IssueLevel {
    level: u8,
    basis: LevelBasis,
}

/// Per-level tallies of the headings in issue-bearing sections.
#[derive(Default, Clone, Copy)]
struct Tally {
    about: usize,
    problem: usize,
    total: usize,
}

/// The heading level of issues among the eligible nodes.
fn issue_level(
    nodes: &[Node],
    wordings: &[Wording],
    eligible: &dyn Fn(usize) -> bool,
) -> Option<IssueLevel> {
    let mut tally = [Tally::default(); LEVEL_LABELLED as usize + 1];
    let mut deepest = None;
    for (i, n) in nodes.iter().enumerate() {
        if !matches!(n.kind, NodeKind::Heading | NodeKind::Labelled) || !eligible(i) {
            continue;
        }
        let Some(t) = tally.get_mut(usize::from(n.level)) else {
            continue;
        };
        t.total += 1;
        match wordings[i] {
            Wording::About => t.about += 1,
            Wording::Problem(_) | Wording::Action(_) | Wording::Plain
                if n.level <= LEVEL_CIRCLED =>
            {
                let problem = matches!(wordings[i], Wording::Problem(_));
                t.problem += usize::from(problem);
                let deeper = n.level > LEVEL_SECTION && deepest < Some(n.level);
                // A problem statement is no status grouping (problem_cue checked it).
                if deeper && (problem || group_status(&n.text).is_none()) && !names_unit(&n.text) {
                    deepest = Some(n.level);
                }
            }
            Wording::Problem(_) | Wording::Action(_) | Wording::Plain => {}
        }
    }
    // 关于…问题 headings: the level with most, the shallower on a tie; the sections themselves
    // only when no deeper level has any and at least two sections are such headings.
    let deeper_about = (LEVEL_SECTION as usize + 1..tally.len()).any(|l| tally[l].about > 0);
    let about = (LEVEL_SECTION as usize..tally.len())
        .filter(|&l| l > LEVEL_SECTION as usize || (!deeper_about && tally[l].about >= 2))
        .max_by_key(|&l| (tally[l].about, std::cmp::Reverse(l)))
        .filter(|&l| tally[l].about > 0)
        .map(|l| (l, LevelBasis::About));
    // Problem statements: the level with most, when most of its headings read so.
    let problem = (LEVEL_SECTION as usize..=LEVEL_CIRCLED as usize)
        .filter(|&l| tally[l].problem >= 2 && tally[l].problem * 10 >= tally[l].total * 6)
        .max_by_key(|&l| (tally[l].problem, std::cmp::Reverse(l)))
        .map(|l| (l, LevelBasis::Problems));
    about
        .or(problem)
        .and_then(|(l, basis)| {
            u8::try_from(l)
                .ok()
                .map(|level| IssueLevel { level, basis })
        })
        .or(deepest.map(|level| IssueLevel {
            level,
            basis: LevelBasis::Deepest,
        }))
}

/// The role of node `i` and the evidence for it.
fn node_role(
    outline: &Outline,
    i: usize,
    wordings: &[Wording],
    sections: &[(usize, Section)],
    eligible: &dyn Fn(usize) -> bool,
    level: &Option<IssueLevel>,
) -> (Role, Vec<String>) {
    let node = &outline.nodes[i];
    let own = own_evidence(wordings[i]);
    match &node.kind {
        NodeKind::Opening => {
            return (
                Role::Opening,
                vec!["names the inspection and the feedback".to_owned()],
            );
        }
        NodeKind::Contact => {
            return (
                Role::Contact,
                vec!["invites supervision or gives the contact".to_owned()],
            );
        }
        NodeKind::Table(columns) => {
            let status = columns
                .status
                .iter()
                .filter_map(|&c| columns.names.get(c))
                .cloned()
                .collect::<Vec<_>>()
                .join("/");
            let problem = columns
                .names
                .get(columns.problem)
                .cloned()
                .unwrap_or_default();
            return (
                Role::Table,
                vec![format!(
                    "header row with a problem column ({problem}) and status column ({})",
                    if status.is_empty() { "none" } else { &status }
                )],
            );
        }
        NodeKind::Row(_) if eligible(i) => {
            return (
                Role::Issue,
                vec!["a row of an issue table (its problem cell)".to_owned()],
            );
        }
        NodeKind::Row(_) => {
            return (
                Role::Other,
                vec!["a table row in a section without issues".to_owned()],
            );
        }
        NodeKind::Heading | NodeKind::Labelled => {}
    }
    let level_evidence = |l: &IssueLevel| match l.basis {
        LevelBasis::About => "its level holds the 关于…问题 headings or 问题： labels".to_owned(),
        LevelBasis::Problems => "most headings of its level read as shortfalls".to_owned(),
        LevelBasis::Deepest => {
            "the deepest numbered level under the issues (no heading reads as a problem)".to_owned()
        }
    };
    if let Some(l) = level.as_ref().filter(|l| l.level == node.level)
        && eligible(i)
    {
        let mut evidence = own;
        evidence.push(level_evidence(l));
        return (Role::Issue, evidence);
    }
    if is_section(node)
        && let Some((_, s)) = sections.iter().find(|(j, _)| *j == i)
    {
        let mut evidence = s.evidence.clone();
        if s.issues && level.is_none() {
            evidence.push("no heading beneath it reads as an issue (its issues, if any, are its rows or paragraphs)".to_owned());
        }
        return (s.role, evidence);
    }
    if eligible(i) {
        let below_issue = outline.ancestors(i).any(|a| a.role == Role::Issue)
            || level.is_some_and(|l| node.level > l.level);
        if below_issue {
            return (Role::IssueDetail, own);
        }
        if let Some(status) = group_status(&node.text) {
            return (
                Role::StatusGroup(status),
                vec!["the heading groups issues by status".to_owned()],
            );
        }
        if names_unit(&node.text) {
            return (
                Role::RoundUnit,
                vec!["the heading names an inspected unit".to_owned()],
            );
        }
        if level.is_some() {
            return (
                Role::IssueCategory,
                vec!["a heading above the issue level".to_owned()],
            );
        }
        return (Role::Other, own);
    }
    let section = outline.ancestors(i).find(|a| is_section(a)).map(|a| a.role);
    match section {
        Some(Role::Plan) => (Role::Plan, vec!["in a plan section".to_owned()]),
        _ if matches!(wordings[i], Wording::Action(_)) => (Role::Measure, own),
        _ => (Role::Other, own),
    }
}

/// What a node's own wording says, as evidence.
fn own_evidence(w: Wording) -> Vec<String> {
    match w {
        Wording::About => vec!["a 关于…问题 heading or 问题： label".to_owned()],
        Wording::Problem(cue) => vec![format!("reads as a shortfall ({cue})")],
        Wording::Action(verb) => vec![format!("reads as an action ({verb}…)")],
        Wording::Plain => Vec::new(),
    }
}

/// How the warning that no section lists issues starts; a newspaper fragment's issue section
/// may stand on another page, so fragments drop it.
pub(crate) const NO_ISSUE_SECTION: &str = "no issue section found";

/// Structure warnings: no issue section found; issues taken from headings that read as
/// measures.
fn warn(
    outline: &mut Outline,
    wordings: &[Wording],
    sections: &[(usize, Section)],
    level: &Option<IssueLevel>,
    measures_only: bool,
) {
    let issues: Vec<usize> = (0..outline.nodes.len())
        .filter(|&i| outline.nodes[i].role == Role::Issue)
        .collect();
    if issues.is_empty() {
        if measures_only {
            outline.warnings.push(format!(
                "{NO_ISSUE_SECTION}: no heading names the problems and no numbered item reads as one, so no issues are listed"
            ));
        } else if !sections.is_empty() && !sections.iter().any(|(_, s)| s.issues) {
            outline.warnings.push(format!(
                "{NO_ISSUE_SECTION}: every section reads as measures, overview or plans"
            ));
        }
        return;
    }
    let actions = issues
        .iter()
        .filter(|&&i| matches!(wordings[i], Wording::Action(_)))
        .count();
    let from_actions = sections.iter().any(|(_, s)| s.issues && s.action_items);
    if (actions * 2 > issues.len() && level.is_some_and(|l| l.basis == LevelBasis::Deepest))
        || from_actions
    {
        outline.warnings.push(format!(
            "issues inferred from headings that read as measures ({actions} of {} start with an action)",
            issues.len()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_category_ending_bounds_the_tail() {
        let longest = CATEGORY_ENDINGS.iter().map(|e| e.chars().count()).max();
        assert_eq!(longest, Some(LONGEST_CATEGORY_ENDING));
        assert!(is_category("（一）关于“基层治理”方面存在的问题"));
        assert!(is_category("一、党的建设“方面”："));
        assert!(!is_category("一、方面军"));
    }

    #[test]
    fn problems_read_apart_from_measures_and_categories() {
        assert!(reads_as_problem("财务管理不够规范。"));
        assert!(reads_as_problem(
            "问题：经费管理存在漏洞。整改情况：已完成。"
        ));
        assert!(reads_as_problem("“网格管理作用发挥不充分”问题。清理…"));
        assert!(reads_as_problem("人居环境整治存在死角。"));
        assert!(!reads_as_problem("对全镇资产开展清查，收回不合规资金。"));
        assert!(!reads_as_problem("制定管理办法，整改不到位的严肃问责。"));
        assert!(!reads_as_problem("落实全面从严治党不力方面"));
        assert!(!reads_as_problem("已完成整改的问题"));
        assert_eq!(action_start("压实整改责任。市委常委会…"), Some("压实"));
    }

    #[test]
    fn a_section_of_actions_lists_measures_whatever_its_heading() {
        let s = section("坚持以上率下，推动整改落实", 0, 4, Some("加强"));
        assert_eq!(s.role, Role::Measures);
        let s = section("反馈问题整改落实情况", 0, 3, Some("加强"));
        assert!(s.issues && s.action_items);
        let s = section("集中整改任务完成情况", 5, 0, None);
        assert!(s.issues && s.strong);
    }
}
