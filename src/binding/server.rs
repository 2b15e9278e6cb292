//! Accept loop: TCP_NODELAY, HTTP/1.1 keep-alive, the middleware stack, graceful shutdown
//! (stop accepting, let in-flight requests finish, then return).

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::SizeAbove;

use super::Routes;
use super::routes::ConnInfo;
use super::tls::Tls;
use crate::metrics::METRICS;

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
    /// Serve HTTPS instead of HTTP.
    pub tls: Option<Tls>,
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
            tls: None,
        }
    }
}

const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Length: 37\r\nConnection: close\r\n\r\n\
Too many connections; retry shortly.\n";

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
        let info = ConnInfo {
            remote,
            local,
            tls: options.tls.is_some(),
            peer_user: None,
        };
        let connection = Connection {
            routes: routes.clone(),
            http: http.clone(),
            compress_min_bytes: options.compress_min_bytes,
            graceful: graceful.watcher(),
        };
        METRICS.connections.inc();
        let tls = options.tls.clone();
        let handshake_timeout = options.header_read_timeout;
        tokio::spawn(async move {
            match tls {
                None => connection.serve(stream, info).await,
                Some(tls) => {
                    match tokio::time::timeout(handshake_timeout, tls.accept(stream)).await {
                        Ok(Ok((stream, peer_user))) => {
                            connection
                                .serve(stream, ConnInfo { peer_user, ..info })
                                .await;
                        }
                        Ok(Err(e)) => {
                            tracing::debug!(client = %remote, error = %e, "TLS handshake failed")
                        }
                        Err(_) => tracing::debug!(client = %remote, "TLS handshake timed out"),
                    }
                }
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

/// What serving one connection needs.
struct Connection {
    routes: Arc<Routes>,
    http: http1::Builder,
    compress_min_bytes: u16,
    graceful: Watcher,
}

impl Connection {
    /// Serves HTTP/1.1 on `io` (plain TCP or TLS) until the client or a shutdown ends it.
    fn serve<I>(self, io: I, info: ConnInfo) -> impl Future<Output = ()> + Send + 'static
    where
        I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let routes = self.routes;
        let service = ServiceBuilder::new()
            .layer(
                CompressionLayer::new()
                    .compress_when(SizeAbove::new(u64::from(self.compress_min_bytes))),
            )
            .map_request(move |mut request: http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(info.clone());
                request
            })
            .service_fn(move |request| {
                let routes = routes.clone();
                async move { Ok::<_, Infallible>(routes.handle(request).await) }
            });
        let connection = self
            .http
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let connection = self.graceful.watch(connection);
        async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
    }
}
