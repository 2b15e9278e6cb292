//! The Order service's own fault details (declared in common.xsd) and the one place where
//! [`OrderError`] becomes a SOAP fault. Products and stock are reported as the catalog
//! reports them.

use super::service::OrderError;
use crate::catalog::CatalogError;
use crate::codec::{Encode, Message};
use crate::common::{COMMON, FieldError};
use crate::endpoint::validation_fault;
use crate::soap::Fault;
use crate::xml::{Namespace, XmlWriter};

/// `c:OrderNotFoundFault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNotFoundFault {
    pub message: String,
    pub id: i64,
}

impl Message for OrderNotFoundFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "OrderNotFoundFault";
}

impl Encode for OrderNotFoundFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.element(COMMON, "id", &self.id);
    }
}

/// `c:InvalidOrderStateFault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOrderStateFault {
    pub message: String,
    pub id: i64,
    pub current_status: &'static str,
    pub attempted_action: &'static str,
}

impl Message for InvalidOrderStateFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "InvalidOrderStateFault";
}

impl Encode for InvalidOrderStateFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.element(COMMON, "id", &self.id);
        w.text_element(COMMON.prefix, "currentStatus", self.current_status);
        w.text_element(COMMON.prefix, "attemptedAction", self.attempted_action);
    }
}

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
                current_status: current.as_str(),
                attempted_action: action,
            }),
            OrderError::Invalid(violations) => {
                validation_fault(violations.into_iter().map(FieldError::from).collect())
            }
            OrderError::Denied(denied) => denied.into(),
            OrderError::Internal(e) => e.into(),
        }
    }
}
