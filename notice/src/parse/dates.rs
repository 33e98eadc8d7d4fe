//! Dates as notices print them: 2021年6月23日, 9月14日 (year inferred from context), 2025年4月,
//! 二〇二一年六月二十三日, periods 2020年5月11日至6月30日, and page timestamps 2024-03-02 08:15.

use super::numerals::parse_number;
use crate::model::{NoticeDate, NoticeDateTime};
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// A year of four ASCII, full-width or Chinese digits.
const YEAR: &str = r"[0-9０-９]{4}|[〇零○Ｏ一二三四五六七八九]{4}";
/// A month or day in digits or Chinese numerals.
const MONTH_DAY: &str = r"[0-9０-９]{1,2}|[一二三四五六七八九十]{1,3}";

/// One date with optional year and day: `(2021年)6月(23日)`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?P<y>{YEAR})\s*年\s*)?(?P<m>{MONTH_DAY})\s*月\s*(?:(?P<d>{MONTH_DAY})\s*[日号])?"
    ))
    .expect("the date pattern is a valid regex")
});

/// A period on site: `2020年5月11日至(2020年)(6月)30日`.
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?P<y1>{YEAR})\s*年\s*)?(?P<m1>{MONTH_DAY})\s*月\s*(?P<d1>{MONTH_DAY})\s*[日号]\s*(?:至|到|—{{1,2}}|–|－|-|~|～)\s*(?:(?P<y2>{YEAR})\s*年\s*)?(?:(?P<m2>{MONTH_DAY})\s*月\s*)?(?P<d2>{MONTH_DAY})\s*[日号]"
    ))
    .expect("the period pattern is a valid regex")
});

/// A period given in months: `2024年3月至5月`, `2025年3月上旬至5月上旬`.
static MONTH_PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?P<y1>{YEAR})\s*年\s*(?P<m1>{MONTH_DAY})\s*月\s*(?:上旬|中旬|下旬|初|中|底)?\s*(?:至|到|—{{1,2}}|–|－|-|~|～)\s*(?:(?P<y2>{YEAR})\s*年\s*)?(?P<m2>{MONTH_DAY})\s*月(?:[^日号0-9０-９一二三四五六七八九十]|$)"
    ))
    .expect("the month period pattern is a valid regex")
});

/// A line that is only a date with a year: the signing date under a signature.
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?P<y>{YEAR})\s*年\s*(?P<m>{MONTH_DAY})\s*月\s*(?:(?P<d>{MONTH_DAY})\s*[日号])?\s*$"
    ))
    .expect("the date line pattern is a valid regex")
});

/// A page timestamp: `(发布时间：)2025-04-29 18:10` or `2025年4月29日 18:10`.
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:(?:发布|发文|更新)?(?:时间|日期)\s*[:：]\s*)?(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?(?:\s+(?P<h>\d{1,2})\s*[:：]\s*(?P<min>\d{2})(?:\s*[:：]\s*\d{2})?)?\s*$",
    )
    .expect("the timestamp pattern is a valid regex")
});

/// A date found in text, with its byte span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FoundDate {
    /// Year when printed.
    pub(crate) year: Option<u16>,
    /// Month.
    pub(crate) month: u8,
    /// Day when printed.
    pub(crate) day: Option<u8>,
    /// Byte offset of the match start.
    pub(crate) start: usize,
    /// Byte offset of the match end.
    pub(crate) end: usize,
}

impl FoundDate {
    /// The date with `year` filled in when it was not printed.
    pub(crate) fn with_year(self, year: u16) -> Option<NoticeDate> {
        let year = self.year.unwrap_or(year);
        match self.day {
            Some(day) => NoticeDate::ymd(year, self.month, day),
            None => NoticeDate::ym(year, self.month),
        }
    }
}

/// Parses a capture group as a small number.
fn group<T: TryFrom<i64>>(caps: &Captures<'_>, name: &str) -> Option<T> {
    caps.name(name)
        .and_then(|m| parse_number(m.as_str()))
        .and_then(|n| T::try_from(n).ok())
}

/// Every date (month required) in `text`, in order.
pub(crate) fn find_dates(text: &str) -> Vec<FoundDate> {
    DATE.captures_iter(text)
        .filter_map(|caps| {
            let all = caps.get(0)?;
            let month: u8 = group(&caps, "m")?;
            (1..=12).contains(&month).then(|| FoundDate {
                year: group(&caps, "y"),
                month,
                day: group(&caps, "d"),
                start: all.start(),
                end: all.end(),
            })
        })
        .collect()
}

/// The first on-site period in `text`: (start, end, byte span). The end's missing year or month
/// is taken from the start, and a year is added when the end month comes before the start month.
/// `fallback_year` serves when the start prints no year.
pub(crate) fn find_period(
    text: &str,
    fallback_year: Option<u16>,
) -> Option<(NoticeDate, NoticeDate, std::ops::Range<usize>)> {
    PERIOD.captures_iter(text).find_map(|caps| {
        let all = caps.get(0)?;
        let y1: u16 = group(&caps, "y1").or(fallback_year)?;
        let (m1, d1): (u8, u8) = (group(&caps, "m1")?, group(&caps, "d1")?);
        let start = NoticeDate::ymd(y1, m1, d1)?;
        let m2: u8 = group(&caps, "m2").unwrap_or(m1);
        let d2: u8 = group(&caps, "d2")?;
        let y2: u16 = match group(&caps, "y2") {
            Some(y) => y,
            None if m2 < m1 => y1.checked_add(1)?,
            None => y1,
        };
        let end = NoticeDate::ymd(y2, m2, d2)?;
        (end >= start).then(|| (start, end, all.range()))
    })
}

/// The first period given in months only (`2024年3月至5月`): (start, end, byte span).
pub(crate) fn find_month_period(
    text: &str,
) -> Option<(NoticeDate, NoticeDate, std::ops::Range<usize>)> {
    MONTH_PERIOD.captures_iter(text).find_map(|caps| {
        let all = caps.get(0)?;
        let y1: u16 = group(&caps, "y1")?;
        let (m1, m2): (u8, u8) = (group(&caps, "m1")?, group(&caps, "m2")?);
        let y2: u16 = match group(&caps, "y2") {
            Some(y) => y,
            None if m2 < m1 => y1.checked_add(1)?,
            None => y1,
        };
        let (start, end) = (NoticeDate::ym(y1, m1)?, NoticeDate::ym(y2, m2)?);
        (end >= start).then(|| (start, end, all.range()))
    })
}

/// The date of a line that holds nothing but a date with a year (`2021年12月30日`, `2025年4月`).
pub(crate) fn date_line(line: &str) -> Option<NoticeDate> {
    // Asked of nearly every line: a match test first, as it needs no capture slots.
    if !DATE_LINE.is_match(line) {
        return None;
    }
    let caps = DATE_LINE.captures(line)?;
    let year: u16 = group(&caps, "y")?;
    let month: u8 = group(&caps, "m")?;
    match caps.name("d") {
        Some(_) => NoticeDate::ymd(year, month, group(&caps, "d")?),
        None => NoticeDate::ym(year, month),
    }
}

/// The timestamp of a line that holds only a publication date and time.
pub(crate) fn timestamp_line(line: &str) -> Option<NoticeDateTime> {
    if !TIMESTAMP.is_match(line) {
        return None;
    }
    let caps = TIMESTAMP.captures(line)?;
    let date = NoticeDate::ymd(group(&caps, "y")?, group(&caps, "m")?, group(&caps, "d")?)?;
    let time = match (group::<u8>(&caps, "h"), group::<u8>(&caps, "min")) {
        (Some(h), Some(m)) if h < 24 && m < 60 => Some((h, m)),
        _ => None,
    };
    Some(NoticeDateTime { date, time })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_infer_the_missing_year() {
        let (s, e, _) = find_period("于2020年5月11日至6月30日对", None).expect("period");
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2020-05-11".into(), "2020-06-30".into())
        );
        let (_, e, _) = find_period("2023年11月25日至1月16日", None).expect("period");
        assert_eq!(e.to_string(), "2024-01-16");
        let (_, e, _) = find_period("二〇二二年三月一日至二十日", None).expect("period");
        assert_eq!(e.to_string(), "2022-03-20");
    }

    #[test]
    fn lines_and_timestamps() {
        assert_eq!(
            date_line("2025年4月").map(|d| d.to_string()).as_deref(),
            Some("2025-04")
        );
        assert_eq!(
            date_line("2021年12月30日")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2021-12-30")
        );
        assert!(date_line("2021年12月30日召开").is_none());
        let t = timestamp_line("2025-04-29 18:10").map(|t| t.to_string());
        assert_eq!(t.as_deref(), Some("2025-04-29T18:10"));
    }
}
