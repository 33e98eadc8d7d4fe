//! Logs and metrics. Logs go to stderr through tracing, as text or JSON lines; metrics are
//! kept by the `metrics` facade and exposed in Prometheus text format on a separate HTTP
//! listener, so scraping never competes with gRPC traffic.

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use gazette_store::Store;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// Installs the global tracing subscriber; the filter comes from `GAZETTE_LOG` (default
/// `info`). Calling it twice is harmless: the second call changes nothing.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GAZETTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
    // Err means a subscriber is already installed (tests, repeated calls): keep it.
    let _ = installed;
}

/// Latency buckets in seconds, from a cached GetNotice to a slow site.
const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0,
];

/// The process-wide Prometheus recorder, installed on first use. `OnceLock::get_or_init`
/// makes concurrent first calls (tests building several apps at once) install it once.
pub fn metrics_handle() -> anyhow::Result<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            Some(handle)
        })
        .as_ref()
        .context("cannot install the metrics recorder (another recorder is installed)")
}

/// Serves `GET /metrics` on `listener` until `cancel` fires. Store gauges are refreshed at
/// scrape time, so they cost nothing between scrapes.
pub async fn serve_metrics(
    listener: TcpListener,
    store: Arc<dyn Store>,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let handle = metrics_handle()?;
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let store = Arc::clone(&store);
            async move {
                let stats = tokio::task::spawn_blocking(move || store.stats()).await;
                match stats {
                    Ok(Ok(stats)) => {
                        metrics::gauge!("gazette_store_pages").set(stats.pages as f64);
                        metrics::gauge!("gazette_store_notices").set(stats.notices as f64);
                        metrics::gauge!("gazette_store_organisations")
                            .set(stats.organisations as f64);
                        metrics::gauge!("gazette_store_size_bytes")
                            .set(stats.size_on_disk_bytes as f64);
                    }
                    Ok(Err(error)) => tracing::warn!(%error, "store statistics unavailable"),
                    Err(error) => tracing::warn!(%error, "store statistics task failed"),
                }
                handle.render()
            }
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(cancel.cancelled_owned())
        .await
        .context("metrics listener failed")
}
