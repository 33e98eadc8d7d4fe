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

static ENTRY: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?s)<(?:url|sitemap)\b[^>]*>(.*?)</(?:url|sitemap)>")
        .expect("the entry pattern is a valid regex")
});

static LOC: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?s)<loc>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</loc>")
        .expect("the loc pattern is a valid regex")
});

static LASTMOD: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?s)<lastmod>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</lastmod>")
        .expect("the lastmod pattern is a valid regex")
});

/// One `<url>` of a sitemap, or one `<sitemap>` of a sitemap index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    /// The URL.
    pub loc: String,
    /// Its `<lastmod>` as written (a W3C datetime), if any.
    pub lastmod: Option<String>,
}

/// A parsed sitemap (sitemaps.org protocol 0.9): its entries, and whether it is an index of
/// further sitemaps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// True for a `<sitemapindex>`.
    pub is_index: bool,
    /// The entries, in document order.
    pub entries: Vec<SitemapEntry>,
}

/// Parses a sitemap: XML `<urlset>` or `<sitemapindex>`, or the protocol's plain-text form (one
/// URL per line).
pub fn parse_sitemap(text: &str) -> Sitemap {
    let is_index = text.contains("<sitemapindex");
    let field = |re: &regex::Regex, block: &str| {
        re.captures(block)
            .and_then(|c| c.get(1))
            .map(|m| unescape(m.as_str().trim()))
    };
    let mut entries: Vec<SitemapEntry> = ENTRY
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter_map(|block| {
            Some(SitemapEntry {
                loc: field(&LOC, block.as_str())?,
                lastmod: field(&LASTMOD, block.as_str()),
            })
        })
        .collect();
    if entries.is_empty() {
        // Bare <loc> elements outside <url>, as some generators write them.
        entries = LOC
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| SitemapEntry {
                loc: unescape(m.as_str().trim()),
                lastmod: None,
            })
            .collect();
    }
    if entries.is_empty() && !text.contains('<') {
        entries = text
            .lines()
            .map(str::trim)
            .filter(|line| line.starts_with("http://") || line.starts_with("https://"))
            .map(|line| SitemapEntry {
                loc: line.to_owned(),
                lastmod: None,
            })
            .collect();
    }
    Sitemap { is_index, entries }
}

/// The five predefined XML entities, which sitemaps must use in URLs.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// A sitemap `<lastmod>` (a W3C datetime: `YYYY-MM-DD`, or with `Thh:mm[:ss[.s]]` and a zone
/// designator) as milliseconds since the epoch. A time without a zone, and a date alone, are
/// read in `tz`; a date alone stands for the end of that day, so that a page changed later the
/// same day is never taken for unchanged.
pub fn lastmod_ms(value: &str, tz: chrono_tz::Tz) -> Option<i64> {
    use chrono::{FixedOffset, NaiveDate, NaiveTime, TimeZone as _};
    let value = value.trim();
    let date = NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()?;
    let rest = value.get(10..)?;
    let Some(time) = rest.strip_prefix('T') else {
        if !rest.is_empty() {
            return None;
        }
        let next_day = date.succ_opt()?.and_hms_opt(0, 0, 0)?;
        return Some(
            tz.from_local_datetime(&next_day)
                .earliest()?
                .timestamp_millis(),
        );
    };
    // The zone designator: Z, +hh:mm or -hh:mm after the time, or none.
    let (clock, offset) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => (time.get(..at)?, Some(time.get(at..)?)),
        None => (time, None),
    };
    let clock = NaiveTime::parse_from_str(clock, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(clock, "%H:%M"))
        .ok()?;
    let local = date.and_time(clock);
    let instant = match offset {
        None => tz
            .from_local_datetime(&local)
            .earliest()?
            .timestamp_millis(),
        Some("Z" | "z") => local.and_utc().timestamp_millis(),
        Some(designator) => {
            let sign = if designator.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = designator.get(1..)?.split_once(':')?;
            let seconds = hours.parse::<i32>().ok()? * 3600 + minutes.parse::<i32>().ok()? * 60;
            FixedOffset::east_opt(sign * seconds)?
                .from_local_datetime(&local)
                .single()?
                .timestamp_millis()
        }
    };
    Some(instant)
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
                   <url><loc><![CDATA[http://a/2]]></loc><lastmod>2024-05-01</lastmod></url></urlset>";
        let entry = |loc: &str, lastmod: Option<&str>| SitemapEntry {
            loc: loc.into(),
            lastmod: lastmod.map(String::from),
        };
        assert_eq!(
            parse_sitemap(xml),
            Sitemap {
                is_index: false,
                entries: vec![
                    entry("http://a/1?x=1&y=2", None),
                    entry("http://a/2", Some("2024-05-01"))
                ]
            }
        );
        assert!(
            parse_sitemap("<sitemapindex><sitemap><loc>http://a/s.xml</loc></sitemap>").is_index
        );
        assert_eq!(
            parse_sitemap("http://a/1\nnot a url\n https://a/2 \n").entries,
            [entry("http://a/1", None), entry("https://a/2", None)]
        );
    }

    #[test]
    fn lastmod_is_read_as_a_w3c_datetime() {
        let tz = chrono_tz::Asia::Shanghai;
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("valid")
                .timestamp_millis()
        };
        assert_eq!(
            lastmod_ms("2024-05-01T10:30:00Z", tz),
            Some(at("2024-05-01T10:30:00Z"))
        );
        assert_eq!(
            lastmod_ms("2024-05-01T10:30+08:00", tz),
            Some(at("2024-05-01T02:30:00Z"))
        );
        assert_eq!(
            lastmod_ms("2024-05-01T10:30:15.5-05:00", tz),
            Some(at("2024-05-01T15:30:15.5Z"))
        );
        // No zone: the source's.
        assert_eq!(
            lastmod_ms("2024-05-01T08:00:00", tz),
            Some(at("2024-05-01T00:00:00Z"))
        );
        // A date alone: the end of that day in the source's zone.
        assert_eq!(
            lastmod_ms("2024-05-01", tz),
            Some(at("2024-05-01T16:00:00Z"))
        );
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-05-01X",
            "2024-05-01T25:00Z",
        ] {
            assert_eq!(lastmod_ms(bad, tz), None, "{bad:?}");
        }
    }
}
