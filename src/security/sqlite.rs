//! The SQLite implementation of the security stores (credentials, sessions, nonces, audit
//! events), over the tables of migration 0003.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

use super::audit::{AuditEvent, AuditFilter, AuditStore, Outcome};
use super::store::{CredentialStore, Credentials, Stamped};
use super::{AuthMethod, Role};
use crate::db::{Database, DbError, bad_column, from_millis, millis};
use crate::identity::UserStatus;

/// Security data in the embedded SQLite database.
#[derive(Clone)]
pub struct SqliteSecurityStore {
    db: Database,
}

impl SqliteSecurityStore {
    pub fn new(db: Database) -> Self {
        SqliteSecurityStore { db }
    }
}

const CREDENTIALS: &str = "u.id, u.username, u.status, u.password_hash, u.digest_secret, \
     (SELECT group_concat(r.role, ',' ORDER BY r.position) FROM user_roles r \
     WHERE r.user_id = u.id)";

const GENERATION: &str = "SELECT generation FROM credential_changes";

fn credentials_from_row(row: &Row<'_>) -> rusqlite::Result<Credentials> {
    let status: String = row.get(2)?;
    let roles: Option<String> = row.get(5)?;
    let roles =
        Role::parse_list(&roles.unwrap_or_default()).ok_or_else(|| bad_column(5, "role"))?;
    Ok(Credentials {
        user_id: row.get(0)?,
        username: row.get(1)?,
        status: UserStatus::from_name(&status).ok_or_else(|| bad_column(2, "status"))?,
        password_hash: row.get(3)?,
        digest_secret: row.get(4)?,
        roles,
    })
}

#[async_trait]
impl CredentialStore for SqliteSecurityStore {
    async fn by_username(&self, username: &str) -> Result<Option<Stamped<Credentials>>, DbError> {
        let username = username.to_string();
        self.db
            .readers
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(&format!(
                        "SELECT {CREDENTIALS}, ({GENERATION}) FROM users u WHERE u.username = ?1"
                    ))?
                    .query_row([username], |row| {
                        Ok(Stamped {
                            value: credentials_from_row(row)?,
                            generation: row.get(6)?,
                        })
                    })
                    .optional()?)
            })
            .await
    }

    async fn remember_nonce(
        &self,
        nonce: Vec<u8>,
        expires: OffsetDateTime,
    ) -> Result<bool, DbError> {
        self.db
            .writer
            .write(move |conn| {
                let inserted = conn
                    .prepare_cached(
                        "INSERT INTO nonces (nonce, expires_at) VALUES (?1, ?2) \
                         ON CONFLICT (nonce) DO NOTHING",
                    )?
                    .execute(params![nonce, millis(expires)])?;
                Ok(inserted == 1)
            })
            .await
    }

    async fn create_session(
        &self,
        token_hash: [u8; 32],
        user_id: i64,
        now: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> Result<(), DbError> {
        self.db
            .writer
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![
                    token_hash.as_slice(),
                    user_id,
                    millis(now),
                    millis(expires)
                ])?;
                Ok(())
            })
            .await
    }

    async fn session(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Stamped<(Credentials, OffsetDateTime)>>, DbError> {
        self.db
            .readers
            .read(move |conn| {
                let row = conn
                    .prepare_cached(&format!(
                        "SELECT {CREDENTIALS}, s.expires_at, ({GENERATION}) FROM sessions s \
                         JOIN users u ON u.id = s.user_id \
                         WHERE s.token_hash = ?1 AND s.expires_at > ?2"
                    ))?
                    .query_row(params![token_hash.as_slice(), millis(now)], |row| {
                        Ok(Stamped {
                            value: (credentials_from_row(row)?, from_millis(row.get(6)?)?),
                            generation: row.get(7)?,
                        })
                    })
                    .optional()?;
                Ok(row)
            })
            .await
    }

    async fn generation(&self) -> Result<i64, DbError> {
        self.db.readers.read(read_generation).await
    }

    /// One row, read on the calling thread: no hop to a blocking thread.
    fn generation_now(&self) -> Option<Result<i64, DbError>> {
        Some(self.db.readers.read_now(read_generation))
    }

    async fn end_session(&self, token_hash: [u8; 32]) -> Result<bool, DbError> {
        self.db
            .writer
            .write(move |conn| {
                let n = conn
                    .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
                    .execute([token_hash.as_slice()])?;
                Ok(n == 1)
            })
            .await
    }

    async fn set_digest_secret(&self, user_id: i64, sealed: Vec<u8>) -> Result<bool, DbError> {
        self.db
            .writer
            .write(move |conn| {
                let n = conn
                    .prepare_cached("UPDATE users SET digest_secret = ?2 WHERE id = ?1")?
                    .execute(params![user_id, sealed])?;
                Ok(n == 1)
            })
            .await
    }

    async fn purge_expired(&self, now: OffsetDateTime) -> Result<(), DbError> {
        self.db
            .writer
            .write(move |conn| {
                let at = millis(now);
                conn.prepare_cached("DELETE FROM nonces WHERE expires_at <= ?1")?
                    .execute([at])?;
                conn.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")?
                    .execute([at])?;
                Ok(())
            })
            .await
    }
}

fn read_generation(conn: &Connection) -> Result<i64, DbError> {
    Ok(conn
        .prepare_cached(GENERATION)?
        .query_row([], |row| row.get(0))?)
}

const EVENT_COLUMNS: &str = "id, at, request_id, user_id, username, authentication, service, \
     operation, outcome, fault_code, remote_address";

fn event_from_row(row: &Row<'_>) -> rusqlite::Result<AuditEvent> {
    let method: Option<String> = row.get(5)?;
    let outcome: String = row.get(8)?;
    Ok(AuditEvent {
        id: row.get(0)?,
        at: from_millis(row.get(1)?)?,
        request_id: row.get(2)?,
        user_id: row.get(3)?,
        username: row.get(4)?,
        authentication: method
            .map(|m| AuthMethod::from_name(&m).ok_or_else(|| bad_column(5, "authentication")))
            .transpose()?,
        service: row.get(6)?,
        operation: row.get(7)?,
        outcome: Outcome::from_name(&outcome).ok_or_else(|| bad_column(8, "outcome"))?,
        fault_code: row.get(9)?,
        remote_address: row.get(10)?,
    })
}

fn list_events(
    conn: &Connection,
    filter: &AuditFilter,
    before_id: Option<i64>,
    limit: usize,
) -> rusqlite::Result<Vec<AuditEvent>> {
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE 1 = 1");
    let mut values: Vec<Value> = Vec::new();
    let mut condition = |clause: &str, value: Value| {
        sql.push_str(clause);
        values.push(value);
    };
    if let Some(user_id) = filter.user_id {
        condition(" AND user_id = ?", Value::Integer(user_id));
    }
    if let Some(operation) = &filter.operation {
        condition(" AND operation = ?", Value::Text(operation.clone()));
    }
    if let Some(outcome) = filter.outcome {
        condition(" AND outcome = ?", Value::Text(outcome.as_str().into()));
    }
    if let Some(from) = filter.from {
        condition(" AND at >= ?", Value::Integer(millis(from)));
    }
    if let Some(to) = filter.to {
        condition(" AND at < ?", Value::Integer(millis(to)));
    }
    if let Some(id) = before_id {
        condition(" AND id < ?", Value::Integer(id));
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    values.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(values.iter()), event_from_row)?;
    rows.collect()
}

#[async_trait]
impl AuditStore for SqliteSecurityStore {
    async fn append(&self, events: Vec<AuditEvent>) -> Result<(), DbError> {
        self.db
            .writer
            .write(move |conn| {
                let mut insert = conn.prepare_cached(
                    "INSERT INTO audit_events (at, request_id, user_id, username, \
                     authentication, service, operation, outcome, fault_code, remote_address) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for e in &events {
                    insert.execute(params![
                        millis(e.at),
                        e.request_id,
                        e.user_id,
                        e.username,
                        e.authentication.map(AuthMethod::as_str),
                        e.service,
                        e.operation,
                        e.outcome.as_str(),
                        e.fault_code,
                        e.remote_address,
                    ])?;
                }
                Ok(())
            })
            .await
    }

    async fn list(
        &self,
        filter: AuditFilter,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, DbError> {
        self.db
            .readers
            .read(move |conn| Ok(list_events(conn, &filter, before_id, limit)?))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DbOptions;
    use crate::users::{
        NewUser, SqliteUserRepository, UserChanges, UserRepository, UserStatus as Status,
    };

    /// Every kind of credential change raises the generation, in whatever connection it is
    /// made; changes that cannot make a copy stale do not.
    #[tokio::test]
    async fn the_database_raises_the_generation_on_every_credential_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let db = Database::open(&DbOptions::new(&path)).unwrap();
        let store = SqliteSecurityStore::new(db.clone());
        let users = SqliteUserRepository::new(db.clone());
        let at = crate::common::now();
        let user = |name: &str| NewUser {
            username: name.into(),
            email: format!("{name}@example.com"),
            display_name: None,
            roles: vec![Role::Customer],
        };
        let id = users.insert(user("dana"), None, at).await.unwrap().id;
        let generation = || store.generation_now().unwrap().unwrap();
        let mut last = generation();
        let mut raised = |what: &str, expected: bool| {
            let now = generation();
            assert_eq!(now > last, expected, "{what}: {last} then {now}");
            assert_eq!(store.generation_now().unwrap().unwrap(), now);
            last = now;
        };

        let email = UserChanges {
            email: Some("dana@example.org".into()),
            ..UserChanges::default()
        };
        users.update(id, email, at).await.unwrap();
        raised("an email change", false);
        store
            .create_session([1; 32], id, at, at + time::Duration::hours(1))
            .await
            .unwrap();
        raised("a new session", false);
        users
            .set_password(id, "$argon2id$other".into(), Some([1; 32]), at)
            .await
            .unwrap();
        raised("a password change", true);
        store.set_digest_secret(id, vec![1, 2, 3]).await.unwrap();
        raised("a digest secret", true);
        assert!(store.end_session([1; 32]).await.unwrap());
        raised("a logout", true);
        let suspend = UserChanges {
            status: Some(Status::Suspended),
            ..UserChanges::default()
        };
        users.update(id, suspend, at).await.unwrap();
        raised("a suspension", true);

        let other = rusqlite::Connection::open(&path).unwrap();
        other
            .execute(
                "UPDATE user_roles SET role = 'clerk' WHERE user_id = ?1",
                [id],
            )
            .unwrap();
        raised("a role changed by another connection", true);
        users.delete(id).await.unwrap();
        raised("a deleted user", true);
        let stamped = store.by_username("dana").await.unwrap();
        assert_eq!(stamped, None);
        users.insert(user("erik"), None, at).await.unwrap();
        let erik = store.by_username("erik").await.unwrap().unwrap();
        assert_eq!(erik.generation, generation());
        drop(other);
        drop((store, users));
        assert!(db.close(std::time::Duration::from_secs(5)));
    }
}
