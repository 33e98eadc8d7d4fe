//! The output of cleaning: the notice text as a reader sees it, plus what the page said about it.

use crate::model::{NoticeDate, NoticeDateTime};
use serde::{Deserialize, Serialize};

/// Cleaned main text of one page or text file, ready for the parser and for storage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CleanDocument {
    /// The article title, when the page marks one; it is also the first line of `text`.
    pub title: Option<String>,
    /// Body paragraphs in order, one per line, chrome and continuation markers removed.
    pub text: String,
    /// Newspaper continuation markers that were removed from `text`, with where they stood.
    pub page_markers: Vec<PageMarker>,
    /// Labelled page metadata (发布时间, 成文日期, 来源), kept out of the body.
    pub metadata: DocumentMetadata,
    /// Name of the character encoding the input was decoded from.
    pub encoding: String,
}

/// A removed 上接第N版 / 下转第N版 marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMarker {
    /// Which way the marker points.
    pub kind: PageMarkerKind,
    /// The page number it names.
    pub page: u32,
    /// Byte offset in `CleanDocument::text` where the marker stood.
    pub offset: usize,
}

/// Direction of a continuation marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageMarkerKind {
    /// 上接第N版: the text here continues from page N.
    ContinuedFrom,
    /// 下转第N版: the text continues on page N.
    ContinuesOn,
}

/// Metadata that CMS pages print around the article.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentMetadata {
    /// 发布时间 / 发布日期 / 发文日期.
    pub published_at: Option<NoticeDateTime>,
    /// 成文日期.
    pub written_on: Option<NoticeDate>,
    /// 来源 / 信息来源.
    pub source: Option<String>,
    /// Names of attached files (附件).
    pub attachments: Vec<String>,
}

/// How to read one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanOptions {
    /// The HTTP `Content-Type` header, if the input came over HTTP.
    pub content_type: Option<String>,
    /// A charset forced by the source configuration, overriding every other signal.
    pub charset_override: Option<String>,
    /// A CSS selector for the article body, for sites where structure detection fails.
    pub content_selector: Option<String>,
    /// Whether the input is HTML, plain text, or to be decided from its content.
    pub kind: InputKind,
}

/// Kind of input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InputKind {
    /// Decide by looking for markup.
    #[default]
    Auto,
    /// An HTML page.
    Html,
    /// Plain text (a saved notice, a newspaper page's text).
    Text,
}
