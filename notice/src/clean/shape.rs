//! Character classes and line shapes shared by the cleaning rules and the extractor: what counts
//! as sentence punctuation, how wide a line is on a newspaper column, and the whitespace-free
//! "compact" form every label rule matches against (CMS templates letter-space labels such as
//! `索 引 号：`, so matching must ignore spaces).

use std::borrow::Cow;

/// Sentence punctuation of Chinese prose: a block with these is running text, not a menu.
pub(crate) const SENTENCE_PUNCT: [char; 8] = ['，', '。', '；', '、', '！', '？', '“', '”'];

/// Marks that end a sentence (and so may end a hard-wrapped paragraph): 。；：！？ and ASCII.
pub(crate) const SENTENCE_END: [char; 9] = ['。', '；', '：', '！', '？', '!', '?', ';', '…'];

/// Closing brackets and quotes that may follow a sentence end (`……。”` or `。）`).
pub(crate) const CLOSERS: [char; 8] = ['”', '’', '）', ')', '」', '』', '】', '》'];

/// The start of the Unicode plane-15 private use area; the cleaner uses it for placeholders that
/// mark where removed continuation markers stood, so input text must never carry such code points.
pub(crate) const PLACEHOLDER_BASE: u32 = 0xF_0000;

/// True for a placeholder code point (see [`PLACEHOLDER_BASE`]).
pub(crate) fn is_placeholder(c: char) -> bool {
    (PLACEHOLDER_BASE..=0xF_FFFD).contains(&u32::from(c))
}

/// True for whitespace as CMS pages use it: ASCII, NBSP and the ideographic space U+3000.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{a0}' || c == '\u{feff}' || c == '\u{200b}'
}

/// The line with every kind of whitespace removed, full-width colons kept.
pub(crate) fn compact(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    out.extend(line.chars().filter(|&c| !is_space(c) && !is_placeholder(c)));
    out
}

/// True for CJK ideographs and full-width forms, which take two columns on a printed line.
pub(crate) fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x2FFFD | 0x201C..=0x201D)
}

/// Display width in columns (CJK = 2, others = 1), ignoring placeholders and whitespace.
pub(crate) fn width(line: &str) -> usize {
    line.chars()
        .filter(|&c| !is_space(c) && !is_placeholder(c))
        .map(|c| if is_wide(c) { 2 } else { 1 })
        .sum()
}

/// Number of characters that are neither whitespace nor placeholders.
pub(crate) fn visible_len(line: &str) -> usize {
    line.chars()
        .filter(|&c| !is_space(c) && !is_placeholder(c))
        .count()
}

/// The last visible character before any closing quotes or brackets.
pub(crate) fn last_significant(line: &str) -> Option<char> {
    line.chars()
        .rev()
        .filter(|&c| !is_space(c) && !is_placeholder(c))
        .find(|c| !CLOSERS.contains(c))
}

/// True when the line ends a sentence (`。`, `；`, `：`, `！`, `？`, possibly inside quotes).
pub(crate) fn ends_sentence(line: &str) -> bool {
    last_significant(line).is_some_and(|c| SENTENCE_END.contains(&c))
}

/// The line with placeholders and surrounding whitespace removed, for rules that look at how a
/// line starts or ends.
pub(crate) fn visible(line: &str) -> String {
    visible_str(line).into_owned()
}

/// [`visible`] without a copy when the line holds no placeholder inside its text (nearly
/// always): rules run on every line, and copying each one twice was a tenth of cleaning.
/// Trimming spaces and placeholders together before dropping the inner placeholders gives the
/// same text as dropping placeholders first and trimming spaces after.
pub(crate) fn visible_str(line: &str) -> Cow<'_, str> {
    let trimmed = line.trim_matches(|c: char| is_space(c) || is_placeholder(c));
    if trimmed.chars().any(is_placeholder) {
        Cow::Owned(trimmed.chars().filter(|&c| !is_placeholder(c)).collect())
    } else {
        Cow::Borrowed(trimmed)
    }
}

/// True when the line has a character that is neither whitespace nor a placeholder, i.e. its
/// [`width`] is not zero; stops at the first one instead of measuring the whole line.
pub(crate) fn has_visible(line: &str) -> bool {
    line.chars().any(|c| !is_space(c) && !is_placeholder(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_counts_cjk_double() {
        assert_eq!(width("ab中文"), 6);
        assert_eq!(compact(" 索 引\u{3000}号："), "索引号：");
        assert!(ends_sentence("完成。”"));
        assert!(!ends_sentence("完成”"));
    }
}
