//! The application: one store handle shared by the gRPC server and the crawl worker in one
//! process (sled locks its database to a single process), and their orderly shutdown.

use crate::settings::Settings;
use anyhow::Context;
use gazette_store::{NoticeStore, SledStore};
use gazette_worker::Crawler;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// How long the server and worker get to finish after shutdown is requested.
pub const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(20);

/// A built application, its listener bound, not yet serving.
pub struct Application {
    settings: Settings,
    store: Arc<SledStore>,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    crawler: Crawler,
}

impl Application {
    /// Opens the store and binds the gRPC address (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating data dir {}", settings.data_dir.display()))?;
        let store = Arc::new(
            SledStore::open_with(&settings.data_dir, settings.store.options())
                .with_context(|| format!("opening store in {}", settings.data_dir.display()))?,
        );
        let listener = TcpListener::bind(settings.grpc_addr)
            .await
            .with_context(|| format!("binding gRPC address {}", settings.grpc_addr))?;
        let metrics_listener = match settings.metrics_addr {
            Some(addr) => Some({
                // Install the recorder before anything runs, so no early event is lost.
                crate::telemetry::metrics_handle()?;
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding metrics address {addr}"))?
            }),
            None => None,
        };
        let crawler = Crawler::new(
            settings.crawler.clone(),
            Arc::clone(&store) as Arc<dyn NoticeStore>,
        )
        .context("building the crawler")?;
        Ok(Self {
            settings,
            store,
            listener,
            metrics_listener,
            crawler,
        })
    }

    /// The address the gRPC server listens on.
    pub fn grpc_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener
            .local_addr()
            .context("reading the bound address")
    }

    /// The address of the metrics listener, when one is configured.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// The shared store.
    pub fn store(&self) -> Arc<dyn NoticeStore> {
        Arc::clone(&self.store) as Arc<dyn NoticeStore>
    }

    /// The crawler, for one-off runs before serving.
    pub fn crawler(&self) -> &Crawler {
        &self.crawler
    }

    /// Serves gRPC and, if `crawl` is set, runs the scheduled worker, until `cancel` fires;
    /// then waits for both under [`SHUTDOWN_DEADLINE`] and flushes the store.
    pub async fn run(self, cancel: CancellationToken, crawl: bool) -> anyhow::Result<()> {
        let Self {
            settings,
            store,
            listener,
            metrics_listener,
            crawler,
        } = self;
        if let Some(listener) = metrics_listener {
            let store = Arc::clone(&store);
            let cancel = cancel.child_token();
            tokio::spawn(async move {
                if let Err(error) = crate::telemetry::serve_metrics(listener, store, cancel).await {
                    tracing::error!(error = %format!("{error:#}"), "metrics listener stopped");
                }
            });
        }
        let supervisor = crate::supervisor::CrawlSupervisor::new(&settings.sources);
        let control: Option<Arc<dyn gazette_services::CrawlControl>> =
            crawl.then(|| Arc::new(supervisor.clone()) as Arc<dyn gazette_services::CrawlControl>);
        let parts = crate::server::ServerParts {
            store: Arc::clone(&store) as Arc<dyn NoticeStore>,
            control,
            settings: settings.clone(),
        };
        let server = tokio::spawn(crate::server::serve(listener, parts, cancel.child_token()));
        let worker_cancel = cancel.child_token();
        let worker = tokio::spawn(async move {
            if crawl {
                supervisor.run(crawler, worker_cancel).await;
            }
        });
        cancel.cancelled().await;
        tracing::info!("shutting down");
        let joined =
            tokio::time::timeout(SHUTDOWN_DEADLINE, async { (server.await, worker.await) }).await;
        let flushed = tokio::task::spawn_blocking(move || store.flush()).await;
        match joined {
            Ok((server, worker)) => {
                server.context("gRPC server task")??;
                worker.context("worker task")?;
            }
            Err(_) => tracing::warn!(deadline = ?SHUTDOWN_DEADLINE, "shutdown deadline passed"),
        }
        flushed
            .context("flush task")?
            .context("flushing the store")?;
        Ok(())
    }
}

/// A token cancelled by SIGINT or SIGTERM. The handlers are registered before this returns,
/// so a signal that arrives right after start-up is never lost (callers create the token
/// before announcing readiness).
pub fn shutdown_on_signals() -> anyhow::Result<CancellationToken> {
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        tokio::spawn(async move {
            tokio::select! {
                _ = interrupt.recv() => tracing::info!(signal = "SIGINT", "stop requested"),
                _ = terminate.recv() => tracing::info!(signal = "SIGTERM", "stop requested"),
            }
            token.cancel();
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            token.cancel();
        }
    });
    Ok(cancel)
}
