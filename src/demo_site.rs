//! A small publication site on loopback, for `gazette demo` and the end-to-end tests. It serves
//! the project's own sample notices (`src/demo/*.txt`) wrapped in the chrome that government
//! CMSs put around articles — navigation, breadcrumb, toolbar, share bar, related links and an
//! ICP footer — plus list pages linking to them, so that a crawl exercises the real cleaner.
//! The list is paged the TRS WCM way, by a `createPageHTML` script call with no plain pager
//! links; one page is served in GBK, as older TRS and Hanweb sites still do; and one notice
//! is published as a PDF attachment of a short article page, as many sites publish them.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// One sample notice and how the site presents it.
struct SamplePage {
    slug: &'static str,
    published: &'static str,
    text: &'static str,
    gbk: bool,
    /// The notice is a PDF linked from its article page, not the page's text.
    pdf: bool,
}

const SAMPLES: &[SamplePage] = &[
    SamplePage {
        slug: "t20241126_1001",
        published: "2024-11-26 16:30",
        text: include_str!("demo/qinghe-district.txt"),
        gbk: false,
        pdf: false,
    },
    SamplePage {
        slug: "t20240308_0420",
        published: "2024-03-08 09:00",
        text: include_str!("demo/yunshan-bureau.txt"),
        gbk: true,
        pdf: false,
    },
    SamplePage {
        slug: "t20241220_1733",
        published: "2024-12-20 10:15",
        text: include_str!("demo/beihu-development-zone.txt"),
        gbk: false,
        pdf: true,
    },
];

/// Path of the list page, the start URL of a crawl.
pub const LIST_PATH: &str = "/xwzx/xczg/index.html";
/// Notices per list page: the three samples take two pages (`index.html`, `index_1.html`).
const PER_LIST_PAGE: usize = 2;
/// Regex matching the site's notice URLs.
pub const NOTICE_URL_PATTERN: &str = r"/xwzx/xczg/\d{6}/t\d{8}_\d+\.html$";

/// A running demo site.
pub struct DemoSite {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Stops it when cancelled.
    pub cancel: CancellationToken,
}

impl DemoSite {
    /// The list page URL.
    pub fn list_url(&self) -> String {
        format!("http://{}{LIST_PATH}", self.addr)
    }

    /// Number of notice pages and attachments the site serves: what one crawl fetches
    /// besides its list pages.
    pub fn pages_to_fetch() -> usize {
        SAMPLES.len() + SAMPLES.iter().filter(|s| s.pdf).count()
    }

    /// Number of list pages the site's script pager names.
    pub fn list_pages() -> usize {
        SAMPLES.len().div_ceil(PER_LIST_PAGE)
    }

    /// Serves the site on `listener` until the returned handle's token is cancelled.
    pub fn spawn(listener: TcpListener) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let cancel = CancellationToken::new();
        let app = Router::new()
            .route("/xwzx/xczg/{file}", get(list_page))
            .route("/xwzx/xczg/{month}/{file}", get(notice_page))
            .route("/robots.txt", get(|| async { "User-agent: *\nAllow: /\n" }));
        let stop = cancel.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(error) = served {
                tracing::warn!(%error, "demo site stopped");
            }
        });
        Ok(Self { addr, cancel })
    }
}

fn month_of(slug: &str) -> &str {
    slug.get(1..7).unwrap_or("000000")
}

fn title_of(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

/// `index.html` and `index_N.html`: a slice of the samples and the TRS script pager.
async fn list_page(Path(file): Path<String>) -> Response {
    let page = match file.as_str() {
        "index.html" => Some(0),
        other => other
            .strip_prefix("index_")
            .and_then(|n| n.strip_suffix(".html"))
            .and_then(|n| n.parse::<usize>().ok()),
    };
    let Some(page) = page.filter(|&p| p < DemoSite::list_pages()) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let items: String = SAMPLES
        .iter()
        .skip(page * PER_LIST_PAGE)
        .take(PER_LIST_PAGE)
        .map(|s| {
            format!(
                "<li><a href=\"./{}/{}.html\" target=\"_blank\">{}</a><span>{}</span></li>\n",
                month_of(s.slug),
                s.slug,
                title_of(s.text),
                s.published.get(..10).unwrap_or_default()
            )
        })
        .collect();
    let pages = DemoSite::list_pages();
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>巡察整改 _ 青河市纪委监委</title></head><body>\
         {HEADER}<div class=\"location\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"#\">新闻中心</a> &gt; 巡察整改</div>\
         <ul class=\"list\">\n{items}</ul><div class=\"page\"><script type=\"text/javascript\">\
         var currentPage = {page};var countPage = {pages};\
         createPageHTML(countPage, currentPage, \"index\", \"html\");</script></div>{FOOTER}</body></html>"
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The file name of a sample's PDF attachment.
fn pdf_name(slug: &str) -> String {
    format!("P0{}.pdf", slug.trim_start_matches('t').replace('_', ""))
}

async fn notice_page(Path((month, file)): Path<(String, String)>) -> Response {
    if let Some(sample) = SAMPLES
        .iter()
        .find(|s| s.pdf && month_of(s.slug) == month && pdf_name(s.slug) == file)
    {
        let lines: Vec<&str> = sample.text.lines().collect();
        return (
            [(header::CONTENT_TYPE, "application/pdf")],
            crate::demo_documents::pdf(&lines),
        )
            .into_response();
    }
    let slug = file.trim_end_matches(".html");
    let Some(sample) = SAMPLES
        .iter()
        .find(|s| s.slug == slug && month_of(s.slug) == month)
    else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let title = title_of(sample.text);
    let paragraphs: String = if sample.pdf {
        // An announcement: the notice itself is the attached file.
        format!(
            "<p style=\"text-indent:2em\">现将整改进展情况通报全文予以公布，详见附件。</p>\n\
             <p>附件：<a href=\"./{}\">{title}.pdf</a></p>\n",
            pdf_name(sample.slug)
        )
    } else {
        sample
            .text
            .lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("<p style=\"text-indent:2em\">{l}</p>\n"))
            .collect()
    };
    let charset = if sample.gbk { "gbk" } else { "utf-8" };
    let html = format!(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\">\
         <title>{title} _ 青河市纪委监委</title><meta name=\"ArticleTitle\" content=\"{title}\">\
         <meta name=\"PubDate\" content=\"{published}\"><script>var _hmt = _hmt || [];</script></head><body>\
         {HEADER}<div class=\"location\">当前位置：<a href=\"/\">首页</a> &gt; <a href=\"{LIST_PATH}\">巡察整改</a> &gt; 正文</div>\
         <div class=\"article\"><h1>{title}</h1>\
         <div class=\"info\">发布时间：{published} 来源：青河市纪委监委 浏览次数：<span id=\"views\">128</span>\
         <span class=\"font\">字号：<a>大</a> <a>中</a> <a>小</a></span> <a href=\"javascript:window.print()\">打印</a> <a href=\"javascript:window.close()\">关闭</a></div>\
         <div class=\"TRS_Editor\">\n{paragraphs}</div>\
         <div class=\"share\">分享到：<a>微信</a> <a>微博</a> <a>QQ空间</a></div>\
         <div class=\"qr\">扫一扫在手机打开当前页</div>\
         <div class=\"related\">相关链接：<a href=\"{LIST_PATH}\">上一篇：关于开展作风建设专项整治的通知</a></div></div>{FOOTER}</body></html>",
        published = sample.published,
    );
    if sample.gbk {
        let (bytes, _, _) = encoding_rs::GBK.encode(&html);
        (
            [(header::CONTENT_TYPE, "text/html; charset=GBK")],
            bytes.into_owned(),
        )
            .into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
    }
}

const HEADER: &str = "<div class=\"top\"><a href=\"/\">首页</a> | <a href=\"#\">无障碍浏览</a> | <a href=\"#\">繁體</a></div>\
<div class=\"nav\"><ul><li><a href=\"/\">首页</a></li><li><a href=\"#\">机构概况</a></li><li><a href=\"#\">新闻中心</a></li>\
<li><a href=\"#\">党风政风</a></li><li><a href=\"#\">巡视巡察</a></li><li><a href=\"#\">信访举报</a></li></ul></div>";

const FOOTER: &str = "<div class=\"footer\"><a href=\"#\">网站地图</a> | <a href=\"#\">联系我们</a> | <a href=\"#\">关于我们</a><br>\
版权所有：中共青河市纪律检查委员会 青河市监察委员会 主办单位：青河市纪委监委宣传部<br>\
技术支持：青河市大数据中心 ICP备案号：青ICP备12345678号-1 青公网安备 33010002000001号 网站标识码：3301000001</div>";
