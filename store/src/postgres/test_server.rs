//! A throwaway PostgreSQL server for tests (feature `test-support`): one per test process,
//! started on 127.0.0.1 with a free port in a temporary directory, and a fresh database for
//! each caller of [`fresh_database`].
//!
//! `GAZETTE_TEST_POSTGRES_URL` (a URL of a server the tests may create databases on) is used
//! instead when set. Otherwise Debian's `postgresql` binaries are looked for under
//! `/usr/lib/postgresql/*/bin` (or `GAZETTE_POSTGRES_BIN`, or `initdb` on `PATH`). `initdb`
//! refuses to run as root, so as root the server runs as the `postgres` user (through
//! `runuser`), in a directory that user creates.
//!
//! The server is stopped, and its directory removed, when the test process ends however it
//! ends: a shell started with it waits on its standard input, which is a pipe from the test
//! process, and stops the server (`pg_ctl stop -m fast`) once that pipe closes.
//!
//! Fast settings for a throwaway server: `fsync = off` (the durability promise tested is that
//! an acknowledged write survives the death of gazette, not of the machine; gazette itself
//! always commits with `synchronous_commit = on`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// The running server: its URL (without a database) and the pipe whose closing stops it.
struct Server {
    base_url: String,
    _keepalive: Mutex<(Child, ChildStdin)>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
static DATABASES: AtomicU64 = AtomicU64::new(0);

/// A new, empty database on the test server: its URL. `Err` says why no server could be had
/// (see [`fresh_database_or_skip`] for the tests' policy).
pub fn fresh_database() -> Result<String, String> {
    // The client blocks on a runtime of its own, which an async test's thread cannot do.
    super::off_runtime(fresh_database_blocking)
}

fn fresh_database_blocking() -> Result<String, String> {
    let base = match std::env::var("GAZETTE_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => SERVER
            .get_or_init(start)
            .as_ref()
            .map(|s| s.base_url.clone())
            .map_err(Clone::clone)?,
    };
    create_database(&base)
}

/// A new, empty database on the server at `base`: its URL (connecting in plaintext).
pub(crate) fn create_database(base: &str) -> Result<String, String> {
    let name = format!(
        "gazette_test_{}_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst),
        fastrand::u32(..)
    );
    let admin_url = with_database(base, "postgres");
    let mut client = postgres::Client::connect(&admin_url, postgres::NoTls)
        .map_err(|e| format!("connecting to the test server {admin_url}: {e}"))?;
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .map_err(|e| format!("creating database {name}: {e}"))?;
    Ok(with_database(base, &name))
}

/// A fresh database, or `None` after printing why none can be had; under `CI=true` that is a
/// failure instead (the CI machine installs PostgreSQL, so a missing server is a broken step).
pub fn fresh_database_or_skip(test: &str) -> Option<String> {
    match fresh_database() {
        Ok(url) => Some(url),
        Err(reason) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but no PostgreSQL server for {test}: {reason}")
        }
        Err(reason) => {
            eprintln!("skipping {test}: no PostgreSQL server ({reason})");
            None
        }
    }
}

/// `base` (a `postgres://` URL whose path names a database or none) naming `database`.
fn with_database(base: &str, database: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((head, query)) => (head, Some(query)),
        None => (base, None),
    };
    let authority_end = head
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|start| head[start..].find('/').map(|slash| start + slash))
        .unwrap_or(head.len());
    let mut url = format!("{}/{database}", &head[..authority_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// The directory holding `initdb`, `pg_ctl` and `postgres`.
fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("GAZETTE_POSTGRES_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file());
    on_path.ok_or_else(|| {
        "no initdb under /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)".into()
    })
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The shell that creates the cluster, starts it, reports `ready`, and stops it and removes
/// its directory when its standard input closes.
const SUPERVISOR: &str = r#"
set -u
bin="$1"; port="$2"; cert="${3:-}"; key="${4:-}"
cd "${TMPDIR:-/tmp}" || cd /
dir=$(mktemp -d "${TMPDIR:-/tmp}/gazette-pg-XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
ssl=""
if [ -n "$cert" ]; then
  # the server refuses a key file others may read
  cp "$cert" "$dir/server.crt" && cp "$key" "$dir/server.key" && chmod 600 "$dir/server.key" || exit 1
  ssl="-c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key"
fi
if ! "$bin/initdb" -D "$dir/data" -U gazette --auth=trust -E UTF8 --no-locale >"$dir/log" 2>&1; then
  cat "$dir/log" >&2; exit 1
fi
if ! "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 $ssl" >"$dir/log" 2>&1; then
  cat "$dir/log" "$dir/server.log" >&2; exit 1
fi
echo ready
cat >/dev/null
"$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
"#;

fn start() -> Result<Server, String> {
    start_serving(None)
}

/// A second throwaway server of the test process that offers TLS with the PEM certificate
/// and key at `cert` and `key` (readable by the server's user): its URL without a database,
/// for a superuser, and with no `sslmode`.
#[cfg(test)]
pub(crate) fn start_tls(cert: &Path, key: &Path) -> Result<String, String> {
    static TLS_SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    TLS_SERVER
        .get_or_init(|| start_serving(Some((cert, key))))
        .as_ref()
        .map(|server| server.base_url.clone())
        .map_err(Clone::clone)
}

fn start_serving(tls: Option<(&Path, &Path)>) -> Result<Server, String> {
    let bin = bin_dir()?;
    let mut last_error = String::new();
    // The port is free when asked for; another process could take it before the server binds
    // it, so a failed start is tried again on another port.
    for _ in 0..3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        match start_on(&bin, port, tls) {
            Ok(server) => return Ok(server),
            Err(error) => last_error = error,
        }
    }
    Err(last_error)
}

fn start_on(bin: &Path, port: u16, tls: Option<(&Path, &Path)>) -> Result<Server, String> {
    let mut command = if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", SUPERVISOR, "sh"]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", SUPERVISOR, "sh"]);
        c
    };
    command.arg(bin).arg(port.to_string());
    if let Some((cert, key)) = tls {
        command.arg(cert).arg(key);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting the server's supervisor shell: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin pipe")?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| format!("reading the supervisor: {e}"))?;
    if line.trim() != "ready" {
        let mut stderr = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
        }
        let _ = child.wait();
        let tail: String = stderr
            .lines()
            .rev()
            .take(8)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join(" | ");
        return Err(format!("PostgreSQL did not start: {tail}"));
    }
    Ok(Server {
        base_url: format!("postgres://gazette@127.0.0.1:{port}/postgres"),
        _keepalive: Mutex::new((child, stdin)),
    })
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_replace_the_path_and_keep_the_query() {
        assert_eq!(
            with_database("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(with_database("postgres://u@h:5", "x"), "postgres://u@h:5/x");
        assert_eq!(
            with_database("postgres://u@h:5/db?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable"
        );
    }
}
