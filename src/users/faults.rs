//! The one place where [`UserError`] becomes a SOAP fault, with the fault details common.xsd
//! declares (generated).

use super::model::UserKey;
use super::repository::UniqueField;
use super::service::UserError;
use crate::common::{DuplicateUserFault, FieldError, UserField, UserNotFoundFault};
use crate::endpoint::validation_fault;
use crate::soap::Fault;

impl From<UserError> for Fault {
    fn from(error: UserError) -> Self {
        let message = error.to_string();
        match error {
            UserError::NotFound(key) => {
                let mut detail = UserNotFoundFault {
                    message: message.clone(),
                    id: None,
                    username: None,
                    email: None,
                };
                match key.0 {
                    UserKey::Id(id) => detail.id = Some(id),
                    UserKey::Username(name) => detail.username = Some(name),
                    UserKey::Email(email) => detail.email = Some(email),
                }
                Fault::client(message).with_detail(detail)
            }
            UserError::Duplicate { field, value } => {
                Fault::client(message.clone()).with_detail(DuplicateUserFault {
                    message,
                    field: match field {
                        UniqueField::Username => UserField::Username,
                        UniqueField::Email => UserField::Email,
                    },
                    value,
                })
            }
            UserError::Invalid(violations) => {
                validation_fault(violations.into_iter().map(FieldError::from).collect())
            }
            UserError::Denied(denied) => denied.into(),
            UserError::Internal(e) => e.into(),
            UserError::Hashing(reason) => {
                tracing::error!(%reason, "password hashing failed");
                Fault::internal()
            }
        }
    }
}
