//! The one place where [`OrderError`] becomes a SOAP fault, with the fault details common.xsd
//! declares (generated). Products and stock are reported as the catalog reports them.

use super::model::OrderAction;
use super::service::OrderError;
use crate::catalog::CatalogError;
use crate::common::{self, FieldError, InvalidOrderStateFault, OrderNotFoundFault};
use crate::endpoint::validation_fault;
use crate::soap::Fault;

impl From<OrderError> for Fault {
    fn from(error: OrderError) -> Self {
        let message = error.to_string();
        match error {
            OrderError::NotFound(id) => {
                Fault::client(message.clone()).with_detail(OrderNotFoundFault { message, id })
            }
            OrderError::ProductNotFound(sku) => CatalogError::NotFound(sku).into(),
            OrderError::InsufficientStock {
                sku,
                requested,
                available,
            } => CatalogError::InsufficientStock {
                sku,
                requested,
                available,
            }
            .into(),
            OrderError::InvalidState {
                id,
                current,
                action,
            } => Fault::client(message.clone()).with_detail(InvalidOrderStateFault {
                message,
                id,
                current_status: current.as_str().to_string(),
                attempted_action: match action {
                    OrderAction::Cancel { .. } => common::OrderAction::Cancel,
                    OrderAction::Ship => common::OrderAction::Ship,
                },
            }),
            OrderError::Invalid(violations) => {
                validation_fault(violations.into_iter().map(FieldError::from).collect())
            }
            OrderError::Denied(denied) => denied.into(),
            OrderError::Internal(e) => e.into(),
        }
    }
}
