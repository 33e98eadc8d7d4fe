//! Numbers as notices print them: ASCII or full-width digits, Chinese numerals (十六, 八十三,
//! 一百零二, 两万), digit-by-digit years (二〇二一) and circled numbers (①).

/// Value of one Chinese digit character, `None` for anything else.
fn chinese_digit(c: char) -> Option<i64> {
    Some(match c {
        '零' | '〇' | '○' | 'Ｏ' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// Multiplier of one Chinese unit character (十, 百, 千, 万, 亿).
fn chinese_unit(c: char) -> Option<i64> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1_000,
        '万' => 10_000,
        '亿' => 100_000_000,
        _ => return None,
    })
}

/// True for characters that can be part of a Chinese numeral.
pub(crate) fn is_chinese_numeral_char(c: char) -> bool {
    chinese_digit(c).is_some() || chinese_unit(c).is_some()
}

/// True for the plain numerals headings are numbered with (一 … 十, 百); the financial forms
/// (壹, 伍) and 万/亿 start ordinary words far more often than headings.
pub(crate) fn is_heading_numeral_char(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '百' | '零' | '〇'
    )
}

/// An ASCII or full-width decimal digit's value.
pub(crate) fn digit_value(c: char) -> Option<i64> {
    match c {
        '0'..='9' => Some(i64::from(c as u8 - b'0')),
        '０'..='９' => Some(i64::from(c as u32 - '０' as u32)),
        _ => None,
    }
}

/// Parses a whole string as a number in any of the supported notations; `None` when it is not
/// one or would overflow.
pub(crate) fn parse_number(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| digit_value(c).is_some()) {
        return s.chars().try_fold(0i64, |acc, c| {
            acc.checked_mul(10)?.checked_add(digit_value(c)?)
        });
    }
    if s.chars().count() == 1
        && let Some(n) = circled_number(s.chars().next()?)
    {
        return Some(n);
    }
    if !s.chars().all(is_chinese_numeral_char) {
        return None;
    }
    if !s.chars().any(|c| chinese_unit(c).is_some()) {
        // 二〇二一, 一九: read digit by digit, as years are printed.
        return s.chars().try_fold(0i64, |acc, c| {
            acc.checked_mul(10)?.checked_add(chinese_digit(c)?)
        });
    }
    parse_positional(s)
}

/// 一百零二 style: digits followed by units, with 万/亿 closing a section.
fn parse_positional(s: &str) -> Option<i64> {
    let (mut total, mut section, mut digit) = (0i64, 0i64, None::<i64>);
    for c in s.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
        } else if let Some(unit) = chinese_unit(c) {
            if unit >= 10_000 {
                section = section.checked_add(digit.take().unwrap_or(0))?;
                total = total.checked_add(section.checked_mul(unit)?)?;
                section = 0;
            } else {
                // A bare 十 at the start means 一十 (十六 = 16).
                let d = digit.take().unwrap_or(1);
                section = section.checked_add(d.checked_mul(unit)?)?;
            }
        }
    }
    total.checked_add(section)?.checked_add(digit.unwrap_or(0))
}

/// ① … ⑳ as 1 … 20.
pub(crate) fn circled_number(c: char) -> Option<i64> {
    let n = c as u32;
    (0x2460..=0x2473)
        .contains(&n)
        .then(|| i64::from(n - 0x2460 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_notation() {
        let cases = [
            ("16", 16),
            ("１６", 16),
            ("十六", 16),
            ("八十三", 83),
            ("一百零二", 102),
            ("两千三百", 2300),
            ("十", 10),
            ("二〇二一", 2021),
            ("三万五千", 35000),
            ("①", 1),
            ("⑳", 20),
        ];
        for (text, want) in cases {
            assert_eq!(parse_number(text), Some(want), "{text}");
        }
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("99999999999999999999999"), None);
    }
}
