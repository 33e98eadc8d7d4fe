//! Choosing the article among the page's elements by text density. Every block scores:
//! running text (sentence punctuation, mostly outside links) scores its length; link lists
//! (navigation, related articles, friend links) and chrome lines score minus their length;
//! anything else (headings, table cells, dates) scores zero. An element's score is the sum over
//! the blocks it spans, so the best element is the one that gathers the most prose while taking
//! in the least navigation. Ties go to the smaller element.
//!
//! Class and id names are weak hints: the content containers of the common CMSs (`TRS_Editor`,
//! `zoom` in TRS, `ucapcontent` in UCAP, `v_news_content` in VSB, `js_content` in WeChat,
//! `article`/`content` everywhere) get a small bonus; navigation, footer and share containers
//! do not count their text as prose.

use super::blocks::{Block, PageText, Region};
use crate::clean::chrome::is_chrome_line;
use crate::clean::metadata::is_date_only;
use scraper::node::Element;

/// Words in class/id names of content containers (split on `-`, `_`, spaces and case changes).
const CONTENT_HINTS: &[&str] = &[
    "content",
    "article",
    "zoom",
    "editor",
    "text",
    "detail",
    "body",
    "main",
    "con",
    "cont",
    "ucapcontent",
    "js",
    "wenzhang",
    "zhengwen",
    "news",
    "info",
    "rich",
    "media",
    "post",
    "entry",
];

/// Words in class/id names of chrome containers: navigation, menus, header and footer, side
/// columns, share bars, related and recommended lists, links, copyright, breadcrumbs,
/// toolbars, print buttons, QR codes (`ewm`, 二维码), rankings and adverts.
const CHROME_HINTS: &[&str] = &[
    "nav",
    "navbar",
    "menu",
    "footer",
    "foot",
    "header",
    "sidebar",
    "side",
    "aside",
    "share",
    "comment",
    "comments",
    "related",
    "relate",
    "recommend",
    "links",
    "friendlink",
    "yqlj",
    "copyright",
    "breadcrumb",
    "crumb",
    "position",
    "location",
    "toolbar",
    "tool",
    "tools",
    "print",
    "qrcode",
    "ewm",
    "hot",
    "rank",
    "ad",
    "ads",
    "banner",
    "login",
    "search",
    "reldocuments",
    "navdocuments",
    "bottom",
    "top",
    "topbar",
    "dialog",
    "modal",
    "alert",
];

/// Largest share of link text in a block of prose.
const MAX_PROSE_LINK_SHARE: f64 = 0.35;

/// Share of link text above which a block is a link list.
const LINK_LIST_SHARE: f64 = 0.5;

/// Fewest characters outside links for a block to count as prose.
const MIN_PROSE_CHARS: u32 = 10;

/// Bonus (in characters of prose) for a content-named element: enough to break near-ties in
/// favour of `TRS_Editor` over its wrapper, too small to pull in a navigation column.
const CONTENT_BONUS: f64 = 30.0;

/// What an element's class and id suggest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hint {
    /// Nothing.
    None,
    /// A content container.
    Content,
    /// Navigation, footer or other chrome.
    Chrome,
}

/// Reads the class and id of an element. Content words win over chrome words
/// (`article-content` vs `article-share`: only the latter is chrome).
pub(crate) fn hint_of(element: &Element) -> Hint {
    let mut content = false;
    let mut chrome = false;
    for value in [element.attr("class"), element.attr("id")]
        .into_iter()
        .flatten()
    {
        for word in value
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let word = word.to_ascii_lowercase();
            content |= CONTENT_HINTS.contains(&word.as_str()) || word.contains("content");
            chrome |= CHROME_HINTS.contains(&word.as_str());
        }
    }
    match (content, chrome) {
        (_, true) if !content => Hint::Chrome,
        (true, _) if !chrome => Hint::Content,
        _ => Hint::None,
    }
}

/// Score of one block (see the module docs).
pub(crate) fn block_score(block: &Block) -> f64 {
    if block.chars == 0 {
        return 0.0;
    }
    let chars = f64::from(block.chars);
    let link_share = f64::from(block.link_chars) / chars;
    if is_link_line(block) {
        return -chars;
    }
    if is_chrome_line(&block.text) {
        return -chars;
    }
    let prose = block.chars - block.link_chars;
    if block.in_chrome_region || link_share > MAX_PROSE_LINK_SHARE {
        return 0.0;
    }
    if block.punct >= 1 && prose >= MIN_PROSE_CHARS {
        f64::from(prose)
    } else {
        0.0
    }
}

/// True when the block is a link-list line (a headline link, a navigation entry).
fn is_link_line(block: &Block) -> bool {
    block.chars > 0
        && f64::from(block.link_chars) / f64::from(block.chars) > LINK_LIST_SHARE
        && block.attachments.is_empty()
}

/// Scores of all blocks. A teaser card of a recommendation or photo list (a headline link, a
/// one-paragraph summary, a date: `推荐阅读`, `图片新闻`, related lists of news portals) reads
/// like prose in its summary, so the summary of such a card counts against its region as the
/// link beside it does; otherwise a long list of teasers outweighs the article and pulls the
/// whole page in.
pub(crate) fn block_scores(page: &PageText) -> Vec<f64> {
    let blocks = &page.blocks;
    let mut scores: Vec<f64> = blocks.iter().map(block_score).collect();
    for i in 1..blocks.len().saturating_sub(1) {
        if scores[i] > 0.0
            && blocks[i].chars <= MAX_TEASER_CHARS
            && is_link_line(&blocks[i - 1])
            && is_date_only(&blocks[i + 1].text)
        {
            scores[i] = -f64::from(blocks[i].chars);
        }
    }
    scores
}

/// Longest summary of a teaser card.
const MAX_TEASER_CHARS: u32 = 200;

/// The region of the article: the highest-scoring element, or `None` when no block is prose.
pub(crate) fn best_region(page: &PageText) -> Option<Region> {
    let mut prefix = Vec::with_capacity(page.blocks.len() + 1);
    let mut sum = 0.0;
    prefix.push(sum);
    for score in block_scores(page) {
        sum += score;
        prefix.push(sum);
    }
    let mut best: Option<(f64, Region)> = None;
    for region in &page.regions {
        let mut score = prefix[region.end] - prefix[region.first];
        if score <= 0.0 {
            continue;
        }
        if region.hint == Hint::Content {
            score += CONTENT_BONUS;
        }
        let better = match &best {
            None => true,
            Some((s, r)) => {
                score > *s + 1e-9
                    || ((score - *s).abs() <= 1e-9 && region.end - region.first < r.end - r.first)
            }
        };
        if better {
            best = Some((score, *region));
        }
    }
    best.map(|(_, r)| r)
}
