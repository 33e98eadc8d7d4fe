//! The `gazette` binary as a child process that serves gRPC: started on `127.0.0.1:0` with its
//! log on stderr, and known to serve once it logs the address it bound (so no test sleeps).

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use tokio::io::AsyncBufReadExt as _;

/// A `gazette` command serving gRPC, the address it reported, and every log line so far.
pub(crate) struct Served {
    pub(crate) child: tokio::process::Child,
    pub(crate) addr: SocketAddr,
    pub(crate) log: Arc<Mutex<Vec<String>>>,
}

/// `gazette ARGS`: the binary under test, with plain-text logs at level info.
pub(crate) fn gazette<I, S>(args: I) -> tokio::process::Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gazette"));
    command
        .args(args)
        .env("GAZETTE_LOG", "info")
        .env("NO_COLOR", "1");
    command
}

/// Starts `command` (a gazette command line that serves gRPC, to which `--grpc-addr
/// 127.0.0.1:0` is added) and waits for its "serving gRPC" line, which is logged once the
/// listener is bound. Panics, with the log so far, if the process ends first.
pub(crate) async fn serve(mut command: tokio::process::Command) -> Served {
    let mut child = command
        .args(["--grpc-addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start gazette");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let log = Arc::new(Mutex::new(Vec::new()));
    let addr = loop {
        let Some(line) = lines.next_line().await.expect("read stderr") else {
            panic!(
                "gazette exited before serving: {:?}",
                log.lock().expect("log")
            );
        };
        let addr = line
            .contains("serving gRPC")
            .then(|| line.split("addr=").nth(1))
            .flatten()
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|addr| addr.parse().ok());
        log.lock().expect("log").push(line);
        if let Some(addr) = addr {
            break addr;
        }
    };
    // Keep draining (and keeping) stderr so the child never blocks on a full pipe.
    let sink = Arc::clone(&log);
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            sink.lock().expect("log").push(line);
        }
    });
    Served { child, addr, log }
}
