//! How Auth service errors reach the wire.

use super::AuthError;
use crate::endpoint::validation_fault;
use crate::soap::Fault;

impl From<AuthError> for Fault {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::Security(e) => e.into(),
            AuthError::Invalid(violations) => {
                validation_fault(violations.into_iter().map(Into::into).collect())
            }
            AuthError::Internal(e) => e.into(),
        }
    }
}
