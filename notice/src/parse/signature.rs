//! The signature block closing a notice: the issuing organisation on its own line, then the
//! signing date (`中共…委员会` / `2021年12月30日`; the day may be missing: `2025年4月`).

use super::dates::date_line;
use super::headings::heading;
use super::lines::LogicalLine;
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

/// Prefixes of a party organisation's full name (中共 = 中国共产党).
pub(crate) const PARTY_PREFIXES: [&str; 2] = ["中共", "中国共产党"];

/// Punctuation a name line never holds.
const SENTENCE_PUNCTUATION: [char; 10] = ['，', '。', '；', '：', ',', ';', ':', '！', '？', '、'];

/// A signature block found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    /// Index of the name line.
    pub(crate) name_line: usize,
    /// Index of the date line.
    pub(crate) date_line: usize,
    /// The signer as printed.
    pub(crate) name: String,
    /// The signing date.
    pub(crate) date: NoticeDate,
}

/// True when `line` could be an organisation's name standing alone.
pub(crate) fn is_name_line(line: &str) -> bool {
    let line = line.trim();
    let n = line.chars().count();
    (3..=40).contains(&n)
        && !line.contains(SENTENCE_PUNCTUATION)
        && heading(line).is_none()
        && (ORG_ENDINGS.iter().any(|e| line.ends_with(e))
            || PARTY_PREFIXES.iter().any(|p| line.starts_with(p)))
}

/// The signature whose date line is `lines[date_idx]`, if the line above it is a name.
pub(crate) fn signature_at(lines: &[LogicalLine], date_idx: usize) -> Option<Signature> {
    let date = date_line(&lines.get(date_idx)?.text)?;
    let name_idx = date_idx.checked_sub(1)?;
    let name = lines[name_idx].text.trim();
    is_name_line(name).then(|| Signature {
        name_line: name_idx,
        date_line: date_idx,
        name: name.to_owned(),
        date,
    })
}
