use super::*;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The project's own demo notice, as a plain-text document.
const NOTICE: &str = include_str!("../../src/demo/yunshan-bureau.txt");

fn document(body: impl Into<Vec<u8>>) -> Document {
    Document {
        url: "http://site.example/a/1.html".into(),
        final_url: "http://site.example/a/1.html".into(),
        status: 200,
        content_type: Some("text/plain; charset=utf-8".into()),
        fetched_at_ms: 7,
        body: body.into(),
        ..Document::default()
    }
}

/// The demo notice followed by enough unrelated paragraphs to make cleaning take a while.
fn large_document() -> Document {
    let mut body = String::from(NOTICE);
    for n in 0..40_000 {
        body.push_str(&format!(
            "\n第{n}段：这一段只是凑数的文字，与整改无关，也不会被解析。"
        ));
    }
    document(body)
}

#[test]
fn a_notice_document_keeps_its_bytes_and_notices() {
    let write = prepare(document(NOTICE), &Reading::default());
    assert!(matches!(Parsed::of(&write), Parsed::Notices(n) if n > 0));
    assert_eq!(write.page.error, None);
    assert_eq!(write.raw.as_deref(), Some(NOTICE.as_bytes()));
    assert_eq!(
        write.page.content_sha256,
        identity::content_sha256(NOTICE.as_bytes())
    );
    assert_eq!(write.page.fetched_at_ms, 7);
}

#[test]
fn a_page_without_a_notice_or_text_is_kept_with_its_error() {
    let plain = prepare(document("今天天气晴，适合出游。"), &Reading::default());
    assert_eq!(Parsed::of(&plain), Parsed::NoNotice);
    assert_eq!(plain.page.error.as_deref(), Some(NO_NOTICE));
    let empty = prepare(document(Vec::new()), &Reading::default());
    assert_eq!(Parsed::of(&empty), Parsed::CleanError);
    assert!(empty.page.error.is_some());
    assert!(
        empty.raw.is_some(),
        "the bytes are kept even when they do not clean"
    );
}

#[test]
fn reparse_replaces_a_stale_error() {
    let mut page = prepare(document(NOTICE), &Reading::default()).page;
    page.error = Some(NO_NOTICE.into());
    let again = reparse(page, &NoticeParser::new()).expect("the page cleaned");
    assert_eq!(
        again.page.error, None,
        "the error of an older parser is gone"
    );
    assert!(!again.notices.is_empty());
    assert!(again.raw.is_none(), "reparsing rewrites no body");
    let unclean = PageRecord {
        error: Some("not a document".into()),
        ..PageRecord::default()
    };
    assert!(reparse(unclean, &NoticeParser::new()).is_none());
}

#[tokio::test]
async fn without_a_deadline_the_page_is_written() {
    let tasks = TaskTracker::new();
    let parsed = write_within(
        &tasks,
        document(NOTICE),
        Reading::default(),
        None,
        |write| Parsed::of(&write),
    )
    .await
    .expect("written");
    assert!(matches!(parsed, Parsed::Notices(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parse_past_its_deadline_is_abandoned_and_writes_nothing() {
    let tasks = TaskTracker::new();
    let written = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&written);
    let deadline = Instant::now() + Duration::from_millis(20);
    let result = write_within(
        &tasks,
        large_document(),
        Reading::default(),
        Some(deadline),
        move |_| flag.store(true, Ordering::SeqCst),
    )
    .await;
    assert!(matches!(result, Err(PipelineError::DeadlineExceeded)));
    assert!(
        !tasks.is_empty(),
        "the answer came at the deadline, before the parse ended"
    );
    tasks.close();
    tasks.wait().await;
    assert!(
        !written.load(Ordering::SeqCst),
        "an abandoned parse stored something"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_goes_away_abandons_the_write() {
    let tasks = TaskTracker::new();
    let written = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&written);
    let job = write_within(
        &tasks,
        large_document(),
        Reading::default(),
        None,
        move |_| flag.store(true, Ordering::SeqCst),
    );
    // The transport's timer drops the handler's future, as tonic does at a deadline.
    assert!(
        tokio::time::timeout(Duration::from_millis(20), job)
            .await
            .is_err()
    );
    tasks.close();
    tasks.wait().await;
    assert!(
        !written.load(Ordering::SeqCst),
        "a dropped call stored something"
    );
}

#[test]
fn an_article_that_only_announces_its_attachment_keeps_no_hollow_notice() {
    let title = NOTICE.lines().next().unwrap_or_default();
    let announcement = format!(
        "<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\
         <div class=\"nav\">首页 政务公开</div><h1>{title}</h1>\
         <div class=\"content\"><p>现将整改进展情况通报全文予以公布，详见附件。</p>\
         <p>附件：<a href=\"./P0202403080420.pdf\">{title}.pdf</a></p></div></body></html>"
    );
    let mut doc = document(announcement.clone());
    doc.content_type = Some("text/html; charset=utf-8".into());
    let write = prepare(doc, &Reading::default());
    assert!(write.notices.is_empty(), "{:?}", write.notices);
    assert_eq!(write.page.error.as_deref(), Some(ANNOUNCES_ATTACHMENT));
    // Parsed again, it stays without one.
    let again = reparse(write.page, &NoticeParser::new()).expect("the page cleaned");
    assert!(again.notices.is_empty());
    // The same announcement without an attachment is a (thin) notice of its own, and a page
    // with an attachment and a real notice keeps its notice.
    let bare = announcement.replace("<p>附件：", "<p>").replace(".pdf", "");
    let mut doc = document(bare.replace("<a href=\"./P0202403080420\">", "<a href=\"/\">"));
    doc.content_type = Some("text/html; charset=utf-8".into());
    assert!(!prepare(doc, &Reading::default()).notices.is_empty());
    let paragraphs: String = NOTICE
        .lines()
        .skip(1)
        .map(|l| format!("<p>{l}</p>"))
        .collect();
    let full = announcement.replace(
        "<p>现将整改进展情况通报全文予以公布，详见附件。</p>",
        &paragraphs,
    );
    let mut doc = document(full);
    doc.content_type = Some("text/html; charset=utf-8".into());
    let write = prepare(doc, &Reading::default());
    assert!(!write.notices.is_empty());
    assert_eq!(write.page.error, None);
}

#[test]
fn pdf_and_docx_documents_are_parsed_from_their_text_and_keep_their_bytes() {
    let lines: Vec<&str> = NOTICE.lines().collect();
    let pdf = crate::document_text::tests::cjk_pdf(&lines, true);
    let docx = crate::document_text::tests::docx(&lines);
    for (bytes, content_type) in [(pdf, "application/pdf"), (docx, "application/octet-stream")] {
        let mut doc = document(bytes.clone());
        doc.content_type = Some(content_type.into());
        let write = prepare(doc, &Reading::default());
        assert!(
            matches!(Parsed::of(&write), Parsed::Notices(1)),
            "{:?}",
            write.page.error
        );
        assert_eq!(write.page.content_type.as_deref(), Some(content_type));
        assert_eq!(write.raw.as_deref(), Some(bytes.as_slice()));
        assert_eq!(write.page.content_sha256, identity::content_sha256(&bytes));
        assert!(!write.notices[0].issues.is_empty());
    }
    // A damaged PDF is kept with the reason, a DOC with the cleaner's unsupported_format.
    let mut cut = crate::document_text::tests::cjk_pdf(&lines, false);
    cut.truncate(20);
    let damaged = prepare(document(cut), &Reading::default());
    assert!(damaged.notices.is_empty() && damaged.page.error.is_some());
    let ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];
    let doc = prepare(document(ole2.to_vec()), &Reading::default());
    let error = doc.page.error.unwrap_or_default();
    assert!(error.starts_with("unsupported_format"), "{error}");
    assert!(doc.raw.is_some());
}
