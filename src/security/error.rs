//! Why a request was not authenticated, as the WS-Security 1.1 fault codes name it.

/// A failed security check. Reasons never say whether a username exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityError {
    /// No credentials, wrong or unknown credentials, a suspended user, an unknown session.
    #[error("The security token could not be authenticated or authorized")]
    FailedAuthentication,
    /// Attempts for this username or from this address are refused for a while after
    /// repeated failures; the caller sees exactly a [`SecurityError::FailedAuthentication`].
    #[error("The security token could not be authenticated or authorized")]
    Throttled,
    /// The Security header is malformed or uses something unsupported; a replayed nonce.
    #[error("An error was discovered processing the <wsse:Security> header: {0}")]
    InvalidSecurity(String),
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
    #[error("Authentication is temporarily unavailable; try again shortly")]
    Unavailable,
}

impl SecurityError {
    /// The local name of the `wsse:` fault code; `None` for a failure of the server.
    pub fn wsse_code(&self) -> Option<&'static str> {
        Some(match self {
            SecurityError::FailedAuthentication | SecurityError::Throttled => {
                "FailedAuthentication"
            }
            SecurityError::InvalidSecurity(_) => "InvalidSecurity",
            SecurityError::InvalidSecurityToken(_) => "InvalidSecurityToken",
            SecurityError::FailedCheck(_) => "FailedCheck",
            SecurityError::MessageExpired(_) => "MessageExpired",
            SecurityError::Unavailable => return None,
        })
    }
}
