//! The Auth service: Login, Logout, WhoAmI and the audit trail (ListAuditEvents), served as
//! `AuthService`. The checks themselves live in `crate::security`; this is their SOAP face.
//!
//! `service` holds the rules, `messages` the SOAP messages of `xsd/security.xsd`,
//! `operations` the handlers and their access table, `faults` how errors reach the wire.

mod faults;
mod operations;
mod service;

pub use crate::security::schema::SECURITY;
pub use operations::soap_service;
pub use service::{AuditPage, AuditRequest, AuthError, AuthService};

/// The WSDL of this service.
pub const WSDL: &str = include_str!("../../wsdl/AuthService.wsdl");
