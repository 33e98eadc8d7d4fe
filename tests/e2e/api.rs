//! A fixture publication site on loopback, the real application on port 0 with a
//! fresh data directory, one crawl step, then the gRPC API through the generated clients.

use crate::harness::spawn_app;
use gazette_proto::pb;

#[tokio::test]
async fn crawled_notices_are_served_over_grpc() {
    let mut app = spawn_app().await;

    let listed = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            page_size: 10,
            ..Default::default()
        })
        .await
        .expect("ListNotices")
        .into_inner();
    assert_eq!(listed.total_size, 3);
    assert_eq!(listed.notices.len(), 3);
    assert!(listed.next_page_token.is_empty());
    let linjiang = listed
        .notices
        .iter()
        .find(|n| n.organisation_display_name == "中共青河市临江区委员会")
        .expect("the district notice is listed");
    assert!(linjiang.organisation.starts_with("organisations/"));
    assert_eq!(linjiang.issues.len(), 5, "{:?}", linjiang.issues);
    assert!(linjiang.source_uri.ends_with(".html"));
    assert_eq!(linjiang.content_sha256.len(), 64);
    // The GBK page decoded without mojibake.
    assert!(
        listed
            .notices
            .iter()
            .any(|n| n.organisation_display_name == "中共云山县交通运输局党组")
    );

    let got = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: linjiang.name.clone(),
            ..Default::default()
        })
        .await
        .expect("GetNotice")
        .into_inner()
        .notice
        .expect("a notice");
    assert_eq!(got.name, linjiang.name);
    assert!(got.text.contains("营商环境"));

    let status = app
        .organisations
        .get_issue_status(pb::GetIssueStatusRequest {
            organisation: linjiang.organisation.clone(),
        })
        .await
        .expect("GetIssueStatus by resource name")
        .into_inner();
    assert_eq!(status.issues_total, 5);
    assert_eq!(status.completed + status.in_progress + status.not_stated, 5);
    assert_eq!(status.notices, vec![linjiang.name.clone()]);

    let by_name = app
        .organisations
        .get_issue_status(pb::GetIssueStatusRequest {
            organisation: "中共青河市临江区委员会".into(),
        })
        .await
        .expect("GetIssueStatus by full name")
        .into_inner();
    assert_eq!(by_name.organisation, status.organisation);

    let orgs = app
        .organisations
        .list_organisations(pb::ListOrganisationsRequest {
            page_size: 2,
            ..Default::default()
        })
        .await
        .expect("ListOrganisations")
        .into_inner();
    assert_eq!(orgs.organisations.len(), 2);
    assert!(!orgs.next_page_token.is_empty());
    let rest = app
        .organisations
        .list_organisations(pb::ListOrganisationsRequest {
            page_size: 2,
            page_token: orgs.next_page_token,
        })
        .await
        .expect("second page")
        .into_inner();
    assert_eq!(rest.organisations.len(), 1);
    assert!(rest.next_page_token.is_empty());

    app.stop().await;
}

#[tokio::test]
async fn paging_and_filtering_notices() {
    let mut app = spawn_app().await;
    let first = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            page_size: 2,
            ..Default::default()
        })
        .await
        .expect("first page")
        .into_inner();
    assert_eq!(first.notices.len(), 2);
    let second = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            page_size: 2,
            page_token: first.next_page_token,
            ..Default::default()
        })
        .await
        .expect("second page")
        .into_inner();
    assert_eq!(second.notices.len(), 1);
    assert!(
        first
            .notices
            .iter()
            .all(|n| n.name != second.notices[0].name)
    );

    let filtered = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            filter: r#"organisation = "中共云山县交通运输局党组""#.into(),
            ..Default::default()
        })
        .await
        .expect("filtered")
        .into_inner();
    assert_eq!(filtered.total_size, 1);
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_get_clear_status_codes() {
    let mut app = spawn_app().await;
    let missing = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: "notices/0000000000000000".into(),
            ..Default::default()
        })
        .await
        .expect_err("unknown notice");
    assert_eq!(missing.code(), tonic::Code::NotFound);
    assert!(missing.message().contains("notices/0000000000000000"));

    let malformed = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: "0000".into(),
            ..Default::default()
        })
        .await
        .expect_err("not a resource name");
    assert_eq!(malformed.code(), tonic::Code::InvalidArgument);

    for request in [
        pb::ListNoticesRequest {
            page_token: "not-a-token".into(),
            ..Default::default()
        },
        pb::ListNoticesRequest {
            page_size: -1,
            ..Default::default()
        },
        pb::ListNoticesRequest {
            filter: "colour = \"red\"".into(),
            ..Default::default()
        },
        pb::ListNoticesRequest {
            order_by: "colour".into(),
            ..Default::default()
        },
    ] {
        let status = app
            .notices
            .list_notices(request.clone())
            .await
            .expect_err("invalid request");
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{request:?}");
    }

    let unknown = app
        .organisations
        .get_issue_status(pb::GetIssueStatusRequest {
            organisation: "不存在的单位".into(),
        })
        .await
        .expect_err("unknown organisation");
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    let empty = app
        .organisations
        .get_issue_status(pb::GetIssueStatusRequest::default())
        .await
        .expect_err("empty organisation");
    assert_eq!(empty.code(), tonic::Code::InvalidArgument);
    app.stop().await;
}
