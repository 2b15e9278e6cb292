//! Operation dispatch: a service's operations keyed by the QName of their body element, the
//! SOAPAction check, and the axum-style handler model that calls plain async functions with
//! typed extractors and a typed request.

mod context;
mod handler;
mod service;

pub use context::{FromContext, RequestContext, State};
pub use handler::{Handler, HandlerFuture};
pub use service::{Dispatched, OperationInfo, PreparedCall, Service, SoapService};
