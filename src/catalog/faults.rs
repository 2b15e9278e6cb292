//! The Catalog service's fault details (declared in common.xsd; the order service reports
//! products and stock with them too) and the one place where [`CatalogError`] becomes a
//! SOAP fault.

use super::service::CatalogError;
use crate::codec::{Encode, Message};
use crate::common::{COMMON, FieldError};
use crate::endpoint::validation_fault;
use crate::soap::Fault;
use crate::xml::{Namespace, XmlWriter};

/// `c:ProductNotFoundFault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductNotFoundFault {
    pub message: String,
    pub sku: String,
}

/// `c:DuplicateProductFault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateProductFault {
    pub message: String,
    pub sku: String,
}

macro_rules! sku_fault {
    ($($t:ident),*) => {$(
        impl Message for $t {
            const NAMESPACE: Namespace = COMMON;
            const NAME: &'static str = stringify!($t);
        }

        impl Encode for $t {
            fn encode(&self, w: &mut XmlWriter) {
                w.element(COMMON, "message", &self.message);
                w.element(COMMON, "sku", &self.sku);
            }
        }
    )*};
}
sku_fault!(ProductNotFoundFault, DuplicateProductFault);

/// `c:InsufficientStockFault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsufficientStockFault {
    pub message: String,
    pub sku: String,
    pub requested: i64,
    pub available: i64,
}

impl Message for InsufficientStockFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "InsufficientStockFault";
}

impl Encode for InsufficientStockFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.element(COMMON, "sku", &self.sku);
        w.element(COMMON, "requested", &self.requested);
        w.element(COMMON, "available", &self.available);
    }
}

impl From<CatalogError> for Fault {
    fn from(error: CatalogError) -> Self {
        let message = error.to_string();
        match error {
            CatalogError::NotFound(sku) => {
                Fault::client(message.clone()).with_detail(ProductNotFoundFault { message, sku })
            }
            CatalogError::Duplicate(sku) => {
                Fault::client(message.clone()).with_detail(DuplicateProductFault { message, sku })
            }
            CatalogError::InsufficientStock {
                sku,
                requested,
                available,
            } => Fault::client(message.clone()).with_detail(InsufficientStockFault {
                message,
                sku,
                requested,
                available,
            }),
            CatalogError::Invalid(violations) => {
                validation_fault(violations.into_iter().map(FieldError::from).collect())
            }
            CatalogError::Internal(e) => e.into(),
        }
    }
}
