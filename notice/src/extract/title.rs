//! The article title. The `<title>` element carries the site name (`标题 _ 万载县人民政府`,
//! `万载县人民政府 | 标题`, `标题--文化--人民网`), so the on-page headline that matches one of
//! its segments is preferred; then the `ArticleTitle`/`og:title` meta tags that TRS and WeChat
//! fill in; then the longest `<title>` segment; then the first `<h1>`.

use crate::clean::shape::{compact, is_space};
use scraper::{ElementRef, Html, Selector};
use std::sync::LazyLock;

/// Separators between the article title and the site or column names in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[
    " _ ", "__", "_", " | ", "|", "｜", " - ", " -- ", "--", " — ", "——", "－－", " – ",
];

/// Longest site or column name that a bare hyphen may separate from the title.
const MAX_SUFFIX_CHARS: usize = 8;

/// Longest plausible headline, in characters.
const MAX_TITLE_CHARS: usize = 150;

/// Shortest segment or headline that may match the other by containment.
pub(crate) const MIN_MATCH_CHARS: usize = 6;

static TITLE: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("title").expect("constant selector is valid"));

/// Headings and title-named elements, in document order.
static HEADLINES: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        "h1, h2, h3, [class*=title], [class*=Title], [id*=title], [id*=Title], [class*=biaoti], \
         [class*=headline], #activity-name",
    )
    .expect("constant selector is valid")
});

/// Title meta tags: TRS's ArticleTitle, Open Graph, Twitter.
static META_TITLE: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        "meta[name=ArticleTitle], meta[name=articletitle], meta[property='og:title'], \
         meta[name='twitter:title']",
    )
    .expect("constant selector is valid")
});

/// Text of an element with whitespace collapsed. Reading stops a little past the longest
/// plausible headline: nested title-named elements would otherwise each read the whole page.
fn collapsed(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for c in el.text().flat_map(str::chars).take(MAX_TITLE_CHARS * 4) {
        if is_space(c) {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_end().to_owned()
}

/// The segments of a `<title>` text, split at the separators sites put before their name.
fn segments(title: &str) -> Vec<String> {
    let mut parts = vec![title.to_owned()];
    for sep in TITLE_SEPARATORS {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep))
            .map(|p| p.trim_matches(is_space).to_owned())
            .filter(|p| !p.is_empty())
            .collect();
    }
    // `标题-纪检`: a bare hyphen before a short column or site name (a hyphen inside a title,
    // as in `1-10月`, is followed by more than a few characters).
    if let Some(last) = parts.last_mut()
        && let Some((head, tail)) = last.rsplit_once('-')
        && (1..=MAX_SUFFIX_CHARS).contains(&tail.chars().count())
        && !tail.chars().any(|c| c.is_ascii_digit())
        && head.chars().count() > tail.chars().count()
    {
        let (head, tail) = (head.trim().to_owned(), tail.trim().to_owned());
        *last = head;
        parts.push(tail);
    }
    parts
}

/// A title and whether the page confirmed it (a headline matching `<title>`, or a title meta
/// tag) rather than it being only the longest `<title>` segment.
#[derive(Debug)]
pub(crate) struct TitleGuess {
    /// The title text.
    pub(crate) text: String,
    /// True when confirmed by a headline or meta tag.
    pub(crate) confirmed: bool,
    /// The `<title>` segments, for matching against the rendered page when unconfirmed.
    pub(crate) segments: Vec<String>,
}

/// The text parts of a title meta tag whose content carries markup or line breaks (TRS fills
/// `ArticleTitle` from the editor's rich title: `主标题<div>——副题</div>`, `引题<br>主标题`).
fn meta_parts(content: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut in_tag = false;
    let mut part = String::new();
    for c in content.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '\n' | '\r' if !in_tag => {}
            _ if in_tag => continue,
            _ => {
                part.push(c);
                continue;
            }
        }
        let text = part.trim_matches(is_space).to_owned();
        if !text.is_empty() {
            parts.push(text);
        }
        part.clear();
    }
    let text = part.trim_matches(is_space).to_owned();
    if !text.is_empty() {
        parts.push(text);
    }
    parts
}

/// Chooses the title of `page`.
pub(crate) fn find_title(page: &Html) -> Option<TitleGuess> {
    let title_tag = page
        .select(&TITLE)
        .next()
        .map(collapsed)
        .unwrap_or_default();
    let segments = segments(&title_tag);
    let confirmed = |text: String| TitleGuess {
        text,
        confirmed: true,
        segments: segments.clone(),
    };
    let keys: Vec<String> = segments.iter().map(|s| compact(s)).collect();
    let mut contained: Option<String> = None;
    for el in page.select(&HEADLINES) {
        let text = collapsed(el);
        let n = text.chars().count();
        if !(2..=MAX_TITLE_CHARS).contains(&n) {
            continue;
        }
        let key = compact(&strip_footnote(&text));
        for seg in &keys {
            if *seg == key {
                return Some(confirmed(strip_footnote(&text)));
            }
            let long = |s: &str| s.chars().count() >= MIN_MATCH_CHARS;
            if contained.is_none()
                && long(seg)
                && long(&key)
                && (key.contains(seg.as_str()) || seg.contains(key.as_str()))
            {
                contained = Some(strip_footnote(&text));
            }
        }
    }
    if let Some(text) = contained {
        return Some(confirmed(text));
    }
    let meta = page
        .select(&META_TITLE)
        .filter_map(|m| m.value().attr("content"))
        .map(meta_parts)
        .find(|parts| {
            let n: usize = parts.iter().map(|p| p.chars().count()).sum();
            (1..=MAX_TITLE_CHARS).contains(&n)
        });
    if let Some(parts) = meta {
        return Some(confirmed(title_from_meta(page, &parts, &segments)));
    }
    let text = segments
        .iter()
        .max_by_key(|s| s.chars().count())
        .filter(|s| s.chars().count() <= MAX_TITLE_CHARS)?
        .clone();
    Some(TitleGuess {
        text,
        confirmed: false,
        segments,
    })
}

/// The title a meta tag names. A plain tag is taken as it is. One in parts (markup or line
/// breaks inside) is read through the page: the `<title>` segment that equals the parts joined
/// (a subtitle `<div>` inside), else the headline element that equals one part (the main title
/// under a kicker line), else the parts joined.
fn title_from_meta(page: &Html, parts: &[String], segments: &[String]) -> String {
    let joined: String = parts.concat();
    if parts.len() == 1 {
        return joined;
    }
    let key = compact(&joined);
    if let Some(segment) = segments.iter().find(|s| compact(s) == key) {
        return segment.clone();
    }
    let part_keys: Vec<String> = parts.iter().map(|p| compact(p)).collect();
    // The main title is set larger than a kicker above it or a subtitle below it: prefer the
    // highest heading level, then the longer text.
    let headline = page
        .select(&HEADLINES)
        .filter_map(|el| {
            let text = collapsed(el);
            let k = compact(&text);
            (k.chars().count() >= MIN_MATCH_CHARS && part_keys.contains(&k)).then(|| {
                (
                    heading_rank(el.value().name()),
                    std::cmp::Reverse(k.len()),
                    text,
                )
            })
        })
        .min()
        .map(|(_, _, text)| text);
    headline.unwrap_or(joined)
}

/// The level of a heading element (`h1` first); other title-named elements come last.
fn heading_rank(name: &str) -> u8 {
    match name {
        "h1" => 1,
        "h2" => 2,
        "h3" => 3,
        _ => 4,
    }
}

/// Drops a trailing footnote mark such as `[1]` from a headline.
fn strip_footnote(text: &str) -> String {
    let trimmed = text.trim_end();
    if let Some(open) = trimmed.rfind('[')
        && trimmed.ends_with(']')
        && trimmed[open + 1..trimmed.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
        && open > 0
    {
        return trimmed[..open].trim_end().to_owned();
    }
    trimmed.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_suffix_goes() {
        let page = Html::parse_document(
            "<title>某某县人民政府 | 关于巡察整改进展情况的通报</title><div class=nav><h2>栏目</h2></div>",
        );
        let found = find_title(&page).expect("a title");
        assert_eq!(found.text, "关于巡察整改进展情况的通报");
        assert!(!found.confirmed);
        let page = Html::parse_document(
            "<title>关于巡察整改的通报_某某网</title><h1>关于巡察整改的通报[1]</h1>",
        );
        let found = find_title(&page).expect("a title");
        assert_eq!(found.text, "关于巡察整改的通报");
        assert!(found.confirmed);
    }

    #[test]
    fn meta_title_with_markup_is_read_through_the_page() {
        // A subtitle inside a `<div>` of the meta tag: the `<title>` segment joins both.
        let page = Html::parse_document(
            "<title>某某县召开整改推进会——部署下一阶段任务_某某网</title>\
             <meta name=ArticleTitle content='某某县召开整改推进会<div>——部署下一阶段任务</div>'>",
        );
        let found = find_title(&page).expect("a title");
        assert_eq!(found.text, "某某县召开整改推进会——部署下一阶段任务");
        // A kicker line before the main title: the headline names the main title.
        let page = Html::parse_document(
            "<title>某某网</title><meta name=ArticleTitle content='持续深化作风建设<br>某某局通报整改进展'>\
             <h3>持续深化作风建设</h3><h1>某某局通报整改进展</h1><h4>持续深化作风建设</h4>",
        );
        let found = find_title(&page).expect("a title");
        assert_eq!(found.text, "某某局通报整改进展");
        assert_eq!(meta_parts("a\nb<i>c</i>"), ["a", "b", "c"]);
    }
}
