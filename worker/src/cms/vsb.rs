//! 博达 VSB (Visual SiteBuilder) static lists. A column's first page is `tzgg.htm` (or
//! `index.htm`); the older pages live in a directory of the same name and are numbered
//! backwards, so that a page keeps its URL as new articles arrive: with N pages they are
//! `tzgg/N-1.htm` (the second page) down to `tzgg/1.htm` (the last). The pager states N as
//! `共N页` or `1/N`, or in a `PageCount` field of its jump form; articles are `/info/{col}/{id}.htm`.

use std::sync::LazyLock;
use url::Url;

/// 共N页, "N pages in all".
const PAGES_TOTAL: &str = r"共\s*(\d+)\s*页";
/// Pages a pager may claim; beyond this the number is noise.
const MAX_TOTAL: u64 = 100_000;

static TOTAL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(&format!(
        r#"{PAGES_TOTAL}|(?i)PageCount["']?\s*(?:[:=]|value\s*=)\s*["']?(\d+)|name\s*=\s*["']?PageCount["']?[^>]*?value\s*=\s*["']?(\d+)|&nbsp;\s*\d+\s*/\s*(\d+)\s*&nbsp;"#
    ))
    .expect("the page-count pattern is valid")
});
static ARTICLE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"/info/\d+/\d+\.htm").expect("the article pattern is valid")
});
/// Markers VSB leaves in its pages: the generator comment, its pager classes, its scripts.
const MARKERS: &[&str] = &[
    "Visual SiteBuilder",
    "p_pages",
    "_sitegray",
    "vsbscreen",
    "VsbObj",
];

/// The backward-numbered list pages of a VSB column, newest first (`N-1` down to `1`), the
/// current page left out, at most `max_pages`; `None` when the page shows no VSB pager. With
/// `forced` (the source says `cms = "vsb"`), a stated page count is enough; otherwise the page
/// must also look like VSB (a pager link into the column's directory, an `/info/` article
/// link or a VSB marker).
pub fn list_pages(text: &str, base: &Url, max_pages: usize, forced: bool) -> Option<Vec<Url>> {
    let dir = column_dir(base)?;
    let numbered: Vec<u64> = super::hrefs(text, base)
        .iter()
        .filter_map(|u| page_number(&dir, u))
        .collect();
    let stated = TOTAL
        .captures_iter(text)
        .filter_map(|c| (1..=4).find_map(|i| c.get(i)))
        .find_map(|m| m.as_str().parse::<u64>().ok())
        .filter(|&n| n > 0 && n <= MAX_TOTAL);
    let looks_vsb =
        !numbered.is_empty() || ARTICLE.is_match(text) || MARKERS.iter().any(|m| text.contains(m));
    if !forced && !looks_vsb {
        return None;
    }
    // N-1 is the highest numbered page; a pager that states no count still links to it.
    let highest = match (stated, numbered.iter().max()) {
        (Some(total), _) => total.saturating_sub(1),
        (None, Some(&max)) if max <= MAX_TOTAL => max,
        (None, Some(_) | None) => return None,
    };
    if highest == 0 {
        return None;
    }
    let current = page_number(&dir, base);
    Some(
        (1..=highest)
            .rev()
            .filter(|&n| Some(n) != current)
            .take(max_pages)
            .filter_map(|n| dir.join(&format!("{n}.htm")).ok())
            .collect(),
    )
}

/// The directory of the column's numbered pages: `…/tzgg/` for `…/tzgg.htm` and for
/// `…/tzgg/7.htm`.
fn column_dir(base: &Url) -> Option<Url> {
    let path = base.path();
    let file = path.rsplit('/').next()?;
    let stem = file
        .strip_suffix(".htm")
        .or_else(|| file.strip_suffix(".html"))?;
    if stem.is_empty() {
        return None;
    }
    if stem.bytes().all(|b| b.is_ascii_digit()) {
        return base.join("./").ok();
    }
    base.join(&format!("{stem}/")).ok()
}

/// N of a link to `dir/N.htm`.
fn page_number(dir: &Url, url: &Url) -> Option<u64> {
    if url.origin() != dir.origin() || url.query().is_some() {
        return None;
    }
    let rest = url.path().strip_prefix(dir.path())?;
    rest.strip_suffix(".htm")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::urls;

    const PAGER: &str = r#"<ul><li><a href="info/1021/5501.htm">通报</a></li></ul>
<table><tr><td id="fanye">共52条&nbsp;&nbsp;1/4&nbsp;</td><td>
<span class="p_pages"><span class="p_first_d">首页</span><span class="p_no_d">1</span>
<span class="p_no"><a href="tzgg/3.htm">2</a></span><span class="p_next"><a href="tzgg/3.htm">下页</a></span>
<span class="p_last"><a href="tzgg/1.htm">尾页</a></span></span></td></tr></table>"#;

    #[test]
    fn first_page_names_the_older_pages_newest_first() {
        let base = Url::parse("http://u.example/jjjc/tzgg.htm").expect("url");
        assert_eq!(
            urls(list_pages(PAGER, &base, 10, false)),
            [
                "http://u.example/jjjc/tzgg/3.htm",
                "http://u.example/jjjc/tzgg/2.htm",
                "http://u.example/jjjc/tzgg/1.htm"
            ]
        );
        assert_eq!(urls(list_pages(PAGER, &base, 1, false)).len(), 1);
    }

    #[test]
    fn a_numbered_page_and_the_page_count_form() {
        let base = Url::parse("http://u.example/index/2.htm").expect("url");
        let page = r#"<form name="a3f" method="get"><input type="hidden" name="PageCount" value="4">
            <a href="3.htm">上页</a><a href="1.htm">下页</a></form>"#;
        assert_eq!(
            urls(list_pages(page, &base, 10, false)),
            [
                "http://u.example/index/3.htm",
                "http://u.example/index/1.htm"
            ]
        );
        // 共N页 alone is enough when the source says the site is VSB.
        let bare = "<div>共3页</div>";
        let first = Url::parse("http://u.example/index.htm").expect("url");
        assert_eq!(list_pages(bare, &first, 10, false), None);
        assert_eq!(
            urls(list_pages(bare, &first, 10, true)),
            [
                "http://u.example/index/2.htm",
                "http://u.example/index/1.htm"
            ]
        );
    }

    #[test]
    fn other_pages_are_not_vsb_lists() {
        let base = Url::parse("http://u.example/col/index.html").expect("url");
        assert_eq!(
            list_pages("<a href='index_1.html'>下一页</a>", &base, 10, false),
            None
        );
        let dir = Url::parse("http://u.example/col/").expect("url");
        assert_eq!(list_pages(PAGER, &dir, 10, true), None);
        // A single page: nothing further.
        let one = Url::parse("http://u.example/tzgg.htm").expect("url");
        assert_eq!(
            list_pages("共1页 <!--Visual SiteBuilder-->", &one, 10, false),
            None
        );
    }
}
