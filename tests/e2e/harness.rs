//! `spawn_app()`: the real application on port 0 with a fresh data dir and a metrics listener,
//! after one crawl of a loopback fixture site, with connected gRPC clients. `spawn_with()` does
//! the same with the settings the API tests vary (token, open reads, TLS, timeout, message
//! size, whether the crawl supervisor runs).

use gazette::app::Application;
use gazette::commands::demo_source;
use gazette::demo_site::DemoSite;
use gazette::settings::{Secret, Settings, TlsSettings};
use gazette_proto::pb::crawl_service_client::CrawlServiceClient;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use gazette_proto::pb::organisation_service_client::OrganisationServiceClient;
use std::net::SocketAddr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};

/// The admin token of apps spawned with [`Options::admin_token`] set by [`Options::admin`].
pub(crate) const TOKEN: &str = "test-admin-token";

/// What a test varies about the application.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) admin_token: Option<String>,
    pub(crate) open_reads: bool,
    /// Serve TLS with a fresh self-signed certificate for "localhost".
    pub(crate) tls: bool,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) max_message_bytes: Option<usize>,
    /// Run the crawl supervisor (the `crawl` flag of `Application::run`).
    pub(crate) crawl: bool,
    /// Serve a metrics listener.
    pub(crate) metrics: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            admin_token: None,
            open_reads: true,
            tls: false,
            request_timeout: None,
            max_message_bytes: None,
            crawl: false,
            metrics: false,
        }
    }
}

impl Options {
    /// Default options with the admin token [`TOKEN`] configured.
    pub(crate) fn admin() -> Self {
        Self {
            admin_token: Some(TOKEN.to_owned()),
            ..Self::default()
        }
    }
}

pub(crate) struct TestApp {
    pub(crate) addr: SocketAddr,
    pub(crate) metrics_addr: SocketAddr,
    pub(crate) channel: Channel,
    pub(crate) notices: NoticeServiceClient<Channel>,
    pub(crate) organisations: OrganisationServiceClient<Channel>,
    pub(crate) crawl: CrawlServiceClient<Channel>,
    /// PEM of the server's certificate when it serves TLS.
    pub(crate) ca_pem: Option<String>,
    cancel: CancellationToken,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _site: DemoSite,
    _data_dir: tempfile::TempDir,
}

/// Builds the real application on port 0 with a fresh data dir and a metrics listener, crawls
/// the fixture site once, and connects clients.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_with(Options {
        metrics: true,
        ..Options::default()
    })
    .await
}

/// Like [`spawn_app`] with `options`. The listener is bound before the server starts, so no
/// sleep is needed.
pub(crate) async fn spawn_with(options: Options) -> TestApp {
    let site_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind site");
    let site = DemoSite::spawn(site_listener).expect("start site");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().expect("literal address"),
        metrics_addr: options
            .metrics
            .then(|| "127.0.0.1:0".parse().expect("literal address")),
        data_dir: data_dir.path().to_path_buf(),
        admin_token: options.admin_token.clone().map(Secret::new),
        open_reads: options.open_reads,
        ..Settings::default()
    };
    if let Some(timeout) = options.request_timeout {
        settings.request_timeout = timeout;
    }
    if let Some(limit) = options.max_message_bytes {
        settings.max_message_bytes = limit;
    }
    let mut ca_pem = None;
    if options.tls {
        let certified =
            rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
        let cert = data_dir.path().join("cert.pem");
        let key = data_dir.path().join("key.pem");
        std::fs::write(&cert, certified.cert.pem()).expect("write cert");
        std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
        settings.tls = Some(TlsSettings { cert, key });
        ca_pem = Some(certified.cert.pem());
    }
    settings.crawler.delay = Duration::ZERO;
    let source = demo_source(&site);
    settings.sources = vec![source.clone()];
    let app = Application::build(settings).await.expect("build app");
    let addr = app.grpc_addr().expect("bound address");
    let metrics_addr = app
        .metrics_addr()
        .unwrap_or_else(|| "127.0.0.1:0".parse().expect("literal address"));
    let cancel = CancellationToken::new();
    let report = app
        .crawler()
        .crawl_once(&source, &cancel)
        .await
        .expect("crawl step");
    assert_eq!(
        report.pages_fetched,
        DemoSite::pages_to_fetch(),
        "{report:?}"
    );
    assert!(report.failures.is_empty(), "{report:?}");
    let server = tokio::spawn(app.run(cancel.clone(), options.crawl));
    let channel = match &ca_pem {
        Some(pem) => Channel::from_shared(format!("https://localhost:{}", addr.port()))
            .expect("uri")
            .tls_config(
                ClientTlsConfig::new()
                    .ca_certificate(Certificate::from_pem(pem))
                    .domain_name("localhost"),
            )
            .expect("client TLS"),
        None => Channel::from_shared(format!("http://{addr}")).expect("uri"),
    }
    .connect()
    .await
    .expect("connect");
    TestApp {
        addr,
        metrics_addr,
        notices: NoticeServiceClient::new(channel.clone()),
        organisations: OrganisationServiceClient::new(channel.clone()),
        crawl: CrawlServiceClient::new(channel.clone()),
        channel,
        ca_pem,
        cancel,
        server,
        _site: site,
        _data_dir: data_dir,
    }
}

impl TestApp {
    pub(crate) async fn stop(self) {
        self.cancel.cancel();
        self.server
            .await
            .expect("server task")
            .expect("clean shutdown");
    }
}

/// The sample notices the fixture site serves, as plain text.
pub(crate) const QINGHE: &str = include_str!("../../src/demo/qinghe-district.txt");
pub(crate) const YUNSHAN: &str = include_str!("../../src/demo/yunshan-bureau.txt");
pub(crate) const BEIHU: &str = include_str!("../../src/demo/beihu-development-zone.txt");

/// `message` with the admin token [`TOKEN`] attached.
pub(crate) fn authed<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {TOKEN}").parse().expect("ascii header"),
    );
    request
}

/// The fields named by the `google.rpc.BadRequest` detail of `status`.
pub(crate) fn violations(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    status
        .get_error_details()
        .bad_request()
        .map(|b| b.field_violations.iter().map(|v| v.field.clone()).collect())
        .unwrap_or_default()
}

/// Asserts INVALID_ARGUMENT with a BadRequest violation of `field`.
#[track_caller]
pub(crate) fn assert_bad_field(status: &tonic::Status, field: &str) {
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    assert_eq!(violations(status), vec![field.to_owned()], "{status:?}");
}

/// A plaintext channel to the gRPC server at `addr`.
pub(crate) async fn connect(addr: SocketAddr) -> Channel {
    Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect")
}

/// The text of `/metrics` on the metrics listener at `addr`.
pub(crate) async fn scrape_metrics(addr: SocketAddr) -> String {
    reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body")
}

/// `source`'s state in GetCrawlStatus (the answer names it alone).
pub(crate) async fn source_status(
    client: &mut CrawlServiceClient<Channel>,
    source: &str,
) -> gazette_proto::pb::SourceStatus {
    let mut all = client
        .get_crawl_status(authed(gazette_proto::pb::GetCrawlStatusRequest {
            source: source.to_owned(),
        }))
        .await
        .expect("GetCrawlStatus")
        .into_inner()
        .sources;
    assert_eq!(all.len(), 1);
    all.remove(0)
}

/// `source`'s state once a run of it that started after `after` (any run, when `None`) has
/// finished, polled every 5 ms for `within` at most.
pub(crate) async fn finished_run(
    client: &mut CrawlServiceClient<Channel>,
    source: &str,
    after: Option<prost_types::Timestamp>,
    within: Duration,
) -> gazette_proto::pb::SourceStatus {
    let poll = Duration::from_millis(5);
    for _ in 0..within.as_millis() / poll.as_millis() {
        let state = source_status(client, source).await;
        let newer = match (&after, &state.last_run_started_at) {
            (Some(a), Some(s)) => (s.seconds, s.nanos) > (a.seconds, a.nanos),
            (None, started) => started.is_some(),
            (Some(_), None) => false,
        };
        if newer && !state.running && state.last_run_finished_at.is_some() {
            return state;
        }
        tokio::time::sleep(poll).await;
    }
    panic!("no crawl run of {source} finished within {within:?}");
}

impl TestApp {
    /// Ingests `text` as a plain-text document at `uri` with the admin token.
    pub(crate) async fn ingest_text(
        &mut self,
        uri: &str,
        text: &str,
    ) -> gazette_proto::pb::IngestDocumentResponse {
        self.crawl
            .ingest_document(authed(gazette_proto::pb::IngestDocumentRequest {
                uri: uri.to_owned(),
                content: text.as_bytes().to_vec(),
                content_type: "text/plain; charset=utf-8".to_owned(),
            }))
            .await
            .expect("IngestDocument")
            .into_inner()
    }
}
