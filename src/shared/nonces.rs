//! A fast path for replayed nonces: `SET NX EX` in Redis in front of the durable nonce store.
//! A nonce Redis has already seen is a replay without a database write; a nonce it has not
//! seen still goes to the durable store, which stays the judge (Redis may have restarted or
//! be down), so nothing here can accept a replay.

use redis::AsyncCommands;

use super::Redis;

/// Nonces seen recently, in Redis; cheap to clone.
#[derive(Clone)]
pub struct SharedNonces {
    redis: Redis,
}

impl SharedNonces {
    pub fn new(redis: Redis) -> Self {
        SharedNonces { redis }
    }

    /// False when Redis already holds `nonce` (a replay for certain); true when it did not
    /// (recorded now for `seconds`) or could not tell.
    pub async fn first_sighting(&self, nonce: &[u8], seconds: u64) -> bool {
        let mut key = b"soapstone:nonce:".to_vec();
        key.extend_from_slice(nonce);
        let options = redis::SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(redis::SetExpiry::EX(seconds.max(1)));
        self.redis
            .run(
                |mut c| async move { c.set_options::<_, _, Option<String>>(key, 1, options).await },
            )
            .await
            .map_or(true, |set| set.is_some())
    }
}
