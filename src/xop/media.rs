//! The media type of an XOP package: `multipart/related` with `type="application/xop+xml"`,
//! its `boundary`, the root part's Content-ID (`start`) and the SOAP media type of the root
//! (`start-info`, with the SOAP 1.2 `action` there or on the package itself).

use crate::common::MediaType;
use crate::soap::SoapVersion;

/// What the Content-Type of an XOP package says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageMedia {
    pub boundary: String,
    /// The root part's Content-ID without angle brackets; the first part when absent.
    pub start: Option<String>,
    /// The SOAP version `start-info` names.
    pub version_hint: Option<SoapVersion>,
    /// The SOAP 1.2 `action` parameter of the package or of its `start-info`.
    pub action: Option<String>,
}

/// Reads a `multipart/related` Content-Type; `Err` with the reason when it is not an XOP
/// package this server reads (SOAP with Attachments, `type="text/xml"`, is not).
pub fn package_media(content_type: &str) -> Result<PackageMedia, String> {
    let media = MediaType::parse(content_type)
        .ok_or_else(|| format!("the Content-Type '{content_type}' cannot be parsed"))?;
    let kind = media.param("type").unwrap_or_default();
    if !kind.eq_ignore_ascii_case("application/xop+xml") {
        return Err(format!(
            "multipart/related requests must be MTOM/XOP packages (type=\"application/xop+xml\"), \
             not type=\"{kind}\""
        ));
    }
    let boundary = media
        .param("boundary")
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or("the multipart/related Content-Type has no usable boundary (1 to 70 characters)")?;
    let start_info = media.param("start-info").and_then(MediaType::parse);
    let version_hint = start_info
        .as_ref()
        .and_then(|info| match info.essence.as_str() {
            "text/xml" => Some(SoapVersion::V11),
            "application/soap+xml" => Some(SoapVersion::V12),
            _ => None,
        });
    let action = media
        .param("action")
        .or_else(|| start_info.as_ref().and_then(|info| info.param("action")))
        .map(str::to_string);
    Ok(PackageMedia {
        boundary: boundary.to_string(),
        start: media.param("start").map(content_id),
        version_hint,
        action,
    })
}

/// A Content-ID header value or `start` parameter without its angle brackets.
pub(super) fn content_id(value: &str) -> String {
    let value = value.trim();
    value
        .strip_prefix('<')
        .and_then(|v| v.strip_suffix('>'))
        .unwrap_or(value)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_as_jaxws_wcf_and_cxf_label_them() {
        let jaxws = package_media(
            "multipart/related;start=\"<rootpart*abc@example.jaxws.sun.com>\";\
             type=\"application/xop+xml\";boundary=\"uuid:abc\";start-info=\"text/xml\"",
        )
        .unwrap();
        assert_eq!(jaxws.boundary, "uuid:abc");
        assert_eq!(
            jaxws.start.as_deref(),
            Some("rootpart*abc@example.jaxws.sun.com")
        );
        assert_eq!(jaxws.version_hint, Some(SoapVersion::V11));
        let wcf = package_media(
            "multipart/related; type=\"application/xop+xml\"; \
             start=\"<http://tempuri.org/0>\"; boundary=\"uuid:1+id=1\"; \
             start-info=\"application/soap+xml; action=\\\"urn:op\\\"\"",
        )
        .unwrap();
        assert_eq!(wcf.version_hint, Some(SoapVersion::V12));
        assert_eq!(wcf.action.as_deref(), Some("urn:op"));
        let cxf = package_media(
            "multipart/related; type=\"application/xop+xml\"; boundary=\"b1\"; \
             start-info=\"application/soap+xml\"; action=\"urn:x\"",
        )
        .unwrap();
        assert_eq!((cxf.start, cxf.action.as_deref()), (None, Some("urn:x")));
    }

    #[test]
    fn refuses_soap_with_attachments_and_missing_boundaries() {
        assert!(package_media("multipart/related; type=\"text/xml\"; boundary=b").is_err());
        assert!(package_media("multipart/related; type=\"application/xop+xml\"").is_err());
        assert!(
            package_media(&format!(
                "multipart/related; type=\"application/xop+xml\"; boundary={}",
                "b".repeat(71)
            ))
            .is_err()
        );
    }
}
