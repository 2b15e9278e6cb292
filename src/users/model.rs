//! Domain types of the User service; no XML and no SQL here.

use time::OffsetDateTime;

pub use crate::identity::{Role, UserStatus};

/// The orders ListUsers can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSort {
    #[default]
    Username,
    Email,
    CreatedAt,
}

crate::common::names!(UserSort { Username = "username", Email = "email", CreatedAt = "createdAt" });

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub display_name: Option<String>,
    /// At least one, sorted, no duplicates.
    pub roles: Vec<Role>,
    pub status: UserStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub email: String,
    pub display_name: Option<String>,
    pub roles: Vec<Role>,
}

/// How a user is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserKey {
    Id(i64),
    Username(String),
    /// Compared case-insensitively.
    Email(String),
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub email: Option<String>,
    /// `Some(None)` removes the display name.
    pub display_name: Option<Option<String>>,
    pub status: Option<UserStatus>,
}

impl UserChanges {
    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.display_name.is_none() && self.status.is_none()
    }
}

/// Which users to list, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    /// Lower-cased substring of the email address.
    pub email_contains: Option<String>,
    pub sort: UserSort,
    pub descending: bool,
}
