//! HTTP fetching with the limits every request obeys: timeouts, a body size cap, a redirect
//! cap, and a refusal of every non-public address ([`crate::address`]) (checked after DNS
//! resolution, so a public name pointing inside the network is refused too) unless the source
//! allows them.

use crate::address::is_public;
use crate::blocked;
use crate::config::CrawlerConfig;
use crate::error::{Result, WorkerError};
use gazette_store::now_ms;
use std::time::{Duration, SystemTime};
use url::Url;

/// A page as fetched, before cleaning.
#[derive(Debug, Clone, Default)]
pub struct FetchedPage {
    /// The URL requested.
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    /// HTTP status (304 when the page has not changed; then `body` is empty).
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The `Last-Modified` header.
    pub last_modified: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// When the response arrived, in milliseconds since the Unix epoch.
    pub fetched_at_ms: i64,
}

impl FetchedPage {
    /// True when a conditional request found the page unchanged.
    pub fn not_modified(&self) -> bool {
        self.status == 304
    }

    /// The page as a document for [`gazette_pipeline::prepare`], with the body's hash when it
    /// was already computed.
    pub fn into_document(self, content_sha256: Option<String>) -> gazette_pipeline::Document {
        gazette_pipeline::Document {
            url: self.url,
            final_url: self.final_url,
            status: self.status,
            content_type: self.content_type,
            etag: self.etag,
            last_modified: self.last_modified,
            fetched_at_ms: self.fetched_at_ms,
            content_sha256,
            body: self.body,
        }
    }
}

/// What a request is for, which decides the content types accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A list or notice page: HTML or text.
    Html,
    /// A sitemap: XML or text.
    Sitemap,
    /// robots.txt: text.
    Robots,
    /// A document linked from a notice page (PDF, DOCX, …): any type, since servers label
    /// them loosely (`application/octet-stream`, `application/x-download`); the bytes decide.
    /// Capped at `max_attachment_bytes` instead of `max_body_bytes`.
    Attachment,
}

/// One request: the URL and what we know of the copy we already have.
#[derive(Debug, Clone, Copy)]
pub struct FetchRequest<'a> {
    /// The URL.
    pub url: &'a str,
    /// Allow loopback and private addresses.
    pub allow_loopback: bool,
    /// ETag of the stored copy, sent as If-None-Match.
    pub etag: Option<&'a str>,
    /// Last-Modified of the stored copy, sent as If-Modified-Since.
    pub last_modified: Option<&'a str>,
    /// What the body should be.
    pub expect: Expect,
    /// The source asking, for metrics and logs; empty when none.
    pub source: &'a str,
}

impl<'a> FetchRequest<'a> {
    /// An unconditional request for an HTML page.
    pub fn html(url: &'a str, allow_loopback: bool) -> Self {
        Self {
            url,
            allow_loopback,
            etag: None,
            last_modified: None,
            expect: Expect::Html,
            source: "",
        }
    }
}

/// An HTTP client configured for polite crawling. Redirects are followed by hand so that every
/// hop is address-checked and loops are caught.
#[derive(Debug, Clone)]
pub struct Fetcher {
    /// Resolves names to public addresses only, so DNS rebinding between our check and the
    /// connection cannot reach inside the network.
    public: reqwest::Client,
    /// For sources that allow loopback (tests, the demo).
    any: reqwest::Client,
    max_body_bytes: usize,
    max_attachment_bytes: usize,
    max_redirects: usize,
}

impl Fetcher {
    /// Builds the clients. Installs ring as the process's rustls provider first: reqwest is
    /// built with `rustls-no-provider` to keep aws-lc's C build out of the project.
    pub fn new(config: &CrawlerConfig) -> Result<Self> {
        // Err only means a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let build = |public: bool| {
            let mut builder = reqwest::Client::builder()
                .user_agent(config.user_agent_header())
                .timeout(config.request_timeout)
                .connect_timeout(config.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(config.per_host_concurrency.max(1));
            if public {
                builder = builder.dns_resolver(std::sync::Arc::new(PublicResolver));
            }
            builder.build().map_err(|source| WorkerError::Http {
                url: String::new(),
                source,
            })
        };
        Ok(Self {
            public: build(true)?,
            any: build(false)?,
            max_body_bytes: config.max_body_bytes,
            max_attachment_bytes: config.max_attachment_bytes,
            max_redirects: config.max_redirects,
        })
    }

    /// Redirects followed per request at most, as configured.
    pub fn max_redirects(&self) -> usize {
        self.max_redirects
    }

    /// Fetches an HTML page unconditionally, refusing non-public addresses unless
    /// `allow_loopback`.
    pub async fn fetch(&self, url: &str, allow_loopback: bool) -> Result<FetchedPage> {
        self.request(FetchRequest::html(url, allow_loopback)).await
    }

    /// Fetches `req.url`, following redirects here, without any per-host rules (the crawler
    /// goes through [`crate::politeness::Politeness`], which applies them to every hop). A 304
    /// answer to a conditional request is returned as a page with status 304 and no body.
    pub async fn request(&self, req: FetchRequest<'_>) -> Result<FetchedPage> {
        let mut chain = RedirectChain::new(req.url, self.max_redirects)?;
        loop {
            match self.hop(req, &chain).await? {
                Hop::Page(page) => return Ok(page),
                Hop::Redirect(next) => chain.follow(next)?,
            }
        }
    }

    /// One request, to the chain's current URL: the page, or where a redirect points. The
    /// address is checked first; conditional headers go with the first hop only, as they
    /// belong to the URL we stored.
    pub async fn hop(&self, req: FetchRequest<'_>, chain: &RedirectChain) -> Result<Hop> {
        let url = req.url;
        let current = chain.current();
        let client = if req.allow_loopback {
            &self.any
        } else {
            check_public(current).await?;
            &self.public
        };
        let http = |source| WorkerError::Http {
            url: url.into(),
            source,
        };
        let mut get = client.get(current.clone());
        if chain.is_first() {
            if let Some(etag) = req.etag {
                get = get.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = req.last_modified {
                get = get.header(reqwest::header::IF_MODIFIED_SINCE, modified);
            }
        }
        let mut response = get.send().await.map_err(http)?;
        let status = response.status().as_u16();
        if response.status().is_redirection() && status != 304 {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| WorkerError::Status {
                    url: url.into(),
                    status,
                    retry_after: None,
                })?;
            let next = current.join(location).map_err(|e| WorkerError::BadUrl {
                url: location.into(),
                reason: e.to_string(),
            })?;
            return Ok(Hop::Redirect(parse_http(next.as_str())?));
        }
        let header = |name: reqwest::header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut page = FetchedPage {
            url: url.into(),
            final_url: current.to_string(),
            status,
            content_type: header(reqwest::header::CONTENT_TYPE),
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
            body: Vec::new(),
            fetched_at_ms: now_ms(),
        };
        if status == 304 {
            return Ok(Hop::Page(page));
        }
        let cookies: Vec<String> = response
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let cookies: Vec<&str> = cookies.iter().map(String::as_str).collect();
        if !response.status().is_success() {
            let retry_after = header(reqwest::header::RETRY_AFTER)
                .as_deref()
                .and_then(parse_retry_after);
            // Challenge services answer with an error status and a script; only a bounded
            // prefix of such a body is read to tell them from plain errors.
            if req.expect != Expect::Robots && blocked::SNIFFED_STATUSES.contains(&status) {
                let mut prefix = Vec::new();
                while prefix.len() < blocked::SNIFF_BYTES {
                    match response.chunk().await {
                        Ok(Some(chunk)) => prefix.extend_from_slice(&chunk),
                        Ok(None) | Err(_) => break,
                    }
                }
                if let Some(challenge) = blocked::detect(status, &cookies, &prefix) {
                    return Err(WorkerError::Blocked {
                        url: url.into(),
                        status,
                        challenge,
                    });
                }
            }
            return Err(WorkerError::Status {
                url: url.into(),
                status,
                retry_after,
            });
        }
        if let Some(content_type) = &page.content_type
            && !accepts(req.expect, content_type)
        {
            return Err(WorkerError::ContentType {
                url: url.into(),
                content_type: content_type.clone(),
            });
        }
        // robots.txt is read up to the RFC 9309 limit and cut there, never refused for size.
        let (limit, truncate) = match req.expect {
            Expect::Robots => (crate::robots::MAX_ROBOTS_BYTES, true),
            Expect::Html | Expect::Sitemap => (self.max_body_bytes, false),
            Expect::Attachment => (self.max_attachment_bytes, false),
        };
        let too_large = || WorkerError::TooLarge {
            url: url.into(),
            limit,
        };
        if !truncate && response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        // Read in chunks so that a lying or absent Content-Length cannot exhaust memory.
        while let Some(chunk) = response.chunk().await.map_err(http)? {
            let room = limit - page.body.len();
            if chunk.len() > room {
                if !truncate {
                    return Err(too_large());
                }
                page.body
                    .extend_from_slice(chunk.get(..room).unwrap_or_default());
                break;
            }
            page.body.extend_from_slice(&chunk);
        }
        page.fetched_at_ms = now_ms();
        // A challenge can come with 200 too (a script that reloads the page); pages and
        // documents served as markup are checked, sitemaps and robots.txt are not pages.
        let markup = page
            .content_type
            .as_deref()
            .is_none_or(|t| t.to_ascii_lowercase().contains("html"));
        let checked = match req.expect {
            Expect::Html => true,
            Expect::Attachment => markup,
            Expect::Sitemap | Expect::Robots => false,
        };
        if checked && let Some(challenge) = blocked::detect(status, &cookies, &page.body) {
            return Err(WorkerError::Blocked {
                url: url.into(),
                status,
                challenge,
            });
        }
        Ok(Hop::Page(page))
    }
}

/// One HTTP exchange of a fetch.
#[derive(Debug)]
pub enum Hop {
    /// The answer: a page (or a 304).
    Page(FetchedPage),
    /// A redirect to this URL (checked to be http or https).
    Redirect(Url),
}

/// The URLs one fetch goes through, and the redirect rules: no URL twice, at most `limit`
/// redirects.
#[derive(Debug, Clone)]
pub struct RedirectChain {
    requested: String,
    current: Url,
    visited: std::collections::HashSet<String>,
    limit: usize,
}

impl RedirectChain {
    /// A chain starting at `url`, allowing `limit` redirects.
    pub fn new(url: &str, limit: usize) -> Result<Self> {
        let current = parse_http(url)?;
        Ok(Self {
            requested: url.into(),
            visited: std::iter::once(current.to_string()).collect(),
            current,
            limit,
        })
    }

    /// The URL to ask next.
    pub fn current(&self) -> &Url {
        &self.current
    }

    /// True before any redirect was followed.
    pub fn is_first(&self) -> bool {
        self.visited.len() == 1
    }

    /// Moves on to `next`, refusing a loop or one redirect too many.
    pub fn follow(&mut self, next: Url) -> Result<()> {
        if self.visited.contains(next.as_str()) {
            return Err(WorkerError::RedirectLoop {
                url: self.requested.clone(),
            });
        }
        if self.visited.len() > self.limit {
            return Err(WorkerError::TooManyRedirects {
                url: self.requested.clone(),
                limit: self.limit,
            });
        }
        self.visited.insert(next.to_string());
        self.current = next;
        Ok(())
    }
}

fn parse_http(url: &str) -> Result<Url> {
    let parsed = Url::parse(url).map_err(|e| WorkerError::BadUrl {
        url: url.into(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(WorkerError::BadUrl {
            url: url.into(),
            reason: "only http and https are fetched".into(),
        });
    }
    Ok(parsed)
}

/// Whether a declared content type fits what the request is for.
fn accepts(expect: Expect, content_type: &str) -> bool {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let text = mime.starts_with("text/");
    match expect {
        Expect::Html => text || mime == "application/xhtml+xml",
        // A gzipped sitemap (.xml.gz) comes as gzip or as anonymous bytes.
        Expect::Sitemap => {
            text || mime.ends_with("/xml")
                || mime.ends_with("+xml")
                || matches!(
                    mime.as_str(),
                    "application/gzip" | "application/x-gzip" | "application/octet-stream"
                )
        }
        Expect::Robots => text,
        Expect::Attachment => true,
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A DNS resolver that drops non-public addresses.
struct PublicResolver;

impl reqwest::dns::Resolve for PublicResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{} has no public address", name.as_str()).into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

async fn check_public(url: &Url) -> Result<()> {
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let forbidden = || WorkerError::ForbiddenAddress {
        url: url.to_string(),
        host: host.clone(),
    };
    let addrs = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|e| WorkerError::BadUrl {
            url: url.to_string(),
            reason: format!("cannot resolve host: {e}"),
        })?;
    for addr in addrs {
        if !is_public(addr.ip()) {
            return Err(forbidden());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_retry_after() {
        assert!(accepts(Expect::Html, "text/html; charset=gbk"));
        assert!(!accepts(Expect::Html, "application/pdf"));
        assert!(accepts(Expect::Sitemap, "application/xml"));
        assert!(!accepts(Expect::Robots, "image/png"));
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
