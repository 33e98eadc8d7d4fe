//! Local publication sites in the styles of the CMSs that government sites run on, each with
//! our own invented markup and notices, served on 127.0.0.1 port 0 (bound before serving, so
//! no readiness waits): TRS WCM with its script pager, Hanweb JCMS with its data proxy and
//! XML record blocks, 博达 VSB with its backward-numbered pages, a site publishing notices as
//! PDF, DOCX and unreadable attachments, and a site answering with anti-bot challenges.

pub(crate) mod attachments;
pub(crate) mod challenges;
pub(crate) mod hanweb;
pub(crate) mod numbered;
pub(crate) mod trs;
pub(crate) mod vsb;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// An answer of a fixture site.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) content_type: &'static str,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn html(body: String) -> Self {
        Self::bytes("text/html; charset=utf-8", body.into_bytes())
    }

    pub(crate) fn bytes(content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status: StatusCode::OK,
            content_type,
            headers: Vec::new(),
            body,
        }
    }
}

/// What a site answers for a path and its query (`None`: 404).
pub(crate) type Routes = Arc<dyn Fn(&str, Option<&str>) -> Option<Answer> + Send + Sync>;

/// A running fixture site that counts the requests for every path and query.
pub(crate) struct FixtureSite {
    pub(crate) addr: SocketAddr,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    arrivals: Arc<Mutex<Vec<(String, std::time::Instant)>>>,
}

impl FixtureSite {
    pub(crate) async fn start(routes: Routes) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind site");
        let addr = listener.local_addr().expect("site address");
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let arrivals: Arc<Mutex<Vec<(String, std::time::Instant)>>> = Arc::default();
        let (counter, log) = (Arc::clone(&hits), Arc::clone(&arrivals));
        let app = axum::Router::new().fallback(move |uri: Uri, _headers: HeaderMap| {
            let (routes, counter, log) =
                (Arc::clone(&routes), Arc::clone(&counter), Arc::clone(&log));
            async move {
                let key = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
                log.lock()
                    .expect("arrivals lock")
                    .push((key.clone(), std::time::Instant::now()));
                *counter.lock().expect("hits lock").entry(key).or_default() += 1;
                match routes(uri.path(), uri.query()) {
                    Some(answer) => respond(answer),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve site") });
        Self {
            addr,
            hits,
            arrivals,
        }
    }

    /// When each request for `path` arrived, in order.
    pub(crate) fn arrivals(&self, path: &str) -> Vec<std::time::Instant> {
        self.arrivals
            .lock()
            .expect("arrivals lock")
            .iter()
            .filter(|(k, _)| k == path)
            .map(|(_, at)| *at)
            .collect()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests for `path_and_query`.
    pub(crate) fn hits(&self, path_and_query: &str) -> usize {
        self.hits
            .lock()
            .expect("hits lock")
            .get(path_and_query)
            .copied()
            .unwrap_or(0)
    }

    /// Requests whose path starts with `prefix`, by path and query.
    pub(crate) fn hits_under(&self, prefix: &str) -> Vec<(String, usize)> {
        let mut hits: Vec<(String, usize)> = self
            .hits
            .lock()
            .expect("hits lock")
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        hits.sort();
        hits
    }
}

fn respond(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(name, value);
        }
    }
    response
}

/// Place names for invented organisations (none is a real county).
const PLACES: &[&str] = &[
    "青松", "白沙", "云岭", "石门", "柳溪", "金塘", "望江", "桃源", "梅岭", "松涛", "凤栖", "龙泉",
    "鹿鸣", "雁荡", "清溪", "丹霞", "玉屏", "紫荆", "银杏", "黄湾",
];
/// Kinds of units, with the short form a notice uses for them.
const UNITS: &[(&str, &str)] = &[
    ("县委员会", "县委"),
    ("区委员会", "区委"),
    ("镇委员会", "镇党委"),
    ("县教育局党组", "县教育局党组"),
    ("县卫生健康委员会党组", "县卫健委党组"),
];
const CN_ORDINALS: &[&str] = &["一", "二", "三", "四", "五", "六"];

/// The organisation of invented notice `i`: distinct for every `i` below 100.
pub(crate) fn organisation(i: usize) -> String {
    let (unit, _) = UNITS[i / PLACES.len() % UNITS.len()];
    format!("中共{}{unit}", PLACES[i % PLACES.len()])
}

/// An invented rectification notice, varied by `i` in its organisation, team, dates, figures
/// and issues, in the layout such notices follow (title, inspection, figures, numbered
/// issues with their status, contact, signature, date).
pub(crate) fn notice_text(i: usize) -> String {
    let org = organisation(i);
    let short = UNITS[i / PLACES.len() % UNITS.len()].1;
    let team = CN_ORDINALS[i % CN_ORDINALS.len()];
    let month = 1 + i % 9;
    let (total, done) = (6 + i % 7, 3 + i % 3);
    let kind = if i % 4 == 3 { "巡视" } else { "巡察" };
    let day = 1 + i % 27;
    format!(
        "{org}关于{kind}整改进展情况的通报\n\
         根据上级党委统一部署，2023年{month}月{day}日至{end_month}月{day}日，第{team}{kind}组对{short}开展了常规{kind}，并反馈了{kind}意见。现将整改进展情况予以公布。\n\
         一、整改工作总体情况\n\
         {short}召开专题会议研究部署，对反馈的{total}个问题逐条制定整改措施。截至目前，{total}个问题中已完成整改{done}个，正在推进整改{open}个。\n\
         二、整改落实情况\n\
         （一）已整改完成的问题\n\
         1.关于“{topic_a}”问题的整改\n\
         整改结果及成效：建立工作台账，逐项对账销号，第{i}批次事项已全部办结。\n\
         （二）正在推进整改的问题\n\
         1.关于“{topic_b}”问题的整改\n\
         整改措施及阶段性成效：制定专项方案，已完成阶段目标的{percent}%。\n\
         欢迎广大干部群众对整改落实情况进行监督。联系电话：0{area}-6{phone:06}；电子邮箱：xc{i}@example.cn。\n\
         {org}\n\
         2024年{sign_month}月{sign_day}日\n",
        end_month = month + 1,
        open = total - done,
        topic_a = ["议事决策程序不规范", "资金使用监管不严", "干部作风不实"][i % 3],
        topic_b = ["基层治理效能不高", "项目推进缓慢", "制度执行不到位"][(i + 1) % 3],
        percent = 40 + i % 50,
        area = 500 + i,
        phone = 100_000 + i * 37,
        sign_month = 1 + i % 12,
        sign_day = 1 + (i * 7) % 28,
    )
}

/// The title line of a notice text.
pub(crate) fn title_of(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Paragraph markup of a notice text's body.
pub(crate) fn paragraphs(text: &str) -> String {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("<p style=\"text-indent:2em\">{l}</p>\n"))
        .collect()
}
