//! The one place where [`CatalogError`] becomes a SOAP fault, with the fault details common.xsd
//! declares (generated; the order service reports products and stock with them too).

use super::service::CatalogError;
use crate::common::{
    DuplicateProductFault, FieldError, InsufficientStockFault, ProductNotFoundFault,
};
use crate::endpoint::validation_fault;
use crate::soap::Fault;

impl From<CatalogError> for Fault {
    fn from(error: CatalogError) -> Self {
        let message = error.to_string();
        match error {
            CatalogError::NotFound(sku) | CatalogError::NoImage(sku) => {
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
