//! Reading the SOAP-relevant HTTP request headers: Content-Type and SOAPAction.

use http::HeaderMap;
use http::header::CONTENT_TYPE;

use crate::soap::SoapVersion;

/// What the headers say about a SOAP request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapMedia {
    pub version_hint: Option<SoapVersion>,
    pub action: Option<String>,
    pub charset: Option<String>,
}

/// Why the request is not SOAP at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported media type '{0}': send text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)"
)]
pub struct UnsupportedMedia(pub String);

/// Reads Content-Type (`text/xml` → 1.1, `application/soap+xml` → 1.2 and its `action`
/// parameter; `application/xml` is tolerated) and the SOAPAction header, quoted or not, which
/// wins over the `action` parameter when both are present.
pub fn soap_media(headers: &HeaderMap) -> Result<SoapMedia, UnsupportedMedia> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let mut params = content_type.split(';');
    let media = params
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let version_hint = match media.as_str() {
        "text/xml" => Some(SoapVersion::V11),
        "application/soap+xml" => Some(SoapVersion::V12),
        "application/xml" => None,
        _ => return Err(UnsupportedMedia(content_type)),
    };
    let params: Vec<(String, String)> = params
        .filter_map(|p| {
            let (key, value) = p.split_once('=')?;
            Some((key.trim().to_ascii_lowercase(), unquote(value)))
        })
        .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut action = param("action");
    let charset = param("charset");
    if let Some(header) = headers.get("soapaction") {
        action = Some(unquote(&String::from_utf8_lossy(header.as_bytes())));
    }
    Ok(SoapMedia {
        version_hint,
        action,
        charset,
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
}
