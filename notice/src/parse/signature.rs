//! The signature block closing a notice: the issuing organisation on its own line, then the
//! signing date (`中共…委员会` / `2021年12月30日`; the day may be missing: `2025年4月`).

use super::dates::{date_line, timestamp_line};
use super::headings::heading;
use super::lines::{LogicalLine, is_title_like};
use crate::model::NoticeDate;

/// Endings of an organisation's name on a signature line (committee, leading party group,
/// working committee, party committee, office, group, government, bureau, administration).
const ORG_ENDINGS: [&str; 14] = [
    "委员会",
    "党组",
    "D组",
    "工委",
    "党委",
    "D委",
    "办公室",
    "小组",
    "政府",
    "局",
    "管委会",
    "委",
    "办",
    "支部",
];

/// Endings of a party body's name that sign a notice without the 中共 prefix (委员会,
/// 党组, 党委, 工委, 支部, and the anonymised D forms).
const ISSUER_ENDINGS: [&str; 7] = ["委员会", "党组", "D组", "党委", "D委", "工委", "支部"];

/// Prefixes of a party organisation's full name (中共 = 中国共产党).
pub(crate) const PARTY_PREFIXES: [&str; 2] = ["中共", "中国共产党"];

/// Punctuation a name line never holds.
const SENTENCE_PUNCTUATION: [char; 10] = ['，', '。', '；', '：', ',', ';', ':', '！', '？', '、'];

/// A signature block found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// Index of the name line.
    pub(crate) name_line: usize,
    /// Index of the date line, above or below the name; `None` for a name standing alone.
    pub(crate) date_line: Option<usize>,
    /// The signer as printed.
    pub(crate) name: String,
    /// The signing date.
    pub(crate) date: Option<NoticeDate>,
}

/// True when `line` could be an organisation's name standing alone.
pub(crate) fn is_name_line(line: &str) -> bool {
    let line = line.trim();
    // A name has at most 40 characters: longer lines are rejected before counting.
    if line.len() > 160 {
        return false;
    }
    let n = line.chars().count();
    (3..=40).contains(&n)
        && !line.contains(SENTENCE_PUNCTUATION)
        && heading(line).is_none()
        && !is_title_like(line)
        && (ORG_ENDINGS.iter().any(|e| line.ends_with(e))
            || PARTY_PREFIXES.iter().any(|p| line.starts_with(p)))
}

/// Longest line (bytes) that can hold only a date: `二〇二四年十二月二十日` with some spaces.
const DATE_LINE_BYTES: usize = 64;

/// The date of a line holding only a signing date: `2024年12月20日`, `二〇二四年十二月二十日`,
/// `2024-12-20` or `2024.12.20` (a page timestamp has the same shape; under or above a name at
/// the end of a notice it is the signing date).
fn signing_date(line: &str) -> Option<NoticeDate> {
    if line.len() > DATE_LINE_BYTES {
        return None;
    }
    date_line(line).or_else(|| {
        timestamp_line(line)
            .filter(|t| t.time.is_none())
            .map(|t| t.date)
    })
}

/// The signing date of a notice that ends in a date line with no signer above or below it
/// (the organisation is then named only in the text): the date of its last line.
pub(crate) fn closing_date(lines: &[&str]) -> Option<NoticeDate> {
    lines
        .split_last()
        .filter(|(_, before)| !before.is_empty())
        .and_then(|(last, _)| signing_date(last.trim()))
}

/// The signature ending at line `idx`: the date under a name (`idx` is the date line), or the
/// date above a name (`idx` is the name line and no date follows it). `first` is the first line
/// of the notice, which is never a signing date (a page timestamp stands there).
pub(crate) fn signature_at(lines: &[LogicalLine], idx: usize, first: usize) -> Option<Signature> {
    let line = lines.get(idx)?.text.as_str();
    let prev_idx = idx.checked_sub(1)?;
    let prev = lines[prev_idx].text.trim();
    if let Some(date) = signing_date(line) {
        return is_name_line(prev).then(|| Signature {
            name_line: prev_idx,
            date_line: Some(idx),
            name: prev.to_owned(),
            date: Some(date),
        });
    }
    if prev_idx <= first
        || !is_name_line(line)
        || lines
            .get(idx + 1)
            .is_some_and(|l| signing_date(&l.text).is_some())
    {
        return None;
    }
    signing_date(prev).map(|date| Signature {
        name_line: idx,
        date_line: Some(prev_idx),
        name: line.trim().to_owned(),
        date: Some(date),
    })
}

/// A signature without a date: the name line at `idx` standing alone. The caller checks that
/// the notice ends there (the text ends or a new notice begins).
pub(crate) fn bare_signature_at(lines: &[LogicalLine], idx: usize) -> Option<Signature> {
    let line = lines.get(idx)?.text.trim();
    (is_name_line(line) && is_issuer_name(line)).then(|| Signature {
        name_line: idx,
        date_line: None,
        name: line.to_owned(),
        date: None,
    })
}

/// Whether a name reads as an issuing organisation rather than a fragment of body text: a party
/// prefix or a designation of a party body.
fn is_issuer_name(name: &str) -> bool {
    PARTY_PREFIXES.iter().any(|p| name.starts_with(p))
        || ISSUER_ENDINGS.iter().any(|e| name.ends_with(e))
}
