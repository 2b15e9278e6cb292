//! The PostgreSQL implementation of [`UserRepository`]: the same rules as `sqlite`, keyset
//! pagination in the same order with the same cursors, emailContains over a trigram index.

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use super::model::{NewUser, Role, User, UserChanges, UserFilter, UserKey, UserSort, UserStatus};
use super::repository::{RepoError, UniqueField, UserRepository, UserRows};
use crate::common::{Cursor, CursorValue};
use crate::db::DbError;
use crate::pg::{Listing, Param, Params, PgDatabase, at_millis, page, violates};

/// Users in PostgreSQL.
#[derive(Clone)]
pub struct PgUserRepository {
    db: PgDatabase,
}

impl PgUserRepository {
    pub fn new(db: PgDatabase) -> Self {
        PgUserRepository { db }
    }
}

pub(crate) const COLUMNS: &str = "u.id, u.username, u.email, u.display_name, u.status, \
     u.created_at, u.updated_at, (SELECT string_agg(r.role, ',' ORDER BY r.position) \
     FROM user_roles r WHERE r.user_id = u.id)";

impl From<tokio_postgres::Error> for RepoError {
    fn from(error: tokio_postgres::Error) -> Self {
        if violates(&error, "users_username_key") {
            return RepoError::Duplicate(UniqueField::Username);
        }
        if violates(&error, "users_email_key_key") {
            return RepoError::Duplicate(UniqueField::Email);
        }
        if error.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
            return RepoError::Referenced;
        }
        RepoError::Db(DbError::from(error))
    }
}

fn bad(what: &str) -> RepoError {
    RepoError::Db(DbError::Postgres(format!(
        "unexpected {what} in the database"
    )))
}

fn user_from_row(row: &Row) -> Result<User, RepoError> {
    let status: String = row.try_get(4)?;
    let roles: Option<String> = row.try_get(7)?;
    Ok(User {
        id: row.try_get(0)?,
        username: row.try_get(1)?,
        email: row.try_get(2)?,
        display_name: row.try_get(3)?,
        status: UserStatus::from_name(&status).ok_or_else(|| bad("status"))?,
        created_at: row.try_get(5)?,
        updated_at: row.try_get(6)?,
        roles: Role::parse_list(&roles.unwrap_or_default()).ok_or_else(|| bad("role"))?,
    })
}

async fn select_by_id(
    client: &impl deadpool_postgres::GenericClient,
    id: i64,
) -> Result<Option<User>, RepoError> {
    let statement = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1"))
        .await?;
    client
        .query_opt(&statement, &[&id])
        .await?
        .map(|row| user_from_row(&row))
        .transpose()
}

/// The WHERE clause and parameters for `filter`, without the keyset condition.
fn filter_sql(filter: &UserFilter) -> (String, Params) {
    let mut sql = String::from(" WHERE true");
    let mut params = Params::default();
    if let Some(status) = filter.status {
        sql.push_str(&format!(
            " AND u.status = {}",
            params.push(status.as_str().to_string())
        ));
    }
    if let Some(role) = filter.role {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = {})",
            params.push(role.as_str().to_string())
        ));
    }
    if let Some(part) = filter.email_contains.as_deref().filter(|p| !p.is_empty()) {
        // LIKE with the wildcards escaped: the trigram index serves it, and it stays exact.
        let pattern = format!(
            "%{}%",
            part.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        sql.push_str(&format!(" AND u.email_key LIKE {}", params.push(pattern)));
    }
    (sql, params)
}

fn sort_column(sort: UserSort) -> &'static str {
    match sort {
        UserSort::Username => "u.username",
        UserSort::Email => "u.email_key",
        UserSort::CreatedAt => "u.created_at",
    }
}

/// The cursor's sort value in the sort column's type.
fn cursor_value(sort: UserSort, cursor: Cursor) -> Result<(Param, i64), RepoError> {
    let value: Param = match (sort, cursor.value) {
        (UserSort::CreatedAt, CursorValue::Int(ms)) => Box::new(
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .map_err(|_| bad("cursor time"))?,
        ),
        (UserSort::Username | UserSort::Email, CursorValue::Text(text)) => Box::new(text),
        _ => return Err(bad("cursor")),
    };
    Ok((value, cursor.id))
}

async fn insert_roles(
    client: &impl deadpool_postgres::GenericClient,
    id: i64,
    roles: &[Role],
) -> Result<(), RepoError> {
    let insert = client
        .prepare_cached("INSERT INTO user_roles (user_id, role, position) VALUES ($1, $2, $3)")
        .await?;
    for (position, role) in roles.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        client
            .execute(&insert, &[&id, &role.as_str(), &position])
            .await?;
    }
    Ok(())
}

#[async_trait]
impl UserRepository for PgUserRepository {
    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "users.insert"))]
    async fn insert(
        &self,
        user: NewUser,
        password_hash: Option<String>,
        now: OffsetDateTime,
    ) -> Result<User, RepoError> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        // Reported as the username, as the SQLite backend does, when the email is taken too.
        let username_taken: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM users WHERE username = $1)",
                &[&user.username],
            )
            .await?
            .get(0);
        if username_taken {
            return Err(RepoError::Duplicate(UniqueField::Username));
        }
        let at = at_millis(now);
        let insert = tx
            .prepare_cached(
                "INSERT INTO users (username, email, email_key, display_name, status, \
                 created_at, updated_at, password_hash) \
                 VALUES ($1, $2, $3, $4, 'active', $5, $5, $6) RETURNING id",
            )
            .await?;
        let id: i64 = tx
            .query_one(
                &insert,
                &[
                    &user.username,
                    &user.email,
                    &user.email.to_lowercase(),
                    &user.display_name,
                    &at,
                    &password_hash,
                ],
            )
            .await?
            .get(0);
        insert_roles(&tx, id, &user.roles).await?;
        let created = select_by_id(&tx, id)
            .await?
            .ok_or_else(|| RepoError::Db(DbError::Postgres("inserted user vanished".into())))?;
        tx.commit().await?;
        Ok(created)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "users.find"))]
    async fn find(&self, key: UserKey) -> Result<Option<User>, RepoError> {
        let client = self.db.client().await?;
        let (column, value) = match key {
            UserKey::Id(id) => return select_by_id(&client, id).await,
            UserKey::Username(name) => ("username", name),
            UserKey::Email(email) => ("email_key", email.to_lowercase()),
        };
        let statement = client
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM users u WHERE u.{column} = $1"
            ))
            .await?;
        client
            .query_opt(&statement, &[&value])
            .await?
            .map(|row| user_from_row(&row))
            .transpose()
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "users.list"))]
    async fn list(
        &self,
        filter: UserFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<UserRows, RepoError> {
        let (filter_sql, params) = filter_sql(&filter);
        let after = after
            .map(|cursor| cursor_value(filter.sort, cursor))
            .transpose()?;
        let mut client = self.db.client().await?;
        let listing = Listing {
            from: "users u",
            columns: COLUMNS,
            filter: filter_sql,
            params,
            sort: sort_column(filter.sort),
            id: "u.id",
            descending: filter.descending,
        };
        let (rows, total) = page(&mut client, listing, after, limit).await?;
        let mut users = rows
            .iter()
            .map(user_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let more = users.len() > limit;
        users.truncate(limit);
        Ok(UserRows { users, more, total })
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "users.update"))]
    async fn update(
        &self,
        id: i64,
        changes: UserChanges,
        now: OffsetDateTime,
    ) -> Result<Option<User>, RepoError> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let lock = tx
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM users u WHERE u.id = $1 FOR UPDATE"
            ))
            .await?;
        let Some(current) = tx
            .query_opt(&lock, &[&id])
            .await?
            .map(|row| user_from_row(&row))
            .transpose()?
        else {
            return Ok(None);
        };
        let email = changes.email.unwrap_or(current.email);
        let display_name = changes.display_name.unwrap_or(current.display_name);
        let status = changes.status.unwrap_or(current.status);
        let update = tx
            .prepare_cached(
                "UPDATE users SET email = $1, email_key = $2, display_name = $3, status = $4, \
                 updated_at = $5 WHERE id = $6",
            )
            .await?;
        tx.execute(
            &update,
            &[
                &email,
                &email.to_lowercase(),
                &display_name,
                &status.as_str(),
                &at_millis(now),
                &id,
            ],
        )
        .await?;
        if status == UserStatus::Suspended {
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&id])
                .await?;
        }
        let updated = select_by_id(&tx, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "users.set_password"))]
    async fn set_password(
        &self,
        id: i64,
        password_hash: String,
        keep_session: Option<[u8; 32]>,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let n = tx
            .execute(
                "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                &[&id, &password_hash, &at_millis(now)],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        let keep = keep_session.map(|h| h.to_vec());
        tx.execute(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2",
            &[&id, &keep],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "users.delete"))]
    async fn delete(&self, id: i64) -> Result<bool, RepoError> {
        let client = self.db.client().await?;
        Ok(client
            .execute("DELETE FROM users WHERE id = $1", &[&id])
            .await?
            > 0)
    }
}
