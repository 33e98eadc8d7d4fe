//! The service's configuration, in layers: built-in defaults (serde defaults on every field),
//! the TOML file, `GAZETTE_*` environment variables (`__` separates nesting:
//! `GAZETTE_CRAWLER__DELAY=5s`), then CLI flags, which the binary applies last. Every field has
//! a doc comment and a default, so an empty file is a valid configuration.

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Toml};
use gazette_worker::{CrawlerConfig, SourceConfig};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Prefix of environment variables that override the file.
pub const ENV_PREFIX: &str = "GAZETTE_";

/// The shortest frontier lease accepted: renewals (every third of it) must stay well apart.
const MIN_LEASE: Duration = Duration::from_secs(3);

/// Everything `gazette serve` needs.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Address the gRPC server listens on.
    #[serde(default = "default_grpc_addr")]
    pub grpc_addr: SocketAddr,
    /// Address of the Prometheus `/metrics` listener; none when unset.
    #[serde(default)]
    pub metrics_addr: Option<SocketAddr>,
    /// Directory of the sled database.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Bearer token that admin calls (CrawlService) must carry; admin calls are refused while
    /// it is unset. Never logged.
    #[serde(default)]
    pub admin_token: Option<Secret>,
    /// Whether reads (NoticeService, OrganisationService) are open without the token, as on a
    /// trusted network. When false they need the admin token too.
    #[serde(default = "default_open_reads")]
    pub open_reads: bool,
    /// Longest time one RPC may take; a shorter client deadline (grpc-timeout) wins.
    #[serde(default = "default_request_timeout", with = "duration_text")]
    pub request_timeout: Duration,
    /// Largest request or response message in bytes (IngestDocument carries whole pages).
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: usize,
    /// TLS for the gRPC listener; plaintext when unset.
    #[serde(default)]
    pub tls: Option<TlsSettings>,
    /// Memory for the store's caches.
    #[serde(default)]
    pub store: StoreSettings,
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
            metrics_addr: None,
            admin_token: None,
            open_reads: default_open_reads(),
            request_timeout: default_request_timeout(),
            max_message_bytes: default_max_message_bytes(),
            tls: None,
            data_dir: default_data_dir(),
            store: StoreSettings::default(),
            crawler: CrawlerConfig::default(),
            sources: Vec::new(),
        }
    }
}

fn default_grpc_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 50051))
}

fn default_open_reads() -> bool {
    true
}

fn default_request_timeout() -> Duration {
    Duration::from_secs(30)
}

fn default_max_message_bytes() -> usize {
    16 * 1024 * 1024
}

/// Which store, and memory for its caches, as the `[store]` table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// A `postgres://user:password@host:port/database` URL: the store is that PostgreSQL
    /// database, shared with any other replica given the same URL. Unset: sled in `data_dir`.
    #[serde(default)]
    pub url: Option<StoreUrl>,
    /// sled's page cache in bytes: recently read and written database pages.
    #[serde(default = "default_page_cache_bytes")]
    pub page_cache_bytes: u64,
    /// Decoded notices kept for GetNotice, ListNotices and issue status, counted by their
    /// stored size in bytes; 0 turns it off. Every read still checks the record's checksum.
    #[serde(default = "default_notice_cache_bytes")]
    pub notice_cache_bytes: u64,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            url: None,
            page_cache_bytes: default_page_cache_bytes(),
            notice_cache_bytes: default_notice_cache_bytes(),
        }
    }
}

impl StoreSettings {
    /// The sled store's options.
    pub fn options(&self) -> gazette_store::StoreOptions {
        gazette_store::StoreOptions {
            page_cache_bytes: self.page_cache_bytes,
            notice_cache_bytes: self.notice_cache_bytes,
        }
    }
}

fn default_page_cache_bytes() -> u64 {
    gazette_store::DEFAULT_CACHE_BYTES
}

fn default_notice_cache_bytes() -> u64 {
    gazette_store::DEFAULT_NOTICE_CACHE_BYTES
}

/// A database URL, whose password is printed as `***` (in `config check`, logs and errors).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct StoreUrl(String);

impl StoreUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with its password (if any) replaced by `***`.
    pub fn redacted(&self) -> String {
        gazette_store::postgres::redact_url(&self.0)
    }
}

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

/// Certificate and key files for the gRPC listener.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM certificate chain.
    pub cert: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// A secret setting: readable by the code that needs it, printed as `***` everywhere else.
///
/// Any scalar is accepted and taken as its text (`admin_token = 12345` or `= true` in TOML
/// mean the strings "12345" and "true"), so a value's type never produces an error that would
/// have to quote it. Arrays and tables are refused without showing their contents.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that compares it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarText).map(Secret)
    }
}

/// Reads any scalar as its text.
struct ScalarText;

impl serde::de::Visitor<'_> for ScalarText {
    type Value = String;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string, number or boolean")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_char<E: serde::de::Error>(self, v: char) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// Setting keys whose values are secrets: never quoted in an error.
const SECRET_KEYS: &[&str] = &["admin_token"];

/// The environment variable of the admin token. It is read as raw text rather than through
/// figment's environment provider, which would turn `007` into the number 7 and `[x]` into
/// an array.
const ADMIN_TOKEN_ENV: &str = "GAZETTE_ADMIN_TOKEN";

/// The admin token from the environment, its name matched without regard to case as
/// figment matches the other `GAZETTE_*` variables; surrounding whitespace is dropped.
fn admin_token_from_env() -> Option<Secret> {
    std::env::vars_os()
        .find(|(key, _)| {
            key.to_str()
                .is_some_and(|k| k.eq_ignore_ascii_case(ADMIN_TOKEN_ENV))
        })
        .map(|(_, value)| Secret::new(value.to_string_lossy().trim()))
}

/// The texts that a configuration error must not contain: the secret values of `toml_text`
/// (found line by line, so that even a file that does not parse gives them up) and of the
/// environment.
fn secret_texts(toml_text: Option<&str>) -> Vec<String> {
    let mut secrets = Vec::new();
    for line in toml_text.unwrap_or_default().lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        if !SECRET_KEYS.contains(&key) {
            continue;
        }
        let value = value.trim();
        // The value as written, and without its quotes (what a parser would quote back).
        for text in [value, value.trim_matches(['"', '\''])] {
            if !text.is_empty() {
                secrets.push(text.to_owned());
            }
        }
    }
    secrets.extend(
        admin_token_from_env()
            .map(|s| s.0)
            .filter(|s| !s.is_empty()),
    );
    // Longest first, so a value is replaced whole before any shorter text inside it.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// `message` with every secret text replaced by `***`.
fn redact(message: &str, secrets: &[String]) -> String {
    secrets.iter().fold(message.to_owned(), |text, secret| {
        text.replace(secret.as_str(), "***")
    })
}

/// Checks the TOML syntax of `text`. The parser's own error quotes the offending line, which
/// may be a secret's, so the error here gives the line and column and the parser's message
/// only.
fn check_toml_syntax(text: &str) -> anyhow::Result<()> {
    let Err(error) = toml::from_str::<toml::Table>(text) else {
        return Ok(());
    };
    let offset = error.span().map_or(0, |span| span.start).min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    anyhow::bail!(
        "TOML syntax error at line {line}, column {column}: {}",
        error.message().trim()
    )
}

/// Durations as humantime strings ("30s", "6h").
mod duration_text {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(serde::de::Error::custom)
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from("./gazette-data")
}

impl Settings {
    /// Where the store lives: `[store] url` when set, else the data directory.
    pub fn store_location(&self) -> crate::stores::StoreLocation {
        match &self.store.url {
            Some(url) => crate::stores::StoreLocation::Url(url.expose().to_owned()),
            None => crate::stores::StoreLocation::Dir(self.data_dir.clone()),
        }
    }

    /// Points the settings at `location` (a `--store` argument): a directory becomes the data
    /// directory, a URL the `[store] url`.
    pub fn use_store(&mut self, location: crate::stores::StoreLocation) {
        match location {
            crate::stores::StoreLocation::Dir(dir) => {
                self.data_dir = dir;
                self.store.url = None;
            }
            crate::stores::StoreLocation::Url(url) => self.store.url = Some(StoreUrl::new(url)),
        }
    }

    /// Reads a TOML file over the defaults; errors name the file and the offending key.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        Self::extract(Figment::new(), Some(path), false)
    }

    /// The defaults, then `file` if given, then `GAZETTE_*` environment variables.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Self::extract(Figment::new(), file, true)
    }

    fn extract(figment: Figment, file: Option<&Path>, env: bool) -> anyhow::Result<Self> {
        let origin = file
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "environment".into());
        // Read once here so that the syntax check and the redaction see what figment reads.
        let text = match file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading the configuration {origin}"))?,
            ),
            None => None,
        };
        let secrets = secret_texts(text.as_deref());
        let fail = |error: anyhow::Error| {
            anyhow::anyhow!(redact(
                &format!("invalid configuration in {origin}: {error:#}"),
                &secrets
            ))
        };
        let mut figment = figment;
        if let (Some(path), Some(text)) = (file, &text) {
            check_toml_syntax(text).map_err(fail)?;
            figment = figment.merge(Toml::file_exact(path));
        }
        if env {
            // GAZETTE_LOG is the log filter, read by the binary's logging setup, not a
            // setting; the admin token is read raw below.
            let env = Env::prefixed(ENV_PREFIX)
                .filter(|key| {
                    !key.as_str().eq_ignore_ascii_case("log")
                        && !SECRET_KEYS
                            .iter()
                            .any(|s| key.as_str().eq_ignore_ascii_case(s))
                })
                .split("__");
            figment = figment.merge(env);
        }
        // figment's error names the key and its provider, but prints the file relative to the
        // working directory; name it as the operator gave it too.
        let mut settings: Self = figment.extract().map_err(|e| fail(anyhow::anyhow!(e)))?;
        if env && let Some(token) = admin_token_from_env() {
            settings.admin_token = Some(token);
        }
        settings.validate().map_err(fail)?;
        Ok(settings)
    }

    /// Checks what serde cannot: unique source names, valid patterns, readable TLS files.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(tls) = &self.tls {
            for (key, path) in [("tls.cert", &tls.cert), ("tls.key", &tls.key)] {
                anyhow::ensure!(
                    path.is_file(),
                    "{key}: {} is not a readable file",
                    path.display()
                );
            }
        }
        for (key, timeout) in [
            ("request_timeout", self.request_timeout),
            ("crawler.request_timeout", self.crawler.request_timeout),
            ("crawler.connect_timeout", self.crawler.connect_timeout),
        ] {
            anyhow::ensure!(!timeout.is_zero(), "{key} must be positive");
        }
        anyhow::ensure!(
            self.crawler.lease >= MIN_LEASE,
            "crawler.lease must be at least {} s (leases are renewed every third of it)",
            MIN_LEASE.as_secs()
        );
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
            // Checked here so a bad cron fails at start-up, not silently at schedule time.
            gazette_worker::schedule::Schedule::of(source)
                .with_context(|| format!("source {:?}: schedule", source.name))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_url_is_read_and_printed_without_its_password() {
        let settings: Settings = toml::from_str(
            "[store]\nurl = \"postgres://gz:pa55@db:5432/gazette?sslmode=disable\"\n",
        )
        .expect("valid");
        let url = settings.store.url.as_ref().expect("set");
        assert_eq!(
            url.expose(),
            "postgres://gz:pa55@db:5432/gazette?sslmode=disable"
        );
        assert_eq!(
            url.redacted(),
            "postgres://gz:***@db:5432/gazette?sslmode=disable"
        );
        assert!(!format!("{settings:?}").contains("pa55"));
        for plain in [
            "postgres://db/gazette",
            "postgres://gz@db/g",
            "/var/lib/gazette",
        ] {
            assert_eq!(StoreUrl::new(plain).redacted(), plain);
        }
    }

    #[test]
    fn empty_file_gives_defaults_and_unknown_keys_fail() {
        let settings: Settings = toml::from_str("").expect("empty config is valid");
        assert_eq!(settings, Settings::default());
        assert!(toml::from_str::<Settings>("grpc_adr = \"x\"").is_err());
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
    fn layers_apply_in_order_and_errors_name_the_key() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "g.toml",
                "data_dir = \"/from/file\"\n[crawler]\ndelay = \"3s\"\n",
            )?;
            jail.set_env("GAZETTE_CRAWLER__DELAY", "7s");
            jail.set_env("GAZETTE_LOG", "debug");
            let settings = Settings::load(Some(Path::new("g.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(settings.data_dir, PathBuf::from("/from/file"));
            assert_eq!(settings.crawler.delay, std::time::Duration::from_secs(7));
            assert_eq!(settings.grpc_addr, default_grpc_addr());

            jail.set_env("GAZETTE_ADMIN_TOKEN", "t0ken");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(
                settings.admin_token.as_ref().map(Secret::expose),
                Some("t0ken")
            );
            assert!(
                !format!("{settings:?}").contains("t0ken"),
                "the token must never be printed"
            );

            jail.create_file("bad.toml", "grpc_addr = \"not an address\"\n")?;
            let error = Settings::from_file(Path::new("bad.toml"))
                .expect_err("bad address")
                .to_string();
            assert!(
                error.contains("grpc_addr") && error.contains("bad.toml"),
                "{error}"
            );

            jail.create_file("dup.toml", "[[source]]\nname = \"a\"\nstart_urls = [\"http://x/\"]\n[[source]]\nname = \"a\"\nstart_urls = [\"http://y/\"]\n")?;
            let error = format!(
                "{:#}",
                Settings::from_file(Path::new("dup.toml")).expect_err("duplicate")
            );
            assert!(
                error.contains("used twice") && error.contains("dup.toml"),
                "{error}"
            );
            Ok(())
        });
    }

    /// Loads `text` as a config file and returns the full error chain.
    fn load_error(text: &str) -> (String, String) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gazette.toml");
        std::fs::write(&path, text).expect("write config");
        let error = Settings::from_file(&path).expect_err("the config must be refused");
        (format!("{error:#}"), path.display().to_string())
    }

    #[test]
    fn every_validation_error_names_the_key_and_the_file() {
        const SOURCE: &str = "[[source]]\nname = \"a\"\nstart_urls = [\"http://x/\"]\n";
        let cases: &[(&str, String, &[&str])] = &[
            (
                "duplicate source",
                format!("{SOURCE}{SOURCE}"),
                &["source name", "\"a\"", "used twice"],
            ),
            (
                "empty start_urls",
                "[[source]]\nname = \"a\"\nstart_urls = []\n".into(),
                &["start_urls", "\"a\""],
            ),
            (
                "bad regex",
                format!("{SOURCE}notice_url_pattern = \"(unclosed\"\n"),
                &["notice_url_pattern", "\"a\""],
            ),
            (
                "bad cron",
                format!("{SOURCE}cron = \"not a cron\"\n"),
                &["cron", "not a cron", "\"a\""],
            ),
            (
                "unknown time zone",
                format!("{SOURCE}timezone = \"Mars/Olympus\"\n"),
                &["timezone", "Mars/Olympus", "\"a\""],
            ),
            (
                "missing tls file",
                "[tls]\ncert = \"/nonexistent/cert.pem\"\nkey = \"/nonexistent/key.pem\"\n".into(),
                &["tls.cert", "/nonexistent/cert.pem"],
            ),
            (
                "unknown top-level key",
                "grpc_adr = \"127.0.0.1:1\"\n".into(),
                &["grpc_adr"],
            ),
            (
                "unknown source key",
                format!("{SOURCE}start_url = \"http://y/\"\n"),
                &["start_url"],
            ),
            (
                "unknown crawler key",
                "[crawler]\ndelay_ms = 5\n".into(),
                &["delay_ms"],
            ),
            (
                "zero request_timeout",
                "request_timeout = \"0s\"\n".into(),
                &["request_timeout", "positive"],
            ),
            (
                "zero crawler timeout",
                "[crawler]\nrequest_timeout = \"0s\"\n".into(),
                &["crawler.request_timeout", "positive"],
            ),
            (
                "zero connect timeout",
                "[crawler]\nconnect_timeout = \"0s\"\n".into(),
                &["crawler.connect_timeout", "positive"],
            ),
            (
                "lease too short",
                "[crawler]\nlease = \"2s\"\n".into(),
                &["crawler.lease", "at least 3 s"],
            ),
        ];
        for (case, text, needles) in cases {
            let (error, file) = load_error(text);
            assert!(error.contains(&file), "{case}: file not named: {error}");
            for needle in *needles {
                assert!(error.contains(needle), "{case}: {needle:?} not in: {error}");
            }
        }
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
    fn an_admin_token_may_be_any_scalar_and_is_taken_as_its_text() {
        figment::Jail::expect_with(|jail| {
            let token =
                |settings: &Settings| settings.admin_token.as_ref().map(|t| t.expose().to_owned());
            for (env, expected) in [
                ("8675309", "8675309"),
                ("007", "007"),
                ("true", "true"),
                ("false", "false"),
                ("1.50", "1.50"),
                ("[x, y]", "[x, y]"),
                ("{a=1}", "{a=1}"),
                ("  padded  ", "padded"),
            ] {
                jail.set_env("GAZETTE_ADMIN_TOKEN", env);
                let settings = Settings::load(None).map_err(|e| format!("{env}: {e:#}"))?;
                assert_eq!(token(&settings).as_deref(), Some(expected), "{env}");
            }
            jail.clear_env();
            for (value, expected) in [
                ("8675309", "8675309"),
                ("-42", "-42"),
                ("true", "true"),
                ("false", "false"),
                ("\"quoted\"", "quoted"),
            ] {
                jail.create_file("t.toml", &format!("admin_token = {value}\n"))?;
                let settings = Settings::from_file(Path::new("t.toml"))
                    .map_err(|e| format!("{value}: {e:#}"))?;
                assert_eq!(token(&settings).as_deref(), Some(expected), "{value}");
            }
            // The environment overrides the file, as for every other key.
            jail.create_file("t.toml", "admin_token = 1234\n")?;
            jail.set_env("GAZETTE_ADMIN_TOKEN", "5678");
            let settings = Settings::load(Some(Path::new("t.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(token(&settings).as_deref(), Some("5678"));
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail fixes the closure's error type
    fn no_error_quotes_the_admin_token() {
        figment::Jail::expect_with(|jail| {
            let error_of = |file: &str| {
                Settings::load(Some(Path::new(file)))
                    .map(|_| ())
                    .map_err(|e| format!("{e:#}"))
            };
            let cases = [
                // a TOML syntax error on the token's own line (an unquoted word)
                (
                    "syntax.toml",
                    "open_reads = true\nadmin_token = hunter2secret\n",
                    "hunter2secret",
                ),
                // an unterminated string on the token's line
                (
                    "open.toml",
                    "admin_token = \"s3cr3t-unterminated\n",
                    "s3cr3t-unterminated",
                ),
                // a number followed by garbage
                ("numeric.toml", "admin_token = 8675309 x\n", "8675309"),
                ("boolean.toml", "admin_token = true false\n", "true false"),
                // an array or table: refused, contents not shown
                ("array.toml", "admin_token = [\"arrsecret\"]\n", "arrsecret"),
                (
                    "table.toml",
                    "[admin_token]\nvalue = \"tablesecret\"\n",
                    "tablesecret",
                ),
                // TOML 1.1 syntax that the checker (toml 0.9) accepts and figment's TOML 1.0
                // parser refuses with a snippet of the line
                (
                    "escape.toml",
                    "admin_token = \"\\e-sekrit-value\"\n",
                    "sekrit-value",
                ),
                // another key's error while the token is set
                (
                    "other.toml",
                    "admin_token = \"calm-secret\"\ngrpc_addr = \"nope\"\n",
                    "calm-secret",
                ),
            ];
            for (file, text, secret) in cases {
                jail.create_file(file, text)?;
                let error = error_of(file).expect_err(file);
                assert!(!error.contains(secret), "{file}: the token leaked: {error}");
                assert!(
                    error.contains(file),
                    "{file}: the file is not named: {error}"
                );
            }
            let error = error_of("syntax.toml").expect_err("syntax");
            assert!(error.contains("line 2"), "{error}");
            // The environment's token is not quoted by an error elsewhere either.
            jail.set_env("GAZETTE_ADMIN_TOKEN", "env-secret-4242");
            jail.set_env("GAZETTE_GRPC_ADDR", "env-secret-4242");
            let error = Settings::load(None).map(|_| ()).expect_err("bad address");
            assert!(
                !format!("{error:#}").contains("env-secret-4242"),
                "{error:#}"
            );
            Ok(())
        });
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
