//! Figures a notice reports about itself: problems fed back, rectified and in progress, measures
//! planned and done, aspects (方面), rules made (制度), people held accountable and money
//! recovered, written in digits or Chinese numerals. Only the first statement of each counts,
//! and only text outside issue bodies is read (an issue's own counts are not the notice's).

use super::numerals::parse_number;
use crate::model::ReportedFigures;
use regex::{Captures, Regex, RegexSet, SetMatches};
use std::sync::LazyLock;

/// A count in digits or Chinese numerals.
const N: &str = r"([0-9０-９]{1,6}|[零〇一二两三四五六七八九十百千]{1,6})";

/// Compiles one figure pattern, `{N}` standing for a count.
fn pattern(p: &str) -> Regex {
    Regex::new(&p.replace("{N}", N)).expect("figure patterns are valid regexes")
}

/// `4个方面21个问题` / `4个方面问题18个`: aspects and problems together.
static ASPECTS_PROBLEMS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"{N}(?:个方面|大类|个类别)(?:的|共)?(?:{N}(?:个|项|条)(?:具体)?问题|问题(?:共|共计)?{N}(?:个|项|条))",
    )
});
/// `反馈的6个方面问题` / `5个方面的问题`.
/// 反馈问题共4个方面26个: the problems named first, then their aspects and their count.
static PROBLEMS_ASPECTS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"问题(?:共|共计)?{N}(?:个方面|大类|个类别)(?:的|共)?{N}(?:个|项|条)")
});
/// `涉及3个方面，共指出问题19个`: the aspects, then a clause that goes on to count the problems.
static ASPECTS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"{N}个方面(?:(?:的|共|存在的)?(?:突出)?(?:问题|意见)|[，,](?:共|共计)?(?:指出|发现|反馈|提出|查找)(?:了|出)?(?:具体)?(?:问题|[0-9０-９零〇一二两三四五六七八九十百千]{1,6}个))",
    )
});
/// `反馈的19个问题` / `反馈问题27个` / `发现问题86个`.
static PROBLEMS_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:反馈|指出|交办|发现)(?:的|了|意见中的|意见)?(?:{N}(?:个|项|条)(?:具体)?问题|问题(?:共|共计)?{N}(?:个|项|条))|共(?:发现|反馈)[^，,。；0-9]{1,4}?问题{N}(?:个|项|条)",
    )
});
/// `已完成整改8个` / `已整改完成的问题13个`: the count after the status. Tried before
/// [`COMPLETED_BEFORE`], because in `19个问题已完成整改8个` the 19 is the total.
static COMPLETED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"已(?:全部)?(?:完成整改|整改完成|整改到位|整改销号|整改办结|完成|办结|销号)(?:的问题|问题)?{N}个",
    )
});
/// `共反馈问题286个，已整改271个` / `19个问题，已整改17个`: a bare 已整改 right after the
/// problem total counts the problems rectified (elsewhere 已整改 names work done: 已整改118处).
static COMPLETED_AFTER_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:问题(?:共|共计)?[0-9０-９零〇一二两三四五六七八九十百千]{1,6}个|[0-9０-９零〇一二两三四五六七八九十百千]{1,6}个(?:具体)?问题)[，,]?(?:其中|目前)?已整改{N}个",
    )
});
/// `8个问题已整改完成`.
static COMPLETED_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"{N}个问题已(?:全部)?(?:整改完成|完成整改|整改到位|完成|办结|销号)"));
/// `正在推进整改的问题4个` / `正在推进4个`.
/// `阶段性完成5个` / `基本完成整改的问题2个`: stage results, which GENRES §4 counts as in
/// progress.
static IN_PROGRESS_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:(?:正在|持续|仍在)(?:推进整改|推进|整改)(?:中)?|(?:阶段性|基本)完成(?:整改)?)(?:的问题|问题)?{N}个",
    )
});
/// `需长期坚持的问题2个`: long-term problems, which count as in progress.
static LONG_TERM: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?:需|需要)?长期(?:坚持|推进|整改)(?:的问题|问题)?{N}个"));
/// `共计6个问题正在整改` / `剩余2个问题正在持续推进` / `其余3个问题已取得阶段性成效` /
/// `其余2个正在推进`.
static IN_PROGRESS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:{N}个问题(?:中)?|(?:其余|剩余|另有|还有|尚有){N}个(?:问题)?(?:[^。；0-9]{0,16}?[，,])?)(?:正在|仍在|持续|正按计划|已取得阶段性)(?:加快|加紧|加速|全力|有序|持续|按计划)?(?:推进|整改|成效|进展)|未完成(?:整改)?{N}个(?:问题)?[^。；，,0-9]{0,4}?(?:推进中|整改中|正在推进|正在整改|序时推进)",
    )
});
/// `尚未完成整改的问题2个` / `2个问题尚未完成`.
static PROBLEMS_NOT_COMPLETED: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:(?:尚未|未)(?:完成)?整改(?:到位|完成)?(?:的问题|问题)?{N}个|{N}个问题(?:尚未|未)(?:完成|整改))",
    )
});
/// `90条整改措施(已完成71条)` / `有42项具体整改措施已落实到位` / `细化为62项整改任务`.
static MEASURES: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"{N}(?:条|项)(?:具体)?(?:整改(?:措施|举措|任务)|措施|举措)(?:中)?(?:，)?((?:已|均已|全部)?(?:全部)?(?:完成|落实到位|落实|办结))?(?:{N}(?:条|项))?",
    )
});
/// `制定整改措施31条`: the count after the noun.
static MEASURES_TOTAL_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:制定|细化|明确|提出|形成|分解|梳理|拟定|确定)[^。；，,]{0,6}?(?:整改|具体)(?:措施|举措|任务)(?:共)?{N}(?:条|项)",
    )
});
/// `细化整改任务88项、整改措施246条`: tasks broken down into measures; the measures (group 2) are
/// the finer count the notice reports against.
static TASKS_AND_MEASURES: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"整改任务(?:共)?{N}(?:条|项)[、，,和及与]{1,2}(?:具体|整改)?(?:措施|举措)(?:共)?{N}(?:条|项)",
    )
});
/// `制定整改措施24条，已完成21条` / `…，目前已全部完成`: the measures done, right after their
/// total (group 1), or all of them (全部, without a count).
static MEASURES_DONE_AFTER_TOTAL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"整改(?:措施|举措|任务)(?:共)?[0-9０-９零〇一二两三四五六七八九十百千]{1,6}(?:条|项)[，,][^。；，,问题个]{0,6}?(?:已|均已)(?:(?:完成|落实)(?:整改)?{N}(?:条|项)|全部(?:完成|落实)(?:到位)?(?:[。；，,]|$))",
    )
});
/// 已整改 ("rectified"): looked for before [`COMPLETED_AFTER_TOTAL`] runs.
const RECTIFIED: &str = "已整改";

/// 其中 ("among them"): a count after it is part of the one before. Its last character is
/// looked for just before a long-term count.
const AMONG_THEM_LAST: char = '中';

/// `目前已全部完成` after the total: every measure is done.
const ALL_DONE: &str = "全部";
/// `已完成整改措施71条` / `已完成整改举措138条` / `完成整改措施55条`.
static MEASURES_COMPLETED: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:已|累计)?(?:完成|落实)(?:整改)?(?:措施|举措|任务){N}(?:条|项)|整改(?:措施|举措|任务)(?:已|累计)?(?:完成|落实)(?:了)?{N}(?:条|项)",
    )
});

/// `35项任务完成30项`: tasks without 整改, with the done count right after.
static TASKS_DONE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(r"{N}(?:条|项)(?:整改)?任务(?:中)?[，,]?(?:已|均已)?(?:完成|落实)(?:了)?{N}(?:条|项)")
});
/// `建立完善12项制度机制` / `完善制度140项`.
static RULES: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:建立|完善|制定|修订|出台|健全|新建|修改|制修订|建章立制)[^。；，,]{0,24}?(?:{N}(?:项|个|件|份|套)[^。；，,]{0,4}?(?:制度|规章|办法|机制)|(?:制度|规章制度|制度机制|制度规定|制度文件|制度办法|管理办法|管理制度|长效机制){N}(?:项|个|件|份|套))|建章立制{N}(?:项|个|件|份|套)|等(?:制度|规章制度|制度规定|制度文件|制度办法|管理办法){N}(?:项|个|件|份|套)",
    )
});
/// `追责5人` / `问责处理3人` / `给予党纪政务处分2人` / `诫勉谈话3人` / `处理村干部13人` /
/// `问责党组织4个、党员领导干部37人` (提醒谈话 and 批评教育 are not accountability).
static PEOPLE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?:问责|追责|追责问责|问责追责|处理|处分|追究责任|组织处理|诫勉谈话|诫勉)(?:了)?(?:党员)?(?:干部|相关责任人员|责任人员|相关人员|人员|责任人)?{N}(?:人|名)|{N}(?:人|名)(?:被)?(?:问责|追责|给予[^。；，]{0,8}处分)|(?:问责|追责|处理)[^。；，]{1,14}?(?:干部|人员|责任人|员工|职工){N}(?:人|名)|{N}(?:人|名)[^。；，,0-9]{0,10}?(?:分别)?(?:进行了?|予以|给予|作出)[^。；，,0-9]{0,16}?(?:问责|追责|处理|处分|诫勉)",
    )
});
/// `追缴资金120万元` / `挽回经济损失1.2亿元`.
static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:追缴|挽回|收回|追回|清退|退还|退缴|收缴)[^。；，,]{0,12}?([0-9]+(?:\.[0-9]+)?)(?:余)?(万元|亿元|元)")
        .expect("the money pattern is a valid regex")
});
/// `整改完成率达100%`.
static RATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:整改)?完成率(?:达到|达|为|是)?\s*([0-9]+(?:\.[0-9]+)?)\s*[%％]")
        .expect("the rate pattern is a valid regex")
});

/// The number in capture group `i`.
fn count(caps: &Captures<'_>, i: usize) -> Option<i64> {
    caps.get(i).and_then(|m| parse_number(m.as_str()))
}

/// The first capture of the first group of `re` in `text` that parses as a number.
fn first(re: &Regex, text: &str) -> Option<i64> {
    re.captures_iter(text)
        .find_map(|c| (1..c.len()).find_map(|i| count(&c, i)))
}

/// Units every figure statement ends a count with (个, 条, 项, 人, 名, 元, %, 套, 件).
const UNITS: [char; 10] = ['个', '条', '项', '人', '名', '元', '%', '％', '套', '件'];

/// 其中 ("among them"): counts after it break down the ones before.
const AMONG_THEM: &str = "其中";

/// 下一步 ("next step") and 力争 ("strive to"): a sentence with them states plans, and a figure
/// in a plan is no result, wherever the sentence stands.
const PLAN_MARKERS: [&str; 2] = ["下一步", "力争"];

/// People held accountable in one sentence: the kinds of treatment it lists add up (党纪政务
/// 处分46人、组织处理73人), up to a 其中 that breaks a count down.
fn people(text: &str) -> Option<i64> {
    let text = text.find(AMONG_THEM).map_or(text, |i| &text[..i]);
    PEOPLE
        .captures_iter(text)
        .filter_map(|c| (1..c.len()).find_map(|i| count(&c, i)))
        .try_fold(None, |acc: Option<i64>, n| {
            Some(Some(acc.unwrap_or(0).checked_add(n)?))
        })
        .flatten()
}

/// Reads the figures from `paragraphs`, the notice's text outside issue bodies, sentence by
/// sentence; sentences without a unit are skipped before any pattern runs.
pub(crate) fn reported(paragraphs: &[&str]) -> ReportedFigures {
    let mut out = ReportedFigures::default();
    for paragraph in paragraphs {
        for sentence in paragraph.split_inclusive('。') {
            if sentence.contains(UNITS)
                && may_state_a_figure(sentence)
                && !PLAN_MARKERS.iter().any(|m| sentence.contains(m))
            {
                read_paragraph(sentence, &mut out);
            }
        }
    }
    out
}

/// Whether `sentence` has a count followed by what every figure pattern puts after one: a
/// unit (个 条 项 件 份 套 人 名 元), the 大 of N大类, a decimal point, 余/万/亿 of money, a percent
/// sign, or the space a rate may have before its sign. A sentence without is skipped before the
/// set of patterns scans it (half of the sentences with a unit word, such as 人 in 人民).
fn may_state_a_figure(sentence: &str) -> bool {
    let is_numeral = |c: char| {
        c.is_ascii_digit()
            || ('０'..='９').contains(&c)
            || "零〇一二两三四五六七八九十百千".contains(c)
    };
    let follows_a_count =
        |c: char| "个大条项件份套人名.余万亿元%％".contains(c) || c.is_whitespace();
    let mut chars = sentence.chars().peekable();
    while let Some(c) = chars.next() {
        if is_numeral(c) && chars.peek().is_some_and(|&next| follows_a_count(next)) {
            return true;
        }
    }
    false
}

/// Every pattern [`read_paragraph`] runs, in the order of [`FIGURE_SET`].
fn figure_patterns() -> [&'static Regex; 21] {
    [
        &ASPECTS_PROBLEMS,
        &PROBLEMS_ASPECTS,
        &ASPECTS,
        &PROBLEMS_TOTAL,
        &COMPLETED_AFTER,
        &COMPLETED_AFTER_TOTAL,
        &COMPLETED_BEFORE,
        &IN_PROGRESS_AFTER,
        &LONG_TERM,
        &IN_PROGRESS_BEFORE,
        &PROBLEMS_NOT_COMPLETED,
        &MEASURES,
        &MEASURES_TOTAL_AFTER,
        &TASKS_AND_MEASURES,
        &MEASURES_DONE_AFTER_TOTAL,
        &MEASURES_COMPLETED,
        &TASKS_DONE,
        &RULES,
        &PEOPLE,
        &MONEY,
        &RATE,
    ]
}

/// The figure patterns as one set: a sentence is scanned once to learn which of them match
/// it, and only those run again to capture their numbers (most match nowhere, and each
/// search for captures costs a scan and an allocation).
static FIGURE_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(figure_patterns().iter().map(|re| re.as_str()))
        .expect("the figure patterns form a valid set")
});

/// Which figure patterns match one sentence.
struct Candidates(SetMatches);

impl Candidates {
    fn of(text: &str) -> Self {
        Self(FIGURE_SET.matches(text))
    }

    /// Whether `re` matches the sentence (a pattern outside the set always may).
    fn may(&self, re: &Regex) -> bool {
        figure_patterns()
            .iter()
            .position(|p| std::ptr::eq(*p, re))
            .is_none_or(|i| self.0.matched(i))
    }

    fn first(&self, re: &Regex, text: &str) -> Option<i64> {
        if self.may(re) { first(re, text) } else { None }
    }

    fn captures<'t>(&self, re: &Regex, text: &'t str) -> Option<Captures<'t>> {
        if self.may(re) {
            re.captures(text)
        } else {
            None
        }
    }

    fn captures_iter<'r, 't>(
        &self,
        re: &'r Regex,
        text: &'t str,
    ) -> impl Iterator<Item = Captures<'t>> + use<'r, 't> {
        self.may(re)
            .then(|| re.captures_iter(text))
            .into_iter()
            .flatten()
    }
}

/// Sets every still-unset figure `text` states.
fn read_paragraph(text: &str, out: &mut ReportedFigures) {
    let m = Candidates::of(text);
    if let Some(c) = m
        .captures(&ASPECTS_PROBLEMS, text)
        .or_else(|| m.captures(&PROBLEMS_ASPECTS, text))
    {
        out.aspects_total = out.aspects_total.or(count(&c, 1));
        // The problem count is group 2 (N个方面N个问题) or 3 (N个方面问题共N个).
        out.problems_total = out.problems_total.or(count(&c, 2)).or(count(&c, 3));
    }
    if out.aspects_total.is_none() {
        out.aspects_total = m.first(&ASPECTS, text);
    }
    if out.problems_total.is_none() {
        out.problems_total = m.first(&PROBLEMS_TOTAL, text);
    }
    if out.problems_completed.is_none() {
        out.problems_completed = m
            .first(&COMPLETED_AFTER, text)
            .or_else(|| m.first(&COMPLETED_BEFORE, text))
            .or_else(|| {
                text.contains(RECTIFIED)
                    .then(|| m.first(&COMPLETED_AFTER_TOTAL, text))
                    .flatten()
            });
    }
    if out.problems_in_progress.is_none() {
        let ongoing = m
            .first(&IN_PROGRESS_AFTER, text)
            .or_else(|| m.first(&IN_PROGRESS_BEFORE, text));
        // The status model folds long-term problems into in progress, so the counts add up.
        // The printed count of problems being rectified; a separately printed long-term count
        // (需长期坚持2个) is not added to it, and serves only when it is the one count given.
        let long_term = m
            .captures_iter(&LONG_TERM, text)
            .find(|c| {
                c.get(0).is_some_and(|m| {
                    let tail: String = text[..m.start()].chars().rev().take(3).collect();
                    !tail.contains(AMONG_THEM_LAST)
                })
            })
            .and_then(|c| count(&c, 1));
        if ongoing.is_some() {
            out.problems_long_term = out.problems_long_term.or(long_term);
        }
        out.problems_in_progress = ongoing.or(long_term);
    }
    if out.problems_not_completed.is_none() {
        out.problems_not_completed = m.first(&PROBLEMS_NOT_COMPLETED, text);
    }
    for c in m.captures_iter(&MEASURES, text) {
        let n = count(&c, 1);
        match (c.get(2).is_some(), count(&c, 3)) {
            (true, Some(done)) => {
                out.measures_total = out.measures_total.or(n);
                out.measures_completed = out.measures_completed.or(Some(done));
            }
            (true, None) => out.measures_completed = out.measures_completed.or(n),
            (false, _) => out.measures_total = out.measures_total.or(n),
        }
    }
    if out.measures_total.is_none() {
        out.measures_total = m
            .captures(&TASKS_AND_MEASURES, text)
            .and_then(|c| count(&c, 2))
            .or_else(|| m.first(&MEASURES_TOTAL_AFTER, text));
    }
    if out.measures_completed.is_none()
        && let Some(c) = m.captures(&TASKS_DONE, text)
    {
        out.measures_total = out.measures_total.or(count(&c, 1));
        out.measures_completed = count(&c, 2);
    }
    if out.measures_completed.is_none()
        && let Some(c) = m.captures(&MEASURES_DONE_AFTER_TOTAL, text)
    {
        let all = c.get(0).is_some_and(|m| m.as_str().contains(ALL_DONE));
        out.measures_completed = count(&c, 1).or(if all { out.measures_total } else { None });
    }
    if out.measures_completed.is_none() {
        out.measures_completed = m.first(&MEASURES_COMPLETED, text);
    }
    if out.rules_made.is_none() {
        // 完善一套制度 ("perfect a set of rules") is a figure of speech, not a count.
        out.rules_made = m
            .captures_iter(&RULES, text)
            .find_map(|c| (1..c.len()).find_map(|i| count(&c, i)).filter(|n| *n > 1));
    }
    if out.people_held_accountable.is_none() {
        // PEOPLE has no anchor, so no match in the sentence means none in a prefix of it.
        out.people_held_accountable = m.may(&PEOPLE).then(|| people(text)).flatten();
    }
    if out.money_recovered_yuan.is_none()
        && let Some(c) = m.captures(&MONEY, text)
    {
        let amount: Option<f64> = c.get(1).and_then(|m| m.as_str().parse().ok());
        let scale = match c.get(2).map(|m| m.as_str()) {
            Some("亿元") => 100_000_000.0,
            Some("万元") => 10_000.0,
            _ => 1.0,
        };
        out.money_recovered_yuan = amount.map(|a| (a * scale).round());
    }
    if out.completion_rate_percent.is_none() {
        out.completion_rate_percent = m
            .captures(&RATE, text)
            .and_then(|c| c.get(1))
            .and_then(|m| m.as_str().parse().ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`may_state_a_figure`] lets through every sentence any figure pattern matches, in every
    /// text fixture of the crate: a pattern whose count is followed by something else fails here.
    #[test]
    fn no_sentence_a_pattern_matches_is_gated_out() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut dirs = vec![fixtures];
        let mut sentences = 0;
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for path in entries.filter_map(Result::ok).map(|e| e.path()) {
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                for sentence in text.split_inclusive(['。', '\n']) {
                    if FIGURE_SET.is_match(sentence) {
                        sentences += 1;
                        assert!(may_state_a_figure(sentence), "{sentence}");
                    }
                }
            }
        }
        assert!(sentences > 100, "only {sentences} sentences with figures");
    }

    #[test]
    fn reads_problems_before_aspects_tasks_done_and_skips_plans() {
        let got = reported(&["巡察组反馈问题共4个方面26个，细化为81项整改任务。"]);
        assert_eq!(got.aspects_total, Some(4));
        assert_eq!(got.problems_total, Some(26));
        let got = reported(&["细化形成整改任务139项，已完成118项，建章立制38项。"]);
        assert_eq!(got.measures_total, Some(139));
        assert_eq!(got.measures_completed, Some(118));
        let got = reported(&["下一步，将对长期任务实行清单管理，计划再修订制度10项。"]);
        assert_eq!(got.rules_made, None);
    }

    #[test]
    fn reads_more_phrasings_of_totals_rules_and_people() {
        let got = reported(&["巡察组共反馈4个方面问题18个，制定具体措施61条。"]);
        assert_eq!((got.aspects_total, got.problems_total), (Some(4), Some(18)));
        assert_eq!(got.measures_total, Some(61));
        let got = reported(&["巡察反馈问题共计3大类14个，将问题分解为整改措施46项。"]);
        assert_eq!((got.aspects_total, got.problems_total), (Some(3), Some(14)));
        assert_eq!(got.measures_total, Some(46));
        let got = reported(&[
            "制定修订《甲办法》《乙清单》《丙细则》等制度15项，对4名责任人员进行了问责。",
        ]);
        assert_eq!(got.rules_made, Some(15));
        assert_eq!(got.people_held_accountable, Some(4));
        let got = reported(&["建立健全制度规定164项，问责党组织4个、党员领导干部37人。"]);
        assert_eq!(got.rules_made, Some(164));
        assert_eq!(got.people_held_accountable, Some(37));
        let got = reported(&["细化整改任务88项、整改措施246条，建立整改台账。"]);
        assert_eq!(got.measures_total, Some(246));
        let got = reported(&[
            "截至目前，16个问题已整改销号11个；剩余5个问题均已明确整改时限，正在加快推进。",
        ]);
        assert_eq!(
            (got.problems_completed, got.problems_in_progress),
            (Some(11), Some(5))
        );
        let got =
            reported(&["已完成整改问题94个，未完成8个均在序时推进中。本轮共发现村级问题148个。"]);
        assert_eq!(
            (got.problems_in_progress, got.problems_total),
            (Some(8), Some(148))
        );
        let got = reported(&["已整改到位8个，整改措施完成49条。"]);
        assert_eq!(got.measures_completed, Some(49));
        let got = reported(&["对违反规定的6名医务人员分别给予通报批评、扣发绩效等处理。"]);
        assert_eq!(got.people_held_accountable, Some(6));
    }

    #[test]
    fn reads_stage_results_clauses_between_counts_and_other_nouns() {
        let got = reported(&["截至6月底，21个问题中已整改到位15个、阶段性完成6个。"]);
        assert_eq!(
            (got.problems_completed, got.problems_in_progress),
            (Some(15), Some(6))
        );
        let got = reported(&["截至目前，已完成整改9个、基本完成3个、需长期坚持2个。"]);
        assert_eq!(
            (got.problems_in_progress, got.problems_long_term),
            (Some(3), Some(2))
        );
        let got = reported(&[
            "巡察反馈涉及四个方面，共指出问题二十三个。已整改完成20个，剩余3个正在加紧推进。",
        ]);
        assert_eq!((got.aspects_total, got.problems_total), (Some(4), Some(23)));
        assert_eq!(got.problems_in_progress, Some(3));
        let got = reported(&["出台修订制度办法31项，对违规人员问责，问责干部职工47人。"]);
        assert_eq!(got.rules_made, Some(31));
        assert_eq!(got.people_held_accountable, Some(47));
        let got = reported(&["本轮巡察共反馈问题154个，已整改149个，整改率96.8%。"]);
        assert_eq!(
            (got.problems_total, got.problems_completed),
            (Some(154), Some(149))
        );
        // 已整改 alone, away from the problem total, names work done.
        let got = reported(&["排查隐患点位40处，已整改36个。"]);
        assert_eq!(got.problems_completed, None);
    }

    #[test]
    fn reads_the_usual_statements() {
        let got = reported(&[
            "将反馈的三个方面十六个问题细化为八十三条整改措施，建立完善12项制度，问责3人，追缴资金1.5万元。",
            "截至目前，已完成整改5个，83条整改措施已完成67条。共计11个问题正在整改过程中。",
        ]);
        assert_eq!(got.aspects_total, Some(3));
        assert_eq!(got.problems_total, Some(16));
        assert_eq!(got.measures_total, Some(83));
        assert_eq!(got.measures_completed, Some(67));
        assert_eq!(got.problems_completed, Some(5));
        assert_eq!(got.problems_in_progress, Some(11));
        assert_eq!(got.rules_made, Some(12));
        assert_eq!(got.people_held_accountable, Some(3));
        assert_eq!(got.money_recovered_yuan, Some(15000.0));
        let got = reported(&[
            "细化为62项整改任务，已整改到位5个，正在整改4个（其中需长期坚持2个）。",
            "反馈的5个问题已完成整改3个，其余2个正在推进。",
        ]);
        assert_eq!(got.measures_total, Some(62));
        assert_eq!(got.problems_in_progress, Some(4));
        let got = reported(&["给予党纪政务处分46人、组织处理73人，246条整改措施完成218条。"]);
        assert_eq!(got.people_held_accountable, Some(119));
        assert_eq!(got.measures_total, Some(246));
        assert_eq!(got.measures_completed, Some(218));
        let got = reported(&["反馈的5个问题已完成整改3个，其余2个正在推进。"]);
        assert_eq!(got.problems_in_progress, Some(2));
    }
}
