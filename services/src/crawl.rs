//! `gazette.v1.CrawlService`, the admin API: sources and crawl runs (through [`CrawlControl`],
//! which the binary implements over the worker, so this crate needs no HTTP client), document
//! ingestion and re-parsing, which go through [`gazette_pipeline`], the same path from bytes to
//! a stored page that the crawler takes.

use crate::convert;
use crate::error::{ApiError, blocking};
use gazette_notice::NoticeParser;
use gazette_pipeline::{Document, PipelineError, Reading};
use gazette_proto::pb;
use gazette_store::{PageOutcome, Store, now_ms};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::{Request, Response, Status};

/// A configured source, as the admin API shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// Unique name.
    pub name: String,
    /// List pages the crawl starts from.
    pub start_urls: Vec<String>,
    /// Regex of notice links.
    pub notice_url_pattern: String,
    /// Time between runs.
    pub interval: Duration,
    /// Notice pages per run at most.
    pub max_pages: usize,
}

/// Crawl state of one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceState {
    /// Name of the source.
    pub source: String,
    /// A run is in progress.
    pub running: bool,
    /// Start of the last run, ms since the epoch.
    pub last_started_ms: Option<i64>,
    /// End of the last run, ms since the epoch.
    pub last_finished_ms: Option<i64>,
    /// Notice pages fetched by the last run.
    pub pages_fetched: usize,
    /// Pages found unchanged by the last run.
    pub pages_unchanged: usize,
    /// Notices new in the last run.
    pub notices_new: usize,
    /// Failures of the last run.
    pub failures: Vec<String>,
    /// Next scheduled run, ms since the epoch.
    pub next_run_ms: Option<i64>,
    /// Pages of the last run answered with an anti-bot challenge.
    pub blocked: Vec<BlockedPage>,
    /// Documents of the last run kept but not read.
    pub unsupported: Vec<UnsupportedDocument>,
}

/// A page answered with an anti-bot challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockedPage {
    /// The URL asked for.
    pub uri: String,
    /// The answer's HTTP status.
    pub http_status: u16,
    /// The challenge's label (`ts_412`, `jsl_521`, …).
    pub challenge: String,
}

/// A document kept but not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnsupportedDocument {
    /// Its URL.
    pub uri: String,
    /// Its format's label (`doc`, `wps`, `ofd`, `xlsx`, `archive`, `image`, `binary`).
    pub format: String,
}

/// Outcome of a trigger request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerOutcome {
    /// A run started.
    Started,
    /// A run of that source was already in progress.
    AlreadyRunning,
    /// No source has that name.
    UnknownSource,
}

/// What the admin API needs from the crawler.
pub trait CrawlControl: Send + Sync + 'static {
    /// The configured sources.
    fn sources(&self) -> Vec<SourceInfo>;
    /// Starts a run of `source` now.
    fn trigger(&self, source: &str) -> TriggerOutcome;
    /// The state of every source.
    fn states(&self) -> Vec<SourceState>;
}

/// Serves the admin API.
#[derive(Clone)]
pub struct CrawlApi {
    store: Arc<dyn Store>,
    control: Option<Arc<dyn CrawlControl>>,
    /// Cancelled at shutdown: ReparseAll stops between pages.
    shutdown: CancellationToken,
    /// Work still running off the handlers: ReparseAll streams, and ingestions' parses (an
    /// abandoned one runs to its end and then writes nothing).
    tasks: TaskTracker,
}

/// Pages re-parsed between two progress messages of ReparseAll.
const REPARSE_BATCH: usize = 100;

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl CrawlApi {
    /// An admin service over `store`; without `control` the crawl calls answer
    /// FAILED_PRECONDITION (ingestion and re-parsing still work).
    pub fn new(store: Arc<dyn Store>, control: Option<Arc<dyn CrawlControl>>) -> Self {
        Self {
            store,
            control,
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        }
    }

    /// Stops ReparseAll (between pages, never in the middle of a write) when `shutdown` is
    /// cancelled; give it the application's token or a child of it.
    pub fn with_shutdown(mut self, shutdown: CancellationToken) -> Self {
        self.shutdown = shutdown;
        self
    }

    /// Waits until no work started by this service is running: ReparseAll streams and the
    /// parses of ingestions, including abandoned ones (which store nothing).
    pub async fn idle(&self) {
        self.tasks.close();
        self.tasks.wait().await;
        self.tasks.reopen();
    }

    fn control(&self) -> Result<&Arc<dyn CrawlControl>, ApiError> {
        self.control
            .as_ref()
            .ok_or_else(|| ApiError::FailedPrecondition("this process runs no crawler".into()))
    }

    /// Cleans, parses and stores a pushed document, unless `deadline` passes first: then the
    /// call answers DEADLINE_EXCEEDED at once and nothing of it is stored.
    async fn ingest(
        &self,
        request: pb::IngestDocumentRequest,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<pb::IngestDocumentResponse, Status> {
        let document = pushed_document(request)?;
        let store = Arc::clone(&self.store);
        let (error, stored) = gazette_pipeline::write_within(
            &self.tasks,
            document,
            Reading::default(),
            deadline,
            move |write| {
                let error = write.page.error.clone().unwrap_or_default();
                (error, store.record_fetch(write))
            },
        )
        .await
        .map_err(|error| match error {
            PipelineError::DeadlineExceeded => Status::deadline_exceeded(
                "the deadline passed before the document was parsed; nothing was stored",
            ),
            PipelineError::Task(cause) => ApiError::Task(cause).into(),
        })?;
        let outcome: PageOutcome = stored.map_err(ApiError::from)?;
        let notices = outcome
            .new_notices
            .iter()
            .chain(&outcome.updated_notices)
            .map(|id| convert::notice_name(id))
            .collect();
        let withdrawn = outcome
            .withdrawn_notices
            .iter()
            .map(|id| convert::notice_name(id))
            .collect();
        Ok(pb::IngestDocumentResponse {
            notices,
            error,
            withdrawn,
        })
    }
}

/// A pushed document, validated, as the pipeline takes it.
fn pushed_document(request: pb::IngestDocumentRequest) -> Result<Document, ApiError> {
    let uri = request.uri.trim();
    if uri.is_empty() || uri.chars().any(char::is_whitespace) {
        return Err(ApiError::invalid(
            "uri",
            "give the URL the document was published at",
        ));
    }
    if request.content.is_empty() {
        return Err(ApiError::invalid("content", "the document is empty"));
    }
    Ok(Document {
        url: uri.to_owned(),
        final_url: uri.to_owned(),
        status: 0,
        content_type: Some(request.content_type.trim().to_owned()).filter(|c| !c.is_empty()),
        fetched_at_ms: now_ms(),
        body: request.content,
        ..Document::default()
    })
}

/// The caller's deadline, from its `grpc-timeout` header (gRPC over HTTP/2: at most eight
/// digits and a unit, H M S m u n). A malformed header is ignored, as tonic does.
fn client_deadline(metadata: &tonic::metadata::MetadataMap) -> Option<tokio::time::Instant> {
    let value = metadata.get("grpc-timeout")?.to_str().ok()?;
    let timeout = crate::timeout::grpc_timeout(value)?;
    Some(tokio::time::Instant::now() + timeout)
}

#[tonic::async_trait]
impl pb::crawl_service_server::CrawlService for CrawlApi {
    async fn list_sources(
        &self,
        _request: Request<pb::ListSourcesRequest>,
    ) -> Result<Response<pb::ListSourcesResponse>, Status> {
        let sources = self
            .control()?
            .sources()
            .into_iter()
            .map(|s| pb::Source {
                name: s.name,
                start_urls: s.start_urls,
                notice_url_pattern: s.notice_url_pattern,
                interval: humanise(s.interval),
                max_pages: count(s.max_pages),
            })
            .collect();
        Ok(Response::new(pb::ListSourcesResponse { sources }))
    }

    async fn trigger_crawl(
        &self,
        request: Request<pb::TriggerCrawlRequest>,
    ) -> Result<Response<pb::TriggerCrawlResponse>, Status> {
        let source = request.into_inner().source;
        if source.trim().is_empty() {
            return Err(ApiError::invalid("source", "name the source to crawl").into());
        }
        let started = match self.control()?.trigger(&source) {
            TriggerOutcome::Started => true,
            TriggerOutcome::AlreadyRunning => false,
            TriggerOutcome::UnknownSource => {
                return Err(ApiError::NotFound {
                    resource: format!("source {source:?}"),
                }
                .into());
            }
        };
        Ok(Response::new(pb::TriggerCrawlResponse { started }))
    }

    async fn get_crawl_status(
        &self,
        request: Request<pb::GetCrawlStatusRequest>,
    ) -> Result<Response<pb::GetCrawlStatusResponse>, Status> {
        let wanted = request.into_inner().source;
        let states: Vec<SourceState> = self
            .control()?
            .states()
            .into_iter()
            .filter(|s| wanted.is_empty() || s.source == wanted)
            .collect();
        if !wanted.is_empty() && states.is_empty() {
            return Err(ApiError::NotFound {
                resource: format!("source {wanted:?}"),
            }
            .into());
        }
        let sources = states
            .into_iter()
            .map(|s| pb::SourceStatus {
                source: s.source,
                running: s.running,
                last_run_started_at: s.last_started_ms.map(convert::timestamp),
                last_run_finished_at: s.last_finished_ms.map(convert::timestamp),
                pages_fetched: count(s.pages_fetched),
                pages_unchanged: count(s.pages_unchanged),
                notices_new: count(s.notices_new),
                failures: s.failures,
                next_run_at: s.next_run_ms.map(convert::timestamp),
                blocked: !s.blocked.is_empty(),
                blocked_pages: s
                    .blocked
                    .into_iter()
                    .map(|b| pb::BlockedPage {
                        uri: b.uri,
                        http_status: i32::from(b.http_status),
                        challenge: b.challenge,
                    })
                    .collect(),
                unsupported_documents: s
                    .unsupported
                    .into_iter()
                    .map(|d| pb::UnsupportedDocument {
                        uri: d.uri,
                        format: d.format,
                    })
                    .collect(),
            })
            .collect();
        Ok(Response::new(pb::GetCrawlStatusResponse { sources }))
    }

    async fn ingest_document(
        &self,
        request: Request<pb::IngestDocumentRequest>,
    ) -> Result<Response<pb::IngestDocumentResponse>, Status> {
        let deadline = client_deadline(request.metadata());
        self.ingest(request.into_inner(), deadline)
            .await
            .map(Response::new)
    }

    type ReparseAllStream =
        tokio_stream::wrappers::ReceiverStream<Result<pb::ReparseAllResponse, Status>>;

    async fn reparse_all(
        &self,
        _request: Request<pb::ReparseAllRequest>,
    ) -> Result<Response<Self::ReparseAllStream>, Status> {
        let store = Arc::clone(&self.store);
        let total = {
            let store = Arc::clone(&store);
            blocking(move || Ok(store.page_count()?)).await?
        };
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let shutdown = self.shutdown.clone();
        self.tasks.spawn(async move {
            let mut progress = pb::ReparseAllResponse {
                pages_total: count(total),
                ..Default::default()
            };
            let mut after: Option<String> = None;
            loop {
                let (store, halt) = (Arc::clone(&store), shutdown.clone());
                let start = after.take();
                let step = blocking(move || reparse_batch(store.as_ref(), start, &halt)).await;
                let batch = match step {
                    Ok(batch) => batch,
                    Err(status) => {
                        let _ = tx.send(Err(status)).await;
                        return;
                    }
                };
                progress.pages_done += count(batch.done);
                progress.notices_written += count(batch.written);
                progress.notices_withdrawn += count(batch.withdrawn);
                let finished = batch.last.is_none() || batch.read < REPARSE_BATCH;
                // Every page done: the end is reported as such even during shutdown.
                let complete = finished && batch.done == batch.read;
                if shutdown.is_cancelled() && !complete {
                    stop(&tx, &progress).await;
                    return;
                }
                let sent = tokio::select! {
                    biased;
                    () = shutdown.cancelled(), if !complete => {
                        stop(&tx, &progress).await;
                        return;
                    }
                    sent = tx.send(Ok(progress)) => sent.is_ok(),
                };
                if !sent || finished {
                    return;
                }
                after = batch.last;
            }
        });
        Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
            rx,
        )))
    }
}

/// How long a stopped ReparseAll waits for a slow client to take its last message.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// Ends a ReparseAll stopped by shutdown with an error, so that a client runs it again later
/// rather than take the last progress message for the end. A client that reads slowly gets
/// [`STOP_GRACE`] to make room for it, so that it cannot hold up shutdown.
async fn stop(
    tx: &tokio::sync::mpsc::Sender<Result<pb::ReparseAllResponse, Status>>,
    progress: &pb::ReparseAllResponse,
) {
    let status = Status::unavailable(format!(
        "the server is shutting down; ReparseAll stopped after {} of {} pages",
        progress.pages_done, progress.pages_total
    ));
    let _ = tokio::time::timeout(STOP_GRACE, tx.send(Err(status))).await;
}

/// What one batch of ReparseAll did.
struct ReparseBatch {
    /// Pages read from the store.
    read: usize,
    /// Pages re-parsed (fewer than `read` when shutdown interrupted the batch).
    done: usize,
    /// The URL of the last page done, where the next batch starts.
    last: Option<String>,
    /// Notices written.
    written: usize,
    /// Notices withdrawn.
    withdrawn: usize,
}

/// Re-parses up to [`REPARSE_BATCH`] stored pages after `after` through the pipeline, stopping
/// between pages once `stop` is cancelled.
fn reparse_batch(
    store: &dyn Store,
    after: Option<String>,
    stop: &CancellationToken,
) -> Result<ReparseBatch, ApiError> {
    let pages = store.pages(after.as_deref(), REPARSE_BATCH)?;
    let parser = NoticeParser::new();
    let mut batch = ReparseBatch {
        read: pages.len(),
        done: 0,
        last: None,
        written: 0,
        withdrawn: 0,
    };
    for page in pages {
        if stop.is_cancelled() {
            break;
        }
        batch.done += 1;
        batch.last = Some(page.url.clone());
        let Some(write) = gazette_pipeline::reparse(page, &parser) else {
            continue;
        };
        batch.written += write.notices.len();
        batch.withdrawn += store.record_fetch(write)?.withdrawn_notices.len();
    }
    Ok(batch)
}

/// "6h", "30m", "45s": the interval as the config writes it.
fn humanise(interval: Duration) -> String {
    let secs = interval.as_secs();
    match secs {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3_600 == 0 => format!("{}h", s / 3_600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests;
