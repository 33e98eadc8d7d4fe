//! The application's tasks stand or fall together: a task that fails while the server is
//! serving stops the gRPC server and the metrics listener, and its error is what `run`
//! returns (the binary's non-zero exit).

use gazette::app::Application;
use gazette::settings::Settings;
use gazette::supervisor::Lifetime;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_task_failing_while_serving_stops_the_server_with_its_error() {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        grpc_addr: "127.0.0.1:0".parse().expect("literal address"),
        metrics_addr: Some("127.0.0.1:0".parse().expect("literal address")),
        data_dir: data_dir.path().to_path_buf(),
        ..Settings::default()
    };
    let app = Application::build(settings).await.expect("build app");
    let addr = app.grpc_addr().expect("bound address");
    let metrics = app.metrics_addr().expect("metrics address");
    let mut running = app
        .start(CancellationToken::new(), false)
        .await
        .expect("start");
    let (fail, failed) = tokio::sync::oneshot::channel::<()>();
    running.spawn("injected listener", Lifetime::UntilShutdown, async move {
        let _ = failed.await;
        anyhow::bail!("the listener lost its socket")
    });
    let run = tokio::spawn(running.run());

    // Serving: health answers and /metrics scrapes.
    let channel = crate::harness::connect(addr).await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .expect("health while serving");
    reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .expect("scrape while serving");

    fail.send(()).expect("the task waits");
    let error = run
        .await
        .expect("run task")
        .expect_err("a failed task must fail the run");
    let error = format!("{error:#}");
    assert!(
        error.contains("injected listener") && error.contains("lost its socket"),
        "{error}"
    );
    // Both listeners are closed: nothing is left serving after the failure.
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the gRPC listener still accepts"
    );
    assert!(
        tokio::net::TcpStream::connect(metrics).await.is_err(),
        "the metrics listener still accepts"
    );
    gazette_store::SledStore::open(data_dir.path()).expect("the store opens after the stop");
}
