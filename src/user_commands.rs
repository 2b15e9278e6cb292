//! The `user` commands: create a user with a password (to bootstrap the first admin without
//! SQL), give a user a digest secret and suspend a user, working on the database (SQLite or
//! PostgreSQL) directly. A change is announced to the servers' credential caches as the
//! servers announce their own (`security::credential_cache`): with PostgreSQL, through the
//! servers' Redis when the command is given it.

use crate::common::PageTokens;
use crate::security::{CredentialChanges, Passwords, Role, SecretKey};
use crate::shared::Redis;
use crate::storage::{Location, Storage};
use crate::users::{NewUser, UserChanges, UserError, UserKey, UserService, UserStatus, field_name};
use std::io::BufRead;

/// The first line of standard input, without its line ending.
pub fn read_secret_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    if line.is_empty() {
        return Err("standard input held no secret (give it on the first line)".into());
    }
    Ok(line)
}

fn describe(error: UserError) -> String {
    match error {
        UserError::Invalid(violations) => violations
            .iter()
            .map(|v| format!("{}: {}", v.field, v.message))
            .collect::<Vec<_>>()
            .join("; "),
        UserError::Duplicate { field, value } => {
            format!("{} '{value}' is already taken", field_name(field))
        }
        other => other.to_string(),
    }
}

async fn open(location: &Location) -> Result<Storage, String> {
    Storage::open_at(location).await.map_err(|e| e.to_string())
}

/// How changes made in `db` reach the servers' credential caches, through `redis` if given.
async fn credential_changes(
    db: &Storage,
    redis: Option<&str>,
) -> Result<CredentialChanges, String> {
    let redis = redis
        .map(Redis::new)
        .transpose()
        .map_err(|e| e.to_string())?;
    let freshness = db
        .credential_freshness(redis.as_ref())
        .await
        .map_err(|e| e.to_string())?;
    Ok(CredentialChanges::new(db.credentials(), &freshness))
}

/// The User service over `db`, for the commands.
async fn user_service(db: &Storage, redis: Option<&str>) -> Result<UserService, String> {
    Ok(UserService::new(
        db.users(),
        PageTokens::new([0; 32]),
        Passwords::new(1).map_err(|e| e.to_string())?,
        credential_changes(db, redis).await?,
    ))
}

/// Creates the user `name` with `roles` and `password`; its id.
pub async fn add_user(
    location: &Location,
    name: &str,
    email: Option<String>,
    roles: &[String],
    password: String,
) -> Result<i64, String> {
    let roles = roles
        .iter()
        .map(|r| Role::from_name(r).ok_or_else(|| format!("unknown role {r}")))
        .collect::<Result<Vec<_>, _>>()?;
    let db = open(location).await?;
    let users = user_service(&db, None).await?;
    let created = users
        .create(
            NewUser {
                username: name.to_string(),
                email: email.unwrap_or_else(|| format!("{name}@localhost.localdomain")),
                display_name: None,
                roles,
            },
            Some(password),
        )
        .await
        .map_err(describe);
    drop(users);
    close(db).await;
    Ok(created?.id)
}

/// Seals `secret` under `key` as the digest secret of user `name`.
pub async fn set_digest_secret(
    location: &Location,
    redis: Option<&str>,
    key: &SecretKey,
    name: &str,
    secret: &str,
) -> Result<(), String> {
    let db = open(location).await?;
    let store = db.credentials();
    let result = async {
        let changes = credential_changes(&db, redis).await?;
        let user = store
            .by_username(name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no user with username '{name}'"))?
            .value;
        let sealed = key
            .seal(user.user_id, secret.as_bytes())
            .map_err(|e| e.to_string())?;
        store
            .set_digest_secret(user.user_id, sealed)
            .await
            .map_err(|e| e.to_string())?;
        changes.committed().await;
        Ok(())
    }
    .await;
    drop(store);
    close(db).await;
    result
}

/// Suspends the user `name` (which ends its sessions).
pub async fn suspend_user(
    location: &Location,
    redis: Option<&str>,
    name: &str,
) -> Result<(), String> {
    let db = open(location).await?;
    let result = async {
        let users = user_service(&db, redis).await?;
        let user = users
            .get(UserKey::Username(name.to_string()))
            .await
            .map_err(describe)?;
        users
            .update(
                user.id,
                UserChanges {
                    status: Some(UserStatus::Suspended),
                    ..UserChanges::default()
                },
            )
            .await
            .map_err(describe)
            .map(|_| ())
    }
    .await;
    close(db).await;
    result
}

async fn close(db: Storage) {
    db.close(std::time::Duration::from_secs(10)).await;
}
