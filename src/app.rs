//! The application: one store handle shared by the gRPC server and the crawl worker in one
//! process (sled locks its database to a single process), their start once every fallible
//! setup step has passed, and their supervision and orderly shutdown.

use crate::settings::Settings;
use crate::supervisor::{Lifetime, Supervisor};
use anyhow::Context;
use gazette_store::Store;
use gazette_worker::Crawler;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// How long the server and worker get to finish after shutdown is requested.
pub const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(20);

/// A built application, its listeners bound, not yet serving.
pub struct Application {
    settings: Settings,
    store: Arc<dyn Store>,
    /// None for a process that only crawls (`gazette crawl`).
    listener: Option<TcpListener>,
    metrics_listener: Option<TcpListener>,
    crawler: Crawler,
}

/// An application whose setup has all succeeded and whose tasks run under one
/// [`Supervisor`]; [`Self::run`] waits for them and flushes the store.
pub struct Running {
    supervisor: Supervisor,
    store: Arc<dyn Store>,
}

impl Application {
    /// Opens the store and binds the gRPC address (port 0 picks a free port) and the metrics
    /// address when one is set.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let mut app = Self::open(settings)?;
        app.listener = Some(
            TcpListener::bind(app.settings.grpc_addr)
                .await
                .with_context(|| format!("binding gRPC address {}", app.settings.grpc_addr))?,
        );
        if let Some(addr) = app.settings.metrics_addr {
            // Install the recorder before anything runs, so no early event is lost.
            crate::telemetry::metrics_handle()?;
            app.metrics_listener = Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding metrics address {addr}"))?,
            );
        }
        Ok(app)
    }

    /// Opens the store for a process that only crawls: no gRPC or metrics listener is bound,
    /// so it runs beside a `serve` of another store without taking any port.
    pub fn build_crawler(settings: Settings) -> anyhow::Result<Self> {
        Self::open(settings)
    }

    fn open(settings: Settings) -> anyhow::Result<Self> {
        let store = crate::stores::open_store(
            &settings.store_location(),
            settings.store.options(),
            crate::stores::Create::IfMissing,
        )?;
        let crawler = Crawler::new(settings.crawler.clone(), Arc::clone(&store) as _)
            .context("building the crawler")?;
        Ok(Self {
            settings,
            store,
            listener: None,
            metrics_listener: None,
            crawler,
        })
    }

    /// The address the gRPC server listens on.
    pub fn grpc_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener
            .as_ref()
            .context("this process serves no gRPC")?
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
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// The crawler, for one-off runs before serving.
    pub fn crawler(&self) -> &Crawler {
        &self.crawler
    }

    /// Sets up everything that can fail (the gRPC server with TLS and reflection), then
    /// starts the server, the metrics listener and, if `crawl` is set, the scheduled worker
    /// under one supervisor that stops on `cancel`, and logs what it serves. An error here
    /// means nothing was started.
    pub async fn start(self, cancel: CancellationToken, crawl: bool) -> anyhow::Result<Running> {
        let Self {
            settings,
            store,
            listener,
            metrics_listener,
            crawler,
        } = self;
        let mut supervisor = Supervisor::new(&cancel, SHUTDOWN_DEADLINE);
        let scheduler = crate::scheduler::CrawlScheduler::new(&settings.sources);
        let control: Option<Arc<dyn gazette_services::CrawlControl>> =
            crawl.then(|| Arc::new(scheduler.clone()) as Arc<dyn gazette_services::CrawlControl>);
        let grpc_addr = listener.as_ref().and_then(|l| l.local_addr().ok());
        let server = match listener {
            Some(listener) => {
                let parts = crate::server::ServerParts {
                    store: Arc::clone(&store),
                    control,
                    settings: settings.clone(),
                };
                Some(crate::server::prepare(listener, parts, supervisor.token()).await?)
            }
            None => None,
        };
        // Nothing below can fail: every task starts, and only then is serving announced.
        if let Some(server) = server {
            supervisor.spawn("gRPC server", Lifetime::UntilShutdown, server);
        }
        if let Some(listener) = metrics_listener {
            let metrics_addr = listener.local_addr().ok();
            let (store, cancel) = (Arc::clone(&store), supervisor.token());
            supervisor.spawn("metrics listener", Lifetime::UntilShutdown, async move {
                crate::telemetry::serve_metrics(listener, store, cancel).await
            });
            if let Some(addr) = metrics_addr {
                tracing::info!(%addr, "serving metrics");
            }
        }
        if crawl {
            let cancel = supervisor.token();
            supervisor.spawn("crawl worker", Lifetime::MayFinish, async move {
                scheduler.run(crawler, cancel).await
            });
        }
        if let Some(addr) = grpc_addr {
            tracing::info!(%addr, "serving gRPC");
        }
        Ok(Running { supervisor, store })
    }

    /// [`Self::start`], then [`Running::run`]: serves until `cancel` fires or a task fails.
    pub async fn run(self, cancel: CancellationToken, crawl: bool) -> anyhow::Result<()> {
        self.start(cancel, crawl).await?.run().await
    }
}

impl Running {
    /// Runs `task` under the same supervisor as the server: its failure stops the process.
    pub fn spawn<F>(&mut self, name: &'static str, lifetime: Lifetime, task: F)
    where
        F: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.supervisor.spawn(name, lifetime, task);
    }

    /// Waits until shutdown is requested or a task fails, lets the tasks finish under
    /// [`SHUTDOWN_DEADLINE`] (then aborts them), and flushes the store either way. Returns
    /// the first task failure, else a flush failure.
    pub async fn run(self) -> anyhow::Result<()> {
        let Self { supervisor, store } = self;
        let stopped = supervisor.wait().await;
        let flushed = tokio::task::spawn_blocking(move || store.flush())
            .await
            .context("flush task")
            .and_then(|r| r.context("flushing the store"));
        match (stopped, flushed) {
            (Err(error), Err(flush)) => {
                tracing::error!(error = %format!("{flush:#}"), "flushing after a failure");
                Err(error)
            }
            (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error),
            (Ok(()), Ok(())) => Ok(()),
        }
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
