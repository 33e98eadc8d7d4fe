//! Joins hard-wrapped lines back into paragraphs. Newspaper pages (and text copied from PDF
//! e-papers) break every column line at 12–20 characters and sometimes leave a blank line at a
//! column break in mid-sentence. Reflow happens only when most lines share one full width; it
//! joins a line to the previous one unless the previous line ends a sentence or is short, or
//! the line opens a heading or numbered item (一、 （一） 1、 (1) 第一条 一是).

use super::shape::{ends_sentence, is_placeholder, visible_str, width};
use regex::Regex;
use std::sync::LazyLock;

/// Openers of headings and numbered items in Chinese official documents: 一、 （一） 1、 1．
/// (1) ① 第一条/第一章 一是 附件.
static PARAGRAPH_OPENER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:[一二三四五六七八九十百]+[、．.]|[（(][一二三四五六七八九十百\d]+[）)]|\d{1,3}[、．.]|[①-⑳]|第[一二三四五六七八九十百零\d]+[条章节部分]|[一二三四五六七八九十]+是|附件)",
    )
    .expect("the paragraph opener pattern is a valid regex")
});

/// A line that is only a date (`2021年12月30日`, `2025年4月`, `二〇二四年十二月二十日`,
/// `2024-12-20`): the signing date under a signature, which stays its own line.
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:\d{4}|[〇○零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月(?:[\d一二三四五六七八九十]{1,3}日)?|\d{4}[-./]\d{1,2}(?:[-./]\d{1,2})?)$",
    )
    .expect("the date line pattern is a valid regex")
});

/// A newspaper page header (`2025年12月9日　星期二　某某日报　5　综合新闻`): the title printed under
/// it is a paragraph of its own.
static PAGE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\d{4}年\d{1,2}月\d{1,2}日[\s\u{3000}]*(?:星期|周)[一二三四五六日天]")
        .expect("the page header pattern is a valid regex")
});

/// 关于 … 通报/公告/公示/报告 ("on … notice/announcement/report"): a paragraph that is a whole
/// document title ends there, though it carries no sentence punctuation.
const TITLE_ABOUT: &str = "关于";
/// Last words of a document title.
const TITLE_ENDINGS: [&str; 4] = ["通报", "公告", "公示", "报告"];
/// Longest title, in characters; a longer paragraph that ends so is running text.
const MAX_TITLE_CHARS: usize = 60;

/// True when `paragraph` is a complete document title (organisation, 关于, subject, 通报).
fn is_notice_title(paragraph: &str) -> bool {
    // A paragraph grows as lines join it: decide long ones by their length alone.
    if paragraph.len() > MAX_TITLE_CHARS * 4 {
        return false;
    }
    let visible = super::shape::compact(paragraph);
    visible.contains(TITLE_ABOUT)
        && visible.chars().count() <= MAX_TITLE_CHARS
        && TITLE_ENDINGS.iter().any(|e| visible.ends_with(e))
}

/// True when `line` holds nothing but a date.
fn is_date_line(line: &str) -> bool {
    // The longest date the pattern takes (二〇二四年十二月二十日) has 13 characters; longer
    // lines are skipped without copying them.
    line.chars()
        .filter(|&c| !super::shape::is_hidden(c))
        .nth(MAX_DATE_LINE_CHARS)
        .is_none()
        && DATE_LINE.is_match(&super::shape::compact(line))
}

/// Characters in the longest line [`DATE_LINE`] can match: 4 + 年 + 3 + 月 + 3 + 日.
const MAX_DATE_LINE_CHARS: usize = 13;

/// Fewest lines for width statistics to mean anything.
const MIN_LINES: usize = 8;

/// Narrowest and widest column (in display columns) that counts as newspaper wrapping.
const COLUMN_RANGE: std::ops::RangeInclusive<usize> = 16..=90;

/// True when `line` opens a heading or numbered item.
pub(crate) fn opens_paragraph(line: &str) -> bool {
    let visible = visible_str(line);
    PARAGRAPH_OPENER.find(&visible).is_some_and(|m| {
        // `1.5亿元` is a number, not item 1.
        !(m.as_str().ends_with(['.', '．'])
            && visible[m.end()..].starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// The full column width when the lines are hard-wrapped, or `None` when they are paragraphs.
/// `widths` are the lines' [`width`]s.
fn column_width(lines: &[String], widths: &[usize]) -> Option<usize> {
    // Table rows (cells separated by tabs) are never wrapped text.
    let widths: Vec<usize> = lines
        .iter()
        .zip(widths)
        .filter(|(l, _)| !l.contains('\t'))
        .map(|(_, &w)| w)
        .filter(|w| *w > 0)
        .collect();
    if widths.len() < MIN_LINES {
        return None;
    }
    let mut counts = std::collections::HashMap::new();
    for w in &widths {
        *counts.entry(*w).or_insert(0usize) += 1;
    }
    // The most common width, smoothed over its neighbours (justification varies by a column).
    let (mode, _) = counts
        .keys()
        .filter(|w| COLUMN_RANGE.contains(*w))
        .map(|&w| {
            let near: usize = (w.saturating_sub(1)..=w + 1)
                .filter_map(|x| counts.get(&x))
                .sum();
            (w, near)
        })
        .max_by_key(|&(w, near)| (near, w))?;
    let full = widths.iter().filter(|&&w| is_full(w, mode)).count();
    (full * 2 >= widths.len()).then_some(mode)
}

/// A full column line: within 78% of the column (digits and Latin letters print narrower than
/// their nominal column, so a full line with a year in it measures short).
fn is_full(width: usize, mode: usize) -> bool {
    width * 100 >= mode * 78 && width <= mode + mode / 5 + 2
}

/// Columns a lifted continuation marker (`（上接第5版）`, seven characters) took on its line.
const MARKER_COLUMNS: usize = 12;

/// Width of a line as printed, counting lifted markers back in (`width` is its [`width`]).
fn printed_width(line: &str, width: usize) -> usize {
    width + MARKER_COLUMNS * line.chars().filter(|&c| is_placeholder(c)).count()
}

/// True when `line` ends in a Latin word that follows a space, as English prose wraps. A Latin
/// run glued to Chinese text (`电子邮箱：nhkfq` continued by `xc2021@…`) is one token split by
/// the column, so it is joined without a space.
fn ends_english_word(line: &str) -> bool {
    let before_run = line.trim_end_matches(|c: char| c.is_ascii_alphanumeric());
    before_run.len() < line.len() && before_run.ends_with(' ')
}

/// Reflows `lines` (blank lines included) into paragraphs; returns them without blank lines.
/// `boundary(prev, next)` forbids a join (newspaper fragments, see `markers`).
pub(crate) fn reflow(lines: Vec<String>, boundary: impl Fn(&str, &str) -> bool) -> Vec<String> {
    let widths: Vec<usize> = lines.iter().map(|l| width(l)).collect();
    let Some(mode) = column_width(&lines, &widths) else {
        return lines
            .into_iter()
            .zip(widths)
            .filter(|(_, w)| *w > 0)
            .map(|(l, _)| l)
            .collect();
    };
    let mut out: Vec<String> = Vec::new();
    let mut last_width = 0;
    let mut last_line = String::new();
    for (line, plain_width) in lines.into_iter().zip(widths) {
        if plain_width == 0 {
            if !line.is_empty() {
                // Only placeholders: keep them with the text that follows.
                if let Some(prev) = out.last_mut() {
                    prev.push_str(&line);
                } else {
                    out.push(line);
                }
            }
            continue;
        }
        let join = !out.is_empty()
            && last_width > 0
            && !line.contains('\t')
            && !last_line.contains('\t')
            && is_full(last_width, mode)
            && !ends_sentence(&last_line)
            && !opens_paragraph(&line)
            && !is_date_line(&line)
            && !PAGE_HEADER.is_match(&last_line)
            && !out.last().is_some_and(|p| is_notice_title(p))
            && !boundary(&last_line, &line);
        match out.last_mut() {
            Some(prev) if join => {
                let needs_space = ends_english_word(prev)
                    && line
                        .trim_start()
                        .starts_with(|c: char| c.is_ascii_alphabetic());
                if needs_space {
                    prev.push(' ');
                }
                prev.push_str(line.trim_start());
            }
            _ => out.push(line.clone()),
        }
        last_width = printed_width(&line, plain_width);
        last_line = line;
    }
    // A paragraph of placeholders alone is kept (it has no width but is not empty).
    out.into_iter().filter(|l| !l.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signing_date_is_never_joined_to_the_signature() {
        for date in [
            "2021年12月30日",
            "2025年4月",
            "二〇二四年十二月二十日",
            "2024-12-20",
        ] {
            assert!(is_date_line(date), "{date}");
        }
        assert!(!is_date_line("2021年12月30日召开会议"));
        let column = "这是一行排满了整个栏宽的正文文字内容啊";
        let mut lines: Vec<String> = std::iter::repeat_n(column.to_owned(), 10).collect();
        lines.push("中共某某经济开发区工作委员会".into());
        lines.push("2021年12月30日".into());
        let out = reflow(lines, |_, _| false);
        assert_eq!(out.last().map(String::as_str), Some("2021年12月30日"));
    }

    #[test]
    fn tab_separated_rows_stay_apart_in_wrapped_text() {
        // Rows as wide as the column and ending without punctuation would join as wrapped
        // lines; a TAB marks a table row, which is never wrapped prose.
        let column = "这是一行排满了整个栏宽的正文文字内容啊";
        let mut lines: Vec<String> = std::iter::repeat_n(column.to_owned(), 10).collect();
        let rows = [
            "问题描述\t整改措施\t责任科室\t进展情况",
            "核心制度落实不到位\t开展专项培训\t医务科\t已完成",
            "监测预警不及时\t上线监测系统\t药学部\t正在推进",
        ];
        lines.extend(rows.iter().map(|r| (*r).to_owned()));
        let out = reflow(lines, |_, _| false);
        assert_eq!(out[out.len() - 3..], rows, "{out:#?}");
    }

    #[test]
    fn a_page_header_keeps_the_title_under_it_apart() {
        let column = "这是一行排满了整个栏宽的正文文字内容啊";
        let header = "2025年12月9日　星期二　　　某某日报　　　5　　综合新闻";
        let mut lines = vec![header.to_owned(), "中共某市某局党组".to_owned()];
        lines.extend(std::iter::repeat_n(column.to_owned(), 10));
        let out = reflow(lines, |_, _| false);
        assert_eq!(out[0], header, "{out:#?}");
        assert!(out[1].starts_with("中共某市某局党组"), "{out:#?}");
    }

    #[test]
    fn wrapped_column_joins() {
        let text = "一是完善工作台账。局党组对照反馈意见\n\n逐项建立整改清单，明确每项任务的牵头\n领导、责任科室、完成时限和验收标准，\n实行销号管理。\n3、关于“项目审批流程不够规范”问题的\n整改。\n已采取的措施和阶段成效：\n二是压缩审批时限。梳理全部审批事项，\n取消不必要的前置环节，平均办理时间由\n十二个工作日缩短至六个工作日。";
        let lines: Vec<String> = text.lines().map(String::from).collect();
        let out = reflow(lines, |_, _| false);
        assert_eq!(out.len(), 4, "{out:#?}");
        assert!(out[1].ends_with("问题的整改。"), "{out:#?}");
        assert!(opens_paragraph("（一）总体情况"));
        assert!(!opens_paragraph("1.5亿元用于"));
    }
}
