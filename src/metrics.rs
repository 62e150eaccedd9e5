//! Prometheus metrics: request counts and latencies by route pattern, database pool use, queue
//! lengths and evaluation time. Always collected (a few atomic adds per request); served only on
//! the separate address `ATTEST_METRICS_ADDR` (off by default), never on the public one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The labels of one request series: the method, the route pattern (never the raw path, so ids do
/// not make a series each) and the status code.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

/// The labels of one latency series.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

type HistogramFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// How long the rules engine took per evaluation of a portfolio. Shared by the catalogue (which
/// every evaluation goes through) and the registry.
#[derive(Debug, Clone)]
pub struct EvaluationTimer(Histogram);

impl Default for EvaluationTimer {
    fn default() -> Self {
        // 50 µs … ~0.8 s.
        Self(Histogram::new(exponential_buckets(0.000_05, 2.0, 15)))
    }
}

impl EvaluationTimer {
    /// Records one evaluation that took `elapsed`.
    pub fn observe(&self, elapsed: Duration) {
        self.0.observe(elapsed.as_secs_f64());
    }
}

/// Values sampled when the metrics are read (pool state, queues).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// Connections the pool holds (busy and idle).
    pub pool_connections: u32,
    /// Idle connections.
    pub pool_idle: u32,
    /// The most connections the pool opens.
    pub pool_max: u32,
    /// Sign-ins running or waiting for a password-verification worker.
    pub signin_queue: usize,
    /// Uploads being received (staging files not yet stored).
    pub uploads_in_progress: usize,
}

/// Every metric of one process.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    in_flight: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    signin_queue: Gauge,
    uploads_in_progress: Gauge,
}

impl Metrics {
    /// A registry with every metric, `evaluation` among them.
    pub fn new(evaluation: &EvaluationTimer) -> Self {
        let mut registry = Registry::with_prefix("attest");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        let in_flight = Gauge::default();
        let pool_connections = Gauge::default();
        let pool_idle = Gauge::default();
        let pool_max = Gauge::default();
        let signin_queue = Gauge::default();
        let uploads_in_progress = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route pattern",
            latency.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered now",
            in_flight.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database connections the pool holds (busy and idle)",
            pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections in the pool",
            pool_idle.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "The most database connections the pool opens",
            pool_max.clone(),
        );
        registry.register(
            "signin_queue_length",
            "Sign-ins running or waiting for a password-verification worker",
            signin_queue.clone(),
        );
        registry.register(
            "uploads_in_progress",
            "Evidence uploads being received (staging files not yet stored)",
            uploads_in_progress.clone(),
        );
        registry.register(
            "evaluation_duration_seconds",
            "Time the rules engine took to evaluate one portfolio in one view",
            evaluation.0.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            in_flight,
            pool_connections,
            pool_idle,
            pool_max,
            signin_queue,
            uploads_in_progress,
        }
    }

    /// Counts a request from its start; the returned guard records it when it ends.
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight {
            metrics: self,
            started: Instant::now(),
        }
    }

    /// Records one answered request.
    fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// The metrics in the Prometheus text format (OpenMetrics 1.0), with `sample` taken now.
    pub fn render(&self, sample: Sample) -> String {
        self.pool_connections
            .set(i64::from(sample.pool_connections));
        self.pool_idle.set(i64::from(sample.pool_idle));
        self.pool_max.set(i64::from(sample.pool_max));
        self.signin_queue
            .set(i64::try_from(sample.signin_queue).unwrap_or(i64::MAX));
        self.uploads_in_progress
            .set(i64::try_from(sample.uploads_in_progress).unwrap_or(i64::MAX));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// A request being answered; call [`InFlight::done`] with its outcome.
pub struct InFlight<'m> {
    metrics: &'m Metrics,
    started: Instant,
}

impl InFlight<'_> {
    /// Records the request under its route pattern.
    pub fn done(self, method: &str, route: &str, status: u16) {
        self.metrics
            .record(method, route, status, self.started.elapsed());
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.metrics.in_flight.dec();
    }
}

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Shared handle.
pub type SharedMetrics = Arc<Metrics>;
