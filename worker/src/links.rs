//! Links on a list page: notice links (anchors whose absolute URL matches the source's pattern
//! and whose text carries one of its keywords) and the next list page; and the `<loc>` entries
//! of sitemaps.

use scraper::{Html, Selector};
use std::sync::LazyLock;
use url::Url;

static ANCHOR: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("a[href]").expect("the anchor selector is valid CSS"));

/// Which links of a list page lead to notices.
#[derive(Debug, Clone)]
pub struct LinkFilter {
    /// Pattern the absolute URL must match.
    pub url_pattern: regex::Regex,
    /// Keywords of which the link text must contain one; empty accepts any text.
    pub keywords: Vec<String>,
}

impl LinkFilter {
    /// Absolute URLs of the notice links in `html`, resolved against `base`, in page order and
    /// without duplicates or fragments.
    pub fn notice_links(&self, html: &str, base: &Url) -> Vec<Url> {
        let page = Html::parse_document(html);
        let mut seen = std::collections::HashSet::new();
        let mut links = Vec::new();
        for anchor in page.select(&ANCHOR) {
            let Some(href) = anchor.value().attr("href") else {
                continue;
            };
            let Ok(mut url) = base.join(href.trim()) else {
                continue;
            };
            url.set_fragment(None);
            if !matches!(url.scheme(), "http" | "https") || !self.url_pattern.is_match(url.as_str())
            {
                continue;
            }
            let text: String = anchor.text().collect();
            let title = anchor.value().attr("title").unwrap_or_default();
            let relevant = self.keywords.is_empty()
                || self
                    .keywords
                    .iter()
                    .any(|k| text.contains(k.as_str()) || title.contains(k.as_str()));
            if relevant && seen.insert(url.to_string()) {
                links.push(url);
            }
        }
        links
    }
}

/// How a list page links to the next one.
#[derive(Debug, Clone, Default)]
pub struct NextLink {
    /// Link texts that mean "next page" (compared after trimming).
    pub texts: Vec<String>,
    /// A CSS selector for the link, which wins over the texts.
    pub selector: Option<Selector>,
}

impl NextLink {
    /// The next list page linked from `html`, if any.
    pub fn find(&self, html: &str, base: &Url) -> Option<Url> {
        let page = Html::parse_document(html);
        let href = match &self.selector {
            Some(selector) => page
                .select(selector)
                .find_map(|a| a.value().attr("href").map(str::to_owned)),
            None => page.select(&ANCHOR).find_map(|a| {
                let text: String = a.text().collect();
                self.texts
                    .iter()
                    .any(|t| text.trim() == t.as_str())
                    .then(|| a.value().attr("href").map(str::to_owned))
                    .flatten()
            }),
        }?;
        let mut url = base.join(href.trim()).ok()?;
        url.set_fragment(None);
        (matches!(url.scheme(), "http" | "https") && url != *base).then_some(url)
    }
}

static LOC: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?s)<loc>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</loc>")
        .expect("the loc pattern is a valid regex")
});

/// A sitemap's entries: `(is_index, locs)`; an index lists further sitemaps.
pub fn sitemap_locs(xml: &str) -> (bool, Vec<String>) {
    let is_index = xml.contains("<sitemapindex");
    let locs = LOC
        .captures_iter(xml)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().trim().replace("&amp;", "&"))
        .collect();
    (is_index, locs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_matching_notice_links_only() {
        let filter = LinkFilter {
            url_pattern: regex::Regex::new(r"/art/\d+\.html$").expect("valid"),
            keywords: vec!["整改".into()],
        };
        let base = Url::parse("http://site.example/list/index.html").expect("valid");
        let html = r#"<a href="../art/1.html">关于巡察整改进展情况的通报</a>
            <a href="/art/2.html#top">其他新闻</a>
            <a href="/art/1.html">关于巡察整改进展情况的通报</a>
            <a href="/art/3.html" title="某区整改通报">详情</a>
            <a href="javascript:void(0)">整改</a>"#;
        let links: Vec<String> = filter
            .notice_links(html, &base)
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            links,
            [
                "http://site.example/art/1.html",
                "http://site.example/art/3.html"
            ]
        );
    }

    #[test]
    fn finds_next_pages_and_sitemap_entries() {
        let base = Url::parse("http://site.example/list/index.html").expect("valid");
        let next = NextLink {
            texts: vec!["下一页".into()],
            selector: None,
        };
        let html = r#"<a href="index_1.html"> 下一页 </a>"#;
        assert_eq!(
            next.find(html, &base).map(|u| u.to_string()).as_deref(),
            Some("http://site.example/list/index_1.html")
        );
        assert_eq!(next.find("<a href='x'>尾页</a>", &base), None);
        let xml = "<urlset><url><loc> http://a/1?x=1&amp;y=2 </loc></url>\
                   <url><loc><![CDATA[http://a/2]]></loc></url></urlset>";
        assert_eq!(
            sitemap_locs(xml),
            (
                false,
                vec!["http://a/1?x=1&y=2".into(), "http://a/2".into()]
            )
        );
        assert!(sitemap_locs("<sitemapindex><sitemap><loc>http://a/s.xml</loc></sitemap>").0);
    }
}
