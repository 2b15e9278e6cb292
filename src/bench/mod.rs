//! The shared benchmark contract (`urn:bench`, `wsdl/BenchService.wsdl` served verbatim) as a
//! built-in service at `/bench`, on the same engine path as every other service.

#[cfg(test)]
mod goldens;
mod messages;
mod operations;

pub use messages::{BENCH, Echo, EchoResponse, GetItem, GetItemResponse, Item};
pub use operations::soap_service;

/// The WSDL of this service, a verbatim copy of the shared contract.
pub const WSDL: &str = include_str!("../../wsdl/BenchService.wsdl");
