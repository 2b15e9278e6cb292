//! Routing by path: each mounted service answers POST with SOAP and GET `?wsdl` / `?xsd=`
//! with its contract; everything else is an HTTP error.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};

use super::base_url::external_base;
use super::media::soap_media;
use crate::contract::Contract;
use crate::endpoint::{Endpoint, SoapRequest};

/// Where a connection comes from and arrives at; put in each request's extensions.
#[derive(Debug, Clone, Copy)]
pub struct ConnInfo {
    pub remote: SocketAddr,
    pub local: SocketAddr,
}

/// A service at a path.
pub struct Mount {
    pub path: String,
    pub endpoint: Endpoint,
    pub contract: Contract,
}

/// Every mounted service, and the request body limit.
pub struct Routes {
    mounts: Vec<Mount>,
    max_body: usize,
}

type HttpResponse = Response<Full<Bytes>>;

impl Routes {
    pub fn new(mounts: Vec<Mount>, max_body: usize) -> Self {
        Routes { mounts, max_body }
    }

    pub fn mounts(&self) -> &[Mount] {
        &self.mounts
    }

    /// Answers one HTTP request.
    pub async fn handle<B>(self: Arc<Self>, request: Request<B>) -> HttpResponse
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let Some(mount) = self.mounts.iter().find(|m| m.path == request.uri().path()) else {
            return plain(StatusCode::NOT_FOUND, "No service at this path.\n");
        };
        match *request.method() {
            Method::POST => self.soap(mount, request).await,
            Method::GET => contract(mount, &request),
            _ => method_not_allowed(),
        }
    }

    async fn soap<B>(&self, mount: &Mount, request: Request<B>) -> HttpResponse
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();
        let media = match soap_media(&parts.headers) {
            Ok(media) => media,
            Err(e) => return plain(StatusCode::UNSUPPORTED_MEDIA_TYPE, &format!("{e}\n")),
        };
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.max_body as u64) {
            return too_large(self.max_body);
        }
        let body = match Limited::new(body, self.max_body).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<LengthLimitError>() => return too_large(self.max_body),
            Err(_) => {
                return plain(
                    StatusCode::BAD_REQUEST,
                    "The request body could not be read.\n",
                );
            }
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return plain(
                StatusCode::BAD_REQUEST,
                "The request body is empty; send a SOAP envelope.\n",
            );
        }
        let conn = parts.extensions.get::<ConnInfo>().copied();
        let response = mount
            .endpoint
            .handle(SoapRequest {
                body,
                version_hint: media.version_hint,
                action: media.action,
                request_id: request_id(&parts.headers).into(),
                remote_addr: conn.map(|c| c.remote),
            })
            .await;
        let status = if response.fault.is_some() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        };
        Response::builder()
            .status(status)
            .header(CONTENT_TYPE, response.version.content_type())
            .body(Full::new(Bytes::from(response.body)))
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"))
    }
}

fn contract<B>(mount: &Mount, request: &Request<B>) -> HttpResponse {
    let query = request.uri().query().unwrap_or_default();
    let local = request
        .extensions()
        .get::<ConnInfo>()
        .map_or_else(|| ([127, 0, 0, 1], 0).into(), |c| c.local);
    let base = || external_base(request.headers(), false, local);
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
        (Some(name), _) => match mount.contract.schema(name, &base()) {
            Some(schema) => schema,
            None => return plain(StatusCode::NOT_FOUND, "No such schema.\n"),
        },
        (None, true) => match soap {
            None => mount.contract.wsdl(&base()),
            Some("1.1") => mount.contract.wsdl_soap11(&base()),
            Some(_) => {
                return plain(
                    StatusCode::NOT_FOUND,
                    "No such WSDL view: use ?wsdl, or ?wsdl&soap=1.1 for SOAP 1.1 only.\n",
                );
            }
        },
        (None, false) => return method_not_allowed(),
    };
    Response::builder()
        .header(CONTENT_TYPE, "text/xml; charset=utf-8")
        .body(Full::new(Bytes::from(document)))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "response error\n"))
}

/// The request id from `X-Request-Id` (set by the request-id layer when the caller sent none);
/// anything unprintable or over-long is replaced by a fresh id.
fn request_id(headers: &http::HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string)
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

fn too_large(max: usize) -> HttpResponse {
    plain(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("The request body is larger than the limit of {max} bytes.\n"),
    )
}

fn plain(status: StatusCode, text: &str) -> HttpResponse {
    let mut response = Response::new(Full::new(Bytes::from(text.to_string())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
