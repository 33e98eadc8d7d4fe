//! Numbered headings at the start of a line, ranked the way official documents nest them
//! (GB/T 9704): 一、 > （一） > 1. > （1） > ① > 一是/第一， and unnumbered 关于…问题 lines.

use super::numerals::{circled_number, digit_value, is_heading_numeral_char, parse_number};
use regex::Regex;
use std::sync::LazyLock;

/// Level of `一、`.
pub(crate) const LEVEL_SECTION: u8 = 1;
/// Level of `（一）`.
pub(crate) const LEVEL_SUBSECTION: u8 = 2;
/// Level of `1、` / `1.`.
pub(crate) const LEVEL_NUMBERED: u8 = 3;
/// Level of `（1）` / `1）`.
pub(crate) const LEVEL_PAREN: u8 = 4;
/// Level of `①`.
pub(crate) const LEVEL_CIRCLED: u8 = 5;
/// Level of `一是` / `第一，`: enumerations inside a paragraph, usually measures.
pub(crate) const LEVEL_ORDINAL: u8 = 6;
/// Level of an unnumbered `关于“…”问题的整改` line.
pub(crate) const LEVEL_ABOUT: u8 = 7;

/// `关于 … 问题(的整改)`: the conventional issue heading, with or without quotes.
static ABOUT_ISSUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^关于.{1,80}?问题(?:的|之)?(?:整改|整改情况|整改进展|整改进展情况|整改落实情况)?\s*[。：:；;]?")
        .expect("the about-issue pattern is a valid regex")
});

/// A standalone unnumbered issue line: the whole line is the 关于…问题的整改 heading.
static ABOUT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^关于[^。]{1,80}问题(?:的|之)?(?:整改|整改情况|整改进展情况|整改落实情况)\s*[。：:]?\s*$",
    )
    .expect("the about-line pattern is a valid regex")
});

/// A heading marker found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    /// Nesting rank, 1 outermost (see the `LEVEL_*` constants).
    pub(crate) level: u8,
    /// The number; `None` for unnumbered headings. Kept as a number because most callers ask
    /// only whether a line is a heading (this runs on every line).
    pub(crate) number: Option<i64>,
    /// Byte offset in the line where the heading text starts, after the marker.
    pub(crate) rest: usize,
}

/// True when `text` (a heading's text) is a 关于…问题 issue heading.
pub(crate) fn is_about_issue(text: &str) -> bool {
    ABOUT_ISSUE.is_match(text.trim_start())
}

/// The heading marker `line` starts with, if any.
pub(crate) fn heading(line: &str) -> Option<Heading> {
    let line_trimmed = line.trim_start();
    let offset = line.len() - line_trimmed.len();
    let mut h = marker(line_trimmed)?;
    h.rest += offset;
    // Skip spaces between marker and text ("1. 关于").
    let after = &line[h.rest..];
    h.rest += after.len() - after.trim_start().len();
    Some(h)
}

/// Recognises the marker proper; `rest` is relative to `s`.
fn marker(s: &str) -> Option<Heading> {
    let mut chars = s.char_indices().peekable();
    let (_, first) = *chars.peek()?;
    let make = |level, number: i64, rest| {
        Some(Heading {
            level,
            number: Some(number),
            rest,
        })
    };
    if first == '（' || first == '(' {
        chars.next();
        let inner_start = first.len_utf8();
        let (close_at, close) = s[inner_start..]
            .char_indices()
            .take(6)
            .find(|&(_, c)| c == '）' || c == ')')?;
        let inner = s[inner_start..inner_start + close_at].trim();
        let rest = inner_start + close_at + close.len_utf8();
        let n = parse_number(inner)?;
        if inner.chars().all(|c| digit_value(c).is_some()) {
            return make(LEVEL_PAREN, n, rest);
        }
        if inner.chars().all(is_heading_numeral_char) {
            return make(LEVEL_SUBSECTION, n, rest);
        }
        return None;
    }
    if let Some(n) = circled_number(first) {
        return make(LEVEL_CIRCLED, n, first.len_utf8());
    }
    if digit_value(first).is_some() {
        let end = s
            .char_indices()
            .find(|&(_, c)| digit_value(c).is_none())
            .map_or(s.len(), |(i, _)| i);
        if s[..end].chars().count() > 3 {
            return None;
        }
        let n = parse_number(&s[..end])?;
        let tail = &s[end..];
        let gap = tail.len() - tail.trim_start_matches([' ', '\t']).len();
        let mut after = tail[gap..].chars();
        let sep = after.next()?;
        let next = after.next();
        let rest = end + gap + sep.len_utf8();
        return match sep {
            '、' | '．' => make(LEVEL_NUMBERED, n, rest),
            // "2.5%" and "1.2亿元" are numbers and "163.com" a domain, not headings.
            '.' if next.is_none_or(|c| digit_value(c).is_none() && !c.is_ascii_alphabetic()) => {
                make(LEVEL_NUMBERED, n, rest)
            }
            ')' | '）' => make(LEVEL_PAREN, n, rest),
            _ => None,
        };
    }
    if first == '第' {
        let body = &s[first.len_utf8()..];
        let end = body
            .char_indices()
            .find(|&(_, c)| !is_heading_numeral_char(c))
            .map(|(i, _)| i)?;
        let sep = body[end..].chars().next()?;
        if end == 0 || !matches!(sep, '，' | ',' | '、' | '：' | ':') {
            return None;
        }
        let n = parse_number(&body[..end])?;
        return make(LEVEL_ORDINAL, n, first.len_utf8() + end + sep.len_utf8());
    }
    if is_heading_numeral_char(first) {
        let end = s
            .char_indices()
            .find(|&(_, c)| !is_heading_numeral_char(c))
            .map(|(i, _)| i)?;
        if s[..end].chars().count() > 3 {
            return None;
        }
        let n = parse_number(&s[..end])?;
        let sep = s[end..].chars().next()?;
        let rest = end + sep.len_utf8();
        return match sep {
            '、' | '．' | '.' => make(LEVEL_SECTION, n, rest),
            '是' => make(LEVEL_ORDINAL, n, rest),
            _ => None,
        };
    }
    if ABOUT_LINE.is_match(s) {
        return Some(Heading {
            level: LEVEL_ABOUT,
            number: None,
            rest: 0,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level_number(line: &str) -> Option<(u8, String, String)> {
        heading(line).map(|h| {
            let number = h.number.map(|n| n.to_string()).unwrap_or_default();
            (h.level, number, line[h.rest..].to_owned())
        })
    }

    #[test]
    fn recognises_every_marker_style() {
        let cases = [
            ("一、总体情况", LEVEL_SECTION, "1"),
            ("（三）正在推进的问题", LEVEL_SUBSECTION, "3"),
            ("(十二)方面", LEVEL_SUBSECTION, "12"),
            ("12、关于", LEVEL_NUMBERED, "12"),
            ("3. 关于", LEVEL_NUMBERED, "3"),
            ("3．关于", LEVEL_NUMBERED, "3"),
            ("（37）规范", LEVEL_PAREN, "37"),
            ("(2)规范", LEVEL_PAREN, "2"),
            ("④规范", LEVEL_CIRCLED, "4"),
            ("二是加强", LEVEL_ORDINAL, "2"),
            ("第三，加强", LEVEL_ORDINAL, "3"),
        ];
        for (line, level, number) in cases {
            let got = level_number(line).expect(line);
            assert_eq!((got.0, got.1.as_str()), (level, number), "{line}");
        }
        let about = level_number("关于“某某”问题的整改").expect("about");
        assert_eq!(about.0, LEVEL_ABOUT);
    }

    #[test]
    fn numbers_are_not_headings() {
        for line in [
            "2.5亿元",
            "2021年",
            "十四五规划",
            "第一议题",
            "（试行）",
            "一些",
            "12345热线",
            "伍，采取",
            "5，6月",
            "163.com。",
        ] {
            assert_eq!(heading(line), None, "{line}");
        }
    }
}
