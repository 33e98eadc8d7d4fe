//! The gRPC server: gazette's services, the standard health service, and server reflection in
//! both v1 and v1alpha (grpcurl before 1.8.8 speaks only v1alpha).

use anyhow::Context;
use gazette_proto::pb::notice_service_server::NoticeServiceServer;
use gazette_proto::pb::organisation_service_server::OrganisationServiceServer;
use gazette_services::{NoticeApi, OrganisationApi};
use gazette_store::NoticeStore;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_stream::wrappers::TcpListenerStream;
use tokio_util::sync::CancellationToken;
use tonic::codec::CompressionEncoding;

/// Serves gRPC on `listener` until `cancel` fires, then drains in-flight calls.
pub async fn serve(
    listener: TcpListener,
    store: Arc<dyn NoticeStore>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
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

    let notices = NoticeServiceServer::new(NoticeApi::new(Arc::clone(&store)))
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);
    let organisations = OrganisationServiceServer::new(OrganisationApi::new(store))
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);

    tonic::transport::Server::builder()
        .trace_fn(|request| tracing::info_span!("rpc", method = %request.uri().path()))
        .layer(crate::rpc_metrics::RpcMetricsLayer)
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(notices)
        .add_service(organisations)
        .serve_with_incoming_shutdown(TcpListenerStream::new(listener), cancel.cancelled_owned())
        .await
        .context("gRPC server failed")
}
