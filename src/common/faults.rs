//! Fault detail elements declared in common.xsd.

use super::COMMON;
use crate::codec::{Encode, FieldIssue, Message};
use crate::xml::{Namespace, XmlWriter};

/// `c:FieldError`: one invalid field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl Encode for FieldError {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "path", &self.path);
        w.element(COMMON, "message", &self.message);
    }
}

impl From<FieldIssue> for FieldError {
    fn from(issue: FieldIssue) -> Self {
        FieldError {
            path: issue.path,
            message: issue.message,
        }
    }
}

/// One rule a request broke, found by a service: which field (a path relative to the
/// operation element) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: String,
    pub message: String,
}

/// A [`Violation`] of `field`.
pub fn violation(field: impl Into<String>, message: impl Into<String>) -> Violation {
    Violation {
        field: field.into(),
        message: message.into(),
    }
}

impl From<Violation> for FieldError {
    fn from(violation: Violation) -> Self {
        FieldError {
            path: violation.field,
            message: violation.message,
        }
    }
}

/// `c:ValidationFault`: every invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationFault {
    pub message: String,
    pub errors: Vec<FieldError>,
}

impl Message for ValidationFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "ValidationFault";
}

impl Encode for ValidationFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.repeated(COMMON, "fieldError", &self.errors);
    }
}

/// `c:ServerFault`: the request id under which an internal error was logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFault {
    pub message: String,
    pub request_id: String,
}

impl Message for ServerFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "ServerFault";
}

impl Encode for ServerFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.element(COMMON, "requestId", &self.request_id);
    }
}

/// `c:AccessDeniedFault`: the caller is authenticated, but its roles or the ownership of the
/// record do not allow the operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessDeniedFault {
    pub message: String,
    pub operation: String,
}

impl Message for AccessDeniedFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "AccessDeniedFault";
}

impl Encode for AccessDeniedFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.element(COMMON, "operation", &self.operation);
    }
}
