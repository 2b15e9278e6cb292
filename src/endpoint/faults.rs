//! The one place where engine errors — XML, envelope, dispatch and decoding — become faults.

use crate::codec::DecodeError;
use crate::common::{FieldError, ValidationFault};
use crate::db::DbError;
use crate::soap::{EnvelopeError, Fault, FaultCode};
use crate::xml::XmlError;

impl From<std::convert::Infallible> for Fault {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// Storage failures: busy, full and unavailable are Server faults saying so (the same request
/// may succeed later; busy and unavailable are answered 503 with Retry-After); anything else
/// is an internal error. Nothing of the database reaches the caller.
impl From<DbError> for Fault {
    fn from(error: DbError) -> Self {
        tracing::error!(error = %error, "storage failed");
        match error {
            DbError::Busy => Fault::server("The database is busy; try again shortly"),
            DbError::Full => Fault::server("The database is full; try again later"),
            DbError::Unavailable(_) => {
                Fault::server("Storage unavailable; retry shortly").with_retry_after(1)
            }
            _ => Fault::internal(),
        }
    }
}

impl From<XmlError> for Fault {
    fn from(error: XmlError) -> Self {
        Fault::client(error.to_string())
    }
}

impl From<EnvelopeError> for Fault {
    fn from(error: EnvelopeError) -> Self {
        match error {
            EnvelopeError::VersionMismatch(_) => {
                Fault::new(FaultCode::VersionMismatch, error.to_string())
            }
            EnvelopeError::UnknownEncoding(_) => {
                Fault::new(FaultCode::DataEncodingUnknown, error.to_string())
            }
            other => Fault::client(other.to_string()),
        }
    }
}

impl From<DecodeError> for Fault {
    fn from(error: DecodeError) -> Self {
        match error {
            DecodeError::Xml(xml) => xml.into(),
            DecodeError::Invalid(issues) => {
                let errors: Vec<FieldError> = issues.into_iter().map(FieldError::from).collect();
                validation(errors)
            }
        }
    }
}

/// A Client fault with a `ValidationFault` detail listing `errors`; the reason names the
/// first few.
pub fn validation(errors: Vec<FieldError>) -> Fault {
    let mut reason = String::from("The request is invalid: ");
    for (i, e) in errors.iter().take(3).enumerate() {
        if i > 0 {
            reason.push_str("; ");
        }
        reason.push_str(&format!("{}: {}", e.path, e.message));
    }
    if errors.len() > 3 {
        reason.push_str(&format!("; and {} more", errors.len() - 3));
    }
    Fault::client(reason.clone()).with_detail(ValidationFault {
        message: reason,
        field_error: errors,
    })
}

pub fn not_understood(headers: Vec<(String, String)>) -> Fault {
    let names: Vec<String> = headers
        .iter()
        .map(|(ns, local)| format!("{{{ns}}}{local}"))
        .collect();
    let mut fault = Fault::new(
        FaultCode::MustUnderstand,
        format!(
            "Header block(s) marked mustUnderstand were not understood: {}",
            names.join(", ")
        ),
    );
    fault.not_understood = headers;
    fault
}

pub fn unknown_operation(element: &str) -> Fault {
    Fault::client(format!(
        "Unknown operation: this service has no operation whose request element is {element}"
    ))
}

pub fn action_mismatch(action: &str, operation: &str, expected: &str) -> Fault {
    Fault::client(format!(
        "The SOAPAction '{action}' does not match the operation {operation} in the Body \
         (its SOAPAction is '{expected}')"
    ))
}
