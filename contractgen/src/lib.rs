//! contractgen: Soapstone's message layer generated from its contract, as CXF's wsdl2java and
//! gSOAP's soapcpp2 do, at build time. A staged pipeline with a named model between the
//! stages, as xsd-parser has it:
//!
//! 1. [`parse`] reads WSDL and XSD files (following `xs:import`) into a raw schema tree;
//! 2. [`model`] resolves it into named types, global elements and service contracts, with
//!    the caller's [`TypeMap`] injecting existing Rust types;
//! 3. [`emit`] writes Rust source on Soapstone's codec helpers, for `OUT_DIR`.
//!
//! A construct the model does not handle is an [`Error::Unsupported`] naming it and where it
//! is, never skipped.

pub mod config;
pub mod emit;
pub mod error;
pub mod model;
mod names;
pub mod parse;
pub mod qname;

use std::path::PathBuf;

pub use config::{Config, NamespaceBinding, TypeMap};
pub use error::{Error, Location};
pub use model::Model;

/// Stages 1 and 2: reads `files` and what they import, and resolves them with `config`.
pub fn load(files: &[PathBuf], config: &Config) -> Result<Model, Error> {
    let sources = parse::load(files)?;
    model::resolve(&sources, config)
}
