//! MTOM/XOP packages (SOAP MTOM, XOP 1.0) over HTTP: the `multipart/related;
//! type="application/xop+xml"` media type ([`media`]), reading a request package into its
//! root part and its attachments with hard limits, streaming large parts to temporary files
//! ([`reader`]), and writing a response package ([`writer`]). What an `xop:Include` in the
//! root part means is the codec's business (`crate::codec::Binary`).

mod media;
mod reader;
mod writer;

pub use media::{PackageMedia, package_media};
pub use reader::{Package, PackageError, PackageLimits, read_package};
pub use writer::write_package;
