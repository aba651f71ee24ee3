//! `adscreen serve`: the HTTP API over the screening engine and the durable store.
//!
//! Routes are in `routes`; every request passes the request-id, logging/metrics and timeout
//! layers, and each handler checks its scope ([`auth`]) and the rate limit first.

pub mod auth;
pub mod config;
mod error;
mod listen;
mod metrics;
mod routes;
mod watch;
mod web;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

use crate::classify::Model;
use crate::engine::Engine;
use crate::rules::RuleSet;
use crate::score::Thresholds;
use crate::store::{SharedEngine, Store};
pub use config::Config;
pub use error::ApiError;
use metrics::Metrics;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Rules or model could not be loaded.
    #[error("{0}")]
    Engine(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The key file is broken.
    #[error(
        "{0}. Fix the file or restore it from a backup (`adscreen keys list` reads it the same \
         way); the server does not start without its keys"
    )]
    Keys(#[from] auth::KeyError),
    /// The store could not be opened.
    #[error("{0}")]
    Store(String),
    /// The watcher could not start.
    #[error("watching sources: {0}")]
    Watch(String),
    /// Serving failed.
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Builds the engine a config asks for: its rules (or the bundled ones) and its model (or the
/// bundled one), with the thresholds chosen for that model on dev.
pub fn load_engine(config: &Config) -> Result<Engine, String> {
    let rules = match &config.rules {
        Some(dir) => RuleSet::load(dir).map_err(|e| format!("rules in {}: {e}", dir.display()))?,
        None => RuleSet::bundled().map_err(|e| format!("bundled rules: {e}"))?,
    };
    let model = if config.no_model {
        None
    } else {
        Some(match &config.model {
            Some(path) => {
                Model::load(path).map_err(|e| format!("model {}: {e}", path.display()))?
            }
            None => Model::bundled().map_err(|e| format!("bundled model: {e}"))?,
        })
    };
    let thresholds = model
        .as_ref()
        .map_or_else(Thresholds::default, |m| Thresholds {
            medium: m.metadata.thresholds.medium,
            high: m.metadata.thresholds.high,
            ..Thresholds::default()
        });
    if let Some(m) = &model {
        if m.metadata.rules_hash != rules.hash() {
            tracing::warn!(
                "the model was trained with other rules; retrain it with `adscreen train`"
            );
        }
    }
    let engine = Engine::new(rules, thresholds);
    Ok(match model {
        Some(m) => engine.with_model(m),
        None => engine,
    })
}

/// How many searches may run at once on a machine with `cores` cores: one core always stays for
/// screening (on one core, searches and screens share it).
pub(crate) fn search_permits(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) config: Config,
    pub(crate) engine: SharedEngine,
    pub(crate) store: OnceLock<Store>,
    pub(crate) keys: auth::KeyStore,
    pub(crate) limiter: Option<DefaultKeyedRateLimiter<String>>,
    pub(crate) metrics: Metrics,
    pub(crate) reload: tokio::sync::Mutex<()>,
    /// One permit per core for CPU-bound request work.
    pub(crate) cpu: tokio::sync::Semaphore,
    /// Searches running at once: one fewer than the cores (at least one).
    pub(crate) searches: Arc<tokio::sync::Semaphore>,
    /// Failed key checks per client address.
    pub(crate) failures: auth::Failures,
}

impl AppState {
    pub(crate) fn store(&self) -> Result<&Store, ApiError> {
        self.store.get().ok_or(ApiError::NotReady)
    }
}

/// Runs the server until Ctrl-C or SIGTERM. Prints `adscreen listening on http://ADDR` on
/// stdout once it accepts connections (the address has the real port when the config asks for
/// port 0). The index opens in the background; `/readyz` answers 200 once it has.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    // A data directory in a state this server did not write stops the start before anything
    // listens or writes (the full check, checksums included, runs as the index opens).
    crate::store::guard::check(&config.data_dir.join("index"))
        .map_err(|e| ServeError::Store(e.to_string()))?;
    let engine = load_engine(&config).map_err(ServeError::Engine)?;
    let keys = auth::KeyStore::new(
        &config.data_dir,
        config.auth.keys.clone(),
        config.auth.open_scopes.clone(),
    )?;
    let limiter = std::num::NonZeroU32::new(config.limits.rate_per_second).map(|rate| {
        let burst = std::num::NonZeroU32::new(config.limits.rate_burst).unwrap_or(rate);
        RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
    });
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.addr,
            source,
        })?;
    let local = listener.local_addr()?;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let state = Arc::new(AppState {
        engine: Arc::new(ArcSwap::from_pointee(engine)),
        store: OnceLock::new(),
        keys,
        limiter,
        metrics: Metrics::new(),
        reload: tokio::sync::Mutex::new(()),
        cpu: tokio::sync::Semaphore::new(cores),
        searches: Arc::new(tokio::sync::Semaphore::new(search_permits(cores))),
        failures: auth::Failures::new(
            config.limits.auth_failures,
            Duration::from_secs(config.limits.auth_window_secs),
        ),
        config,
    });
    let (fatal_tx, fatal_rx) = tokio::sync::oneshot::channel::<String>();
    let opening = state.clone();
    tokio::task::spawn_blocking(move || {
        let dir = opening.config.data_dir.join("index");
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Store::open(&dir, opening.engine.clone())
        }));
        match opened {
            Ok(Ok(store)) => {
                tracing::info!(adverts = store.len(), dir = %dir.display(), "index ready");
                let _ = opening.store.set(store);
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "the index cannot be opened");
                let _ = fatal_tx.send(e.to_string());
            }
            Err(_) => {
                let message = format!(
                    "opening the index in {} failed on damaged data; restore the directory from \
                     a backup (adscreen changed nothing in it)",
                    dir.display()
                );
                tracing::error!("{message}");
                let _ = fatal_tx.send(message);
            }
        }
    });
    // Forget rate-limit state of clients not seen for a while.
    let pruning = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Some(limiter) = &pruning.limiter {
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
            pruning.failures.prune();
        }
    });
    let (stop_watching, stop) = tokio::sync::watch::channel(false);
    let mut watchers = watch::start(state.clone(), stop).map_err(ServeError::Watch)?;
    let app = router(state.clone());
    println!("adscreen listening on http://{local}");
    tracing::info!(addr = %local, "listening");
    let fatal = Arc::new(tokio::sync::Mutex::new(None));
    let fatal_seen = fatal.clone();
    let shutdown = async move {
        tokio::select! {
            () = shutdown_signal() => {}
            // The opening task answers only when the index cannot be opened (a panic in it
            // included); after a successful open its sender is dropped and this never fires.
            Ok(message) = fatal_rx => {
                *fatal_seen.lock().await = Some(message);
            }
        }
    };
    let header_timeout = Duration::from_secs(state.config.limits.header_timeout_secs.max(1));
    listen::run(listener, app, header_timeout, shutdown).await;
    let _ = stop_watching.send(true);
    let stopped = async {
        while let Some(ended) = watchers.join_next().await {
            if let Err(e) = ended
                && e.is_panic()
            {
                tracing::error!("a source's watcher failed: {e}");
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), stopped)
        .await
        .is_err()
    {
        watchers.abort_all();
    }
    if let Some(message) = fatal.lock().await.take() {
        return Err(ServeError::Store(message));
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

fn router(state: Arc<AppState>) -> Router {
    let limits = &state.config.limits;
    let timeout = |secs: u64| {
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(
                move |e: tower::BoxError| async move {
                    if e.is::<tower::timeout::error::Elapsed>() {
                        ApiError::Timeout(secs).into_response()
                    } else {
                        ApiError::Internal(e.to_string()).into_response()
                    }
                },
            ))
            .layer(tower::timeout::TimeoutLayer::new(Duration::from_secs(secs)))
    };
    let ingest = Router::new()
        .route("/v1/adverts", axum::routing::post(routes::ingest))
        .layer(timeout(limits.ingest_timeout_secs));
    Router::new()
        .route("/v1/screen", axum::routing::post(routes::screen))
        .route("/v1/adverts/{id}", axum::routing::get(routes::advert))
        .route(
            "/v1/adverts/{id}/review",
            axum::routing::post(routes::review),
        )
        .route("/v1/search", axum::routing::get(routes::search))
        .route("/v1/export.csv", axum::routing::get(routes::export_csv))
        .route("/report", axum::routing::get(routes::report))
        .route(
            "/v1/contacts/{value}/adverts",
            axum::routing::get(routes::contact_adverts),
        )
        .route("/v1/indicators", axum::routing::get(routes::indicators))
        .route("/v1/admin/reload", axum::routing::post(routes::reload))
        .route("/healthz", axum::routing::get(routes::healthz))
        .route("/readyz", axum::routing::get(routes::readyz))
        .route("/metrics", axum::routing::get(routes::metrics))
        .route("/openapi.json", axum::routing::get(routes::openapi))
        .route("/", axum::routing::get(web::index))
        .route("/assets/app.js", axum::routing::get(web::script))
        .route("/assets/app.css", axum::routing::get(web::style))
        .layer(timeout(limits.request_timeout_secs))
        .merge(ingest)
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Logs each request (request id, route, status, latency; never bodies) and records metrics.
async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let start = std::time::Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    // A fixed set of label values: a client cannot grow the metrics with made-up methods.
    let method = match request.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH") => m,
        _ => "other",
    }
    .to_string();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let response = next.run(request).await;
    let elapsed = start.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .request(&route, &method, status, elapsed.as_secs_f64());
    tracing::info!(
        request_id,
        method,
        route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}
