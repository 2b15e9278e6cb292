//! Types of `xsd/common.xsd` that every service shares: fault details and paging.

mod faults;
mod paging;

pub use faults::{FieldError, ServerFault, ValidationFault};
pub use paging::{Cursor, CursorValue, PageTokenError, PageTokens};

use crate::xml::Namespace;

/// `http://soapstone.dev/schema/common/v1`.
pub const COMMON: Namespace = Namespace {
    uri: "http://soapstone.dev/schema/common/v1",
    prefix: "c",
};
