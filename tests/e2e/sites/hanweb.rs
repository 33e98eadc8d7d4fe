//! A Hanweb JCMS-style site with two columns. Column 2101's page holds no list at all: its
//! script hands the jpage pager the data proxy `/module/web/jpage/dataproxy.jsp` with the
//! column's parameters, and the proxy answers groups of records
//! (`<datastore><recordset><record><![CDATA[<li>…]]></record>…<totalrecord>`), refusing calls
//! without the right column, unit and site ids. Column 2102's page carries all its records
//! inline in a `<script type="text/xml">` block. Articles are `/art/Y/M/D/art_COL_ID.html`.

use super::{Answer, FixtureSite, notice_text, paragraphs, title_of};
use std::collections::HashMap;
use std::sync::Arc;

/// The proxied column, its unit and site ids, and its record count.
pub(crate) const PROXY_COLUMN: usize = 2101;
const UNIT_ID: &str = "8843";
const WEB_ID: &str = "31";
pub(crate) const PROXY_RECORDS: usize = 23;
/// The inline column and its record count.
pub(crate) const INLINE_COLUMN: usize = 2102;
pub(crate) const INLINE_RECORDS: usize = 9;

/// The article path of record `i` of `column`.
pub(crate) fn article_path(column: usize, i: usize) -> String {
    format!(
        "/art/2024/{}/{}/art_{column}_{}.html",
        1 + i % 12,
        1 + i % 28,
        70_000 + i
    )
}

/// Notice texts: the two columns' notices are distinct.
fn notice_of(column: usize, i: usize) -> String {
    notice_text(if column == PROXY_COLUMN { i } else { 40 + i })
}

fn record(column: usize, i: usize) -> String {
    format!(
        "<record><![CDATA[<li><a href=\"{}\" target=\"_blank\" title=\"{t}\">{t}</a><span>2024-05-{:02}</span></li>]]></record>",
        article_path(column, i),
        1 + i % 28,
        t = title_of(&notice_of(column, i)),
    )
}

fn chrome(title: &str, inner: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <script type=\"text/javascript\" src=\"/module/jslib/jquery/jquery.js\"></script>\
         <script type=\"text/javascript\" src=\"/module/jslib/jquery/jpage/jquery.page.js\"></script></head><body>\
         <div class=\"top\">首页 | 机构设置 | 信息公开 | 互动交流</div>\
         <div class=\"position\">您当前的位置：首页 &gt; {title}</div>{inner}\
         <div class=\"bottom\">主办：某某市纪委监委 技术支持：某某网络 网站标识码：0000000001</div>\
         <!-- Produced By 大汉网络 大汉版通发布系统 --></body></html>"
    )
}

fn proxy_column_page() -> String {
    chrome(
        "巡察公告",
        &format!(
            "<div id=\"{PROXY_COLUMN}\"></div><script type=\"text/javascript\">\n\
             $(document).ready(function(){{ $('#{PROXY_COLUMN}').jpage({{\n\
               dataStore: [], proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 5, groupSize: 2,\n\
               barPosition: 'bottom', pageCount: 5,\n\
               ajaxParam: {{ col: 1, appid: 1, webid: {WEB_ID}, path: '/', columnid: {PROXY_COLUMN},\n\
                 sourceContentType: 1, unitid: {UNIT_ID}, webname: '某某市纪委监委', permissiontype: 0 }}\n\
             }}); }});</script>"
        ),
    )
}

fn inline_column_page() -> String {
    let records: String = (0..INLINE_RECORDS)
        .map(|i| record(INLINE_COLUMN, i))
        .collect();
    chrome(
        "整改通报",
        &format!(
            "<div id=\"{INLINE_COLUMN}\"><script type=\"text/xml\"><datastore><nextgroup><![CDATA[]]></nextgroup>\
             <recordset>{records}</recordset></datastore></script></div>\
             <script>$('#{INLINE_COLUMN}').jpage({{ perPage: 3, totalRecord: {INLINE_RECORDS}, dataBefore: '<ul>', dataAfter: '</ul>' }});</script>"
        ),
    )
}

/// The proxy's answer, or an empty datastore when the call lacks the column's ids.
fn proxy_answer(query: Option<&str>) -> String {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let number = |key: &str| params.get(key).and_then(|v| v.parse::<usize>().ok());
    let ids_right = params.get("columnid").map(String::as_str) == Some(&*PROXY_COLUMN.to_string())
        && params.get("unitid").map(String::as_str) == Some(UNIT_ID)
        && params.get("webid").map(String::as_str) == Some(WEB_ID);
    let records: String = match (ids_right, number("startrecord"), number("endrecord")) {
        (true, Some(start), Some(end)) if start >= 1 => (start - 1..end.min(PROXY_RECORDS))
            .map(|i| record(PROXY_COLUMN, i))
            .collect(),
        _ => String::new(),
    };
    let total = if ids_right { PROXY_RECORDS } else { 0 };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><nextgroup><![CDATA[<a href=\"javascript:void(0)\">下一组</a>]]></nextgroup>\
         <recordset>{records}</recordset><totalrecord>{total}</totalrecord><totalpage>5</totalpage></datastore>"
    )
}

fn article(column: usize, i: usize) -> String {
    let text = notice_of(column, i);
    let title = title_of(&text);
    chrome(
        title,
        &format!(
            "<table class=\"art\"><tr><td class=\"title\">{title}</td></tr>\
             <tr><td>发布日期：2024-05-{:02} 浏览次数：<span id=\"c\"></span> 信息来源：市委巡察办</td></tr>\
             <tr><td class=\"bt_content\">{}</td></tr><tr><td>【打印】【关闭】</td></tr></table>",
            1 + i % 28,
            paragraphs(&text)
        ),
    )
}

pub(crate) async fn start() -> FixtureSite {
    let routes = Arc::new(|path: &str, query: Option<&str>| {
        if path == format!("/col/col{PROXY_COLUMN}/index.html") {
            return Some(Answer::html(proxy_column_page()));
        }
        if path == format!("/col/col{INLINE_COLUMN}/index.html") {
            return Some(Answer::html(inline_column_page()));
        }
        if path == "/module/web/jpage/dataproxy.jsp" {
            return Some(Answer::bytes(
                "text/xml;charset=UTF-8",
                proxy_answer(query).into_bytes(),
            ));
        }
        for (column, records) in [
            (PROXY_COLUMN, PROXY_RECORDS),
            (INLINE_COLUMN, INLINE_RECORDS),
        ] {
            if let Some(i) = (0..records).find(|&i| article_path(column, i) == path) {
                return Some(Answer::html(article(column, i)));
            }
        }
        None
    });
    FixtureSite::start(routes).await
}
