//! The Prometheus listener reports RPCs by method and code, and the store's size.

use crate::harness::spawn_app;
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
            name: "notices/none".into(),
            ..Default::default()
        })
        .await;

    let body = reqwest::get(format!("http://{}/metrics", app.metrics_addr))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
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
