//! Opaque, tamper-evident page tokens for keyset pagination.
//!
//! A token carries the sort key and id of the last row of a page, bound to the query it came
//! from (its scope) and signed with HMAC-SHA256 under a server key. A forged or altered token,
//! or one sent with a different query, is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Violation, violation};

const TAG_LEN: usize = 16;
const VERSION: u8 = 1;

/// The sort key value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorValue {
    Int(i64),
    Text(String),
}

/// Where the next page starts: after (value, id) in the query's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub value: CursorValue,
    pub id: i64,
}

/// Why a page token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageTokenError {
    #[error("the page token is not valid: it was altered, or it belongs to a different query")]
    Invalid,
}

/// Page size when a request gives none, and the largest a request may ask for
/// (`c:PageSize`).
pub const DEFAULT_PAGE_SIZE: i32 = 50;
pub const MAX_PAGE_SIZE: i32 = 500;

/// The page size a request asked for (the default when it gave none); a violation on
/// `pageSize` when it is out of range.
pub fn page_size(requested: Option<i32>, violations: &mut Vec<Violation>) -> usize {
    let size = requested.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        violations.push(violation(
            "pageSize",
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    usize::try_from(size.clamp(1, MAX_PAGE_SIZE)).unwrap_or(1)
}

/// Seals and opens page tokens under one key.
#[derive(Clone)]
pub struct PageTokens {
    key: [u8; 32],
}

impl std::fmt::Debug for PageTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PageTokens(..)")
    }
}

impl PageTokens {
    pub fn new(key: [u8; 32]) -> Self {
        PageTokens { key }
    }

    /// A token for `cursor` within the query identified by `scope`.
    pub fn seal(&self, scope: &str, cursor: &Cursor) -> String {
        let mut payload = vec![VERSION];
        payload.extend_from_slice(&cursor.id.to_be_bytes());
        match &cursor.value {
            CursorValue::Int(v) => {
                payload.push(b'i');
                payload.extend_from_slice(&v.to_be_bytes());
            }
            CursorValue::Text(t) => {
                payload.push(b's');
                payload.extend_from_slice(t.as_bytes());
            }
        }
        let tag = self.tag(scope, &payload);
        payload.extend_from_slice(&tag[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(payload)
    }

    /// The cursor of a request's `pageToken` (none when it sent none); a violation on
    /// `pageToken` when the token is not genuine or not for `scope`.
    pub fn open_request(
        &self,
        scope: &str,
        token: Option<&str>,
        violations: &mut Vec<Violation>,
    ) -> Option<Cursor> {
        match self.open(scope, token?) {
            Ok(cursor) => Some(cursor),
            Err(e) => {
                violations.push(violation("pageToken", e.to_string()));
                None
            }
        }
    }

    /// The cursor in `token`, if it is genuine and was issued for `scope`.
    pub fn open(&self, scope: &str, token: &str) -> Result<Cursor, PageTokenError> {
        let raw = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| PageTokenError::Invalid)?;
        if raw.len() < 1 + 8 + 1 + TAG_LEN {
            return Err(PageTokenError::Invalid);
        }
        let (payload, tag) = raw.split_at(raw.len() - TAG_LEN);
        let mut mac = self.mac(scope);
        mac.update(payload);
        mac.verify_truncated_left(tag)
            .map_err(|_| PageTokenError::Invalid)?;
        if payload[0] != VERSION {
            return Err(PageTokenError::Invalid);
        }
        let id = i64::from_be_bytes(
            payload[1..9]
                .try_into()
                .map_err(|_| PageTokenError::Invalid)?,
        );
        let value = match (payload[9], &payload[10..]) {
            (b'i', bytes) => CursorValue::Int(i64::from_be_bytes(
                bytes.try_into().map_err(|_| PageTokenError::Invalid)?,
            )),
            (b's', bytes) => CursorValue::Text(
                String::from_utf8(bytes.to_vec()).map_err(|_| PageTokenError::Invalid)?,
            ),
            _ => return Err(PageTokenError::Invalid),
        };
        Ok(Cursor { value, id })
    }

    fn mac(&self, scope: &str) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes keys of any size");
        mac.update(&(scope.len() as u64).to_be_bytes());
        mac.update(scope.as_bytes());
        mac
    }

    fn tag(&self, scope: &str, payload: &[u8]) -> Vec<u8> {
        let mut mac = self.mac(scope);
        mac.update(payload);
        mac.finalize().into_bytes().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_forgery_and_other_queries() {
        let tokens = PageTokens::new([7; 32]);
        for value in [
            CursorValue::Int(-5),
            CursorValue::Text("bob@example.org".into()),
        ] {
            let cursor = Cursor { value, id: 42 };
            let token = tokens.seal("users|sort=email", &cursor);
            assert_eq!(tokens.open("users|sort=email", &token), Ok(cursor));
            assert_eq!(
                tokens.open("users|sort=username", &token),
                Err(PageTokenError::Invalid)
            );
            let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
            raw[3] ^= 1;
            let forged = URL_SAFE_NO_PAD.encode(raw);
            assert_eq!(
                tokens.open("users|sort=email", &forged),
                Err(PageTokenError::Invalid)
            );
        }
        assert_eq!(
            tokens.open("s", "not base64!"),
            Err(PageTokenError::Invalid)
        );
        assert_eq!(tokens.open("s", "AAAA"), Err(PageTokenError::Invalid));
        let other = PageTokens::new([8; 32]);
        let token = tokens.seal(
            "s",
            &Cursor {
                value: CursorValue::Int(1),
                id: 1,
            },
        );
        assert_eq!(other.open("s", &token), Err(PageTokenError::Invalid));
    }
}
