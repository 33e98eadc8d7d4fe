//! The Prometheus listener reports RPCs by method and code, and the store's size.

use crate::harness::{scrape_metrics, spawn_app};
use gazette_proto::pb;

#[tokio::test]
async fn metrics_count_rpcs_and_store_contents() {
    let mut app = spawn_app().await;
    app.notices
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect("ListNotices");
    let _ = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: "notices/0000000000000000".into(),
            ..Default::default()
        })
        .await;

    let body = scrape_metrics(app.metrics_addr).await;
    let has = |needle: &str| body.lines().any(|l| l.contains(needle));
    assert!(
        has(
            r#"gazette_rpc_requests_total{method="gazette.v1.NoticeService/ListNotices",code="Ok"}"#
        ),
        "{body}"
    );
    assert!(
        has(r#"method="gazette.v1.NoticeService/GetNotice",code="NotFound""#),
        "{body}"
    );
    assert!(has("gazette_rpc_duration_seconds_bucket"), "{body}");
    assert!(
        body.lines()
            .any(|l| l.starts_with("gazette_store_notices ") && l.ends_with(" 3")),
        "{body}"
    );
    assert!(has("gazette_store_size_bytes"), "{body}");
    app.stop().await;
}

/// Calls to methods the server does not define are counted under one `method="unknown"`, so
/// made-up method names (here 200 distinct ones of 2 KB each) neither appear in `/metrics`
/// nor make it grow: the scrape stays small and the label set is the defined methods.
#[tokio::test]
async fn made_up_methods_share_one_label() {
    let app = spawn_app().await;
    let mut grpc = tonic::client::Grpc::new(app.channel.clone());
    let marker = "madeupmethod";
    for i in 0..200 {
        let path = format!("/gazette.v1.NoticeService/{marker}{i}{}", "x".repeat(2048));
        grpc.ready().await.expect("channel ready");
        let status = grpc
            .unary::<(), (), _>(
                tonic::Request::new(()),
                http::uri::PathAndQuery::try_from(path).expect("path"),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .expect_err("no such method");
        assert_eq!(status.code(), tonic::Code::Unimplemented, "{status:?}");
    }
    let body = scrape_metrics(app.metrics_addr).await;
    assert!(!body.contains(marker), "a made-up method became a label");
    assert!(
        body.lines()
            .any(|l| l.starts_with("gazette_rpc_requests_total")
                && l.contains(r#"method="unknown",code="Unimplemented""#)),
        "{body}"
    );
    let known = gazette::rpc_metrics::known_methods();
    for line in body.lines().filter(|l| l.starts_with("gazette_rpc_")) {
        let Some((_, rest)) = line.split_once("method=\"") else {
            continue;
        };
        let method = rest.split('"').next().unwrap_or_default();
        assert!(
            method == gazette::rpc_metrics::UNKNOWN_METHOD || known.contains(method),
            "label outside the closed set: {method}"
        );
    }
    // 200 labels of 2 KB across a counter and a histogram's buckets would be several MB.
    assert!(body.len() < 256 * 1024, "/metrics is {} bytes", body.len());
    app.stop().await;
}
