//! The two SOAP versions: their namespaces, media types and the names of their fault codes.

use crate::xml::Namespace;

/// SOAP 1.1 or 1.2, told apart by the Envelope namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SoapVersion {
    V11,
    V12,
}

impl SoapVersion {
    pub const NS_11: &'static str = "http://schemas.xmlsoap.org/soap/envelope/";
    pub const NS_12: &'static str = "http://www.w3.org/2003/05/soap-envelope";

    /// The version whose Envelope is in namespace `ns`.
    pub fn from_namespace(ns: &str) -> Option<Self> {
        match ns {
            Self::NS_11 => Some(SoapVersion::V11),
            Self::NS_12 => Some(SoapVersion::V12),
            _ => None,
        }
    }

    /// The envelope namespace with the prefix we write for it.
    pub fn namespace(self) -> Namespace {
        match self {
            SoapVersion::V11 => Namespace {
                uri: Self::NS_11,
                prefix: "soap",
            },
            SoapVersion::V12 => Namespace {
                uri: Self::NS_12,
                prefix: "env",
            },
        }
    }

    /// The exact Content-Type of responses (JAX-WS and ASMX accept nothing else).
    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::V11 => "text/xml; charset=utf-8",
            SoapVersion::V12 => "application/soap+xml; charset=utf-8",
        }
    }

    /// The media type without parameters (`start-info` and `type` of an MTOM package).
    pub fn media_type(self) -> &'static str {
        match self {
            SoapVersion::V11 => "text/xml",
            SoapVersion::V12 => "application/soap+xml",
        }
    }

    /// "1.1" or "1.2", for logs.
    pub fn label(self) -> &'static str {
        match self {
            SoapVersion::V11 => "1.1",
            SoapVersion::V12 => "1.2",
        }
    }
}
