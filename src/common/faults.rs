//! How the problems found in a request become `c:FieldError` entries: the decoder's field
//! issues and the services' rule violations.

use super::schema::FieldError;
use crate::codec::FieldIssue;

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
