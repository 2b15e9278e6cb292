//! Security: who is calling and what they may do. WS-Security UsernameToken (text and
//! digest), Login sessions and TLS client certificates authenticate (`authenticator`, over
//! `wsse` parsing, `password` hashing, `sealed` digest secrets and the `store`); each
//! service's access table and ownership checks (`role`, `caller`) authorize; `gate` is the
//! endpoint guard that runs both and feeds the `audit` trail. `credential_cache` keeps what
//! authentication read for as long as the database's credential generation says it is
//! current.

pub mod audit;
mod authenticator;
mod credential_cache;
mod error;
mod faults;
mod gate;
pub mod password;
mod postgres;
pub mod schema;
mod secret_key;
pub mod signature;
pub mod signer;
mod sqlite;
mod store;
mod throttle;
pub mod wsse;

pub use crate::identity::{
    Access, AccessDenied, AuthMethod, Caller, Role, SessionRef, UserStatus, roles,
};
pub use authenticator::{Authenticator, NewSession, SECURITY_NS, SecurityConfig};
pub use credential_cache::{CredentialCache, CredentialChanges, Freshness};
pub use error::{AuthFailure, SecurityError};
pub use faults::WSSE;
pub use gate::SecurityGuard;
pub use password::{PasswordError, Passwords};
pub use postgres::PgSecurityStore;
pub use secret_key::{SealError, SecretKey};
pub use sqlite::SqliteSecurityStore;
pub use store::{CredentialStore, Credentials, Stamped};
pub use throttle::ThrottleConfig;
pub use wsse::WSSE_NS;
