//! XML primitives on top of quick-xml: request encodings, a namespace-aware pull reader with
//! hard limits, and an escaping writer. Nothing here knows about SOAP.

mod encoding;
mod limits;
mod reader;
mod writer;

pub use encoding::{SourceEncoding, to_utf8};
pub use limits::XmlLimits;
pub use reader::{Attr, Binding, Child, Event, Start, XmlError, XmlReader};
pub use writer::{XmlWriter, part_id};

/// The namespace bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` declarations themselves.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// XML Schema instance attributes (`xsi:nil`, `xsi:type`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A namespace together with the prefix Soapstone writes for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Namespace {
    pub uri: &'static str,
    pub prefix: &'static str,
}

/// An element name known at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QName {
    pub ns: &'static str,
    pub local: &'static str,
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{{{}}}{}", self.ns, self.local)
    }
}

/// True when `s` is only XML whitespace (space, tab, CR, LF).
pub fn is_whitespace(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}
