//! Prometheus metrics (prometheus-client), one registry for the process, served at
//! `GET /metrics`: requests by service, operation and outcome, latency, bytes, requests in
//! flight, connections, the database writer's queue and commit latency, the product cache's
//! hits and misses, the credential cache's hits and misses, authentication counters, PostgreSQL's pool and Redis's health, and the process's memory, file descriptors and
//! CPU time (`process`).

mod process;

use std::borrow::Cow;
use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of one request.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub service: Label,
    pub operation: Label,
    /// `ok`, `client_fault`, `server_fault`, or `http_<status>` for requests that were not
    /// SOAP-processed.
    pub outcome: Label,
}

/// Labels of one service and operation.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub service: Label,
    pub operation: Label,
}

/// A label value: the service and operation names are static, so counting a request
/// allocates nothing.
pub type Label = Cow<'static, str>;

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<OperationLabels, Histogram>,
    pub bytes_in: Family<OperationLabels, Counter>,
    pub bytes_out: Family<OperationLabels, Counter>,
    pub in_flight: Gauge,
    pub connections: Gauge,
    pub writer_queue: Gauge,
    pub commit_latency: Histogram,
    pub cache_hits: Counter,
    pub cache_misses: Counter,
    pub credential_hits: Counter,
    pub credential_misses: Counter,
    pub auth_failures: Counter,
    pub auth_throttled: Counter,
    pub password_checks: Counter,
    pub audit_dropped: Counter,
    pub db_pool_connections: Gauge,
    pub db_pool_idle: Gauge,
    pub redis_up: Gauge,
    pub redis_errors: Counter,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_1, 2.0, 18))
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("soapstone");
    registry.register_collector(Box::new(process::ProcessCollector));
    let requests = Family::<RequestLabels, Counter>::default();
    let latency = Family::<OperationLabels, Histogram>::new_with_constructor(
        latency_histogram as fn() -> Histogram,
    );
    let bytes_in = Family::<OperationLabels, Counter>::default();
    let bytes_out = Family::<OperationLabels, Counter>::default();
    let in_flight = Gauge::default();
    let connections = Gauge::default();
    let writer_queue = Gauge::default();
    let commit_latency = latency_histogram();
    let cache_hits = Counter::default();
    let cache_misses = Counter::default();
    let credential_hits = Counter::default();
    let credential_misses = Counter::default();
    let auth_failures = Counter::default();
    let auth_throttled = Counter::default();
    let password_checks = Counter::default();
    let audit_dropped = Counter::default();
    let db_pool_connections = Gauge::default();
    let db_pool_idle = Gauge::default();
    let redis_up = Gauge::default();
    let redis_errors = Counter::default();
    registry.register(
        "requests",
        "HTTP requests by service, operation and outcome",
        requests.clone(),
    );
    registry.register(
        "request_duration_seconds",
        "Time to answer a request",
        latency.clone(),
    );
    registry.register(
        "request_bytes",
        "Request body bytes received",
        bytes_in.clone(),
    );
    registry.register(
        "response_bytes",
        "Response body bytes sent (before compression)",
        bytes_out.clone(),
    );
    registry.register(
        "requests_in_flight",
        "SOAP requests being handled",
        in_flight.clone(),
    );
    registry.register(
        "connections",
        "Open client connections",
        connections.clone(),
    );
    registry.register(
        "db_writer_queue_depth",
        "Write jobs waiting for the database writer",
        writer_queue.clone(),
    );
    registry.register(
        "db_commit_duration_seconds",
        "Time of one group commit",
        commit_latency.clone(),
    );
    registry.register(
        "product_cache_hits",
        "Product reads served from the cache",
        cache_hits.clone(),
    );
    registry.register(
        "product_cache_misses",
        "Product reads that went to the database",
        cache_misses.clone(),
    );
    registry.register(
        "credential_cache_hits",
        "Users and sessions authenticated from a current copy, without a database read",
        credential_hits.clone(),
    );
    registry.register(
        "credential_cache_misses",
        "Users and sessions read from the database (no copy, or not provably current)",
        credential_misses.clone(),
    );
    registry.register(
        "auth_failures",
        "Requests and logins whose authentication failed (any WS-Security fault)",
        auth_failures.clone(),
    );
    registry.register(
        "auth_throttled",
        "Authentication attempts refused without a check, during a backoff after failures",
        auth_throttled.clone(),
    );
    registry.register(
        "password_checks",
        "argon2 password verifications computed (concurrent checks of the same credentials \
         share one)",
        password_checks.clone(),
    );
    registry.register(
        "audit_events_dropped",
        "Audit events that could not be queued or written",
        audit_dropped.clone(),
    );
    registry.register(
        "db_pool_connections",
        "PostgreSQL connections open in the pool",
        db_pool_connections.clone(),
    );
    registry.register(
        "db_pool_idle",
        "PostgreSQL connections open and idle in the pool",
        db_pool_idle.clone(),
    );
    registry.register(
        "redis_up",
        "1 while Redis answers, 0 while the node runs without it (PostgreSQL only)",
        redis_up.clone(),
    );
    registry.register(
        "redis_errors",
        "Redis commands that failed (the node then falls back to PostgreSQL only)",
        redis_errors.clone(),
    );
    Metrics {
        registry,
        requests,
        latency,
        bytes_in,
        bytes_out,
        in_flight,
        connections,
        writer_queue,
        commit_latency,
        cache_hits,
        cache_misses,
        credential_hits,
        credential_misses,
        auth_failures,
        auth_throttled,
        password_checks,
        audit_dropped,
        db_pool_connections,
        db_pool_idle,
        redis_up,
        redis_errors,
    }
});

impl Metrics {
    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
