//! What to crawl and how. The binary loads these from the TOML config file; every field has a
//! default so that a source needs only a name, its list pages and a link pattern.

use serde::Deserialize;
use std::time::Duration;

/// One publication site (or one column of it).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Unique name used in logs, metrics and the API.
    pub name: String,
    /// List pages to start from.
    pub start_urls: Vec<String>,
    /// Regex that links to notice pages match (on the absolute URL).
    #[serde(default = "default_notice_url_pattern")]
    pub notice_url_pattern: String,
    /// Keywords of which a link's text must contain one (empty: any link text).
    #[serde(default = "default_notice_link_text")]
    pub notice_link_text: Vec<String>,
    /// Time between runs, e.g. "6h".
    #[serde(default = "default_interval", with = "humantime_serde_compat")]
    pub interval: Duration,
    /// At most this many notice pages fetched per run.
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
    /// Force this charset instead of detecting it.
    #[serde(default)]
    pub charset: Option<String>,
    /// CSS selector of the article body, for sites where detection fails.
    #[serde(default)]
    pub content_selector: Option<String>,
    /// Allow loopback and private addresses (tests and the demo only).
    #[serde(default)]
    pub allow_loopback: bool,
}

fn default_notice_url_pattern() -> String {
    ".".into()
}

fn default_notice_link_text() -> Vec<String> {
    ["巡察", "巡视", "整改", "通报"].map(String::from).to_vec()
}

fn default_interval() -> Duration {
    Duration::from_secs(6 * 3600)
}

fn default_max_pages() -> usize {
    200
}

/// How the crawler behaves towards every site.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrawlerConfig {
    /// User-Agent sent with every request; include a contact URL.
    #[serde(default = "default_user_agent")]
    pub user_agent: String,
    /// Total time allowed for one request.
    #[serde(default = "default_request_timeout", with = "humantime_serde_compat")]
    pub request_timeout: Duration,
    /// Time allowed to connect.
    #[serde(default = "default_connect_timeout", with = "humantime_serde_compat")]
    pub connect_timeout: Duration,
    /// Largest body read; larger pages are refused.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: usize,
    /// Pause between two requests to the same source.
    #[serde(default = "default_delay", with = "humantime_serde_compat")]
    pub delay: Duration,
}

impl Default for CrawlerConfig {
    fn default() -> Self {
        Self {
            user_agent: default_user_agent(),
            request_timeout: default_request_timeout(),
            connect_timeout: default_connect_timeout(),
            max_body_bytes: default_max_body_bytes(),
            delay: default_delay(),
        }
    }
}

fn default_user_agent() -> String {
    concat!(
        "gazette/",
        env!("CARGO_PKG_VERSION"),
        " (+https://example.invalid/gazette)"
    )
    .into()
}

fn default_request_timeout() -> Duration {
    Duration::from_secs(30)
}

fn default_connect_timeout() -> Duration {
    Duration::from_secs(10)
}

fn default_max_body_bytes() -> usize {
    8 * 1024 * 1024
}

fn default_delay() -> Duration {
    Duration::from_secs(1)
}

/// Durations as humantime strings ("6h", "500ms") in TOML.
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }
}
