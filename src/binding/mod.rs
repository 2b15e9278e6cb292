//! The HTTP binding on hyper 1 and tokio: accepts connections, wraps them in the middleware
//! stack, routes requests to SOAP endpoints and contract documents, shuts down gracefully.

mod access;
mod base_url;
mod inflate;
mod intake;
mod media;
mod proxy;
mod request_id;
mod routes;
mod server;
mod tls;

pub use proxy::{BadProxy, ProxyTrust};
pub use routes::{AccessInfo, Mount, Probe, RequestLimits, Routes};
pub use server::{ServerOptions, serve};
pub use tls::{Tls, TlsError};
