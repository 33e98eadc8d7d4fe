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

/// Runs the binary with `args` and `env` to its end, or kills it after `bound` and returns
/// None: a process that should exit at once but hangs fails its test instead of blocking it.
fn run_bounded(
    args: &[&std::ffi::OsStr],
    bound: std::time::Duration,
) -> Option<std::process::Output> {
    let child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .env("GAZETTE_LOG", "info")
        .env("NO_COLOR", "1")
        .env_remove("GAZETTE_ADMIN_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gazette");
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(bound) {
        Ok(output) => Some(output.expect("wait for gazette")),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            None
        }
    }
}

/// A certificate or key that does not parse makes `serve` exit at once, non-zero, naming the
/// TLS files, without ever claiming to serve.
#[test]
fn serve_with_a_garbage_tls_certificate_fails_before_serving() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let garbage =
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    let cases: [(&str, Vec<u8>, Vec<u8>); 3] = [
        (
            "garbage cert and key",
            garbage.to_vec(),
            b"random bytes \x00\xff".to_vec(),
        ),
        (
            "garbage cert",
            b"not pem at all".to_vec(),
            good.signing_key.serialize_pem().into_bytes(),
        ),
        (
            "garbage key",
            good.cert.pem().into_bytes(),
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec(),
        ),
    ];
    for (case, cert, key) in cases {
        let cert_path = dir.path().join("cert.pem");
        let key_path = dir.path().join("key.pem");
        std::fs::write(&cert_path, cert).expect("write cert");
        std::fs::write(&key_path, key).expect("write key");
        let config = dir.path().join("gazette.toml");
        std::fs::write(
            &config,
            format!(
                "[tls]\ncert = '{}'\nkey = '{}'\n",
                cert_path.display(),
                key_path.display()
            ),
        )
        .expect("write config");
        let data = dir.path().join("data");
        let output = run_bounded(
            &[
                "serve".as_ref(),
                "--grpc-addr".as_ref(),
                "127.0.0.1:0".as_ref(),
                "--metrics-addr".as_ref(),
                "127.0.0.1:0".as_ref(),
                "--config".as_ref(),
                config.as_os_str(),
                "--data-dir".as_ref(),
                data.as_os_str(),
            ],
            std::time::Duration::from_secs(60),
        )
        .unwrap_or_else(|| panic!("{case}: serve did not exit on a bad certificate"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !output.status.success(),
            "{case}: exit status {}",
            output.status
        );
        let checked = run_bounded(
            &["config".as_ref(), "check".as_ref(), config.as_os_str()],
            std::time::Duration::from_secs(60),
        )
        .unwrap_or_else(|| panic!("{case}: config check did not exit"));
        assert!(
            !checked.status.success() && String::from_utf8_lossy(&checked.stderr).contains("TLS"),
            "{case}: config check passed a bad certificate: {checked:?}"
        );
        assert!(
            !stderr.contains("serving"),
            "{case}: claimed to serve: {stderr}"
        );
        assert!(
            stderr.contains("TLS") && stderr.contains("cert.pem"),
            "{case}: the error does not name TLS and the file: {stderr}"
        );
    }
}

/// The inodes of the TCP sockets that process `pid` listens on (Linux: /proc).
#[cfg(target_os = "linux")]
fn listening_sockets(pid: u32) -> Vec<String> {
    let mut own = std::collections::HashSet::new();
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd")).expect("read /proc fds") {
        let Ok(target) = std::fs::read_link(fd.expect("fd entry").path()) else {
            continue;
        };
        let target = target.to_string_lossy().into_owned();
        if let Some(inode) = target
            .strip_prefix("socket:[")
            .and_then(|t| t.strip_suffix(']'))
        {
            own.insert(inode.to_owned());
        }
    }
    let mut listening = Vec::new();
    for table in ["tcp", "tcp6"] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else {
            continue;
        };
        for row in text.lines().skip(1) {
            let fields: Vec<&str> = row.split_whitespace().collect();
            // Columns: sl local rem st ... inode (the tenth); state 0A is LISTEN.
            if fields.get(3) == Some(&"0A")
                && let Some(inode) = fields.get(9)
                && own.contains(*inode)
            {
                listening.push(format!("{table} {}", fields.get(1).unwrap_or(&"?")));
            }
        }
    }
    listening
}

/// `gazette crawl` on its schedule serves nothing: after its first run it listens on no TCP
/// port, not even with `grpc_addr` and `metrics_addr` in its config; SIGTERM stops it with 0.
#[cfg(target_os = "linux")]
#[test]
fn crawl_opens_no_listener() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let site = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind site");
        gazette::demo_site::DemoSite::spawn(listener).expect("start site")
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("gazette.toml");
    std::fs::write(
        &config,
        format!(
            "grpc_addr = \"127.0.0.1:0\"\nmetrics_addr = \"127.0.0.1:0\"\n[crawler]\ndelay = \"0s\"\n\
             [[source]]\nname = \"demo\"\nstart_urls = [\"{}\"]\nnotice_url_pattern = '{}'\n\
             allow_loopback = true\ninterval = \"1h\"\n",
            site.list_url(),
            gazette::demo_site::NOTICE_URL_PATTERN
        ),
    )
    .expect("write config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["crawl", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("GAZETTE_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start gazette crawl");
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = BufReader::new(stderr).lines();
    // The first scheduled run logs its end, finished or failed; by then every setup step has
    // run. A process that exits instead ends the lines.
    let first_run = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("crawl finished") || l.contains("crawl failed"));
    if !first_run
        .as_deref()
        .is_some_and(|l| l.contains("crawl finished"))
    {
        let _ = child.kill();
        panic!("gazette crawl never finished its first run: {first_run:?}");
    }
    let listening = listening_sockets(child.id());
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let status = child.wait().expect("wait for gazette");
    assert!(
        listening.is_empty(),
        "gazette crawl listens on {listening:?}"
    );
    assert!(status.success(), "exit status {status}");
    site.cancel.cancel();
}

/// `clean --out-dir` never overwrites: inputs with the same file name (in two directories, or
/// differing only in extension) and an output left from before each keep their own file, and
/// the command prints which input went where.
#[test]
fn clean_out_dir_never_overwrites_and_says_where_each_input_went() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let out = dir.path().join("texts");
    for d in [&a, &b, &out] {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    let page = |line: &str| format!("第一行说明文字。\n{line}\n第三行结尾文字。\n");
    let inputs = [
        (a.join("notice.txt"), page("甲目录的正文内容")),
        (b.join("notice.txt"), page("乙目录的正文内容")),
        (
            a.join("notice.html"),
            format!("<html><body><p>{}</p></body></html>", "丙页面的正文内容"),
        ),
    ];
    for (path, text) in &inputs {
        std::fs::write(path, text).expect("write input");
    }
    let earlier = out.join("notice.txt");
    std::fs::write(&earlier, "an earlier output").expect("write earlier output");
    let output = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .arg("clean")
        .args(inputs.iter().map(|(p, _)| p))
        .arg("--out-dir")
        .arg(&out)
        .output()
        .expect("run gazette clean");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        std::fs::read_to_string(&earlier).expect("earlier output"),
        "an earlier output"
    );
    let mut targets = std::collections::HashSet::new();
    for ((input, _), marker) in inputs.iter().zip(["甲目录", "乙目录", "丙页面"]) {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{} -> ", input.display())))
            .unwrap_or_else(|| panic!("{} not reported: {stdout}", input.display()));
        let target = line.rsplit(" -> ").next().expect("target");
        assert!(targets.insert(target.to_owned()), "{target} written twice");
        let text = std::fs::read_to_string(target).expect("output exists");
        assert!(
            text.contains(marker),
            "{target} holds another input: {text}"
        );
    }
    assert_eq!(std::fs::read_dir(&out).expect("out dir").count(), 4);
}

/// The admin token never reaches the binary's output: a numeric or boolean token in the
/// environment is accepted as text, and a TOML syntax error on the token's line is reported
/// without the token, through `config check` and `serve` alike.
#[test]
fn the_admin_token_never_appears_in_the_binary_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&std::ffi::OsStr], token: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gazette"));
        command
            .args(args)
            .env("NO_COLOR", "1")
            .env("RUST_BACKTRACE", "0")
            .env_remove("GAZETTE_ADMIN_TOKEN")
            .stdin(Stdio::null());
        if let Some(token) = token {
            command.env("GAZETTE_ADMIN_TOKEN", token);
        }
        let output = command.output().expect("run gazette");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status, text)
    };
    let valid = dir.path().join("valid.toml");
    std::fs::write(&valid, "open_reads = true\n").expect("write config");
    for token in ["86753091234", "-12.5", "true", "false"] {
        let (status, text) = run(
            &["config".as_ref(), "check".as_ref(), valid.as_os_str()],
            Some(token),
        );
        // Accepted (before, figment refused a number or boolean and quoted it), and masked.
        assert!(status.success(), "{token}: {text}");
        assert!(
            text.contains("***"),
            "{token}: the token is not shown masked: {text}"
        );
        // "true" and "false" are printed for other settings; a number is not.
        if token.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            assert!(!text.contains(token), "{token} printed: {text}");
        }
    }
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "open_reads = true\nadmin_token = s3cr3t-t0ken\n")
        .expect("write config");
    for args in [
        vec!["config".as_ref(), "check".as_ref(), broken.as_os_str()],
        vec![
            "serve".as_ref(),
            "--grpc-addr".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--config".as_ref(),
            broken.as_os_str(),
        ],
    ] {
        let (status, text) = run(&args, None);
        assert!(!status.success(), "{text}");
        assert!(text.contains("line 2"), "{text}");
        assert!(!text.contains("s3cr3t"), "the token leaked: {text}");
    }
}
