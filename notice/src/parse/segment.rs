//! Splitting a text into notices. A newspaper page carries the end of one notice and the start
//! of the next, and may print a notice's title after its signature. Boundaries are: after a
//! signature block (with the title that follows it when that title names the signer), before a
//! title standing after body text, before a new opening paragraph (根据…部署，…巡察组…) once the
//! current notice has printed its closing contact lines, and at page markers (上接 starts a
//! fragment, 下转 ends one). A signature is a name with its date below or above it, or a name
//! alone where the notice ends.

use super::dates::timestamp_line;
use super::inspection::{has_team, is_opening};
use super::lines::{LogicalLine, is_title_like};
use super::organisation::similarity;
use super::signature::{Signature, bare_signature_at, signature_at};
use crate::document::{PageMarker, PageMarkerKind};
use crate::model::Fragment;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// 关于 ("on"): separates the issuer from the subject in a title.
const TITLE_ABOUT: &str = "关于";

/// One notice's share of the logical lines.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    /// Logical line indices.
    pub(crate) lines: Range<usize>,
    /// The title line, wherever it stands.
    pub(crate) title: Option<usize>,
    /// The signature block.
    pub(crate) signature: Option<Signature>,
    /// Continuation markers within the segment.
    pub(crate) fragment: Fragment,
}

/// Splits `lines` into notice segments; `markers` are the page markers with text offsets.
pub(crate) fn segments(lines: &[LogicalLine], markers: &[PageMarker]) -> Vec<Segment> {
    let starts_fragment = |i: usize| {
        let lo = if i == 0 { 0 } else { lines[i - 1].end };
        markers.iter().any(|m| {
            m.kind == PageMarkerKind::ContinuedFrom && m.offset >= lo && m.offset <= lines[i].start
        })
    };
    let ends_fragment = |i: usize| {
        let hi = lines.get(i + 1).map_or(usize::MAX, |l| l.start);
        markers.iter().any(|m| {
            m.kind == PageMarkerKind::ContinuesOn && m.offset >= lines[i].end && m.offset < hi
        })
    };
    let mut out = Vec::new();
    let mut cur = Open::new(0);
    let mut i = 0;
    while i < lines.len() {
        let text = lines[i].text.as_str();
        let new_opening = cur.closed && is_opening(text) && has_team(text);
        if i > cur.start
            && cur.has_body
            && (starts_fragment(i) || is_title_like(text) || new_opening)
        {
            out.push(cur.close(i, None));
            cur = Open::new(i);
        }
        if !cur.closed {
            cur.closed = CLOSING_WORD.is_match(text);
        }
        if is_title_like(text) && cur.title.is_none() && !cur.has_body {
            cur.title = Some(i);
        } else if timestamp_line(text).is_none() || cur.has_body {
            cur.has_body = true;
        }
        if i > cur.start
            && let Some(sig) = signature_at(lines, i, cur.start).or_else(|| {
                bare_signature_at(lines, i)
                    .filter(|_| cur.has_body && notice_ends_before(lines, i + 1, &starts_fragment))
            })
        {
            let mut end = i + 1;
            if cur.title.is_none()
                && lines.get(end).is_some_and(|l| is_title_like(&l.text))
                && title_closes(lines, end, &sig, &starts_fragment)
            {
                cur.title = Some(end);
                end += 1;
            }
            out.push(cur.close(end, Some(sig)));
            cur = Open::new(end);
            i = end;
            continue;
        }
        if ends_fragment(i) && i + 1 < lines.len() {
            out.push(cur.close(i + 1, None));
            cur = Open::new(i + 1);
        }
        i += 1;
    }
    if cur.start < lines.len() {
        out.push(cur.close(lines.len(), None));
    }
    assign_markers(&mut out, lines, markers);
    out
}

/// Whether the title at `idx`, printed right after a signature, is that notice's own (newspaper
/// layout) rather than the next notice's: it names the signer, or nothing of a notice follows it.
fn title_closes(
    lines: &[LogicalLine],
    idx: usize,
    sig: &Signature,
    starts_fragment: &dyn Fn(usize) -> bool,
) -> bool {
    let title = lines[idx].text.as_str();
    let issuer = title.split(TITLE_ABOUT).next().unwrap_or_default();
    if !issuer.is_empty() && (issuer == sig.name || similarity(issuer, &sig.name) >= 0.6) {
        return true;
    }
    match lines.get(idx + 1) {
        None => true,
        Some(next) => starts_fragment(idx + 1) || is_title_like(&next.text),
    }
}

/// Whether a notice ends before line `idx`: the text ends, or a title, a page continuation or
/// an opening paragraph starts there.
fn notice_ends_before(
    lines: &[LogicalLine],
    idx: usize,
    starts_fragment: &dyn Fn(usize) -> bool,
) -> bool {
    match lines.get(idx) {
        None => true,
        Some(next) => is_title_like(&next.text) || starts_fragment(idx) || is_opening(&next.text),
    }
}

/// Words of a notice's closing lines: the invitation to supervise (欢迎广大干部群众…监督) and
/// the contact labels.
const CLOSING_WORDS: [&str; 4] = ["欢迎广大", "联系电话", "电子邮箱", "邮政信箱"];

/// Any of [`CLOSING_WORDS`], in one pass over a line.
static CLOSING_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&CLOSING_WORDS.join("|")).expect("the closing words form a valid regex")
});

/// A segment being built.
struct Open {
    start: usize,
    title: Option<usize>,
    has_body: bool,
    /// Closing lines (监督, contact) have been seen: a new opening starts another notice.
    closed: bool,
}

impl Open {
    fn new(start: usize) -> Self {
        Self {
            start,
            title: None,
            has_body: false,
            closed: false,
        }
    }

    fn close(&self, end: usize, signature: Option<Signature>) -> Segment {
        Segment {
            lines: self.start..end,
            title: self.title,
            signature,
            fragment: Fragment::default(),
        }
    }
}

/// Gives each page marker to the segment whose span holds it: a 上接 marker at a boundary
/// belongs to the segment that starts there, a 下转 marker to the one that ends there.
fn assign_markers(segments: &mut [Segment], lines: &[LogicalLine], markers: &[PageMarker]) {
    let starts: Vec<usize> = segments
        .iter()
        .map(|s| lines.get(s.lines.start).map_or(usize::MAX, |l| l.start))
        .collect();
    for marker in markers {
        let holder = match marker.kind {
            PageMarkerKind::ContinuedFrom => starts.iter().rposition(|&s| s <= marker.offset),
            PageMarkerKind::ContinuesOn => starts.iter().rposition(|&s| s < marker.offset),
        }
        .unwrap_or(0);
        if let Some(seg) = segments.get_mut(holder) {
            let slot = match marker.kind {
                PageMarkerKind::ContinuedFrom => &mut seg.fragment.continued_from_page,
                PageMarkerKind::ContinuesOn => &mut seg.fragment.continues_on_page,
            };
            slot.get_or_insert(marker.page);
        }
    }
}
