//! The outline of a notice's body: its sections, their items and sub-items, as a reader sees
//! them. Every numbered heading (一、 （一） 1. （1） ① 一是, and unnumbered 关于…问题 lines),
//! every `问题：` line and every row of an issue table becomes a node; a node's parent is the
//! nearest node above it of a shallower level, and its body is the text up to the next node.
//! The opening paragraph and the closing contact block stand at the top level.
//!
//! [`super::roles`] then gives each node a role with the evidence for it, and
//! [`super::issues`] reads the issues off the roles. [`Explanation`] is the outline as
//! `gazette parse --explain` prints it.

use super::headings::{Heading, LEVEL_SECTION, heading};
use super::numerals::parse_number;
use super::status::group_status;
use super::table::{self, Columns};
use crate::model::IssueStatus;
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

/// `问题：` / `问题一：` / `存在问题3：` at the start of a line: a problem statement follows.
static PROBLEM_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:存在|反馈|主要)?问题\s*([一二三四五六七八九十]{1,3}|[0-9０-９]{1,3})?\s*[：:]")
        .expect("the problem label pattern is a valid regex")
});

/// Level of a `问题：…` line, below every numbered heading.
pub(crate) const LEVEL_LABELLED: u8 = 8;
/// Level of a table's header row.
pub(crate) const LEVEL_TABLE: u8 = 8;
/// Level of a table row, under its header.
pub(crate) const LEVEL_ROW: u8 = 9;
/// Level of the opening paragraph and the contact block: they close every section.
pub(crate) const LEVEL_TOP: u8 = 0;

/// What kind of line a node stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A numbered heading or a 关于…问题 line.
    Heading,
    /// A `问题：…` line.
    Labelled,
    /// The header row of an issue table, with its columns.
    Table(Columns),
    /// A row of an issue table.
    Row(table::Row),
    /// The opening paragraph (根据…部署，…巡视组…反馈).
    Opening,
    /// The closing invitation and contact block.
    Contact,
}

/// What a node is to a reader of the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The opening paragraph naming the inspection.
    Opening,
    /// A section of totals or background, listing neither issues nor measures.
    Overview,
    /// A section on how rectification was organised: its items are actions.
    Measures,
    /// One action of the rectifying unit.
    Measure,
    /// A section listing the issues fed back.
    IssueSection,
    /// A heading grouping issues by their status (已完成整改的问题).
    StatusGroup(IssueStatus),
    /// A topical heading above issues (…方面的问题).
    IssueCategory,
    /// One issue fed back by the inspection.
    Issue,
    /// Measures, results or labels under an issue.
    IssueDetail,
    /// A section or item about what comes next (下一步); its figures are plans.
    Plan,
    /// An inspected unit heading its part of a round report.
    RoundUnit,
    /// The header row of a 整改任务清单 table.
    Table,
    /// The invitation to supervise and the contact block.
    Contact,
    /// Anything else.
    Other,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Role::Opening => "opening",
            Role::Overview => "overview",
            Role::Measures => "measures",
            Role::Measure => "measure",
            Role::IssueSection => "issue section",
            Role::StatusGroup(IssueStatus::Completed) => "status group (completed)",
            Role::StatusGroup(IssueStatus::InProgress) => "status group (in progress)",
            Role::StatusGroup(IssueStatus::NotStated) => "status group",
            Role::IssueCategory => "issue category",
            Role::Issue => "issue",
            Role::IssueDetail => "issue detail",
            Role::Plan => "plan",
            Role::RoundUnit => "round unit",
            Role::Table => "table",
            Role::Contact => "contact",
            Role::Other => "other",
        };
        f.write_str(name)
    }
}

/// One node of the outline.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// What the line is.
    pub(crate) kind: NodeKind,
    /// Index of its line in the body.
    pub(crate) line: usize,
    /// Nesting level (the heading levels, [`LEVEL_LABELLED`], [`LEVEL_ROW`], [`LEVEL_TOP`]).
    pub(crate) level: u8,
    /// The number as printed, in Arabic digits; empty when unnumbered.
    pub(crate) number: String,
    /// The text after the number marker (for a row: its problem cell).
    pub(crate) text: String,
    /// The enclosing node.
    pub(crate) parent: Option<usize>,
    /// One past the last line of the node with everything beneath it.
    pub(crate) end: usize,
    /// The role [`super::roles`] gave it.
    pub(crate) role: Role,
    /// Why it has that role, in words a reader can check.
    pub(crate) evidence: Vec<String>,
    /// The status it states or inherits (issues only), with where it came from.
    pub(crate) status: Option<(IssueStatus, String)>,
}

/// The outline of one notice body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outline {
    /// Nodes in document order.
    pub(crate) nodes: Vec<Node>,
    /// Whether the notice's text starts inside another page's notice (上接).
    pub(crate) continued: bool,
    /// Structure warnings found while giving roles.
    pub(crate) warnings: Vec<String>,
}

impl Outline {
    /// The ancestors of node `i`, nearest first.
    pub(crate) fn ancestors(&self, i: usize) -> impl Iterator<Item = &Node> {
        std::iter::successors(self.nodes.get(i).and_then(|n| n.parent), |&p| {
            self.nodes.get(p).and_then(|n| n.parent)
        })
        .filter_map(|p| self.nodes.get(p))
    }
}

/// Builds the outline of `lines` (the notice body); `opening` is the index of the opening
/// paragraph, if one was found.
pub(crate) fn build(lines: &[&str], opening: Option<usize>, continued: bool) -> Outline {
    let mut nodes: Vec<Node> = Vec::new();
    let mut table: Option<Columns> = None;
    let closing = closing_line(lines);
    for (i, line) in lines.iter().enumerate() {
        let found = if Some(i) == opening {
            Some((
                NodeKind::Opening,
                LEVEL_TOP,
                String::new(),
                (*line).to_owned(),
            ))
        } else if Some(i) == closing {
            Some((
                NodeKind::Contact,
                LEVEL_TOP,
                String::new(),
                (*line).to_owned(),
            ))
        } else if let Some(columns) = table.as_ref().filter(|_| table::is_row(line)) {
            // Rows run together on one line give one node each, all on that line.
            for part in table::split_rows(line, columns) {
                if let Some(row) = table::row(&part, columns) {
                    let text = row.problem.clone();
                    let number = row.number.clone().unwrap_or_default();
                    nodes.push(new_node(
                        NodeKind::Row(row),
                        i,
                        LEVEL_ROW,
                        number,
                        text,
                        lines.len(),
                    ));
                }
            }
            None
        } else if let Some(columns) = table::header(line) {
            table = Some(columns.clone());
            Some((
                NodeKind::Table(columns),
                LEVEL_TABLE,
                String::new(),
                (*line).to_owned(),
            ))
        } else {
            // A heading between rows (a category row spanning the table: 一、…方面) keeps the
            // table open; any other line ends it.
            let found = heading_node(line);
            if found.is_none() {
                table = None;
            }
            found
        };
        if let Some((kind, level, number, text)) = found {
            nodes.push(new_node(kind, i, level, number, text, lines.len()));
        }
    }
    link(&mut nodes, lines.len());
    Outline {
        nodes,
        continued,
        warnings: Vec::new(),
    }
}

/// Endings of an unnumbered status-group heading (已完成整改的问题, 长期坚持整改的事项).
const GROUP_ENDINGS: [&str; 3] = ["问题", "事项", "任务"];

/// Longest unnumbered status-group heading, in characters.
const GROUP_HEADING_CHARS: usize = 24;

/// `第一类：` / `第二部分：` before an unnumbered group heading.
static GROUP_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^第[一二三四五六七八九十0-9]{1,2}(?:类|部分|方面)?[：:、，,]?")
        .expect("the group prefix pattern is a valid regex")
});

/// An unnumbered line that groups the issues after it by status (已整改到位的问题, 第二类：正在
/// 整改的问题): it stands as a section of its own.
fn group_line(line: &str) -> Option<String> {
    let text = line.trim();
    let bare = GROUP_PREFIX
        .find(text)
        .map_or(text, |m| &text[m.end()..])
        .trim_end_matches(['：', ':']);
    (bare.chars().count() <= GROUP_HEADING_CHARS
        && !bare.contains(['。', '，', '；'])
        && GROUP_ENDINGS.iter().any(|e| bare.ends_with(e))
        && group_status(bare).is_some())
    .then(|| bare.to_owned())
}

/// A node before linking and role assignment.
fn new_node(
    kind: NodeKind,
    line: usize,
    level: u8,
    number: String,
    text: String,
    total: usize,
) -> Node {
    Node {
        kind,
        line,
        level,
        number,
        text,
        parent: None,
        end: total,
        role: Role::Other,
        evidence: Vec::new(),
        status: None,
    }
}

/// The node a heading or `问题：` line makes: kind, level, number and text.
fn heading_node(line: &str) -> Option<(NodeKind, u8, String, String)> {
    if let Some(text) = group_line(line)
        && heading(line).is_none()
    {
        return Some((NodeKind::Heading, LEVEL_SECTION, String::new(), text));
    }
    if let Some(Heading {
        level,
        number,
        rest,
    }) = heading(line)
    {
        let text = line.get(rest..).unwrap_or_default().to_owned();
        let number = number.map(|n| n.to_string()).unwrap_or_default();
        return Some((NodeKind::Heading, level, number, text));
    }
    let trimmed = line.trim_start();
    let caps = PROBLEM_LABEL.captures(trimmed)?;
    let number = caps
        .get(1)
        .and_then(|m| parse_number(m.as_str()))
        .map(|n| n.to_string())
        .unwrap_or_default();
    Some((
        NodeKind::Labelled,
        LEVEL_LABELLED,
        number,
        trimmed.to_owned(),
    ))
}

/// Parents and spans: a node's parent is the nearest earlier node of a shallower level; its
/// span ends where the next node of its level or a shallower one starts.
fn link(nodes: &mut [Node], total: usize) {
    let mut stack: Vec<usize> = Vec::new();
    for i in 0..nodes.len() {
        let level = nodes[i].level;
        while let Some(&top) = stack.last() {
            if nodes[top].level >= level || nodes[top].level == LEVEL_TOP {
                nodes[top].end = nodes[i].line;
                stack.pop();
            } else {
                break;
            }
        }
        nodes[i].parent = stack.last().copied();
        stack.push(i);
    }
    for i in stack {
        nodes[i].end = total;
    }
}

/// Words of a notice's closing lines: the invitation to supervise (欢迎…监督) and the contact
/// labels (联系电话, 电子邮箱, 邮政信箱).
const CLOSING_WORDS: [&str; 4] = ["欢迎", "联系电话", "电子邮箱", "邮政信箱"];

/// The first line of the closing block: a line with a closing word after the last heading.
fn closing_line(lines: &[&str]) -> Option<usize> {
    let last_heading = lines
        .iter()
        .rposition(|l| heading(l).is_some() || table::is_row(l))
        .map_or(0, |i| i + 1);
    (last_heading..lines.len()).find(|&i| {
        let l = lines[i];
        CLOSING_WORDS.iter().any(|w| l.contains(w)) && (l.contains("监督") || l.contains('：'))
    })
}

/// One line of an explanation: a node of the outline with its role and evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainedNode {
    /// Nesting depth in the outline, 0 at the top.
    pub depth: usize,
    /// The number as printed in Arabic digits, empty when unnumbered.
    pub number: String,
    /// The node's text, shortened to its first sentence.
    pub text: String,
    /// What the node is.
    pub role: Role,
    /// Why: the heading words, item wording, labels or columns the role rests on.
    pub evidence: Vec<String>,
    /// For an issue: its status and where it was read.
    pub status: Option<(IssueStatus, String)>,
}

/// The outline of one notice as the parser read it: every node with its role and the evidence,
/// so that a wrong issue can be traced to the rule that made it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Explanation {
    /// The notice's title, when printed.
    pub title: Option<String>,
    /// The organisation found.
    pub organisation: Option<String>,
    /// Where the organisation was read (title, opening, signature).
    pub organisation_source: Option<String>,
    /// The outline nodes in document order.
    pub nodes: Vec<ExplainedNode>,
    /// Structure warnings (also in the notice's `warnings`).
    pub warnings: Vec<String>,
}

/// Longest node text shown, in characters.
const SHOWN_CHARS: usize = 40;

impl Explanation {
    /// The explanation of `outline`, with the notice's head fields.
    pub(crate) fn of(
        outline: &Outline,
        title: Option<&str>,
        organisation: Option<(&str, &str)>,
    ) -> Self {
        let depth = |n: &Node| {
            let mut d = 0;
            let mut p = n.parent;
            while let Some(i) = p {
                d += 1;
                p = outline.nodes.get(i).and_then(|n| n.parent);
            }
            d
        };
        let nodes = outline
            .nodes
            .iter()
            .map(|n| ExplainedNode {
                depth: depth(n),
                number: n.number.clone(),
                text: shorten(&n.text),
                role: n.role,
                evidence: n.evidence.clone(),
                status: n.status.clone(),
            })
            .collect();
        Self {
            title: title.map(str::to_owned),
            organisation: organisation.map(|(o, _)| o.to_owned()),
            organisation_source: organisation.map(|(_, s)| s.to_owned()),
            nodes,
            warnings: outline.warnings.clone(),
        }
    }
}

/// The text up to its first sentence end, at most [`SHOWN_CHARS`] characters.
fn shorten(text: &str) -> String {
    let end = text.find(['。', '；', '\t']).unwrap_or(text.len());
    let first = text[..end].trim();
    let mut out: String = first.chars().take(SHOWN_CHARS).collect();
    if first.chars().count() > SHOWN_CHARS {
        out.push('…');
    }
    out
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "title: {}", self.title.as_deref().unwrap_or("(none)"))?;
        match (&self.organisation, &self.organisation_source) {
            (Some(o), Some(s)) => writeln!(f, "organisation: {o}  [from {s}]")?,
            (Some(o), None) => writeln!(f, "organisation: {o}")?,
            (None, _) => writeln!(f, "organisation: (none)")?,
        }
        writeln!(f, "outline:")?;
        if self.nodes.is_empty() {
            writeln!(f, "  (no headings)")?;
        }
        for n in &self.nodes {
            let indent = "  ".repeat(n.depth + 1);
            let number = if n.number.is_empty() {
                String::new()
            } else {
                format!("#{} ", n.number)
            };
            write!(f, "{indent}{number}{}  => {}", n.text, n.role)?;
            if let Some((status, source)) = &n.status {
                write!(f, ", {}", status.as_str())?;
                if !source.is_empty() {
                    write!(f, " ({source})")?;
                }
            }
            writeln!(f)?;
            for e in &n.evidence {
                writeln!(f, "{indent}    because {e}")?;
            }
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}
