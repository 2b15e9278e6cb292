//! The SQLite implementation of [`UserRepository`]: writes through the writer thread, reads
//! through the read pool, keyset pagination over the indexes of migration 0001.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

use super::model::{NewUser, Role, User, UserChanges, UserFilter, UserKey, UserSort, UserStatus};
use super::repository::{RepoError, UniqueField, UserRepository, UserRows};
use crate::common::Cursor;
use crate::db::{Database, DbError, Listing, bad_column, from_millis, millis, page};

/// Users in the embedded SQLite database.
#[derive(Clone)]
pub struct SqliteUserRepository {
    db: Database,
}

impl SqliteUserRepository {
    pub fn new(db: Database) -> Self {
        SqliteUserRepository { db }
    }
}

const COLUMNS: &str = "u.id, u.username, u.email, u.display_name, u.status, u.created_at, \
     u.updated_at, (SELECT group_concat(r.role, ',' ORDER BY r.position) FROM user_roles r \
     WHERE r.user_id = u.id)";

impl From<rusqlite::Error> for RepoError {
    fn from(error: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(e, Some(message)) = &error
            && e.code == rusqlite::ErrorCode::ConstraintViolation
        {
            if message.contains("users.username") {
                return RepoError::Duplicate(UniqueField::Username);
            }
            if message.contains("users.email_key") {
                return RepoError::Duplicate(UniqueField::Email);
            }
            if message.contains("FOREIGN KEY") {
                return RepoError::Referenced;
            }
        }
        RepoError::Db(DbError::from(error))
    }
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    let status: String = row.get(4)?;
    let roles: Option<String> = row.get(7)?;
    let roles =
        Role::parse_list(&roles.unwrap_or_default()).ok_or_else(|| bad_column(7, "role"))?;
    Ok(User {
        id: row.get(0)?,
        username: row.get(1)?,
        email: row.get(2)?,
        display_name: row.get(3)?,
        status: UserStatus::from_name(&status).ok_or_else(|| bad_column(4, "status"))?,
        created_at: from_millis(row.get(5)?)?,
        updated_at: from_millis(row.get(6)?)?,
        roles,
    })
}

fn select_by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = ?1"))?
        .query_row([id], user_from_row)
        .optional()
}

fn select_by_key(conn: &Connection, key: &UserKey) -> rusqlite::Result<Option<User>> {
    match key {
        UserKey::Id(id) => select_by_id(conn, *id),
        UserKey::Username(name) => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM users u WHERE u.username = ?1"
            ))?
            .query_row([name], user_from_row)
            .optional(),
        UserKey::Email(email) => conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM users u WHERE u.email_key = ?1"
            ))?
            .query_row([email.to_lowercase()], user_from_row)
            .optional(),
    }
}

/// The WHERE clause and parameters for `filter`, without the keyset condition.
fn filter_sql(filter: &UserFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut values = Vec::new();
    if let Some(status) = filter.status {
        sql.push_str(" AND u.status = ?");
        values.push(Value::Text(status.as_str().into()));
    }
    if let Some(role) = filter.role {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = ?)",
        );
        values.push(Value::Text(role.as_str().into()));
    }
    if let Some(part) = filter.email_contains.as_deref().filter(|p| !p.is_empty()) {
        if part.chars().count() >= 3 {
            // The trigram index narrows the candidates; instr() keeps the match exact.
            sql.push_str(
                " AND u.id IN (SELECT rowid FROM users_email_trigram \
                 WHERE users_email_trigram MATCH ?)",
            );
            values.push(Value::Text(format!("\"{}\"", part.replace('"', "\"\""))));
        }
        sql.push_str(" AND instr(u.email_key, ?) > 0");
        values.push(Value::Text(part.into()));
    }
    (sql, values)
}

fn sort_column(sort: UserSort) -> &'static str {
    match sort {
        UserSort::Username => "u.username",
        UserSort::Email => "u.email_key",
        UserSort::CreatedAt => "u.created_at",
    }
}

fn list_rows(
    conn: &Connection,
    filter: &UserFilter,
    after: Option<Cursor>,
    limit: usize,
) -> Result<UserRows, RepoError> {
    let (where_sql, values) = filter_sql(filter);
    let listing = Listing {
        from: "users u",
        columns: COLUMNS,
        filter: &where_sql,
        values,
        sort: sort_column(filter.sort),
        id: "u.id",
        descending: filter.descending,
    };
    let (mut users, total) = page(conn, listing, after, limit, user_from_row)?;
    let more = users.len() > limit;
    users.truncate(limit);
    Ok(UserRows { users, more, total })
}

fn insert_roles(conn: &Connection, id: i64, roles: &[Role]) -> rusqlite::Result<()> {
    let mut insert = conn
        .prepare_cached("INSERT INTO user_roles (user_id, role, position) VALUES (?1, ?2, ?3)")?;
    for (position, role) in roles.iter().enumerate() {
        insert.execute(params![id, role.as_str(), position as i64])?;
    }
    Ok(())
}

#[async_trait]
impl UserRepository for SqliteUserRepository {
    async fn insert(
        &self,
        user: NewUser,
        password_hash: Option<String>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        self.db
            .writer
            .write(move |conn| {
                // SQLite names only the first unique index a row trips over, the email's
                // before the username's; the username is the key the caller chose, so a
                // taken one is reported as such even when the email is taken too.
                let username_taken: bool = conn
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)")?
                    .query_row([&user.username], |r| r.get(0))?;
                if username_taken {
                    return Err(RepoError::Duplicate(UniqueField::Username));
                }
                let at = millis(now);
                conn.prepare_cached(
                    "INSERT INTO users (username, email, email_key, display_name, status, \
                     created_at, updated_at, password_hash) \
                     VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?5, ?6)",
                )?
                .execute(params![
                    user.username,
                    user.email,
                    user.email.to_lowercase(),
                    user.display_name,
                    at,
                    password_hash
                ])?;
                let id = conn.last_insert_rowid();
                insert_roles(conn, id, &user.roles)?;
                select_by_id(conn, id)?
                    .ok_or_else(|| RepoError::Db(DbError::Sqlite("inserted user vanished".into())))
            })
            .await
    }

    /// One row by a unique key: read on the calling thread, which costs less than the hop to
    /// a blocking thread and its wake-ups (bench/ANALYSIS.md, the authenticated read).
    async fn find(&self, key: UserKey) -> Result<Option<User>, RepoError> {
        Ok(self
            .db
            .readers
            .read_small(move |conn| Ok(select_by_key(conn, &key)?))
            .await?)
    }

    async fn list(
        &self,
        filter: UserFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<UserRows, RepoError> {
        self.db
            .readers
            .read(move |conn| list_rows(conn, &filter, after, limit))
            .await
    }

    async fn update(
        &self,
        id: i64,
        changes: UserChanges,
        now: OffsetDateTime,
    ) -> Result<Option<User>, RepoError> {
        self.db
            .writer
            .write(move |conn| {
                let Some(current) = select_by_id(conn, id)? else {
                    return Ok(None);
                };
                let email = changes.email.unwrap_or(current.email);
                let display_name = changes.display_name.unwrap_or(current.display_name);
                let status = changes.status.unwrap_or(current.status);
                conn.prepare_cached(
                    "UPDATE users SET email = ?1, email_key = ?2, display_name = ?3, status = ?4, \
                     updated_at = ?5 WHERE id = ?6",
                )?
                .execute(params![
                    email,
                    email.to_lowercase(),
                    display_name,
                    status.as_str(),
                    millis(now),
                    id
                ])?;
                if status == UserStatus::Suspended {
                    conn.prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
                        .execute([id])?;
                }
                Ok(select_by_id(conn, id)?)
            })
            .await
    }

    async fn set_password(
        &self,
        id: i64,
        password_hash: String,
        keep_session: Option<[u8; 32]>,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        self.db
            .writer
            .write(move |conn| {
                let n = conn
                    .prepare_cached(
                        "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1",
                    )?
                    .execute(params![id, password_hash, millis(now)])?;
                if n == 0 {
                    return Ok(false);
                }
                conn.prepare_cached(
                    "DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS NOT ?2",
                )?
                .execute(params![id, keep_session.as_ref().map(|h| h.as_slice())])?;
                Ok(true)
            })
            .await
    }

    async fn delete(&self, id: i64) -> Result<bool, RepoError> {
        self.db
            .writer
            .write(move |conn| {
                Ok(conn
                    .prepare_cached("DELETE FROM users WHERE id = ?1")?
                    .execute([id])?
                    > 0)
            })
            .await
    }
}
