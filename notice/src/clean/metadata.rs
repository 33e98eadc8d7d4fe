//! Labelled page metadata: the `发布日期：… 来源：… 浏览次数：…` line under a headline and the
//! 政府信息公开 table of UCAP and TRS disclosure pages (`索 引 号： 发布机构： 发文日期：
//! 公开方式：`). Such lines are lifted into [`DocumentMetadata`] and dropped from the body.
//!
//! Only labelled dates count: an unlabelled `2023年10月11日 星期三` in a page header is the day
//! the page was saved or viewed, not when it was published.

use super::chrome::{despace, is_chrome_line};
use super::shape::{compact, is_space};
use crate::document::DocumentMetadata;
use crate::model::{NoticeDate, NoticeDateTime};
use regex::Regex;
use std::sync::LazyLock;

/// Publication labels, most trusted first: 发布时间/发布日期 (published; traditional 發布時間,
/// 發布日期, 發佈日期), 发文日期 (issued),
/// 发稿时间 (filed), 公开日期 (disclosed), 生成日期 (generated, in UCAP tables), 时间/日期 (bare
/// time/date, believed only on a line that carries another label).
const PUBLISHED_LABELS: [&str; 12] = [
    "发布时间",
    "发布日期",
    "發布時間",
    "發布日期",
    "發佈日期",
    "发文日期",
    "发稿时间",
    "发表时间",
    "公开日期",
    "生成日期",
    "时间",
    "日期",
];

/// 成文日期: the date the document was signed, distinct from publication.
const WRITTEN_LABEL: &str = "成文日期";

/// Source labels: 来源 (traditional 來源), 信息来源, 文章来源, 稿件来源 (who wrote or supplied
/// the article).
const SOURCE_LABELS: [&str; 5] = ["来源", "來源", "信息来源", "文章来源", "稿件来源"];

/// Other fields of the disclosure table and the article info bar, dropped with their values:
/// index number, issuing body, disclosure mode/term/scope, responsible department, category,
/// document number, author, view counters and font-size switch.
const OTHER_LABELS: &[&str] = &[
    "索引号",
    "发布机构",
    "公开方式",
    "公开时限",
    "公开范围",
    "责任部门",
    "分类",
    "主题分类",
    "体裁分类",
    "组配分类",
    "服务对象分类",
    "文号",
    "发文字号",
    "发文机关",
    "发布单位",
    "有效性",
    "作者",
    "浏览次数",
    "访问量",
    "点击数",
    "阅读数",
    "字号",
    "所属机构",
    "信息类别",
    "关键词",
    "主题词",
    "效力状态",
    "公开形式",
    "瀏覽次數",
    "點閱次數",
];

/// Longest line (in bytes) that may be a label alone: seven CJK characters, spaces, a colon.
const MAX_LONE_LABEL_BYTES: usize = 48;

/// `2023-05-11`, `2023/5/11`, `2023.05.11`, `2023年5月11日`, each optionally with `10:49`.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?(?:\s*(\d{1,2})\s*[:：时]\s*(\d{2}))?",
    )
    .expect("the date pattern is a valid regex")
});

/// Metadata found so far, with how much each published date is trusted (lower is better).
#[derive(Debug, Default)]
pub(crate) struct MetadataScan {
    published: Option<(usize, NoticeDateTime)>,
    written_on: Option<NoticeDate>,
    source: Option<String>,
}

/// One labelled field of a line.
struct Field<'a> {
    label: &'a str,
    value: String,
}

impl MetadataScan {
    /// Reads the fields of one line. Returns true when the line is a metadata line (it starts
    /// with a label, possibly after a date) and so does not belong in the body.
    pub(crate) fn read_line(&mut self, line: &str) -> bool {
        // Every field has a colon; most lines of a page (links, prose) can be skipped at once.
        if !line.contains(['：', ':']) {
            return false;
        }
        let fields = fields(line);
        let Some(first) = fields.first() else {
            return false;
        };
        let has_named = fields.iter().any(|f| !matches!(f.label, "时间" | "日期"));
        if !has_named {
            return false;
        }
        // Text before the first label may only be a date (`2019年06月15日08:18 来源：…`).
        if !first.value.is_empty() && first.label.is_empty() {
            return false;
        }
        for field in &fields {
            self.record(field);
        }
        true
    }

    /// Reads a line as the value of a label that stood alone on the previous line (disclosure
    /// tables rendered one cell per line).
    pub(crate) fn read_value(&mut self, label: &str, value: &str) {
        self.record(&Field {
            label,
            value: value.trim().to_owned(),
        });
    }

    fn record(&mut self, field: &Field<'_>) {
        if let Some(rank) = PUBLISHED_LABELS.iter().position(|l| *l == field.label) {
            if let Some(date) = parse_datetime(&field.value)
                && self.published.as_ref().is_none_or(|(r, _)| rank < *r)
            {
                self.published = Some((rank, date));
            }
        } else if field.label == WRITTEN_LABEL {
            if self.written_on.is_none() {
                self.written_on = parse_datetime(&field.value).map(|d| d.date);
            }
        } else if SOURCE_LABELS.contains(&field.label) {
            let value = field
                .value
                .trim_matches(|c: char| is_space(c) || matches!(c, '|' | '【' | '[' | '】' | ']'));
            if self.source.is_none() && !value.is_empty() && value.chars().count() <= 60 {
                self.source = Some(value.to_owned());
            }
        }
    }

    /// Offers the bare date and time printed under a plain text's headline.
    pub(crate) fn offer_heading_date(&mut self, at: NoticeDateTime) {
        let rank = PUBLISHED_LABELS.len() - 1;
        if self.published.as_ref().is_none_or(|(r, _)| rank < *r) {
            self.published = Some((rank, at));
        }
    }

    /// Offers a date from a `<meta>` tag, trusted less than any labelled field on the page.
    pub(crate) fn offer_meta_date(&mut self, value: &str) {
        if self.published.is_none() {
            self.published = parse_datetime(value).map(|d| (PUBLISHED_LABELS.len(), d));
        }
    }

    /// Writes what was found into `meta`, keeping values it already has.
    pub(crate) fn merge_into(self, meta: &mut DocumentMetadata) {
        if meta.published_at.is_none() {
            meta.published_at = self.published.map(|(_, d)| d);
        }
        if meta.written_on.is_none() {
            meta.written_on = self.written_on;
        }
        if meta.source.is_none() {
            meta.source = self.source;
        }
    }
}

/// The label a line consists of when it holds nothing else (`发文日期：` alone in a table cell).
pub(crate) fn lone_label(line: &str) -> Option<&'static str> {
    if !line.contains(['：', ':']) || line.len() > MAX_LONE_LABEL_BYTES {
        return None;
    }
    let compact = compact(&despace(line));
    let label = compact.trim_end_matches(['：', ':']);
    if label.len() == compact.len() {
        return None;
    }
    all_labels().find(|l| *l == label)
}

fn all_labels() -> impl Iterator<Item = &'static str> {
    PUBLISHED_LABELS
        .iter()
        .chain(std::iter::once(&WRITTEN_LABEL))
        .chain(SOURCE_LABELS.iter())
        .chain(OTHER_LABELS.iter())
        .copied()
}

/// Splits a line into labelled fields. A label counts at the start of the line or after a
/// space or `|`, and must be followed by a colon; the value runs to the next label. Text before
/// the first label becomes a field with an empty label, allowed only if it is a date.
fn fields(line: &str) -> Vec<Field<'static>> {
    let line = despace(line);
    let mut starts: Vec<(usize, usize, &'static str)> = Vec::new();
    // Scan colons once and look back for a label, rather than searching for every label.
    for (colon_at, colon) in line.char_indices().filter(|(_, c)| matches!(c, '：' | ':')) {
        let before = line[..colon_at].trim_end_matches(is_space);
        let found = all_labels().find(|label| {
            before.strip_suffix(label).is_some_and(|head| {
                head.chars()
                    .next_back()
                    .is_none_or(|c| is_space(c) || matches!(c, '|' | '丨' | '（' | '(' | '【'))
            })
        });
        if let Some(label) = found {
            starts.push((
                before.len() - label.len(),
                colon_at + colon.len_utf8(),
                label,
            ));
        }
    }
    starts.sort_unstable();
    starts.dedup_by_key(|s| s.0);
    let mut out = Vec::with_capacity(starts.len() + 1);
    if let Some(&(first, _, _)) = starts.first() {
        let lead = line[..first].trim_matches(|c: char| is_space(c) || c == '|');
        if !lead.is_empty() {
            // `2019年06月15日08:18`, `2024-02-21 10:05:33`.
            let only_date = is_date_only(lead);
            out.push(Field {
                label: if only_date { "时间" } else { "" },
                value: lead.to_owned(),
            });
        }
    }
    for (i, &(_, colon, label)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(line.len(), |next| next.0);
        out.push(Field {
            label,
            value: line[colon..end].trim().to_owned(),
        });
    }
    out
}

/// True when a line is only a date and time (`2024-06-01 09:30`), as printed under a title.
pub(crate) fn is_bare_datetime(line: &str) -> Option<NoticeDateTime> {
    let trimmed = line.trim_matches(is_space);
    let found = DATE.captures(trimmed)?;
    let whole = found.get(0)?;
    (whole.start() == 0 && whole.end() == trimmed.len() && found.get(4).is_some())
        .then(|| parse_datetime(trimmed))
        .flatten()
}

/// True when a line is a date and nothing else (`2024-04-20`, `2024-04-20 17:03:21`,
/// `2024年4月20日`), as teaser lists print under each item.
pub(crate) fn is_date_only(line: &str) -> bool {
    let trimmed = line
        .trim_matches(|c: char| is_space(c) || matches!(c, '[' | ']' | '(' | ')' | '（' | '）'));
    let Some(found) = DATE.find(trimmed) else {
        return false;
    };
    let rest = &trimmed[found.end()..];
    // Seconds after the minutes (`17:03:21`).
    let rest = rest
        .strip_prefix(':')
        .map_or(rest, |r| r.trim_start_matches(|c: char| c.is_ascii_digit()));
    found.start() == 0 && rest.trim_matches(is_space).is_empty() && found.as_str().len() >= 8
}

/// The first date (and time) in `value`.
pub(crate) fn parse_datetime(value: &str) -> Option<NoticeDateTime> {
    let caps = DATE.captures(value)?;
    let num = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u16>().ok());
    let year = num(1)?;
    let month = u8::try_from(num(2)?).ok()?;
    let date = match num(3) {
        Some(day) => NoticeDate::ymd(year, month, u8::try_from(day).ok()?)?,
        None if (1..=12).contains(&month) => NoticeDate {
            year,
            month,
            day: None,
        },
        None => return None,
    };
    let time = match (num(4), num(5)) {
        (Some(h), Some(m)) if h < 24 && m < 60 => {
            Some((u8::try_from(h).ok()?, u8::try_from(m).ok()?))
        }
        _ => None,
    };
    Some(NoticeDateTime { date, time })
}

/// True when a line should leave the body as metadata or chrome.
pub(crate) fn is_info_line(scan: &mut MetadataScan, line: &str) -> bool {
    scan.read_line(line) || is_chrome_line(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_bar_fields() {
        let mut scan = MetadataScan::default();
        assert!(scan.read_line("来源： 访问量： 199 发布日期： 2017-05-15 10:49:00"));
        assert!(scan.read_line("2019年06月15日08:18  来源： 某某网-文化频道"));
        assert!(scan.read_line("索 引 号：\t0147/2023-0043406\t发文日期：\t2023-04-18"));
        assert!(!scan.read_line("资金来源：财政拨款，已经到位。"));
        let mut meta = DocumentMetadata::default();
        scan.merge_into(&mut meta);
        let published = meta.published_at.expect("a labelled date");
        assert_eq!((published.date.year, published.date.month), (2017, 5));
        assert_eq!(meta.source.as_deref(), Some("某某网-文化频道"));
        assert_eq!(lone_label("发文日期："), Some("发文日期"));
        assert!(is_bare_datetime("2024-06-01 09:30").is_some());
        assert!(is_bare_datetime("2024年3月16日").is_none());
    }
}
