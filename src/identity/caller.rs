//! The authenticated caller of an operation, as handlers take it, and the ownership checks
//! that narrow an operation to the caller's own records.

use time::OffsetDateTime;

use super::Role;

/// How a caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// WS-Security UsernameToken with PasswordText.
    Password,
    /// WS-Security UsernameToken with PasswordDigest.
    Digest,
    /// A SessionToken header from AuthService Login.
    Session,
    /// An X.509 signed message.
    Signature,
    /// A verified TLS client certificate.
    Certificate,
}

crate::common::names!(AuthMethod {
    Password = "password",
    Digest = "digest",
    Session = "session",
    Signature = "signature",
    Certificate = "certificate",
});

/// The session a caller authenticated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    /// SHA-256 of the token, as stored.
    pub token_hash: [u8; 32],
    pub expires_at: OffsetDateTime,
}

/// Who is calling, established by the security phase before the handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub username: String,
    /// Sorted, at least one.
    pub roles: Vec<Role>,
    pub method: AuthMethod,
    pub session: Option<SessionRef>,
    /// The operation being called, for denial messages.
    pub operation: &'static str,
}

/// The caller may not do this; becomes an `AccessDeniedFault`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("access denied to {operation}: {reason}")]
pub struct AccessDenied {
    pub operation: &'static str,
    pub reason: String,
}

impl Caller {
    pub fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }

    /// A denial of this operation for `reason`.
    pub fn deny(&self, reason: impl Into<String>) -> AccessDenied {
        AccessDenied {
            operation: self.operation,
            reason: reason.into(),
        }
    }

    /// Passes when the caller holds one of `any_user` (it may act on every user's records) or
    /// when `owner` is the caller itself.
    pub fn owns_or(&self, owner: i64, any_user: &[Role]) -> Result<(), AccessDenied> {
        if owner == self.user_id || self.has_any(any_user) {
            Ok(())
        } else {
            Err(self.deny("the record belongs to another user"))
        }
    }

    /// `None` when the caller may see every user's records (it holds one of `any_user`),
    /// otherwise the caller's own id, to narrow a listing to it.
    pub fn scope(&self, any_user: &[Role]) -> Option<i64> {
        (!self.has_any(any_user)).then_some(self.user_id)
    }
}
