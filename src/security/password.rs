//! Password hashing with argon2id (the argon2 crate's defaults: 19 MiB, 2 passes — the OWASP
//! baseline): work runs on the blocking pool, at most a few at once so that a flood of logins
//! cannot exhaust memory, and a check for an unknown user costs what a wrong password costs.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString};
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// Hashes `password` with a new random salt, in `memory` (`Params::default().block_count()`
/// blocks), to a PHC string.
fn hash_now(password: &str, memory: &mut [Block]) -> Result<String, PasswordError> {
    let failed = |e: &dyn std::fmt::Display| PasswordError::Hash(e.to_string());
    let argon2 = Argon2::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_buffer)
        .map_err(|e| failed(&e))?;
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut output, memory)
        .map_err(|e| failed(&e))?;
    phc(&salt, &output)
}

/// The PHC string of an argon2id output under the default parameters (those of `hash_now`).
fn phc(salt: &SaltString, output: &[u8]) -> Result<String, PasswordError> {
    let failed = |e: &dyn std::fmt::Display| PasswordError::Hash(e.to_string());
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&Params::default()).map_err(|e| failed(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(output).map_err(|e| failed(&e))?),
    };
    Ok(hash.to_string())
}

/// The parameters of a stored PHC string, when it is an argon2 hash this module can check.
fn parse(hash: &str) -> Option<(PasswordHash<'_>, Argon2<'static>)> {
    let parsed = match PasswordHash::new(hash) {
        Ok(parsed) => parsed,
        Err(e) => {
            tracing::error!(error = %e, "a stored password hash is not a PHC string");
            return None;
        }
    };
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from)
        .ok()?;
    let params = Params::try_from(&parsed).ok()?;
    Some((parsed, Argon2::new(algorithm, version, params)))
}

/// Whether `password` matches the PHC string `hash`, computed in `memory`.
fn verify_now(hash: &str, password: &str, memory: &mut Vec<Block>) -> bool {
    let Some((parsed, argon2)) = parse(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_buffer = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buffer) else {
        return false;
    };
    memory.resize(argon2.params().block_count(), Block::default());
    let mut output = vec![0u8; expected.len()];
    argon2
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut output, memory)
        .is_ok()
        && openssl::memcmp::eq(&output, expected.as_bytes())
}

/// argon2's working memory (19 MiB per hash), kept for reuse: a hash allocates nothing
/// large, and the process never holds more than one buffer per concurrent hash. (Left to
/// the allocator, glibc's growing mmap threshold kept every 19 MiB buffer in its arenas:
/// 1.7 GB of RSS after a few hundred CreateUser calls with passwords.)
#[derive(Default)]
struct Memory {
    buffers: std::sync::Mutex<Vec<Vec<Block>>>,
}

impl Memory {
    fn take(&self) -> Vec<Block> {
        let reused = self.buffers.lock().ok().and_then(|mut b| b.pop());
        reused.unwrap_or_else(|| vec![Block::default(); Params::default().block_count()])
    }

    fn put(&self, buffer: Vec<Block>) {
        if let Ok(mut buffers) = self.buffers.lock() {
            buffers.push(buffer);
        }
    }
}

/// A PHC string with the parameters `hash_now` uses, a random salt and a random output: checking
/// any password against it costs what checking a real hash costs, and never matches. Built
/// without hashing, so that starting up neither takes 20 ms nor touches 19 MiB.
fn decoy() -> Result<String, PasswordError> {
    let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
    openssl::rand::rand_bytes(&mut output).map_err(|e| PasswordError::Hash(e.to_string()))?;
    phc(&SaltString::generate(&mut OsRng), &output)
}

/// Hashes and verifies passwords off the async threads.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// One buffer per permit at most: a buffer is taken only under a permit.
    memory: Arc<Memory>,
    /// A hash of a random password, verified against when there is no real hash.
    decoy: Arc<str>,
}

impl Passwords {
    /// At most `concurrency` hashes at once (each holds 19 MiB while it runs).
    pub fn new(concurrency: usize) -> Result<Self, PasswordError> {
        Ok(Passwords {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            memory: Arc::default(),
            decoy: decoy()?.into(),
        })
    }

    /// Runs `work` on the blocking pool with a permit and a memory buffer.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| PasswordError::Hash(e.to_string()))?;
        let memory = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            let mut buffer = memory.take();
            let result = work(&mut buffer);
            memory.put(buffer);
            result
        })
        .await
        .map_err(|e| PasswordError::Hash(e.to_string()))
    }

    /// Hashes `password` after checking the length rules.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        check_policy(&password)?;
        self.blocking(move |memory| hash_now(&password, memory))
            .await?
    }

    /// True when `password` matches `hash`. Without a hash (unknown user, no password set) the
    /// password is checked against a decoy, so that the answer takes as long, and is false.
    pub async fn verify(&self, hash: Option<String>, password: String) -> bool {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.decoy.to_string());
        if password.len() > MAX_LEN * 4 {
            return false;
        }
        crate::metrics::METRICS.password_checks.inc();
        let matched = self
            .blocking(move |memory| verify_now(&hash, &password, memory))
            .await
            .unwrap_or(false);
        real && matched
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn the_decoy_has_the_parameters_of_a_real_hash() {
        let mut memory = vec![Block::default(); Params::default().block_count()];
        let real = hash_now("correct horse", &mut memory).unwrap();
        let decoy = decoy().unwrap();
        let parameters = |phc: &str| phc.rsplitn(3, '$').nth(2).unwrap().to_string();
        assert_eq!(parameters(&decoy), parameters(&real));
        assert!(PasswordHash::new(&decoy).is_ok(), "{decoy}");
        assert!(!verify_now(&decoy, "correct horse", &mut memory));
        assert!(verify_now(&real, "correct horse", &mut memory));
        // Hashes stored by the argon2 crate's own hasher check the same way, and back.
        let crate_hash = Argon2::default()
            .hash_password(b"correct horse", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(verify_now(&crate_hash, "correct horse", &mut memory));
        assert!(!verify_now(&crate_hash, "correct horsE", &mut memory));
        let ours = PasswordHash::new(&real).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &ours)
                .is_ok()
        );
    }

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
