//! The User service's fault details (declared in common.xsd) and the one place where
//! [`UserError`] becomes a SOAP fault.

use super::model::UserKey;
use super::service::{UserError, field_name};
use crate::codec::{Encode, Message};
use crate::common::{COMMON, FieldError};
use crate::endpoint::validation_fault;
use crate::soap::Fault;
use crate::xml::{Namespace, XmlWriter};

/// `c:UserNotFoundFault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserNotFoundFault {
    pub message: String,
    pub id: Option<i64>,
    pub username: Option<String>,
}

impl Message for UserNotFoundFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "UserNotFoundFault";
}

impl Encode for UserNotFoundFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.optional(COMMON, "id", self.id.as_ref());
        w.optional(COMMON, "username", self.username.as_ref());
    }
}

/// `c:DuplicateUserFault`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateUserFault {
    pub message: String,
    pub field: &'static str,
    pub value: String,
}

impl Message for DuplicateUserFault {
    const NAMESPACE: Namespace = COMMON;
    const NAME: &'static str = "DuplicateUserFault";
}

impl Encode for DuplicateUserFault {
    fn encode(&self, w: &mut XmlWriter) {
        w.element(COMMON, "message", &self.message);
        w.open(COMMON.prefix, "field");
        w.text(self.field);
        w.end(COMMON.prefix, "field");
        w.element(COMMON, "value", &self.value);
    }
}

impl From<UserError> for Fault {
    fn from(error: UserError) -> Self {
        let message = error.to_string();
        match error {
            UserError::NotFound(key) => {
                let (id, username) = match key.0 {
                    UserKey::Id(id) => (Some(id), None),
                    UserKey::Username(name) => (None, Some(name)),
                };
                Fault::client(message.clone()).with_detail(UserNotFoundFault {
                    message,
                    id,
                    username,
                })
            }
            UserError::Duplicate { field, value } => {
                Fault::client(message.clone()).with_detail(DuplicateUserFault {
                    message,
                    field: field_name(field),
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
