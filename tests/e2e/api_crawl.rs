//! CrawlService through the generated client with the crawl supervisor running: sources,
//! status, triggered runs, ingestion of HTML (GBK), text and garbage, and re-parsing.

use crate::harness::{Options, QINGHE, assert_bad_field, authed, finished_run, spawn_with};
use gazette_proto::pb;
use std::time::Duration;
use tokio_stream::StreamExt;

#[tokio::test]
async fn sources_status_and_triggered_crawls() {
    let mut app = spawn_with(Options {
        crawl: true,
        ..Options::admin()
    })
    .await;
    let sources = app
        .crawl
        .list_sources(authed(pb::ListSourcesRequest {}))
        .await
        .expect("ListSources")
        .into_inner()
        .sources;
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].name, "demo");
    assert_eq!(sources[0].interval, "1h");
    assert_eq!(sources[0].max_pages, 50);
    assert!(sources[0].start_urls[0].starts_with("http://127.0.0.1:"));
    assert!(!sources[0].notice_url_pattern.is_empty());

    // The supervisor crawls on start; the pages were fetched by the harness already.
    let first = finished_run(&mut app.crawl, "demo", None, Duration::from_secs(5)).await;
    assert!(first.failures.is_empty(), "{first:?}");
    assert!(first.next_run_at.is_some());
    let everything = app
        .crawl
        .get_crawl_status(authed(pb::GetCrawlStatusRequest::default()))
        .await
        .expect("all sources")
        .into_inner();
    assert_eq!(everything.sources.len(), 1);

    let triggered = app
        .crawl
        .trigger_crawl(authed(pb::TriggerCrawlRequest {
            source: "demo".into(),
        }))
        .await
        .expect("TriggerCrawl")
        .into_inner();
    assert!(triggered.started);
    let second = finished_run(
        &mut app.crawl,
        "demo",
        first.last_run_started_at,
        Duration::from_secs(5),
    )
    .await;
    assert!(second.failures.is_empty(), "{second:?}");
    assert_eq!(second.notices_new, 0, "nothing new on the site: {second:?}");

    let unknown = app
        .crawl
        .trigger_crawl(authed(pb::TriggerCrawlRequest {
            source: "nowhere".into(),
        }))
        .await
        .expect_err("unknown source");
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    assert!(unknown.message().contains("nowhere"));
    let unknown = app
        .crawl
        .get_crawl_status(authed(pb::GetCrawlStatusRequest {
            source: "nowhere".into(),
        }))
        .await
        .expect_err("unknown source");
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    let empty = app
        .crawl
        .trigger_crawl(authed(pb::TriggerCrawlRequest::default()))
        .await
        .expect_err("no source");
    assert_bad_field(&empty, "source");
    app.stop().await;
}

#[tokio::test]
async fn crawl_calls_need_a_crawler() {
    let mut app = spawn_with(Options::admin()).await;
    let status = app
        .crawl
        .list_sources(authed(pb::ListSourcesRequest {}))
        .await
        .expect_err("no crawler in this process");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    let status = app
        .crawl
        .trigger_crawl(authed(pb::TriggerCrawlRequest {
            source: "demo".into(),
        }))
        .await
        .expect_err("no crawler");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    let status = app
        .crawl
        .get_crawl_status(authed(pb::GetCrawlStatusRequest::default()))
        .await
        .expect_err("no crawler");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    app.stop().await;
}

#[tokio::test]
async fn documents_are_ingested_in_any_charset_and_garbage_is_kept_with_an_error() {
    let mut app = spawn_with(Options::admin()).await;
    // HTML in GBK, declared only by the content type.
    let text = QINGHE.replace("临江", "临川");
    let html = format!(
        "<html><head><title>巡察整改</title></head><body><div class=\"article\">{}</div></body></html>",
        text.lines()
            .map(|l| format!("<p>{l}</p>"))
            .collect::<String>()
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&html);
    assert!(!unmappable);
    let ingested = app
        .crawl
        .ingest_document(authed(pb::IngestDocumentRequest {
            uri: "https://example.test/gbk.html".into(),
            content: gbk.into_owned(),
            content_type: "text/html; charset=GBK".into(),
        }))
        .await
        .expect("GBK HTML")
        .into_inner();
    assert_eq!(ingested.notices.len(), 1, "{ingested:?}");
    assert!(ingested.error.is_empty());
    let notice = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: ingested.notices[0].clone(),
            ..Default::default()
        })
        .await
        .expect("stored")
        .into_inner()
        .notice
        .expect("notice");
    assert_eq!(notice.organisation_display_name, "中共青河市临川区委员会");
    assert_eq!(notice.issues.len(), 5);
    assert_eq!(notice.source_uri, "https://example.test/gbk.html");

    // Plain text, no content type.
    let plain = app
        .crawl
        .ingest_document(authed(pb::IngestDocumentRequest {
            uri: "https://example.test/plain".into(),
            content: QINGHE.replace("临江", "临汾").into_bytes(),
            content_type: String::new(),
        }))
        .await
        .expect("plain text")
        .into_inner();
    assert_eq!(plain.notices.len(), 1, "{plain:?}");

    // Garbage is stored with an error, not refused.
    for (uri, content) in [
        (
            "https://example.test/garbage.bin",
            vec![0xff, 0x00, 0x13, 0x37, 0x80, 0x81],
        ),
        (
            "https://example.test/blank.html",
            b"<html><body> </body></html>".to_vec(),
        ),
        (
            "https://example.test/chatter.txt",
            "今天天气很好。".as_bytes().to_vec(),
        ),
    ] {
        let response = app
            .crawl
            .ingest_document(authed(pb::IngestDocumentRequest {
                uri: uri.into(),
                content,
                content_type: String::new(),
            }))
            .await
            .unwrap_or_else(|e| panic!("{uri}: {e:?}"))
            .into_inner();
        assert!(response.notices.is_empty(), "{uri}: {response:?}");
        assert!(!response.error.is_empty(), "{uri}: {response:?}");
    }
    let listed = app
        .notices
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.total_size, 5);

    for (request, field) in [
        (
            pb::IngestDocumentRequest {
                uri: "https://example.test/empty".into(),
                ..Default::default()
            },
            "content",
        ),
        (
            pb::IngestDocumentRequest {
                uri: String::new(),
                content: b"x".to_vec(),
                ..Default::default()
            },
            "uri",
        ),
        (
            pb::IngestDocumentRequest {
                uri: "not a uri".into(),
                content: b"x".to_vec(),
                ..Default::default()
            },
            "uri",
        ),
    ] {
        let status = app
            .crawl
            .ingest_document(authed(request))
            .await
            .expect_err("bad document request");
        assert_bad_field(&status, field);
    }
    app.stop().await;
}

#[tokio::test]
async fn reparse_all_streams_progress_to_the_end() {
    let mut app = spawn_with(Options::admin()).await;
    // More pages than one progress batch (100).
    for i in 0..120 {
        app.ingest_text(
            &format!("https://example.test/r/{i:03}.txt"),
            &QINGHE.replace("临江", &format!("临{i}")),
        )
        .await;
    }
    let before = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner();
    let mut stream = app
        .crawl
        .reparse_all(authed(pb::ReparseAllRequest {}))
        .await
        .expect("ReparseAll")
        .into_inner();
    let mut progress = Vec::new();
    while let Some(message) = tokio::time::timeout(Duration::from_secs(60), stream.next())
        .await
        .expect("progress within 60 s")
    {
        progress.push(message.expect("progress"));
    }
    let last = progress.last().expect("at least one message");
    // The demo crawl stored its notice pages and its PDF attachment.
    let demo_pages = i32::try_from(gazette::demo_site::DemoSite::pages_to_fetch()).expect("few");
    assert_eq!(last.pages_total, 120 + demo_pages);
    assert_eq!(last.pages_done, last.pages_total, "{progress:?}");
    assert_eq!(last.notices_written, 123);
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(
        progress
            .windows(2)
            .all(|w| w[0].pages_done < w[1].pages_done)
    );
    let after = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner();
    assert_eq!(after.total_size, before.total_size);
    app.stop().await;
}
