//! A plain site of many numbered notices, for crawls that must be interrupted part-way: list
//! page `p` (`/list/{p}.html`) links notices `p * PER_LIST ..` (`/n/{n}.html`), and notice `n`
//! is the demo's sample notice with its district renamed, so that every page carries a
//! notice of its own (notice ids come from the organisation and title).

/// Notices linked from each list page.
pub(crate) const PER_LIST: usize = 50;
/// 巡察整改通报, "rectification notice": the link text of every notice link.
pub(crate) const LINK_TEXT: &str = "巡察整改通报";
const NOTICE_TEXT: &str = include_str!("../../../src/demo/qinghe-district.txt");
/// The district of the sample notice, renamed per page.
const DISTRICT: &str = "临江区";

/// Notice `n`, its district named `{prefix}{n}区`.
pub(crate) fn notice_html(prefix: &str, n: usize) -> String {
    let text = NOTICE_TEXT.replace(DISTRICT, &format!("{prefix}{n}区"));
    let title = text.lines().next().unwrap_or_default();
    let body: String = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p>{l}</p>"))
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><div class=\"article\"><h1>{title}</h1>{body}</div></body></html>"
    )
}

/// List page `page`.
pub(crate) fn list_html(page: usize) -> String {
    let links: String = (0..PER_LIST)
        .map(|i| {
            format!(
                "<li><a href=\"/n/{}.html\">{LINK_TEXT}</a></li>",
                page * PER_LIST + i
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><ul>{links}</ul></body></html>"
    )
}
