//! The issuing organisation: its full name (中共…委员会 / 中共…党组 / 中共…工委) and the other
//! names the notice uses for it (党工委, 区委, 党组, abbreviations such as 某某经开区 or 市某某办,
//! and 以下简称 definitions). Anonymised names (XX for the place, D for 党) are kept as printed.

use super::signature::PARTY_PREFIXES;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// 中共…(工作委员会|委员会|工委|党组|党委): a party organisation's full name, D standing for 党.
static FULL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:中共|中国共产党)[\p{Han}A-Za-z×＊*·]{2,40}?(?:工作委员会|委员会|[党D]工委|工委|[党D]组|[党D]委)",
    )
    .expect("the organisation pattern is a valid regex")
});

/// （以下简称X） / （简称X）: an abbreviation the notice defines.
static DEFINED_SHORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]\s*(?:以下)?简称\s*[“\x22]?([^）)”\x22，,]{2,20})[”\x22]?\s*[）)]")
        .expect("the abbreviation pattern is a valid regex")
});

/// Name endings, longest first, and the short designation each is called by:
/// a working committee (工作委员会, 工委) is 党工委; a leading party group stays 党组.
const DESIGNATIONS: [(&str, &str); 9] = [
    ("工作委员会", "党工委"),
    ("党工委", "党工委"),
    ("D工委", "D工委"),
    ("工委", "党工委"),
    ("委员会", "委"),
    ("党组", "党组"),
    ("D组", "D组"),
    ("党委", "党委"),
    ("D委", "D委"),
];

/// Place levels that make `X委员会` a territorial committee called `X委` (区委, 县委).
const PLACE_LEVELS: [char; 7] = ['区', '县', '市', '省', '州', '旗', '镇'];

/// Name endings that abbreviations of an organisation's unit commonly keep (开发区, 经开区, 办).
const SHORT_ENDINGS: [&str; 6] = ["经开区", "开发区", "高新区", "新区", "办", "园区"];

/// Characters too generic to make an abbreviation distinctive.
const GENERIC: &str = "中共党D工委组区县市省经济技术开发新高办公室";

/// Bigram Jaccard similarity of two names (党 and D equal), 0.0–1.0.
pub(crate) fn similarity(a: &str, b: &str) -> f64 {
    let norm = |s: &str| -> Vec<char> {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == '党' { 'D' } else { c })
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    let grams =
        |v: &[char]| -> HashSet<(char, char)> { v.windows(2).map(|w| (w[0], w[1])).collect() };
    let (ga, gb) = (grams(&a), grams(&b));
    let union = ga.union(&gb).count();
    if union == 0 {
        return if a == b && !a.is_empty() { 1.0 } else { 0.0 };
    }
    ga.intersection(&gb).count() as f64 / union as f64
}

/// `对区文化旅游局党组开展了巡察`: the inspected body as an opening paragraph names it.
static INSPECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"对([\p{Han}A-Za-z]{2,30}?(?:工作委员会|委员会|[党D]工委|[党D]组|[党D]委|[党D]总支|[党D]支部))(?:开展|进行|实施)",
    )
    .expect("the inspected-body pattern is a valid regex")
});

/// The body an opening paragraph says was inspected (区文化旅游局党组), for a notice that
/// names its organisation nowhere else.
pub(crate) fn inspected_body(opening: &str) -> Option<&str> {
    INSPECTED
        .captures(opening)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// `向甲市委反馈` / `向区卫生健康局党组反馈了巡察意见`: the committee the findings were fed back
/// to, which is the rectifying organisation. The name ends in a committee's designation; a
/// 领导班子 or 主要负责人 after it (向某局党组主要负责同志反馈) is not part of it.
static FED_BACK_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"向((?:中共|中国共产党)?[\p{Han}A-Za-z×＊*·]{1,30}?(?:工作委员会|委员会|[党D]工委|[党D]组|[党D]委|[党D]总支|[党D]支部|[省市区县州旗盟镇乡]委))(?:领导班子|主要负责(?:同志|人)|班子成员)?(?:及其?[^，。；反]{0,12})?(?:进行了?|作了|集中|正式|分别)?反馈",
    )
    .expect("the fed-back-to pattern is a valid regex")
});

/// The organisation an opening says the findings were fed back to (向甲市委反馈).
pub(crate) fn fed_back_to(opening: &str) -> Option<&str> {
    FED_BACK_TO
        .captures(opening)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str())
}

/// Generic heads a notice calls its own unit by (向学校党委反馈, 向公司党委反馈): with the same
/// designation they stand for whatever unit the title or the signature names.
const GENERIC_HEADS: [&str; 9] = [
    "集团公司",
    "集团",
    "公司",
    "学校",
    "医院",
    "银行",
    "本局",
    "单位",
    "机关",
];

/// True when `short` is a shorter form of `full` with the same designation: its characters
/// appear in `full` in order (集团公司党组 of 中国某某能源集团有限公司党组, 某某银行党委 of
/// 中国某某发展银行党委; 党 and D equal), or it is a generic head (学校党委 of 某某大学党委), and
/// both end in the same two characters.
pub(crate) fn abbreviates(short: &str, full: &str) -> bool {
    let full_chars: Vec<char> = full.chars().collect();
    let short_chars: Vec<char> = short.chars().collect();
    let ending = |v: &[char]| -> Option<[char; 2]> {
        let n = v.len();
        (n >= 2).then(|| [v[n - 2], v[n - 1]].map(|c| if c == 'D' { '党' } else { c }))
    };
    short_chars.len() < full_chars.len()
        && ending(&short_chars).is_some_and(|e| Some(e) == ending(&full_chars))
        && (is_subsequence(short_chars.iter(), &full_chars)
            || short_chars
                .get(..short_chars.len() - 2)
                .is_some_and(|head| {
                    GENERIC_HEADS
                        .iter()
                        .any(|g| g.chars().eq(head.iter().copied()))
                }))
}

/// The full name that `text` abbreviates as `short` (中共某市某区委员会（以下简称某区委）): an
/// opening often feeds back to the abbreviation it has just defined, and the organisation is
/// the name the definition stands for.
pub(crate) fn defined_as<'t>(text: &'t str, short: &str) -> Option<&'t str> {
    DEFINED_SHORT
        .captures_iter(text)
        .filter(|c| c.get(1).is_some_and(|m| m.as_str().trim() == short))
        .find_map(|c| {
            let start = c.get(0)?.start();
            let before = text.get(..start)?;
            FULL_NAME
                .find_iter(before)
                .filter(|m| m.end() == start)
                .last()
                .map(|m| m.as_str())
        })
}

/// The first full party-organisation name in `text`.
pub(crate) fn find_full_name(text: &str) -> Option<&str> {
    FULL_NAME.find(text).map(|m| m.as_str())
}

/// [`FULL_NAME`] anchored at both ends, so that a name with a committee inside it
/// (中共某区卫生健康委员会党组) is whole; a title's issuer may also be a committee's short
/// form (中共某省委).
static WHOLE_FULL_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:中共|中国共产党)[\p{Han}A-Za-z×＊*·]{2,40}?(?:工作委员会|委员会|[党D]工委|工委|[党D]组|[党D]委)$",
    )
    .expect("the whole-name pattern is a valid regex")
});

/// True when the whole of `name` is a full party-organisation name.
pub(crate) fn is_full_name(name: &str) -> bool {
    WHOLE_FULL_NAME.is_match(name)
}

/// The name without its party prefix and its designation, and the designation's short form.
fn split_name(full: &str) -> (&str, Option<&'static str>) {
    let mut base = full;
    for prefix in PARTY_PREFIXES {
        if let Some(rest) = base.strip_prefix(prefix) {
            base = rest;
            break;
        }
    }
    for (ending, short) in DESIGNATIONS {
        if let Some(rest) = base.strip_suffix(ending)
            && rest.chars().count() >= 2
        {
            return (rest, Some(short));
        }
    }
    (base, None)
}

/// The name without its province and city: 甲省乙市丙湖经济开发区 → 丙湖经济开发区,
/// 东川市市场监督管理局 → 市场监督管理局; 青禾市委… keeps its city (市委 is the committee).
fn local_name(base: &str) -> &str {
    let mut local = base;
    for level in ['省', '市'] {
        let cut = local
            .char_indices()
            .skip(1)
            .take(3)
            .find(|&(_, c)| c == level)
            .map(|(i, c)| i + c.len_utf8());
        if let Some(cut) = cut
            && local[cut..].chars().count() >= 3
            && !local[cut..].starts_with('委')
        {
            local = &local[cut..];
        }
    }
    local
}

/// Other names `text` uses for the organisation `full`, in a stable order, without `full`.
pub(crate) fn aliases(full: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |s: &str, out: &mut Vec<String>| {
        let s = s.trim();
        if s.chars().count() >= 2 && s != full && !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    };
    for caps in DEFINED_SHORT.captures_iter(text) {
        if let Some(m) = caps.get(1) {
            push(m.as_str(), &mut out);
        }
    }
    let (base, designation) = split_name(full);
    let local = local_name(base);
    match designation {
        Some("委") if base.ends_with(PLACE_LEVELS) => push(&format!("{local}委"), &mut out),
        Some("委") => push(&format!("{local}党委"), &mut out),
        Some(short) => push(&format!("{local}{short}"), &mut out),
        None => {}
    }
    push(base, &mut out);
    if local != base {
        push(local, &mut out);
    }
    let mut endings: Vec<&str> = SHORT_ENDINGS.to_vec();
    if let Some(short) = designation.filter(|s| s.chars().count() > 1) {
        endings.push(short);
    }
    for ending in endings {
        for found in abbreviations(text, ending, base) {
            push(&found, &mut out);
        }
    }
    out.truncate(8);
    out
}

/// Printed abbreviations of `base` ending in `ending`: the longest run of characters before each
/// occurrence that is a subsequence of `base` (某某经开区 of 某某经济开发区) and distinctive.
fn abbreviations(text: &str, ending: &str, base: &str) -> Vec<String> {
    let base_chars: Vec<char> = base.chars().collect();
    let mut found: Vec<String> = Vec::new();
    // Every candidate ends with the character just before the ending, so an occurrence whose
    // neighbour is not in `base` has none (common endings like 办 are mostly such).
    let in_base = |c: char| {
        base_chars
            .iter()
            .any(|&h| h == c || (h == '党' && c == 'D'))
    };
    // memchr's SIMD substring search: this scans the whole notice once per ending.
    for at in memchr::memmem::find_iter(text.as_bytes(), ending.as_bytes()).take(MAX_OCCURRENCES) {
        if !text[..at].chars().next_back().is_some_and(in_base) {
            continue;
        }
        let before: Vec<char> = text[..at]
            .chars()
            .rev()
            .take(12)
            .take_while(|c| is_name_char(*c))
            .collect();
        // `before` runs backwards from the ending; try the longest run first.
        let best = (2..=before.len()).rev().find(|&n| {
            let name = &before[..n];
            is_subsequence(name.iter().rev(), &base_chars)
                && name.iter().any(|c| !GENERIC.contains(*c))
        });
        if let Some(n) = best {
            let cand: String = before[..n].iter().rev().collect::<String>() + ending;
            if !found.contains(&cand) {
                found.push(cand);
            }
        }
        if found.len() >= 3 {
            break;
        }
    }
    found
}

/// How many occurrences of an ending are examined (common endings like 办 recur in every line).
const MAX_OCCURRENCES: usize = 64;

/// Characters a name is made of: Han characters and the anonymising X/D.
fn is_name_char(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || matches!(c, 'X' | 'D' | '×')
}

/// True when `needle` appears in `hay` in order (not necessarily contiguous).
fn is_subsequence<'a>(mut needle: impl Iterator<Item = &'a char>, hay: &[char]) -> bool {
    let mut it = hay.iter();
    needle.all(|c| it.any(|h| h == c || (*h == '党' && *c == 'D')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_designations_and_abbreviations() {
        let text = "下一步，某某经开区党工委将继续推进。某某经济开发区党工委";
        let got = aliases("中共某某经济开发区工作委员会", text);
        assert!(got.contains(&"某某经济开发区党工委".to_owned()), "{got:?}");
        assert!(got.contains(&"某某经开区".to_owned()), "{got:?}");
        let got = aliases("中共甲省乙市丙山区委员会", "");
        assert!(got.contains(&"丙山区委".to_owned()), "{got:?}");
    }

    #[test]
    fn expands_a_defined_abbreviation() {
        let text =
            "对中共甲省乙市丙区工作委员会（以下简称丙区党工委）进行了巡察。随后向丙区党工委反馈";
        assert_eq!(
            defined_as(text, "丙区党工委"),
            Some("中共甲省乙市丙区工作委员会")
        );
        assert_eq!(defined_as(text, "丁区党工委"), None);
        assert_eq!(defined_as("向丙区党工委反馈", "丙区党工委"), None);
    }

    #[test]
    fn finds_full_names() {
        assert_eq!(
            find_full_name("对中共某市某区委员会（以下简称某区委）进行"),
            Some("中共某市某区委员会")
        );
        assert!(is_full_name("中共某某经济开发区工委"));
        assert!(similarity("某某D工委", "某某党工委") > 0.99);
        assert!(abbreviates("集团公司党组", "中国某某能源集团有限公司党组"));
        assert!(abbreviates("甲乙银行党委", "中国甲乙发展银行党委"));
        assert!(abbreviates("学校党委", "甲乙理工学院党委"));
        assert!(!abbreviates("学校党委", "甲乙理工学院党组"));
        assert!(!abbreviates("甲县委", "中共甲县纪委"));
        assert!(!abbreviates("集团公司党组", "集团公司党组"));
        assert_eq!(
            fed_back_to("6月16日，省委巡视组向乙州市委反馈了巡视意见。"),
            Some("乙州市委")
        );
        assert_eq!(
            fed_back_to("并向区教育局党组主要负责同志反馈了意见"),
            Some("区教育局党组")
        );
    }
}
