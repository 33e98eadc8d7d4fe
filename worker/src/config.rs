//! What to crawl and how. The binary loads these from the TOML config file; every field has a
//! default so that a source needs only a name, its list pages and a link pattern.

/// 下一页, "next page": the usual text of a list page's pagination link.
const NEXT_PAGE: &str = "下一页";
/// 下页, "next page" (short form used by some TRS templates).
const NEXT_PAGE_SHORT: &str = "下页";

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
    /// How to reach further list pages.
    #[serde(default)]
    pub pagination: Pagination,
    /// Time between runs, e.g. "6h" (ignored when `cron` is set). Runs start once at start-up,
    /// then at fixed times: multiples of the interval since the Unix epoch, shifted by a phase
    /// from the source's name, so replicas sharing a database agree on them.
    #[serde(default = "default_interval", with = "humantime_serde_compat")]
    pub interval: Duration,
    /// Cron schedule instead of `interval`, e.g. "0 3 * * *" (five fields), read in `timezone`.
    #[serde(default)]
    pub cron: Option<String>,
    /// IANA time zone of `cron` and of sitemap dates without a zone, e.g. "Asia/Shanghai".
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// At most this many notice pages fetched per run.
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
    /// Look for sitemaps (robots.txt `Sitemap:` lines, else `/sitemap.xml`) and queue their
    /// entries that match `notice_url_pattern`.
    #[serde(default = "default_use_sitemaps")]
    pub use_sitemaps: bool,
    /// Force this charset instead of detecting it.
    #[serde(default)]
    pub charset: Option<String>,
    /// CSS selector of the article body, for sites where detection fails.
    #[serde(default)]
    pub content_selector: Option<String>,
    /// Allow loopback and private addresses (tests and the demo only).
    #[serde(default)]
    pub allow_loopback: bool,
    /// The CMS whose list mechanics the list pages use: "auto" (detect each page's script
    /// pager, data proxy or numbered pages), "trs", "hanweb" or "vsb" to force one.
    #[serde(default)]
    pub cms: crate::cms::Cms,
    /// Follow links from notice pages to PDF, DOCX, DOC, WPS and OFD attachments.
    #[serde(default = "default_attachments")]
    pub attachments: bool,
}

fn default_attachments() -> bool {
    true
}

fn default_notice_url_pattern() -> String {
    ".".into()
}

fn default_notice_link_text() -> Vec<String> {
    ["巡察", "巡视", "整改", "通报"].map(String::from).to_vec()
}

fn default_use_sitemaps() -> bool {
    true
}

/// China Standard Time: the publishers' own clock.
fn default_timezone() -> String {
    "Asia/Shanghai".into()
}

impl SourceConfig {
    /// The source's time zone, or an error naming it when it is not a known IANA name.
    pub fn time_zone(&self) -> crate::Result<chrono_tz::Tz> {
        self.timezone
            .parse()
            .map_err(|_| crate::WorkerError::BadTimeZone {
                source_name: self.name.clone(),
                timezone: self.timezone.clone(),
            })
    }
}

impl Default for SourceConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            start_urls: Vec::new(),
            notice_url_pattern: default_notice_url_pattern(),
            notice_link_text: default_notice_link_text(),
            pagination: Pagination::default(),
            interval: default_interval(),
            cron: None,
            timezone: default_timezone(),
            max_pages: default_max_pages(),
            use_sitemaps: default_use_sitemaps(),
            charset: None,
            content_selector: None,
            allow_loopback: false,
            cms: crate::cms::Cms::default(),
            attachments: default_attachments(),
        }
    }
}

/// Pagination of a source's list pages: follow a "next" link, or generate page URLs from a
/// template, up to `max_list_pages` list pages per run.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Texts of the link to the next list page (exact match after trimming).
    #[serde(default = "default_next_link_text")]
    pub next_link_text: Vec<String>,
    /// CSS selector of the link to the next list page, instead of its text.
    #[serde(default)]
    pub next_selector: Option<String>,
    /// URL template of list pages with `{n}` for the page number, e.g.
    /// "https://site/col/index_{n}.html"; pages `template_start..` are queued up to the limit.
    #[serde(default)]
    pub url_template: Option<String>,
    /// First `{n}` of the template (TRS sites number the second page 1).
    #[serde(default = "default_template_start")]
    pub template_start: u32,
    /// List pages (start pages included) fetched per run at most.
    #[serde(default = "default_max_list_pages")]
    pub max_list_pages: usize,
}

impl Default for Pagination {
    fn default() -> Self {
        Self {
            next_link_text: default_next_link_text(),
            next_selector: None,
            url_template: None,
            template_start: default_template_start(),
            max_list_pages: default_max_list_pages(),
        }
    }
}

fn default_next_link_text() -> Vec<String> {
    [NEXT_PAGE, NEXT_PAGE_SHORT].map(String::from).to_vec()
}

fn default_template_start() -> u32 {
    1
}

fn default_max_list_pages() -> usize {
    10
}

fn default_interval() -> Duration {
    Duration::from_secs(6 * 3600)
}

fn default_lease() -> Duration {
    Duration::from_secs(60)
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
    /// Largest attachment (PDF, DOCX, …) read; larger ones are refused.
    #[serde(default = "default_max_attachment_bytes")]
    pub max_attachment_bytes: usize,
    /// Contact URL or address appended to the User-Agent as "(+URL)" unless already in it.
    #[serde(default)]
    pub contact_url: Option<String>,
    /// Pause between two requests to the same host (robots.txt Crawl-delay may lengthen it).
    #[serde(default = "default_delay", with = "humantime_serde_compat")]
    pub delay: Duration,
    /// Requests in flight to one host at most.
    #[serde(default = "default_per_host_concurrency")]
    pub per_host_concurrency: usize,
    /// Requests in flight in the whole process at most.
    #[serde(default = "default_global_concurrency")]
    pub global_concurrency: usize,
    /// Redirects followed per request; each hop is address-checked.
    #[serde(default = "default_max_redirects")]
    pub max_redirects: usize,
    /// Retries after a 5xx, 429, timeout or connection error, before giving up on a page.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// First retry delay; doubles per attempt, with full jitter.
    #[serde(default = "default_retry_base", with = "humantime_serde_compat")]
    pub retry_base: Duration,
    /// Longest retry delay (also caps how long a Retry-After is waited for in a run).
    #[serde(default = "default_retry_max", with = "humantime_serde_compat")]
    pub retry_max: Duration,
    /// Consecutive failures of a host that open its circuit breaker.
    #[serde(default = "default_breaker_threshold")]
    pub breaker_threshold: u32,
    /// How long an open breaker refuses requests to its host.
    #[serde(default = "default_breaker_cooldown", with = "humantime_serde_compat")]
    pub breaker_cooldown: Duration,
    /// Obey robots.txt (on by default; turn off only for your own sites).
    #[serde(default = "default_respect_robots")]
    pub respect_robots: bool,
    /// How long a fetched robots.txt is trusted before it is asked for again; RFC 9309 (2.4)
    /// caps this at a day, and longer values are read as a day.
    #[serde(default = "default_robots_max_age", with = "humantime_serde_compat")]
    pub robots_max_age: Duration,
    /// How long a host whose robots.txt answered 5xx or 429, or not at all, is left alone
    /// (everything disallowed, or its last known rules kept) before robots.txt is asked again.
    #[serde(
        default = "default_robots_unavailable_retry",
        with = "humantime_serde_compat"
    )]
    pub robots_unavailable_retry: Duration,
    /// How long a claimed frontier entry or scheduled run stays this worker's without renewal
    /// (renewed every third of it). Replicas on one store take over the work of one that died
    /// after this long; shorter means faster takeover and more renewal writes.
    #[serde(default = "default_lease", with = "humantime_serde_compat")]
    pub lease: Duration,
}

impl Default for CrawlerConfig {
    fn default() -> Self {
        Self {
            user_agent: default_user_agent(),
            request_timeout: default_request_timeout(),
            connect_timeout: default_connect_timeout(),
            max_body_bytes: default_max_body_bytes(),
            max_attachment_bytes: default_max_attachment_bytes(),
            contact_url: None,
            delay: default_delay(),
            per_host_concurrency: default_per_host_concurrency(),
            global_concurrency: default_global_concurrency(),
            max_redirects: default_max_redirects(),
            max_retries: default_max_retries(),
            retry_base: default_retry_base(),
            retry_max: default_retry_max(),
            breaker_threshold: default_breaker_threshold(),
            breaker_cooldown: default_breaker_cooldown(),
            respect_robots: default_respect_robots(),
            robots_max_age: default_robots_max_age(),
            robots_unavailable_retry: default_robots_unavailable_retry(),
            lease: default_lease(),
        }
    }
}

impl CrawlerConfig {
    /// The User-Agent header: `user_agent`, with the contact URL appended if it is not in it.
    pub fn user_agent_header(&self) -> String {
        match &self.contact_url {
            Some(contact) if !self.user_agent.contains(contact.as_str()) => {
                format!("{} (+{contact})", self.user_agent)
            }
            Some(_) | None => self.user_agent.clone(),
        }
    }
}

fn default_per_host_concurrency() -> usize {
    1
}

fn default_global_concurrency() -> usize {
    16
}

fn default_max_redirects() -> usize {
    5
}

fn default_max_retries() -> u32 {
    3
}

fn default_retry_base() -> Duration {
    Duration::from_secs(2)
}

fn default_retry_max() -> Duration {
    Duration::from_secs(120)
}

fn default_breaker_threshold() -> u32 {
    5
}

fn default_breaker_cooldown() -> Duration {
    Duration::from_secs(600)
}

fn default_respect_robots() -> bool {
    true
}

fn default_robots_max_age() -> Duration {
    Duration::from_secs(24 * 3600)
}

fn default_robots_unavailable_retry() -> Duration {
    Duration::from_secs(30 * 60)
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

fn default_max_attachment_bytes() -> usize {
    32 * 1024 * 1024
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
