//! Documents built here with the same crates (never real files): a PDF whose CJK text is
//! shown through a Type0 font with 2-byte `Identity-H` codes that only its `ToUnicode` CMap
//! maps back to characters, as Word and WPS write Chinese PDFs; and a DOCX.

use super::*;
use std::io::Write as _;

/// A PDF showing `lines`, each at its own height; with `moves` the lines after the first are
/// placed with `Td` inside one text object, otherwise each gets its own `BT … Tm … ET`.
pub(crate) fn cjk_pdf(lines: &[&str], moves: bool) -> Vec<u8> {
    let font = crate::samples::CjkPdf::new(lines);
    let mut content = String::new();
    if moves {
        content.push_str("BT /F1 12 Tf 1 0 0 1 72 780 Tm 16 TL\n");
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                content.push_str(if i % 2 == 0 { "T*\n" } else { "0 -16 Td\n" });
            }
            content.push_str(&format!("[<{}>] TJ\n", font.hex(line)));
        }
        content.push_str("ET\n");
    } else {
        for (i, line) in lines.iter().enumerate() {
            let y = 780 - 16 * i as i64;
            content.push_str(&format!(
                "BT /F1 12 Tf 1 0 0 1 72 {y} Tm <{}> Tj ET\n",
                font.hex(line)
            ));
        }
    }
    font.write(vec![content])
}

/// A DOCX whose paragraphs are `paragraphs` (a run split in two, a tab and an entity on the
/// way, as Word writes them).
pub(crate) fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            let text = p.replace('&', "&amp;").replace('<', "&lt;");
            let split = text.char_indices().nth(2).map_or(text.len(), |(i, _)| i);
            let (a, b) = text.split_at(split);
            format!(
                "<w:p><w:pPr><w:jc w:val=\"both\"/></w:pPr><w:r><w:t>{a}</w:t></w:r>\
                 <w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">{b}</w:t></w:r></w:p>"
            )
        })
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [
        ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".to_owned()),
        ("word/document.xml", document),
    ] {
        zip.start_file(name, options).expect("zip entry");
        zip.write_all(data.as_bytes()).expect("zip write");
    }
    zip.finish().expect("zip finish").into_inner()
}

const LINES: &[&str] = &[
    "中共江北区委关于巡察整改进展情况的通报",
    "根据区委统一部署，区委第一巡察组对江北区委开展了常规巡察。",
    "一、整改工作推进情况",
    "反馈问题12个，已完成整改10个，正在推进2个。",
];

#[test]
fn pdf_cjk_text_comes_back_through_to_unicode_line_by_line() {
    for moves in [false, true] {
        let pdf = cjk_pdf(LINES, moves);
        assert_eq!(gazette_notice::sniff(&pdf), DocumentFormat::Pdf);
        let Extracted::Text(text) = extract(&pdf, DocumentFormat::Pdf) else {
            panic!("the PDF reads (moves: {moves})");
        };
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines, LINES, "moves: {moves}");
    }
}

#[test]
fn docx_paragraphs_come_back_without_field_codes() {
    let doc = docx(&["关于巡察整改的通报", "甲\t乙 & 丙"]);
    assert_eq!(gazette_notice::sniff(&doc), DocumentFormat::Docx);
    assert_eq!(
        extract(&doc, DocumentFormat::Docx),
        Extracted::Text("关于巡察整改的通报\n甲\t乙 & 丙\n".into())
    );
}

#[test]
fn damaged_documents_are_unreadable_not_a_panic() {
    let pdf = cjk_pdf(LINES, false);
    let docx = docx(&["甲"]);
    for cut in [10, pdf.len() / 3, pdf.len() / 2, pdf.len() - 40] {
        match extract(&pdf[..cut], DocumentFormat::Pdf) {
            Extracted::Text(_) | Extracted::Unreadable(_) => {}
            Extracted::Unsupported(_) => panic!("a PDF is supported"),
        }
    }
    for cut in [4, docx.len() / 2, docx.len() - 10] {
        assert!(matches!(
            extract(&docx[..cut], DocumentFormat::Docx),
            Extracted::Unreadable(_)
        ));
    }
    assert!(matches!(
        extract(b"%PDF-1.7\n%%EOF", DocumentFormat::Pdf),
        Extracted::Unreadable(_)
    ));
}

#[test]
fn other_formats_are_not_read() {
    for format in [
        DocumentFormat::Doc,
        DocumentFormat::Ofd,
        DocumentFormat::Xlsx,
        DocumentFormat::Text,
        DocumentFormat::Binary,
    ] {
        assert_eq!(extract(b"whatever", format), Extracted::Unsupported(format));
    }
}
