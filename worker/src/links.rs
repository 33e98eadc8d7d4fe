//! Notice links on a list page: anchors whose absolute URL matches the source's pattern and
//! whose text carries one of its keywords.

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
}
