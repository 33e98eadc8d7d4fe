//! HTML to text: find the article of a government, newspaper or WeChat page and render it as
//! paragraphs, one per line, headed by the article title.
//!
//! - [`flatten`]: nesting past a depth and tags past a budget are dropped before parsing.
//! - [`blocks`]: one DOM walk renders the page into lines and element ranges.
//! - [`density`]: the article is the element with the most prose and the least navigation.
//! - [`title`]: the on-page headline matching `<title>`, without the site name.
//!
//! Labelled metadata (发布日期, 来源, the 政府信息公开 table) is read from the page around the
//! article and from `<meta>` tags; the line cleaner later drops such lines from the body.

pub(crate) mod blocks;
pub(crate) mod density;
pub(crate) mod flatten;
pub(crate) mod title;

use crate::clean::metadata::{MetadataScan, lone_label};
use crate::document::{CleanDocument, CleanOptions};
use crate::error::{NoticeError, Result};
use blocks::{Block, PageText};
use scraper::{ElementRef, Html, Selector};
use std::sync::LazyLock;

/// Publication-time meta tags: TRS/Hanweb/UCAP `PubDate`, People's Daily `publishdate`,
/// gov.cn `firstpublishedtime`, Open Graph `article:published_time`.
static META_DATE: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(
        "meta[name=PubDate], meta[name=pubdate], meta[name=publishdate], \
         meta[name=firstpublishedtime], meta[property='article:published_time'], \
         meta[name=OriginalPublishDate]",
    )
    .expect("constant selector is valid")
});

/// Source meta tag of TRS and UCAP pages (`ContentSource`).
static META_SOURCE: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("meta[name=ContentSource], meta[name=contentsource]")
        .expect("constant selector is valid")
});

static FIRST_H1: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("h1").expect("constant selector is valid"));

/// Fewest characters of article text before hidden elements are given a second chance.
const MIN_ARTICLE_CHARS: usize = 50;

/// How many blocks after the article may hold its attachment links.
const ATTACHMENT_WINDOW: usize = 40;

/// Extracts the article of an HTML page into a [`CleanDocument`] whose text is not yet cleaned.
pub fn extract_html(html: &str, options: &CleanOptions) -> Result<CleanDocument> {
    let page = Html::parse_document(&flatten::flatten(html));
    let selected = match &options.content_selector {
        Some(css) => {
            let selector = Selector::parse(css).map_err(|e| NoticeError::InvalidSelector {
                selector: css.clone(),
                reason: e.to_string(),
            })?;
            page.select(&selector).next()
        }
        None => None,
    };
    let guess = title::find_title(&page);
    let title = guess.as_ref().map(|g| g.text.clone()).or_else(|| {
        page.select(&FIRST_H1)
            .next()
            .map(|h| h.text().collect::<String>().trim().to_owned())
            .filter(|t| !t.is_empty())
    });
    let confirmed = guess.as_ref().is_some_and(|g| g.confirmed);
    let segments = guess.map(|g| g.segments).unwrap_or_default();

    let mut doc = CleanDocument {
        title,
        ..CleanDocument::default()
    };
    let mut scan = MetadataScan::default();
    let body = match selected {
        Some(root) => {
            let rendered = blocks::render(root, false);
            read_metadata(&rendered.blocks, &mut scan);
            article_lines(&rendered.blocks, 0..rendered.blocks.len(), true, &mut doc)
        }
        None => {
            let mut text = article(&page, true, confirmed, &segments, &mut scan, &mut doc);
            if text.chars().count() < MIN_ARTICLE_CHARS {
                let mut retry = CleanDocument {
                    title: doc.title.clone(),
                    ..CleanDocument::default()
                };
                let again = article(
                    &page,
                    false,
                    true,
                    &segments,
                    &mut MetadataScan::default(),
                    &mut retry,
                );
                if again.chars().count() > text.chars().count() {
                    text = again;
                    doc.metadata.attachments = retry.metadata.attachments;
                }
            }
            text
        }
    };
    for meta in page.select(&META_DATE) {
        if let Some(value) = meta.value().attr("content") {
            scan.offer_meta_date(value);
        }
    }
    if doc.metadata.source.is_none() {
        doc.metadata.source = page
            .select(&META_SOURCE)
            .filter_map(|m| m.value().attr("content"))
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(str::to_owned);
    }
    scan.merge_into(&mut doc.metadata);
    let mut text = String::with_capacity(body.len() + 128);
    if let Some(title) = &doc.title {
        text.push_str(title);
        text.push('\n');
    }
    text.push_str(&body);
    doc.text = text;
    Ok(doc)
}

/// Renders the page, picks the article and returns its lines; metadata and attachments go
/// into `scan` and `doc`.
fn article(
    page: &Html,
    skip_hidden: bool,
    title_confirmed: bool,
    segments: &[String],
    scan: &mut MetadataScan,
    doc: &mut CleanDocument,
) -> String {
    let root: ElementRef<'_> = page.root_element();
    let rendered: PageText = blocks::render(root, skip_hidden);
    let range = match density::best_region(&rendered) {
        Some(region) => region.first..region.end,
        None => 0..rendered.blocks.len(),
    };
    // An unconfirmed title is only the longest `<title>` segment, often the site name. A
    // `<title>` segment printed on the page (in any element: `<p class="pbt">`, a headline
    // split by an inner `<div>`) is the title; else a headline standing just above the
    // article is better.
    if !title_confirmed {
        if let Some(printed) = printed_segment(&rendered.blocks[..range.end], segments) {
            doc.title = Some(printed);
        } else if let Some(headline) = headline_above(&rendered.blocks, range.start) {
            doc.title = Some(headline);
        }
    }
    // The info bar and disclosure table stand above the article, never after it.
    read_metadata(&rendered.blocks[..range.end], scan);
    let mut text = article_lines(&rendered.blocks, range.clone(), false, doc);
    // Attachment links often sit just below the article body, outside its container.
    let tail_end = (range.end + ATTACHMENT_WINDOW).min(rendered.blocks.len());
    for block in &rendered.blocks[range.end..tail_end] {
        if !block.in_chrome_region && !block.attachments.is_empty() {
            for name in &block.attachments {
                if record_attachment(doc, name) {
                    text.push_str(name);
                    text.push('\n');
                }
            }
        }
    }
    text
}

/// Most attachment names recorded for one page: a page of thousands of file links is a
/// download list, and the duplicate check stays cheap.
const MAX_ATTACHMENTS: usize = 100;

/// Records an attachment name once; true when it was new and recorded.
fn record_attachment(doc: &mut CleanDocument, name: &str) -> bool {
    let names = &mut doc.metadata.attachments;
    if names.len() >= MAX_ATTACHMENTS || names.iter().any(|n| n == name) {
        return false;
    }
    names.push(name.to_owned());
    true
}

/// The lines of the blocks in `range`, attachments recorded. Link lists (related articles,
/// previous/next) are dropped unless `keep_links` (a configured selector chose the region).
fn article_lines(
    blocks: &[Block],
    range: std::ops::Range<usize>,
    keep_links: bool,
    doc: &mut CleanDocument,
) -> String {
    let mut text = String::new();
    for block in &blocks[range] {
        for name in &block.attachments {
            record_attachment(doc, name);
        }
        let link_list = !keep_links
            && block.chars > 0
            && f64::from(block.link_chars) / f64::from(block.chars) > 0.5
            && block.attachments.is_empty();
        if link_list {
            continue;
        }
        text.push_str(&block.text);
        text.push('\n');
    }
    text
}

/// Most consecutive blocks a printed headline may be split over (a subtitle `<div>` inside the
/// headline, a `<br>`).
const MAX_HEADLINE_BLOCKS: usize = 3;

/// The `<title>` segment (at least [`title::MIN_MATCH_CHARS`] long) that `blocks` print as
/// one block or as up to [`MAX_HEADLINE_BLOCKS`] consecutive blocks. The longest segment
/// printed wins (site and column names are the short ones), then the one nearest the article.
fn printed_segment(blocks: &[Block], segments: &[String]) -> Option<String> {
    let keys: Vec<(String, &String)> = segments
        .iter()
        .map(|s| (crate::clean::shape::compact(s), s))
        .filter(|(k, _)| k.chars().count() >= title::MIN_MATCH_CHARS)
        .collect();
    if keys.is_empty() {
        return None;
    }
    let longest = keys.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut found = None;
    for start in 0..blocks.len() {
        let mut joined = String::new();
        for block in blocks[start..].iter().take(MAX_HEADLINE_BLOCKS) {
            if block.link_chars > 0 || block.in_chrome_region {
                break;
            }
            joined.push_str(&crate::clean::shape::compact(&block.text));
            if joined.len() > longest {
                break;
            }
            if let Some((key, segment)) = keys.iter().find(|(k, _)| *k == joined) {
                if found.as_ref().is_none_or(|(len, _)| key.len() >= *len) {
                    found = Some((key.len(), (*segment).clone()));
                }
                break;
            }
        }
    }
    found.map(|(_, segment)| segment)
}

/// Blocks above the article that may hold its headline.
const HEADLINE_WINDOW: usize = 6;

/// Shortest and longest headline, in characters.
const HEADLINE_CHARS: std::ops::RangeInclusive<u32> = 6..=80;

/// The nearest block above `first` (or `first` itself) that reads like a headline: no links,
/// not chrome or metadata, no sentence punctuation at its end.
fn headline_above(blocks: &[Block], first: usize) -> Option<String> {
    let end = (first + 1).min(blocks.len());
    blocks[first.saturating_sub(HEADLINE_WINDOW)..end]
        .iter()
        .rev()
        .find(|b| {
            HEADLINE_CHARS.contains(&b.chars)
                && b.link_chars == 0
                && !b.in_chrome_region
                && !b.text.contains(['：', ':', '\t'])
                && !crate::clean::shape::ends_sentence(&b.text)
                && !b.text.ends_with(['，', ','])
                && crate::clean::metadata::parse_datetime(&b.text).is_none()
                && !crate::clean::chrome::is_chrome_line(&b.text)
        })
        .map(|b| b.text.clone())
}

/// Reads labelled fields from `blocks`; a label alone in a block takes the next block as value.
fn read_metadata(blocks: &[Block], scan: &mut MetadataScan) {
    let mut pending = None;
    for block in blocks {
        if block.chars > 200 {
            pending = None;
            continue;
        }
        if let Some(label) = pending.take() {
            scan.read_value(label, &block.text);
            continue;
        }
        match lone_label(&block.text) {
            Some(label) => pending = Some(label),
            None => {
                scan.read_line(&block.text);
            }
        }
    }
}
