//! A TRS WCM-style column: list pages `index.html`, `index_1.html` … written with the script
//! pager `createPageHTML(total, current, "index", "html")` and no plain pager links, and
//! articles at `./YYYYMM/tYYYYMMDD_ID.html` in TRS article chrome. Consecutive list pages
//! overlap by one item, as a list does when a new article pushes the others down.

use super::{Answer, FixtureSite, notice_text, paragraphs, title_of};
use std::sync::Arc;

/// The column's directory.
pub(crate) const COLUMN: &str = "/zwgk/xcgz/";

/// The article path of notice `i`.
pub(crate) fn article_path(i: usize) -> String {
    let month = 202401 + (i % 12);
    format!(
        "{COLUMN}{month}/t{month}{:02}_{}.html",
        1 + i % 28,
        5000 + i
    )
}

fn list_page(page: usize, pages: usize, per_page: usize, notices: usize) -> String {
    let first = page * per_page;
    // One item of the previous page repeats at the top.
    let items: String = (first.saturating_sub(1)..(first + per_page).min(notices))
        .map(|i| {
            format!(
                "<li><span class=\"date\">2024-0{}-1{}</span><a href=\".{}\" target=\"_blank\" title=\"{t}\">{t}</a></li>\n",
                1 + i % 9,
                i % 10,
                article_path(i).trim_start_matches(COLUMN.trim_end_matches('/')),
                t = title_of(&notice_text(i)),
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>巡察工作</title>\
         <script src=\"/js/page.js\"></script></head><body>\
         <div class=\"head\"><a href=\"/\">首页</a> <a href=\"/zwgk/\">政务公开</a> <a href=\"#\">无障碍</a></div>\
         <div class=\"crumb\">当前位置：首页 &gt; 政务公开 &gt; 巡察工作</div>\
         <ul class=\"list\">{items}</ul>\
         <div class=\"pager\"><script type=\"text/javascript\">\n\
         var currentPage = {page};//所在页从0开始\nvar countPage = {pages}//共多少页\n\
         createPageHTML(countPage, currentPage, \"index\", \"html\");</script></div>\
         <div class=\"foot\">主办单位：某某县人民政府办公室 网站标识码：0000000000</div></body></html>"
    )
}

fn article(i: usize) -> String {
    let text = notice_text(i);
    let title = title_of(&text);
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"ArticleTitle\" content=\"{title}\"><meta name=\"PubDate\" content=\"2024-06-1{d} 09:30\">\
         <script>uaredirect('m.html');</script></head><body>\
         <div class=\"head\"><a href=\"/\">首页</a> <a href=\"/zwgk/\">政务公开</a></div>\
         <div class=\"crumb\">当前位置：<a href=\"/\">首页</a> &gt; 巡察工作</div>\
         <h1>{title}</h1><div class=\"info\">发布时间：2024-06-1{d} 09:30 来源：县委巡察办 【字体：大 中 小】 打印</div>\
         <div class=\"TRS_Editor\">{body}</div>\
         <div class=\"share\">分享到：微信 微博</div>\
         <div class=\"foot\">版权所有：某某县人民政府 ICP备案号：某ICP备00000000号</div></body></html>",
        d = i % 10,
        body = paragraphs(&text),
    )
}

/// A column of `pages` list pages with `per_page` notices each (`pages * per_page` notices).
pub(crate) async fn start(pages: usize, per_page: usize) -> FixtureSite {
    let notices = pages * per_page;
    let routes = Arc::new(move |path: &str, _query: Option<&str>| {
        let rest = path.strip_prefix(COLUMN)?;
        if rest == "index.html" {
            return Some(Answer::html(list_page(0, pages, per_page, notices)));
        }
        if let Some(n) = rest
            .strip_prefix("index_")
            .and_then(|r| r.strip_suffix(".html"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            return (n < pages).then(|| Answer::html(list_page(n, pages, per_page, notices)));
        }
        (0..notices)
            .find(|&i| article_path(i) == path)
            .map(|i| Answer::html(article(i)))
    });
    FixtureSite::start(routes).await
}
