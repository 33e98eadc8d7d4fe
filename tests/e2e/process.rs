//! The binary as an operator runs it: `gazette serve` stops on SIGTERM and SIGINT with exit
//! status 0 and leaves a store that opens again.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn stop_with(signal: &str) {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["serve", "--grpc-addr", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .env("GAZETTE_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gazette serve");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr).lines();
    // The server logs its address once the listener is bound: no sleep needed.
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("serving gRPC"));
    assert!(ready, "gazette serve never reported its address");
    let killed = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let status = child.wait().expect("wait for gazette");
    assert!(status.success(), "{signal}: exit status {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
    gazette_store::SledStore::open(data_dir.path()).expect("the store opens after shutdown");
}

#[test]
fn serve_exits_cleanly_on_sigterm() {
    stop_with("-TERM");
}

#[test]
fn serve_exits_cleanly_on_sigint() {
    stop_with("-INT");
}

/// `gazette clean FILE… --out-dir DIR` cleans many files in one process, writing DIR/NAME.txt
/// per input; a file that cannot be cleaned is reported and does not stop the others.
#[test]
fn clean_writes_one_text_per_input_and_reports_failures() {
    let pages =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("notice/tests/fixtures/pages");
    let out = tempfile::tempdir().expect("temp dir");
    let empty = out.path().join("empty.html");
    std::fs::write(&empty, b"<html><body><script>x()</script></body></html>").expect("write");
    let status = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .arg("clean")
        .arg(pages.join("trs_gbk.html"))
        .arg(pages.join("ucap_gb18030.html"))
        .arg(&empty)
        .arg("--out-dir")
        .arg(out.path().join("texts"))
        .output()
        .expect("run gazette clean");
    assert!(
        !status.status.success(),
        "a failed input must make the exit status non-zero"
    );
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("empty.html"), "{stderr}");
    for name in ["trs_gbk.txt", "ucap_gb18030.txt"] {
        let text = std::fs::read_to_string(out.path().join("texts").join(name)).expect(name);
        assert!(text.lines().count() > 3, "{name}: {text}");
        assert!(!text.contains('\u{fffd}'), "{name} has mojibake");
    }
}
