//! A source with its patterns compiled once per run and shared by the run's tasks.

use crate::config::SourceConfig;
use crate::error::{Result, WorkerError};
use crate::links::{LinkFilter, NextLink};
use gazette_pipeline::Reading;

/// Sitemaps fetched per run at most (on top of the list-page limit).
pub(crate) const MAX_SITEMAPS: usize = 20;

/// A source ready to crawl: its config, its link rules and how its pages are read.
#[derive(Debug)]
pub(crate) struct CompiledSource {
    /// The source as configured.
    pub(crate) source: SourceConfig,
    /// Which links of a list page lead to notices.
    pub(crate) links: LinkFilter,
    /// How a list page links to the next one.
    pub(crate) next: NextLink,
    /// The source's overrides for cleaning its pages.
    pub(crate) reading: Reading,
    /// The source's time zone (sitemap dates without a zone are read in it).
    pub(crate) tz: chrono_tz::Tz,
}

impl CompiledSource {
    /// Compiles `source`'s patterns; a bad regex or selector is a configuration error.
    pub(crate) fn new(source: &SourceConfig) -> Result<Self> {
        let bad = |reason: String| WorkerError::BadPattern {
            source_name: source.name.clone(),
            reason,
        };
        let selector = source
            .pagination
            .next_selector
            .as_deref()
            .map(|css| {
                scraper::Selector::parse(css).map_err(|e| bad(format!("next_selector: {e}")))
            })
            .transpose()?;
        Ok(Self {
            source: source.clone(),
            links: LinkFilter {
                url_pattern: regex::Regex::new(&source.notice_url_pattern)
                    .map_err(|e| bad(e.to_string()))?,
                keywords: source.notice_link_text.clone(),
            },
            next: NextLink {
                texts: source.pagination.next_link_text.clone(),
                selector,
            },
            reading: Reading {
                charset: source.charset.clone(),
                content_selector: source.content_selector.clone(),
            },
            tz: source.time_zone()?,
        })
    }

    /// The source's name.
    pub(crate) fn name(&self) -> &str {
        &self.source.name
    }

    /// Per-run caps for notice pages and for list pages plus sitemaps.
    pub(crate) fn caps(&self) -> (usize, usize) {
        (
            self.source.max_pages,
            self.source.pagination.max_list_pages + MAX_SITEMAPS,
        )
    }
}
