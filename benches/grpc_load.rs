//! Load benchmark of the gRPC API: 10,000 notices in a fresh store, served by the real
//! application on 127.0.0.1, and N concurrent client tasks calling GetNotice, ListNotices
//! (page_size 50) and GetIssueStatus a bounded number of times each. The floor is a bare tonic
//! server (the standard health Check, no layers) measured in the same run.
//!
//! `cargo bench --bench grpc_load`; `GRPC_LOAD_TASKS` (default 32) and `GRPC_LOAD_SCALE`
//! (default 1, multiplies every request count) adjust the load.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

use gazette::app::Application;
use gazette::settings::Settings;
use gazette_notice::{CleanOptions, InputKind};
use gazette_proto::pb;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use gazette_proto::pb::organisation_service_client::OrganisationServiceClient;
use gazette_store::{NoticeStore, PageRecord, SledStore};
use std::future::Future;
use std::net::SocketAddr;
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
        store.record_page(page, vec![notice]).unwrap();
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

/// Runs `per_task` calls in each of `tasks` tasks; `call(task, i)` makes one.
async fn load<F, Fut>(name: &'static str, tasks: usize, per_task: usize, call: F) -> Figures
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    // Warm-up: connections established, caches touched.
    for t in 0..tasks.min(CONNECTIONS) {
        call(t, 0).await;
    }
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let call = call.clone();
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
        ..Settings::default()
    };
    let app = Application::build(settings).await.unwrap();
    let addr = app.grpc_addr().unwrap();
    let cancel = CancellationToken::new();
    let server = tokio::spawn(app.run(cancel.clone(), false));

    // The floor: a bare tonic server with the health service only.
    let floor_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let floor_addr = floor_listener.local_addr().unwrap();
    let (_reporter, health) = tonic_health::server::health_reporter();
    let floor_cancel = cancel.clone();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(health)
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::TcpListenerStream::new(floor_listener),
                floor_cancel.cancelled_owned(),
            ),
    );

    let real = channels(addr).await;
    let floor = channels(floor_addr).await;
    let names: Vec<String> = NoticeServiceClient::new(real[0].clone())
        .list_notices(pb::ListNoticesRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .notices
        .into_iter()
        .map(|n| n.name)
        .collect();
    let names = std::sync::Arc::new(names);
    let organisations = std::sync::Arc::new(organisations);

    let mut results = Vec::new();
    {
        let floor = floor.clone();
        results.push(
            load(
                "floor: bare health Check",
                tasks,
                500 * scale,
                move |t, _| {
                    let mut client = HealthClient::new(floor[t % CONNECTIONS].clone());
                    async move {
                        client.check(HealthCheckRequest::default()).await.unwrap();
                    }
                },
            )
            .await,
        );
    }
    {
        let (real, names) = (real.clone(), names.clone());
        results.push(
            load("GetNotice", tasks, 500 * scale, move |t, i| {
                let mut client = NoticeServiceClient::new(real[t % CONNECTIONS].clone());
                let name = names[(t * 7919 + i) % names.len()].clone();
                async move {
                    client
                        .get_notice(pb::GetNoticeRequest { name })
                        .await
                        .unwrap();
                }
            })
            .await,
        );
    }
    {
        let (real, organisations) = (real.clone(), organisations.clone());
        results.push(
            load("GetIssueStatus", tasks, 100 * scale, move |t, i| {
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
            })
            .await,
        );
    }
    {
        let real = real.clone();
        results.push(
            load("ListNotices page_size 50", tasks, 5 * scale, move |t, _| {
                let mut client = NoticeServiceClient::new(real[t % CONNECTIONS].clone());
                async move {
                    let page = client
                        .list_notices(pb::ListNoticesRequest {
                            page_size: 50,
                            ..Default::default()
                        })
                        .await
                        .unwrap()
                        .into_inner();
                    assert_eq!(page.notices.len(), 50);
                    assert_eq!(page.total_size as usize, NOTICES);
                }
            })
            .await,
        );
    }

    println!(
        "grpc_load: {NOTICES} notices, {tasks} tasks over {CONNECTIONS} connections, {} CPU(s)",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "{:<28} {:>9} {:>10} {:>10} {:>10} {:>8}",
        "call", "requests", "req/s", "p50", "p99", "% floor"
    );
    let floor_rps = results[0].rps();
    for r in &results {
        println!(
            "{:<28} {:>9} {:>10.0} {:>10.2?} {:>10.2?} {:>7.0}%",
            r.name,
            r.requests,
            r.rps(),
            r.percentile(0.50),
            r.percentile(0.99),
            100.0 * r.rps() / floor_rps
        );
    }
    cancel.cancel();
    server.await.unwrap().unwrap();
}
