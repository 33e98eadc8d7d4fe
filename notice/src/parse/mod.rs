//! Cleaned text to notices.
//!
//! The text is first re-assembled into paragraphs ([`lines`]), since newspaper columns are
//! hard-wrapped anywhere; then split into notices ([`segment`]). Each notice's body is given one
//! explicit structure: an [`outline`] of its sections, items and sub-items (numbered
//! [`headings`], `问题：` lines, [`table`] rows), whose nodes [`roles`] calls measures, issue
//! categories, issues, plans, round units… from the evidence a reader uses; [`issues`] reads
//! the issues and their [`status`] off it. The other parts are read by one module per concern:
//! [`organisation`], [`inspection`], [`figures`], [`signature`], [`contact`], [`dates`] and
//! [`numerals`]; [`consistency`] compares what the notice reports with what it lists.
//! [`NoticeParser::explain`] shows the outline with each role and its evidence.

mod consistency;
mod contact;
mod dates;
mod figures;
mod headings;
mod inspection;
mod issues;
mod lines;
mod numerals;
mod organisation;
mod outline;
mod roles;
mod segment;
mod signature;
mod status;
mod table;

pub use outline::{ExplainedNode, Explanation, Role};

use crate::document::CleanDocument;
use crate::model::{Notice, NoticeDateTime};
use lines::{LogicalLine, is_title_like};
use segment::Segment;

/// 关于 ("on"): a title's issuer stands before it.
const TITLE_ABOUT: &str = "关于";

/// 巡视 / 巡察 / 整改 (central inspection, local inspection, rectification): every notice uses
/// at least one of them.
const NOTICE_WORDS: &[&str] = &["巡视", "巡察", "整改"];

/// How many lines at the top of a notice may hold its title and timestamp.
const HEAD_LINES: usize = 4;

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
        self.read(doc, false).into_iter().map(|(n, _)| n).collect()
    }

    /// The outline of every notice in `doc` with each node's role and the evidence for it, in
    /// the order [`NoticeParser::parse`] returns the notices.
    pub fn explain(&self, doc: &CleanDocument) -> Vec<Explanation> {
        self.read(doc, true)
            .into_iter()
            .map(|(_, e)| e.unwrap_or_default())
            .collect()
    }

    /// Every notice, with its explanation when `explain` asks for one (parsing alone skips
    /// building it).
    fn read(&self, doc: &CleanDocument, explain: bool) -> Vec<(Notice, Option<Explanation>)> {
        let mut markers = doc.page_markers.clone();
        let lines = lines::logical_lines(&doc.text, &mut markers);
        let segments = segment::segments(&lines, &markers);
        let mut notices: Vec<(Notice, Option<Explanation>)> = segments
            .iter()
            .filter_map(|seg| build(&lines, seg, doc, explain))
            .collect();
        if notices.len() == 1
            && let Some((notice, explanation)) = notices.first_mut()
            && notice.title.is_none()
        {
            notice.title = doc.title.clone().filter(|t| is_title_like(t));
            if let Some(explanation) = explanation {
                explanation.title.clone_from(&notice.title);
            }
        }
        notices
    }
}

/// Reads one notice from its segment, with its explanation; `None` when the segment holds no
/// notice (page chrome, advertisements).
fn build(
    all: &[LogicalLine],
    seg: &Segment,
    doc: &CleanDocument,
    explain: bool,
) -> Option<(Notice, Option<Explanation>)> {
    let lines: Vec<&str> = all[seg.lines.clone()]
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    let base = seg.lines.start;
    let title_idx = seg.title.map(|t| t - base);
    let sig_idx = seg
        .signature
        .as_ref()
        .map(|s| (s.name_line - base, s.date_line.map(|d| d - base)));
    let stamp = lines
        .iter()
        .enumerate()
        .take(HEAD_LINES)
        .find_map(|(i, l)| dates::timestamp_line(l).map(|t| (i, t)));
    // A notice signed by a date alone: its last line, past the head.
    let closing_date = seg
        .signature
        .is_none()
        .then(|| signature::closing_date(&lines[HEAD_LINES.min(lines.len())..]))
        .flatten();
    let closing_idx = closing_date.map(|_| lines.len() - 1);
    // The body: everything but title, timestamp and signature.
    let skip = |i: usize| {
        Some(i) == title_idx
            || stamp.is_some_and(|(s, _)| s == i)
            || sig_idx.is_some_and(|(n, d)| i == n || d == Some(i))
            || Some(i) == closing_idx
    };
    let body: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip(*i))
        .map(|(_, l)| *l)
        .collect();
    let title = title_idx.map(|t| lines[t].to_owned());
    let opening_idx = body
        .iter()
        .take(HEAD_LINES + 2)
        .position(|l| inspection::is_opening(l));
    let opening = opening_idx.and_then(|i| body.get(i)).copied();
    let signature = seg.signature.as_ref();

    let found = find_organisation(
        signature.map(|s| s.name.as_str()),
        title.as_deref(),
        opening,
        &body,
    );
    let scan = issues::scan(
        &body,
        opening_idx,
        seg.fragment.continued_from_page.is_some(),
    );
    if found.is_none() && scan.issues.is_empty() && title.is_none() && opening.is_none() {
        return None;
    }
    // A segment that never speaks of inspection or rectification is page chrome that names an
    // organisation (a footer's 版权所有 line), not a notice.
    if scan.issues.is_empty()
        && !lines
            .iter()
            .any(|l| NOTICE_WORDS.iter().any(|w| l.contains(w)))
    {
        return None;
    }
    let outside: Vec<&str> = body
        .iter()
        .enumerate()
        .filter(|(i, l)| !scan.in_plan[*i] && (!scan.in_issue[*i] || is_summary(l)))
        .map(|(_, l)| *l)
        .collect();
    let after_issues = scan.in_issue.iter().rposition(|b| *b).map_or(0, |i| i + 1);
    let reported = figures::reported(&outside);
    let fragment = seg.fragment;
    let is_fragment =
        fragment.continued_from_page.is_some() || fragment.continues_on_page.is_some();
    let joined = body.concat();
    let org_source = found.as_ref().map(|(_, s)| *s);
    let organisation = found.map(|(o, _)| o);
    let organisation_aliases = organisation
        .as_deref()
        .map(|org| organisation::aliases(org, &joined))
        .unwrap_or_default();
    let explanation = explain.then(|| {
        Explanation::of(
            &scan.outline,
            title.as_deref(),
            organisation.as_deref().zip(org_source),
        )
    });
    let mut warnings: Vec<String> = scan
        .outline
        .warnings
        .iter()
        .filter(|w| !is_fragment || !w.starts_with(roles::NO_ISSUE_SECTION))
        .cloned()
        .collect();
    warnings.extend(consistency::warnings(&reported, &scan.issues, is_fragment));
    let notice = Notice {
        warnings,
        multi_unit_report: inspection::is_multi_unit(title.as_deref(), opening, &body),
        inspection: inspection::inspection(title.as_deref(), opening, &body),
        contact: contact::contact(&body, after_issues),
        title,
        organisation,
        organisation_aliases,
        signed_by: signature.map(|s| s.name.clone()),
        signed_on: signature.and_then(|s| s.date).or(closing_date),
        // GENRES §7: a page that prints only its 成文日期 gives that as its publication date.
        published_at: stamp.map(|(_, t)| t).or(doc.metadata.published_at).or(doc
            .metadata
            .written_on
            .map(|date| NoticeDateTime { date, time: None })),
        fragment,
        reported,
        issues: scan.issues,
    };
    Some((notice, explanation))
}

/// 反馈的 / 个方面 / 个问题 ("fed back", "aspects", "problems"): a sentence with them sums up the
/// whole notice even where it stands after the last issue's text.
const SUMMARY_WORDS: [&str; 3] = ["反馈", "个方面", "个问题"];

/// True for a sentence that sums up the notice's figures: it names the problems fed back or
/// their aspects, not one issue's measures.
fn is_summary(line: &str) -> bool {
    SUMMARY_WORDS.iter().filter(|w| line.contains(*w)).count() >= 2
}

/// Where an organisation name was read, as the explanation says it.
const FROM_TITLE: &str = "the title";
/// The signature block.
const FROM_SIGNATURE: &str = "the signature";
/// The opening's 向X反馈 (the committee the findings went to).
const FROM_FEEDBACK: &str = "the opening (向…反馈)";
/// A full name in the opening.
const FROM_OPENING: &str = "the opening";
/// The body's first full name.
const FROM_BODY: &str = "the body";

/// The organisation and where it was read: a full party-organisation name issuing the notice
/// (its title) or signing it; else the committee the opening says the findings were fed back to
/// (向甲市委反馈), which is the rectifying organisation even when no title is printed (the
/// title's or the signature's fuller form when it is a short back-reference to it); else the
/// signer or issuer as printed; else the inspected body named in the opening (its full name,
/// else the name as printed: 对区某局党组开展巡察); else the first full name in the body.
fn find_organisation(
    signature: Option<&str>,
    title: Option<&str>,
    opening: Option<&str>,
    body: &[&str],
) -> Option<(String, &'static str)> {
    let issuer = title
        .and_then(|t| t.split(TITLE_ABOUT).next())
        .filter(|i| !i.is_empty() && title.is_some_and(|t| t.contains(TITLE_ABOUT)));
    let tag = |source: &'static str| move |s: &str| (s.to_owned(), source);
    issuer
        .filter(|i| organisation::is_full_name(i))
        .map(tag(FROM_TITLE))
        .or_else(|| {
            signature
                .filter(|s| organisation::is_full_name(s))
                .map(tag(FROM_SIGNATURE))
        })
        .or_else(|| {
            let o = opening?;
            let short = organisation::fed_back_to(o)?;
            let named = organisation::defined_as(o, short).unwrap_or(short);
            // A back-reference (向集团公司党组反馈) to the issuer the title or the signature
            // prints in full: the fullest printed form is the organisation.
            let printed_issuer = issuer.filter(|i| signature::is_name_line(i));
            printed_issuer
                .filter(|i| organisation::abbreviates(named, i))
                .map(tag(FROM_TITLE))
                .or_else(|| {
                    signature
                        .filter(|s| organisation::abbreviates(named, s))
                        .map(tag(FROM_SIGNATURE))
                })
                .or_else(|| Some(tag(FROM_FEEDBACK)(named)))
        })
        .or_else(|| signature.map(tag(FROM_SIGNATURE)))
        .or_else(|| {
            issuer
                .filter(|i| signature::is_name_line(i))
                .map(tag(FROM_TITLE))
        })
        .or_else(|| {
            opening
                .and_then(organisation::find_full_name)
                .map(tag(FROM_OPENING))
        })
        .or_else(|| {
            opening
                .and_then(organisation::inspected_body)
                .map(tag(FROM_OPENING))
        })
        .or_else(|| {
            body.iter()
                .find_map(|l| organisation::find_full_name(l))
                .map(tag(FROM_BODY))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_back_reference_gives_way_to_the_printed_issuer() {
        let opening = "根据省委部署，省委第二巡视组对甲乙理工学院党委进行了巡视，并向学校党委反馈了巡视意见。";
        let title = "甲乙理工学院党委关于省委巡视整改进展情况的通报";
        let got = find_organisation(None, Some(title), Some(opening), &[]);
        assert_eq!(got, Some(("甲乙理工学院党委".to_owned(), FROM_TITLE)));
        let got = find_organisation(
            Some("丙丁能源集团有限公司党组"),
            None,
            Some("向集团公司党组反馈"),
            &[],
        );
        assert_eq!(
            got,
            Some(("丙丁能源集团有限公司党组".to_owned(), FROM_SIGNATURE))
        );
        // A different unit's name stays the committee the findings went to.
        let got = find_organisation(None, Some(title), Some("向甲乙市委反馈"), &[]);
        assert_eq!(got, Some(("甲乙市委".to_owned(), FROM_FEEDBACK)));
    }
}
