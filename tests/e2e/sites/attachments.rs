//! A column whose notices are published as attachments: each article page is a short
//! announcement linking a file. Article 1 links a PDF (CJK text through a ToUnicode CMap),
//! article 2 a DOCX served as `application/octet-stream` through a download script, article 3
//! a Word 97 `.doc` and an `.ofd` (kept, not read); the list also links a PDF directly.

use super::{Answer, FixtureSite, notice_text, title_of};
use gazette::demo_documents::{docx, pdf};
use std::sync::Arc;

pub(crate) const LIST: &str = "/xxgk/tzgg/index.html";
pub(crate) const PDF_ARTICLE: &str = "/xxgk/tzgg/202405/t20240520_801.html";
pub(crate) const DOCX_ARTICLE: &str = "/xxgk/tzgg/202405/t20240521_802.html";
pub(crate) const OLD_ARTICLE: &str = "/xxgk/tzgg/202405/t20240522_803.html";
pub(crate) const PDF_FILE: &str = "/xxgk/tzgg/202405/P020240520123456.pdf";
pub(crate) const DOCX_FILE: &str = "/module/download/downfile.jsp";
pub(crate) const DOCX_QUERY: &str = "classid=0&filename=20240521090001.docx";
pub(crate) const DOC_FILE: &str = "/xxgk/tzgg/202405/W020240522.doc";
pub(crate) const OFD_FILE: &str = "/xxgk/tzgg/202405/W020240522.ofd";
pub(crate) const DIRECT_PDF: &str = "/xxgk/tzgg/202405/P020240523000001.pdf";

/// The notices published as files: PDF, DOCX, the directly linked PDF.
pub(crate) fn pdf_notice() -> String {
    notice_text(80)
}
pub(crate) fn docx_notice() -> String {
    notice_text(81)
}
pub(crate) fn direct_notice() -> String {
    notice_text(82)
}

fn page(title: &str, inner: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\
         <div class=\"head\">首页 政务公开 通知公告</div><div class=\"crumb\">当前位置：首页 &gt; 通知公告</div>\
         {inner}<div class=\"foot\">主办单位：某某区人民政府 网站标识码：0000000002</div></body></html>"
    )
}

fn article(title: &str, links: &str) -> String {
    page(
        title,
        &format!(
            "<h1>{title}</h1><div class=\"info\">发布时间：2024-05-20 来源：区委巡察办</div>\
             <div class=\"TRS_Editor\"><p>现将有关情况予以公布，详见附件。</p><p>附件：{links}</p></div>"
        ),
    )
}

/// An OLE2 compound-file header, as Word 97–2003 files start (the rest is filler).
fn ole2() -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend(std::iter::repeat_n(0u8, 504));
    bytes
}

/// A zip holding `OFD.xml`, as OFD files are.
fn ofd() -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("OFD.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    zip.write_all(b"<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>")
        .expect("zip write");
    zip.finish().expect("zip finish").into_inner()
}

pub(crate) async fn start() -> FixtureSite {
    let routes = Arc::new(|path: &str, query: Option<&str>| {
        Some(match path {
            LIST => Answer::html(page(
                "通知公告",
                &format!(
                    "<ul><li><a href=\"./202405/t20240520_801.html\">{}</a></li>\
                     <li><a href=\"./202405/t20240521_802.html\">{}</a></li>\
                     <li><a href=\"./202405/t20240522_803.html\">关于巡察整改情况的通报（扫描件）</a></li>\
                     <li><a href=\"./202405/P020240523000001.pdf\">{}</a></li></ul>",
                    title_of(&pdf_notice()),
                    title_of(&docx_notice()),
                    title_of(&direct_notice()),
                ),
            )),
            PDF_ARTICLE => Answer::html(article(
                title_of(&pdf_notice()),
                "<a href=\"./P020240520123456.pdf\">整改进展情况通报.pdf</a>",
            )),
            DOCX_ARTICLE => Answer::html(article(
                title_of(&docx_notice()),
                &format!(
                    "<a href=\"{DOCX_FILE}?{}\">通报全文</a>",
                    DOCX_QUERY.replace('&', "&amp;")
                ),
            )),
            OLD_ARTICLE => Answer::html(article(
                "关于巡察整改情况的通报（扫描件）",
                "<a href=\"W020240522.doc\">通报.doc</a> <a href=\"W020240522.ofd\">通报.ofd</a>",
            )),
            PDF_FILE => Answer::bytes(
                "application/pdf",
                pdf(&pdf_notice().lines().collect::<Vec<_>>()),
            ),
            DIRECT_PDF => Answer::bytes(
                "application/pdf",
                pdf(&direct_notice().lines().collect::<Vec<_>>()),
            ),
            DOCX_FILE if query == Some(DOCX_QUERY) => Answer::bytes(
                "application/octet-stream",
                docx(&docx_notice().lines().collect::<Vec<_>>()),
            ),
            DOC_FILE => Answer::bytes("application/msword", ole2()),
            OFD_FILE => Answer::bytes("application/ofd", ofd()),
            _ => return None,
        })
    });
    FixtureSite::start(routes).await
}
