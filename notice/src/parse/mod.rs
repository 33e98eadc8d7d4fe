//! Cleaned text to notices.
//!
//! The text is first re-assembled into paragraphs ([`lines`]), since newspaper columns are
//! hard-wrapped anywhere; then split into notices ([`segment`]); then each notice's parts are
//! read by one module per concern: [`organisation`], [`inspection`], [`figures`], [`issues`]
//! (with [`headings`] and [`status`]), [`signature`], [`contact`], [`dates`] and [`numerals`];
//! [`consistency`] compares what the notice reports with what it lists.

mod consistency;
mod contact;
mod dates;
mod figures;
mod headings;
mod inspection;
mod issues;
mod levels;
mod lines;
mod numerals;
mod organisation;
mod segment;
mod signature;
mod status;

use crate::document::CleanDocument;
use crate::model::Notice;
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
        let mut markers = doc.page_markers.clone();
        let lines = lines::logical_lines(&doc.text, &mut markers);
        let segments = segment::segments(&lines, &markers);
        let mut notices: Vec<Notice> = segments
            .iter()
            .filter_map(|seg| build(&lines, seg, doc))
            .collect();
        if notices.len() == 1
            && let Some(notice) = notices.first_mut()
            && notice.title.is_none()
        {
            notice.title = doc.title.clone().filter(|t| is_title_like(t));
        }
        notices
    }
}

/// Reads one notice from its segment; `None` when the segment holds no notice (page chrome,
/// advertisements).
fn build(all: &[LogicalLine], seg: &Segment, doc: &CleanDocument) -> Option<Notice> {
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
    // The body: everything but title, timestamp and signature.
    let skip = |i: usize| {
        Some(i) == title_idx
            || stamp.is_some_and(|(s, _)| s == i)
            || sig_idx.is_some_and(|(n, d)| i == n || d == Some(i))
    };
    let body: Vec<&str> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip(*i))
        .map(|(_, l)| *l)
        .collect();
    let title = title_idx.map(|t| lines[t].to_owned());
    let opening = body
        .iter()
        .take(HEAD_LINES + 2)
        .find(|l| inspection::is_opening(l))
        .copied();
    let signature = seg.signature.as_ref();

    let organisation = find_organisation(
        signature.map(|s| s.name.as_str()),
        title.as_deref(),
        opening,
        &body,
    );
    let scan = issues::scan(&body, seg.fragment.continued_from_page.is_some());
    if organisation.is_none() && scan.issues.is_empty() && title.is_none() && opening.is_none() {
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
    let organisation_aliases = organisation
        .as_deref()
        .map(|org| organisation::aliases(org, &joined))
        .unwrap_or_default();
    Some(Notice {
        warnings: consistency::warnings(&reported, &scan.issues, is_fragment),
        multi_unit_report: inspection::is_multi_unit(title.as_deref(), opening, &body),
        inspection: inspection::inspection(title.as_deref(), opening, &body),
        contact: contact::contact(&body, after_issues),
        title,
        organisation,
        organisation_aliases,
        signed_by: signature.map(|s| s.name.clone()),
        signed_on: signature.and_then(|s| s.date),
        published_at: stamp.map(|(_, t)| t).or(doc.metadata.published_at),
        fragment,
        reported,
        issues: scan.issues,
    })
}

/// 反馈的 / 个方面 / 个问题 ("fed back", "aspects", "problems"): a sentence with them sums up the
/// whole notice even where it stands after the last issue's text.
const SUMMARY_WORDS: [&str; 3] = ["反馈", "个方面", "个问题"];

/// True for a sentence that sums up the notice's figures: it names the problems fed back or
/// their aspects, not one issue's measures.
fn is_summary(line: &str) -> bool {
    SUMMARY_WORDS.iter().filter(|w| line.contains(*w)).count() >= 2
}

/// The organisation: a full party-organisation name signing or issuing the notice, else the
/// signer or issuer as printed, else the inspected body named in the opening (a fragment without
/// signature): its full name, else the name as the opening prints it (对区某局党组开展巡察);
/// else the first full party-organisation name in the body.
fn find_organisation(
    signature: Option<&str>,
    title: Option<&str>,
    opening: Option<&str>,
    body: &[&str],
) -> Option<String> {
    let issuer = title
        .and_then(|t| t.split(TITLE_ABOUT).next())
        .filter(|i| !i.is_empty() && title.is_some_and(|t| t.contains(TITLE_ABOUT)));
    signature
        .filter(|s| organisation::is_full_name(s))
        .or_else(|| issuer.filter(|i| organisation::is_full_name(i)))
        .or(signature)
        .or_else(|| issuer.filter(|i| signature::is_name_line(i)))
        .or_else(|| opening.and_then(organisation::find_full_name))
        .or_else(|| opening.and_then(organisation::inspected_body))
        .or_else(|| body.iter().find_map(|l| organisation::find_full_name(l)))
        .map(str::to_owned)
}
