//! Prometheus metrics: requests, latencies, adverts screened and stored, flagged by level.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

use crate::report::Report;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LevelLabels {
    level: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PollLabels {
    source: String,
    outcome: String,
}

/// One poll of a watched source, for the metrics.
#[derive(Debug)]
pub struct SourcePoll<'a> {
    /// The source's name.
    pub source: &'a str,
    /// `new`, `unchanged`, `disallowed` or `failed`.
    pub outcome: &'a str,
    /// Adverts stored.
    pub adverts: u64,
    /// Records that could not be read.
    pub bad: u64,
    /// Failed polls since the last success.
    pub failures: u32,
    /// Wait before the next poll.
    pub next: std::time::Duration,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    screened: Counter,
    stored: Counter,
    flagged: Family<LevelLabels, Counter>,
    polls: Family<PollLabels, Counter>,
    source_adverts: Family<SourceLabels, Counter>,
    source_bad: Family<SourceLabels, Counter>,
    source_failures: Family<SourceLabels, Gauge>,
    source_wait: Family<SourceLabels, Gauge<f64, AtomicU64>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("adscreen");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0001, 2.0, 18))
        });
        let screened = Counter::default();
        let stored = Counter::default();
        let flagged = Family::<LevelLabels, Counter>::default();
        let polls = Family::<PollLabels, Counter>::default();
        let source_adverts = Family::<SourceLabels, Counter>::default();
        let source_bad = Family::<SourceLabels, Counter>::default();
        let source_failures = Family::<SourceLabels, Gauge>::default();
        let source_wait = Family::<SourceLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "source_polls",
            "Polls of watched sources by outcome (new, unchanged, disallowed, failed)",
            polls.clone(),
        );
        registry.register(
            "source_adverts",
            "Adverts read from watched sources and stored",
            source_adverts.clone(),
        );
        registry.register(
            "source_bad_records",
            "Records of watched sources that could not be read",
            source_bad.clone(),
        );
        registry.register(
            "source_consecutive_failures",
            "Failed polls of a source since its last success",
            source_failures.clone(),
        );
        registry.register(
            "source_next_poll_seconds",
            "Wait before the next poll of a source (grows while it fails)",
            source_wait.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by route, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register("adverts_screened", "Adverts screened", screened.clone());
        registry.register(
            "adverts_stored",
            "Adverts stored (acknowledged durable)",
            stored.clone(),
        );
        registry.register(
            "adverts_flagged",
            "Flagged adverts by level",
            flagged.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            screened,
            stored,
            flagged,
            polls,
            source_adverts,
            source_bad,
            source_failures,
            source_wait,
        }
    }

    /// Records a poll of a watched source: its outcome, what it brought and the wait before the
    /// next one.
    pub fn polled(&self, poll: &SourcePoll<'_>) {
        let source = SourceLabels {
            source: poll.source.to_string(),
        };
        self.polls
            .get_or_create(&PollLabels {
                source: poll.source.to_string(),
                outcome: poll.outcome.to_string(),
            })
            .inc();
        self.source_adverts
            .get_or_create(&source)
            .inc_by(poll.adverts);
        self.source_bad.get_or_create(&source).inc_by(poll.bad);
        self.source_failures
            .get_or_create(&source)
            .set(i64::from(poll.failures));
        self.source_wait
            .get_or_create(&source)
            .set(poll.next.as_secs_f64());
    }

    /// Records one finished request.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// Records a screened advert.
    pub fn screened(&self, report: &Report) {
        self.screened.inc();
        if report.flagged {
            self.flagged
                .get_or_create(&LevelLabels {
                    level: report.level.as_str().to_string(),
                })
                .inc();
        }
    }

    /// Records stored adverts.
    pub fn stored(&self, n: u64) {
        self.stored.inc_by(n);
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "encoding metrics failed");
        }
        out
    }
}
