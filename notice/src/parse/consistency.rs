//! Plain-language warnings where the figures a notice reports disagree with what it lists or
//! with each other. Neither side is changed: the notice is published as printed, and a reader
//! decides which is wrong. Issue lists of newspaper fragments are partial, so they are not
//! compared with the notice's totals.

use crate::model::{Issue, IssueStatus, ReportedFigures};

/// Warnings for one notice; `fragment` is true when the notice continues on or from another page.
pub(crate) fn warnings(
    reported: &ReportedFigures,
    issues: &[Issue],
    fragment: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    let listed = i64::try_from(issues.len()).unwrap_or(i64::MAX);
    let count = |s: IssueStatus| {
        i64::try_from(issues.iter().filter(|i| i.status == s).count()).unwrap_or(i64::MAX)
    };
    let (done, ongoing) = (
        count(IssueStatus::Completed),
        count(IssueStatus::InProgress),
    );
    if !fragment && listed > 0 {
        if let Some(total) = reported.problems_total
            && total != listed
        {
            out.push(format!(
                "the notice reports {total} problems but lists {listed} issues"
            ));
        }
        if done + ongoing > 0 {
            if let Some(n) = reported.problems_completed
                && n != done
            {
                out.push(format!(
                    "the notice reports {n} problems rectified but lists {done} issues as completed"
                ));
            }
            // Long-term problems printed apart are listed as in progress too.
            if let Some(n) = reported
                .problems_in_progress
                .map(|n| n.saturating_add(reported.problems_long_term.unwrap_or(0)))
                && n != ongoing
            {
                out.push(format!(
                    "the notice reports {n} problems still being rectified but lists {ongoing} issues as in progress"
                ));
            }
        }
    }
    let parts = [
        reported.problems_completed,
        reported.problems_in_progress,
        reported.problems_not_completed,
    ];
    if let Some(total) = reported.problems_total {
        let sum: i64 = parts.iter().flatten().sum();
        if sum > total {
            out.push(format!(
                "the reported rectified and unfinished problems add up to {sum}, more than the {total} reported in total"
            ));
        }
    }
    if let (Some(total), Some(done)) = (reported.measures_total, reported.measures_completed)
        && done > total
    {
        out.push(format!(
            "the notice reports {done} measures completed out of only {total}"
        ));
    }
    if let (Some(rate), Some(total), Some(done)) = (
        reported.completion_rate_percent,
        reported.problems_total,
        reported.problems_completed,
    ) && total > 0
    {
        let computed = done as f64 * 100.0 / total as f64;
        if (computed - rate).abs() > 1.0 {
            out.push(format!(
                "the reported completion rate of {rate}% does not match {done} of {total} problems rectified"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(status: IssueStatus) -> Issue {
        Issue {
            status,
            ..Issue::default()
        }
    }

    #[test]
    fn warns_when_counts_disagree() {
        let reported = ReportedFigures {
            problems_total: Some(3),
            problems_completed: Some(1),
            ..ReportedFigures::default()
        };
        let issues = [
            issue(IssueStatus::Completed),
            issue(IssueStatus::Completed),
            issue(IssueStatus::InProgress),
        ];
        let got = warnings(&reported, &issues, false);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("1 problems rectified"));
        assert!(warnings(&reported, &issues, true).is_empty());
    }
}
