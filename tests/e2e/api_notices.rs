//! NoticeService through the generated client: listing (page sizes, tokens that survive
//! writes, every filter field, every ordering), versions and the watch stream.

use crate::harness::{BEIHU, Options, QINGHE, TestApp, YUNSHAN, assert_bad_field, spawn_with};
use gazette_proto::pb;
use std::collections::BTreeSet;
use tokio_stream::StreamExt;

async fn list(app: &mut TestApp, request: pb::ListNoticesRequest) -> pb::ListNoticesResponse {
    app.notices
        .list_notices(request.clone())
        .await
        .unwrap_or_else(|e| panic!("ListNotices {request:?}: {e:?}"))
        .into_inner()
}

async fn count(app: &mut TestApp, filter: &str) -> i32 {
    let response = list(
        app,
        pb::ListNoticesRequest {
            filter: filter.to_owned(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        response.notices.len() as i32,
        response.total_size,
        "{filter}"
    );
    response.total_size
}

/// A notice of another organisation: the sample with its place names replaced.
fn renamed(text: &str, from: &str, to: &str) -> String {
    text.replace(from, to)
}

#[tokio::test]
async fn page_size_defaults_to_50_and_is_capped_at_500() {
    let mut app = spawn_with(Options::admin()).await;
    // 3 crawled + 52 ingested notices of distinct organisations.
    for i in 0..52 {
        let text = renamed(YUNSHAN, "云山县", &format!("测试{i}县"));
        let ingested = app
            .ingest_text(&format!("https://example.test/n/{i}.txt"), &text)
            .await;
        assert_eq!(ingested.notices.len(), 1, "{ingested:?}");
    }
    let default = list(&mut app, pb::ListNoticesRequest::default()).await;
    assert_eq!(default.notices.len(), 50);
    assert_eq!(default.total_size, 55);
    assert!(!default.next_page_token.is_empty());
    let rest = list(
        &mut app,
        pb::ListNoticesRequest {
            page_token: default.next_page_token.clone(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(rest.notices.len(), 5);
    assert!(rest.next_page_token.is_empty());
    let big = list(
        &mut app,
        pb::ListNoticesRequest {
            page_size: 100_000,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(
        big.notices.len(),
        55,
        "a huge page size is clamped, not refused"
    );
    let names: BTreeSet<_> = default
        .notices
        .iter()
        .chain(&rest.notices)
        .map(|n| n.name.clone())
        .collect();
    assert_eq!(names.len(), 55);
    app.stop().await;
}

#[tokio::test]
async fn page_tokens_stay_valid_while_notices_are_added() {
    let mut app = spawn_with(Options::admin()).await;
    for order_by in ["", "fetched_at asc", "signed_on asc", "published_at desc"] {
        let all = list(
            &mut app,
            pb::ListNoticesRequest {
                order_by: order_by.into(),
                page_size: 500,
                ..Default::default()
            },
        )
        .await;
        let first = list(
            &mut app,
            pb::ListNoticesRequest {
                order_by: order_by.into(),
                page_size: 1,
                ..Default::default()
            },
        )
        .await;
        assert_eq!(first.notices[0].name, all.notices[0].name, "{order_by}");
        // A write between two pages must neither repeat nor skip notices that were there.
        let text = renamed(QINGHE, "临江", &format!("临{}", order_by.len()));
        app.ingest_text(
            &format!("https://example.test/{}.txt", order_by.len()),
            &text,
        )
        .await;
        let mut seen = vec![first.notices[0].name.clone()];
        let mut token = first.next_page_token;
        while !token.is_empty() {
            let page = list(
                &mut app,
                pb::ListNoticesRequest {
                    order_by: order_by.into(),
                    page_size: 1,
                    page_token: token,
                    ..Default::default()
                },
            )
            .await;
            seen.extend(page.notices.iter().map(|n| n.name.clone()));
            token = page.next_page_token;
        }
        let unique: BTreeSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{order_by}: repeated {seen:?}");
        for notice in &all.notices {
            assert!(
                seen.contains(&notice.name),
                "{order_by}: skipped {}",
                notice.name
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn every_filter_field_selects_the_right_notices() {
    let mut app = spawn_with(Options::default()).await;
    let all = list(&mut app, pb::ListNoticesRequest::default()).await;
    let linjiang = all
        .notices
        .iter()
        .find(|n| n.organisation_display_name == "中共青河市临江区委员会")
        .expect("crawled")
        .clone();
    let source = linjiang.source_uri.clone();
    let site = &source[..source.find("/xwzx/").expect("site path")];
    for (filter, expected) in [
        (r#"organisation = "中共青河市临江区委员会""#.to_owned(), 1),
        (r#"organisation = "临江区委""#.to_owned(), 1),
        (format!(r#"organisation = "{}""#, linjiang.organisation), 1),
        (r#"organisation = "不存在的单位""#.to_owned(), 0),
        (r#"kind = "巡察""#.to_owned(), 2),
        (r#"kind = "巡察回头看""#.to_owned(), 1),
        (r#"team = "市委第三巡察组""#.to_owned(), 1),
        (format!(r#"source = "{site}/xwzx/""#), 3),
        (format!(r#"source = "{source}""#), 1),
        (r#"source = "https://elsewhere.example/""#.to_owned(), 0),
        (r#"status = "completed""#.to_owned(), 2),
        (r#"status = "in_progress""#.to_owned(), 2),
        (r#"status = "not_stated""#.to_owned(), 1),
        (r#"text : "营商环境""#.to_owned(), 1),
        (r#"text : "交通运输""#.to_owned(), 1),
        (r#"signed_on >= "2024-11-01""#.to_owned(), 2),
        (r#"signed_on < "2024-11-01""#.to_owned(), 1),
        (r#"signed_on = "2024-11-26""#.to_owned(), 1),
        (
            r#"signed_on >= "2024-03-01" AND signed_on <= "2024-11-26""#.to_owned(),
            2,
        ),
        (r#"published_at > "2024-12-01""#.to_owned(), 1),
        (r#"published_at <= "2024-11-26""#.to_owned(), 2),
        (r#"fetched_at >= "2000-01-01""#.to_owned(), 3),
        (r#"fetched_at < "2000-01-01""#.to_owned(), 0),
        (
            r#"kind = "巡察" AND text : "营商环境" AND status = "in_progress""#.to_owned(),
            1,
        ),
    ] {
        assert_eq!(count(&mut app, &filter).await, expected, "{filter}");
    }
    app.stop().await;
}

#[tokio::test]
async fn every_ordering_sorts_by_its_field() {
    let mut app = spawn_with(Options::default()).await;
    let names = |r: &pb::ListNoticesResponse| -> Vec<String> {
        r.notices
            .iter()
            .map(|n| n.organisation_display_name.clone())
            .collect()
    };
    let (qinghe, yunshan, beihu) = (
        "中共青河市临江区委员会",
        "中共云山县交通运输局党组",
        "中共北湖经济开发区工作委员会",
    );
    for (order_by, expected) in [
        ("signed_on asc", [yunshan, qinghe, beihu]),
        ("signed_on desc", [beihu, qinghe, yunshan]),
        ("published_at asc", [yunshan, qinghe, beihu]),
        ("published_at desc", [beihu, qinghe, yunshan]),
    ] {
        let response = list(
            &mut app,
            pb::ListNoticesRequest {
                order_by: order_by.into(),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(names(&response), expected, "{order_by}");
    }
    let desc = list(&mut app, pb::ListNoticesRequest::default()).await;
    let asc = list(
        &mut app,
        pb::ListNoticesRequest {
            order_by: "fetched_at asc".into(),
            ..Default::default()
        },
    )
    .await;
    let fetched = |r: &pb::ListNoticesResponse| -> Vec<(i64, i32)> {
        r.notices
            .iter()
            .map(|n| {
                let t = n.fetched_at.expect("fetched_at");
                (t.seconds, t.nanos)
            })
            .collect()
    };
    let mut sorted = fetched(&asc);
    sorted.sort();
    assert_eq!(fetched(&asc), sorted);
    sorted.reverse();
    assert_eq!(fetched(&desc), sorted);
    app.stop().await;
}

#[tokio::test]
async fn bad_list_requests_name_the_field() {
    let mut app = spawn_with(Options::default()).await;
    let first = list(
        &mut app,
        pb::ListNoticesRequest {
            page_size: 1,
            ..Default::default()
        },
    )
    .await;
    let token = first.next_page_token;
    for (request, field) in [
        (
            pb::ListNoticesRequest {
                page_token: "not-a-token".into(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            pb::ListNoticesRequest {
                page_token: "00".into(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            // A token is tied to the filter it was issued for...
            pb::ListNoticesRequest {
                page_token: token.clone(),
                filter: r#"kind = "巡察""#.into(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            // ...and to the ordering.
            pb::ListNoticesRequest {
                page_token: token.clone(),
                order_by: "signed_on asc".into(),
                ..Default::default()
            },
            "page_token",
        ),
        (
            pb::ListNoticesRequest {
                page_size: -1,
                ..Default::default()
            },
            "page_size",
        ),
        (
            pb::ListNoticesRequest {
                filter: r#"colour = "red""#.into(),
                ..Default::default()
            },
            "filter",
        ),
        (
            pb::ListNoticesRequest {
                filter: r#"signed_on >= "last week""#.into(),
                ..Default::default()
            },
            "filter",
        ),
        (
            pb::ListNoticesRequest {
                filter: r#"status = "done""#.into(),
                ..Default::default()
            },
            "filter",
        ),
        (
            pb::ListNoticesRequest {
                filter: "kind = 巡察".into(),
                ..Default::default()
            },
            "filter",
        ),
        (
            pb::ListNoticesRequest {
                order_by: "colour".into(),
                ..Default::default()
            },
            "order_by",
        ),
    ] {
        let status = app
            .notices
            .list_notices(request.clone())
            .await
            .expect_err("invalid request");
        assert_bad_field(&status, field);
    }
    for (name, code) in [
        ("0000", tonic::Code::InvalidArgument),
        ("notices/", tonic::Code::InvalidArgument),
        ("notices/a/b", tonic::Code::InvalidArgument),
        ("notices/none", tonic::Code::InvalidArgument),
        ("notices/0123456789ABCDEF", tonic::Code::InvalidArgument),
        ("notices/00000000000000000", tonic::Code::InvalidArgument),
        ("notices/0000000000000000", tonic::Code::NotFound),
        ("notices/0123456789abcdef", tonic::Code::NotFound),
    ] {
        let status = app
            .notices
            .get_notice(pb::GetNoticeRequest {
                name: name.into(),
                ..Default::default()
            })
            .await
            .expect_err(name);
        assert_eq!(status.code(), code, "{name}: {status:?}");
        if code == tonic::Code::InvalidArgument {
            assert_bad_field(&status, "name");
        } else {
            assert!(status.message().contains(name), "{status:?}");
        }
        let versions = app
            .notices
            .list_notice_versions(pb::ListNoticeVersionsRequest {
                name: name.into(),
                ..Default::default()
            })
            .await
            .expect_err(name);
        assert_eq!(versions.code(), code, "{name}: {versions:?}");
    }
    let status = app
        .notices
        .watch_notices(pb::WatchNoticesRequest {
            resume_token: "yesterday".into(),
            ..Default::default()
        })
        .await
        .expect_err("bad resume token");
    assert_bad_field(&status, "resume_token");
    let status = app
        .notices
        .watch_notices(pb::WatchNoticesRequest {
            filter: "nonsense".into(),
            ..Default::default()
        })
        .await
        .expect_err("bad filter");
    assert_bad_field(&status, "filter");
    app.stop().await;
}

#[tokio::test]
async fn a_changed_page_makes_a_new_version() {
    let mut app = spawn_with(Options::admin()).await;
    let uri = "https://example.test/donghu.txt";
    // Renamed, so that it is not the crawled notice of 北湖.
    let original = renamed(BEIHU, "北湖", "东湖");
    let v1 = app.ingest_text(uri, &original).await;
    assert_eq!(v1.notices.len(), 1, "{v1:?}");
    let name = v1.notices[0].clone();
    let changed = original.replace("产业项目落地缓慢", "产业项目落地迟缓");
    assert_ne!(changed, original);
    let v2 = app.ingest_text(uri, &changed).await;
    assert_eq!(v2.notices, vec![name.clone()], "same notice, new content");
    let versions = app
        .notices
        .list_notice_versions(pb::ListNoticeVersionsRequest {
            name: name.clone(),
            ..Default::default()
        })
        .await
        .expect("ListNoticeVersions")
        .into_inner();
    let numbers: Vec<i64> = versions.versions.iter().map(|v| v.version).collect();
    assert_eq!(numbers, vec![2, 1]);
    let title = |v: &pb::NoticeVersion| v.notice.as_ref().expect("notice").issues[0].title.clone();
    assert_eq!(title(&versions.versions[0]), "产业项目落地迟缓");
    assert_eq!(title(&versions.versions[1]), "产业项目落地缓慢");
    assert!(versions.next_page_token.is_empty());
    // One per page.
    let first = app
        .notices
        .list_notice_versions(pb::ListNoticeVersionsRequest {
            name: name.clone(),
            page_size: 1,
            ..Default::default()
        })
        .await
        .expect("first page")
        .into_inner();
    assert_eq!(first.versions[0].version, 2);
    let second = app
        .notices
        .list_notice_versions(pb::ListNoticeVersionsRequest {
            name: name.clone(),
            page_size: 1,
            page_token: first.next_page_token.clone(),
            ..Default::default()
        })
        .await
        .expect("second page")
        .into_inner();
    assert_eq!(second.versions[0].version, 1);
    assert!(second.next_page_token.is_empty());
    // The current notice is the newest version.
    let current = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: name.clone(),
            ..Default::default()
        })
        .await
        .expect("GetNotice")
        .into_inner()
        .notice
        .expect("notice");
    assert_eq!(current.issues[0].title, "产业项目落地迟缓");
    // Ingesting identical content again is not a new version.
    app.ingest_text(uri, &changed).await;
    let again = app
        .notices
        .list_notice_versions(pb::ListNoticeVersionsRequest {
            name: name.clone(),
            ..Default::default()
        })
        .await
        .expect("versions")
        .into_inner();
    assert_eq!(again.versions.len(), 2);
    for (request, field) in [
        (
            pb::ListNoticeVersionsRequest {
                name: name.clone(),
                page_size: -5,
                ..Default::default()
            },
            "page_size",
        ),
        (
            pb::ListNoticeVersionsRequest {
                name: name.clone(),
                page_token: "garbage".into(),
                ..Default::default()
            },
            "page_token",
        ),
    ] {
        let status = app
            .notices
            .list_notice_versions(request)
            .await
            .expect_err("bad request");
        assert_bad_field(&status, field);
    }
    app.stop().await;
}

#[tokio::test]
async fn an_edited_notice_keeps_its_name_and_one_no_page_carries_is_withdrawn() {
    let mut app = spawn_with(Options::admin()).await;
    let (created, updated, withdrawn) = (
        pb::ChangeType::Created as i32,
        pb::ChangeType::Updated as i32,
        pb::ChangeType::Withdrawn as i32,
    );
    let mut watch = app
        .notices
        .watch_notices(pb::WatchNoticesRequest {
            filter: r#"text : "西湖""#.into(),
            ..Default::default()
        })
        .await
        .expect("watch")
        .into_inner();
    let (first_uri, second_uri) = (
        "https://example.test/xihu.txt",
        "https://example.test/mirror/xihu.txt",
    );
    let original = renamed(BEIHU, "北湖", "西湖");
    let name = app.ingest_text(first_uri, &original).await.notices[0].clone();
    // The publisher corrects the date under the notice, which is part of what identifies it.
    let corrected = original.replace("2024年12月20日", "2024年12月23日");
    assert_ne!(corrected, original);
    let edit = app.ingest_text(first_uri, &corrected).await;
    assert_eq!(
        edit.notices,
        vec![name.clone()],
        "an edit, not a new notice"
    );
    // The corrected notice found at another URL is still that notice.
    let mirror = app.ingest_text(second_uri, &corrected).await;
    assert_eq!(mirror.notices, vec![name.clone()]);
    let get = |name: String| pb::GetNoticeRequest {
        name,
        ..Default::default()
    };
    let current = app
        .notices
        .get_notice(get(name.clone()))
        .await
        .expect("GetNotice")
        .into_inner()
        .notice
        .expect("notice");
    assert_eq!(
        (current.version, current.signed_on.as_str()),
        (2, "2024-12-23")
    );
    assert_eq!(current.found_on, [first_uri, second_uri]);

    // Both pages move on to other notices: once the second does, no page carries it.
    let replaced = app
        .ingest_text(first_uri, &renamed(QINGHE, "临江", "西湖"))
        .await;
    assert!(replaced.withdrawn.is_empty(), "{replaced:?}");
    let gone = app
        .ingest_text(second_uri, &renamed(YUNSHAN, "云山县", "雪山县"))
        .await;
    assert_eq!(gone.withdrawn, vec![name.clone()]);
    let status = app
        .notices
        .get_notice(get(name.clone()))
        .await
        .expect_err("withdrawn");
    assert_eq!(status.code(), tonic::Code::NotFound, "{status:?}");
    assert!(status.message().contains("withdrawn"), "{status:?}");
    let history = app
        .notices
        .list_notice_versions(pb::ListNoticeVersionsRequest {
            name: name.clone(),
            ..Default::default()
        })
        .await
        .expect("versions outlive the notice")
        .into_inner();
    let numbers: Vec<i64> = history.versions.iter().map(|v| v.version).collect();
    assert_eq!(numbers, [2, 1]);

    let changes = take(&mut watch, 4).await;
    let kinds: Vec<(i32, String)> = changes
        .iter()
        .map(|c| {
            let notice = c.notice.as_ref().expect("notice");
            (c.change_type, notice.name.clone())
        })
        .collect();
    let qinghe = replaced.notices[0].clone();
    assert_eq!(
        kinds,
        [
            (created, name.clone()),
            (updated, name.clone()),
            (created, qinghe),
            (withdrawn, name),
        ]
    );
    app.stop().await;
}

/// Reads `n` messages of a watch stream.
async fn take(
    stream: &mut tonic::Streaming<pb::WatchNoticesResponse>,
    n: usize,
) -> Vec<pb::WatchNoticesResponse> {
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
            .await
            .unwrap_or_else(|_| panic!("no change within 10 s after {out:#?}"))
            .expect("stream open")
            .expect("change");
        out.push(next);
    }
    out
}

fn describe(changes: &[pb::WatchNoticesResponse]) -> Vec<(i32, String)> {
    changes
        .iter()
        .map(|c| {
            (
                c.change_type,
                c.notice
                    .as_ref()
                    .map(|n| n.organisation_display_name.clone())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[tokio::test]
async fn watch_resumes_after_the_last_token_without_gaps_or_repeats() {
    let mut app = spawn_with(Options::admin()).await;
    let created = pb::ChangeType::Created as i32;
    let updated = pb::ChangeType::Updated as i32;
    let mut stream = app
        .notices
        .watch_notices(pb::WatchNoticesRequest::default())
        .await
        .expect("watch")
        .into_inner();
    // From the beginning: the three crawled notices; read two of them, then hang up.
    let head = take(&mut stream, 2).await;
    assert!(head.iter().all(|c| c.change_type == created));
    let last = head[1].resume_token.clone();
    drop(stream);

    // Changes while nobody watches: two new notices and a new version of one.
    let a = renamed(QINGHE, "临江", "临海");
    let b = renamed(YUNSHAN, "云山县", "雾山县");
    app.ingest_text("https://example.test/a.txt", &a).await;
    app.ingest_text("https://example.test/b.txt", &b).await;
    app.ingest_text(
        "https://example.test/a.txt",
        &a.replace("基层党组织软弱涣散", "基层党组织建设薄弱"),
    )
    .await;

    let mut resumed = app
        .notices
        .watch_notices(pb::WatchNoticesRequest {
            resume_token: last.clone(),
            ..Default::default()
        })
        .await
        .expect("resume")
        .into_inner();
    let rest = take(&mut resumed, 4).await;
    let everything = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            order_by: "fetched_at asc".into(),
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner();
    let third = everything
        .notices
        .iter()
        .map(|n| n.organisation_display_name.clone())
        .find(|o| {
            !head
                .iter()
                .any(|c| c.notice.as_ref().map(|n| &n.organisation_display_name) == Some(o))
        })
        .expect("the crawled notice not yet read");
    assert_eq!(
        describe(&rest),
        vec![
            (created, third),
            (created, "中共青河市临海区委员会".to_owned()),
            (created, "中共雾山县交通运输局党组".to_owned()),
            (updated, "中共青河市临海区委员会".to_owned()),
        ]
    );
    let tokens: BTreeSet<_> = head
        .iter()
        .chain(&rest)
        .map(|c| c.resume_token.clone())
        .collect();
    assert_eq!(tokens.len(), 6, "every change has its own token");
    // Live: a change made while the stream is open arrives next, and nothing else.
    app.ingest_text(
        "https://example.test/c.txt",
        &renamed(BEIHU, "北湖", "南湖"),
    )
    .await;
    let live = take(&mut resumed, 1).await;
    assert_eq!(
        describe(&live),
        vec![(created, "中共南湖经济开发区工作委员会".to_owned())]
    );
    drop(resumed);

    // A filtered watch from the same token sees only matching changes, in the view asked for.
    let mut filtered = app
        .notices
        .watch_notices(pb::WatchNoticesRequest {
            resume_token: last,
            filter: r#"text : "雾山县""#.into(),
            view: pb::NoticeView::Basic.into(),
        })
        .await
        .expect("filtered watch")
        .into_inner();
    let matching = take(&mut filtered, 1).await;
    assert_eq!(
        describe(&matching),
        vec![(created, "中共雾山县交通运输局党组".to_owned())]
    );
    let basic = matching[0].notice.as_ref().expect("notice");
    assert!(
        basic.text.is_empty() && !basic.issues.is_empty(),
        "{basic:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_basic_view_leaves_out_only_the_text() {
    let mut app = spawn_with(Options::admin()).await;
    app.ingest_text("https://example.test/qinghe.txt", QINGHE)
        .await;
    let full = list(&mut app, pb::ListNoticesRequest::default()).await;
    let basic = list(
        &mut app,
        pb::ListNoticesRequest {
            view: pb::NoticeView::Basic.into(),
            ..Default::default()
        },
    )
    .await;
    assert!(!full.notices.is_empty());
    assert_eq!(full.notices.len(), basic.notices.len());
    for (full, basic) in full.notices.iter().zip(&basic.notices) {
        assert!(!full.text.is_empty(), "{}", full.name);
        assert!(basic.text.is_empty(), "{}", basic.name);
        assert_eq!(
            pb::Notice {
                text: String::new(),
                ..full.clone()
            },
            *basic
        );
    }
    let name = full.notices[0].name.clone();
    for (view, has_text) in [
        (pb::NoticeView::Unspecified, true),
        (pb::NoticeView::Full, true),
        (pb::NoticeView::Basic, false),
    ] {
        let notice = app
            .notices
            .get_notice(pb::GetNoticeRequest {
                name: name.clone(),
                view: view.into(),
            })
            .await
            .expect("GetNotice")
            .into_inner()
            .notice
            .expect("notice");
        assert_eq!(!notice.text.is_empty(), has_text, "{view:?}");
    }
    let status = app
        .notices
        .get_notice(pb::GetNoticeRequest {
            name: name.clone(),
            view: 9,
        })
        .await
        .expect_err("unknown view");
    assert_bad_field(&status, "view");
    let status = app
        .notices
        .list_notices(pb::ListNoticesRequest {
            view: 9,
            ..Default::default()
        })
        .await
        .expect_err("unknown view");
    assert_bad_field(&status, "view");
    let versions = app
        .notices
        .list_notice_versions(pb::ListNoticeVersionsRequest {
            name: name.clone(),
            view: pb::NoticeView::Basic.into(),
            ..Default::default()
        })
        .await
        .expect("basic versions")
        .into_inner();
    let only = versions.versions[0].notice.as_ref().expect("notice");
    assert!(only.text.is_empty() && !only.issues.is_empty());
    let status = app
        .notices
        .list_notice_versions(pb::ListNoticeVersionsRequest {
            name,
            view: 9,
            ..Default::default()
        })
        .await
        .expect_err("unknown view");
    assert_bad_field(&status, "view");
    let status = app
        .notices
        .watch_notices(pb::WatchNoticesRequest {
            view: 9,
            ..Default::default()
        })
        .await
        .expect_err("unknown view");
    assert_bad_field(&status, "view");
    app.stop().await;
}
