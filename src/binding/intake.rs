//! The HTTP intake of a SOAP request, in order, before any XML is read: a place among the
//! requests in flight, a SOAP media type, the client's rate limit, the body (its size limit
//! and read timeout), its inflation, and that it is not empty. Each refusal is an
//! [`IntakeError`], answered in one place ([`IntakeError::response`]) with the HTTP status a
//! client or proxy expects and a plain-text reason — except the rate limit and an MTOM
//! package that cannot be read, which are SOAP faults and therefore written by the endpoint
//! ([`crate::endpoint::Endpoint::refuse`]). An MTOM package is read as it streams in
//! (`crate::xop`), under the same read timeout, never inflated.

use std::net::IpAddr;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_ENCODING, CONTENT_LENGTH, RETRY_AFTER};
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyDataStream, BodyExt, LengthLimitError, Limited};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::inflate::{InflateError, inflate};
use super::media::{SoapMedia, UnsupportedMedia, soap_media};
use super::routes::{HttpResponse, RequestLimits, plain};
use crate::codec::Attachments;
use crate::shared::SharedLimiter;
use crate::xop::{PackageError, PackageLimits, PackageMedia, read_package};

/// A request that passed the intake: its body (inflated, or the root part of its MTOM
/// package), what its headers said, and the package's attachments.
pub struct Intake<'a> {
    pub media: SoapMedia,
    pub body: Bytes,
    pub attachments: Option<Attachments>,
    /// The bytes received (for an MTOM package, of every part).
    pub received: u64,
    /// Held until the response is written.
    pub _permit: SemaphorePermit<'a>,
}

/// Why the intake refused a request.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("Too many requests in flight; retry shortly.")]
    Busy,
    #[error("{0}")]
    Media(#[from] UnsupportedMedia),
    /// More requests than the client's rate allows; the SOAP version is the one its media
    /// type named, for the fault.
    #[error("Rate limit exceeded: retry after {seconds} s")]
    RateLimited { media: SoapMedia, seconds: u64 },
    #[error("The request body is larger than the limit of {0} bytes.")]
    TooLarge(usize),
    #[error("The request body could not be read.")]
    Unreadable,
    #[error("The request body did not arrive in time.")]
    Slow,
    #[error("{0}")]
    Inflate(#[from] InflateError),
    #[error("The request body is empty; send a SOAP envelope.")]
    Empty,
    /// An MTOM package that could not be read; a Client fault in the SOAP version its media
    /// type named.
    #[error("{error}")]
    Package {
        media: SoapMedia,
        error: PackageError,
    },
}

impl IntakeError {
    /// The HTTP response of a refusal other than [`IntakeError::RateLimited`] and
    /// [`IntakeError::Package`] (SOAP faults, which the endpoint writes).
    pub fn response(&self) -> HttpResponse {
        let status = match self {
            IntakeError::Busy | IntakeError::RateLimited { .. } => StatusCode::SERVICE_UNAVAILABLE,
            IntakeError::Package { .. } => StatusCode::BAD_REQUEST,
            IntakeError::Media(_) | IntakeError::Inflate(InflateError::Unsupported(_)) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            IntakeError::TooLarge(_)
            | IntakeError::Inflate(InflateError::TooLarge(_) | InflateError::Ratio(_)) => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            IntakeError::Unreadable
            | IntakeError::Empty
            | IntakeError::Inflate(InflateError::Corrupt) => StatusCode::BAD_REQUEST,
            IntakeError::Slow => StatusCode::REQUEST_TIMEOUT,
        };
        let mut response = plain(status, &format!("{self}\n"));
        let headers = response.headers_mut();
        match self {
            IntakeError::Busy => {
                headers.insert(RETRY_AFTER, http::HeaderValue::from_static("1"));
            }
            IntakeError::Slow => {
                headers.insert(CONNECTION, http::HeaderValue::from_static("close"));
            }
            _ => {}
        }
        response
    }
}

/// Runs the intake of a request from `client` with `headers` and `body`.
pub async fn intake<'a, B>(
    in_flight: &'a Semaphore,
    limiter: Option<&SharedLimiter<IpAddr>>,
    limits: &RequestLimits,
    client: Option<IpAddr>,
    headers: &HeaderMap,
    body: B,
) -> Result<Intake<'a>, IntakeError>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    let permit = in_flight.try_acquire().map_err(|_| IntakeError::Busy)?;
    let media = soap_media(headers)?;
    if let (Some(limiter), Some(ip)) = (limiter, client)
        && let Err(wait) = limiter.check(ip).await
    {
        return Err(IntakeError::RateLimited {
            media,
            seconds: wait.as_secs().max(1),
        });
    }
    if let Some(package) = media.package.clone() {
        return package_intake(media, &package, limits, headers, body, permit).await;
    }
    let max_body = limits.max_body;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max_body as u64) {
        return Err(IntakeError::TooLarge(max_body));
    }
    let collected = tokio::time::timeout(
        limits.body_read_timeout,
        Limited::new(body, max_body).collect(),
    )
    .await
    .map_err(|_| IntakeError::Slow)?;
    let body = match collected {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => return Err(IntakeError::TooLarge(max_body)),
        Err(_) => return Err(IntakeError::Unreadable),
    };
    let encoding = headers
        .get(CONTENT_ENCODING)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let body = inflate(
        body,
        encoding.as_deref(),
        max_body,
        limits.max_inflate_ratio,
    )?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(IntakeError::Empty);
    }
    Ok(Intake {
        media,
        received: body.len() as u64,
        body,
        attachments: None,
        _permit: permit,
    })
}

/// The intake of an MTOM package: read as it streams in, within the read timeout, never
/// compressed.
async fn package_intake<'a, B>(
    mut media: SoapMedia,
    package: &PackageMedia,
    limits: &RequestLimits,
    headers: &HeaderMap,
    body: B,
    permit: SemaphorePermit<'a>,
) -> Result<Intake<'a>, IntakeError>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
{
    if headers
        .get(CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        return Err(IntakeError::Media(UnsupportedMedia::Package(
            "compressed MTOM packages are not read; send the package without Content-Encoding"
                .into(),
        )));
    }
    let package_limits = PackageLimits {
        max_root: limits.max_body,
        max_attachments: limits.max_attachments,
        max_parts: limits.max_parts,
        ..PackageLimits::default()
    };
    let read = tokio::time::timeout(
        limits.body_read_timeout,
        read_package(BodyDataStream::new(body), package, &package_limits),
    )
    .await
    .map_err(|_| IntakeError::Slow)?;
    let package = match read {
        Ok(package) => package,
        Err(error) => return Err(IntakeError::Package { media, error }),
    };
    if package.root.iter().all(u8::is_ascii_whitespace) {
        return Err(IntakeError::Empty);
    }
    media.charset = package.charset;
    Ok(Intake {
        media,
        body: package.root,
        attachments: Some(package.attachments),
        received: package.received,
        _permit: permit,
    })
}
