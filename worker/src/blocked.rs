//! Answers that are an anti-bot challenge instead of the page asked for. Sites behind such
//! services answer a client that runs no JavaScript with a script that would compute a cookie
//! and reload the page; what the crawler receives is not the page, so it must never be stored
//! as one (nor replace a stored page, nor withdraw the notices it carried). This module only
//! recognises the answers; it never runs, solves or works around them.
//!
//! Recognised: HTTP 412 with a `$_ts` script; HTTP 521 with a `__jsl_clearance` cookie script;
//! a WAF page setting the `acw_sc__v2` cookie; a body that is only a script reloading the page;
//! and, generally, markup with no visible text beyond its scripts.

/// Statuses whose bodies are read for a challenge (others are plain errors): 403 and 503 from
/// WAFs, 412 and 521 from the script challenges above.
pub const SNIFFED_STATUSES: &[u16] = &[403, 412, 503, 521];
/// Bytes of an error answer read to look for a challenge.
pub const SNIFF_BYTES: usize = 256 * 1024;

/// `$_ts`, the global the 412 challenge script sets up.
const TS_GLOBAL: &[u8] = b"$_ts";
/// `__jsl_clearance`, the cookie the 521 challenge script sets.
const JSL_COOKIE: &[u8] = b"__jsl_clearance";
/// `__jsluid`, the cookie the 521 challenge's server sets alongside.
const JSL_UID: &str = "__jsluid";
/// `acw_sc__v2`, the cookie a WAF challenge page computes.
const ACW_COOKIE: &[u8] = b"acw_sc__v2";
/// `document.cookie`, assigned by cookie-computing scripts (the 521 one is obfuscated so that
/// the cookie's name is not spelled out).
const SETS_COOKIE: &[u8] = b"document.cookie";
/// Ways a script reloads or replaces the page.
const RELOADS: &[&[u8]] = &[
    b"location.reload",
    b"location.href",
    b"location.replace",
    b"location.assign",
    b"window.location",
    b"document.location",
    b"location=",
    b"location =",
];

/// A page answered with a challenge, for the crawl report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedPage {
    /// The URL asked for.
    pub url: String,
    /// The answer's HTTP status.
    pub status: u16,
    /// Which challenge it was.
    pub challenge: Challenge,
}

/// Which challenge an answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Challenge {
    /// HTTP 412 with a `$_ts` script.
    Ts412,
    /// HTTP 521 with a script setting `__jsl_clearance`.
    Jsl521,
    /// A WAF page computing the `acw_sc__v2` cookie.
    AcwScV2,
    /// A body that is only a script reloading the page.
    ScriptReload,
    /// Markup with scripts and no visible text.
    ScriptOnly,
}

impl Challenge {
    /// Its label in logs, metrics and the API.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ts412 => "ts_412",
            Self::Jsl521 => "jsl_521",
            Self::AcwScV2 => "acw_sc_v2",
            Self::ScriptReload => "script_reload",
            Self::ScriptOnly => "script_only",
        }
    }
}

/// The challenge an answer is, if it is one. `set_cookies` are the `Set-Cookie` header
/// values; `body` may be a prefix of the body ([`SNIFF_BYTES`]).
pub fn detect(status: u16, set_cookies: &[&str], body: &[u8]) -> Option<Challenge> {
    if status == 412 && contains(body, TS_GLOBAL) {
        return Some(Challenge::Ts412);
    }
    if status == 521
        && (contains(body, JSL_COOKIE)
            || contains(body, SETS_COOKIE)
            || set_cookies
                .iter()
                .any(|c| c.trim_start().starts_with(JSL_UID)))
    {
        return Some(Challenge::Jsl521);
    }
    let page = scan(body);
    // A page with visible text is the page, whatever its scripts mention.
    if contains(body, ACW_COOKIE) && page.scripts > 0 && !page.visible {
        return Some(Challenge::AcwScV2);
    }
    if page.scripts == 0 || page.visible || page.data_blocks > 0 {
        return None;
    }
    if RELOADS.iter().any(|r| contains(body, r)) {
        Some(Challenge::ScriptReload)
    } else {
        Some(Challenge::ScriptOnly)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// What a scan of markup found.
#[derive(Debug, Default, PartialEq, Eq)]
struct Scan {
    /// Executable scripts (inline or with `src`).
    scripts: usize,
    /// Data blocks (`<script type="text/xml">` and the like): content, not a challenge.
    data_blocks: usize,
    /// Any visible character outside tags, scripts, styles and the title.
    visible: bool,
}

/// Elements whose content is not visible text.
const HIDDEN: &[&str] = &["script", "style", "title", "noscript", "template"];

/// A byte-level scan of markup (ASCII tags are found the same way in UTF-8 and GBK, whose
/// trail bytes never fall in the ASCII range of `<`); it stops at the first visible
/// character, so ordinary pages cost little.
fn scan(body: &[u8]) -> Scan {
    let mut found = Scan::default();
    let mut i = 0;
    while i < body.len() {
        let byte = body[i];
        if byte != b'<' {
            if is_visible(body, i) {
                found.visible = true;
                return found;
            }
            i += entity_len(body, i).unwrap_or(1);
            continue;
        }
        let rest = &body[i..];
        if rest.starts_with(b"<!--") {
            i += find(rest, b"-->").map_or(rest.len(), |end| end + 3);
            continue;
        }
        let tag_end = find(rest, b">").map_or(rest.len(), |end| end + 1);
        let tag = &rest[..tag_end];
        let name = tag_name(tag);
        i += tag_end;
        let Some(hidden) = HIDDEN
            .iter()
            .find(|h| name.eq_ignore_ascii_case(h.as_bytes()))
        else {
            continue;
        };
        if *hidden == "script" {
            if is_data_script(tag) {
                found.data_blocks += 1;
            } else {
                found.scripts += 1;
            }
        }
        // Skip to the element's end tag.
        let close = format!("</{hidden}");
        i += find_ignore_case(&body[i..], close.as_bytes()).unwrap_or(body.len() - i);
    }
    found
}

/// A non-whitespace character that is not part of `&nbsp;`-style padding.
fn is_visible(body: &[u8], i: usize) -> bool {
    let byte = body[i];
    if byte.is_ascii_whitespace() {
        return false;
    }
    if byte == b'&' && entity_len(body, i).is_some() {
        let entity = &body[i..i + entity_len(body, i).unwrap_or(1)];
        return !(entity.eq_ignore_ascii_case(b"&nbsp;")
            || entity == b"&#160;"
            || entity.eq_ignore_ascii_case(b"&#xa0;"));
    }
    // U+00A0 and U+3000 (ideographic space) in UTF-8.
    let rest = &body[i..];
    !(rest.starts_with(&[0xC2, 0xA0]) || rest.starts_with(&[0xE3, 0x80, 0x80]))
}

/// Length of an entity starting at `i` (`&name;` or `&#…;`, at most 10 bytes).
fn entity_len(body: &[u8], i: usize) -> Option<usize> {
    if body.get(i) != Some(&b'&') {
        return None;
    }
    let window = &body[i..body.len().min(i + 10)];
    let end = window.iter().position(|&b| b == b';')?;
    window[1..end]
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .then_some(end + 1)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `find` for an ASCII-lowercase needle, ignoring the haystack's ASCII case.
fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The element name of a start tag (`<script type=…>` → `script`); empty for end tags.
fn tag_name(tag: &[u8]) -> &[u8] {
    let inner = tag.get(1..).unwrap_or_default();
    let end = inner
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(inner.len());
    &inner[..end]
}

/// A `<script>` whose type says it holds data, not code (XML records, JSON, templates).
fn is_data_script(tag: &[u8]) -> bool {
    let lower: Vec<u8> = tag.iter().map(u8::to_ascii_lowercase).collect();
    let Some(at) = find(&lower, b"type") else {
        return false;
    };
    let value: Vec<u8> = lower[at + 4..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == b'=' || **b == b'"' || **b == b'\'')
        .take_while(|b| !(b.is_ascii_whitespace() || **b == b'"' || **b == b'\'' || **b == b'>'))
        .copied()
        .collect();
    !value.is_empty()
        && !matches!(
            value.as_slice(),
            b"text/javascript" | b"application/javascript" | b"module" | b"text/ecmascript"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_challenges() {
        let ts = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html\">\
            <script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=1;</script>\
            <script src=\"/a1b2/c3d4.js\" r=\"m\"></script></head><body></body></html>";
        assert_eq!(detect(412, &[], ts), Some(Challenge::Ts412));
        let jsl = b"<script>document.cookie=('_')+('_')+('j')+('s')+('l');location.href=location.pathname+location.search</script>";
        assert_eq!(detect(521, &[], jsl), Some(Challenge::Jsl521));
        assert_eq!(
            detect(
                521,
                &["__jsluid_h=0a1b; max-age=31536000; path=/"],
                b"<script src=x></script>"
            ),
            Some(Challenge::Jsl521)
        );
        let acw = b"<html><script>var arg1='3A5F';function setCookie(n,v){}\
            setCookie(\"acw_sc__v2\", x); document.location.reload();</script></html>";
        assert_eq!(detect(200, &[], acw), Some(Challenge::AcwScV2));
        let reload = b"<!DOCTYPE html><html><head><script>window.onload=function(){location.reload(true)}</script></head><body>\n&nbsp; </body></html>";
        assert_eq!(detect(200, &[], reload), Some(Challenge::ScriptReload));
        let shell = b"<html><head><title>Loading</title><script src=\"/app.js\"></script></head><body><div id=\"app\"></div></body></html>";
        assert_eq!(detect(200, &[], shell), Some(Challenge::ScriptOnly));
    }

    #[test]
    fn pages_with_text_are_not_challenges() {
        // A notice page that also uses scripts, in UTF-8 and in GBK.
        let page = "<html><head><script>location.href.indexOf('m')</script></head><body><p>巡察整改情况通报</p></body></html>";
        assert_eq!(detect(200, &[], page.as_bytes()), None);
        let (gbk, _, _) = encoding_rs::GBK.encode(page);
        assert_eq!(detect(200, &[], &gbk), None);
        // Text in a comment or a style does not count, text after them does.
        let late = b"<!-- <p>x</p> --><style>p{}</style><script>var a=1</script>ok";
        assert_eq!(detect(200, &[], late), None);
        // A Hanweb list whose records are a data block is content, not a challenge.
        let data = b"<script type=\"text/xml\"><datastore><record><![CDATA[<li>a</li>]]></record></datastore></script><script src=\"jpage.js\"></script>";
        assert_eq!(detect(200, &[], data), None);
        // An empty page without scripts is a poor page, not a challenge.
        assert_eq!(detect(200, &[], b"<html><body></body></html>"), None);
        // 412 without the script, 521 with real text: plain errors.
        assert_eq!(detect(412, &[], b"Precondition Failed"), None);
        assert_eq!(detect(521, &[], b"<p>Web server is down</p>"), None);
        // acw_sc__v2 mentioned in an article is text, not a WAF page.
        assert_eq!(detect(200, &[], b"<p>the acw_sc__v2 cookie</p>"), None);
        let passed = b"<script>var c='acw_sc__v2'</script><p>article text</p>";
        assert_eq!(detect(200, &[], passed), None);
    }

    /// Real CMS article pages (the shared corpus beside the repository, never copied into it)
    /// are pages, not challenges, whatever scripts they carry.
    #[test]
    fn real_article_pages_are_not_challenges() {
        let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
        if !shared.join("fixtures").is_dir() {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !ci,
                "CI=true but the shared corpus is missing at {}",
                shared.display()
            );
            eprintln!("skipping: shared corpus not found at {}", shared.display());
            return;
        }
        let mut seen = 0;
        for set in ["gov-html", "real-pages"] {
            let dir = shared.join("fixtures").join(set);
            let entries = std::fs::read_dir(&dir).expect("the fixture set is readable");
            for entry in entries {
                let path = entry.expect("a directory entry").path();
                if path.extension().is_some_and(|e| e == "html") {
                    let body = std::fs::read(&path).expect("a readable page");
                    assert_eq!(detect(200, &[], &body), None, "{}", path.display());
                    seen += 1;
                }
            }
        }
        assert!(seen >= 30, "only {seen} pages found");
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        for body in [
            &b"<"[..],
            b"<script",
            b"<script>",
            b"&",
            b"&nbsp",
            b"<!--",
            b"<scr\xff\xfe>ipt",
            b"\xe3\x80",
            b"<script type=>",
        ] {
            let _ = detect(200, &[], body);
            let _ = detect(521, &[], body);
        }
    }
}
