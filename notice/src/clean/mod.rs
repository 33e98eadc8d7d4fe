//! Text cleaning shared by HTML and plain-text input. In order: normalise whitespace, strip
//! paywall markers, lift newspaper continuation markers into placeholders, drop a trailing
//! advert block, drop chrome and metadata lines (filling [`DocumentMetadata`]), cut a trailing
//! site footer, reflow hard-wrapped columns, drop repeated paragraphs, and finally turn the
//! placeholders into [`crate::PageMarker`]s with offsets into the final text.
//!
//! - [`shape`]: character classes, widths and the compact form rules match on.
//! - [`chrome`]: toolbar, breadcrumb, byline and footer lines.
//! - [`metadata`]: labelled 发布日期/来源/索引号 fields.
//! - [`markers`]: 上接第N版 / 下转第N版.
//! - [`adverts`]: ##paidbegin## markers and trailing promotions.
//! - [`reflow`]: joining hard-wrapped newspaper lines.

pub(crate) mod adverts;
pub(crate) mod chrome;
pub(crate) mod markers;
pub(crate) mod metadata;
pub(crate) mod reflow;
pub(crate) mod shape;

use crate::document::CleanDocument;
use metadata::MetadataScan;
use shape::{compact, ends_sentence, is_placeholder, is_space, visible, visible_len, visible_str};
use std::collections::HashSet;

/// Paragraphs at least this long (visible characters) are dropped when repeated: carousels and
/// image captions repeat body paragraphs, while short lines (`整改措施：`) legitimately recur.
const MIN_DEDUP_CHARS: usize = 20;

/// How many lines after a lone disclosure label may hold its value.
const MAX_VALUE_CHARS: usize = 40;

/// A body line this long with sentence punctuation means a footer candidate is not the end.
const BODY_LINE_CHARS: usize = 50;

/// Lines at the top of a plain text where a bare `2024-06-01 09:30` is the publication time.
const HEAD_LINES: usize = 3;

/// Longest first line that may be taken for the title of a plain text.
const MAX_TITLE_CHARS: usize = 80;

/// Cleans `doc.text` in place, records the continuation markers it removes and fills
/// `doc.metadata` from labelled lines. When `doc.title` is set, the text starts with it.
pub fn clean_text(doc: &mut CleanDocument) {
    let raw = std::mem::take(&mut doc.text);
    let mut lifted = Vec::new();
    let mut lines: Vec<String> = raw
        .lines()
        .map(|line| markers::lift(normalise(&adverts::strip_paywall(line)), &mut lifted))
        .collect();
    adverts::drop_trailing_adverts(&mut lines);

    let title = doc.title.as_deref().map(title_key);
    let mut scan = MetadataScan::default();
    let mut lines = drop_info_lines(lines, title.as_deref(), &mut scan);
    cut_footer(&mut lines);
    markers::attach_orphans(&mut lines, &lifted);
    let mut paragraphs = reflow::reflow(lines, |prev, next| {
        markers::is_fragment_boundary(prev, next, &lifted)
    });
    drop_repeats(&mut paragraphs, title.as_deref());

    if doc.title.is_none() {
        doc.title = paragraphs
            .first()
            .filter(|first| looks_like_title(first))
            .map(|first| visible(first));
    }
    scan.merge_into(&mut doc.metadata);
    let mut text = String::with_capacity(raw.len());
    for paragraph in &paragraphs {
        text.push_str(trim_line(paragraph));
        text.push('\n');
    }
    let (text, page_markers) = markers::resolve(&text, &lifted);
    doc.text = text;
    doc.page_markers = page_markers;
}

/// Trims a line, removes stray placeholder code points of the input and collapses runs of
/// spaces (tabs between table cells stay). Text between such characters is copied in runs, as
/// this runs on every line of every input.
fn normalise(line: &str) -> String {
    let line = trim_line(line);
    let mut out = String::with_capacity(line.len());
    let mut pending_space = false;
    let mut run_start: Option<usize> = None;
    for (at, len, hidden) in shape::char_spans(line) {
        if !hidden {
            if run_start.is_none() {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                run_start = Some(at);
            }
            continue;
        }
        if let Some(start) = run_start.take() {
            out.push_str(&line[start..at]);
        }
        let c = line[at..at + len].chars().next().unwrap_or(' ');
        if is_placeholder(c) || c == '\u{200b}' || c == '\u{feff}' {
            continue;
        }
        if c == '\t' {
            out.push('\t');
            pending_space = false;
        } else {
            pending_space = !out.ends_with('\t');
        }
    }
    if let Some(start) = run_start {
        out.push_str(&line[start..]);
    }
    out
}

/// A line without its surrounding whitespace. A table row (cells separated by tabs) keeps its
/// leading and trailing tabs, so that an empty first or last cell keeps its column.
fn trim_line(line: &str) -> &str {
    let trimmed = line.trim_matches(is_space);
    if trimmed.contains('\t') {
        line.trim_matches(|c: char| is_space(c) && c != '\t')
    } else {
        trimmed
    }
}

/// The comparison key of a title: compact, without footnote marks like `[1]`.
fn title_key(title: &str) -> String {
    let mut key = compact(title);
    while let Some(open) = key.rfind('[') {
        let tail = &key[open + 1..];
        if tail.ends_with(']') && tail[..tail.len() - 1].chars().all(|c| c.is_ascii_digit()) {
            key.truncate(open);
        } else {
            break;
        }
    }
    key
}

/// Drops chrome and metadata lines; a disclosure label alone on a line takes the next short
/// line with it as its value. The title line is never dropped.
fn drop_info_lines(
    lines: Vec<String>,
    title: Option<&str>,
    scan: &mut MetadataScan,
) -> Vec<String> {
    let mut kept = Vec::with_capacity(lines.len());
    let mut pending_label: Option<&'static str> = None;
    let mut nonblank = 0usize;
    // Whether a line with visible text was kept yet: the title line counts only before one.
    let mut kept_text = false;
    // After a poll or ranking heading: its options, counts and rank numbers go with it.
    let mut in_widget = false;
    for line in lines {
        let trimmed = visible_str(&line);
        if trimmed.is_empty() {
            kept.push(line);
            continue;
        }
        nonblank += 1;
        if in_widget
            && visible_len(&trimmed) <= chrome::MAX_WIDGET_ITEM_CHARS
            && !trimmed.contains(shape::SENTENCE_PUNCT)
            && !ends_sentence(&trimmed)
        {
            keep_placeholders(&line, &mut kept);
            continue;
        }
        in_widget = chrome::is_list_widget_heading(&trimmed);
        if in_widget {
            keep_placeholders(&line, &mut kept);
            continue;
        }
        if let Some(label) = pending_label.take()
            && trimmed.chars().count() <= MAX_VALUE_CHARS
            && metadata::lone_label(&trimmed).is_none()
        {
            scan.read_value(label, &trimmed);
            keep_placeholders(&line, &mut kept);
            continue;
        }
        if !kept_text && title.is_some_and(|t| title_key(&trimmed) == t) {
            kept_text = true;
            kept.push(line);
            continue;
        }
        if let Some(label) = metadata::lone_label(&trimmed) {
            pending_label = Some(label);
            keep_placeholders(&line, &mut kept);
            continue;
        }
        if nonblank <= HEAD_LINES
            && let Some(at) = metadata::is_bare_datetime(&trimmed)
        {
            scan.offer_heading_date(at);
            keep_placeholders(&line, &mut kept);
            continue;
        }
        if metadata::is_info_line(scan, &trimmed) {
            keep_placeholders(&line, &mut kept);
            continue;
        }
        kept_text = true;
        kept.push(line);
    }
    kept
}

/// A dropped line may still carry a continuation marker; keep it as a placeholder-only line.
fn keep_placeholders(line: &str, kept: &mut Vec<String>) {
    let slots: String = line.chars().filter(|&c| is_placeholder(c)).collect();
    if !slots.is_empty() {
        kept.push(slots);
    }
}

/// Cuts a site footer: from the first copyright/registration line after which no body
/// paragraph follows, everything goes (addresses, phones and link rows of the footer with it).
fn cut_footer(lines: &mut Vec<String>) {
    let mut cut = None;
    for (i, line) in lines.iter().enumerate().rev() {
        if chrome::is_footer_line(line) {
            cut = Some(i);
        } else if is_body_line(line) {
            break;
        }
    }
    if let Some(cut) = cut {
        let slots: String = lines[cut..]
            .iter()
            .flat_map(|l| l.chars())
            .filter(|&c| is_placeholder(c))
            .collect();
        lines.truncate(cut);
        if !slots.is_empty() {
            lines.push(slots);
        }
    }
}

fn is_body_line(line: &str) -> bool {
    visible_len(line) >= BODY_LINE_CHARS && line.contains(shape::SENTENCE_PUNCT)
}

/// Drops exact repeats of long paragraphs and repeats of the title.
fn drop_repeats(paragraphs: &mut Vec<String>, title: Option<&str>) {
    let mut seen: HashSet<String> = HashSet::new();
    let mut out: Vec<String> = Vec::with_capacity(paragraphs.len());
    let mut i = 0;
    while i < paragraphs.len() {
        let key = title_key(&paragraphs[i]);
        // A headline broken over up to four lines (`<br>` inside the heading) repeats the title.
        if let Some(title) = title
            && !out.is_empty()
            && title.starts_with(key.as_str())
            && !key.is_empty()
        {
            let mut joined = String::new();
            let mut j = i;
            while j < paragraphs.len() && j < i + 4 && joined.len() < title.len() {
                joined.push_str(&title_key(&paragraphs[j]));
                j += 1;
            }
            if joined == title {
                carry_placeholders(&paragraphs[i..j], &mut out);
                i = j;
                continue;
            }
        }
        let repeated = visible_len(&key) >= MIN_DEDUP_CHARS && !seen.insert(key);
        if repeated {
            carry_placeholders(&paragraphs[i..=i], &mut out);
        } else {
            out.push(std::mem::take(&mut paragraphs[i]));
        }
        i += 1;
    }
    *paragraphs = out;
}

fn carry_placeholders(dropped: &[String], out: &mut [String]) {
    if let Some(last) = out.last_mut() {
        last.extend(
            dropped
                .iter()
                .flat_map(|p| p.chars())
                .filter(|&c| is_placeholder(c)),
        );
    }
}

/// A first line that reads like a headline: short, not a sentence, not a numbered item.
fn looks_like_title(line: &str) -> bool {
    let visible = visible(line);
    let len = visible.chars().count();
    (4..=MAX_TITLE_CHARS).contains(&len)
        && !ends_sentence(&visible)
        && !visible.ends_with(['，', ','])
        && !reflow::opens_paragraph(&visible)
        && !visible.contains(shape::SENTENCE_PUNCT[1])
}
