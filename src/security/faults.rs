//! How security failures reach the wire: WS-Security 1.1 fault codes as Client (SOAP 1.2
//! Sender) faults, and `AccessDeniedFault`.

use super::{AccessDenied, SecurityError, WSSE_NS};
use crate::common::AccessDeniedFault;
use crate::soap::{Fault, FaultNote};
use crate::xml::Namespace;

/// The WS-Security namespace with the prefix fault codes are written with.
pub const WSSE: Namespace = Namespace {
    uri: WSSE_NS,
    prefix: "wsse",
};

impl From<SecurityError> for Fault {
    fn from(error: SecurityError) -> Self {
        let reason = error.to_string();
        let fault = match error.wsse_code() {
            Some(code) => Fault::client(reason).with_subcode(&WSSE, code),
            None => Fault::server(reason),
        }
        .with_cause(error.class());
        match error {
            SecurityError::Throttled => fault.with_note(FaultNote::Throttled),
            // The store is down: answered 503 with Retry-After, like any storage outage.
            SecurityError::Unavailable => fault.with_retry_after(1),
            _ => fault,
        }
    }
}

impl From<AccessDenied> for Fault {
    fn from(denied: AccessDenied) -> Self {
        let message = format!(
            "Access denied: {} is not allowed for this caller ({})",
            denied.operation, denied.reason
        );
        Fault::client(message.clone()).with_detail(AccessDeniedFault {
            message,
            operation: denied.operation.to_string(),
        })
    }
}
