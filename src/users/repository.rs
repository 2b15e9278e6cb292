//! Storage of users, as the service needs it; implemented for SQLite in `sqlite`.

use async_trait::async_trait;
use time::OffsetDateTime;

use super::model::{NewUser, User, UserChanges, UserFilter, UserKey};
use crate::common::Cursor;
use crate::db::DbError;

/// Which unique field a write collided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueField {
    Username,
    Email,
}

/// Storage errors the service distinguishes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepoError {
    #[error("another user has the same {0:?}")]
    Duplicate(UniqueField),
    #[error("the user is referenced by orders")]
    Referenced,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// One page of a listing: the rows, whether more follow, and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRows {
    pub users: Vec<User>,
    pub more: bool,
    pub total: i64,
}

/// Where users are kept.
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new active user created at `now`, with an argon2id password hash if given.
    async fn insert(
        &self,
        user: NewUser,
        password_hash: Option<String>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError>;
    async fn find(&self, key: UserKey) -> Result<Option<User>, RepoError>;
    /// Up to `limit` users matching `filter`, in its order, after `after`.
    async fn list(
        &self,
        filter: UserFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<UserRows, RepoError>;
    /// Replaces the password hash and ends the user's sessions but `keep_session` (a token
    /// hash); false when there is no such user.
    async fn set_password(
        &self,
        id: i64,
        password_hash: String,
        keep_session: Option<[u8; 32]>,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError>;
    /// Applies `changes` (suspending a user ends its sessions); `None` when there is no such
    /// user.
    async fn update(
        &self,
        id: i64,
        changes: UserChanges,
        now: OffsetDateTime,
    ) -> Result<Option<User>, RepoError>;
    /// True when a user was deleted; [`RepoError::Referenced`] when orders refer to the user.
    async fn delete(&self, id: i64) -> Result<bool, RepoError>;
}
