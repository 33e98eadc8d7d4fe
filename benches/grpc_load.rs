//! Load benchmark of the gRPC API: 10,000 notices in a fresh store, served by the real
//! application on 127.0.0.1, and N concurrent client tasks calling GetNotice, ListNotices
//! (page_size 50) and GetIssueStatus a bounded number of times each.
//!
//! Two references are measured in the same run, each on its own bare tonic server with no
//! layers: the floor, the standard health Check (an empty message), and a bare GetNotice that
//! answers from a map in memory with the same 10,000 responses the real server gives (the same
//! bytes on the wire, without storage). The calls run in rounds, interleaved with the
//! references, and each figure is the median over the rounds, so a burst of other work on the
//! machine moves one round rather than one call.
//!
//! `cargo bench --bench grpc_load`; `GRPC_LOAD_TASKS` (default 32), `GRPC_LOAD_SCALE`
//! (default 1, multiplies every request count) and `GRPC_LOAD_ROUNDS` (default 3) adjust the
//! load; `GRPC_LOAD_ONLY` (a call name prefix) runs the references and the calls it names only,
//! for profiling one of them.
//!
//! After the reads, IngestDocument is measured the same way in rounds of its own (each call
//! stores a new notice, which would change the listings above): 32 concurrent clients, whose
//! writes may share a flush, and one client alone, whose every write waits for its own.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use futures::FutureExt;
use futures::future::BoxFuture;
use gazette::app::Application;
use gazette::settings::Settings;
use gazette_notice::{CleanOptions, InputKind};
use gazette_proto::pb;
use gazette_proto::pb::crawl_service_client::CrawlServiceClient;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use gazette_proto::pb::notice_service_server::{NoticeService, NoticeServiceServer};
use gazette_proto::pb::organisation_service_client::OrganisationServiceClient;
use gazette_store::prelude::*;
use gazette_store::{PageRecord, SledStore};
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

const NOTICES: usize = 10_000;
/// Organisations; each gets NOTICES / ORGANISATIONS notices (inspection rounds).
const ORGANISATIONS: usize = 1_000;
/// Client connections; tasks share them round-robin.
const CONNECTIONS: usize = 4;

/// The admin token of the served application, for IngestDocument.
const ADMIN_TOKEN: &str = "bench-admin-token";

const SAMPLES: [&str; 3] = [
    include_str!("../src/demo/qinghe-district.txt"),
    include_str!("../src/demo/yunshan-bureau.txt"),
    include_str!("../src/demo/beihu-development-zone.txt"),
];

/// Writes NOTICES notices: the samples with the organisation, team and dates varied.
fn fill(store: &SledStore) -> Vec<String> {
    let parsed: Vec<_> = SAMPLES
        .iter()
        .map(|text| {
            let options = CleanOptions {
                kind: InputKind::Text,
                ..CleanOptions::default()
            };
            let (doc, mut notices) = gazette_notice::parse(text.as_bytes(), &options).unwrap();
            (doc, notices.remove(0))
        })
        .collect();
    let mut organisations = Vec::with_capacity(ORGANISATIONS);
    for i in 0..NOTICES {
        let org = i % ORGANISATIONS;
        let round = i / ORGANISATIONS;
        let (doc, base) = &parsed[org % parsed.len()];
        let mut notice = base.clone();
        let name = format!("中共测试{org}号单位委员会");
        if round == 0 {
            organisations.push(name.clone());
        }
        notice.title = Some(format!("{name}关于巡察整改进展情况的通报"));
        notice.organisation = Some(name.clone());
        notice.signed_by = Some(name);
        // Shared aliases would merge the organisations.
        notice.organisation_aliases.clear();
        notice.inspection.team = Some(format!("市委第{}巡察组", round + 1));
        if let Some(date) = notice.signed_on.as_mut() {
            date.year = 2015 + u16::try_from(round).unwrap();
        }
        let sha = format!("{i:064x}");
        let page = PageRecord {
            url: format!("https://bench.example/xczg/{i}.html"),
            final_url: format!("https://bench.example/xczg/{i}.html"),
            status: 200,
            fetched_at_ms: 1_700_000_000_000 + i64::try_from(i).unwrap() * 1000,
            content_sha256: sha,
            clean: Some(doc.clone()),
            ..PageRecord::default()
        };
        gazette_store::record_page(store, page, vec![notice]).unwrap();
    }
    store.flush().unwrap();
    organisations
}

struct Figures {
    name: &'static str,
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index]
    }
}

/// Makes call number `i` of client task `t`.
type CallFn = Arc<dyn Fn(usize, usize) -> BoxFuture<'static, ()> + Send + Sync>;

/// One kind of call under load.
/// First pages of ListNotices (50 notices) in `view`.
fn list_call(name: &'static str, view: pb::NoticeView, real: &[Channel]) -> Call {
    let real = real.to_vec();
    Call::new(name, 20, move |t, _| {
        let mut client = NoticeServiceClient::new(real[t % CONNECTIONS].clone());
        async move {
            let page = client
                .list_notices(pb::ListNoticesRequest {
                    page_size: 50,
                    view: view.into(),
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_inner();
            assert_eq!(page.notices.len(), 50);
            assert_eq!(page.total_size as usize, NOTICES);
        }
    })
}

struct Call {
    name: &'static str,
    /// Calls per task and round (before `GRPC_LOAD_SCALE`).
    per_task: usize,
    call: CallFn,
}

impl Call {
    fn new<F, Fut>(name: &'static str, per_task: usize, call: F) -> Self
    where
        F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Self {
            name,
            per_task,
            call: Arc::new(move |t, i| call(t, i).boxed()),
        }
    }
}

/// Runs `per_task` calls in each of `tasks` tasks; `call(task, i)` makes one.
async fn load(name: &'static str, tasks: usize, per_task: usize, call: CallFn) -> Figures {
    // Warm-up: connections established, caches touched.
    for t in 0..tasks.min(CONNECTIONS) {
        call(t, 0).await;
    }
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let call = Arc::clone(&call);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_task);
                for i in 0..per_task {
                    let at = Instant::now();
                    call(t, i).await;
                    latencies.push(at.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for handle in handles {
        latencies.extend(handle.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Figures {
        name,
        requests: latencies.len(),
        elapsed,
        latencies,
    }
}

async fn channels(addr: SocketAddr) -> Vec<Channel> {
    let mut out = Vec::new();
    for _ in 0..CONNECTIONS {
        out.push(
            Channel::from_shared(format!("http://{addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap(),
        );
    }
    out
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let tasks = env("GRPC_LOAD_TASKS", 32);
    let scale = env("GRPC_LOAD_SCALE", 1);
    let rounds_wanted = env("GRPC_LOAD_ROUNDS", 3).max(1);
    let data_dir = tempfile::tempdir().unwrap();
    let filling = Instant::now();
    let organisations = {
        let store = SledStore::open(data_dir.path()).unwrap();
        fill(&store)
    };
    eprintln!(
        "filled {NOTICES} notices of {ORGANISATIONS} organisations in {:.1?}",
        filling.elapsed()
    );

    // The real application, without the crawler.
    let settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        admin_token: Some(gazette::settings::Secret::new(ADMIN_TOKEN)),
        ..Settings::default()
    };
    let app = Application::build(settings).await.unwrap();
    let addr = app.grpc_addr().unwrap();
    let cancel = CancellationToken::new();
    let store_handle = app.store();
    let server = tokio::spawn(app.run(cancel.clone(), false));

    // The floor: a bare tonic server with the health service only.
    let (_reporter, health) = tonic_health::server::health_reporter();
    let floor_addr = spawn_bare(health, cancel.clone()).await;
    let real = channels(addr).await;
    let floor = channels(floor_addr).await;

    // Every notice as the real server returns it, for the bare GetNotice.
    let mut responses = HashMap::with_capacity(NOTICES);
    let mut page_token = String::new();
    loop {
        let page = NoticeServiceClient::new(real[0].clone())
            .list_notices(pb::ListNoticesRequest {
                page_size: 500,
                page_token,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        for notice in page.notices {
            responses.insert(
                notice.name.clone(),
                pb::GetNoticeResponse {
                    notice: Some(notice),
                },
            );
        }
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(responses.len(), NOTICES);
    let names: Arc<Vec<String>> = Arc::new(responses.keys().cloned().collect());
    let bare_addr = spawn_bare(
        NoticeServiceServer::new(BareNotices {
            responses: Arc::new(responses),
        }),
        cancel.clone(),
    )
    .await;
    let bare = channels(bare_addr).await;
    // gazette's own GetNotice handler and store on a bare server: the handler's cost apart
    // from the real server's layers.
    let sled_store = Arc::clone(&store_handle);
    let handler_addr = spawn_bare(
        NoticeServiceServer::new(gazette_services::NoticeApi::new(store_handle)),
        cancel.clone(),
    )
    .await;
    let handler_only = channels(handler_addr).await;
    let organisations = Arc::new(organisations);
    // The same notices in PostgreSQL (a throwaway server on loopback, as the tests start),
    // copied from the sled store and served by a second application, measured in the same
    // rounds.
    let (postgres, postgres_server) = match postgres_app(sled_store, cancel.clone()).await {
        Ok((channels, server)) => (Some(channels), Some(server)),
        Err(reason) => {
            eprintln!("no PostgreSQL figures: {reason}");
            (None, None)
        }
    };

    let get_notice = |channels: Vec<Channel>, names: Arc<Vec<String>>| {
        move |t: usize, i: usize| {
            let mut client = NoticeServiceClient::new(channels[t % CONNECTIONS].clone());
            let name = names[(t * 7919 + i) % names.len()].clone();
            async move {
                client
                    .get_notice(pb::GetNoticeRequest {
                        name,
                        ..Default::default()
                    })
                    .await
                    .unwrap();
            }
        }
    };
    let health_check = |channels: Vec<Channel>| {
        move |t: usize, _| {
            let mut client = HealthClient::new(channels[t % CONNECTIONS].clone());
            async move {
                client.check(HealthCheckRequest::default()).await.unwrap();
            }
        }
    };
    let issue_status = |real: Vec<Channel>, organisations: Arc<Vec<String>>| {
        move |t: usize, i: usize| {
            let mut client = OrganisationServiceClient::new(real[t % CONNECTIONS].clone());
            let organisation = organisations[(t * 7919 + i) % organisations.len()].clone();
            async move {
                let status = client
                    .get_issue_status(pb::GetIssueStatusRequest { organisation })
                    .await
                    .unwrap()
                    .into_inner();
                assert_eq!(status.history.len(), NOTICES / ORGANISATIONS);
            }
        }
    };
    let mut calls = vec![
        Call::new("floor: bare health Check", 500, health_check(floor)),
        Call::new(
            "bare GetNotice (in memory)",
            500,
            get_notice(bare, names.clone()),
        ),
        // The same tiny call through the real server: what its layers (tracing span, metrics,
        // deadline, timeout) cost before any handler work.
        Call::new("health Check, real server", 500, health_check(real.clone())),
        Call::new("GetNotice", 500, get_notice(real.clone(), names.clone())),
        Call::new(
            "GetNotice handler, bare",
            500,
            get_notice(handler_only, names.clone()),
        ),
        Call::new(
            "GetIssueStatus",
            100,
            issue_status(real.clone(), Arc::clone(&organisations)),
        ),
        list_call(
            "ListNotices page_size 50",
            pb::NoticeView::Unspecified,
            &real,
        ),
        list_call("ListNotices 50, basic view", pb::NoticeView::Basic, &real),
    ];
    if let Some(pg) = &postgres {
        calls.extend([
            Call::new(
                "GetNotice, PostgreSQL",
                500,
                get_notice(pg.clone(), names.clone()),
            ),
            Call::new(
                "GetIssueStatus, PostgreSQL",
                100,
                issue_status(pg.clone(), Arc::clone(&organisations)),
            ),
            list_call(
                "ListNotices 50, PostgreSQL",
                pb::NoticeView::Unspecified,
                pg,
            ),
        ]);
    }
    let only = std::env::var("GRPC_LOAD_ONLY").ok();
    let calls: Vec<Call> = calls
        .into_iter()
        .filter(|c| {
            c.name.starts_with("floor")
                || c.name.starts_with("bare")
                || only.as_deref().is_none_or(|o| c.name.starts_with(o))
        })
        .collect();

    // rounds[r][c]: call c in round r.
    let mut rounds: Vec<Vec<Figures>> = Vec::new();
    for _ in 0..rounds_wanted {
        let mut round = Vec::new();
        for call in &calls {
            round.push(
                load(
                    call.name,
                    tasks,
                    call.per_task * scale,
                    Arc::clone(&call.call),
                )
                .await,
            );
        }
        rounds.push(round);
    }

    println!(
        "grpc_load: {NOTICES} notices, {tasks} tasks over {CONNECTIONS} connections, \
         {rounds_wanted} rounds, {} CPU(s)",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    report(&calls, &rounds, true);

    // Writes, in rounds of their own: every document is a new notice of a new organisation.
    let serial = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let ingest = |name: &'static str| {
        let real = real.clone();
        let serial = Arc::clone(&serial);
        Call::new(name, 10, move |t, _| {
            let mut client = CrawlServiceClient::new(real[t % CONNECTIONS].clone());
            let n = serial.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let text = SAMPLES[n % SAMPLES.len()].replacen("中共", &format!("中共写入{n}号"), 1);
            async move {
                let mut request = tonic::Request::new(pb::IngestDocumentRequest {
                    uri: format!("https://bench.example/ingest/{n}.txt"),
                    content: text.into_bytes(),
                    content_type: "text/plain; charset=utf-8".into(),
                });
                request.metadata_mut().insert(
                    "authorization",
                    format!("Bearer {ADMIN_TOKEN}").parse().unwrap(),
                );
                let stored = client.ingest_document(request).await.unwrap().into_inner();
                assert!(!stored.notices.is_empty(), "{}", stored.error);
            }
        })
    };
    let writes = [ingest("IngestDocument"), ingest("IngestDocument, 1 client")];
    let mut write_rounds: Vec<Vec<Figures>> = Vec::new();
    for _ in 0..rounds_wanted {
        let mut round = Vec::new();
        for (w, call) in writes.iter().enumerate() {
            let clients = if w == 0 { tasks } else { 1 };
            let per_task = if w == 0 {
                call.per_task
            } else {
                call.per_task * 8
            };
            round.push(load(call.name, clients, per_task * scale, Arc::clone(&call.call)).await);
        }
        write_rounds.push(round);
    }
    report(&writes, &write_rounds, false);
    cancel.cancel();
    server.await.unwrap().unwrap();
    if let Some(server) = postgres_server {
        server.await.unwrap().unwrap();
    }
}

/// A fresh PostgreSQL database holding a copy of `sled_store`, served by a second application
/// (no crawler): its channels and its task.
async fn postgres_app(
    sled_store: Arc<dyn gazette_store::Store>,
    cancel: CancellationToken,
) -> Result<(Vec<Channel>, tokio::task::JoinHandle<anyhow::Result<()>>), String> {
    let url = gazette_store::postgres::test_server::fresh_database()?;
    let copying = Instant::now();
    let target_url = url.clone();
    tokio::task::spawn_blocking(move || {
        let target = gazette_store::postgres::PgStore::open(&target_url)?;
        gazette_store::maintenance::copy(&*sled_store, &target)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    eprintln!("copied into PostgreSQL in {:.1?}", copying.elapsed());
    let mut settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().unwrap(),
        admin_token: Some(gazette::settings::Secret::new(ADMIN_TOKEN)),
        ..Settings::default()
    };
    settings.store.url = Some(gazette::settings::StoreUrl::new(url));
    let app = Application::build(settings)
        .await
        .map_err(|e| format!("{e:#}"))?;
    let addr = app.grpc_addr().map_err(|e| format!("{e:#}"))?;
    let server = tokio::spawn(app.run(cancel, false));
    Ok((channels(addr).await, server))
}

/// Prints one line per call: the median over `rounds` of its rate and its latencies over all
/// rounds; with `relative`, also its rate as a share of the first two calls (the references).
fn report(calls: &[Call], rounds: &[Vec<Figures>], relative: bool) {
    let header = if relative { " % floor   % bare" } else { "" };
    println!(
        "{:<28} {:>9} {:>10} {:>10} {:>10}{header}",
        "call (median of rounds)", "requests", "req/s", "p50", "p99"
    );
    for (c, call) in calls.iter().enumerate() {
        let median = |f: &dyn Fn(&[Figures]) -> f64| {
            let mut values: Vec<f64> = rounds.iter().map(|r| f(r)).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        let rps = median(&|r: &[Figures]| r[c].rps());
        let of_floor = median(&|r: &[Figures]| r[c].rps() / r[0].rps());
        let of_bare = median(&|r: &[Figures]| r[c].rps() / r[1].rps());
        let mut all = Figures {
            name: call.name,
            requests: 0,
            elapsed: Duration::ZERO,
            latencies: rounds
                .iter()
                .flat_map(|r| r[c].latencies.iter().copied())
                .collect(),
        };
        all.latencies.sort();
        all.requests = all.latencies.len();
        let shares = if relative {
            format!(" {:>7.0}% {:>7.0}%", 100.0 * of_floor, 100.0 * of_bare)
        } else {
            String::new()
        };
        println!(
            "{:<28} {:>9} {:>10.0} {:>10.2?} {:>10.2?}{shares}",
            all.name,
            all.requests,
            rps,
            all.percentile(0.50),
            all.percentile(0.99),
        );
    }
}

/// Serves `service` alone on a bare tonic server on 127.0.0.1 until `cancel` fires.
async fn spawn_bare<S>(service: S, cancel: CancellationToken) -> SocketAddr
where
    S: tower::Service<
            http::Request<tonic::body::Body>,
            Response = http::Response<tonic::body::Body>,
            Error = std::convert::Infallible,
        > + tonic::server::NamedService
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The same socket options as the real server: without TCP_NODELAY a response written in
    // several segments waits for the client's delayed ACK.
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, cancel.cancelled_owned()),
    );
    addr
}

/// GetNotice from memory: the cost of the call itself, without storage.
struct BareNotices {
    responses: Arc<HashMap<String, pb::GetNoticeResponse>>,
}

#[tonic::async_trait]
impl NoticeService for BareNotices {
    async fn get_notice(
        &self,
        request: tonic::Request<pb::GetNoticeRequest>,
    ) -> Result<tonic::Response<pb::GetNoticeResponse>, tonic::Status> {
        self.responses
            .get(&request.into_inner().name)
            .cloned()
            .map(tonic::Response::new)
            .ok_or_else(|| tonic::Status::not_found("no such notice"))
    }

    async fn list_notices(
        &self,
        _: tonic::Request<pb::ListNoticesRequest>,
    ) -> Result<tonic::Response<pb::ListNoticesResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("bare GetNotice only"))
    }

    async fn list_notice_versions(
        &self,
        _: tonic::Request<pb::ListNoticeVersionsRequest>,
    ) -> Result<tonic::Response<pb::ListNoticeVersionsResponse>, tonic::Status> {
        Err(tonic::Status::unimplemented("bare GetNotice only"))
    }

    type WatchNoticesStream = tokio_stream::Empty<Result<pb::WatchNoticesResponse, tonic::Status>>;

    async fn watch_notices(
        &self,
        _: tonic::Request<pb::WatchNoticesRequest>,
    ) -> Result<tonic::Response<Self::WatchNoticesStream>, tonic::Status> {
        Err(tonic::Status::unimplemented("bare GetNotice only"))
    }
}
