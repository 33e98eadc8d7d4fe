//! Documents the demo site (and the end-to-end tests) publish as attachments, built at run
//! time from our own texts with the crates the crawler reads them with: a PDF in the way
//! Word and WPS write Chinese text (a Type0 font with 2-byte `Identity-H` codes that only its
//! `ToUnicode` CMap maps back to characters, no font file embedded), and a DOCX.

use std::io::Write as _;

/// A one-page PDF per 40 lines of `lines`, each line shown at its own height.
pub fn pdf(lines: &[&str]) -> Vec<u8> {
    let font = gazette_pipeline::samples::CjkPdf::new(lines);
    let pages = lines
        .chunks(40)
        .map(|page_lines| {
            let mut content = String::from("BT /F1 10.5 Tf 1 0 0 1 56 790 Tm 18 TL\n");
            for (i, line) in page_lines.iter().enumerate() {
                if i > 0 {
                    content.push_str("T*\n");
                }
                content.push_str(&format!("<{}> Tj\n", font.hex(line)));
            }
            content.push_str("ET\n");
            content
        })
        .collect();
    font.write(pages)
}

/// A DOCX whose paragraphs are `paragraphs`.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            let text = p
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
        })
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}<w:sectPr/></w:body></w:document>"
    );
    let parts = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"
                .to_owned(),
        ),
        ("word/document.xml", document),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        // Writing into memory fails only on a bug in the zip crate: no entry is better than a
        // panicking demo.
        if zip.start_file(name, options).is_err() || zip.write_all(data.as_bytes()).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}
