//! Bytes to text. Signals in order of trust: a source override, the byte-order mark, the HTTP
//! header, `<meta>` declarations, then content sniffing with chardetng. A declaration is only
//! believed when the bytes decode cleanly under it: many Chinese sites declare GB2312 while
//! serving UTF-8, and some serve GBK under a UTF-8 meta.

use crate::error::{NoticeError, Result};
use encoding_rs::{Encoding, GB18030, GBK, UTF_8};
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
        });
    // Valid UTF-8 with non-ASCII bytes is almost never legacy CJK text by accident, so it wins
    // over a declaration of GB2312/GBK (the "declares GB2312, serves UTF-8" lie).
    if std::str::from_utf8(bytes).is_ok() {
        return Ok(decode_with(bytes, UTF_8));
    }
    if let Some(encoding) = declared {
        let (_, _, had_errors) = encoding.decode(bytes);
        if !had_errors {
            return Ok(decode_with(bytes, encoding));
        }
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let guessed = detector.guess(Some(b"cn"), true);
    Ok(decode_with(bytes, guessed))
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
    fn unknown_override_is_an_error() {
        assert!(decode(b"x", None, Some("no-such-charset")).is_err());
    }
}
