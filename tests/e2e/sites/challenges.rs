//! A column behind anti-bot services: its list page is served, but its articles answer with
//! the challenges such services send a client that runs no JavaScript (412 with a `$_ts`
//! script, 521 with an obfuscated `__jsl_clearance` cookie script, a WAF page computing
//! `acw_sc__v2`, a 200 that only reloads itself, a script-only shell), except one ordinary
//! article. A switch makes that article answer with a challenge too, for a later run.

use super::{Answer, FixtureSite, notice_text, paragraphs, title_of};
use axum::http::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) const LIST: &str = "/xcgz/index.html";
/// The ordinary article.
pub(crate) const OPEN: &str = "/xcgz/202406/t20240601_900.html";
/// The challenged articles and the label each challenge is reported under.
pub(crate) const CHALLENGED: &[(&str, &str)] = &[
    ("/xcgz/202406/t20240602_901.html", "ts_412"),
    ("/xcgz/202406/t20240603_902.html", "jsl_521"),
    ("/xcgz/202406/t20240604_903.html", "acw_sc_v2"),
    ("/xcgz/202406/t20240605_904.html", "script_reload"),
    ("/xcgz/202406/t20240606_905.html", "script_only"),
];

fn challenge(label: &str) -> Answer {
    let (status, headers, body): (u16, Vec<(&'static str, String)>, &str) = match label {
        "ts_412" => (
            412,
            vec![],
            "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\
             <script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=29134;$_ts.cd=\"qxxEr\";</script>\
             <script type=\"text/javascript\" charset=\"utf-8\" src=\"/Xq3V/k2Lp.js\" r=\"m\"></script></head><body></body></html>",
        ),
        "jsl_521" => (
            521,
            vec![(
                "set-cookie",
                "__jsluid_h=3f9a0c; max-age=31536000; path=/; HttpOnly".into(),
            )],
            "<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')+('a')+('n')+('c')+('e')+('=')+(-~[]+'');location.href=location.pathname+location.search</script>",
        ),
        "acw_sc_v2" => (
            200,
            vec![],
            "<html><script>var arg1='41B2C6D8E0F1A3B5C7D9';var _0x4818=['\\x63\\x6f'];function setCookie(name,value){var expiredate=new Date();\
             document.cookie=name+'='+value+';expires='+expiredate.toGMTString()+';path=/';}\
             setCookie('acw_sc__v2', arg1); document.location.reload();</script></html>",
        ),
        "script_reload" => (
            200,
            vec![],
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script>window.onload=function(){setTimeout(function(){window.location.reload();},50);}</script></head><body>&nbsp;</body></html>",
        ),
        _ => (
            200,
            vec![],
            "<html><head><script src=\"/static/js/chunk-vendors.js\"></script><script src=\"/static/js/app.js\"></script></head><body><div id=\"app\"></div></body></html>",
        ),
    };
    Answer {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        content_type: "text/html; charset=utf-8",
        headers,
        body: body.as_bytes().to_vec(),
    }
}

/// The ordinary article's notice.
pub(crate) fn open_notice() -> String {
    notice_text(90)
}

/// The site and the switch that puts the ordinary article behind a challenge too.
pub(crate) async fn start() -> (FixtureSite, Arc<AtomicBool>) {
    let challenge_all = Arc::new(AtomicBool::new(false));
    let switch = Arc::clone(&challenge_all);
    let routes = Arc::new(move |path: &str, _query: Option<&str>| {
        if path == LIST {
            let items: String = std::iter::once(OPEN)
                .chain(CHALLENGED.iter().map(|(p, _)| *p))
                .enumerate()
                .map(|(i, p)| {
                    format!(
                        "<li><a href=\"{}\">关于第{}轮巡察整改进展情况的通报</a></li>",
                        p.trim_start_matches("/xcgz/"),
                        i + 1
                    )
                })
                .collect();
            return Some(Answer::html(format!(
                "<html><head><meta charset=\"utf-8\"><title>巡察工作</title></head><body>\
                 <div>首页 &gt; 巡察工作</div><ul>{items}</ul><div>版权所有 某某市委巡察办</div></body></html>"
            )));
        }
        if path == OPEN {
            if switch.load(Ordering::SeqCst) {
                return Some(challenge("jsl_521"));
            }
            let text = open_notice();
            return Some(Answer::html(format!(
                "<html><head><meta charset=\"utf-8\"><title>{t}</title></head><body><div>首页 &gt; 巡察工作</div>\
                 <h1>{t}</h1><div class=\"content\">{}</div><div>版权所有 某某市委巡察办</div></body></html>",
                paragraphs(&text),
                t = title_of(&text)
            )));
        }
        CHALLENGED
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, label)| challenge(label))
    });
    let site = FixtureSite::start(routes).await;
    (site, challenge_all)
}
