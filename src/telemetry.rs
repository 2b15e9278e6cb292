//! OpenTelemetry tracing: when `otlp_endpoint` is set, every request becomes a server span
//! exported over OTLP/HTTP (protobuf), continuing the caller's W3C `traceparent` /
//! `tracestate`, with child spans for authentication, decoding, the handler and storage.
//!
//! Design decision: the spans are ordinary `tracing` spans bridged by
//! `tracing-opentelemetry`, so the code that creates them does not know whether anything
//! exports. Without an endpoint no OpenTelemetry layer is installed, the child spans (at
//! DEBUG) are disabled at their call sites by the log filter, and the request span records
//! no extra fields — tracing off costs one relaxed atomic load per request.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::trace::{TraceContextExt as _, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Level;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::Registry;
use tracing_subscriber::filter::filter_fn;

/// The layer that exports spans.
pub type SpanLayer = Box<dyn Layer<Registry> + Send + Sync>;

static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Why spans cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("otlp_endpoint {endpoint:?} cannot be used: {reason}")]
    Exporter { endpoint: String, reason: String },
}

/// The installed span exporter; dropping it exports what is queued and stops it.
#[must_use = "dropping it stops the span exporter"]
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        EXPORTING.store(false, Ordering::Relaxed);
        if let Err(e) = self.provider.shutdown() {
            tracing::warn!(error = %e, "spans could not all be exported at shutdown");
        }
    }
}

/// The OTLP/HTTP traces URL of `endpoint`: the collector's base URL (as
/// `OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://127.0.0.1:4318`) gets `/v1/traces`; a URL with
/// a path of its own is used as it is.
pub fn traces_url(endpoint: &str) -> String {
    let rest = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    match rest.split_once('/') {
        Some((_, path)) if !path.is_empty() => endpoint.to_string(),
        _ => format!("{}/v1/traces", endpoint.trim_end_matches('/')),
    }
}

/// The layer that turns this process's spans into OpenTelemetry spans exported to
/// `endpoint`, and the exporter to keep alive. Only Soapstone's spans and its warnings and
/// errors (as span events) reach it.
pub fn exporter(endpoint: &str) -> Result<(SpanLayer, Telemetry), TelemetryError> {
    let url = traces_url(endpoint);
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(url)
        .with_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| TelemetryError::Exporter {
            endpoint: endpoint.to_string(),
            reason: e.to_string(),
        })?;
    let resource = Resource::builder()
        .with_service_name("soapstone")
        .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("soapstone"))
        .with_filter(filter_fn(|meta| {
            meta.target().starts_with("soapstone")
                && (meta.is_span() || *meta.level() <= Level::WARN)
        }))
        .boxed();
    EXPORTING.store(true, Ordering::Relaxed);
    Ok((layer, Telemetry { provider }))
}

/// Whether spans are exported.
pub(crate) fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// Makes `span` continue the trace the request's `traceparent` / `tracestate` name (a new
/// trace when they are absent or invalid).
pub(crate) fn continue_trace(span: &tracing::Span, headers: &http::HeaderMap) {
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&opentelemetry_http::HeaderExtractor(headers))
    });
    if let Err(e) = span.set_parent(parent) {
        tracing::debug!(error = %e, "the request span cannot continue the caller's trace");
    }
}

/// Names `span` after what the request turned out to be (`Service/Operation`), once routing
/// has told (tracing-opentelemetry takes `otel.name` only when a span is created).
pub(crate) fn rename(span: &tracing::Span, name: String) {
    span.context().span().update_name(name);
}

/// Marks `span` as failed (a Server fault: the service's error, not the caller's).
pub(crate) fn fail(span: &tracing::Span, reason: &str) {
    span.set_status(opentelemetry::trace::Status::error(reason.to_string()));
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn a_base_url_gets_the_traces_path_and_a_full_url_is_kept() {
        assert_eq!(
            traces_url("http://127.0.0.1:4318"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("https://otel.example/ingest/traces"),
            "https://otel.example/ingest/traces"
        );
    }
}
