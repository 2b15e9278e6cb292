//! The `user` commands: create a user with a password (to bootstrap the first admin without
//! SQL) and give a user a digest secret, working on the database (SQLite or PostgreSQL)
//! directly.

use crate::common::PageTokens;
use crate::security::{Passwords, Role, SecretKey};
use crate::storage::{Location, Storage};
use crate::users::{NewUser, UserError, UserService, field_name};
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

/// Creates the user `name` with `roles` and `password`; its id.
pub async fn add_user(
    location: &Location,
    name: &str,
    email: Option<String>,
    roles: &[String],
    password: String,
) -> Result<i64, String> {
    let db = open(location).await?;
    let roles = roles
        .iter()
        .map(|r| Role::from_name(r).ok_or_else(|| format!("unknown role {r}")))
        .collect::<Result<Vec<_>, _>>()?;
    let users = UserService::new(
        db.users(),
        PageTokens::new([0; 32]),
        Passwords::new(1).map_err(|e| e.to_string())?,
    );
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
    key: &SecretKey,
    name: &str,
    secret: &str,
) -> Result<(), String> {
    let db = open(location).await?;
    let store = db.credentials();
    let result = async {
        let user = store
            .by_username(name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("no user with username '{name}'"))?;
        let sealed = key
            .seal(user.user_id, secret.as_bytes())
            .map_err(|e| e.to_string())?;
        store
            .set_digest_secret(user.user_id, sealed)
            .await
            .map_err(|e| e.to_string())
            .map(|_| ())
    }
    .await;
    drop(store);
    close(db).await;
    result
}

async fn close(db: Storage) {
    db.close(std::time::Duration::from_secs(10)).await;
}
