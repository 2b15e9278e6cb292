//! Why a request was not authenticated, as the WS-Security 1.1 fault codes name it.

/// A failed security check. Reasons never say whether a username exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityError {
    /// No credentials, wrong or unknown credentials, a suspended user, an unknown session;
    /// which of these only the log is told.
    #[error("The security token could not be authenticated or authorized")]
    FailedAuthentication(AuthFailure),
    /// Attempts for this username or from this address are refused for a while after
    /// repeated failures; the caller sees exactly a [`SecurityError::FailedAuthentication`].
    #[error("The security token could not be authenticated or authorized")]
    Throttled,
    /// The Security header is malformed or uses something unsupported.
    #[error("An error was discovered processing the <wsse:Security> header: {0}")]
    InvalidSecurity(String),
    /// A nonce or a signed message seen before: an `InvalidSecurity` fault to the caller.
    #[error("An error was discovered processing the <wsse:Security> header: {0}")]
    Replayed(String),
    /// A token is malformed or of an unsupported kind.
    #[error("An invalid security token was provided: {0}")]
    InvalidSecurityToken(String),
    /// A signature does not verify or does not cover what it must.
    #[error("The signature or decryption was invalid: {0}")]
    FailedCheck(String),
    /// A Timestamp or a UsernameToken's Created is outside the freshness window.
    #[error("The message has expired: {0}")]
    MessageExpired(String),
    /// Authentication could not read its store; the same request may succeed later.
    #[error("Storage unavailable; retry shortly (authentication could not read its store)")]
    Unavailable,
}

/// Why credentials were refused, for the log only: it never separates an unknown user from a
/// wrong password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No UsernameToken password, session token or client certificate.
    NoCredentials,
    /// An unknown user, a wrong password or digest, or a suspended user.
    Credentials,
    /// A PasswordText over plain HTTP while plaintext passwords are not allowed.
    PlaintextOverHttp,
    /// A session token that is unknown, expired or ended.
    Session,
}

impl SecurityError {
    /// The local name of the `wsse:` fault code; `None` for a failure of the server.
    pub fn wsse_code(&self) -> Option<&'static str> {
        Some(match self {
            SecurityError::FailedAuthentication(_) | SecurityError::Throttled => {
                "FailedAuthentication"
            }
            SecurityError::InvalidSecurity(_) | SecurityError::Replayed(_) => "InvalidSecurity",
            SecurityError::InvalidSecurityToken(_) => "InvalidSecurityToken",
            SecurityError::FailedCheck(_) => "FailedCheck",
            SecurityError::MessageExpired(_) => "MessageExpired",
            SecurityError::Unavailable => return None,
        })
    }

    /// The class of the failure for the access line: never the credentials, nor whether the
    /// user exists.
    pub fn class(&self) -> &'static str {
        match self {
            SecurityError::FailedAuthentication(AuthFailure::NoCredentials) => "no credentials",
            SecurityError::FailedAuthentication(AuthFailure::Credentials) => {
                "unknown user, wrong password or suspended user"
            }
            SecurityError::FailedAuthentication(AuthFailure::PlaintextOverHttp) => {
                "password in the clear over plain HTTP"
            }
            SecurityError::FailedAuthentication(AuthFailure::Session) => {
                "unknown or expired session"
            }
            SecurityError::Throttled => "throttled",
            SecurityError::InvalidSecurity(_) => "invalid security header",
            SecurityError::Replayed(_) => "replay",
            SecurityError::InvalidSecurityToken(_) => "invalid token",
            SecurityError::FailedCheck(_) => "signature check failed",
            SecurityError::MessageExpired(_) => "expired",
            SecurityError::Unavailable => "credential store unavailable",
        }
    }
}
