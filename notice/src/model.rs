//! The parsed notice: what a rectification progress notice (整改进展情况通报) states.
//!
//! The serde form of [`Notice`] is the JSON contract of `gazette parse --json` (the gold schema
//! of the shared corpus): snake_case keys, absent values as `null`, statuses as `completed`,
//! `in_progress` or `not_stated`, and dates as ISO-8601 strings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One rectification notice as parsed from cleaned text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Notice {
    /// The title as printed, if the text carries one.
    pub title: Option<String>,
    /// The organisation's full name as printed (e.g. 中共XX区委员会).
    pub organisation: Option<String>,
    /// Other names the text uses for the organisation (党工委, 区委, short names).
    pub organisation_aliases: Vec<String>,
    /// Who signed the notice.
    pub signed_by: Option<String>,
    /// Signing date.
    pub signed_on: Option<NoticeDate>,
    /// Publication date and time, when the page states it.
    pub published_at: Option<NoticeDateTime>,
    /// Newspaper continuation markers.
    pub fragment: Fragment,
    /// The inspection this notice reports on.
    pub inspection: Inspection,
    /// Figures the notice itself states.
    pub reported: ReportedFigures,
    /// Numbered issues in document order.
    pub issues: Vec<Issue>,
    /// Feedback contact.
    pub contact: Contact,
    /// Plain-language remarks about inconsistencies found while parsing.
    pub warnings: Vec<String>,
    /// True for a round report in which one committee reports on many inspected units.
    pub multi_unit_report: bool,
}

/// The inspection (巡视 or 巡察) whose findings are being rectified.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Inspection {
    /// The team, e.g. 市委第六巡察组.
    pub team: Option<String>,
    /// The kind: 巡视, 巡察, 巡察回头看, 联动巡察, 专项巡察, 提级巡察.
    pub kind: Option<String>,
    /// First day on site.
    pub start: Option<NoticeDate>,
    /// Last day on site.
    pub end: Option<NoticeDate>,
    /// Day the findings were fed back.
    pub feedback_on: Option<NoticeDate>,
}

/// Figures stated in the notice; `None` where the notice is silent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportedFigures {
    /// Problems fed back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_total: Option<i64>,
    /// Problems rectified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_completed: Option<i64>,
    /// Problems being rectified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_in_progress: Option<i64>,
    /// Problems to be kept up long-term (需长期坚持), when printed apart from those in progress.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_long_term: Option<i64>,
    /// Problems not yet rectified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_not_completed: Option<i64>,
    /// Measures planned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measures_total: Option<i64>,
    /// Measures completed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measures_completed: Option<i64>,
    /// Aspects (方面) the problems were grouped into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspects_total: Option<i64>,
    /// Rules and systems made or revised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_made: Option<i64>,
    /// People held accountable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_held_accountable: Option<i64>,
    /// Completion rate in percent, as stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_rate_percent: Option<f64>,
    /// Money recovered in yuan, as stated (万元 and 亿元 converted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub money_recovered_yuan: Option<f64>,
}

/// Rectification status of one issue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    /// Reported as rectified (整改结果及成效, 已整改完成).
    Completed,
    /// Reported as being rectified or long-term (阶段性成效, 正在推进, 持续推进, 长期坚持).
    InProgress,
    /// The notice does not say.
    #[default]
    NotStated,
}

impl IssueStatus {
    /// The JSON spelling: `completed`, `in_progress` or `not_stated`.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueStatus::Completed => "completed",
            IssueStatus::InProgress => "in_progress",
            IssueStatus::NotStated => "not_stated",
        }
    }
}

/// One numbered issue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Issue {
    /// The number as printed, in Arabic digits ("3" for 3、 or （三）).
    pub number: String,
    /// The title without number and wrapper (关于“…”问题的整改 gives the part in quotes).
    pub title: String,
    /// Status from the section the issue sits under.
    pub status: IssueStatus,
    /// Enclosing category headings, outermost first.
    pub category_path: Vec<String>,
}

/// Feedback contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    /// Telephone numbers as printed.
    pub phones: Vec<String>,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Postcode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
}

/// Newspaper page continuation (上接第N版 / 下转第N版).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fragment {
    /// Page this part continues from.
    pub continued_from_page: Option<u32>,
    /// Page the notice continues on.
    pub continues_on_page: Option<u32>,
}

/// A calendar date that may lack its day ("2025年4月").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NoticeDate {
    /// Year, e.g. 2021.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31, when stated.
    pub day: Option<u8>,
}

impl NoticeDate {
    /// A full date, if the parts form one (days are checked against the month, not leap years).
    pub fn ymd(year: u16, month: u8, day: u8) -> Option<Self> {
        let max_day = match month {
            2 => 29,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        (1..=max_day).contains(&day).then_some(Self {
            year,
            month,
            day: Some(day),
        })
    }

    /// A year and month.
    pub fn ym(year: u16, month: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self {
            year,
            month,
            day: None,
        })
    }

    /// Parses "YYYY-MM-DD" or "YYYY-MM".
    pub fn parse_iso(s: &str) -> Option<Self> {
        let mut parts = s.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        match parts.next() {
            Some(day) => Self::ymd(year, month, day.parse().ok()?),
            None => Self::ym(year, month),
        }
    }
}

impl fmt::Display for NoticeDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)?;
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl Serialize for NoticeDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NoticeDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_iso(&s).ok_or_else(|| serde::de::Error::custom(format!("bad date {s:?}")))
    }
}

/// A date with an optional time of day (hours and minutes), as pages print them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NoticeDateTime {
    /// The date.
    pub date: NoticeDate,
    /// Hour and minute, when stated.
    pub time: Option<(u8, u8)>,
}

impl NoticeDateTime {
    /// Parses "YYYY-MM-DD", "YYYY-MM" or "YYYY-MM-DDTHH:MM".
    pub fn parse_iso(s: &str) -> Option<Self> {
        let (date, time) = match s.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (s, None),
        };
        let date = NoticeDate::parse_iso(date)?;
        let time = match time {
            Some(t) => {
                let (h, m) = t.split_once(':')?;
                let (h, m): (u8, u8) = (h.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?);
                (h < 24 && m < 60).then_some((h, m))?.into()
            }
            None => None,
        };
        Some(Self { date, time })
    }
}

impl fmt::Display for NoticeDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date)?;
        if let Some((h, m)) = self.time {
            write!(f, "T{h:02}:{m:02}")?;
        }
        Ok(())
    }
}

impl Serialize for NoticeDateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NoticeDateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse_iso(&s).ok_or_else(|| serde::de::Error::custom(format!("bad date-time {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_iso_strings() {
        for s in ["2021-12-30", "2025-04", "2024-02-29"] {
            assert_eq!(
                NoticeDate::parse_iso(s).map(|d| d.to_string()).as_deref(),
                Some(s)
            );
        }
        assert_eq!(NoticeDate::parse_iso("2021-13-01"), None);
        assert_eq!(NoticeDate::parse_iso("2021-04-31"), None);
        let t = NoticeDateTime::parse_iso("2025-04-29T18:10").map(|t| t.to_string());
        assert_eq!(t.as_deref(), Some("2025-04-29T18:10"));
    }

    #[test]
    fn notice_serialises_in_the_gold_schema() {
        let notice = Notice {
            issues: vec![Issue {
                number: "1".into(),
                title: "t".into(),
                ..Issue::default()
            }],
            ..Notice::default()
        };
        let json = serde_json::to_value(&notice).expect("a notice always serialises");
        assert_eq!(json["issues"][0]["status"], "not_stated");
        assert!(json["inspection"]["team"].is_null());
        assert!(json["reported"].as_object().is_some_and(|o| o.is_empty()));
    }
}
