//! 整改任务清单 tables: the cleaner gives each row of an HTML table as one line, its cells in
//! order separated by a TAB, the header row included. A table lists issues when its header
//! names a problem column (反馈问题, 存在问题, 问题); its rows are then issues, numbered by the
//! 序号 column and given the status their status column (整改进展, 完成情况, 整改状态) states.

use super::numerals::parse_number;
use super::status::status_of;
use crate::model::IssueStatus;

/// The cell separator the cleaner writes between a row's cells.
pub(crate) const CELL_SEPARATOR: char = '\t';

/// Header cells of the number column (序号 "serial number", 编号 "number").
const NUMBER_COLUMNS: [&str; 3] = ["序号", "编号", "序"];

/// Endings of a problem column's header: 反馈问题 / 存在问题 / 问题 ("problem fed back",
/// "existing problem"), 问题描述 / 问题内容 / 问题表现 ("description", "content", "symptoms"),
/// 反馈意见 ("findings").
const PROBLEM_COLUMN_ENDINGS: [&str; 5] = ["问题", "问题描述", "问题内容", "问题表现", "反馈意见"];

/// 数 ("count"): 问题数 / 问题个数 head a column of figures, not of problems.
const COUNT_MARK: char = '数';

/// Status column headers, the most specific first: 整改状态 ("rectification status"), 完成情况
/// ("completion"), 整改进展 / 进展情况 / 整改进度 ("progress"), 完成状态, 状态, 是否完成
/// ("done or not"), then the looser 整改情况 / 整改结果 ("rectification", "result"), which
/// often hold the narrative of what was done instead.
const STATUS_COLUMNS: [&str; 11] = [
    "整改状态",
    "完成情况",
    "整改进展",
    "进展情况",
    "整改进度",
    "完成状态",
    "状态",
    "是否完成",
    "整改进展情况",
    "整改情况",
    "整改结果",
];

/// Longest cell (characters) read as a status: a status cell holds a word or two (已完成,
/// 持续推进), not the narrative of the measures.
const STATUS_CELL_CHARS: usize = 16;

/// Longest header cell, in characters.
const HEADER_CELL_CHARS: usize = 12;

/// The columns of a table header that lists issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    /// The 序号 column, if any.
    pub(crate) number: Option<usize>,
    /// The problem column.
    pub(crate) problem: usize,
    /// Candidate status columns, most specific first.
    pub(crate) status: Vec<usize>,
    /// Header cells as printed.
    pub(crate) names: Vec<String>,
}

/// The cells of a tab-separated row, trimmed.
pub(crate) fn cells(line: &str) -> Vec<&str> {
    line.split(CELL_SEPARATOR).map(str::trim).collect()
}

/// True for a line holding at least two cells.
pub(crate) fn is_row(line: &str) -> bool {
    line.contains(CELL_SEPARATOR) && cells(line).iter().filter(|c| !c.is_empty()).count() >= 2
}

/// The columns of `line` when it is the header row of an issue table.
pub(crate) fn header(line: &str) -> Option<Columns> {
    if !is_row(line) {
        return None;
    }
    let names: Vec<&str> = cells(line);
    if names
        .iter()
        .any(|c| c.chars().count() > HEADER_CELL_CHARS || c.contains(['。', '；']))
    {
        return None;
    }
    let problem = names.iter().position(|c| {
        !c.contains(COUNT_MARK) && PROBLEM_COLUMN_ENDINGS.iter().any(|e| c.ends_with(e))
    })?;
    let number = names.iter().position(|c| NUMBER_COLUMNS.contains(c));
    let status = STATUS_COLUMNS
        .iter()
        .filter_map(|s| names.iter().position(|c| c == s))
        .filter(|&i| i != problem)
        .collect();
    Some(Columns {
        number,
        problem,
        status,
        names: names.iter().map(|s| (*s).to_owned()).collect(),
    })
}

/// One row of an issue table as read through its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// The 序号 cell as a number, if it is one.
    pub(crate) number: Option<String>,
    /// The problem cell.
    pub(crate) problem: String,
    /// The status a status cell states, with the column it came from.
    pub(crate) status: Option<(IssueStatus, String)>,
}

/// Reads one row; `None` when the row has no problem cell (a spanning caption, an empty row).
pub(crate) fn row(line: &str, columns: &Columns) -> Option<Row> {
    let cells = cells(line);
    let problem = cells.get(columns.problem).filter(|c| !c.is_empty())?;
    let number = columns
        .number
        .and_then(|i| cells.get(i))
        .and_then(|c| parse_number(c.trim_end_matches(['.', '、', '．'])))
        .map(|n| n.to_string());
    let status = columns.status.iter().find_map(|&i| {
        let cell = cells.get(i)?;
        (cell.chars().count() <= STATUS_CELL_CHARS)
            .then(|| status_of(cell))
            .flatten()
            .map(|s| (s, columns.names.get(i).cloned().unwrap_or_default()))
    });
    Some(Row {
        number,
        problem: (*problem).to_owned(),
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_problem_and_status_columns() {
        let columns = header("序号\t存在问题\t整改情况\t完成情况").expect("an issue table");
        assert_eq!((columns.number, columns.problem), (Some(0), 1));
        let got = row("2\t甲乙不规范\t制定办法\t持续推进", &columns).expect("a row");
        assert_eq!(got.number.as_deref(), Some("2"));
        assert_eq!(got.problem, "甲乙不规范");
        assert_eq!(
            got.status.map(|s| s.0),
            Some(IssueStatus::InProgress),
            "the short 完成情况 cell, not the narrative 整改情况 cell"
        );
        assert!(header("序号\t单位\t问题数\t已完成").is_none());
        assert!(header("2021\t2022\t增长").is_none());
    }
}
