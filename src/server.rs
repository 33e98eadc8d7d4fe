//! The gRPC server: gazette's services, the standard health service (overall and per service),
//! and server reflection in both v1 and v1alpha (grpcurl before 1.8.8 speaks only v1alpha).
//! Every RPC gets a tracing span and passes the metrics layer; admin calls need the bearer
//! token, and reads too unless `open_reads`.

use crate::settings::{Settings, TlsSettings};
use anyhow::Context;
use gazette_proto::pb::crawl_service_server::CrawlServiceServer;
use gazette_proto::pb::notice_service_server::NoticeServiceServer;
use gazette_proto::pb::organisation_service_server::OrganisationServiceServer;
use gazette_services::{BearerAuth, CrawlApi, CrawlControl, NoticeApi, OrganisationApi};
use gazette_store::Store;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::codec::CompressionEncoding;
use tonic::service::interceptor::InterceptedService;

/// What the server serves, and how.
pub struct ServerParts {
    /// The shared store.
    pub store: Arc<dyn Store>,
    /// The crawler's controls, when this process crawls.
    pub control: Option<Arc<dyn CrawlControl>>,
    /// Settings: token, open reads, timeout, message size, TLS.
    pub settings: Settings,
}

/// Wraps a read service in the token check unless reads are open.
fn reads_auth(
    settings: &Settings,
) -> impl Fn(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> + Clone + use<> {
    let open = settings.open_reads;
    let auth = BearerAuth::new(settings.admin_token.as_ref().map(|t| t.expose().to_owned()));
    move |request| {
        if open {
            Ok(request)
        } else {
            auth.check(request)
        }
    }
}

/// The gRPC server, set up and not yet serving: polling it serves until the shutdown token
/// fires, then drains the calls in flight.
pub type PreparedServer = std::pin::Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>>;

/// A server builder serving TLS with the certificate and key of `tls`. Building it reads and
/// parses both, so a bad one fails here, before anything serves; `gazette config check` calls
/// it for the same reason.
pub fn tls_server(tls: &TlsSettings) -> anyhow::Result<tonic::transport::Server> {
    let cert = std::fs::read(&tls.cert)
        .with_context(|| format!("reading tls.cert {}", tls.cert.display()))?;
    let key = std::fs::read(&tls.key)
        .with_context(|| format!("reading tls.key {}", tls.key.display()))?;
    let config = tonic::transport::ServerTlsConfig::new()
        .identity(tonic::transport::Identity::from_pem(cert, key));
    tonic::transport::Server::builder()
        .tls_config(config)
        .with_context(|| {
            format!(
                "configuring TLS from tls.cert {} and tls.key {}",
                tls.cert.display(),
                tls.key.display()
            )
        })
}

/// Does everything that can fail before serving (reflection, TLS certificate and key, the
/// services) and returns the server ready to run on `listener` until `cancel` fires.
pub async fn prepare(
    listener: TcpListener,
    parts: ServerParts,
    cancel: CancellationToken,
) -> anyhow::Result<PreparedServer> {
    let ServerParts {
        store,
        control,
        settings,
    } = parts;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(gazette_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1 = reflection().build_v1().context("building reflection v1")?;
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .context("building reflection v1alpha")?;

    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<NoticeServiceServer<NoticeApi>>().await;
    health
        .set_serving::<OrganisationServiceServer<OrganisationApi>>()
        .await;
    health.set_serving::<CrawlServiceServer<CrawlApi>>().await;

    let limit = settings.max_message_bytes;
    let notices = NoticeServiceServer::new(
        NoticeApi::new(Arc::clone(&store))
            .with_shutdown(cancel.clone())
            .with_max_response_bytes(limit),
    )
    .accept_compressed(CompressionEncoding::Gzip)
    .send_compressed(CompressionEncoding::Gzip)
    .max_decoding_message_size(limit)
    .max_encoding_message_size(limit);
    let organisations = OrganisationServiceServer::new(OrganisationApi::new(Arc::clone(&store)))
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);
    let admin = BearerAuth::new(settings.admin_token.as_ref().map(|t| t.expose().to_owned()));
    // ReparseAll stops between pages at shutdown.
    let crawl_api = CrawlApi::new(store, control).with_shutdown(cancel.clone());
    let crawl = CrawlServiceServer::new(crawl_api)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        .max_decoding_message_size(limit)
        .max_encoding_message_size(limit);

    // tonic sets TCP_NODELAY only on sockets it accepts itself; without it a response written in
    // several segments waits for the client's delayed ACK (about 40 ms per call).
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    let builder = match &settings.tls {
        Some(tls) => tls_server(tls)?,
        None => tonic::transport::Server::builder(),
    };
    let server = builder
        // tonic's timer is a backstop; the deadline layer answers first, with DEADLINE_EXCEEDED.
        .timeout(settings.request_timeout)
        // The span names the method from the same closed set as the metrics, so a made-up path
        // of any length is logged as "unknown".
        .trace_fn(|request| {
            tracing::info_span!(
                "rpc",
                method = crate::rpc_metrics::method_label(request.uri().path())
            )
        })
        .layer(crate::rpc_metrics::RpcMetricsLayer)
        .layer(crate::message_limit::MessageLimitLayer)
        .layer(crate::deadline::DeadlineLayer::new(
            settings.request_timeout,
        ))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(InterceptedService::new(notices, reads_auth(&settings)))
        .add_service(InterceptedService::new(
            organisations,
            reads_auth(&settings),
        ))
        .add_service(InterceptedService::new(crawl, admin))
        .serve_with_incoming_shutdown(incoming, cancel.cancelled_owned());
    Ok(Box::pin(async move {
        server.await.context("gRPC server failed")
    }))
}
