//! List mechanics of the CMSs that Chinese government sites run on, read from the list page
//! itself. A plain crawler sees one page of links on these sites, or none:
//!
//! - [`trs`]: TRS WCM writes its pager with a script call, `createPageHTML(total, current,
//!   "index", "html")`, so the other list pages (`index_1.html` …) are never plain links.
//! - [`hanweb`]: Hanweb (大汉) JCMS lists come from its data proxy
//!   (`/module/web/jpage/dataproxy.jsp`, answered with `<record>` CDATA items), or sit as such
//!   records in a `<script type="text/xml">` block of the page.
//! - [`vsb`]: 博达 VSB numbers its static list pages backwards (`tzgg.htm`, then `tzgg/N-1.htm`
//!   down to `tzgg/1.htm`) and states the page count (`共N页`, or a `PageCount` field).
//!
//! [`read_list`] gives what a list page adds beyond its plain anchors: further list pages and
//! markup fragments that hold list items. A source sets `cms` to force one reader; `auto`
//! (the default) runs each reader whose signature the page carries.

pub mod hanweb;
pub mod trs;
pub mod vsb;

use serde::Deserialize;
use std::sync::LazyLock;
use url::Url;

/// Which CMS list mechanics a source's list pages use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cms {
    /// Detect from each list page (the default).
    #[default]
    Auto,
    /// TRS WCM: the `createPageHTML` script pager.
    Trs,
    /// Hanweb JCMS: the data proxy and inline XML records.
    Hanweb,
    /// 博达 VSB: backward-numbered static list pages.
    Vsb,
}

impl Cms {
    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Trs => "trs",
            Self::Hanweb => "hanweb",
            Self::Vsb => "vsb",
        }
    }

    fn wants(self, reader: Cms) -> bool {
        self == Self::Auto || self == reader
    }
}

/// What a list page's CMS mechanics add to its plain anchors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListExtras {
    /// Markup fragments holding list items that are not anchors of the page itself (Hanweb
    /// records, in the page or in a data-proxy answer). Their links go through the source's
    /// link filter like the page's own.
    pub fragments: Vec<String>,
    /// Further list pages, absolute, in the order the site presents them (newest first), at
    /// most the cap given to [`read_list`].
    pub pages: Vec<Url>,
    /// The readers that found something, for logs.
    pub found: Vec<Cms>,
}

/// Reads the CMS mechanics of a decoded list page (or data-proxy answer) at `base`: the
/// readers `cms` allows, each only when the page carries its signature. At most `max_pages`
/// further list pages are returned (the source's list-page cap).
pub fn read_list(cms: Cms, text: &str, base: &Url, max_pages: usize) -> ListExtras {
    let mut extras = ListExtras::default();
    let add_pages = |extras: &mut ListExtras, pages: Vec<Url>| {
        for page in pages {
            if extras.pages.len() >= max_pages {
                break;
            }
            if page != *base && !extras.pages.contains(&page) {
                extras.pages.push(page);
            }
        }
    };
    if cms.wants(Cms::Trs)
        && let Some(pages) = trs::list_pages(text, base, max_pages)
    {
        extras.found.push(Cms::Trs);
        add_pages(&mut extras, pages);
    }
    if cms.wants(Cms::Hanweb) {
        let records = hanweb::records(text);
        let pages = hanweb::proxy_pages(text, base, max_pages);
        if !records.is_empty() || !pages.is_empty() {
            extras.found.push(Cms::Hanweb);
        }
        extras.fragments.extend(records);
        add_pages(&mut extras, pages);
    }
    if cms.wants(Cms::Vsb)
        && let Some(pages) = vsb::list_pages(text, base, max_pages, cms == Cms::Vsb)
    {
        extras.found.push(Cms::Vsb);
        add_pages(&mut extras, pages);
    }
    extras
}

/// The frontier entries a list page's CMS mechanics add to its plain links: the notice links
/// inside record fragments (through the source's link filter) and the further list pages.
pub(crate) fn list_entries(
    source: &crate::config::SourceConfig,
    links: &crate::links::LinkFilter,
    html: &str,
    base: &Url,
    depth: u32,
) -> Vec<gazette_store::FrontierEntry> {
    // The page being read is one of the source's list pages: the rest of the cap is left.
    let further = source.pagination.max_list_pages.saturating_sub(1);
    let extras = read_list(source.cms, html, base, further);
    if !extras.found.is_empty() {
        tracing::debug!(
            url = %base,
            cms = ?extras.found.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
            records = extras.fragments.len(),
            pages = extras.pages.len(),
            "list mechanics found"
        );
    }
    let notices = extras
        .fragments
        .iter()
        .flat_map(|fragment| links.notice_links(fragment, base))
        .map(|url| crate::attachment::linked_entry(url, depth + 1, None));
    let pages = extras
        .pages
        .into_iter()
        .map(|url| gazette_store::FrontierEntry {
            url: url.into(),
            kind: gazette_store::FrontierKind::List,
            depth: depth + 1,
            parent: None,
        });
    notices.chain(pages).collect()
}

static HREF: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"(?i)href\s*=\s*["']([^"'<>]+)["']"#).expect("the href pattern is valid")
});

/// The `href` values of a page, resolved against `base`, without fragments. A cheap scan: the
/// readers only look at link shapes, so a full parse is not needed.
pub(crate) fn hrefs(text: &str, base: &Url) -> Vec<Url> {
    HREF.captures_iter(text)
        .filter_map(|c| c.get(1))
        .filter_map(|m| base.join(&m.as_str().replace("&amp;", "&")).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|mut u| {
            u.set_fragment(None);
            u
        })
        .collect()
}

/// The pages a reader found, as strings, for the readers' tests to compare.
#[cfg(test)]
fn urls(pages: Option<Vec<Url>>) -> Vec<String> {
    pages
        .unwrap_or_default()
        .iter()
        .map(Url::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test url")
    }

    #[test]
    fn auto_runs_the_readers_whose_signature_the_page_carries() {
        let base = url("http://site.example/col/index.html");
        let page = r#"<ul><li><a href="./202401/t20240105_1.html">通报</a></li></ul>
            <script>createPageHTML(3, 0, "index", "html");</script>"#;
        let extras = read_list(Cms::Auto, page, &base, 10);
        assert_eq!(extras.found, [Cms::Trs]);
        assert_eq!(
            extras.pages,
            [
                url("http://site.example/col/index_1.html"),
                url("http://site.example/col/index_2.html")
            ]
        );
        // Forcing another CMS ignores the TRS pager.
        assert_eq!(
            read_list(Cms::Hanweb, page, &base, 10),
            ListExtras::default()
        );
        // A plain page has no mechanics at all.
        let plain = "<a href='a.html'>下一页</a>";
        assert_eq!(
            read_list(Cms::Auto, plain, &base, 10),
            ListExtras::default()
        );
    }

    #[test]
    fn the_page_cap_bounds_every_reader() {
        let base = url("http://site.example/col/index.html");
        let page = r#"<script>createPageHTML(500, 0, "index", "html");</script>"#;
        assert_eq!(read_list(Cms::Auto, page, &base, 4).pages.len(), 4);
        assert!(read_list(Cms::Auto, page, &base, 0).pages.is_empty());
    }

    #[test]
    fn config_spelling() {
        #[derive(Deserialize)]
        struct Wrap {
            cms: Cms,
        }
        for (text, cms) in [
            ("auto", Cms::Auto),
            ("trs", Cms::Trs),
            ("hanweb", Cms::Hanweb),
            ("vsb", Cms::Vsb),
        ] {
            let parsed: Wrap =
                serde_json::from_str(&format!("{{\"cms\":\"{text}\"}}")).expect("spelling");
            assert_eq!(parsed.cms, cms);
            assert_eq!(cms.as_str(), text);
        }
    }
}
