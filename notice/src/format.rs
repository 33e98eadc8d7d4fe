//! What kind of document a byte string is, from the bytes alone. Publication sites link
//! notices as attachments (PDF most often, DOCX, sometimes DOC, WPS or OFD), servers label them
//! `application/octet-stream` or `text/html`, and a file name may lie; the bytes do not. The
//! cleaner reads only markup and text, so everything else is refused with its format named
//! rather than printed as mojibake, and the worker uses the same sniff to route attachments.
//!
//! Signatures: PDF `%PDF-` (within the first KiB, as readers allow leading junk), ZIP
//! `PK\x03\x04` told apart by its member names (`word/` → DOCX, `xl/` → XLSX, `OFD.xml` → OFD,
//! the Chinese fixed-layout standard GB/T 33190), OLE2 compound files `D0 CF 11 E0 A1 B1 1A E1`
//! (Word 97–2003 DOC, Kingsoft WPS, XLS), RAR, 7z, gzip, common images, and otherwise any
//! input whose first bytes hold too many control bytes for text.

use std::fmt;

/// The kind of a document, as sniffed by [`sniff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentFormat {
    /// HTML or plain text in any encoding the cleaner decodes: what it reads.
    Text,
    /// A PDF file.
    Pdf,
    /// An Office Open XML word-processing document (DOCX).
    Docx,
    /// An Office Open XML spreadsheet (XLSX).
    Xlsx,
    /// An OFD document (GB/T 33190 fixed layout, a ZIP holding `OFD.xml`).
    Ofd,
    /// An OLE2 compound file: a Word 97–2003 DOC or a Kingsoft WPS document (also XLS and PPT,
    /// which the sniff does not tell apart).
    Doc,
    /// Another archive: ZIP without a known document inside, RAR, 7z, gzip.
    Archive,
    /// An image (PNG, JPEG, GIF, BMP, WebP, TIFF).
    Image,
    /// Other binary data: too many control bytes to be text.
    Binary,
}

impl DocumentFormat {
    /// A short lower-case name (`"pdf"`, `"docx"`, `"doc"`), stable for logs and errors.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Xlsx => "xlsx",
            Self::Ofd => "ofd",
            Self::Doc => "doc",
            Self::Archive => "archive",
            Self::Image => "image",
            Self::Binary => "binary",
        }
    }

    /// True for input the cleaner reads (HTML and plain text).
    pub fn is_text(self) -> bool {
        self == Self::Text
    }
}

impl fmt::Display for DocumentFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How far into the input a PDF header may stand.
const PDF_HEADER_WINDOW: usize = 1024;

/// How many leading bytes the control-byte count looks at.
const TEXT_SAMPLE_BYTES: usize = 8192;

/// Largest share of control bytes (in per mille) in text: a stray form feed or a legacy
/// control character in a footer is text, while random bytes carry about 11% and binary
/// formats far more.
const MAX_CONTROL_PER_MILLE: usize = 20;

/// The OLE2 compound-file signature.
const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Leading signatures of archives and images.
const MAGICS: &[(&[u8], DocumentFormat)] = &[
    (b"Rar!\x1a\x07", DocumentFormat::Archive),
    (b"7z\xbc\xaf\x27\x1c", DocumentFormat::Archive),
    (b"\x1f\x8b", DocumentFormat::Archive),
    (b"\x89PNG\r\n\x1a\n", DocumentFormat::Image),
    (b"\xff\xd8\xff", DocumentFormat::Image),
    (b"GIF87a", DocumentFormat::Image),
    (b"GIF89a", DocumentFormat::Image),
    (b"BM", DocumentFormat::Image),
    (b"II*\x00", DocumentFormat::Image),
    (b"MM\x00*", DocumentFormat::Image),
];

/// Sniffs the format of `bytes` (see the module docs). Empty input is text.
pub fn sniff(bytes: &[u8]) -> DocumentFormat {
    let head = &bytes[..bytes.len().min(PDF_HEADER_WINDOW)];
    // Leading junk before the header is allowed, markup is not (a page may quote `%PDF-`).
    if let Some(at) = find(head, b"%PDF-")
        && !head[..at].contains(&b'<')
    {
        return DocumentFormat::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_format(bytes);
    }
    if bytes.starts_with(OLE2_MAGIC) {
        return DocumentFormat::Doc;
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return DocumentFormat::Image;
    }
    // `BM` and `II*` are short: believe them only with bytes a text cannot start with.
    if let Some((_, format)) = MAGICS.iter().find(|(magic, _)| bytes.starts_with(magic))
        && !looks_like_text(bytes)
    {
        return *format;
    }
    if looks_like_text(bytes) {
        DocumentFormat::Text
    } else {
        DocumentFormat::Binary
    }
}

/// Tells the OOXML and OFD packages from other ZIP archives by their member names, which
/// every local header and the central directory carry uncompressed.
fn zip_format(bytes: &[u8]) -> DocumentFormat {
    if contains(bytes, b"word/") {
        DocumentFormat::Docx
    } else if contains(bytes, b"OFD.xml") {
        DocumentFormat::Ofd
    } else if contains(bytes, b"xl/") {
        DocumentFormat::Xlsx
    } else {
        DocumentFormat::Archive
    }
}

/// True when the first bytes could be text: a UTF-16 byte-order mark (the charset decoder
/// honours it), or few control bytes besides tab, line breaks, form feed and escape.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(TEXT_SAMPLE_BYTES)];
    let control = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B)) || b == 0x7F)
        .count();
    control * 1000 <= sample.len() * MAX_CONTROL_PER_MILLE
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// True when `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal local file header naming `name`, as ZIP writers emit it.
    fn zip_with(name: &str) -> Vec<u8> {
        let mut bytes = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
        bytes.extend_from_slice(&[0; 16]);
        let len = u16::try_from(name.len()).expect("short name");
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&[0, 0]);
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(&[0x8d, 0x03, 0x00, 0x01, 0xff, 0x12]);
        bytes
    }

    #[test]
    fn documents_are_told_apart() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
            DocumentFormat::Pdf
        );
        assert_eq!(sniff(b"\r\n\r\n%PDF-1.4 after junk"), DocumentFormat::Pdf);
        assert_eq!(sniff(&zip_with("word/document.xml")), DocumentFormat::Docx);
        assert_eq!(
            sniff(&zip_with("Doc_0/Document.xml")),
            DocumentFormat::Archive
        );
        let mut ofd = zip_with("Doc_0/Document.xml");
        ofd.extend(zip_with("OFD.xml"));
        assert_eq!(sniff(&ofd), DocumentFormat::Ofd);
        assert_eq!(sniff(&zip_with("xl/workbook.xml")), DocumentFormat::Xlsx);
        assert_eq!(sniff(&zip_with("photo.jpg")), DocumentFormat::Archive);
        let mut doc = OLE2_MAGIC.to_vec();
        doc.extend_from_slice(&[0; 504]);
        assert_eq!(sniff(&doc), DocumentFormat::Doc);
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            DocumentFormat::Image
        );
        assert_eq!(sniff(b"Rar!\x1a\x07\x01\x00"), DocumentFormat::Archive);
        assert_eq!(DocumentFormat::Docx.to_string(), "docx");
    }

    #[test]
    fn text_in_any_encoding_is_text() {
        assert_eq!(sniff(b""), DocumentFormat::Text);
        assert_eq!(
            sniff("<p>关于巡察整改的通报</p>".as_bytes()),
            DocumentFormat::Text
        );
        let (gbk, _, _) = encoding_rs::GBK.encode("关于巡察整改进展情况的通报\t一、\r\n");
        assert_eq!(sniff(&gbk), DocumentFormat::Text);
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("整改".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&utf16), DocumentFormat::Text);
        // A text that happens to start like a short magic stays text.
        assert_eq!(sniff(b"BM25 ranking notes"), DocumentFormat::Text);
        assert_eq!(
            sniff(b"<p>files start with %PDF-1.7</p>"),
            DocumentFormat::Text
        );
        // One stray control byte in a long page is still text.
        let mut page = "<p>整改。</p>".repeat(100).into_bytes();
        page.push(0x01);
        assert_eq!(sniff(&page), DocumentFormat::Text);
    }

    #[test]
    fn random_bytes_are_binary() {
        // A fixed linear congruential sequence stands in for random bytes.
        let mut x: u32 = 12345;
        let bytes: Vec<u8> = (0..4096)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                x.to_be_bytes()[1]
            })
            .collect();
        assert_eq!(sniff(&bytes), DocumentFormat::Binary);
        assert_eq!(sniff(&[0u8; 64]), DocumentFormat::Binary);
    }
}
