//! Qualified XML names, as every stage refers to types, elements and WSDL parts.

use std::fmt;

/// `{namespace}local`; the namespace is empty for names in no namespace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub namespace: String,
    pub local: String,
}

impl QName {
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> Self {
        QName {
            namespace: namespace.into(),
            local: local.into(),
        }
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}{}", self.namespace, self.local)
    }
}

/// The XML Schema namespace.
pub const XS: &str = "http://www.w3.org/2001/XMLSchema";
