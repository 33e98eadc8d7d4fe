//! TLS to the database, against a throwaway server of this test process that offers TLS with
//! a certificate for `localhost` from a CA made here (one server shared by these tests; skipped
//! with a printed reason when none can be started outside CI, failed under `CI=true`).

use super::*;
use std::path::Path;
use std::sync::OnceLock;

/// The TLS server: its URL (no database, no `sslmode`) and its CA and another CA, as PEM.
struct TlsServer {
    base_url: String,
    ca_pem: String,
    other_ca_pem: String,
}

/// A CA certificate (PEM) and its issuer, for signing a server certificate.
fn certificate_authority(name: &str) -> (String, rcgen::Issuer<'static, rcgen::KeyPair>) {
    let key = rcgen::KeyPair::generate().expect("a key pair");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("no names");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    let cert = params.self_signed(&key).expect("a self-signed CA");
    (cert.pem(), rcgen::Issuer::new(params, key))
}

fn start_tls_server() -> std::result::Result<TlsServer, String> {
    let (ca_pem, ca) = certificate_authority("gazette test CA");
    let (other_ca_pem, _) = certificate_authority("some other CA");
    // Only `localhost`: a connection to 127.0.0.1 shows that the host name is checked.
    let key = rcgen::KeyPair::generate().expect("a key pair");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .expect("a valid name")
        .signed_by(&key, &ca)
        .expect("a server certificate");
    // The server runs as the `postgres` user when the tests run as root: it must read these
    // until it has copied them (the supervisor does at once, before `ready`).
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let readable = |path: &Path, text: &str| -> std::result::Result<(), String> {
        std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        set_mode(path, 0o644)
    };
    set_mode(dir.path(), 0o755)?;
    let cert_path = dir.path().join("server.crt");
    let key_path = dir.path().join("server.key");
    readable(&cert_path, &cert.pem())?;
    readable(&key_path, &key.serialize_pem())?;
    let base_url = test_server::start_tls(&cert_path, &key_path)?;
    Ok(TlsServer {
        base_url,
        ca_pem,
        other_ca_pem,
    })
}

fn set_mode(path: &Path, mode: u32) -> std::result::Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

/// A fresh database on the TLS server: its URL for `host` with a password the server (trust
/// authentication) ignores, so that errors can be checked for it; `None` (printed) when there
/// is no server outside CI.
fn tls_database(test: &str, host: &str) -> Option<(String, &'static TlsServer)> {
    static SERVER: OnceLock<std::result::Result<TlsServer, String>> = OnceLock::new();
    let made = SERVER
        .get_or_init(start_tls_server)
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|server| Ok((test_server::create_database(&server.base_url)?, server)));
    match made {
        Ok((url, server)) => {
            let url = url.replacen(
                "gazette@127.0.0.1",
                &format!("gazette:{PASSWORD}@{host}"),
                1,
            );
            Some((url, server))
        }
        Err(reason) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but no PostgreSQL server with TLS for {test}: {reason}")
        }
        Err(reason) => {
            eprintln!("skipping {test}: no PostgreSQL server with TLS ({reason})");
            None
        }
    }
}

const PASSWORD: &str = "not-to-be-printed-7731";

/// `pem` in a file of `dir`, as an `sslrootcert` parameter.
fn root_parameter(dir: &tempfile::TempDir, name: &str, pem: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, pem).expect("write the root certificate");
    format!("sslrootcert={}", path.display())
}

/// Whether the pool's connection is over TLS, as the server sees it.
fn pool_uses_tls(store: &PgStore) -> bool {
    let mut conn = store.conn().expect("a connection");
    conn.query_one(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .expect("pg_stat_ssl")
    .get(0)
}

/// Whether the change-feed listener's connection is over TLS, once it has connected. Its
/// thread connects after `open` returns and nothing notifies that, so this looks a bounded
/// number of times.
fn listener_uses_tls(store: &PgStore) -> bool {
    let mut conn = store.conn().expect("a connection");
    for _ in 0..500 {
        let row = conn
            .query_opt(
                "SELECT s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
                 WHERE a.datname = current_database() AND a.application_name = $1",
                &[&feed::LISTENER_NAME],
            )
            .expect("pg_stat_activity");
        if let Some(row) = row {
            return row.get(0);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the change-feed listener never connected");
}

#[test]
fn require_with_the_servers_root_connects_over_tls_for_pool_and_listener() {
    let test = "require_with_the_servers_root_connects_over_tls_for_pool_and_listener";
    let Some((url, server)) = tls_database(test, "localhost") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = root_parameter(&dir, "ca.pem", &server.ca_pem);
    let store = PgStore::open(&format!("{url}?sslmode=require&{root}")).expect("open over TLS");
    assert!(pool_uses_tls(&store));
    assert!(listener_uses_tls(&store));
    drop(store);
    // libpq's verify-full is what gazette's require does; it is accepted as such.
    let store = PgStore::open(&format!("{url}?sslmode=verify-full&{root}")).expect("open over TLS");
    assert!(pool_uses_tls(&store));
}

#[test]
fn prefer_uses_tls_when_the_certificate_verifies_and_plaintext_otherwise() {
    let test = "prefer_uses_tls_when_the_certificate_verifies_and_plaintext_otherwise";
    let Some((url, server)) = tls_database(test, "localhost") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let root = root_parameter(&dir, "ca.pem", &server.ca_pem);
    // No sslmode: prefer is the default.
    let store = PgStore::open(&format!("{url}?{root}")).expect("open");
    assert!(pool_uses_tls(&store));
    assert!(listener_uses_tls(&store));
    // The platform's roots do not know the test CA: prefer goes on in plaintext, as before
    // (on a database of its own: the first store's listener ends only within a poll interval).
    let Some((url, _)) = tls_database(test, "localhost") else {
        return;
    };
    let store = PgStore::open(&url).expect("open in plaintext");
    assert!(!pool_uses_tls(&store));
    assert!(!listener_uses_tls(&store));
}

#[test]
fn a_wrong_root_or_host_name_fails_with_a_clear_error_without_the_password() {
    let test = "a_wrong_root_or_host_name_fails_with_a_clear_error_without_the_password";
    let Some((url, server)) = tls_database(test, "localhost") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let wrong = root_parameter(&dir, "other.pem", &server.other_ca_pem);
    let error = PgStore::open(&format!("{url}?sslmode=require&{wrong}"))
        .expect_err("a certificate from an unknown CA")
        .to_string();
    assert!(error.contains("TLS handshake"), "{error}");
    assert!(error.contains("UnknownIssuer"), "{error}");
    assert!(error.contains("gazette:***@localhost"), "{error}");
    assert!(!error.contains(PASSWORD), "{error}");

    // The right CA, but the certificate names `localhost`, not 127.0.0.1.
    let root = root_parameter(&dir, "ca.pem", &server.ca_pem);
    let by_address = url.replacen("@localhost", "@127.0.0.1", 1);
    let error = PgStore::open(&format!("{by_address}?sslmode=require&{root}"))
        .expect_err("a certificate for another name")
        .to_string();
    assert!(error.contains("not valid for name"), "{error}");
    assert!(!error.contains(PASSWORD), "{error}");
}

#[test]
fn disable_connects_in_plaintext_to_a_server_offering_tls() {
    let test = "disable_connects_in_plaintext_to_a_server_offering_tls";
    let Some((url, _)) = tls_database(test, "localhost") else {
        return;
    };
    let store = PgStore::open(&format!("{url}?sslmode=disable")).expect("open in plaintext");
    assert!(!pool_uses_tls(&store));
    assert!(!listener_uses_tls(&store));
}

#[test]
fn require_fails_against_a_server_without_tls() {
    let test = "require_fails_against_a_server_without_tls";
    let Some(url) = test_server::fresh_database_or_skip(test) else {
        return;
    };
    let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
    let ssl: String = client.query_one("SHOW ssl", &[]).expect("SHOW ssl").get(0);
    assert_eq!(ssl, "off", "this test needs a server without TLS");
    let separator = if url.contains('?') { '&' } else { '?' };
    let error = PgStore::open(&format!("{url}{separator}sslmode=require"))
        .expect_err("no TLS to be had")
        .to_string();
    assert!(error.contains("server does not support TLS"), "{error}");
}
