//! Formats named for the report and document links of notice pages.

use super::*;
use std::io::Write as _;

#[test]
fn formats_are_told_by_their_bytes() {
    let ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    assert_eq!(sniff(&ole2, "http://x/file.doc"), Format::Doc);
    assert_eq!(sniff(&ole2, "http://x/down.jsp?name=a.WPS"), Format::Wps);
    assert_eq!(sniff(&ole2, "http://x/a.pdf"), Format::Doc);
    let mut ofd = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    ofd.start_file("OFD.xml", zip::write::SimpleFileOptions::default())
        .expect("zip entry");
    ofd.write_all(b"<ofd:OFD/>").expect("zip write");
    let ofd = ofd.finish().expect("zip finish").into_inner();
    assert_eq!(sniff(&ofd, "http://x/a.ofd"), Format::Ofd);
    assert_eq!(
        sniff(b"<html><body>x</body></html>", "http://x/a.pdf"),
        Format::Markup
    );
    assert_eq!(
        sniff(&[0, 1, 2, 3, 0xFF, 0], "http://x/a.pdf"),
        Format::Other(DocumentFormat::Binary)
    );
    assert_eq!(Format::Other(DocumentFormat::Image).label(), "image");
    for format in [
        Format::Doc,
        Format::Wps,
        Format::Ofd,
        Format::Other(DocumentFormat::Binary),
    ] {
        assert!(!format.is_readable());
    }
    assert!(Format::Pdf.is_readable() && Format::Docx.is_readable());
}

#[test]
fn document_links_of_a_notice_page() {
    let base = Url::parse("http://gov.example/art/2024/3/1/art_5_9.html").expect("url");
    let page = r#"<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;filename=2403011.pdf">整改通报.pdf</a></p>
        <a href="files/notice.DOCX">附件2</a> <a href="files/notice.DOCX">again</a>
        <a href="/img/logo.png">logo</a> <a href="old.doc">附件3</a> <a href="x.ofd">附件4</a>"#;
    let links: Vec<String> = document_links(page, &base)
        .iter()
        .map(Url::to_string)
        .collect();
    assert_eq!(
        links,
        [
            "http://gov.example/module/download/downfile.jsp?classid=0&filename=2403011.pdf",
            "http://gov.example/art/2024/3/1/files/notice.DOCX",
            "http://gov.example/art/2024/3/1/old.doc",
            "http://gov.example/art/2024/3/1/x.ofd"
        ]
    );
}
