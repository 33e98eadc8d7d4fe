//! `spawn_app()`: the real application on port 0 with a fresh data dir and a metrics listener,
//! after one crawl of a loopback fixture site, with connected gRPC clients.

use gazette::app::Application;
use gazette::commands::demo_source;
use gazette::demo_site::DemoSite;
use gazette::settings::Settings;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use gazette_proto::pb::organisation_service_client::OrganisationServiceClient;
use std::net::SocketAddr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

pub(crate) struct TestApp {
    pub(crate) metrics_addr: SocketAddr,
    pub(crate) notices: NoticeServiceClient<Channel>,
    pub(crate) organisations: OrganisationServiceClient<Channel>,
    cancel: CancellationToken,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    _site: DemoSite,
    _data_dir: tempfile::TempDir,
}

/// Builds the real application on port 0 with a fresh data dir, crawls the fixture site once,
/// and connects clients. The listener is bound before the server starts, so no sleep is needed.
pub(crate) async fn spawn_app() -> TestApp {
    let site_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind site");
    let site = DemoSite::spawn(site_listener).expect("start site");
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().expect("literal address"),
        metrics_addr: Some("127.0.0.1:0".parse().expect("literal address")),
        data_dir: data_dir.path().to_path_buf(),
        ..Settings::default()
    };
    settings.crawler.delay = Duration::ZERO;
    let source = demo_source(&site);
    settings.sources = vec![source.clone()];
    let app = Application::build(settings).await.expect("build app");
    let addr = app.grpc_addr().expect("bound address");
    let metrics_addr = app.metrics_addr().expect("metrics listener bound");
    let cancel = CancellationToken::new();
    let report = app
        .crawler()
        .crawl_once(&source, &cancel)
        .await
        .expect("crawl step");
    assert_eq!(report.pages_fetched, DemoSite::notice_count(), "{report:?}");
    assert!(report.failures.is_empty(), "{report:?}");
    let server = tokio::spawn(app.run(cancel.clone(), false));
    let channel = Channel::from_shared(format!("http://{addr}"))
        .expect("uri")
        .connect()
        .await
        .expect("connect");
    TestApp {
        metrics_addr,
        notices: NoticeServiceClient::new(channel.clone()),
        organisations: OrganisationServiceClient::new(channel),
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
