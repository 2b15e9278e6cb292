//! Who calls and what an operation demands: the caller, its roles and account status, and
//! the access rule of an operation. Its own module because the engine (dispatch, the
//! endpoint), the security phase and the services all speak of callers, and none of them
//! should depend on another to do so.

mod caller;
mod role;

pub use caller::{AccessDenied, AuthMethod, Caller, SessionRef};
pub use role::{Access, Role, roles};

/// Whether a user may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    Suspended,
}

crate::common::names!(UserStatus { Active = "active", Suspended = "suspended" });
