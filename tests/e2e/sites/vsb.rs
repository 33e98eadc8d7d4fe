//! A 博达 VSB-style column: the first page `/jjjc/xcgz.htm`, the older pages `/jjjc/xcgz/N.htm`
//! numbered backwards (`PAGES-1` is the second page, `1` the last), articles at
//! `/info/1021/ID.htm`. The pager's next and last links are images without text, so only the
//! page count (`共N页` on the first page, the jump form's `PageCount` on the others) and the
//! numbered links tell a crawler where the other pages are.

use super::{Answer, FixtureSite, notice_text, paragraphs, title_of};
use std::sync::Arc;

pub(crate) const FIRST: &str = "/jjjc/xcgz.htm";

/// The article path of notice `i`.
pub(crate) fn article_path(i: usize) -> String {
    format!("/info/1021/{}.htm", 3300 + i * 3)
}

/// Notice texts of this site (distinct from the other sites').
fn notice_of(i: usize) -> String {
    notice_text(60 + i)
}

/// The `n`th page in the order the site presents them (0 the first), its URL number.
fn number_of(n: usize, pages: usize) -> usize {
    pages - n
}

fn list_page(n: usize, pages: usize, per_page: usize) -> String {
    let prefix = if n == 0 { "" } else { "../" };
    let items: String = (n * per_page..(n + 1) * per_page)
        .map(|i| {
            format!(
                "<li id=\"line_u5_{i}\"><a href=\"{prefix}../info/1021/{}.htm\" target=\"_blank\" title=\"{t}\">{t}</a><span>2024/03/{:02}</span></li>\n",
                3300 + i * 3,
                1 + i % 28,
                t = title_of(&notice_of(i)),
            )
        })
        .collect();
    let link = |target: usize| {
        if n == 0 {
            format!("xcgz/{}.htm", number_of(target, pages))
        } else {
            format!("{}.htm", number_of(target, pages))
        }
    };
    let next = (n + 1 < pages).then(|| {
        format!(
            "<span class=\"p_next p_fun\"><a href=\"{}\"><img src=\"/system/resource/images/next.gif\" alt=\"\"></a></span>",
            link(n + 1)
        )
    });
    let count = if n == 0 {
        format!(
            "<td class=\"fy\">共{}条&nbsp;&nbsp;共{pages}页</td>",
            pages * per_page
        )
    } else {
        format!(
            "<form name=\"a5f\" method=\"get\"><input type=\"hidden\" name=\"PageCount\" value=\"{pages}\"><input type=\"text\" name=\"PAGENUM\" size=\"2\"></form>"
        )
    };
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>巡察工作-纪检监察</title>\
         <script type=\"text/javascript\" src=\"/system/resource/js/counter.js\"></script></head><body>\
         <!--Announced by Visual SiteBuilder 9--><div class=\"nav\">首页 | 机构设置 | 巡察工作 | 廉政教育</div>\
         <ul class=\"list\">{items}</ul><table><tr>{count}<td><span class=\"p_pages\">{next}</span></td></tr></table>\
         <div class=\"foot\">版权所有 某某大学纪检监察室 地址：某某路1号</div></body></html>",
        next = next.unwrap_or_default(),
    )
}

fn article(i: usize) -> String {
    let text = notice_of(i);
    let title = title_of(&text);
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}-纪检监察</title></head><body>\
         <!--Announced by Visual SiteBuilder 9--><div class=\"nav\">首页 | 巡察工作</div>\
         <form name=\"_newscontent_fromname\"><div align=\"center\"><h1>{title}</h1>\
         <div class=\"info\">时间：2024-03-{:02} 点击：<script>_showDynClicks(\"wbnews\", 1, {i})</script></div>\
         <div class=\"v_news_content\">{}</div></div></form>\
         <div class=\"foot\">版权所有 某某大学纪检监察室</div></body></html>",
        1 + i % 28,
        paragraphs(&text)
    )
}

/// A column of `pages` list pages with `per_page` notices each.
pub(crate) async fn start(pages: usize, per_page: usize) -> FixtureSite {
    let routes = Arc::new(move |path: &str, _query: Option<&str>| {
        if path == FIRST {
            return Some(Answer::html(list_page(0, pages, per_page)));
        }
        if let Some(number) = path
            .strip_prefix("/jjjc/xcgz/")
            .and_then(|r| r.strip_suffix(".htm"))
            .and_then(|n| n.parse::<usize>().ok())
        {
            return (1..pages)
                .contains(&number)
                .then(|| Answer::html(list_page(pages - number, pages, per_page)));
        }
        (0..pages * per_page)
            .find(|&i| article_path(i) == path)
            .map(|i| Answer::html(article(i)))
    });
    FixtureSite::start(routes).await
}
