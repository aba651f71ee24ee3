//! Prometheus metrics: requests, latencies, adverts screened and stored, flagged by level.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

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

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    screened: Counter,
    stored: Counter,
    flagged: Family<LevelLabels, Counter>,
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
        }
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
