//! The handlers. Each checks its scope and the rate limit first, reads its body with a size
//! limit, and answers JSON; bad input is a 4xx with a message, never a panic or a 500.

use std::io::Read;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::auth::{Access, Scope};
use super::{ApiError, AppState, load_engine};
use crate::advert::{Advert, Lang};
use crate::ingest::{self, DefaultId, Format, IngestError};
use crate::report::Explain;
use crate::store::review::{MAX_NOTE_CHARS, Review, Status};
use crate::store::{SearchRequest, StoredAdvert, contacts_of};

type AppResult<T> = Result<T, ApiError>;

/// Most adverts listed by the contacts route (newest first; `total` counts all).
const MAX_LINKED: usize = 1000;
/// Longest advert id accepted (the index cannot hold a term much longer).
const MAX_ID: usize = 512;

/// Adverts screened per batch handed to the writer while a stream is read.
const CHUNK: usize = 1000;

/// Checks the key for a scope, then the rate limit of the key (or of the client address).
/// Checks the key and the rate limit for `scope`; the id of the key used, if any.
fn guard(
    state: &AppState,
    headers: &HeaderMap,
    client: SocketAddr,
    scope: Scope,
) -> AppResult<Option<String>> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
        .map(str::trim);
    // An address that has sent too many wrong keys has none checked until its window passes.
    if key.is_some() {
        if let Some(wait) = state.failures.blocked(client.ip()) {
            return Err(ApiError::RateLimited {
                retry_after: wait.as_secs() + 1,
            });
        }
    }
    let key_id = match state.keys.check(key, scope) {
        Access::Allowed(id) => id,
        Access::Missing => return Err(ApiError::MissingKey),
        Access::Invalid => {
            state.failures.record(client.ip());
            return Err(ApiError::InvalidKey);
        }
        Access::Forbidden(_) => return Err(ApiError::Forbidden(scope.as_str())),
    };
    let who = match &key_id {
        Some(id) => format!("key:{id}"),
        None => format!("ip:{}", client.ip()),
    };
    if let Some(limiter) = &state.limiter {
        if let Err(not_until) = limiter.check_key(&who) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Err(ApiError::RateLimited {
                retry_after: wait.as_secs() + 1,
            });
        }
    }
    Ok(key_id)
}

/// Runs CPU-bound work (screening, searching) at most one task per core at a time: under load
/// requests queue in order instead of all slowing each other down. Work that takes up to a few
/// milliseconds runs in place, on the async thread that received the request: handing it to
/// another thread and back cost more than a typical screen (measured: `/v1/screen` served 1.5-2
/// times the requests in place, search about 1.3 times at 64 connections). Work that may take
/// longer is marked `long` and goes to the blocking pool. A panic is an error either way.
async fn on_cpu<T: Send + 'static>(
    state: &Arc<AppState>,
    long: bool,
    work: impl FnOnce(&AppState) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let _permit = state
        .cpu
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if long {
        let worker = state.clone();
        return tokio::task::spawn_blocking(move || work(&worker))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(state)))
        .map_err(|_| ApiError::Internal("a request's work failed".into()))?
}

/// Adverts larger than this are screened on the blocking pool (see [`on_cpu`]): a typical advert
/// of a few hundred bytes takes about a tenth of a millisecond, one of 4 KB about one.
const INLINE_BYTES: usize = 4 * 1024;

/// A stable id from an advert's content, for adverts sent without one: re-sending the same
/// advert then updates it instead of duplicating it.
pub(super) fn content_id(a: &Advert) -> String {
    let mut sha = Sha256::new();
    for part in [&a.title, &a.text, a.source.as_deref().unwrap_or("")] {
        sha.update(part.as_bytes());
        sha.update([0]);
    }
    let hex: String = sha.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("h{hex}")
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

const BODY_HINT: &str = "Send a smaller body: one advert per request to /v1/screen, or many adverts as an NDJSON stream (Content-Type: application/x-ndjson) to /v1/adverts; or raise limits.body_bytes.";

/// Reads a whole body, refusing it as soon as it passes `limit` bytes.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> AppResult<Vec<u8>> {
    let too_large = ApiError::TooLarge {
        limit: limit as u64,
        hint: BODY_HINT,
    };
    if declared_length(headers).is_some_and(|n| n > limit as u64) {
        return Err(too_large);
    }
    let mut out = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream
        .try_next()
        .await
        .map_err(|e| ApiError::BadRequest(format!("reading the body failed: {e}")))?
    {
        if out.len() + chunk.len() > limit {
            return Err(too_large);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn record_error(e: &IngestError) -> RecordError {
    RecordError {
        line: e.line(),
        error: e.to_string(),
    }
}

/// The query of `POST /v1/screen`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScreenQuery {
    /// `none` (default), `lv`, `en`, `ru` or `all`.
    #[serde(default)]
    explain: Option<String>,
}

/// `POST /v1/screen`: one advert in (JSON object, or plain text), its result out, with as much
/// explanation as `?explain=` asks for.
pub(super) async fn screen(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: Result<Query<ScreenQuery>, QueryRejection>,
    body: Body,
) -> AppResult<Response> {
    guard(&state, &headers, client, Scope::Screen)?;
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let explain = match query.explain.as_deref() {
        None => Explain::default(),
        Some(e) => Explain::parse(e).ok_or_else(|| {
            ApiError::BadRequest(format!("explain {e:?} is not none, lv, en, ru or all"))
        })?,
    };
    let bytes = read_body(&headers, body, state.config.limits.body_bytes).await?;
    let format = match content_type(&headers).as_str() {
        "text/plain" => Format::Text,
        "application/json" | "" => Format::Json,
        other => published_format(other).ok_or_else(|| ApiError::UnsupportedType(other.into()))?,
    };
    let report = on_cpu(&state, bytes.len() > INLINE_BYTES, move |state2| {
        let mut records = Vec::new();
        ingest::read_with(
            bytes.as_slice(),
            format,
            DefaultId::Computed(&content_id),
            |r| records.push(r),
        )
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        if records.len() != 1 {
            return Err(ApiError::BadRequest(format!(
                "send exactly one advert (got {}); send many to /v1/adverts",
                records.len()
            )));
        }
        let advert = match records.pop() {
            Some(Ok(a)) => a,
            Some(Err(e)) => return Err(ApiError::BadRequest(e.to_string())),
            None => return Err(ApiError::BadRequest("no advert in the body".into())),
        };
        let report = state2.engine.load().screen(&advert);
        state2.metrics.screened(&report);
        Ok(report)
    })
    .await?;
    Ok(Json(report.written(explain, true)).into_response())
}

/// One advert's outcome in an ingest response.
#[derive(Debug, Serialize)]
struct Stored {
    #[serde(flatten)]
    ack: crate::store::Ack,
    status: &'static str,
}

/// A record that could not be read.
#[derive(Debug, Serialize)]
struct RecordError {
    line: Option<usize>,
    error: String,
}

#[derive(Debug, Serialize)]
struct IngestResponse {
    stored: usize,
    failed: usize,
    /// Every stored advert (an advert is listed only once it is durable).
    adverts: Vec<Stored>,
    errors: Vec<RecordError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stopped: Option<String>,
}

/// A reader that fails once more than `limit` bytes came through, or once the request it
/// belongs to is gone (timed out or disconnected).
struct Capped<R> {
    inner: R,
    left: u64,
    cancelled: Arc<AtomicBool>,
}

/// Marks a request's blocking work as cancelled when the request's future is dropped.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "the request was cancelled",
            ));
        }
        let n = self.inner.read(buf)?;
        self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                "stream over the size limit",
            )
        })?;
        Ok(n)
    }
}

/// The formats adverts are published in, by media type: a web page, a feed.
fn published_format(media_type: &str) -> Option<Format> {
    match media_type {
        "text/html" | "application/xhtml+xml" => Some(Format::Html),
        "application/rss+xml" | "application/atom+xml" | "application/xml" | "text/xml" => {
            Some(Format::Rss)
        }
        _ => None,
    }
}

/// `POST /v1/adverts`: one advert or a JSON array (`application/json`), or an NDJSON stream
/// (`application/x-ndjson`), read and screened as it arrives and stored in batches. Answers once
/// every stored advert is durable.
pub(super) async fn ingest(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Response> {
    guard(&state, &headers, client, Scope::Write)?;
    state.store()?;
    let limits = &state.config.limits;
    let format = match content_type(&headers).as_str() {
        "application/x-ndjson"
        | "application/ndjson"
        | "application/jsonl"
        | "application/x-jsonlines"
        | "application/jsonlines" => Format::Ndjson,
        "application/json" | "" => Format::Json,
        other => published_format(other).ok_or_else(|| ApiError::UnsupportedType(other.into()))?,
    };
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancelled.clone());
    let reader: Box<dyn Read + Send> = if format != Format::Ndjson {
        Box::new(std::io::Cursor::new(
            read_body(&headers, body, limits.body_bytes).await?,
        ))
    } else {
        if declared_length(&headers).is_some_and(|n| n > limits.stream_bytes) {
            return Err(ApiError::TooLarge {
                limit: limits.stream_bytes,
                hint: "Split the stream into several requests, or raise limits.stream_bytes.",
            });
        }
        let stream = body
            .into_data_stream()
            .map_err(|e| std::io::Error::other(e.to_string()));
        let bridge = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
        Box::new(Capped {
            inner: bridge,
            left: limits.stream_bytes,
            cancelled: cancelled.clone(),
        })
    };
    let runtime = tokio::runtime::Handle::current();
    let worker = state.clone();
    let (pending, errors, stopped) = tokio::task::spawn_blocking(move || {
        let store = worker.store()?;
        let engine = worker.engine.load_full();
        let mut pending = Vec::new();
        let mut errors = Vec::new();
        let mut chunk: Vec<Advert> = Vec::with_capacity(CHUNK);
        let mut failure: Option<ApiError> = None;
        let flush = |chunk: Vec<Advert>, pending: &mut Vec<crate::store::Pending>| {
            let screened = screen_all(&engine, chunk)?;
            for (_, report) in &screened {
                worker.metrics.screened(report);
            }
            pending.push(runtime.block_on(store.submit(screened))?);
            Ok::<_, ApiError>(())
        };
        let read = ingest::read_with(reader, format, DefaultId::Computed(&content_id), |record| {
            if failure.is_some() || cancelled.load(Ordering::Relaxed) {
                return;
            }
            match record {
                Ok(advert) if advert.id.len() > MAX_ID => errors.push(RecordError {
                    line: None,
                    error: format!(
                        "advert id of {} bytes is longer than {MAX_ID}: {}…",
                        advert.id.len(),
                        advert.id.chars().take(40).collect::<String>()
                    ),
                }),
                Ok(advert) => {
                    chunk.push(advert);
                    if chunk.len() == CHUNK {
                        let batch = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                        if let Err(e) = flush(batch, &mut pending) {
                            failure = Some(e);
                        }
                    }
                }
                Err(e) => errors.push(record_error(&e)),
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let stopped = match read {
            Ok(()) => None,
            Err(e) if format == Format::Json => Some(format!("the body is not usable JSON: {e}")),
            Err(e) if format != Format::Ndjson => Some(format!(
                "the body is not usable as {}: {e}",
                format.describe()
            )),
            Err(e) => Some(format!(
                "reading the stream stopped; nothing after this was read: {e}"
            )),
        };
        if !chunk.is_empty() {
            flush(chunk, &mut pending)?;
        }
        Ok::<_, ApiError>((pending, errors, stopped))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let mut adverts = Vec::new();
    for p in pending {
        adverts.extend(p.wait().await?.into_iter().map(|ack| Stored {
            ack,
            status: "stored",
        }));
    }
    state.metrics.stored(adverts.len() as u64);
    let too_large = stopped
        .as_deref()
        .is_some_and(|s| s.contains("over the size limit"));
    let status = if too_large {
        StatusCode::PAYLOAD_TOO_LARGE
    } else if adverts.is_empty() && (!errors.is_empty() || stopped.is_some()) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let response = IngestResponse {
        stored: adverts.len(),
        failed: errors.len(),
        adverts,
        errors,
        stopped,
    };
    Ok((status, Json(response)).into_response())
}

/// Screens adverts on every core (order kept): screening is the costly part of ingest. The
/// threads are rayon's, kept for the life of the server, so each keeps its regex caches warm
/// from one chunk to the next (fresh threads per chunk started from cold caches).
pub(super) fn screen_all(
    engine: &crate::engine::Engine,
    adverts: Vec<Advert>,
) -> AppResult<Vec<(Advert, crate::report::Report)>> {
    use rayon::prelude::*;
    let screen = || {
        adverts
            .into_par_iter()
            .map(|a| {
                let r = engine.screen(&a);
                (a, r)
            })
            .collect()
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(screen))
        .map_err(|_| ApiError::Internal("a screening thread failed".into()))
}

/// A stored advert as the API gives it: with its review and the history of decisions.
#[derive(Debug, Serialize)]
pub(super) struct AdvertView {
    #[serde(flatten)]
    stored: StoredAdvert,
    review: Review,
    review_history: Vec<Review>,
    /// The adverts of its near-duplicate group (reposts), itself included, newest first.
    group_members: Vec<crate::store::Hit>,
    /// How many adverts the group has (more than listed when it is large).
    group_size: usize,
}

/// Most members of a repost group an advert view lists.
const GROUP_LISTED: usize = 50;

/// `GET /v1/adverts/{id}`.
pub(super) async fn advert(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Json<AdvertView>> {
    guard(&state, &headers, client, Scope::Read)?;
    let Path(id) = path.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let found = on_cpu(&state, false, move |w| {
        let store = w.store()?;
        let found = store.get(&id).map_err(ApiError::from)?;
        Ok((
            id,
            match found {
                None => None,
                Some(stored) => {
                    let review_history = store.reviews().history(&stored.advert.id);
                    let (group_size, group_members) =
                        store.group_members(&stored.group, GROUP_LISTED)?;
                    Some(AdvertView {
                        review: review_history.last().cloned().unwrap_or_default(),
                        review_history,
                        group_members,
                        group_size,
                        stored,
                    })
                }
            },
        ))
    })
    .await?;
    match found {
        (_, Some(s)) => Ok(Json(s)),
        (id, None) => Err(ApiError::NotFound(format!("no advert with id {id:?}"))),
    }
}

/// The body of `POST /v1/adverts/{id}/review`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReviewRequest {
    status: String,
    #[serde(default)]
    note: String,
}

/// `POST /v1/adverts/{id}/review`: records a decision on a stored advert (scope `write`) and
/// answers once it is on disk, with the advert's review and its history.
pub(super) async fn review(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<ReviewRequest>, axum::extract::rejection::JsonRejection>,
) -> AppResult<Response> {
    let key = guard(&state, &headers, client, Scope::Write)?;
    let Path(id) = path.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let Json(request) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let status = Status::parse(&request.status).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "status {:?} is not one of new, reviewed, false_alarm, confirmed, referred",
            request.status
        ))
    })?;
    let note = request.note.trim().to_string();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::BadRequest(format!(
            "the note is longer than {MAX_NOTE_CHARS} characters"
        )));
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::BadRequest(
            "the note has a control character".into(),
        ));
    }
    let by = match key {
        Some(id) => state.keys.name_of(&id),
        None => format!("{}", client.ip()),
    };
    let worker = state.clone();
    let answer = tokio::task::spawn_blocking(move || -> AppResult<serde_json::Value> {
        let store = worker.store()?;
        if store.get(&id)?.is_none() {
            return Err(ApiError::NotFound(format!("no advert with id {id:?}")));
        }
        let at = time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default();
        let history = store.reviews().record(
            &id,
            Review {
                status,
                note,
                by,
                at,
            },
        )?;
        Ok(serde_json::json!({
            "id": id,
            "review": history.last(),
            "review_history": history,
        }))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(answer).into_response())
}

/// A search as the query string gives it, checked, with the contacts its words stand for.
fn search_request(
    state: &AppState,
    query: Result<Query<SearchRequest>, QueryRejection>,
) -> AppResult<SearchRequest> {
    let Query(mut request) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(q) = &request.q {
        crate::store::check_query(q.trim()).map_err(ApiError::from)?;
    }
    request.contacts = contacts_in_query(state, request.q.as_deref());
    Ok(request)
}

/// `GET /v1/search`.
pub(super) async fn search(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: Result<Query<SearchRequest>, QueryRejection>,
) -> AppResult<Response> {
    guard(&state, &headers, client, Scope::Read)?;
    let request = search_request(&state, query)?;
    let secs = state.config.limits.request_timeout_secs;
    let now = std::time::Instant::now();
    let deadline = now
        .checked_add(std::time::Duration::from_secs(secs))
        .unwrap_or(now + std::time::Duration::from_secs(24 * 3600));
    // Searches take permits of their own, fewer than there are cores, and run on the blocking
    // pool: however many arrive at once, a core stays free for screening and health checks. The
    // permit goes with the work, so a client that disconnects does not free it early.
    let permit = state
        .searches
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let worker = state.clone();
    let response = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        worker
            .store()?
            .search_until(&request, deadline)
            .map_err(|e| match e {
                crate::store::StoreError::TimedOut => ApiError::Timeout(secs),
                other => ApiError::from(other),
            })
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok(Json(response).into_response())
}

/// The query of `GET /report`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReportQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// `GET /report?from=&to=&lang=`: the overview report of the stored adverts as an HTML page
/// (scope `read`).
pub(super) async fn report(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> AppResult<Response> {
    guard(&state, &headers, client, Scope::Read)?;
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let lang = match q.lang.as_deref() {
        None | Some("") => Lang::Lv,
        Some(l) => Lang::parse(l)
            .ok_or_else(|| ApiError::BadRequest(format!("lang {l:?} is not lv, en or ru")))?,
    };
    for (name, day) in [("from", &q.from), ("to", &q.to)] {
        if let Some(day) = day.as_deref().filter(|d| !d.trim().is_empty()) {
            crate::store::parse_date(day)
                .map_err(|e| ApiError::BadRequest(format!("{name}: {e}")))?;
        }
    }
    let from = q.from.filter(|d| !d.trim().is_empty());
    let to = q.to.filter(|d| !d.trim().is_empty());
    let worker = state.clone();
    let html = tokio::task::spawn_blocking(move || -> AppResult<String> {
        let store = worker.store()?;
        let adverts = store.all()?;
        let overview = crate::overview::Overview::of(
            &adverts,
            &|id| store.reviews().current(id),
            from.as_deref(),
            to.as_deref(),
        );
        Ok(overview.html(lang, worker.engine.load().rules().indicators()))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Nothing but the page's own styles: no script, no address outside it.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ],
        html,
    )
        .into_response())
}

/// Most rows `GET /v1/export.csv` writes: a larger export is refused with a request to narrow
/// the search (it is built in memory).
const EXPORT_ROWS: usize = 50_000;

/// `GET /v1/export.csv`: every advert a search finds (the query of `GET /v1/search`; paging
/// ignored) as CSV for a spreadsheet (`output::sheet`), signs named in the language of
/// `Accept-Language` (lv, ru, else en).
pub(super) async fn export_csv(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: Result<Query<SearchRequest>, QueryRejection>,
) -> AppResult<Response> {
    guard(&state, &headers, client, Scope::Read)?;
    let mut request = search_request(&state, query)?;
    let lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split([',', ';', '-']).next())
        .and_then(Lang::parse)
        .unwrap_or(Lang::En);
    let permit = state
        .searches
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let worker = state.clone();
    let (rows, bytes) = tokio::task::spawn_blocking(move || -> AppResult<(usize, Vec<u8>)> {
        let _permit = permit;
        let store = worker.store()?;
        let engine = worker.engine.load();
        let name = |id: &str| {
            engine
                .rules()
                .indicators()
                .iter()
                .find(|i| i.id == id)
                .map_or_else(|| id.to_string(), |i| i.name.get(lang).to_string())
        };
        let mut out = crate::output::sheet::BOM.as_bytes().to_vec();
        out.extend(
            crate::output::sheet::line(&crate::output::sheet::HEADER)
                .map_err(|e| ApiError::Internal(e.to_string()))?,
        );
        // The search's largest page.
        let limit = 200;
        let mut offset = 0;
        let mut rows = 0;
        loop {
            request.offset = Some(offset);
            request.limit = Some(limit);
            let page = store.search(&request)?;
            if page.total > EXPORT_ROWS {
                return Err(ApiError::BadRequest(format!(
                    "the search finds {} adverts and an export takes at most {EXPORT_ROWS}: narrow it (level, dates, source)",
                    page.total
                )));
            }
            for hit in &page.hits {
                if let Some(stored) = store.get(&hit.id)? {
                    let cells = crate::output::sheet::row(
                        &stored.advert,
                        &stored.report,
                        Some(&stored.stored_at),
                        &name,
                    );
                    out.extend(
                        crate::output::sheet::line(&cells)
                            .map_err(|e| ApiError::Internal(e.to_string()))?,
                    );
                    rows += 1;
                }
            }
            if page.hits.len() < limit {
                break;
            }
            offset += limit;
        }
        Ok((rows, out))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))??;
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"adscreen-export.csv\"",
            ),
        ],
        bytes,
    )
        .into_response();
    response
        .headers_mut()
        .insert("x-adscreen-rows", header::HeaderValue::from(rows));
    Ok(response)
}

#[derive(Serialize)]
pub(super) struct ContactAdverts {
    contact: String,
    total: usize,
    adverts: Vec<crate::store::Hit>,
}

/// The contact keys a search's words stand for, when they are one phone number (in any written
/// form: `20004417`, `+371 2000 4417`, `2000-4417`), one e-mail or one `@handle`.
fn contacts_in_query(state: &AppState, q: Option<&str>) -> Vec<String> {
    let Some(q) = q.map(str::trim).filter(|q| !q.is_empty() && q.len() <= 120) else {
        return Vec::new();
    };
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let phone = digits >= 6
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let address = !q.contains(char::is_whitespace) && q.contains('@');
    if phone || address {
        vec![contact_key(state, q)]
    } else {
        Vec::new()
    }
}

/// The contact key of what a user typed: a phone number in any format, an e-mail or a handle.
fn contact_key(state: &AppState, value: &str) -> String {
    let probe = Advert {
        id: "contact".into(),
        text: value.to_string(),
        ..Advert::default()
    };
    let report = state.engine.load().screen(&probe);
    if let Some(c) = contacts_of(&report.entities).into_iter().next() {
        return c.key;
    }
    let v = value.trim().to_lowercase();
    if v.contains('@') && v.contains('.') && !v.starts_with('@') {
        format!("email:{v}")
    } else {
        format!("handle:{}", v.trim_start_matches('@'))
    }
}

/// `GET /v1/contacts/{value}/adverts`: every stored advert with this phone, e-mail or handle.
pub(super) async fn contact_adverts(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> AppResult<Json<ContactAdverts>> {
    guard(&state, &headers, client, Scope::Read)?;
    let Path(value) = path.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if value.trim().is_empty() || value.len() > 256 {
        return Err(ApiError::BadRequest(
            "give a phone number, e-mail or handle of at most 256 bytes".into(),
        ));
    }
    let answer = on_cpu(&state, false, move |worker| {
        let key = contact_key(worker, &value);
        let (total, adverts) = worker.store()?.with_contact(&key, MAX_LINKED)?;
        Ok::<_, ApiError>(ContactAdverts {
            contact: key,
            total,
            adverts,
        })
    })
    .await?;
    Ok(Json(answer))
}

/// `GET /v1/indicators`: names, references, advice, help-lines and every rule's explanation.
pub(super) async fn indicators(State(state): State<Arc<AppState>>) -> Response {
    let engine = state.engine.load();
    Json(serde_json::json!({
        "indicators": engine.rules().indicators(),
        "rules": engine.rules().explanations(),
        "help": engine.rules().help(),
    }))
    .into_response()
}

/// `POST /v1/admin/reload`: new rules and model, or a 422 and the old ones stay.
pub(super) async fn reload(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> AppResult<Response> {
    guard(&state, &headers, client, Scope::Admin)?;
    let _one_at_a_time = state.reload.lock().await;
    let worker = state.clone();
    let engine = tokio::task::spawn_blocking(move || load_engine(&worker.config))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| {
            tracing::warn!(error = %e, "reload refused");
            ApiError::Reload(e)
        })?;
    let answer = serde_json::json!({
        "reloaded": true,
        "rules": engine.rules().rules().len(),
        "rules_hash": engine.rules().hash(),
        "model": engine.model().is_some(),
    });
    state.engine.store(Arc::new(engine));
    tracing::info!("rules and model reloaded");
    Ok(Json(answer).into_response())
}

/// `GET /healthz`: the process answers.
pub(super) async fn healthz() -> Response {
    Json(serde_json::json!({"status": "ok"})).into_response()
}

/// `GET /readyz`: the index is open and requests can be served.
pub(super) async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.store.get() {
        Some(store) => {
            Json(serde_json::json!({"status": "ready", "adverts": store.len()})).into_response()
        }
        None => ApiError::NotReady.into_response(),
    }
}

/// `GET /metrics`: Prometheus text format.
pub(super) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// The OpenAPI document of this API.
pub(super) const OPENAPI: &str = include_str!("openapi.json");

/// `GET /openapi.json`.
pub(super) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

pub(super) async fn not_found() -> ApiError {
    ApiError::NotFound("no such route; see /openapi.json".into())
}

pub(super) async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        Json(serde_json::json!({"error": {
            "code": "method_not_allowed",
            "message": "this route does not take this method",
            "hint": "See /openapi.json for the methods of each route."
        }})),
    )
        .into_response()
}
