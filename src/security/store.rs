//! What authentication needs from storage: credentials by username, sessions, seen nonces,
//! and the credential generation that says whether a copy of credentials or of a session is
//! still current. SQL stays in the implementation ([`super::SqliteSecurityStore`]).

use async_trait::async_trait;
use time::OffsetDateTime;

use super::Role;
use crate::db::DbError;
use crate::identity::UserStatus;

/// A user as authentication sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub user_id: i64,
    pub username: String,
    pub roles: Vec<Role>,
    pub status: UserStatus,
    /// argon2id PHC string, when the user has a password.
    pub password_hash: Option<String>,
    /// The sealed digest secret, when the user has one.
    pub digest_secret: Option<Vec<u8>>,
}

/// What a lookup found, with the credential generation read in the same snapshot: it is
/// current for as long as the generation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped<T> {
    pub value: T,
    pub generation: i64,
}

#[async_trait]
pub trait CredentialStore: Send + Sync {
    async fn by_username(&self, username: &str) -> Result<Option<Stamped<Credentials>>, DbError>;

    /// Records `nonce` until `expires`; false when it is already recorded (a replay).
    async fn remember_nonce(
        &self,
        nonce: Vec<u8>,
        expires: OffsetDateTime,
    ) -> Result<bool, DbError>;

    async fn create_session(
        &self,
        token_hash: [u8; 32],
        user_id: i64,
        now: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> Result<(), DbError>;

    /// The user of the session with `token_hash` and when it expires, if it is live at `now`.
    async fn session(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Stamped<(Credentials, OffsetDateTime)>>, DbError>;

    /// The credential generation: the database raises it in the same transaction as every
    /// change of a user's status, username, password hash, digest secret or roles, of a
    /// deleted user and of an ended session, whoever makes the change.
    async fn generation(&self) -> Result<i64, DbError>;

    /// The credential generation read on the calling thread, where that costs microseconds
    /// and never waits (SQLite); `None` where it would be a round trip (PostgreSQL).
    fn generation_now(&self) -> Option<Result<i64, DbError>> {
        None
    }

    /// Ends a session; false when there was none.
    async fn end_session(&self, token_hash: [u8; 32]) -> Result<bool, DbError>;

    /// Stores a sealed digest secret; false when there is no such user.
    async fn set_digest_secret(&self, user_id: i64, sealed: Vec<u8>) -> Result<bool, DbError>;

    /// Deletes nonces and sessions that expired before `now`.
    async fn purge_expired(&self, now: OffsetDateTime) -> Result<(), DbError>;
}
