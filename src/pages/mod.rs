//! Service pages: `GET /services` lists every service with its endpoint, WSDL, schemas and
//! operations; `GET /services/<Service>` documents each operation (from the WSDL's
//! documentation) with its SOAP 1.1 and 1.2 samples and a form that sends them.

mod docs;
mod html;
mod samples;

pub use docs::{ServiceDocs, service_docs};
pub use html::{ServiceView, escape, index, service};
pub use samples::sample;
