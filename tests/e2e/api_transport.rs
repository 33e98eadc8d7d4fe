//! What every RPC shares: the bearer token, closed reads, deadlines, message size limits,
//! gzip, per-service health and TLS.

use crate::harness::{Options, TOKEN, assert_bad_field, authed, spawn_with};
use gazette_proto::pb;
use gazette_proto::pb::notice_service_client::NoticeServiceClient;
use std::time::Duration;
use tonic::Code;
use tonic::codec::CompressionEncoding;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

fn with_token<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii header"),
    );
    request
}

fn ingest_request() -> pb::IngestDocumentRequest {
    pb::IngestDocumentRequest {
        uri: "https://example.test/x.txt".into(),
        content: crate::harness::YUNSHAN.as_bytes().to_vec(),
        content_type: String::new(),
    }
}

#[tokio::test]
async fn admin_calls_need_the_configured_token() {
    let mut app = spawn_with(Options::admin()).await;
    let missing = app
        .crawl
        .ingest_document(ingest_request())
        .await
        .expect_err("no token");
    assert_eq!(missing.code(), Code::Unauthenticated, "{missing:?}");
    let wrong = app
        .crawl
        .ingest_document(with_token(ingest_request(), "guess"))
        .await
        .expect_err("wrong token");
    assert_eq!(wrong.code(), Code::PermissionDenied, "{wrong:?}");
    let not_bearer = {
        let mut request = tonic::Request::new(pb::ListSourcesRequest {});
        request
            .metadata_mut()
            .insert("authorization", TOKEN.parse().expect("ascii"));
        app.crawl
            .list_sources(request)
            .await
            .expect_err("no scheme")
    };
    assert_eq!(not_bearer.code(), Code::Unauthenticated);
    for status in [
        app.crawl
            .list_sources(pb::ListSourcesRequest {})
            .await
            .expect_err("no token"),
        app.crawl
            .get_crawl_status(pb::GetCrawlStatusRequest::default())
            .await
            .expect_err("no token"),
        app.crawl
            .trigger_crawl(pb::TriggerCrawlRequest {
                source: "demo".into(),
            })
            .await
            .expect_err("no token"),
    ] {
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    }
    let mut reparse = app
        .crawl
        .reparse_all(pb::ReparseAllRequest {})
        .await
        .map(|_| ())
        .expect_err("no token");
    assert_eq!(reparse.code(), Code::Unauthenticated);
    reparse = app
        .crawl
        .reparse_all(with_token(pb::ReparseAllRequest {}, "guess"))
        .await
        .map(|_| ())
        .expect_err("wrong token");
    assert_eq!(reparse.code(), Code::PermissionDenied);
    // With the token, and reads open, everything else works.
    app.crawl
        .ingest_document(authed(ingest_request()))
        .await
        .expect("with the token");
    app.notices
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect("open reads need no token");
    app.stop().await;
}

#[tokio::test]
async fn admin_calls_are_refused_when_no_token_is_configured() {
    let mut app = spawn_with(Options::default()).await;
    for request in [
        tonic::Request::new(ingest_request()),
        with_token(ingest_request(), "anything"),
        with_token(ingest_request(), ""),
    ] {
        let status = app
            .crawl
            .ingest_document(request)
            .await
            .expect_err("admin is off");
        assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn closed_reads_need_the_token() {
    let mut app = spawn_with(Options {
        open_reads: false,
        ..Options::admin()
    })
    .await;
    let status = app
        .notices
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect_err("no token");
    assert_eq!(status.code(), Code::Unauthenticated);
    let status = app
        .notices
        .get_notice(with_token(
            pb::GetNoticeRequest {
                name: "notices/x".into(),
                ..Default::default()
            },
            "guess",
        ))
        .await
        .expect_err("wrong token");
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = app
        .organisations
        .list_organisations(pb::ListOrganisationsRequest::default())
        .await
        .expect_err("no token");
    assert_eq!(status.code(), Code::Unauthenticated);
    let status = app
        .notices
        .watch_notices(pb::WatchNoticesRequest::default())
        .await
        .map(|_| ())
        .expect_err("no token");
    assert_eq!(status.code(), Code::Unauthenticated);
    let listed = app
        .notices
        .list_notices(authed(pb::ListNoticesRequest::default()))
        .await
        .expect("with the token")
        .into_inner();
    assert_eq!(listed.total_size, 3);
    app.organisations
        .get_organisation(authed(pb::GetOrganisationRequest {
            name: "临江区委".into(),
        }))
        .await
        .expect("with the token");
    // Health stays open for probes.
    let health = HealthClient::new(app.channel.clone())
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .expect("health")
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);
    app.stop().await;
}

/// Calls GetNotice with a request body that never arrives, so the handler waits for it.
async fn stalled_get_notice(
    channel: tonic::transport::Channel,
    client_timeout: Option<Duration>,
) -> tonic::Status {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let codec = tonic_prost::ProstCodec::<pb::GetNoticeRequest, pb::GetNoticeResponse>::default();
    let path = http::uri::PathAndQuery::from_static("/gazette.v1.NoticeService/GetNotice");
    let mut request = tonic::Request::new(futures::stream::pending::<pb::GetNoticeRequest>());
    if let Some(timeout) = client_timeout {
        request.set_timeout(timeout);
    }
    let started = std::time::Instant::now();
    let status = tokio::time::timeout(
        Duration::from_secs(20),
        grpc.client_streaming(request, path, codec),
    )
    .await
    .expect("the server ends the call")
    .expect_err("the call cannot succeed");
    assert!(started.elapsed() < Duration::from_secs(10));
    status
}

#[tokio::test]
async fn deadlines_end_waiting_calls_with_deadline_exceeded() {
    let app = spawn_with(Options {
        request_timeout: Some(Duration::from_millis(200)),
        ..Options::default()
    })
    .await;
    // The server's request_timeout.
    let status = stalled_get_notice(app.channel.clone(), None).await;
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    // A shorter client deadline wins. tonic's channel runs its own timer on grpc-timeout,
    // which starts before the server's and reports CANCELLED locally; either way the call
    // ends at the client's deadline, not the server's.
    let started = std::time::Instant::now();
    let status = stalled_get_notice(app.channel.clone(), Some(Duration::from_millis(50))).await;
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(190),
        "{:?}",
        started.elapsed()
    );
    // A call that finishes in time is unaffected.
    let mut client = NoticeServiceClient::new(app.channel.clone());
    let mut request = tonic::Request::new(pb::ListNoticesRequest::default());
    request.set_timeout(Duration::from_secs(5));
    client.list_notices(request).await.expect("in time");
    app.stop().await;
}

#[tokio::test]
async fn requests_over_the_message_limit_are_refused() {
    let mut app = spawn_with(Options {
        max_message_bytes: Some(64 * 1024),
        ..Options::admin()
    })
    .await;
    let mut big = ingest_request();
    big.content = crate::harness::QINGHE.repeat(40).into_bytes();
    assert!(big.content.len() > 64 * 1024);
    let status = app
        .crawl
        .ingest_document(authed(big))
        .await
        .expect_err("too big");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    app.crawl
        .ingest_document(authed(ingest_request()))
        .await
        .expect("a small request passes");
    app.stop().await;
}

/// Too large to receive and too large to send are one code, RESOURCE_EXHAUSTED (tonic answers
/// OUT_OF_RANGE on both paths by itself).
#[tokio::test]
async fn messages_over_the_limit_are_resource_exhausted_both_ways() {
    use prost::Message as _;
    // The same site under the default limit first, to learn the largest notice's size; ids come
    // from what notices say, so the names hold in the second store too.
    let mut probe = spawn_with(Options::default()).await;
    let listed = probe
        .notices
        .list_notices(pb::ListNoticesRequest {
            page_size: 500,
            ..Default::default()
        })
        .await
        .expect("ListNotices")
        .into_inner();
    probe.stop().await;
    let largest = listed
        .notices
        .iter()
        .max_by_key(|n| n.encoded_len())
        .expect("the site has notices");
    let limit = largest.encoded_len() / 2;
    assert!(limit > 1024, "notice of {} bytes", largest.encoded_len());

    let mut app = spawn_with(Options {
        max_message_bytes: Some(limit),
        ..Options::admin()
    })
    .await;
    // Encoding: the response is over the limit.
    let status = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: largest.name.clone(),
            ..Default::default()
        })
        .await
        .expect_err("the notice is over the limit");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    // Decoding: the request is over the limit.
    let mut big = ingest_request();
    big.content = "巡察".repeat(limit).into_bytes();
    let status = app
        .crawl
        .ingest_document(authed(big))
        .await
        .expect_err("the request is over the limit");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    // Within the limit both ways, calls pass.
    app.notices
        .get_notice(pb::GetNoticeRequest {
            name: largest.name.clone(),
            view: pb::NoticeView::Basic as i32,
        })
        .await
        .map(|_| ())
        .or_else(|status| {
            // A basic view can still be over half the full one; then the code must hold too.
            (status.code() == Code::ResourceExhausted)
                .then_some(())
                .ok_or(status)
        })
        .expect("a basic view passes or is RESOURCE_EXHAUSTED");
    app.stop().await;
}

/// Errors quote at most a short prefix of what a client sent: a 10 KB name, filter or order
/// does not come back as a 10 KB `grpc-message` trailer.
#[tokio::test]
async fn errors_do_not_echo_whole_inputs() {
    let mut app = spawn_with(Options::default()).await;
    let huge = "长".repeat(10 * 1024 / 3);
    let statuses = vec![
        app.notices
            .get_notice(pb::GetNoticeRequest {
                name: format!("notices/{huge}"),
                ..Default::default()
            })
            .await
            .expect_err("malformed name"),
        app.notices
            .list_notice_versions(pb::ListNoticeVersionsRequest {
                name: huge.clone(),
                ..Default::default()
            })
            .await
            .expect_err("malformed name"),
        app.notices
            .list_notices(pb::ListNoticesRequest {
                filter: format!("kind = \"{huge}"),
                ..Default::default()
            })
            .await
            .expect_err("bad filter value"),
        app.notices
            .list_notices(pb::ListNoticesRequest {
                filter: format!("{huge} = \"x\""),
                ..Default::default()
            })
            .await
            .expect_err("unknown field"),
        app.notices
            .list_notices(pb::ListNoticesRequest {
                filter: format!("signed_on > \"{huge}\""),
                ..Default::default()
            })
            .await
            .expect_err("bad date"),
        app.notices
            .list_notices(pb::ListNoticesRequest {
                order_by: huge.clone(),
                ..Default::default()
            })
            .await
            .expect_err("bad order"),
        app.organisations
            .get_organisation(pb::GetOrganisationRequest { name: huge.clone() })
            .await
            .expect_err("no such organisation"),
        app.organisations
            .get_issue_status(pb::GetIssueStatusRequest {
                organisation: format!("organisations/{huge}"),
            })
            .await
            .expect_err("malformed organisation name"),
    ];
    for status in statuses {
        let trailer = status.message().len() + status.details().len();
        assert!(trailer < 2048, "{} bytes: {:?}", trailer, status.code());
        assert!(
            !status.message().contains(&"长".repeat(100)),
            "the input is echoed: {status:?}"
        );
        if status.code() == Code::InvalidArgument {
            assert_eq!(crate::harness::violations(&status).len(), 1, "{status:?}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn listings_shrink_their_pages_to_fit_the_message_limit() {
    const LIMIT: usize = 16 * 1024;
    let mut app = spawn_with(Options {
        max_message_bytes: Some(LIMIT),
        ..Options::admin()
    })
    .await;
    let mut client = NoticeServiceClient::new(app.channel.clone());
    let seeded = client
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect("list")
        .into_inner()
        .total_size;
    let added = 24;
    let count = seeded + added;
    for i in 0..added {
        let text = crate::harness::QINGHE.replace("临江", &format!("临江{i}"));
        let outcome = app
            .ingest_text(&format!("https://example.test/{i}.txt"), &text)
            .await;
        assert_eq!(outcome.notices.len(), 1, "{outcome:?}");
    }
    for order_by in ["", "signed_on desc", "fetched_at asc"] {
        let mut seen = std::collections::BTreeSet::new();
        let mut page_token = String::new();
        let mut pages = 0;
        loop {
            let page = client
                .list_notices(pb::ListNoticesRequest {
                    page_size: 500,
                    page_token,
                    order_by: order_by.into(),
                    ..Default::default()
                })
                .await
                .expect("a page within the limit, not an error")
                .into_inner();
            assert!(!page.notices.is_empty(), "{order_by}: an empty page");
            assert_eq!(page.total_size, count, "{order_by}");
            for notice in page.notices {
                assert!(seen.insert(notice.name), "{order_by}: a notice twice");
            }
            pages += 1;
            if page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
        assert_eq!(seen.len(), count as usize, "{order_by}: every notice once");
        assert!(
            pages > 1,
            "{order_by}: {count} notices cannot fit in {LIMIT} bytes"
        );
    }

    // Versions of one notice page the same way.
    let uri = "https://example.test/0.txt";
    let mut name = String::new();
    let edits = 12;
    for v in 1..=edits {
        let text = crate::harness::QINGHE.replace("临江", "临江0").replace(
            "基层党组织软弱涣散",
            &format!("基层党组织软弱涣散（第{v}稿）"),
        );
        name = app.ingest_text(uri, &text).await.notices[0].clone();
    }
    let mut versions = Vec::new();
    let mut page_token = String::new();
    let mut pages = 0;
    loop {
        let page = client
            .list_notice_versions(pb::ListNoticeVersionsRequest {
                name: name.clone(),
                page_size: 500,
                page_token,
                ..Default::default()
            })
            .await
            .expect("versions within the limit, not an error")
            .into_inner();
        assert!(!page.versions.is_empty(), "an empty page of versions");
        versions.extend(page.versions.iter().map(|v| v.version));
        pages += 1;
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    let expected: Vec<i64> = (1..=edits + 1).rev().collect();
    assert_eq!(versions, expected, "every version once, newest first");
    assert!(
        pages > 1,
        "{} versions cannot fit in {LIMIT} bytes",
        edits + 1
    );
    app.stop().await;
}

#[tokio::test]
async fn gzip_is_accepted_and_sent() {
    let mut app = spawn_with(Options::admin()).await;
    let mut client = NoticeServiceClient::new(app.channel.clone())
        .send_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Gzip);
    let response = client
        .list_notices(pb::ListNoticesRequest {
            filter: r#"text : "营商环境""#.into(),
            ..Default::default()
        })
        .await
        .expect("gzip both ways");
    assert_eq!(
        response
            .metadata()
            .get("grpc-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert_eq!(response.into_inner().total_size, 1);
    let mut admin =
        gazette_proto::pb::crawl_service_client::CrawlServiceClient::new(app.channel.clone())
            .send_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Gzip);
    let ingested = admin
        .ingest_document(authed(ingest_request()))
        .await
        .expect("a compressed admin call")
        .into_inner();
    assert_eq!(ingested.notices.len(), 1);
    // Plain clients still work.
    app.notices
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect("identity");
    app.stop().await;
}

#[tokio::test]
async fn health_reports_each_service() {
    let app = spawn_with(Options::default()).await;
    let mut health = HealthClient::new(app.channel.clone());
    for service in [
        "",
        "gazette.v1.NoticeService",
        "gazette.v1.OrganisationService",
        "gazette.v1.CrawlService",
    ] {
        let response = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: service.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("{service}: {e:?}"))
            .into_inner();
        assert_eq!(response.status, ServingStatus::Serving as i32, "{service}");
    }
    let unknown = health
        .check(tonic_health::pb::HealthCheckRequest {
            service: "gazette.v1.Nothing".into(),
        })
        .await
        .expect_err("unknown service");
    assert_eq!(unknown.code(), Code::NotFound);
    app.stop().await;
}

/// Asks reflection in protocol version `$version` (a module of `tonic_reflection::pb`) for its
/// services and for the file defining NoticeService: the names listed and the number of file
/// descriptors sent. One body for both versions, whose generated types differ only in path.
macro_rules! reflect {
    ($version:ident, $channel:expr) => {{
        use tonic_reflection::pb::$version::ServerReflectionRequest;
        use tonic_reflection::pb::$version::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::$version::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::$version::server_reflection_response::MessageResponse;
        let requests = [
            MessageRequest::ListServices(String::new()),
            MessageRequest::FileContainingSymbol("gazette.v1.NoticeService".into()),
        ]
        .map(|request| ServerReflectionRequest {
            host: String::new(),
            message_request: Some(request),
        });
        let mut answers = ServerReflectionClient::new($channel)
            .server_reflection_info(tokio_stream::iter(requests))
            .await
            .expect(stringify!($version))
            .into_inner();
        let (mut services, mut files) = (Vec::new(), 0);
        while let Some(answer) = answers.message().await.expect("a reflection answer") {
            match answer.message_response {
                Some(MessageResponse::ListServicesResponse(list)) => {
                    services.extend(list.service.into_iter().map(|s| s.name));
                }
                Some(MessageResponse::FileDescriptorResponse(found)) => {
                    files += found.file_descriptor_proto.len();
                }
                other => panic!("{}: unexpected {other:?}", stringify!($version)),
            }
        }
        (services, files)
    }};
}

#[tokio::test]
async fn reflection_answers_in_v1_and_v1alpha() {
    let app = spawn_with(Options::default()).await;
    let answers = [
        reflect!(v1, app.channel.clone()),
        reflect!(v1alpha, app.channel.clone()),
    ];
    for (services, files) in answers {
        for service in [
            "gazette.v1.NoticeService",
            "gazette.v1.OrganisationService",
            "gazette.v1.CrawlService",
            "grpc.health.v1.Health",
        ] {
            assert!(
                services.iter().any(|s| s == service),
                "{service}: {services:?}"
            );
        }
        assert!(files >= 1, "the file defining NoticeService");
    }
    app.stop().await;
}

#[tokio::test]
async fn tls_serves_the_api_and_refuses_plaintext() {
    let mut app = spawn_with(Options {
        tls: true,
        ..Options::default()
    })
    .await;
    assert!(app.ca_pem.is_some());
    let listed = app
        .notices
        .list_notices(pb::ListNoticesRequest::default())
        .await
        .expect("over TLS")
        .into_inner();
    assert_eq!(listed.total_size, 3);
    let status = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            page_size: -3,
            ..Default::default()
        })
        .await
        .expect_err("bad page size");
    assert_bad_field(&status, "page_size");
    let plain = tonic::transport::Channel::from_shared(format!("http://{}", app.addr))
        .expect("uri")
        .connect()
        .await;
    if let Ok(channel) = plain {
        NoticeServiceClient::new(channel)
            .list_notices(pb::ListNoticesRequest::default())
            .await
            .expect_err("plaintext to a TLS port");
    }
    app.stop().await;
}
