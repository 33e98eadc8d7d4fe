//! The inspection being rectified: team (县委第九巡察组), kind (巡视, 巡察, 巡察回头看, 联动巡察,
//! 专项巡察, 提级巡察), the period on site and the day findings were fed back, taken from the
//! opening paragraph (根据…统一部署，…巡察组于…至…对…进行了巡察，并于…反馈).

use super::dates::{find_dates, find_month_period, find_period};
use crate::model::{Inspection, NoticeDate};
use regex::Regex;
use std::sync::LazyLock;

/// An inspection team: (level committee)第N(联动|专项|提级|机动)?(巡视|巡察)组; a unit's own
/// party group or committee may send it (局党组第一巡察组, 集团党委第二巡察组), and so may a
/// level committee's working committee (市委教育工委第一巡察组, 区委机关工委第二巡察组).
static TEAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:(?:省委|市委|区委|县委|州委)\p{Han}{1,6}?工委|中央|省委|市委|区委|县委|州委|旗委|盟委|市委市政府|(?:[局厅委办院校]|集团|公司)?(?:[党D]委|[党D]工委|[党D]组))?第[一二三四五六七八九十0-9０-９]{1,3}(?:提级交叉|联动|专项|提级|机动|交叉)?(?:巡视|巡察)组",
    )
    .expect("the team pattern is a valid regex")
});

/// A team without a number, sent by a named committee (镇党委巡察组, 县委巡察组), with its
/// theme when it has one (区委乡村振兴专项巡察组); read only from the opening paragraph when no
/// numbered team is named.
static UNNUMBERED_TEAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:省委|市委|区委|县委|州委|旗委|[乡镇街道局厅委办院校]{1,2}(?:[党D]委|[党D]工委|[党D]组))(?:\p{Han}{2,8}?专项|提级交叉|联动|专项|提级|机动|交叉)?(?:巡视|巡察)组",
    )
    .expect("the unnumbered team pattern is a valid regex")
});

/// 进行了巡察 / 开展了专项巡视: the verb phrase naming what was done;
/// 采取提级巡察方式 / 采用交叉巡察方式: the way the inspection was done names its kind too.
static KIND_VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:进行了?|开展了?|实施了?|采取|采用)(?:为期[^，。]{1,8}的)?(?:常规|政治)?((?:\p{Han}{2,8}?专项|提级交叉|联动|专项|提级|机动|交叉)?(?:巡视|巡察)(?:[“\x22]?回头看[”\x22]?)?)")
        .expect("the kind verb pattern is a valid regex")
});

/// 巡视 (inspection tour by a provincial or central committee).
/// 对X进行了巡察 / 对…等9个单位开展了巡视: the inspection done to a unit, in one sentence.
static INSPECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"对[^。；]{1,80}?(?:进行|开展|实施)了?[^。；，]{0,10}?(?:巡视|巡察)")
        .expect("the inspected pattern is a valid regex")
});

/// How far into an opening that names the inspected units its period may stand, in characters.
const OPENING_PERIOD_CHARS: usize = 120;

const XUNSHI: &str = "巡视";
/// 巡察 (inspection by a city or county committee).
const XUNCHA: &str = "巡察";
/// 回头看 ("looking back"): a follow-up inspection.
const LOOK_BACK: &str = "回头看";
/// Kinds named by a modifier, checked in this order: 联动 before 巡视, because 巡视联动巡察 is a
/// linked city inspection, and 提级交叉 before 提级 and 交叉.
const MODIFIED_KINDS: [&str; 11] = [
    "联动巡察",
    "提级交叉巡察",
    "专项巡视",
    "专项巡察",
    "提级巡察",
    "机动巡视",
    "机动巡察",
    "交叉巡察",
    "交叉巡视",
    "联动巡视",
    "提级巡视",
];
/// 反馈 ("fed back"): the findings were reported to the inspected body.
const FEEDBACK: &str = "反馈";
/// Words of an opening paragraph (根据…部署, 按照…安排, 根据…规划).
const OPENING_WORDS: [&str; 6] = ["部署", "安排", "要求", "进驻", "规划", "计划"];

/// True when `line` opens a notice: it names the inspection and the decision behind it
/// (根据…部署), or starts with the period on site and names the team (2024年9月2日至10月18日，
/// 市委第一巡察组…).
pub(crate) fn is_opening(line: &str) -> bool {
    if !line.contains(XUNCHA) && !line.contains(XUNSHI) {
        return false;
    }
    let head: String = line.chars().take(60).collect();
    let decided = OPENING_WORDS.iter().any(|w| line.contains(w));
    if decided && (head.starts_with("根据") || head.starts_with("按照")) {
        return true;
    }
    let dated = || find_period(&head, Some(2000)).is_some() || find_month_period(&head).is_some();
    // A team and the date it came (2024年5月，县委机动巡察组对…), or a period and the inspection
    // done to a unit (2023年9月至11月，县委3个巡察组对…等9个单位开展了巡察).
    let team = has_team(&head) || UNNUMBERED_TEAM.is_match(&head);
    let dated_once = || find_dates(&head).iter().any(|d| d.year.is_some());
    // A period may follow a sentence of background (为深入贯彻…，开展了专项巡察。2025年8月4日至…).
    let dated_near = || {
        let near: String = line.chars().take(OPENING_PERIOD_CHARS).collect();
        find_period(&near, Some(2000)).is_some() || find_month_period(&near).is_some()
    };
    // Most lines never name the inspected unit: a cheap test before the pattern.
    let inspected = || line.contains('对') && INSPECTED.is_match(line);
    ((decided || team) && dated()) || (team && dated_once()) || (inspected() && dated_near())
}

/// True when `text` names an inspection team (市委第二巡察组).
pub(crate) fn has_team(text: &str) -> bool {
    TEAM.is_match(text)
}

/// The kind named in `text`, if any.
fn kind_in(text: &str) -> Option<String> {
    if text.contains(LOOK_BACK) {
        let base = if text.contains(XUNSHI) && !text.contains(XUNCHA) {
            XUNSHI
        } else {
            XUNCHA
        };
        return Some(format!("{base}{LOOK_BACK}"));
    }
    if let Some(kind) = MODIFIED_KINDS.iter().find(|k| text.contains(*k)) {
        return Some((*kind).to_owned());
    }
    match (text.rfind(XUNSHI), text.rfind(XUNCHA)) {
        (Some(_), None) => Some(XUNSHI.to_owned()),
        (None, Some(_)) => Some(XUNCHA.to_owned()),
        (Some(a), Some(b)) => Some(if a > b { XUNSHI } else { XUNCHA }.to_owned()),
        (None, None) => None,
    }
}

/// True for 巡视 or 巡察 without a qualifier.
fn is_bare_kind(kind: &str) -> bool {
    kind == XUNSHI || kind == XUNCHA
}

/// The inspection as the title, the opening paragraph and the body describe it.
pub(crate) fn inspection(title: Option<&str>, opening: Option<&str>, body: &[&str]) -> Inspection {
    let team = opening
        .and_then(|o| TEAM.find(o))
        .or_else(|| body.iter().find_map(|l| TEAM.find(l)))
        .or_else(|| opening.and_then(|o| UNNUMBERED_TEAM.find(o)))
        .map(|m| m.as_str().to_owned());
    let verb_kind = opening
        .and_then(|o| KIND_VERB.captures(o))
        .and_then(|c| c.get(1))
        .and_then(|m| kind_in(m.as_str()));
    // A title naming the bare kind (区委第六轮巡察整改情况) gives way to the opening's kind with
    // its qualifier (采取提级巡察方式), which GENRES §1 keeps.
    let title_kind = title.and_then(kind_in).filter(|k| {
        !(is_bare_kind(k)
            && verb_kind
                .as_deref()
                .is_some_and(|v| v.contains(k.as_str()) && v != k))
    });
    let kind = title_kind
        .or(verb_kind)
        .or_else(|| team.as_deref().and_then(kind_in))
        .or_else(|| majority_kind(body));
    let mut out = Inspection {
        team,
        kind,
        ..Inspection::default()
    };
    if let Some(opening) = opening {
        fill_dates(&mut out, opening);
    }
    out
}

/// 巡视 or 巡察, whichever the body mentions more.
/// When the opening gives no period, a single dated sentence that names the inspection being
/// done (2024年5月，县委机动巡察组对某局开展了机动巡察) dates its start; a sentence about the
/// feedback (2024年7月2日，巡察组向…反馈) dates the feedback, not the start. Returns the start
/// and the byte offset after its date.
fn single_start(opening: &str) -> Option<(NoticeDate, usize)> {
    let first = find_dates(opening).into_iter().next()?;
    let year = first.year?;
    let sentence_end = opening[first.end..]
        .find(['。', '；'])
        .map_or(opening.len(), |i| first.end + i);
    let clause = &opening[first.end..sentence_end];
    let before_feedback = clause.find(FEEDBACK).map_or(clause, |i| &clause[..i]);
    if !INSPECTED.is_match(before_feedback) {
        return None;
    }
    first.with_year(year).map(|d| (d, first.end))
}

fn majority_kind(body: &[&str]) -> Option<String> {
    let (shi, cha) = body.iter().fold((0, 0), |(s, c), l| {
        (s + l.matches(XUNSHI).count(), c + l.matches(XUNCHA).count())
    });
    match (shi, cha) {
        (0, 0) => None,
        (s, c) if s > c => Some(XUNSHI.to_owned()),
        _ => Some(XUNCHA.to_owned()),
    }
}

/// Period and feedback day from the opening paragraph; a feedback day without a year takes the
/// period's end year, plus one when its month comes before the end month.
fn fill_dates(out: &mut Inspection, opening: &str) {
    let period = find_period(opening, None).or_else(|| find_month_period(opening));
    let mut after = 0;
    if let Some((start, end, span)) = &period {
        out.start = Some(*start);
        out.end = Some(*end);
        after = span.end;
    } else if let Some((start, end)) = single_start(opening) {
        out.start = Some(start);
        after = end;
    }
    let Some(feedback_at) = opening.find(FEEDBACK) else {
        return;
    };
    let reference = out.end.or(out.start);
    // The date nearest before 反馈 in its sentence, else the first after it in that sentence.
    let sentence_start = opening[..feedback_at]
        .rfind(['。', '；'])
        .map_or(0, |i| i + '。'.len_utf8());
    let dates = find_dates(opening);
    let before = dates
        .iter()
        .rfind(|d| d.start >= sentence_start.max(after) && d.end <= feedback_at && d.day.is_some());
    let sentence_end = opening[feedback_at..]
        .find(['。', '；'])
        .map_or(opening.len(), |i| feedback_at + i);
    let chosen = before.or_else(|| {
        dates
            .iter()
            .find(|d| d.start >= feedback_at.max(after) && d.end <= sentence_end && d.day.is_some())
    });
    // Without a day, the month the feedback sentence names (6月中下旬，各巡察组…反馈).
    let chosen = chosen.or_else(|| {
        dates
            .iter()
            .rfind(|d| d.start >= sentence_start.max(after) && d.end <= feedback_at)
    });
    let Some(date) = chosen else {
        return;
    };
    // Without a period, the year printed last before the feedback day (2024年5月，…7月18日反馈).
    let printed_year = || {
        dates
            .iter()
            .filter(|d| d.end <= date.start)
            .rev()
            .find_map(|d| d.year.filter(|_| d.month <= date.month))
    };
    let year = match (date.year, reference) {
        (Some(y), _) => Some(y),
        (None, Some(r)) if date.month < r.month => r.year.checked_add(1),
        (None, Some(r)) => Some(r.year),
        (None, None) => printed_year(),
    };
    out.feedback_on = year
        .and_then(|y| date.with_year(y))
        .filter(|d| reference.is_none_or(|r: NoticeDate| *d >= r));
}

/// `对…等12个单位` / `对5个党组织`: an opening naming several inspected units.
static MANY_UNITS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:对|等)[^。]{0,40}?(?:[0-9]{1,3}|[两三四五六七八九十]{1,3})个(?:单位|部门|党组织|地区|乡镇|街道|镇|村|社区|县区|市直单位|企业)")
        .expect("the many-units pattern is a valid regex")
});

/// Endings of an inspected unit's name used as a section heading in a round report.
const UNIT_ENDINGS: [&str; 7] = [
    "党组",
    "党委",
    "委员会",
    "党工委",
    "党总支",
    "党支部",
    "D组",
];

/// Issuers of round reports: the inspection office or its leading group.
const ROUND_ISSUERS: [&str; 3] = ["巡察办", "巡察工作领导小组", "巡视工作领导小组"];

/// True for a round report in which one committee reports on many inspected units.
pub(crate) fn is_multi_unit(title: Option<&str>, opening: Option<&str>, body: &[&str]) -> bool {
    if title
        .into_iter()
        .chain(opening)
        .any(|t| MANY_UNITS.is_match(t))
    {
        return true;
    }
    if title.is_some_and(|t| ROUND_ISSUERS.iter().any(|i| t.contains(i)) && t.contains('轮')) {
        return true;
    }
    let unit_headings = body
        .iter()
        .filter(|l| {
            super::headings::heading(l).is_some_and(|h| {
                let text = l
                    .get(h.rest..)
                    .unwrap_or_default()
                    .trim_end_matches(['。', '：', ':']);
                h.level <= 2
                    && text.chars().count() <= 30
                    && UNIT_ENDINGS.iter().any(|e| text.ends_with(e))
            })
        })
        .count();
    unit_headings >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_opening_paragraph() {
        let opening = "按照县委部署，2020年5月11日至6月30日，县委第九巡察组对某镇开展巡察，8月2日向某镇党委反馈意见。";
        assert!(is_opening(opening));
        let got = inspection(None, Some(opening), &[]);
        assert_eq!(got.team.as_deref(), Some("县委第九巡察组"));
        assert_eq!(got.kind.as_deref(), Some("巡察"));
        assert_eq!(
            got.feedback_on.map(|d| d.to_string()).as_deref(),
            Some("2020-08-02")
        );
    }

    #[test]
    fn feedback_without_a_period_takes_the_printed_year() {
        let opening =
            "根据县委部署，2024年5月，县委第一巡察组对某局党组开展巡察，7月18日反馈了意见。";
        let got = inspection(None, Some(opening), &[]);
        assert_eq!(
            got.feedback_on.map(|d| d.to_string()).as_deref(),
            Some("2024-07-18")
        );
    }

    #[test]
    fn a_single_month_dates_the_start_and_a_period_with_units_opens() {
        let opening = "2024年5月，县委机动巡察组对县某局党组开展了机动巡察，并于2024年7月2日向局党组反馈了巡察意见。";
        assert!(is_opening(opening));
        let got = inspection(None, Some(opening), &[]);
        assert_eq!(got.start.map(|d| d.to_string()).as_deref(), Some("2024-05"));
        assert_eq!(got.end, None);
        assert_eq!(
            got.feedback_on.map(|d| d.to_string()).as_deref(),
            Some("2024-07-02")
        );
        let fed_back = "2024年7月2日，县委第一巡察组向局党组反馈了巡察意见。";
        assert_eq!(inspection(None, Some(fed_back), &[]).start, None);
        let round =
            "2023年9月至11月，县委3个巡察组对县某局党组、某镇党委等9个单位党组织开展了巡察。";
        assert!(is_opening(round));
        assert!(!is_opening(
            "2023年9月至11月，全县共新建农田2万亩，巡察发现的问题已整改。"
        ));
    }

    #[test]
    fn names_kinds() {
        assert_eq!(
            kind_in("省委第三轮巡视联动巡察").as_deref(),
            Some("联动巡察")
        );
        assert_eq!(
            kind_in("某局党组巡察“回头看”通报").as_deref(),
            Some("巡察回头看")
        );
        assert_eq!(
            kind_in("关于市委提级交叉巡察整改").as_deref(),
            Some("提级交叉巡察")
        );
        let opening = "根据区委部署，区委乡村振兴专项巡察组对某乡党委开展了乡村振兴专项巡察。";
        let got = inspection(None, Some(opening), &[]);
        assert_eq!(got.team.as_deref(), Some("区委乡村振兴专项巡察组"));
        assert_eq!(got.kind.as_deref(), Some("专项巡察"));
        let got = inspection(
            None,
            Some("市委第三提级交叉巡察组对某医院党委进行了巡察"),
            &[],
        );
        assert_eq!(got.team.as_deref(), Some("市委第三提级交叉巡察组"));
        let opening = "2024年3月4日至5月10日，区委第四轮巡察采取交叉巡察方式，对某镇等4个乡镇党委开展了巡察。";
        let got = inspection(Some("区委第四轮巡察整改情况通报"), Some(opening), &[]);
        assert_eq!(got.kind.as_deref(), Some("交叉巡察"));
        let got = inspection(Some("某局党组关于专项巡察整改的通报"), Some(opening), &[]);
        assert_eq!(got.kind.as_deref(), Some("专项巡察"));
        let opening = "根据市委机关工委部署，市委机关工委第二巡察组对某局机关党委开展了巡察。";
        let got = inspection(None, Some(opening), &[]);
        assert_eq!(got.team.as_deref(), Some("市委机关工委第二巡察组"));
    }
}
