//! Routing by path: each mounted service answers POST with SOAP and GET `?wsdl` / `?xsd=`
//! with its contract; `/health`, `/ready` and `/metrics` are for operators; everything else
//! is an HTTP error.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tracing::Instrument;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER};
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;

use super::access::{access, trace_outcome};
use super::intake::{Intake, IntakeError, intake};
use super::proxy::ProxyTrust;
use super::request_id::next_request_id;
use crate::common::Transport;
use crate::contract::{Contract, ServedOver};
use crate::endpoint::{Endpoint, SoapRequest, SoapResponse};
use crate::metrics::METRICS;
use crate::pages::{self, ServiceDocs, ServiceView};
use crate::shared::SharedLimiter;
use crate::soap::{Fault, FaultCode, SoapVersion};
use crate::telemetry;
use crate::xop::write_package;

/// Where a connection comes from and arrives at; put in each request's extensions.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    pub remote: SocketAddr,
    pub local: SocketAddr,
    /// The connection came over TLS.
    pub tls: bool,
    /// The user named by the client's verified TLS certificate (mTLS).
    pub peer_user: Option<Arc<str>>,
}

/// A service at a path.
pub struct Mount {
    pub path: String,
    pub endpoint: Endpoint,
    pub contract: Contract,
    pub docs: ServiceDocs,
}

impl Mount {
    /// This mount with `guard` in front of its operations.
    pub fn guarded(self, guard: &Arc<dyn crate::endpoint::Guard>) -> Mount {
        Mount {
            endpoint: self.endpoint.with_guard(guard.clone()),
            ..self
        }
    }

    fn view(&self) -> ServiceView<'_> {
        ServiceView {
            name: self.endpoint.service().name(),
            path: &self.path,
            docs: &self.docs,
            operations: self.endpoint.service().operations(),
        }
    }
}

/// Limits on SOAP requests at the HTTP level.
#[derive(Debug, Clone)]
pub struct RequestLimits {
    /// Largest body, after inflation, in bytes (413 beyond).
    pub max_body: usize,
    /// Largest inflated size as a multiple of the compressed size.
    pub max_inflate_ratio: usize,
    /// How long a client may take to send the body (408 beyond).
    pub body_read_timeout: Duration,
    /// SOAP requests being handled at once; more are answered 503 with Retry-After.
    pub max_in_flight: usize,
    /// SOAP requests per second per client address (0: no limit), and the burst allowed.
    pub rate_limit: f64,
    pub rate_burst: u32,
    /// Largest total size of an MTOM request's attachments, in bytes (the root part, the
    /// envelope, has `max_body`).
    pub max_attachments: u64,
    /// Most attachments in an MTOM request.
    pub max_parts: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_body: 16 * 1024 * 1024,
            max_inflate_ratio: 100,
            body_read_timeout: Duration::from_secs(30),
            max_in_flight: 512,
            rate_limit: 0.0,
            rate_burst: 50,
            max_attachments: 64 * 1024 * 1024,
            max_parts: 16,
        }
    }
}

/// What `/ready` and `/metrics` ask of the rest of the application.
pub trait Probe: Send + Sync {
    /// `Ok` when requests can be served (the database is reachable and migrated).
    fn ready(&self) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + '_>>;
    /// Sets the storage gauges (writer queue, connection pool) before /metrics is rendered.
    fn update_gauges(&self);
}

/// What the access log and the metrics record of a SOAP request; put in the response's
/// extensions.
#[derive(Debug, Clone)]
pub struct AccessInfo {
    pub service: &'static str,
    pub operation: Option<&'static str>,
    pub version: Option<SoapVersion>,
    pub fault: Option<FaultCode>,
    /// The fault's most specific name ([`crate::soap::Fault::label`]), for the access line.
    pub fault_label: Option<String>,
    /// Why, for the access line only (e.g. `replay`): [`crate::soap::Fault::cause`].
    pub fault_cause: Option<&'static str>,
    pub bytes_in: usize,
    /// The authenticated caller.
    pub user: Option<String>,
}

/// Every mounted service, the request limits, and the operator endpoints' probe.
pub struct Routes {
    mounts: Vec<Mount>,
    limits: RequestLimits,
    in_flight: tokio::sync::Semaphore,
    limiter: Option<SharedLimiter<std::net::IpAddr>>,
    probe: Arc<dyn Probe>,
    proxies: ProxyTrust,
    /// Serve the HTML service pages; without them those paths are 404.
    pages: bool,
}

pub(super) type HttpResponse = Response<Full<Bytes>>;

impl Routes {
    pub fn new(
        mounts: Vec<Mount>,
        limits: RequestLimits,
        probe: Arc<dyn Probe>,
        proxies: ProxyTrust,
    ) -> Self {
        Routes {
            proxies,
            mounts,
            in_flight: tokio::sync::Semaphore::new(limits.max_in_flight),
            limiter: (limits.rate_limit > 0.0)
                .then(|| SharedLimiter::new(limits.rate_limit, limits.rate_burst, None, "ip")),
            limits,
            probe,
            pages: true,
        }
    }

    /// These routes with the per-address rate limit kept in `redis`, shared by every node
    /// (when rate limiting is on).
    pub fn with_shared_limits(mut self, redis: Option<crate::shared::Redis>) -> Self {
        if self.limits.rate_limit > 0.0 {
            self.limiter = Some(SharedLimiter::new(
                self.limits.rate_limit,
                self.limits.rate_burst,
                redis,
                "ip",
            ));
        }
        self
    }

    /// These routes with the HTML service pages served or not (the contracts are served
    /// either way).
    pub fn with_pages(self, pages: bool) -> Self {
        Routes { pages, ..self }
    }

    pub fn mounts(&self) -> &[Mount] {
        &self.mounts
    }

    /// Answers one HTTP request.
    /// Answers one HTTP request: gives it a request id (the caller's `X-Request-Id` when it
    /// is usable), runs it in a span carrying that id, returns the id in `X-Request-Id`, and
    /// writes the one access line and the metrics of the request.
    pub async fn handle<B>(self: Arc<Self>, mut request: Request<B>) -> HttpResponse
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        let started = std::time::Instant::now();
        let id = request_id(request.headers());
        let id_header = http::HeaderValue::from_str(&id)
            .unwrap_or_else(|_| http::HeaderValue::from_static("-"));
        request
            .headers_mut()
            .insert(X_REQUEST_ID, id_header.clone());
        let client = request.extensions().get::<ConnInfo>().map(|c| c.remote);
        let exporting = telemetry::exporting();
        // Exported, the span is an OpenTelemetry server span with the RPC fields to fill in;
        // otherwise it carries only what the log lines show.
        let span = if exporting {
            let span = tracing::info_span!(
                "request",
                id,
                method = %request.method(),
                path = %request.uri().path(),
                client = client.map(tracing::field::display),
                otel.kind = "server",
                rpc.system = "soap",
                rpc.service = tracing::field::Empty,
                rpc.method = tracing::field::Empty,
                soap.version = tracing::field::Empty,
                enduser.id = tracing::field::Empty,
                soap.fault.code = tracing::field::Empty,
                http.response.status_code = tracing::field::Empty,
            );
            telemetry::continue_trace(&span, request.headers());
            span
        } else {
            tracing::info_span!(
                "request",
                id,
                method = %request.method(),
                path = %request.uri().path(),
                client = client.map(tracing::field::display),
            )
        };
        let mut response = self.route(request).instrument(span.clone()).await;
        response.headers_mut().insert(X_REQUEST_ID, id_header);
        if exporting {
            trace_outcome(
                &span,
                response.status().as_u16(),
                response.extensions().get::<AccessInfo>(),
            );
        }
        span.in_scope(|| access(&response, started.elapsed()));
        response
    }

    async fn route<B>(&self, request: Request<B>) -> HttpResponse
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        if request.method() == Method::GET {
            match request.uri().path() {
                "/health" => return plain(StatusCode::OK, "ok\n"),
                "/ready" => {
                    return match self.probe.ready().await {
                        Ok(()) => plain(StatusCode::OK, "ready\n"),
                        Err(e) => plain(
                            StatusCode::SERVICE_UNAVAILABLE,
                            &format!("not ready: {e}\n"),
                        ),
                    };
                }
                "/services" | "/services/" if self.pages => {
                    let base = self.base_of(&request);
                    let views: Vec<ServiceView<'_>> = self.mounts.iter().map(Mount::view).collect();
                    return html(pages::index(&base, &views));
                }
                "/metrics" => {
                    let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
                    self.probe.update_gauges();
                    METRICS.in_flight.set(gauge(
                        self.limits.max_in_flight - self.in_flight.available_permits(),
                    ));
                    let mut response = plain(StatusCode::OK, &METRICS.render());
                    response.headers_mut().insert(
                        CONTENT_TYPE,
                        http::HeaderValue::from_static(
                            "application/openmetrics-text; version=1.0.0; charset=utf-8",
                        ),
                    );
                    return response;
                }
                _ => {}
            }
        }
        let Some(mount) = self.mounts.iter().find(|m| m.path == request.uri().path()) else {
            return plain(StatusCode::NOT_FOUND, "No service at this path.\n");
        };
        match *request.method() {
            Method::POST => self.soap(mount, request).await,
            Method::GET => contract(mount, &request, &self.base_of(&request), self.pages),
            _ => method_not_allowed(),
        }
    }

    async fn soap<B>(&self, mount: &Mount, request: Request<B>) -> HttpResponse
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        let (parts, body) = request.into_parts();
        let conn = parts.extensions.get::<ConnInfo>().cloned();
        let client = conn
            .as_ref()
            .map(|c| self.proxies.client(&parts.headers, c));
        let request_id = request_id(&parts.headers);
        let intake = intake(
            &self.in_flight,
            self.limiter.as_ref(),
            &self.limits,
            client.map(|(ip, _)| ip),
            &parts.headers,
            body,
        )
        .await;
        let (media, body, attachments, bytes_in) = match intake {
            Ok(Intake {
                media,
                body,
                attachments,
                received,
                ..
            }) => (media, body, attachments, received),
            Err(IntakeError::Package { media, error }) => {
                let fault = Fault::from(error);
                let mut response = mount
                    .endpoint
                    .refuse(media.version_hint, &request_id, fault);
                response.package = Some(Vec::new());
                return soap_response(mount, response, 0);
            }
            Err(IntakeError::RateLimited { media, seconds }) => {
                let fault = Fault::server(format!(
                    "Rate limit exceeded: at most {} requests per second; retry after {seconds} s",
                    self.limits.rate_limit
                ))
                .with_retry_after(seconds);
                let response = mount
                    .endpoint
                    .refuse(media.version_hint, &request_id, fault);
                return soap_response(mount, response, 0);
            }
            Err(refused) => return refused.response(),
        };
        let response = mount
            .endpoint
            .handle(SoapRequest {
                body,
                attachments,
                mtom_reply: media.mtom_reply,
                version_hint: media.version_hint,
                action: media.action,
                charset: media.charset,
                request_id: request_id.into(),
                client_ip: client.map(|(ip, _)| ip),
                transport: client.map_or(Transport::Plain, |(_, t)| t),
                client_certificate: conn.and_then(|c| c.peer_user),
            })
            .await;
        soap_response(
            mount,
            response,
            usize::try_from(bytes_in).unwrap_or(usize::MAX),
        )
    }
}

/// The HTTP response of an endpoint's SOAP response: 200, 500 for a fault, 503 with
/// Retry-After for a fault worth retrying; with what the access line needs.
fn soap_response(mount: &Mount, response: SoapResponse, bytes_in: usize) -> HttpResponse {
    let status = match (response.fault, response.retry_after) {
        (None, _) => StatusCode::OK,
        (Some(_), Some(_)) => StatusCode::SERVICE_UNAVAILABLE,
        (Some(_), None) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let info = AccessInfo {
        service: mount.endpoint.service().name(),
        operation: response.operation,
        version: Some(response.version),
        fault: response.fault,
        fault_label: response.fault_label,
        fault_cause: response.fault_cause,
        bytes_in,
        user: response.user,
    };
    let (content_type, body) = match &response.package {
        Some(parts) => write_package(response.version, &response.body, parts),
        None => (
            response.version.content_type().to_string(),
            Bytes::from(response.body),
        ),
    };
    let mut http = Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type);
    if let Some(seconds) = response.retry_after {
        http = http.header(RETRY_AFTER, seconds);
    }
    let mut http = http
        .body(Full::new(body))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"));
    http.extensions_mut().insert(info);
    http
}

impl Routes {
    /// The URL the caller should use to reach us, without a path.
    fn base_of<B>(&self, request: &Request<B>) -> String {
        self.proxies
            .base_url(request.headers(), request.extensions().get::<ConnInfo>())
    }
}

fn html(page: String) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(page)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

fn contract<B>(mount: &Mount, request: &Request<B>, base: &str, pages: bool) -> HttpResponse {
    let query = request.uri().query().unwrap_or_default();
    let mut wants_wsdl = false;
    let mut xsd = None;
    let mut soap = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.eq_ignore_ascii_case("wsdl") {
            wants_wsdl = true;
        } else if key.eq_ignore_ascii_case("xsd") {
            xsd = Some(value);
        } else if key.eq_ignore_ascii_case("soap") {
            soap = Some(value);
        }
    }
    let document = match (xsd, wants_wsdl) {
        (Some(name), _) => match mount.contract.schema(name, base) {
            Some(schema) => schema,
            None => return plain(StatusCode::NOT_FOUND, "No such schema.\n"),
        },
        (None, true) => match soap {
            None => mount.contract.wsdl(base, served_over(request, base)),
            Some("1.1") => mount.contract.wsdl_soap11(base, served_over(request, base)),
            Some(_) => {
                return plain(
                    StatusCode::NOT_FOUND,
                    "No such WSDL view: use ?wsdl, or ?wsdl&soap=1.1 for SOAP 1.1 only.\n",
                );
            }
        },
        (None, false) if query.is_empty() && !pages => {
            return plain(
                StatusCode::NOT_FOUND,
                "The service pages are turned off; GET ?wsdl or ?xsd=NAME for the contract.\n",
            );
        }
        (None, false) if query.is_empty() => {
            let version = |v: &str| match v {
                "1.2" => crate::soap::SoapVersion::V12,
                _ => crate::soap::SoapVersion::V11,
            };
            return html(pages::service(base, &mount.view(), |op, v| {
                pages::sample(op, version(v))
            }));
        }
        (None, false) => return method_not_allowed(),
    };
    Response::builder()
        .header(CONTENT_TYPE, "text/xml; charset=utf-8")
        .body(Full::new(Bytes::from(document)))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"))
}

/// The kind of address the caller fetches the WSDL at: the scheme of its base URL, and a TLS
/// connection with a client certificate naming a user (the server requires one).
fn served_over<B>(request: &Request<B>, base: &str) -> ServedOver {
    let client_certificate = request
        .extensions()
        .get::<ConnInfo>()
        .is_some_and(|conn| conn.tls && conn.peer_user.is_some());
    ServedOver::of(base, client_certificate)
}

/// The request id from `X-Request-Id` (set by the request-id layer when the caller sent none);
/// anything unprintable or over-long is replaced by a fresh id.
const X_REQUEST_ID: &str = "x-request-id";

/// The caller's `X-Request-Id` when it is printable and at most 128 bytes, else a new id.
fn request_id(headers: &http::HeaderMap) -> String {
    headers
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(next_request_id, str::to_string)
}

fn method_not_allowed() -> HttpResponse {
    let mut response = plain(
        StatusCode::METHOD_NOT_ALLOWED,
        "SOAP requests use POST; GET ?wsdl or ?xsd=NAME for the contract.\n",
    );
    response
        .headers_mut()
        .insert(ALLOW, http::HeaderValue::from_static("GET, POST"));
    response
}

pub(super) fn plain(status: StatusCode, text: &str) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(text.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
