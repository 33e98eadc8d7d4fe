//! TRS WCM's script pager. A TRS list template writes its pager at view time with
//! `createPageHTML(total, current, name, ext)` (newer templates put an element id first and a
//! record count last: `createPageHTML('pager', total, current, name, ext, records)`), and the
//! arguments are often variables set just before (`var countPage = 35`). Page 0 is
//! `{name}.{ext}`, page i is `{name}_{i}.{ext}`, in the list page's directory.

use std::sync::LazyLock;
use url::Url;

/// Pages a script pager may claim; beyond this the number is noise, not a page count.
const MAX_TOTAL: u64 = 100_000;

static CALL: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"createPageHTML\s*\(([^()]*)\)").expect("the pager call pattern is valid")
});

/// One argument of the pager call.
#[derive(Debug, PartialEq, Eq)]
enum Arg {
    Number(u64),
    Text(String),
    Unknown,
}

/// The list pages a TRS script pager names, absolute, in page order (the current page left
/// out), at most `max_pages`; `None` when the page has no usable pager call.
pub fn list_pages(text: &str, base: &Url, max_pages: usize) -> Option<Vec<Url>> {
    CALL.captures_iter(text)
        .filter_map(|c| c.get(1))
        .find_map(|args| pager(text, args.as_str()))
        .map(|(total, current, name, ext)| {
            (0..total)
                .filter(|&i| i != current)
                .take(max_pages)
                .filter_map(|i| {
                    let file = if i == 0 {
                        format!("{name}.{ext}")
                    } else {
                        format!("{name}_{i}.{ext}")
                    };
                    base.join(&file).ok()
                })
                .collect()
        })
}

/// (total, current, name, ext) of one call's arguments: the first two numbers, then the two
/// texts that follow them.
fn pager(text: &str, args: &str) -> Option<(u64, u64, String, String)> {
    let args: Vec<Arg> = args.split(',').map(|a| argument(text, a.trim())).collect();
    let first_number = args.iter().position(|a| matches!(a, Arg::Number(_)))?;
    let (Some(Arg::Number(total)), Some(Arg::Number(current))) =
        (args.get(first_number), args.get(first_number + 1))
    else {
        return None;
    };
    let (Some(Arg::Text(name)), Some(Arg::Text(ext))) =
        (args.get(first_number + 2), args.get(first_number + 3))
    else {
        return None;
    };
    // A file name, not a path or a script fragment: nothing that could leave the directory.
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    if *total == 0 || *total > MAX_TOTAL || !plain(name) || !plain(ext) {
        return None;
    }
    Some((*total, *current, name.clone(), ext.clone()))
}

/// A literal number or string, or a variable resolved from its assignment in the page.
fn argument(text: &str, arg: &str) -> Arg {
    if let Ok(n) = arg.parse::<u64>() {
        return Arg::Number(n);
    }
    for quote in ['"', '\''] {
        if let Some(inner) = arg.strip_prefix(quote).and_then(|a| a.strip_suffix(quote)) {
            return Arg::Text(inner.to_owned());
        }
    }
    if !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return variable(text, arg);
    }
    Arg::Unknown
}

/// The value last assigned to `name` in the page (`var name = 35;`, `name = "index"`).
fn variable(text: &str, name: &str) -> Arg {
    let pattern = format!(
        r#"(?:^|[^A-Za-z0-9_$.]){}\s*=\s*(?:(\d+)|"([^"]*)"|'([^']*)')"#,
        regex::escape(name)
    );
    let Ok(assignment) = regex::Regex::new(&pattern) else {
        return Arg::Unknown;
    };
    let Some(found) = assignment.captures_iter(text).last() else {
        return Arg::Unknown;
    };
    if let Some(n) = found.get(1).and_then(|m| m.as_str().parse().ok()) {
        return Arg::Number(n);
    }
    found
        .get(2)
        .or_else(|| found.get(3))
        .map_or(Arg::Unknown, |m| Arg::Text(m.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::urls;

    #[test]
    fn literal_call_names_every_page_but_the_current_one() {
        let base = Url::parse("http://gov.example/zwgk/xcgz/index_2.html").expect("url");
        let page =
            r#"<div id="page"><script>createPageHTML(4, 2, "index", "html");</script></div>"#;
        assert_eq!(
            urls(list_pages(page, &base, 10)),
            [
                "http://gov.example/zwgk/xcgz/index.html",
                "http://gov.example/zwgk/xcgz/index_1.html",
                "http://gov.example/zwgk/xcgz/index_3.html"
            ]
        );
    }

    #[test]
    fn variables_element_ids_and_other_extensions() {
        let base = Url::parse("http://gov.example/col/").expect("url");
        let page = "<script>var countPage = 3//共多少页\nvar currentPage = 0;\n\
                    createPageHTML('pagerDiv', countPage, currentPage, 'list', 'shtml', 41);</script>";
        assert_eq!(
            urls(list_pages(page, &base, 10)),
            [
                "http://gov.example/col/list_1.shtml",
                "http://gov.example/col/list_2.shtml"
            ]
        );
    }

    #[test]
    fn unusable_calls_are_ignored() {
        let base = Url::parse("http://gov.example/col/index.html").expect("url");
        for page in [
            "createPageHTML(total, 0, 'index', 'html')", // unknown variable
            "createPageHTML(3, 0, '../../etc', 'html')", // not a file name
            "createPageHTML(0, 0, 'index', 'html')",
            "createPageHTML(99999999, 0, 'index', 'html')",
            "function createPageHTML(a, b, c, d) {}",
            "createPageHTML(3, 0)",
        ] {
            assert_eq!(list_pages(page, &base, 10), None, "{page}");
        }
        // The first usable call wins.
        let both = "function createPageHTML(a,b,c,d){} createPageHTML(2, 0, 'index', 'htm')";
        assert_eq!(
            urls(list_pages(both, &base, 10)),
            ["http://gov.example/col/index_1.htm"]
        );
    }
}
