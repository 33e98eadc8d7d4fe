//! The service's configuration: built-in defaults, then the TOML file, then CLI flags. Every
//! field has a doc comment and a default, so an empty file is a valid configuration.

use anyhow::Context;
use gazette_worker::{CrawlerConfig, SourceConfig};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything `gazette serve` needs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the gRPC server listens on.
    #[serde(default = "default_grpc_addr")]
    pub grpc_addr: SocketAddr,
    /// Directory of the sled database.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// How the crawler treats every site.
    #[serde(default)]
    pub crawler: CrawlerConfig,
    /// The sites to crawl, as `[[source]]` tables.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            grpc_addr: default_grpc_addr(),
            data_dir: default_data_dir(),
            crawler: CrawlerConfig::default(),
            sources: Vec::new(),
        }
    }
}

fn default_grpc_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 50051))
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./gazette-data")
}

impl Settings {
    /// Reads a TOML file over the defaults; errors name the file and the offending key.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        let settings: Self =
            toml::from_str(&text).with_context(|| format!("invalid config {}", path.display()))?;
        settings
            .validate()
            .with_context(|| format!("invalid config {}", path.display()))?;
        Ok(settings)
    }

    /// Checks what serde cannot: unique source names and valid patterns.
    pub fn validate(&self) -> anyhow::Result<()> {
        let mut names = std::collections::HashSet::new();
        for source in &self.sources {
            anyhow::ensure!(
                names.insert(&source.name),
                "source name {:?} is used twice",
                source.name
            );
            anyhow::ensure!(
                !source.start_urls.is_empty(),
                "source {:?}: start_urls is empty",
                source.name
            );
            regex::Regex::new(&source.notice_url_pattern)
                .with_context(|| format!("source {:?}: notice_url_pattern", source.name))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults_and_unknown_keys_fail() {
        let settings: Settings = toml::from_str("").expect("empty config is valid");
        assert_eq!(settings, Settings::default());
        assert!(toml::from_str::<Settings>("grpc_adr = \"x\"").is_err());
    }

    #[test]
    fn every_example_config_under_deploy_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("deploy/ exists") {
            let path = entry.expect("dir entry").path();
            if path.extension().is_some_and(|e| e == "toml") {
                Settings::from_file(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
                seen += 1;
            }
        }
        assert!(seen > 0, "no example config in deploy/");
    }
}
