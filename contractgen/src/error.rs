//! What can go wrong in each stage, always with the place in the contract it concerns.

use std::fmt;
use std::path::PathBuf;

/// A place in a contract document: the file, the line and the element path from the document
/// element, e.g. `schema/complexType[Item]/sequence/element[id]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub path: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.path)
    }
}

/// Why the contract could not be turned into code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not well-formed XML: {source}", path.display())]
    Xml {
        path: PathBuf,
        source: roxmltree::Error,
    },
    /// A construct the generator does not handle; never skipped silently.
    #[error("{at}: {construct} is not supported by contractgen")]
    Unsupported { construct: String, at: Location },
    /// A construct the generator handles, used in a way XML Schema or WSDL does not allow.
    #[error("{at}: {message}")]
    Invalid { message: String, at: Location },
    /// A reference to a type, element, message, port type or binding that no document
    /// defines.
    #[error("{at}: {kind} {{{namespace}}}{name} is not defined")]
    Undefined {
        kind: &'static str,
        namespace: String,
        name: String,
        at: Location,
    },
    /// Two definitions of one name that are not the same definition.
    #[error("{second}: {kind} {name} is already defined at {first}")]
    Duplicate {
        kind: &'static str,
        name: String,
        first: Box<Location>,
        second: Box<Location>,
    },
    /// A built-in XML Schema type the caller's type map has no Rust type for.
    #[error("{at}: xs:{name} has no Rust type in the type map")]
    UnmappedBuiltin { name: String, at: Location },
    /// Code for a namespace was asked for, or referred to, without a binding that names its
    /// Rust module.
    #[error("namespace {0} has no binding (Rust module, constant and prefix) in the config")]
    UnboundNamespace(String),
}

impl Error {
    pub(crate) fn unsupported(construct: impl Into<String>, at: Location) -> Self {
        Error::Unsupported {
            construct: construct.into(),
            at,
        }
    }

    pub(crate) fn duplicate(
        kind: &'static str,
        name: impl Into<String>,
        first: &Location,
        second: &Location,
    ) -> Self {
        Error::Duplicate {
            kind,
            name: name.into(),
            first: Box::new(first.clone()),
            second: Box::new(second.clone()),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>, at: Location) -> Self {
        Error::Invalid {
            message: message.into(),
            at,
        }
    }
}
