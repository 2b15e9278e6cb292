//! Secrets the server must read back (UsernameToken digest secrets), sealed at rest with
//! AES-256-GCM (openssl) under the configured secret key. A sealed value is
//! nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes); the user id is authenticated with it, so a
//! sealed secret copied to another user's row does not open.

use std::fmt;

use openssl::symm::{Cipher, decrypt_aead, encrypt_aead};

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the secret key must be 64 hexadecimal digits (32 bytes)")]
    BadKey,
    #[error("a sealed secret did not open: wrong key or damaged data")]
    Open,
    #[error("sealing failed: {0}")]
    Seal(String),
}

/// The 256-bit key secrets are sealed under.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// Compared in constant time.
impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        openssl::memcmp::eq(&self.0, &other.0)
    }
}

impl Eq for SecretKey {}

impl SecretKey {
    /// Parses 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, SealError> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return Err(SealError::BadKey);
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte =
                u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| SealError::BadKey)?;
        }
        Ok(SecretKey(key))
    }

    /// The key's bytes, for another use of a configured 32-byte key (the page-token key).
    pub fn bytes(&self) -> [u8; 32] {
        self.0
    }

    fn aad(user_id: i64) -> Vec<u8> {
        format!("soapstone digest secret of user {user_id}").into_bytes()
    }

    /// Seals `plain` for user `user_id`.
    pub fn seal(&self, user_id: i64, plain: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        openssl::rand::rand_bytes(&mut nonce).map_err(|e| SealError::Seal(e.to_string()))?;
        let mut tag = [0u8; TAG_LEN];
        let cipher = encrypt_aead(
            Cipher::aes_256_gcm(),
            &self.0,
            Some(&nonce),
            &Self::aad(user_id),
            plain,
            &mut tag,
        )
        .map_err(|e| SealError::Seal(e.to_string()))?;
        let mut sealed = Vec::with_capacity(NONCE_LEN + cipher.len() + TAG_LEN);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&cipher);
        sealed.extend_from_slice(&tag);
        Ok(sealed)
    }

    /// Opens what [`SecretKey::seal`] sealed for `user_id`.
    pub fn open(&self, user_id: i64, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Open);
        }
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let (cipher, tag) = rest.split_at(rest.len() - TAG_LEN);
        decrypt_aead(
            Cipher::aes_256_gcm(),
            &self.0,
            Some(nonce),
            &Self::aad(user_id),
            cipher,
            tag,
        )
        .map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_user() {
        let key = SecretKey::from_hex(KEY).unwrap();
        let sealed = key.seal(7, b"digest secret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"digest"));
        assert_eq!(key.open(7, &sealed).unwrap(), b"digest secret");
        assert!(key.open(8, &sealed).is_err(), "bound to the user");
        let other = SecretKey::from_hex(&KEY.replace('0', "1")).unwrap();
        assert!(other.open(7, &sealed).is_err());
        let mut damaged = sealed.clone();
        damaged[14] ^= 1;
        assert!(key.open(7, &damaged).is_err());
        assert!(SecretKey::from_hex("abc").is_err());
    }
}
