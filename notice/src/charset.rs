//! Bytes to text. Signals in order of trust: a source override, the byte-order mark, the HTTP
//! header, `<meta>` declarations, then content sniffing with chardetng. A declaration is only
//! believed when the bytes decode cleanly under it: many Chinese sites declare GB2312 while
//! serving UTF-8, and some serve GBK under a UTF-8 meta.

use crate::error::{NoticeError, Result};
use encoding_rs::{Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};
use regex::bytes::Regex;
use std::sync::LazyLock;

/// Text decoded from bytes, with the encoding used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The WHATWG name of the encoding used.
    pub encoding: &'static str,
}

/// How far into a page `<meta charset>` may stand (the HTML spec's prescan reads 1024 bytes;
/// CMS templates with long comments push it further, so look further).
const META_SCAN_BYTES: usize = 4096;

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)"#)
        .expect("the meta charset pattern is a valid regex")
});

static HEADER_CHARSET: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"(?i)charset\s*=\s*["']?([a-z0-9_\-:.]+)"#)
        .expect("the header charset pattern is a valid regex")
});

/// Decodes `bytes`, honouring `charset_override` first, then the BOM, `content_type`, meta
/// tags, and sniffing. Fails only when the override names an unknown encoding.
pub fn decode(
    bytes: &[u8],
    content_type: Option<&str>,
    charset_override: Option<&str>,
) -> Result<Decoded> {
    if let Some(label) = charset_override {
        let encoding = lookup(label).ok_or_else(|| NoticeError::UnknownCharset(label.into()))?;
        return Ok(decode_with(bytes, encoding));
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return Ok(decode_with(&bytes[bom_len..], encoding));
    }
    // Valid UTF-8 with non-ASCII bytes is almost never legacy CJK text by accident, so it wins
    // over a declaration of GB2312/GBK (the "declares GB2312, serves UTF-8" lie). A page cut off
    // mid-character or with a stray legacy byte in a footer is still UTF-8.
    if mostly_utf8(bytes) {
        return Ok(decode_with(bytes, UTF_8));
    }
    let declared = content_type
        .and_then(|ct| HEADER_CHARSET.captures(ct))
        .and_then(|c| c.get(1))
        .and_then(|m| lookup(m.as_str()))
        .or_else(|| {
            let head = &bytes[..bytes.len().min(META_SCAN_BYTES)];
            META_CHARSET
                .captures(head)
                .and_then(|c| c.get(1))
                .and_then(|m| std::str::from_utf8(m.as_bytes()).ok())
                .and_then(lookup)
        })
        // The HTML spec: a `<meta>` that claims UTF-16 on ASCII-compatible bytes means UTF-8.
        .filter(|e| *e != UTF_16LE && *e != UTF_16BE);
    // A declaration is believed when the bytes decode under it without a single error.
    if let Some(encoding) = declared
        && let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: encoding.name(),
        });
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    // No TLD hint: a `.cn` hint would tilt Big5 pages from Taiwan and Hong Kong towards GBK.
    let guessed = detector.guess(None, true);
    Ok(decode_with(bytes, guessed))
}

/// Fewest non-ASCII characters before a few invalid UTF-8 sequences are forgiven.
const MIN_UTF8_CHARS: usize = 64;

/// True when `bytes` are UTF-8: valid, or with at most one invalid sequence per 100 valid
/// non-ASCII characters (a truncated tail, one legacy byte in a footer).
fn mostly_utf8(bytes: &[u8]) -> bool {
    if std::str::from_utf8(bytes).is_ok() {
        return true;
    }
    let mut wide = 0usize;
    let mut invalid = 0usize;
    for chunk in bytes.utf8_chunks() {
        wide += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    invalid == 0 || (wide >= MIN_UTF8_CHARS && invalid * 100 <= wide)
}

/// Resolves a label, widening GB2312 and GBK to GB18030, their superset, so that characters
/// outside the declared set (common in names) still decode.
fn lookup(label: &str) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label(label.trim().as_bytes())?;
    Some(if encoding == GBK { GB18030 } else { encoding })
}

fn decode_with(bytes: &[u8], encoding: &'static Encoding) -> Decoded {
    let encoding = if encoding == GBK { GB18030 } else { encoding };
    let (text, used, _) = encoding.decode(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: used.name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bytes_decode_by_meta_and_by_sniffing() {
        let (bytes, _, _) = GBK.encode("<meta charset=\"gbk\"><p>关于巡察整改进展情况的通报</p>");
        let with_meta = decode(&bytes, None, None).expect("no override");
        assert!(with_meta.text.contains("巡察整改"));
        let (bare, _, _) =
            GBK.encode("中共某某区委关于巡察整改进展情况的通报，现将有关情况公布如下。");
        let sniffed = decode(&bare, None, None).expect("no override");
        assert!(sniffed.text.contains("巡察整改"), "{}", sniffed.text);
    }

    #[test]
    fn utf8_declared_as_gb2312_stays_utf8() {
        let page = "<meta charset=\"gb2312\"><p>整改进展</p>";
        let decoded = decode(page.as_bytes(), Some("text/html; charset=GB2312"), None).expect("ok");
        assert_eq!(decoded.encoding, "UTF-8");
        assert!(decoded.text.contains("整改进展"));
    }

    #[test]
    fn big5_by_meta_and_by_sniffing() {
        let body = "臺北市政府關於巡察整改進展情況的通報，現將有關情況公布如下。各單位應當認真落實整改責任。";
        let (bytes, _, _) = encoding_rs::BIG5.encode(body);
        let sniffed = decode(&bytes, None, None).expect("no override");
        assert_eq!(sniffed.encoding, "Big5");
        let mut page = b"<meta charset=big5><p>".to_vec();
        page.extend_from_slice(&bytes);
        assert!(
            decode(&page, None, None)
                .expect("ok")
                .text
                .contains("整改進展")
        );
    }

    #[test]
    fn truncated_utf8_stays_utf8() {
        let mut bytes = "关于巡察整改进展情况的通报".repeat(10).into_bytes();
        bytes.push(0xE5);
        let decoded = decode(&bytes, None, None).expect("ok");
        assert_eq!(decoded.encoding, "UTF-8");
    }

    #[test]
    fn unknown_override_is_an_error() {
        assert!(decode(b"x", None, Some("no-such-charset")).is_err());
    }
}
