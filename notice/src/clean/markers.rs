//! Newspaper continuation markers. A notice that runs over several pages of a party newspaper
//! carries `（上接第7版）` where it resumes and `（下转第9版）` where it breaks off. They are
//! lifted out of the text into [`PageMarker`]s so that the parser can tell which fragment of a
//! notice a page holds.
//!
//! Because reflow and chrome removal move text around afterwards, a lifted marker is first
//! replaced by a placeholder character (plane-15 private use, see [`PLACEHOLDER_BASE`]) that
//! travels with the text; [`resolve`] removes the placeholders from the final text and records
//! their byte offsets there.

use super::shape::{PLACEHOLDER_BASE, is_placeholder};
use crate::document::{PageMarker, PageMarkerKind};
use regex::Regex;
use std::sync::LazyLock;

/// 上接: "continued from" (page N); the bracketed short form 接 means the same.
const CONTINUED_FROM: [&str; 3] = ["上接", "接", "紧接"];

/// 下转: "continued on" (page N); the bracketed short form 转 means the same.
const CONTINUES_ON: [&str; 3] = ["下转", "转", "转接"];

/// Chinese numerals used for page numbers (第七版).
const NUMERALS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// 十: "ten" in a Chinese page number.
const TEN: char = '十';

/// A marker with optional brackets: `（上接第7版）`, `(下转第 9 版)`, `上接第七版`, `（转第2版）`.
static PAGE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"([（(〔\[]\s*)?(上接|下转|紧接|转接|接|转)\s*第?\s*([0-9０-９]{1,3}|[〇一二三四五六七八九十]{1,3})\s*版(\s*[）)〕\]])?",
    )
    .expect("the page marker pattern is a valid regex")
});

/// A marker taken out of the text, waiting for its final offset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LiftedMarker {
    kind: PageMarkerKind,
    page: u32,
}

/// Replaces every continuation marker in `line` with a placeholder and remembers it.
pub(crate) fn lift(line: String, lifted: &mut Vec<LiftedMarker>) -> String {
    if !line.contains('版') {
        return line;
    }
    let line = line.as_str();
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for caps in PAGE_MARKER.captures_iter(line) {
        let (Some(all), Some(dir), Some(num)) = (caps.get(0), caps.get(2), caps.get(3)) else {
            continue;
        };
        let bracketed = caps.get(1).is_some();
        // The short forms 接/转 are markers only in brackets; bare, they are ordinary words.
        if !bracketed && !matches!(dir.as_str(), "上接" | "下转") {
            continue;
        }
        let kind = if CONTINUED_FROM.contains(&dir.as_str()) {
            PageMarkerKind::ContinuedFrom
        } else if CONTINUES_ON.contains(&dir.as_str()) {
            PageMarkerKind::ContinuesOn
        } else {
            continue;
        };
        let (Some(page), Some(slot)) = (page_number(num.as_str()), placeholder(lifted.len()))
        else {
            continue;
        };
        out.push_str(&line[last..all.start()]);
        out.push(slot);
        last = all.end();
        lifted.push(LiftedMarker { kind, page });
    }
    out.push_str(&line[last..]);
    out
}

fn placeholder(index: usize) -> Option<char> {
    u32::try_from(index)
        .ok()
        .filter(|i| *i < 0xFFFD)
        .and_then(|i| char::from_u32(PLACEHOLDER_BASE + i))
}

/// Parses `7`, `０７` or `七`/`十二`/`二十一`.
fn page_number(num: &str) -> Option<u32> {
    if num
        .chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return num.chars().try_fold(0u32, |acc, c| {
            let digit = c.to_digit(10).or_else(|| {
                u32::from(c)
                    .checked_sub(u32::from('０'))
                    .filter(|d| *d < 10)
            })?;
            acc.checked_mul(10)?.checked_add(digit)
        });
    }
    let digit = |c: char| {
        NUMERALS
            .iter()
            .position(|n| *n == c)
            .and_then(|p| u32::try_from(p).ok())
    };
    let chars: Vec<char> = num.chars().collect();
    match chars.as_slice() {
        [c] if *c == TEN => Some(10),
        [c] => digit(*c),
        [t, u] if *t == TEN => Some(10 + digit(*u)?),
        [t, ten] if *ten == TEN => Some(digit(*t)? * 10),
        [t, ten, u] if *ten == TEN => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// Moves each line that holds nothing but placeholders (a marker printed on a line of its own,
/// or the marker of a dropped line) onto its neighbour: a 下转 marker ends the text before it,
/// an 上接 marker opens the text after it. Lines are left without such orphans.
pub(crate) fn attach_orphans(lines: &mut Vec<String>, lifted: &[LiftedMarker]) {
    let is_orphan = |l: &str| !l.is_empty() && l.chars().all(is_placeholder);
    if !lines.iter().any(|l| is_orphan(l)) {
        return;
    }
    let has_text = |l: &String| l.chars().any(|c| !is_placeholder(c) && !c.is_whitespace());
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut carry = String::new();
    for line in lines.drain(..) {
        if !is_orphan(&line) {
            if has_text(&line) {
                let mut line = line;
                if !carry.is_empty() {
                    line.insert_str(0, &std::mem::take(&mut carry));
                }
                out.push(line);
            } else {
                out.push(line);
            }
            continue;
        }
        for slot in line.chars() {
            let index = (u32::from(slot) - PLACEHOLDER_BASE) as usize;
            let backwards = lifted
                .get(index)
                .is_some_and(|m| m.kind == PageMarkerKind::ContinuesOn);
            match out.iter_mut().rev().find(|l| has_text(l)) {
                Some(prev) if backwards => prev.push(slot),
                _ => carry.push(slot),
            }
        }
    }
    if !carry.is_empty() {
        match out.iter_mut().rev().find(|l| has_text(l)) {
            Some(prev) => prev.push_str(&carry),
            None => out.push(carry),
        }
    }
    *lines = out;
}

/// True when `next` must not be joined to `prev`: `prev` ends with a 下转 marker (its fragment
/// ends there) or `next` starts with an 上接 marker (a new fragment, often of another notice,
/// begins there).
pub(crate) fn is_fragment_boundary(prev: &str, next: &str, lifted: &[LiftedMarker]) -> bool {
    let kind = |c: char| {
        is_placeholder(c)
            .then(|| lifted.get((u32::from(c) - PLACEHOLDER_BASE) as usize))
            .flatten()
            .map(|m| m.kind)
    };
    let ends_on = prev
        .trim_end()
        .chars()
        .next_back()
        .and_then(kind)
        .is_some_and(|k| k == PageMarkerKind::ContinuesOn);
    let starts_from = next
        .trim_start()
        .chars()
        .next()
        .and_then(kind)
        .is_some_and(|k| k == PageMarkerKind::ContinuedFrom);
    ends_on || starts_from
}

/// Removes the placeholders from `text` and returns the markers with their byte offsets in the
/// text that remains.
pub(crate) fn resolve(text: &str, lifted: &[LiftedMarker]) -> (String, Vec<PageMarker>) {
    let mut out = String::with_capacity(text.len());
    let mut markers = Vec::new();
    // Text between placeholders is copied in runs (nearly all of it is one run).
    let mut run_start = 0;
    for (at, c) in text.char_indices() {
        if !is_placeholder(c) {
            continue;
        }
        out.push_str(&text[run_start..at]);
        run_start = at + c.len_utf8();
        let index = (u32::from(c) - PLACEHOLDER_BASE) as usize;
        if let Some(m) = lifted.get(index) {
            markers.push(PageMarker {
                kind: m.kind,
                page: m.page,
                offset: out.len(),
            });
        }
    }
    out.push_str(&text[run_start..]);
    (out, markers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_lift_and_resolve() {
        let mut lifted = Vec::new();
        let a = lift("（上接第7版）某某工作".into(), &mut lifted);
        let b = lift("完成整改。(下转第 十二 版)".into(), &mut lifted);
        let c = lift("转第3版不是标记".into(), &mut lifted);
        assert_eq!(lifted.len(), 2);
        let (text, markers) = resolve(&format!("{a}\n{b}\n{c}"), &lifted);
        assert_eq!(text, "某某工作\n完成整改。\n转第3版不是标记");
        assert_eq!(markers[0].offset, 0);
        assert_eq!(markers[0].page, 7);
        assert_eq!(markers[1].kind, PageMarkerKind::ContinuesOn);
        assert_eq!(markers[1].page, 12);
        assert_eq!(&text[markers[1].offset..], "\n转第3版不是标记");
    }
}
