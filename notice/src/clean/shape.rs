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
/// Spelled out as Unicode's `White_Space` set plus the zero-width space and BOM, because this
/// runs on every character of every page and the generic table lookup of `char::is_whitespace`
/// was a visible share of cleaning (CJK text is almost entirely above U+3000).
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    matches!(
        u32::from(c),
        0x09..=0x0D | 0x20 | 0x85 | 0xA0 | 0x1680 | 0x2000..=0x200B | 0x2028 | 0x2029 | 0x202F
            | 0x205F | 0x3000 | 0xFEFF
    )
}

/// True for a character no rule sees: whitespace or a placeholder.
#[inline]
pub(crate) fn is_hidden(c: char) -> bool {
    is_space(c) || is_placeholder(c)
}

/// The line with every kind of whitespace removed, full-width colons kept.
pub(crate) fn compact(line: &str) -> String {
    compact_str(line).into_owned()
}

/// [`compact`] without a copy when the line has nothing to remove (prose lines rarely hold a
/// space); otherwise the runs between removed characters are copied whole.
pub(crate) fn compact_str(line: &str) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut run_start = 0;
    for (at, len, _) in char_spans(line).filter(|&(_, _, hidden)| hidden) {
        out.get_or_insert_with(|| String::with_capacity(line.len()))
            .push_str(&line[run_start..at]);
        run_start = at + len;
    }
    match out {
        None => Cow::Borrowed(line),
        Some(mut out) => {
            out.push_str(&line[run_start..]);
            Cow::Owned(out)
        }
    }
}

/// The characters of `line` as (byte offset, byte length, hidden), read as [`char_at`] reads
/// them: the one walk every visibility scan shares.
#[inline]
pub(crate) fn char_spans(line: &str) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let bytes = line.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        (at < bytes.len()).then(|| {
            let (len, hidden) = char_at(bytes, at);
            let start = at;
            at += len;
            (start, len, hidden)
        })
    })
}

/// The byte length of the character that starts at `at`, and whether it is hidden (see
/// [`is_hidden`]). Reads the UTF-8 bytes instead of decoding because it runs over every
/// character of every page: a CJK ideograph is told from a hidden character by its lead byte
/// alone. `bytes` must be valid UTF-8 (it always comes from a `str`) and `at` a char boundary.
#[inline(always)]
fn char_at(bytes: &[u8], at: usize) -> (usize, bool) {
    let lead = bytes[at];
    let len = usize::from(LEAD_LEN[usize::from(lead)]);
    // One table lookup and one well-predicted branch for nearly every character: a jump table
    // over lead bytes mispredicted on every change between ideographs and punctuation.
    match LEAD_CLASS[usize::from(lead)] {
        PLAIN => (len, false),
        ASCII_SPACE => (1, true),
        _ => (len, is_hidden_sequence(bytes, at, lead)),
    }
}

/// [`LEAD_CLASS`]: a lead byte that never starts a hidden character.
const PLAIN: u8 = 0;
/// [`LEAD_CLASS`]: ASCII whitespace.
const ASCII_SPACE: u8 = 1;
/// [`LEAD_CLASS`]: a lead byte some hidden characters start with (C2, E1, E2, E3, EF, F3).
const MAYBE_HIDDEN: u8 = 2;

/// The class of each lead byte, see [`char_at`].
static LEAD_CLASS: [u8; 256] = {
    let mut class = [PLAIN; 256];
    let mut b = 0x09;
    while b <= 0x0D {
        class[b] = ASCII_SPACE;
        b += 1;
    }
    class[0x20] = ASCII_SPACE;
    class[0xC2] = MAYBE_HIDDEN;
    class[0xE1] = MAYBE_HIDDEN;
    class[0xE2] = MAYBE_HIDDEN;
    class[0xE3] = MAYBE_HIDDEN;
    class[0xEF] = MAYBE_HIDDEN;
    class[0xF3] = MAYBE_HIDDEN;
    class
};

/// The byte length of the character each lead byte starts (continuation bytes, which never
/// start one at a character boundary, count two so that a scan still advances).
static LEAD_LEN: [u8; 256] = {
    let mut len = [1u8; 256];
    let mut b = 0x80;
    while b < 256 {
        len[b] = match b {
            0x80..=0xDF => 2,
            0xE0..=0xEF => 3,
            _ => 4,
        };
        b += 1;
    }
    len
};

/// Whether the multi-byte character at `at`, whose lead byte `lead` is [`MAYBE_HIDDEN`], is
/// whitespace or a placeholder.
#[inline]
fn is_hidden_sequence(bytes: &[u8], at: usize, lead: u8) -> bool {
    let tail = |n: usize| bytes.get(at + 1..at + n).unwrap_or_default();
    match lead {
        // U+0085, U+00A0
        0xC2 => matches!(tail(2), [0x85 | 0xA0]),
        // U+1680
        0xE1 => tail(3) == [0x9A, 0x80],
        // U+2000–U+200B, U+2028, U+2029, U+202F, U+205F
        0xE2 => matches!(
            tail(3),
            [0x80, 0x80..=0x8B | 0xA8 | 0xA9 | 0xAF] | [0x81, 0x9F]
        ),
        // U+3000
        0xE3 => tail(3) == [0x80, 0x80],
        // U+FEFF
        0xEF => tail(3) == [0xBB, 0xBF],
        // Placeholders U+F0000–U+FFFFD (F3 B0 80 80 – F3 BF BF BD).
        0xF3 => matches!(
            tail(4),
            [0xB0..=0xBE, _, _] | [0xBF, 0x80..=0xBE, _] | [0xBF, 0xBF, 0x80..=0xBD]
        ),
        _ => false,
    }
}

/// True for CJK ideographs and full-width forms, which take two columns on a printed line.
pub(crate) fn is_wide(c: char) -> bool {
    is_wide_code(u32::from(c))
}

/// [`is_wide`] on a code point.
#[inline]
fn is_wide_code(code: u32) -> bool {
    matches!(code,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x2FFFD | 0x201C..=0x201D)
}

/// Display width in columns (CJK = 2, others = 1), ignoring placeholders and whitespace.
pub(crate) fn width(line: &str) -> usize {
    let bytes = line.as_bytes();
    let (mut at, mut columns) = (0, 0);
    while at < bytes.len() {
        // Lead bytes E5–E9 start U+5000–U+9FFF, CJK ideographs (nearly every character of a
        // notice), all of them wide and none hidden.
        if (0xE5..=0xE9).contains(&bytes[at]) {
            columns += 2;
            at += 3;
            continue;
        }
        let (len, hidden) = char_at(bytes, at);
        if !hidden {
            columns += match len {
                1 | 2 => 1,
                // Three bytes of valid UTF-8: the code point is read off them directly.
                3 => {
                    let code = (u32::from(bytes[at] & 0x0F) << 12)
                        | (u32::from(bytes[at + 1] & 0x3F) << 6)
                        | u32::from(bytes[at + 2] & 0x3F);
                    if is_wide_code(code) { 2 } else { 1 }
                }
                _ => line[at..]
                    .chars()
                    .next()
                    .map_or(1, |c| if is_wide(c) { 2 } else { 1 }),
            };
        }
        at += len;
    }
    columns
}

/// The byte offset just past the first `n` visible characters of `line` (its end when it has
/// fewer), and whether a visible character follows there.
pub(crate) fn visible_prefix_end(line: &str, n: usize) -> (usize, bool) {
    char_spans(line)
        .filter(|&(_, _, hidden)| !hidden)
        .nth(n)
        .map_or((line.len(), false), |(at, _, _)| (at, true))
}

/// Number of characters that are neither whitespace nor placeholders.
pub(crate) fn visible_len(line: &str) -> usize {
    char_spans(line).filter(|&(_, _, hidden)| !hidden).count()
}

/// The last visible character before any closing quotes or brackets.
pub(crate) fn last_significant(line: &str) -> Option<char> {
    line.chars()
        .rev()
        .filter(|&c| !is_hidden(c))
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
    let trimmed = line.trim_matches(|c: char| is_hidden(c));
    // Every placeholder's UTF-8 starts with the byte F3, which text almost never holds: a byte
    // search (vectorised) spares decoding the line.
    if trimmed.as_bytes().contains(&0xF3) && trimmed.chars().any(is_placeholder) {
        Cow::Owned(trimmed.chars().filter(|&c| !is_placeholder(c)).collect())
    } else {
        Cow::Borrowed(trimmed)
    }
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

    #[test]
    fn spaces_are_unicode_white_space_with_zero_width_and_bom() {
        for code in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let expected = c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}';
            assert_eq!(is_space(c), expected, "U+{code:04X}");
        }
    }

    #[test]
    fn compact_copies_runs_between_removed_characters() {
        for line in [
            "",
            " ",
            "abc",
            " a b ",
            "版 权\u{3000}所有 ",
            "\u{F0001}上接\u{F0002}",
            "a\t\tb",
        ] {
            let expected: String = line.chars().filter(|&c| !is_hidden(c)).collect();
            assert_eq!(compact(line), expected, "{line:?}");
        }
        assert!(matches!(compact_str("没有空格的一行。"), Cow::Borrowed(_)));
        assert_eq!(visible_prefix_end(" 一 二三", 2), (8, true));
        assert_eq!(visible_prefix_end(" 一 二三", 3), (11, false));
        assert_eq!(visible_prefix_end("一二 ", 2), (7, false));
    }

    #[test]
    fn hidden_bytes_agree_with_hidden_characters() {
        let mut buf = [0u8; 4];
        for code in 0..=0x10FFFFu32 {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let encoded = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(
                char_at(encoded, 0),
                (encoded.len(), is_hidden(c)),
                "U+{code:04X}"
            );
            let line = format!("a{c}b");
            let shown = usize::from(!is_hidden(c));
            assert_eq!(visible_len(&line), 2 + shown, "U+{code:04X}");
            let columns = if is_hidden(c) {
                0
            } else if is_wide(c) {
                2
            } else {
                1
            };
            assert_eq!(width(&line), 2 + columns, "U+{code:04X}");
        }
    }
}
