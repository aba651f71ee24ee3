//! A test web site on loopback for the fetching tests: a feed whose version the test sets (with
//! an ETag, answering 304 to a request that has it), a robots.txt that forbids `/private/`, a
//! job page with JSON-LD, redirects to it and to a forbidden path, a path that answers 500 and
//! one that never answers. Every request is
//! recorded.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// A request the test site saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub at: Instant,
    pub user_agent: String,
    pub if_none_match: Option<String>,
    pub status: u16,
}

/// The test site's state: the feed's version and every request.
#[derive(Default)]
pub struct Site {
    pub version: Mutex<u32>,
    pub seen: Mutex<Vec<Seen>>,
}

impl Site {
    /// The requests for a path, in order.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
}

const FEED_V1: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Darbs</title>
<item><title>Darbs Vācijā</title><guid>item-a</guid><link>http://example.invalid/a</link>
<description>Darbs rūpnīcā Vācijā, valoda nav vajadzīga, dzīvoklis bez maksas. Raksti WhatsApp +371 2000 0001.</description></item>
<item><title>Pārdevējs</title><link>http://example.invalid/b</link>
<description>SIA Veikals meklē pārdevēju Rīgā, alga 1100 EUR mēnesī, darba līgums.</description></item>
</channel></rss>"#;

const FEED_V2: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Darbs</title>
<item><title>Pārdevējs</title><link>http://example.invalid/b</link>
<description>SIA Veikals meklē pārdevēju Rīgā, alga 1100 EUR mēnesī, darba līgums.</description></item>
<item><title>Работа в Польше</title>
<description>Склад в Польше, без опыта, жильё бесплатно. Пишите в Telegram @rabota_pl.</description></item>
</channel></rss>"#;

async fn record(State(site): State<Arc<Site>>, request: Request, status: u16) {
    let headers = request.headers();
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    site.seen.lock().expect("lock").push(Seen {
        path: request.uri().path().to_string(),
        at: Instant::now(),
        user_agent: text(header::USER_AGENT).unwrap_or_default(),
        if_none_match: text(header::IF_NONE_MATCH),
        status,
    });
}

async fn feed(State(site): State<Arc<Site>>, request: Request) -> Response {
    let version = *site.version.lock().expect("lock");
    let etag = format!("\"v{version}\"");
    let unchanged = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let status = if unchanged { 304 } else { 200 };
    record(State(site.clone()), request, status).await;
    if unchanged {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let body = if version == 1 { FEED_V1 } else { FEED_V2 };
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag.parse().expect("etag"));
    headers.insert(
        header::CONTENT_TYPE,
        "application/rss+xml; charset=utf-8".parse().expect("type"),
    );
    (headers, body).into_response()
}

async fn robots(State(site): State<Arc<Site>>, request: Request) -> &'static str {
    record(State(site), request, 200).await;
    "User-agent: *\nDisallow: /private/\n"
}

async fn private(State(site): State<Arc<Site>>, request: Request) -> &'static str {
    record(State(site), request, 200).await;
    FEED_V1
}

async fn failing(State(site): State<Arc<Site>>, request: Request) -> StatusCode {
    record(State(site), request, 500).await;
    StatusCode::INTERNAL_SERVER_ERROR
}

async fn hanging(State(site): State<Arc<Site>>, request: Request) -> &'static str {
    record(State(site), request, 0).await;
    tokio::time::sleep(Duration::from_secs(600)).await;
    FEED_V1
}

async fn job_page(State(site): State<Arc<Site>>, request: Request) -> Response {
    record(State(site), request, 200).await;
    let page = include_str!("fixtures/published/jobposting_hour_en.html");
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

async fn moved_to_private(State(site): State<Arc<Site>>, request: Request) -> Response {
    record(State(site), request, 301).await;
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, "/private/job.html")],
    )
        .into_response()
}

async fn moved_to_job(State(site): State<Arc<Site>>, request: Request) -> Response {
    record(State(site), request, 302).await;
    (StatusCode::FOUND, [(header::LOCATION, "/job.html")]).into_response()
}

/// Starts a test site on a loopback port of its own; returns its address.
pub fn start_site(site: Arc<Site>) -> String {
    let app = Router::new()
        .route("/feed.xml", get(feed))
        .route("/robots.txt", get(robots))
        .route("/private/feed.xml", get(private))
        .route("/fail.xml", get(failing))
        .route("/hang.xml", get(hanging))
        .route("/job.html", get(job_page))
        .route("/private/job.html", get(job_page))
        .route("/moved", get(moved_to_private))
        .route("/go", get(moved_to_job))
        .with_state(site);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    format!("http://{}", rx.recv().expect("site address"))
}
