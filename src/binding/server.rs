//! Accept loop: TCP_NODELAY, HTTP/1.1 keep-alive, the middleware stack, graceful shutdown
//! (stop accepting, let in-flight requests finish, then return).

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::SizeAbove;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use super::request_id::MakeSequentialId;
use super::routes::ConnInfo;
use super::{AccessInfo, Routes};
use crate::metrics::{METRICS, OperationLabels, RequestLabels};
use crate::soap::FaultCode;

/// Connection-level settings.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// How long a client may take to send the request headers; also how long an idle
    /// keep-alive connection is kept.
    pub header_read_timeout: Duration,
    /// Most header lines in a request (431 beyond).
    pub max_headers: usize,
    /// Most bytes in the request line and headers (431 beyond).
    pub max_header_bytes: usize,
    /// Open connections at once; more are answered 503 with Retry-After and closed.
    pub max_connections: usize,
    /// How long in-flight requests may take to finish after shutdown is asked for.
    pub shutdown_grace: Duration,
    /// Smallest response body compressed for clients that accept gzip or deflate.
    pub compress_min_bytes: u16,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            header_read_timeout: Duration::from_secs(10),
            max_headers: 100,
            max_header_bytes: 16 * 1024,
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
            compress_min_bytes: 1024,
        }
    }
}

const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Length: 37\r\nConnection: close\r\n\r\n\
Too many connections; retry shortly.\n";

/// The one log line and the metrics of a finished request.
fn access<B: http_body::Body>(response: &http::Response<B>, latency: Duration) {
    let status = response.status().as_u16();
    let bytes_out = response.body().size_hint().exact().unwrap_or(0);
    let duration_ms = latency.as_secs_f64() * 1000.0;
    let Some(info) = response.extensions().get::<AccessInfo>() else {
        METRICS
            .requests
            .get_or_create(&RequestLabels {
                service: String::new(),
                operation: String::new(),
                outcome: format!("http_{status}"),
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
        service: info.service.to_string(),
        operation: operation.to_string(),
    };
    METRICS
        .requests
        .get_or_create(&RequestLabels {
            service: labels.service.clone(),
            operation: labels.operation.clone(),
            outcome: outcome.to_string(),
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
        fault = info.fault.map(|f| format!("{f:?}")),
        duration_ms,
        bytes_in = info.bytes_in,
        bytes_out,
        "request"
    );
}

/// Serves `routes` on `listener` until `shutdown` completes, then drains connections.
pub async fn serve(
    listener: TcpListener,
    routes: Arc<Routes>,
    options: ServerOptions,
    shutdown: impl Future<Output = ()>,
) {
    let local = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            tracing::error!(error = %e, "listener has no local address");
            return;
        }
    };
    let mut http = http1::Builder::new();
    http.keep_alive(true)
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        .max_headers(options.max_headers)
        .max_header_size(options.max_header_bytes);
    let connections = Arc::new(tokio::sync::Semaphore::new(options.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            // Answered without reading: the small response fits the socket buffer.
            let _ = stream.try_write(REFUSAL);
            tracing::warn!(client = %remote, "connection refused: too many connections");
            continue;
        };
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let info = ConnInfo { remote, local };
        let routes = routes.clone();
        let service = ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeSequentialId))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(
                CompressionLayer::new()
                    .compress_when(SizeAbove::new(u64::from(options.compress_min_bytes))),
            )
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(move |request: &http::Request<hyper::body::Incoming>| {
                        let id = request
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default();
                        tracing::info_span!(
                            "request",
                            id,
                            method = %request.method(),
                            path = %request.uri().path(),
                            client = %remote,
                        )
                    })
                    .on_request(())
                    .on_response(
                        move |response: &http::Response<_>,
                              latency: Duration,
                              _: &tracing::Span| {
                            access(response, latency);
                        },
                    )
                    .on_failure(()),
            )
            .map_request(move |mut request: http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(info);
                request
            })
            .service_fn(move |request| {
                let routes = routes.clone();
                async move { Ok::<_, Infallible>(routes.handle(request).await) }
            });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        METRICS.connections.inc();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            METRICS.connections.dec();
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("shutting down: waiting for in-flight requests");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(options.shutdown_grace) => {
            tracing::warn!("shutdown grace period over; closing remaining connections");
        }
    }
}
