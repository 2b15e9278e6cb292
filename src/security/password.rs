//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes — the OWASP
//! baseline): work runs on the blocking pool, at most a few at once so that a flood of logins
//! cannot exhaust memory, and a check for an unknown user costs what a wrong password costs.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

/// Shortest and longest password accepted (the longest bounds hashing work).
pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password must have {MIN_LEN} to {MAX_LEN} characters")]
    Length,
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Checks the length rules.
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if (MIN_LEN..=MAX_LEN).contains(&n) {
        Ok(())
    } else {
        Err(PasswordError::Length)
    }
}

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`), on the calling thread.
pub fn hash_now(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

fn verify_now(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "a stored password hash is not a PHC string");
            false
        }
    }
}

/// Hashes and verifies passwords off the async threads.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// A hash of a random password, verified against when there is no real hash.
    decoy: Arc<str>,
}

impl Passwords {
    /// At most `concurrency` hashes at once (each holds 19 MiB while it runs).
    pub fn new(concurrency: usize) -> Result<Self, PasswordError> {
        let mut random = [0u8; 24];
        openssl::rand::rand_bytes(&mut random).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let decoy = hash_now(&base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            random,
        ))?;
        Ok(Passwords {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            decoy: decoy.into(),
        })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| PasswordError::Hash(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| PasswordError::Hash(e.to_string()))
    }

    /// Hashes `password` after checking the length rules.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        check_policy(&password)?;
        self.blocking(move || hash_now(&password)).await?
    }

    /// True when `password` matches `hash`. Without a hash (unknown user, no password set) the
    /// password is checked against a decoy, so that the answer takes as long, and is false.
    pub async fn verify(&self, hash: Option<String>, password: String) -> bool {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.to_string());
        if password.len() > MAX_LEN * 4 {
            return false;
        }
        let matched = self
            .blocking(move || verify_now(&hash, &password))
            .await
            .unwrap_or(false);
        real && matched
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_decoys_never_match() {
        let passwords = Passwords::new(2).unwrap();
        let hash = passwords.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            passwords
                .verify(Some(hash.clone()), "correct horse".into())
                .await
        );
        assert!(!passwords.verify(Some(hash), "correct horsE".into()).await);
        assert!(!passwords.verify(None, "anything at all".into()).await);
        assert!(matches!(
            passwords.hash("short".into()).await,
            Err(PasswordError::Length)
        ));
    }
}
