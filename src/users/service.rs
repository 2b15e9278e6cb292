//! Business rules of the User service: validation and normalization, uniqueness, paging; every
//! change of a user's status or password is announced to the credential caches before it is
//! acknowledged.

use std::sync::Arc;

use super::model::{NewUser, Role, User, UserChanges, UserFilter, UserKey, UserSort};
use super::repository::{RepoError, UniqueField, UserRepository};
use crate::common::{
    Cursor, CursorValue, PageTokens, Violation, keep_first_occurrences, now, page_size, violation,
};
use crate::db::DbError;
use crate::security::{AccessDenied, CredentialChanges, PasswordError, Passwords};

/// Why a User service call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("no user with {0}")]
    NotFound(UserKeyDisplay),
    #[error("another user already has this {}", field_name(*.field))]
    Duplicate { field: UniqueField, value: String },
    #[error("the request is invalid")]
    Invalid(Vec<Violation>),
    #[error(transparent)]
    Denied(#[from] AccessDenied),
    #[error("internal error: {0}")]
    Internal(DbError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// A user key for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserKeyDisplay(pub UserKey);

impl std::fmt::Display for UserKeyDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            UserKey::Id(id) => write!(f, "id {id}"),
            UserKey::Username(name) => write!(f, "username '{name}'"),
            UserKey::Email(email) => write!(f, "email '{email}'"),
        }
    }
}

pub fn field_name(field: UniqueField) -> &'static str {
    match field {
        UniqueField::Username => "username",
        UniqueField::Email => "email",
    }
}

/// A ListUsers request after decoding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub filter: UserFilter,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

/// One page of users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserList {
    pub users: Vec<User>,
    pub next_page_token: Option<String>,
    pub total: i64,
}

/// The User service; cheap to clone.
#[derive(Clone)]
pub struct UserService {
    repo: Arc<dyn UserRepository>,
    tokens: PageTokens,
    passwords: Passwords,
    credentials: CredentialChanges,
}

impl UserService {
    pub fn new(
        repo: Arc<dyn UserRepository>,
        tokens: PageTokens,
        passwords: Passwords,
        credentials: CredentialChanges,
    ) -> Self {
        UserService {
            repo,
            tokens,
            passwords,
            credentials,
        }
    }

    /// Creates an active user, with an initial password if given (without one the user can
    /// authenticate only by certificate until SetPassword).
    pub async fn create(
        &self,
        mut user: NewUser,
        password: Option<String>,
    ) -> Result<User, UserError> {
        let mut violations = Vec::new();
        if let Some(password) = &password {
            check_password(password, "password", &mut violations);
        }
        check_username(&user.username, "username", &mut violations);
        check_email(&user.email, "email", &mut violations);
        if let Some(name) = &user.display_name {
            check_display_name(name, &mut violations);
        }
        if user.roles.is_empty() {
            violations.push(violation("role", "at least one role is required"));
        }
        if !violations.is_empty() {
            return Err(UserError::Invalid(violations));
        }
        keep_first_occurrences(&mut user.roles);
        let (username, email) = (user.username.clone(), user.email.clone());
        let hash = match password {
            Some(password) => Some(self.hash(password).await?),
            None => None,
        };
        self.repo
            .insert(user, hash, now())
            .await
            .map_err(|e| duplicate_or_internal(e, &username, &email))
    }

    pub async fn get(&self, key: UserKey) -> Result<User, UserError> {
        if let UserKey::Id(id) = key
            && id <= 0
        {
            return Err(UserError::NotFound(UserKeyDisplay(key)));
        }
        self.repo
            .find(key.clone())
            .await
            .map_err(internal)?
            .ok_or(UserError::NotFound(UserKeyDisplay(key)))
    }

    pub async fn list(&self, request: ListRequest) -> Result<UserList, UserError> {
        let mut filter = request.filter;
        let mut violations = Vec::new();
        let limit = page_size(request.page_size, &mut violations);
        if let Some(part) = &mut filter.email_contains {
            if part.chars().count() > 254 {
                violations.push(violation("emailContains", "must be at most 254 characters"));
            }
            *part = part.to_lowercase();
        }
        let scope = scope(&filter);
        let after =
            self.tokens
                .open_request(&scope, request.page_token.as_deref(), &mut violations);
        if !violations.is_empty() {
            return Err(UserError::Invalid(violations));
        }
        let sort = filter.sort;
        let rows = self
            .repo
            .list(filter, after, limit)
            .await
            .map_err(internal)?;
        let next_page_token = match rows.users.last() {
            Some(last) if rows.more => Some(self.tokens.seal(&scope, &cursor_of(last, sort))),
            _ => None,
        };
        Ok(UserList {
            users: rows.users,
            next_page_token,
            total: rows.total,
        })
    }

    pub async fn update(&self, id: i64, changes: UserChanges) -> Result<User, UserError> {
        let mut violations = Vec::new();
        if let Some(email) = &changes.email {
            check_email(email, "email", &mut violations);
        }
        if let Some(Some(name)) = &changes.display_name {
            check_display_name(name, &mut violations);
        }
        if !violations.is_empty() {
            return Err(UserError::Invalid(violations));
        }
        if changes.is_empty() {
            return self.get(UserKey::Id(id)).await;
        }
        let email = changes.email.clone().unwrap_or_default();
        let status_changes = changes.status.is_some();
        let updated = self
            .repo
            .update(id, changes, now())
            .await
            .map_err(|e| duplicate_or_internal(e, "", &email))?
            .ok_or(UserError::NotFound(UserKeyDisplay(UserKey::Id(id))))?;
        if status_changes {
            self.credentials.committed().await;
        }
        Ok(updated)
    }

    /// Sets the password of user `id` and ends its other sessions (all but `keep_session`).
    pub async fn set_password(
        &self,
        id: i64,
        password: String,
        keep_session: Option<[u8; 32]>,
    ) -> Result<(), UserError> {
        let mut violations = Vec::new();
        check_password(&password, "newPassword", &mut violations);
        if !violations.is_empty() {
            return Err(UserError::Invalid(violations));
        }
        let hash = self.hash(password).await?;
        if self
            .repo
            .set_password(id, hash, keep_session, now())
            .await
            .map_err(internal)?
        {
            self.credentials.committed().await;
            Ok(())
        } else {
            Err(UserError::NotFound(UserKeyDisplay(UserKey::Id(id))))
        }
    }

    async fn hash(&self, password: String) -> Result<String, UserError> {
        self.passwords
            .hash(password)
            .await
            .map_err(|e| UserError::Hashing(e.to_string()))
    }

    /// True when the user existed and was deleted; false when there was no such user. A user
    /// who has placed orders is kept (suspend them instead).
    pub async fn delete(&self, id: i64) -> Result<bool, UserError> {
        let deleted = match self.repo.delete(id).await {
            Err(RepoError::Referenced) => Err(UserError::Invalid(vec![violation(
                "id",
                "the user has orders and cannot be deleted; suspend the user instead",
            )])),
            other => other.map_err(internal),
        }?;
        if deleted {
            self.credentials.committed().await;
        }
        Ok(deleted)
    }
}

fn internal(error: RepoError) -> UserError {
    match error {
        RepoError::Db(e) => UserError::Internal(e),
        RepoError::Duplicate(field) => {
            UserError::Internal(DbError::Sqlite(format!("unexpected duplicate {field:?}")))
        }
        RepoError::Referenced => {
            UserError::Internal(DbError::Sqlite("unexpected reference to a user".into()))
        }
    }
}

fn duplicate_or_internal(error: RepoError, username: &str, email: &str) -> UserError {
    match error {
        RepoError::Duplicate(field) => UserError::Duplicate {
            field,
            value: match field {
                UniqueField::Username => username.to_string(),
                UniqueField::Email => email.to_string(),
            },
        },
        other => internal(other),
    }
}

/// Identifies a query for its page tokens: the filters and the order, not the page size.
fn scope(filter: &UserFilter) -> String {
    let email = filter.email_contains.as_deref().unwrap_or_default();
    format!(
        "users|{}|{}|{}:{}|{}|{}",
        filter.role.map_or("", Role::as_str),
        filter.status.map_or("", |s| s.as_str()),
        email.len(),
        email,
        filter.sort.as_str(),
        filter.descending
    )
}

fn cursor_of(user: &User, sort: UserSort) -> Cursor {
    let value = match sort {
        UserSort::Username => CursorValue::Text(user.username.clone()),
        UserSort::Email => CursorValue::Text(user.email.to_lowercase()),
        UserSort::CreatedAt => CursorValue::Int(crate::db::millis(user.created_at)),
    };
    Cursor { value, id: user.id }
}

fn check_username(username: &str, field: &'static str, out: &mut Vec<Violation>) {
    let valid_chars = username
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
    if !(3..=32).contains(&username.len()) || !valid_chars {
        out.push(violation(
            field,
            "must be 3 to 32 characters of a-z, 0-9, '_', '.' and '-'",
        ));
    }
}

fn check_email(email: &str, field: &'static str, out: &mut Vec<Violation>) {
    if !valid_email(email) {
        out.push(violation(
            field,
            "must be a valid email address (local@domain.tld)",
        ));
    }
}

fn check_password(password: &str, field: &'static str, out: &mut Vec<Violation>) {
    if let Err(e @ PasswordError::Length) = crate::security::password::check_policy(password) {
        out.push(violation(field, e.to_string()));
    }
}

fn check_display_name(name: &str, out: &mut Vec<Violation>) {
    if name.chars().count() > 200 {
        out.push(violation("displayName", "must be at most 200 characters"));
    }
}

/// A pragmatic address check: one `@`, a local part of printable ASCII without spaces, and a
/// domain of at least two DNS labels.
fn valid_email(email: &str) -> bool {
    if email.len() > 254 {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"@()<>[]:;,\\\"".contains(&b))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        for good in [
            "a@b.co",
            "Bob.O'Brien+tag@Example.org",
            "x_y@sub.domain-1.io",
        ] {
            assert!(valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.co",
            "a@.co",
            "a@b..co",
            "a b@c.de",
            "a@b.c_o",
            "a@-b.co",
            ".a@b.co",
            "a..b@c.de",
            "a@b@c.de",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn username_rules() {
        let check = |name: &str| {
            let mut v = Vec::new();
            check_username(name, "username", &mut v);
            v.is_empty()
        };
        assert!(check("abc"));
        assert!(check("a.b_c-9"));
        assert!(!check("ab"));
        assert!(!check("Abc"));
        assert!(!check(&"a".repeat(33)));
        assert!(!check("al ice"));
    }
}
