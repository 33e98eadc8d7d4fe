//! HTTP fetching with the limits every request obeys: timeouts, a body size cap, a redirect
//! cap, and a refusal of loopback, private and link-local addresses (checked after DNS
//! resolution, so a public name pointing inside the network is refused too) unless the source
//! allows them.

use crate::config::CrawlerConfig;
use crate::error::{Result, WorkerError};
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};
use url::Url;

/// A page as fetched, before cleaning.
#[derive(Debug, Clone)]
pub struct FetchedPage {
    /// The URL requested.
    pub url: String,
    /// The URL after redirects.
    pub final_url: String,
    /// HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// When the response arrived, in milliseconds since the Unix epoch.
    pub fetched_at_ms: i64,
}

/// Redirects followed before a fetch fails.
const MAX_REDIRECTS: usize = 5;

/// An HTTP client configured for polite crawling.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body_bytes: usize,
}

impl Fetcher {
    /// Builds the client. Installs ring as the process's rustls provider first: reqwest is
    /// built with `rustls-no-provider` to keep aws-lc's C build out of the project.
    pub fn new(config: &CrawlerConfig) -> Result<Self> {
        // Err only means a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|source| WorkerError::Http {
                url: String::new(),
                source,
            })?;
        Ok(Self {
            client,
            max_body_bytes: config.max_body_bytes,
        })
    }

    /// Fetches `url`, refusing non-public addresses unless `allow_loopback`.
    pub async fn fetch(&self, url: &str, allow_loopback: bool) -> Result<FetchedPage> {
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
        if !allow_loopback {
            check_public(&parsed).await?;
        }
        let http = |source| WorkerError::Http {
            url: url.into(),
            source,
        };
        let mut response = self.client.get(parsed.clone()).send().await.map_err(http)?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Err(WorkerError::Status {
                url: url.into(),
                status,
            });
        }
        let final_url = response.url().to_string();
        if !allow_loopback && final_url != parsed.as_str() {
            check_public(response.url()).await?;
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let too_large = || WorkerError::TooLarge {
            url: url.into(),
            limit: self.max_body_bytes,
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_body_bytes as u64)
        {
            return Err(too_large());
        }
        // Read in chunks so that a lying or absent Content-Length cannot exhaust memory.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(http)? {
            if body.len() + chunk.len() > self.max_body_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(FetchedPage {
            url: url.into(),
            final_url,
            status,
            content_type,
            body,
            fetched_at_ms: now_ms(),
        })
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
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

/// True for addresses on the public internet.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                // 100.64.0.0/10, carrier-grade NAT
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xC0) == 64))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xFE00) == 0xFC00 // unique local
                || (first & 0xFFC0) == 0xFE80 // link local
                || v6.to_ipv4_mapped().is_some_and(|v4| !is_public(IpAddr::V4(v4))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "169.254.1.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "100.64.0.1",
        ] {
            assert!(!is_public(ip.parse().expect("literal ip")), "{ip}");
        }
        assert!(is_public("8.8.8.8".parse().expect("literal ip")));
    }
}
