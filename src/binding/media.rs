//! Reading the SOAP-relevant HTTP request headers: Content-Type (a SOAP envelope or an
//! MTOM/XOP package of one), SOAPAction, and an Accept that asks for an MTOM answer.

use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE};

use crate::common::MediaType;
use crate::soap::SoapVersion;
use crate::xop::{PackageMedia, package_media};

/// What the headers say about a SOAP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapMedia {
    pub version_hint: Option<SoapVersion>,
    pub action: Option<String>,
    pub charset: Option<String>,
    /// Set when the body is an MTOM/XOP package.
    pub package: Option<PackageMedia>,
    /// The answer is to be an MTOM package: the request is one, or its Accept names
    /// `multipart/related`.
    pub mtom_reply: bool,
}

/// Why the request is not SOAP at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsupportedMedia {
    #[error(
        "unsupported media type '{0}': send text/xml (SOAP 1.1), application/soap+xml (SOAP \
         1.2) or an MTOM package of either (multipart/related; type=\"application/xop+xml\")"
    )]
    Type(String),
    #[error("{0}")]
    Package(String),
}

/// Reads Content-Type (`text/xml` → 1.1, `application/soap+xml` → 1.2 and its `action`
/// parameter; `application/xml` is tolerated; `multipart/related` for an XOP package, whose
/// `start-info` names the version), the SOAPAction header, quoted or not, which wins over an
/// `action` parameter, and Accept.
pub fn soap_media(headers: &HeaderMap) -> Result<SoapMedia, UnsupportedMedia> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let Some(parsed) = MediaType::parse(&content_type) else {
        return Err(UnsupportedMedia::Type(content_type));
    };
    let mut package = None;
    let version_hint = match parsed.essence.as_str() {
        "text/xml" => Some(SoapVersion::V11),
        "application/soap+xml" => Some(SoapVersion::V12),
        "application/xml" => None,
        "multipart/related" => {
            let found = package_media(&content_type).map_err(UnsupportedMedia::Package)?;
            let hint = found.version_hint;
            package = Some(found);
            hint
        }
        _ => return Err(UnsupportedMedia::Type(content_type)),
    };
    let param = |name: &str| parsed.param(name).map(str::to_string);
    let mut action = match &package {
        Some(package) => package.action.clone(),
        None => param("action"),
    };
    let charset = param("charset").filter(|_| package.is_none());
    if let Some(header) = headers.get("soapaction") {
        action = Some(unquote(&String::from_utf8_lossy(header.as_bytes())));
    }
    let accepts_package = headers.get_all(ACCEPT).iter().any(|accept| {
        String::from_utf8_lossy(accept.as_bytes())
            .to_ascii_lowercase()
            .contains("multipart/related")
    });
    Ok(SoapMedia {
        version_hint,
        action,
        charset,
        mtom_reply: package.is_some() || accepts_package,
        package,
    })
}

fn unquote(value: &str) -> String {
    let value = value.trim();
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(pairs: &[(&'static str, &'static str)]) -> Result<SoapMedia, UnsupportedMedia> {
        let mut headers = HeaderMap::new();
        for (k, v) in pairs {
            headers.insert(*k, v.parse().unwrap());
        }
        soap_media(&headers)
    }

    #[test]
    fn reads_versions_and_actions_as_clients_send_them() {
        let m = media(&[
            ("content-type", "text/xml; charset=utf-8"),
            ("soapaction", "\"urn:a#Op\""),
        ])
        .unwrap();
        assert_eq!(
            (m.version_hint, m.action.as_deref()),
            (Some(SoapVersion::V11), Some("urn:a#Op"))
        );
        let m = media(&[(
            "content-type",
            "application/soap+xml;charset=utf-8;action=\"urn:b\"",
        )])
        .unwrap();
        assert_eq!(
            (m.version_hint, m.action.as_deref()),
            (Some(SoapVersion::V12), Some("urn:b"))
        );
        let m = media(&[
            ("content-type", "application/soap+xml"),
            ("soapaction", "urn:c"),
        ])
        .unwrap();
        assert_eq!(m.action.as_deref(), Some("urn:c"));
        let m = media(&[("content-type", "text/xml"), ("soapaction", "\"\"")]).unwrap();
        assert_eq!(m.action.as_deref(), Some(""));
        assert!(media(&[("content-type", "application/json")]).is_err());
        assert!(media(&[]).is_err());
    }

    #[test]
    fn reads_mtom_packages_and_the_accept_that_asks_for_one() {
        let m = media(&[(
            "content-type",
            "multipart/related; type=\"application/xop+xml\"; boundary=\"b\"; \
             start-info=\"application/soap+xml\"; action=\"urn:p\"",
        )])
        .unwrap();
        assert_eq!(
            (m.version_hint, m.action.as_deref(), m.mtom_reply),
            (Some(SoapVersion::V12), Some("urn:p"), true)
        );
        assert!(m.package.is_some());
        let m = media(&[
            ("content-type", "text/xml"),
            ("accept", "text/xml, multipart/related"),
        ])
        .unwrap();
        assert!(m.mtom_reply && m.package.is_none());
        assert!(!media(&[("content-type", "text/xml")]).unwrap().mtom_reply);
        assert_eq!(
            media(&[(
                "content-type",
                "multipart/related; type=\"text/xml\"; boundary=b"
            )]),
            Err(UnsupportedMedia::Package(
                "multipart/related requests must be MTOM/XOP packages \
                 (type=\"application/xop+xml\"), not type=\"text/xml\""
                    .into()
            ))
        );
    }
}
