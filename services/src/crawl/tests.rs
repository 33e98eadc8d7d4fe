use super::*;
use gazette_proto::pb::crawl_service_server::CrawlService as _;
use gazette_store::SledStore;
use gazette_store::prelude::*;
use tokio_stream::StreamExt as _;

/// The project's own demo notice, as a plain-text document.
const NOTICE: &str = include_str!("../../../src/demo/beihu-development-zone.txt");

struct Fixture {
    store: Arc<SledStore>,
    api: CrawlApi,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(SledStore::open(dir.path()).expect("open store"));
    let api = CrawlApi::new(Arc::clone(&store) as Arc<dyn Store>, None);
    Fixture {
        store,
        api,
        _dir: dir,
    }
}

fn ingest_request(uri: &str, content: String) -> pb::IngestDocumentRequest {
    pb::IngestDocumentRequest {
        uri: uri.into(),
        content: content.into_bytes(),
        content_type: "text/plain; charset=utf-8".into(),
    }
}

/// The demo notice and then many unrelated paragraphs: a document that takes a while to clean.
fn large_notice() -> String {
    let mut body = String::from(NOTICE);
    for n in 0..40_000 {
        body.push_str(&format!(
            "\n第{n}段：与整改无关的填充文字，只为让清洗多花些时间。"
        ));
    }
    body
}

#[test]
fn grpc_timeouts_parse_by_the_spec() {
    let deadline = |value: &str| {
        let mut metadata = tonic::metadata::MetadataMap::new();
        metadata.insert("grpc-timeout", value.parse().expect("ascii"));
        client_deadline(&metadata).map(|at| at - tokio::time::Instant::now())
    };
    let near = |d: Option<Duration>, want: Duration| {
        d.is_some_and(|d| d <= want && d + Duration::from_secs(1) > want)
    };
    assert!(near(deadline("2S"), Duration::from_secs(2)));
    assert!(near(deadline("1500m"), Duration::from_millis(1500)));
    assert!(near(deadline("3M"), Duration::from_secs(180)));
    for bad in ["", "S", "5", "123456789S", "5x", "-5S"] {
        assert_eq!(deadline(bad), None, "{bad:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ingestion_past_its_deadline_answers_at_once_and_stores_nothing() {
    let fx = fixture();
    let uri = "http://site.example/notices/large.html";
    let mut request = Request::new(ingest_request(uri, large_notice()));
    request
        .metadata_mut()
        .insert("grpc-timeout", "20m".parse().expect("ascii"));
    let status = fx
        .api
        .ingest_document(request)
        .await
        .expect_err("the parse outlives the deadline");
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    // The parse ran on to its end off-thread; once it has, nothing of it may be stored.
    fx.api.idle().await;
    assert!(fx.store.page(uri).expect("read").is_none(), "page stored");
    assert_eq!(fx.store.page_count().expect("count"), 0);
    assert!(
        fx.store.changes_after(None, 10).expect("log").is_empty(),
        "a notice was stored"
    );
    // The same document with time enough is stored, with its notice.
    let response = fx
        .api
        .ingest_document(Request::new(ingest_request(uri, large_notice())))
        .await
        .expect("in time")
        .into_inner();
    assert_eq!(response.notices.len(), 1, "{response:?}");
    assert!(fx.store.page(uri).expect("read").is_some());
}

#[tokio::test]
async fn ingestion_and_reparse_share_one_path() {
    let fx = fixture();
    let uri = "http://site.example/notices/1.html";
    let response = fx
        .api
        .ingest_document(Request::new(ingest_request(uri, NOTICE.into())))
        .await
        .expect("ingested")
        .into_inner();
    assert_eq!(response.notices.len(), 1);
    let page = fx.store.page(uri).expect("read").expect("stored");
    assert!(
        page.body_stored,
        "the pushed bytes are kept, as a crawled page's are"
    );
    // A page whose error an older parser left behind: reparsing through the pipeline
    // replaces it.
    let mut stale = page;
    stale.error = Some(gazette_pipeline::NO_NOTICE.into());
    gazette_store::record_page(&*fx.store, stale, Vec::new()).expect("write");
    let mut stream = fx
        .api
        .reparse_all(Request::new(pb::ReparseAllRequest::default()))
        .await
        .expect("stream")
        .into_inner();
    let mut last = None;
    while let Some(message) = stream.next().await {
        last = Some(message.expect("progress"));
    }
    let last = last.expect("one message");
    assert_eq!((last.pages_done, last.notices_written), (1, 1));
    let page = fx.store.page(uri).expect("read").expect("stored");
    assert_eq!(page.error, None);
}

#[tokio::test]
async fn reparse_all_stops_at_shutdown_before_writing() {
    let Fixture { store, api, _dir } = fixture();
    let shutdown = CancellationToken::new();
    let api = api.with_shutdown(shutdown.clone());
    let uri = "http://site.example/notices/2.html";
    let write = gazette_pipeline::prepare(
        Document {
            url: uri.into(),
            final_url: uri.into(),
            body: NOTICE.into(),
            ..Document::default()
        },
        &Reading::default(),
    );
    let mut stale = write.page;
    stale.error = Some(gazette_pipeline::NO_NOTICE.into());
    gazette_store::record_page(&*store, stale, Vec::new()).expect("write");
    shutdown.cancel();
    let mut stream = api
        .reparse_all(Request::new(pb::ReparseAllRequest::default()))
        .await
        .expect("stream")
        .into_inner();
    let status = stream
        .next()
        .await
        .expect("one message")
        .expect_err("stopped");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    assert!(stream.next().await.is_none(), "nothing after the stop");
    api.idle().await;
    let page = store.page(uri).expect("read").expect("stored");
    assert_eq!(
        page.error.as_deref(),
        Some(gazette_pipeline::NO_NOTICE),
        "a page was rewritten after shutdown"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reparse_all_stops_mid_run_at_shutdown() {
    let Fixture { store, api, _dir } = fixture();
    let shutdown = CancellationToken::new();
    let api = api.with_shutdown(shutdown.clone());
    let template = gazette_pipeline::prepare(
        Document {
            body: NOTICE.into(),
            ..Document::default()
        },
        &Reading::default(),
    )
    .page;
    // Eleven batches of pages, each with a stale error that a reparse clears.
    let pages = 10 * REPARSE_BATCH + 50;
    let url = |n: usize| format!("http://site.example/n/{n:05}.html");
    for n in 0..pages {
        let mut page = template.clone();
        page.url = url(n);
        page.final_url = url(n);
        page.error = Some(gazette_pipeline::NO_NOTICE.into());
        gazette_store::record_page(&*store, page, Vec::new()).expect("write");
    }
    let mut stream = api
        .reparse_all(Request::new(pb::ReparseAllRequest::default()))
        .await
        .expect("stream")
        .into_inner();
    // After the first message, read before shutdown, the unread stream holds eight more and
    // the tenth waits: the eleventh batch cannot have begun when shutdown comes.
    let first = stream.next().await.expect("a message").expect("progress");
    assert_eq!(first.pages_done, count(REPARSE_BATCH));
    shutdown.cancel();
    let mut progress = vec![first.pages_done];
    let status = loop {
        match stream.next().await.expect("the stream ends with an error") {
            Ok(message) => progress.push(message.pages_done),
            Err(status) => break status,
        }
    };
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    assert!(stream.next().await.is_none(), "nothing after the stop");
    assert!(progress.len() <= 9, "{progress:?}");
    api.idle().await;
    let last = store.page(&url(pages - 1)).expect("read").expect("stored");
    assert_eq!(
        last.error.as_deref(),
        Some(gazette_pipeline::NO_NOTICE),
        "the last batch ran after shutdown"
    );
}
