//! The crawler against a local fault-injecting site: each test gets its own site on
//! 127.0.0.1:0 (bound before serving, so no readiness sleeps) and its own sled directory.

mod crawl {
    pub(crate) mod faults;
    pub(crate) mod incremental;
    pub(crate) mod rules;
    pub(crate) mod shared;
    pub(crate) mod site;
}

use gazette_store::SledStore;
use gazette_store::prelude::*;
use gazette_worker::{CrawlReport, Crawler, CrawlerConfig, SourceConfig};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// A crawler with tiny delays, so that retries and timeouts take milliseconds.
pub(crate) fn test_config() -> CrawlerConfig {
    CrawlerConfig {
        request_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_millis(500),
        max_body_bytes: 1024 * 1024,
        delay: Duration::ZERO,
        max_retries: 2,
        retry_base: Duration::from_millis(10),
        retry_max: Duration::from_secs(3),
        breaker_threshold: 100,
        ..CrawlerConfig::default()
    }
}

/// A store in a fresh temporary directory and a crawler on it.
pub(crate) struct Harness {
    /// The store.
    pub(crate) store: Arc<SledStore>,
    /// The crawler writing into it.
    pub(crate) crawler: Crawler,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A fresh store and a crawler with `config`.
    pub(crate) fn new(config: CrawlerConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(SledStore::open(dir.path()).expect("open store"));
        let crawler = Crawler::new(config, Arc::clone(&store) as Arc<dyn Store>).expect("crawler");
        Self {
            store,
            crawler,
            _dir: dir,
        }
    }

    /// One run of `source`.
    pub(crate) async fn crawl(&self, source: &SourceConfig) -> CrawlReport {
        self.crawler
            .crawl_once(source, &CancellationToken::new())
            .await
            .expect("crawl step")
    }
}

/// A loopback source starting at `start` that takes every link with the default keywords.
pub(crate) fn source(start: String) -> SourceConfig {
    SourceConfig {
        name: "test".into(),
        start_urls: vec![start],
        allow_loopback: true,
        use_sitemaps: false,
        ..SourceConfig::default()
    }
}
