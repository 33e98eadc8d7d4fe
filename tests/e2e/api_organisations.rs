//! OrganisationService through the generated client: organisations with aliases and counts,
//! lookup by resource name, full name or alias, issue status across rounds, and issues.

use crate::harness::{Options, QINGHE, assert_bad_field, spawn_with};
use gazette_proto::pb;

const LINJIANG: &str = "中共青河市临江区委员会";

/// A later inspection round of 临江: another team and signing date, one issue still open.
fn second_round() -> String {
    QINGHE
        .replace("市委第三巡察组", "市委第五巡察组")
        .replace("2024年11月26日", "2025年4月30日")
        .replace("2024年3月11日至5月20日", "2025年1月6日至2月28日")
}

#[tokio::test]
async fn organisations_list_with_aliases_and_counts_and_resolve_by_any_name() {
    let mut app = spawn_with(Options::admin()).await;
    let all = app
        .organisations
        .list_organisations(pb::ListOrganisationsRequest::default())
        .await
        .expect("ListOrganisations")
        .into_inner();
    assert_eq!(all.organisations.len(), 3);
    assert!(all.next_page_token.is_empty());
    let linjiang = all
        .organisations
        .iter()
        .find(|o| o.display_name == LINJIANG)
        .expect("临江 listed")
        .clone();
    assert_eq!(linjiang.notice_count, 1);
    assert!(
        linjiang.aliases.contains(&"临江区委".to_owned()),
        "{linjiang:?}"
    );
    assert!(all.organisations.iter().all(|o| o.notice_count == 1));

    // A second round counts towards the same organisation.
    let ingested = app
        .ingest_text("https://example.test/linjiang-2025.txt", &second_round())
        .await;
    assert_eq!(ingested.notices.len(), 1, "{ingested:?}");
    for name in [linjiang.name.as_str(), LINJIANG, "临江区委", "青河市临江区"] {
        let got = app
            .organisations
            .get_organisation(pb::GetOrganisationRequest { name: name.into() })
            .await
            .unwrap_or_else(|e| panic!("{name}: {e:?}"))
            .into_inner()
            .organisation
            .expect("organisation");
        assert_eq!(got.name, linjiang.name, "{name}");
        assert_eq!(got.notice_count, 2, "{name}");
    }

    // Pages of one, in a stable order, each organisation once.
    let mut token = String::new();
    let mut names = Vec::new();
    loop {
        let page = app
            .organisations
            .list_organisations(pb::ListOrganisationsRequest {
                page_size: 1,
                page_token: token,
            })
            .await
            .expect("page")
            .into_inner();
        names.extend(page.organisations.into_iter().map(|o| o.name));
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    let expected: Vec<String> = all.organisations.iter().map(|o| o.name.clone()).collect();
    assert_eq!(names, expected);

    for (name, code) in [
        ("不存在的单位", tonic::Code::NotFound),
        ("organisations/ffffffffffff", tonic::Code::NotFound),
        ("organisations/ffffffff", tonic::Code::InvalidArgument),
        ("organisations/临江区委", tonic::Code::InvalidArgument),
        ("", tonic::Code::InvalidArgument),
        ("   ", tonic::Code::InvalidArgument),
    ] {
        let status = app
            .organisations
            .get_organisation(pb::GetOrganisationRequest { name: name.into() })
            .await
            .expect_err(name);
        assert_eq!(status.code(), code, "{name:?}: {status:?}");
        if code == tonic::Code::NotFound {
            assert!(status.message().contains(name), "{status:?}");
        } else {
            assert_bad_field(&status, "name");
        }
    }
    for (request, field) in [
        (
            pb::ListOrganisationsRequest {
                page_size: -1,
                ..Default::default()
            },
            "page_size",
        ),
        (
            pb::ListOrganisationsRequest {
                page_token: "zz".into(),
                ..Default::default()
            },
            "page_token",
        ),
    ] {
        let status = app
            .organisations
            .list_organisations(request)
            .await
            .expect_err("bad request");
        assert_bad_field(&status, field);
    }
    app.stop().await;
}

#[tokio::test]
async fn issue_status_sums_rounds_and_names_the_latest() {
    let mut app = spawn_with(Options::admin()).await;
    let first = app
        .organisations
        .get_issue_status(pb::GetIssueStatusRequest {
            organisation: "临江区委".into(),
        })
        .await
        .expect("GetIssueStatus")
        .into_inner();
    assert_eq!(
        (
            first.issues_total,
            first.completed,
            first.in_progress,
            first.not_stated
        ),
        (5, 3, 2, 0)
    );
    assert_eq!(first.history.len(), 1);
    assert_eq!(first.latest_notice, first.notices[0]);
    assert_eq!(first.reported.and_then(|r| r.problems_total), Some(20));

    let second = app
        .ingest_text("https://example.test/linjiang-2025.txt", &second_round())
        .await
        .notices[0]
        .clone();
    let both = app
        .organisations
        .get_issue_status(pb::GetIssueStatusRequest {
            organisation: LINJIANG.into(),
        })
        .await
        .expect("GetIssueStatus")
        .into_inner();
    assert_eq!(
        (both.issues_total, both.completed, both.in_progress),
        (10, 6, 4)
    );
    assert_eq!(
        both.latest_notice, second,
        "the later signed notice is the latest"
    );
    assert_eq!(
        both.notices,
        vec![second.clone(), first.latest_notice.clone()]
    );
    let rounds: Vec<(String, String, String)> = both
        .history
        .iter()
        .map(|r| {
            (
                r.notice.clone(),
                r.signed_on.clone(),
                r.inspection
                    .as_ref()
                    .map(|i| i.team.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        rounds,
        vec![
            (second, "2025-04-30".into(), "市委第五巡察组".into()),
            (
                first.latest_notice.clone(),
                "2024-11-26".into(),
                "市委第三巡察组".into()
            ),
        ]
    );
    assert!(both.history.iter().all(|r| r.issues_total == 5));

    // The bureau's notice reports 9 problems but lists 3: a warning, per notice and in all.
    let bureau = app
        .organisations
        .get_issue_status(pb::GetIssueStatusRequest {
            organisation: "云山县交通运输局党组".into(),
        })
        .await
        .expect("GetIssueStatus")
        .into_inner();
    assert_eq!((bureau.issues_total, bureau.not_stated), (3, 3));
    assert_eq!(bureau.warnings.len(), 1, "{:?}", bureau.warnings);
    assert!(bureau.warnings[0].contains('9'), "{:?}", bureau.warnings);
    assert_eq!(bureau.history[0].warnings, bureau.warnings);

    for (organisation, code) in [
        ("不存在的单位", tonic::Code::NotFound),
        ("", tonic::Code::InvalidArgument),
    ] {
        let status = app
            .organisations
            .get_issue_status(pb::GetIssueStatusRequest {
                organisation: organisation.into(),
            })
            .await
            .expect_err(organisation);
        assert_eq!(status.code(), code);
        if code == tonic::Code::InvalidArgument {
            assert_bad_field(&status, "organisation");
        } else {
            assert!(status.message().contains(organisation));
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn issues_filter_by_status_page_and_name_their_notice() {
    let mut app = spawn_with(Options::default()).await;
    let all = app
        .organisations
        .list_issues(pb::ListIssuesRequest {
            organisation: LINJIANG.into(),
            ..Default::default()
        })
        .await
        .expect("ListIssues")
        .into_inner();
    assert_eq!(all.total_size, 5);
    let notice = all.issues[0].notice.clone();
    assert!(notice.starts_with("notices/"));
    assert!(all.issues.iter().all(|i| i.notice == notice));
    assert_eq!(
        all.issues.iter().map(|i| i.index).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );
    assert!(all.issues.iter().all(|i| i.signed_on == "2024-11-26"));
    let got = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: notice.clone(),
            ..Default::default()
        })
        .await
        .expect("the issue's notice exists")
        .into_inner()
        .notice
        .expect("notice");
    assert_eq!(
        got.issues[3].title,
        all.issues[3].issue.as_ref().expect("issue").title
    );

    let open = app
        .organisations
        .list_issues(pb::ListIssuesRequest {
            organisation: "临江区委".into(),
            status: pb::IssueStatus::InProgress as i32,
            ..Default::default()
        })
        .await
        .expect("in progress")
        .into_inner();
    assert_eq!(open.total_size, 2);
    assert!(open.issues.iter().all(|i| {
        i.issue.as_ref().map(|x| x.status) == Some(pb::IssueStatus::InProgress as i32)
    }));

    // Pages of two: 2 + 2 + 1, in the same order as one page.
    let mut token = String::new();
    let mut titles = Vec::new();
    let mut pages = 0;
    loop {
        let page = app
            .organisations
            .list_issues(pb::ListIssuesRequest {
                organisation: LINJIANG.into(),
                page_size: 2,
                page_token: token,
                ..Default::default()
            })
            .await
            .expect("page")
            .into_inner();
        pages += 1;
        assert_eq!(page.total_size, 5);
        titles.extend(
            page.issues
                .into_iter()
                .map(|i| i.issue.expect("issue").title),
        );
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = all
        .issues
        .iter()
        .map(|i| i.issue.as_ref().expect("issue").title.clone())
        .collect();
    assert_eq!(titles, expected);

    let first = app
        .organisations
        .list_issues(pb::ListIssuesRequest {
            organisation: LINJIANG.into(),
            page_size: 2,
            ..Default::default()
        })
        .await
        .expect("page")
        .into_inner();
    for (request, field) in [
        (
            pb::ListIssuesRequest {
                organisation: LINJIANG.into(),
                status: 42,
                ..Default::default()
            },
            "status",
        ),
        (
            pb::ListIssuesRequest {
                organisation: LINJIANG.into(),
                page_size: -2,
                ..Default::default()
            },
            "page_size",
        ),
        (
            pb::ListIssuesRequest {
                organisation: LINJIANG.into(),
                page_token: "garbage".into(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            // A token is tied to its status filter.
            pb::ListIssuesRequest {
                organisation: LINJIANG.into(),
                status: pb::IssueStatus::Completed as i32,
                page_token: first.next_page_token.clone(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            pb::ListIssuesRequest {
                organisation: String::new(),
                ..Default::default()
            },
            "organisation",
        ),
    ] {
        let status = app
            .organisations
            .list_issues(request.clone())
            .await
            .expect_err("bad request");
        assert_bad_field(&status, field);
    }
    let missing = app
        .organisations
        .list_issues(pb::ListIssuesRequest {
            organisation: "不存在的单位".into(),
            ..Default::default()
        })
        .await
        .expect_err("unknown");
    assert_eq!(missing.code(), tonic::Code::NotFound);
    app.stop().await;
}
