//! Text cleaning shared by HTML and plain-text input: normalise whitespace, drop paywall and ad
//! footers, and lift newspaper continuation markers out of the text.

use crate::document::{CleanDocument, PageMarker, PageMarkerKind};
use regex::Regex;
use std::sync::LazyLock;

/// 上接第N版 / 下转第N版 ("continued from / on page N"), optionally in brackets.
static PAGE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[（(]?\s*(上接|下转)第\s*(\d+)\s*版\s*[）)]?")
        .expect("the page marker pattern is a valid regex")
});

/// Paywall markers of document-sharing sites.
const PAYWALL_MARKERS: &[&str] = &["##paidbegin##", "##paidend##"];

/// Cleans `doc.text` in place and records the continuation markers it removes.
pub fn clean_text(doc: &mut CleanDocument) {
    let mut text = String::with_capacity(doc.text.len());
    let mut markers = Vec::new();
    for raw_line in doc.text.lines() {
        let mut line = raw_line.to_owned();
        for marker in PAYWALL_MARKERS {
            line = line.replace(marker, "");
        }
        let mut kept = String::with_capacity(line.len());
        let mut last = 0;
        for caps in PAGE_MARKER.captures_iter(&line) {
            let (Some(all), Some(dir), Some(page)) = (caps.get(0), caps.get(1), caps.get(2)) else {
                continue;
            };
            kept.push_str(&line[last..all.start()]);
            last = all.end();
            let kind = if dir.as_str() == "上接" {
                PageMarkerKind::ContinuedFrom
            } else {
                PageMarkerKind::ContinuesOn
            };
            if let Ok(page) = page.as_str().parse() {
                let offset = text.len() + kept.trim_start().len();
                markers.push(PageMarker { kind, page, offset });
            }
        }
        kept.push_str(&line[last..]);
        let trimmed = kept.trim();
        if !trimmed.is_empty() {
            text.push_str(trimmed);
            text.push('\n');
        }
    }
    doc.text = text;
    doc.page_markers = markers;
}
