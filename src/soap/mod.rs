//! SOAP 1.1 and 1.2 messages: reading the envelope, the header blocks, faults, and writing
//! response and fault envelopes. Nothing here knows about services or HTTP.

mod envelope;
mod fault;
mod header;
mod version;
mod writer;

pub use envelope::{EnvelopeError, EnvelopeHead, close_envelope, open_envelope};
pub use fault::{Fault, FaultCode, FaultDetail, FaultNote};
pub use header::{HeaderBlock, HeaderTarget};
pub use version::SoapVersion;
pub use writer::{BodyWriter, HeaderWriter, write_fault, write_optimized_response, write_response};
