//! Logical lines: the cleaned text's physical lines re-assembled into paragraphs, so that the
//! parser works the same on hard-wrapped newspaper columns and on one-paragraph-per-line pages.
//!
//! A newspaper column breaks lines at a fixed width, anywhere in a sentence, even inside a
//! quoted heading (`1、关于“某某工作推进` / `不力”问题的整改。`). A line is joined to the next when a
//! quote or bracket is still open, when it ends in a character no paragraph ends with (，、@),
//! when a number is split from its unit, or, in a text detected as hard-wrapped, when the line
//! runs to the column width and does not end a sentence. Page markers still in the text are lifted
//! out (the cleaner normally does this) and, like the ones the cleaner recorded, break paragraphs.

use super::dates::{date_line, timestamp_line};
use super::headings::heading;
use super::signature::is_name_line;
use super::status::note_status;
use crate::document::{PageMarker, PageMarkerKind};
use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// 上接第N版 / 下转第N版 ("continued from / on page N") left in the text, optionally bracketed.
static PAGE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]?\s*(上接|下转|接上|转下|转第)\s*第?\s*(\d{1,3})\s*版\s*[）)]?")
        .expect("the page marker pattern is a valid regex")
});

/// A newspaper page header (2025年12月9日 星期二 …日报 5 综合新闻): a line of its own, never the
/// start of the title printed under it.
static PAGE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\d{4}年\d{1,2}月\d{1,2}日[\s\u{3000}]*(?:星期|周)[一二三四五六日天]")
        .expect("the page header pattern is a valid regex")
});

/// 上接 and 接上: "continued from".
const CONTINUED_FROM_WORDS: [&str; 2] = ["上接", "接上"];

/// Paywall markers of document-sharing sites, which may sit mid-word.
const PAYWALL_MARKERS: [&str; 2] = ["##paidbegin##", "##paidend##"];

/// Sentence-final punctuation: a line ending in one of these ends its paragraph.
const TERMINAL: [char; 8] = ['。', '！', '？', '：', '!', '?', ':', '…'];

/// Characters no paragraph ends with: a line ending in one continues on the next (至 "to" opens
/// the second half of a range: 2025年4月28日至 / 6月27日).
const CONTINUATION: [char; 15] = [
    '，', '、', ',', '@', '“', '‘', '（', '(', '《', '-', '—', '/', '·', '＠', '至',
];

/// Units and date parts that follow a number: `2021` / `年9月` is one date.
const NUMBER_FOLLOWERS: [char; 14] = [
    '年', '月', '日', '号', '%', '％', '万', '亿', '个', '项', '条', '人', '元', '家',
];

/// 关于 ("on"): separates a title's issuer from its subject.
const TITLE_ABOUT: &str = "关于";

/// Endings of a notice title (通报 "circular", 公告 "announcement", 公示 "public notice").
const TITLE_ENDINGS: [&str; 5] = ["通报", "公告", "公示", "情况报告", "情况的报告"];

/// The cell separator of table rows (the cleaner writes one row per line).
const TABLE_CELL: char = '\t';

/// How far back (bytes) an unclosed quote or bracket still joins the next line.
const OPEN_PAIR_WINDOW: usize = 240;

/// Longest line (bytes) that can be a date, timestamp or title line; longer ones are not checked.
const SHORT_LINE: usize = 240;

/// One paragraph of the text with the byte range of `CleanDocument::text` it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogicalLine {
    /// The paragraph's text, physical lines concatenated.
    pub(crate) text: String,
    /// Byte offset of its first character in the document text.
    pub(crate) start: usize,
    /// Byte offset just past its last character in the document text.
    pub(crate) end: usize,
}

/// A physical line: trimmed text and where it stands.
struct Physical {
    text: String,
    start: usize,
    end: usize,
    /// A page marker stood at its start (before it) or at its end: a paragraph break.
    break_before: bool,
    break_after: bool,
}

/// Display width in half-width units: CJK characters count two, ASCII one.
fn width(s: &str) -> usize {
    // Counted on bytes, without branches so that it vectorises (this runs on every line): an
    // ASCII byte is a character of width one, a UTF-8 lead byte (0xC0 and up) starts one of
    // width two, continuation bytes (0x80–0xBF) count nothing.
    s.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xC0))
        .sum()
}

/// Splits `text` into logical lines; page markers still in the text are appended to `markers`.
pub(crate) fn logical_lines(text: &str, markers: &mut Vec<PageMarker>) -> Vec<LogicalLine> {
    let physical = physical_lines(text, markers);
    let column = column_width(&physical);
    let mut out: Vec<LogicalLine> = Vec::new();
    let mut last_width = 0;
    let mut open_break = true;
    for line in physical {
        let join = !open_break
            && !line.break_before
            && out
                .last()
                .is_some_and(|cur| should_join(&cur.text, last_width, &line.text, column));
        last_width = width(&line.text);
        if join && let Some(cur) = out.last_mut() {
            cur.text.push_str(&line.text);
            cur.end = line.end;
        } else {
            out.push(LogicalLine {
                text: line.text,
                start: line.start,
                end: line.end,
            });
        }
        open_break = line.break_after;
    }
    out
}

/// Non-empty trimmed physical lines, with leftover markers and paywall tags removed.
fn physical_lines(text: &str, markers: &mut Vec<PageMarker>) -> Vec<Physical> {
    let boundaries: Vec<usize> = markers.iter().map(|m| m.offset).collect();
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split('\n') {
        let line_start = offset;
        offset += raw.len() + 1;
        let trimmed = raw.trim_start_matches(is_blank);
        let start = line_start + (raw.len() - trimmed.len());
        let trimmed = trimmed.trim_end_matches(is_blank);
        let end = start + trimmed.len();
        // Copied once, at the end: nearly every line has neither paywall tags nor markers.
        let mut text = Cow::Borrowed(trimmed);
        for tag in PAYWALL_MARKERS {
            if text.contains(tag) {
                text = Cow::Owned(text.replace(tag, ""));
            }
        }
        let (mut break_before, mut break_after) = (false, false);
        if text.contains('版') && PAGE_MARKER.is_match(&text) {
            let (kept, found) = lift_markers(&text, start);
            for (marker, at_start) in found {
                break_before |= at_start;
                break_after |= !at_start;
                markers.push(marker);
            }
            text = Cow::Owned(kept);
        }
        let owned = text.trim_matches(is_blank).to_owned();
        // A marker the cleaner recorded at this line's edge breaks the paragraph there.
        break_before |= boundaries.iter().any(|&b| b <= start && b + 2 >= start);
        break_after |= boundaries.iter().any(|&b| b >= end && b <= end + 1);
        if owned.is_empty() {
            // A marker alone on its line: the break falls after the previous line.
            if (break_before || break_after)
                && let Some(prev) = out.last_mut()
            {
                let prev: &mut Physical = prev;
                prev.break_after = true;
            }
            continue;
        }
        out.push(Physical {
            text: owned,
            start,
            end,
            break_before,
            break_after,
        });
    }
    out
}

/// Whitespace including the ideographic space and no-break space.
fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}' || c == '\u{feff}'
}

/// Removes page markers from a line; returns the rest and the markers with whether each stood at
/// the line start (a continuation begins) or later (the text continues elsewhere).
fn lift_markers(line: &str, line_start: usize) -> (String, Vec<(PageMarker, bool)>) {
    let mut kept = String::with_capacity(line.len());
    let mut found = Vec::new();
    let mut last = 0;
    for caps in PAGE_MARKER.captures_iter(line) {
        let (Some(all), Some(dir), Some(page)) = (caps.get(0), caps.get(1), caps.get(2)) else {
            continue;
        };
        kept.push_str(&line[last..all.start()]);
        last = all.end();
        let Ok(page) = page.as_str().parse() else {
            continue;
        };
        let kind = if CONTINUED_FROM_WORDS.contains(&dir.as_str()) {
            PageMarkerKind::ContinuedFrom
        } else {
            PageMarkerKind::ContinuesOn
        };
        let at_start = kept.trim().is_empty();
        let offset = line_start + kept.len();
        found.push((PageMarker { kind, page, offset }, at_start));
    }
    kept.push_str(&line[last..]);
    (kept, found)
}

/// The column width of a hard-wrapped text, or `None` when lines are paragraphs. A column's
/// full lines are its widest common lines (the upper quartile), and nearly half the lines of a
/// column are within a character or two of it.
fn column_width(lines: &[Physical]) -> Option<usize> {
    if lines.len() < 8 {
        return None;
    }
    let mut widths: Vec<usize> = lines.iter().map(|l| width(&l.text)).collect();
    widths.sort_unstable();
    let column = widths[widths.len() * 3 / 4];
    if !(16..=100).contains(&column) {
        return None;
    }
    let near = widths
        .iter()
        .filter(|&&w| w * 100 >= column * 85 && w * 100 <= column * 108)
        .count();
    (near * 100 >= widths.len() * 45).then_some(column)
}

/// Byte offset of the earliest quote or bracket opened in the last `window` bytes of `s` and
/// still open at its end. Only the tail is scanned, so re-checking a growing paragraph after
/// each joined line stays linear; an opener in the tail is closed, if at all, in the tail.
fn open_pair_at(s: &str, window: usize) -> Option<usize> {
    let mut from = s.len().saturating_sub(window);
    while !s.is_char_boundary(from) {
        from += 1;
    }
    // Per kind (quotes, brackets, book-title marks): nesting depth and where it last left zero.
    let mut depth = [0u32; 3];
    let mut outer = [0usize; 3];
    for (i, c) in s[from..].char_indices() {
        let i = i + from;
        let (kind, opens) = match c {
            '“' => (0, true),
            '”' => (0, false),
            '（' | '(' => (1, true),
            '）' | ')' => (1, false),
            '《' => (2, true),
            '》' => (2, false),
            _ => continue,
        };
        if opens {
            if depth[kind] == 0 {
                outer[kind] = i;
            }
            depth[kind] += 1;
        } else {
            depth[kind] = depth[kind].saturating_sub(1);
        }
    }
    (0..3).filter(|&k| depth[k] > 0).map(|k| outer[k]).min()
}

/// True for a line that looks like a notice title: no sentence end, ends in 通报/公告.
pub(crate) fn is_title_like(s: &str) -> bool {
    let s = s.trim_end();
    // The checks of the ending come first: they look at a few bytes (this runs on every line).
    s.len() <= SHORT_LINE
        && (TITLE_ENDINGS.iter().any(|e| s.ends_with(e)) || is_round_title(s))
        && s.chars().count() <= 80
        && !s.contains(['。', '，', '：', TABLE_CELL])
        && (s.contains("巡察") || s.contains("巡视") || s.contains("整改"))
}

/// How a round report's title may end: 整改情况 ("rectification"), 综述 ("overview"), 情况
///通报 (区委第二轮巡察整改情况, 第八轮巡察整改情况综述).
const ROUND_TITLE_ENDINGS: [&str; 3] = ["整改情况", "综述", "整改进展情况"];

/// 轮 ("round"): a round report's title names its round.
const ROUND: char = '轮';

/// A round report's title: short, naming a round, ending in 整改情况, and not a numbered
/// heading.
fn is_round_title(s: &str) -> bool {
    ROUND_TITLE_ENDINGS.iter().any(|e| s.ends_with(e))
        && s.chars().count() <= 30
        && s.contains(ROUND)
        && heading(s).is_none()
}

/// Whether the paragraph `cur` (whose last physical line is `last_width` wide) goes on with `next`.
fn should_join(cur: &str, last_width: usize, next: &str, column: Option<usize>) -> bool {
    let Some(last) = cur.chars().next_back() else {
        return false;
    };
    // A table row is a line of its own, whatever its last cell ends with.
    if cur.contains(TABLE_CELL) || next.contains(TABLE_CELL) {
        return false;
    }
    let short = |s: &str| s.len() <= 60;
    if PAGE_HEADER.is_match(cur)
        || (short(cur) && (date_line(cur).is_some() || timestamp_line(cur).is_some()))
        || (short(next) && date_line(next).is_some())
        || is_title_like(cur)
    {
        return false;
    }
    // Lines that cannot stand alone, whatever the layout.
    // An opener near the end (a quoted heading broken inside its quotes); a stray opener far back
    // in a long paragraph is a typo, not a reason to swallow the next paragraph.
    if open_pair_at(cur, OPEN_PAIR_WINDOW).is_some() {
        return heading(next).is_none() || last == '“';
    }
    // A heading closed by a status note (…的问题【已完成】, …（已整改）) ends there.
    if heading(cur).is_some() && note_status(cur).is_some() {
        return false;
    }
    // In a column, a full line that stops mid-sentence goes on, even when the next line happens
    // to start like a heading (`伍，…` after `…队`); a real heading follows a paragraph end.
    let full = |percent: usize| column.is_some_and(|c| last_width * 100 >= c * percent);
    if (full(85) && !TERMINAL.contains(&last) && !last.is_ascii_punctuation())
        || CONTINUATION.contains(&last)
    {
        return true;
    }
    // A title broken over two lines: 中共…关于巡察整改情 / 况的通报, or the issuer on a line
    // of its own above the subject: 中共…委员会 / 关于…整改情况的通报.
    if !TERMINAL.contains(&last)
        && cur.len() <= SHORT_LINE
        && next.len() <= SHORT_LINE
        && (cur.contains(TITLE_ABOUT) || (next.starts_with(TITLE_ABOUT) && is_name_line(cur)))
        && is_title_like(&format!("{cur}{next}"))
    {
        return true;
    }
    if heading(next).is_some() {
        return false;
    }
    if last.is_ascii_digit() && next.starts_with(NUMBER_FOLLOWERS) {
        return true;
    }
    if TERMINAL.contains(&last) {
        return false;
    }
    // A heading line shorter than the column stands alone; body lines may be a little short
    // because half-width digits and punctuation pack tighter than the column's characters.
    full(if heading(cur).is_some() { 75 } else { 50 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        logical_lines(text, &mut Vec::new())
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn a_page_header_stays_apart_from_the_title_under_it() {
        let got = texts(
            "2025年12月9日　星期二　某某日报　5　综合新闻\n中共某市某局党组\n关于市委巡察整改情况的通报",
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], "中共某市某局党组关于市委巡察整改情况的通报");
    }

    #[test]
    fn joins_a_quoted_heading_broken_inside_the_quotes() {
        let got = texts("1、关于“甲乙丙丁\n戊己”问题的整改。\n整改结果：");
        assert_eq!(got, ["1、关于“甲乙丙丁戊己”问题的整改。", "整改结果："]);
    }

    #[test]
    fn lifts_markers_and_breaks_there() {
        let mut markers = Vec::new();
        let got: Vec<_> = logical_lines("（上接第3版）甲乙，\n丙丁。（下转第4版）", &mut markers)
            .into_iter()
            .map(|l| l.text)
            .collect();
        assert_eq!(got, ["甲乙，丙丁。"]);
        assert_eq!(markers.len(), 2);
        assert_eq!(markers[0].kind, PageMarkerKind::ContinuedFrom);
        assert_eq!(markers[1].page, 4);
    }

    #[test]
    fn splits_numbers_from_units_rejoin() {
        assert_eq!(
            texts("于2020年5月11\n日至6月30日"),
            ["于2020年5月11日至6月30日"]
        );
    }
}
