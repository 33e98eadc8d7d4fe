//! TLS for every connection to the database (the pool's and the change-feed listener's), chosen
//! by the URL as libpq users know it, as far as the client (tokio-postgres) goes:
//!
//! - `sslmode=disable`: plaintext.
//! - `sslmode=prefer` (the default): TLS when the server offers it and its certificate verifies;
//!   otherwise plaintext, as libpq also retries without TLS when the TLS attempt fails under
//!   `prefer`. A server that offers TLS with a certificate that does not verify is told once on
//!   standard error. `prefer` does not protect against an active attacker (who can refuse TLS
//!   for the server); use `require` for that.
//! - `sslmode=require`, `verify-ca`, `verify-full`: TLS or no connection. The client knows only
//!   `require`; gazette always verifies the chain and the host name, so all three mean libpq's
//!   `verify-full` here (stricter than libpq's `require` and `verify-ca`). `allow` is refused.
//!
//! Certificates are always verified, against the roots in `sslrootcert=FILE` (PEM) when given,
//! else the platform's (`sslrootcert=system` says so explicitly) through
//! `rustls-platform-verifier`, which the crawler's HTTP client already builds in, so it adds
//! nothing to the build; on Linux it reads the system's CA bundle. The client refuses unknown
//! URL parameters, so `sslrootcert` is taken out of the URL here. Client certificates
//! (`sslcert`, `sslkey`) are not supported.

use postgres::config::SslMode;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls_platform_verifier::BuilderVerifierExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How to open a connection: the client's configuration and the TLS connector for it.
pub(crate) struct Connector {
    config: postgres::Config,
    tls: MakeRustlsConnect,
    /// Whether the plaintext fallback of `prefer` was already told.
    fallback_told: AtomicBool,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("ssl_mode", &self.config.get_ssl_mode())
            .finish_non_exhaustive()
    }
}

impl Connector {
    /// The connector for `url`. The error never holds the URL (nor so its password).
    pub(crate) fn from_url(url: &str) -> Result<Self, String> {
        let (client_url, root_file) = split_tls_parameters(url)?;
        let config: postgres::Config = client_url
            .parse()
            .map_err(|e| format!("invalid PostgreSQL URL: {}", super::error_chain(&e)))?;
        let mode = config.get_ssl_mode();
        let tls = client_tls(mode, root_file.as_deref())?;
        Ok(Self {
            config,
            tls: MakeRustlsConnect::new(tls),
            fallback_told: AtomicBool::new(false),
        })
    }

    /// A new connection, over TLS as the URL's `sslmode` says.
    pub(crate) fn connect(&self) -> Result<postgres::Client, postgres::Error> {
        self.connect_with(&self.config)
    }

    /// [`Self::connect`] named `application_name` unless the URL names it (so an operator can
    /// tell this connection in `pg_stat_activity`).
    pub(crate) fn connect_named(
        &self,
        application_name: &str,
    ) -> Result<postgres::Client, postgres::Error> {
        if self.config.get_application_name().is_some() {
            return self.connect();
        }
        let mut config = self.config.clone();
        config.application_name(application_name);
        self.connect_with(&config)
    }

    fn connect_with(&self, config: &postgres::Config) -> Result<postgres::Client, postgres::Error> {
        match config.connect(self.tls.clone()) {
            Err(error)
                if config.get_ssl_mode() == SslMode::Prefer && is_handshake_failure(&error) =>
            {
                if !self.fallback_told.swap(true, Ordering::SeqCst) {
                    eprintln!(
                        "gazette-store: the PostgreSQL server offers TLS but it failed ({}); \
                         connecting in plaintext as sslmode=prefer allows. Give the server's CA \
                         with sslrootcert=FILE to use TLS, or sslmode=disable to skip it",
                        super::error_chain(&error)
                    );
                }
                let mut plaintext = config.clone();
                plaintext.ssl_mode(SslMode::Disable);
                plaintext.connect(self.tls.clone())
            }
            other => other,
        }
    }
}

/// The rustls handshake itself failed (a certificate that does not verify, no common
/// protocol), as opposed to the server refusing TLS or anything after the handshake.
fn is_handshake_failure(error: &postgres::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .and_then(|io| io.get_ref())
        .is_some_and(|inner| inner.is::<rustls::Error>())
}

/// rustls with the ring provider, verifying against `root_file` or the platform's roots.
fn client_tls(mode: SslMode, root_file: Option<&str>) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    match root_file {
        Some(path) if path != "system" => {
            let roots = read_roots(path)?;
            Ok(builder.with_root_certificates(roots).with_no_client_auth())
        }
        // Never used: no TLS is attempted. Not loading the platform's roots keeps a machine
        // without a CA bundle working as before.
        _ if mode == SslMode::Disable => Ok(builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()),
        _ => match builder.clone().with_platform_verifier() {
            Ok(builder) => Ok(builder.with_no_client_auth()),
            // No CA bundle on this machine: nothing can verify, so every TLS attempt fails
            // and `prefer` goes on in plaintext (saying so once), as it did before TLS.
            Err(_) if mode == SslMode::Prefer => Ok(builder
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()),
            Err(error) => Err(format!(
                "loading the platform's root certificates for sslmode=require: {error} \
                 (give the server's CA with sslrootcert=FILE)"
            )),
        },
    }
}

/// Every certificate of the PEM file at `path`, as trust anchors.
fn read_roots(path: &str) -> Result<rustls::RootCertStore, String> {
    let pem = std::fs::read(path).map_err(|e| format!("reading sslrootcert {path}: {e}"))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&pem) {
        let cert = cert.map_err(|e| format!("sslrootcert {path}: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("sslrootcert {path}: {e}"))?;
    }
    if roots.is_empty() {
        return Err(format!("sslrootcert {path} holds no PEM certificate"));
    }
    Ok(roots)
}

/// `url` without the parameters the client does not know (`sslrootcert`, returned decoded) and
/// with libpq's `verify-ca`/`verify-full` as the client's `require` (gazette verifies both
/// chain and host name in any case).
fn split_tls_parameters(url: &str) -> Result<(String, Option<String>), String> {
    let Some((head, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), None));
    };
    let mut kept = Vec::new();
    let mut root_file = None;
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslrootcert" => root_file = Some(percent_decode(value)?),
            "sslmode" => match percent_decode(value)?.as_str() {
                "verify-ca" | "verify-full" => kept.push("sslmode=require".to_owned()),
                "allow" => {
                    return Err("sslmode=allow is not supported \
                         (use disable, prefer, require, verify-ca or verify-full)"
                        .into());
                }
                _ => kept.push(pair.to_owned()),
            },
            _ => kept.push(pair.to_owned()),
        }
    }
    let client_url = if kept.is_empty() {
        head.to_owned()
    } else {
        format!("{head}?{}", kept.join("&"))
    };
    Ok((client_url, root_file))
}

/// `%XX` escapes of a URL parameter's value decoded (a file path may hold `%2F` or `%20`).
fn percent_decode(value: &str) -> Result<String, String> {
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte == b'%' {
            let hex = bytes
                .get(at + 1..at + 3)
                .and_then(|hex| std::str::from_utf8(hex).ok())
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or("a URL parameter has a bad %-escape")?;
            decoded.push(hex);
            at += 3;
        } else {
            decoded.push(byte);
            at += 1;
        }
    }
    String::from_utf8(decoded).map_err(|_| "a URL parameter is not UTF-8 once decoded".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_files_leave_the_url_and_verify_modes_become_require() {
        let (url, root) = split_tls_parameters(
            "postgres://u:pw@db:5432/g?sslmode=verify-full&sslrootcert=%2Fetc%2Fca%20x.pem&application_name=gz",
        )
        .expect("valid");
        assert_eq!(
            url,
            "postgres://u:pw@db:5432/g?sslmode=require&application_name=gz"
        );
        assert_eq!(root.as_deref(), Some("/etc/ca x.pem"));
        let (url, root) =
            split_tls_parameters("postgres://db/g?sslrootcert=/ca.pem").expect("valid");
        assert_eq!(
            (url.as_str(), root.as_deref()),
            ("postgres://db/g", Some("/ca.pem"))
        );
        let (url, root) = split_tls_parameters("postgres://db/g").expect("valid");
        assert_eq!((url.as_str(), root), ("postgres://db/g", None));
        assert!(split_tls_parameters("postgres://db/g?sslmode=allow").is_err());
        assert!(split_tls_parameters("postgres://db/g?sslrootcert=%zz").is_err());
    }

    #[test]
    fn modes_are_read_and_unknown_ones_refused_without_the_password() {
        for (url, mode) in [
            ("postgres://u:pw@db/g", SslMode::Prefer),
            ("postgres://u:pw@db/g?sslmode=disable", SslMode::Disable),
            ("postgres://u:pw@db/g?sslmode=verify-ca", SslMode::Require),
        ] {
            let connector = Connector::from_url(url).expect("valid");
            assert_eq!(connector.config.get_ssl_mode(), mode, "{url}");
        }
        let error = Connector::from_url("postgres://u:pw@db/g?sslmode=sometimes").expect_err("bad");
        assert!(error.contains("sslmode"), "{error}");
        assert!(!error.contains("pw"), "{error}");
        let error = Connector::from_url("postgres://u:pw@db/g?sslrootcert=/nonexistent/ca.pem")
            .expect_err("no file");
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");
        assert!(!error.contains("pw"), "{error}");
    }

    #[test]
    fn urls_are_shown_without_their_passwords() {
        use super::super::redact_url;
        assert_eq!(
            redact_url("postgres://gz:pa55@db:5432/g?sslmode=require"),
            "postgres://gz:***@db:5432/g?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://gz@db/g?password=pa55&sslmode=require"),
            "postgres://gz@db/g?password=***&sslmode=require"
        );
        assert_eq!(redact_url("postgres://gz:p@ss@db"), "postgres://gz:***@db");
        for plain in [
            "postgres://db/g",
            "postgres://gz@db/g?sslmode=disable",
            "/var/lib/g",
        ] {
            assert_eq!(redact_url(plain), plain);
        }
    }

    #[test]
    fn a_root_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "no certificate here\n").expect("write");
        let error = read_roots(path.to_str().expect("utf-8")).expect_err("empty");
        assert!(error.contains("no PEM certificate"), "{error}");
    }
}
