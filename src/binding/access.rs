//! The access log line, the request metrics and the request span's outcome, one of each per
//! finished request.

use std::borrow::Cow;
use std::time::Duration;

use super::AccessInfo;
use crate::metrics::{METRICS, OperationLabels, RequestLabels};
use crate::soap::FaultCode;
use crate::telemetry;

/// The one log line and the metrics of a finished request.
pub(super) fn access<B: http_body::Body>(response: &http::Response<B>, latency: Duration) {
    let status = response.status().as_u16();
    let bytes_out = response.body().size_hint().exact().unwrap_or(0);
    // Whole microseconds in milliseconds: at most three decimals, without float noise.
    let duration_ms = latency.as_micros() as f64 / 1000.0;
    let Some(info) = response.extensions().get::<AccessInfo>() else {
        METRICS
            .requests
            .get_or_create(&RequestLabels {
                service: Cow::Borrowed(""),
                operation: Cow::Borrowed(""),
                outcome: Cow::Owned(format!("http_{status}")),
            })
            .inc();
        tracing::info!(target: "soapstone::access", status, duration_ms, bytes_out, "request");
        return;
    };
    let operation = info.operation.unwrap_or_default();
    let outcome = match info.fault {
        None => "ok",
        Some(FaultCode::Server) => "server_fault",
        Some(_) => "client_fault",
    };
    let labels = OperationLabels {
        service: Cow::Borrowed(info.service),
        operation: Cow::Borrowed(operation),
    };
    METRICS
        .requests
        .get_or_create(&RequestLabels {
            service: labels.service.clone(),
            operation: labels.operation.clone(),
            outcome: Cow::Borrowed(outcome),
        })
        .inc();
    METRICS
        .latency
        .get_or_create(&labels)
        .observe(latency.as_secs_f64());
    METRICS
        .bytes_in
        .get_or_create(&labels)
        .inc_by(info.bytes_in as u64);
    METRICS.bytes_out.get_or_create(&labels).inc_by(bytes_out);
    tracing::info!(
        target: "soapstone::access",
        service = info.service,
        operation,
        soap = info.version.map(|v| v.label()),
        status,
        fault = info.fault_label.as_deref(),
        cause = info.fault_cause,
        user = info.user.as_deref(),
        duration_ms,
        bytes_in = info.bytes_in,
        bytes_out,
        "request"
    );
}

/// Records on the request span what the request turned out to be: its name
/// (`Service/Operation`), the SOAP version, the caller, the HTTP status and the fault.
pub(super) fn trace_outcome(span: &tracing::Span, status: u16, info: Option<&AccessInfo>) {
    span.record("http.response.status_code", status);
    let Some(info) = info else {
        return;
    };
    span.record("rpc.service", info.service);
    telemetry::rename(
        span,
        match info.operation {
            Some(operation) => {
                span.record("rpc.method", operation);
                format!("{}/{operation}", info.service)
            }
            None => info.service.to_string(),
        },
    );
    if let Some(version) = info.version {
        span.record("soap.version", version.label());
    }
    if let Some(user) = &info.user {
        span.record("enduser.id", user.as_str());
    }
    if let Some(code) = info.fault {
        span.record("soap.fault.code", info.fault_label.as_deref().unwrap_or(""));
        if code == FaultCode::Server {
            telemetry::fail(span, info.fault_label.as_deref().unwrap_or("Server"));
        }
    }
}
