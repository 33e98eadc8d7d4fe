//! Hanweb (大汉) JCMS lists. The list page's script hands a jQuery pager (`jpage`) the data
//! proxy `/module/web/jpage/dataproxy.jsp` and the column's parameters (`columnid`, `unitid`,
//! `webid`, `perPage`, …); the pager asks the proxy for one group of records at a time with
//! `startrecord`/`endrecord`/`perpage`, and the answer is
//! `<datastore><totalrecord>N</totalrecord><recordset><record><![CDATA[<li><a href=…>…]]></record>…`.
//! Other templates put those records straight into the page inside `<script type="text/xml">`.
//!
//! The proxy reads its parameters by name whether they come in the query or a form body, so
//! the proxy pages are plain GET URLs here and go through the frontier like any list page.

use std::sync::LazyLock;
use url::Url;

/// The data proxy's path.
const PROXY: &str = "dataproxy.jsp";
/// Records per page when the page does not say (the JCMS default).
const DEFAULT_PER_PAGE: u64 = 15;
/// Pages per proxy request when the page does not say (jpage's default `groupSize`).
const DEFAULT_GROUP: u64 = 3;
/// Records a list may claim; beyond this the number is noise.
const MAX_RECORDS: u64 = 10_000_000;
/// Column parameters the proxy needs, as the page's script names them (compared
/// case-insensitively; sent in this spelling).
const COLUMN_PARAMS: &[&str] = &[
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
];

static RECORD: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?is)<record\b[^>]*>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>")
        .expect("the record pattern is valid")
});
static TOTAL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r#"(?i)<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*["']?\s*[:=]\s*["']?(\d+)"#,
    )
    .expect("the total pattern is valid")
});
static PROXY_URL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"["']([^"'\s<>]*dataproxy\.jsp[^"'\s<>]*)["']"#)
        .expect("the proxy pattern is valid")
});

/// The markup of every record in the text (inline XML block or proxy answer), in order.
pub fn records(text: &str) -> Vec<String> {
    RECORD
        .captures_iter(text)
        .filter_map(|c| {
            c.get(1)
                .map(|m| m.as_str().to_owned())
                .or_else(|| c.get(2).map(|m| unescape(m.as_str())))
        })
        .filter(|r| !r.trim().is_empty())
        .collect()
}

/// Records escaped instead of wrapped in CDATA.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The data-proxy pages of the list, absolute, in record order, at most `max_pages`. On a
/// list page they come from its script (the proxy path and column parameters); on a proxy
/// answer (`base` is a proxy URL) from that URL's own parameters. With the record total known
/// (`totalRecord` in the script, `<totalrecord>` in an answer) every group is named; without
/// it only the first, whose answer then states the total.
pub fn proxy_pages(text: &str, base: &Url, max_pages: usize) -> Vec<Url> {
    let Some(mut proxy) = proxy_url(text, base) else {
        return Vec::new();
    };
    let given: Vec<(String, String)> = proxy.query_pairs().into_owned().collect();
    // The first group's answer states the total and, by its range, the group size; later
    // groups' answers add nothing (the last one's range is short).
    let is_answer = base.path().ends_with(PROXY);
    let first_group = given
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("startrecord") && v == "1");
    if is_answer && !first_group {
        return Vec::new();
    }
    let number = |key: &str| {
        given
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.parse::<u64>().ok())
    };
    let per_page = number("perpage")
        .or_else(|| script_number(text, "perPage"))
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_PER_PAGE);
    let group = match (number("startrecord"), number("endrecord")) {
        (Some(start), Some(end)) if end >= start => end - start + 1,
        _ => {
            per_page
                * script_number(text, "groupSize")
                    .filter(|&n| n > 0)
                    .unwrap_or(DEFAULT_GROUP)
        }
    }
    .min(MAX_RECORDS);
    let mut params: Vec<(String, String)> = given
        .into_iter()
        .filter(|(k, _)| {
            !["startrecord", "endrecord", "perpage"]
                .iter()
                .any(|p| k.eq_ignore_ascii_case(p))
        })
        .collect();
    for key in COLUMN_PARAMS {
        if params.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            continue;
        }
        if let Some(value) = script_value(text, key) {
            params.push(((*key).to_owned(), value));
        }
    }
    let total = TOTAL
        .captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .find_map(|m| m.as_str().parse::<u64>().ok())
        .map(|n| n.min(MAX_RECORDS));
    let last = total.unwrap_or(group);
    let mut pages = Vec::new();
    let mut start = 1;
    while start <= last && pages.len() < max_pages {
        let end = (start + group - 1).min(last.max(start));
        proxy.set_query(None);
        {
            let mut query = proxy.query_pairs_mut();
            query
                .append_pair("startrecord", &start.to_string())
                .append_pair("endrecord", &end.to_string())
                .append_pair("perpage", &per_page.to_string());
            for (k, v) in &params {
                query.append_pair(k, v);
            }
        }
        pages.push(proxy.clone());
        start = end + 1;
    }
    pages
}

/// The proxy: `base` itself when it is one, else the first proxy path in the page's script.
fn proxy_url(text: &str, base: &Url) -> Option<Url> {
    if base.path().ends_with(PROXY) {
        return Some(base.clone());
    }
    PROXY_URL
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .find_map(|m| base.join(&m.as_str().replace("&amp;", "&")).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
}

/// A number the script assigns to `key` (`perPage: 15`, `perpage=15`, `"groupSize":"3"`).
fn script_number(text: &str, key: &str) -> Option<u64> {
    script_value(text, key).and_then(|v| v.parse().ok())
}

/// The value the script gives `key`, as `key: value`, `key=value` or `"key": "value"`.
fn script_value(text: &str, key: &str) -> Option<String> {
    let pattern = format!(
        r#"(?i)(?:^|[^A-Za-z0-9_]){}["']?\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|([^"',&}}\s;)]+))"#,
        regex::escape(key)
    );
    let found = regex::Regex::new(&pattern).ok()?.captures(text)?;
    found
        .get(1)
        .or_else(|| found.get(2))
        .or_else(|| found.get(3))
        .map(|m| m.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT_PAGE: &str = r#"<div id="4561"></div>
<script language="javascript" src="/module/jslib/jquery/jpage/jpage.js"></script>
<script>$(function(){ $('#4561').jpage({
    proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 10, groupSize: 2, totalRecord: 45,
    ajaxParam: { col: 1, appid: 1, webid: 77, path: '/', columnid: 4561,
                 sourceContentType: 1, unitid: 9012, webname: '某某市纪委', permissiontype: 0 }
}); });</script>"#;

    #[test]
    fn script_parameters_name_every_group_of_records() {
        let base = Url::parse("http://jcms.example/col/col4561/index.html").expect("url");
        let pages = proxy_pages(SCRIPT_PAGE, &base, 10);
        let ranges: Vec<(String, String)> = pages
            .iter()
            .map(|u| {
                let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
                (q["startrecord"].clone(), q["endrecord"].clone())
            })
            .collect();
        let expected =
            [("1", "20"), ("21", "40"), ("41", "45")].map(|(a, b)| (a.to_owned(), b.to_owned()));
        assert_eq!(ranges, expected);
        let first = &pages[0];
        assert_eq!(first.path(), "/module/web/jpage/dataproxy.jsp");
        let q: std::collections::HashMap<_, _> = first.query_pairs().into_owned().collect();
        assert_eq!(q["columnid"], "4561");
        assert_eq!(q["unitid"], "9012");
        assert_eq!(q["webid"], "77");
        assert_eq!(q["perpage"], "10");
        assert_eq!(q["webname"], "某某市纪委");
        assert_eq!(proxy_pages(SCRIPT_PAGE, &base, 2).len(), 2);
    }

    #[test]
    fn an_answer_names_the_rest_from_its_own_url_and_total() {
        let base = Url::parse(
            "http://jcms.example/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=30&perpage=10&columnid=7&unitid=8",
        )
        .expect("url");
        let answer = "<datastore><nextgroup><![CDATA[<a href=\"x\"></a>]]></nextgroup>\
            <recordset><record><![CDATA[<li><a href=\"/art/2024/1/5/art_7_101.html\" title=\"关于巡察整改情况的通报\">关于巡察整改情况的通报</a></li>]]></record>\
            <record>&lt;li&gt;&lt;a href=&quot;/art/2024/1/6/art_7_102.html&quot;&gt;通报&lt;/a&gt;&lt;/li&gt;</record>\
            </recordset><totalrecord>65</totalrecord></datastore>";
        let pages = proxy_pages(answer, &base, 10);
        let starts: Vec<String> = pages
            .iter()
            .filter_map(|u| {
                u.query_pairs()
                    .find(|(k, _)| k == "startrecord")
                    .map(|(_, v)| v.into_owned())
            })
            .collect();
        assert_eq!(starts, ["1", "31", "61"]);
        assert!(pages.iter().all(|u| u.as_str().contains("columnid=7")));
        // The last group's answer, with its short range, names nothing more.
        let last = Url::parse(
            "http://jcms.example/module/web/jpage/dataproxy.jsp?startrecord=61&endrecord=65&perpage=10&columnid=7",
        )
        .expect("url");
        assert!(proxy_pages(answer, &last, 10).is_empty());
        let records = records(answer);
        assert_eq!(records.len(), 2);
        assert!(records[0].contains("art_7_101.html"));
        assert!(records[1].contains("<a href=\"/art/2024/1/6/art_7_102.html\">"));
    }

    #[test]
    fn inline_records_without_a_proxy() {
        let page = "<script type=\"text/xml\"><datastore><recordset>\
            <record><![CDATA[<li><a href=\"/art/1.html\">甲</a></li>]]></record>\
            <record><![CDATA[ ]]></record></recordset></datastore></script>";
        let base = Url::parse("http://jcms.example/col/col1/index.html").expect("url");
        assert_eq!(records(page).len(), 1);
        assert!(proxy_pages(page, &base, 10).is_empty());
        // Without a total only the first group is asked for.
        let bare = "<script>var u = \"/module/web/jpage/dataproxy.jsp\"; columnid=5;</script>";
        let pages = proxy_pages(bare, &base, 10);
        assert_eq!(pages.len(), 1);
        assert!(
            pages[0]
                .as_str()
                .contains("startrecord=1&endrecord=45&perpage=15")
        );
        assert!(pages[0].as_str().contains("columnid=5"));
    }
}
