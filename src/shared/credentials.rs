//! The credential generation the nodes share in Redis: the highest value of the database's
//! credential counter (raised by triggers on every credential, role, status and session change,
//! migration 0003) that any node has published. A node serves a cached copy of credentials or
//! of a session only while this value is the generation the copy was read under
//! (`security::credential_cache`).
//!
//! Publishing keeps the highest value (a Lua script), so a node that read the counter before
//! another node's change can never set Redis back under it; a missing key (a new or restarted
//! Redis) matches no copy, so every node reads the database until a value is published again.

use std::sync::Arc;

use redis::AsyncCommands;

use super::{Redis, RedisError};

/// Sets KEYS[1] to ARGV[1] unless it already holds a value as high.
const PUBLISH: &str = r"
local current = tonumber(redis.call('GET', KEYS[1]))
local generation = tonumber(ARGV[1])
if current == nil or generation > current then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 0
";

/// The shared generation of one database; cheap to clone.
#[derive(Clone)]
pub struct SharedGeneration {
    redis: Redis,
    key: String,
    publish: Arc<redis::Script>,
}

impl SharedGeneration {
    /// The generation of the database `scope` names (one Redis may serve several databases).
    pub fn new(redis: Redis, scope: &str) -> Self {
        SharedGeneration {
            redis,
            key: format!("soapstone:credentials:{scope}:generation"),
            publish: Arc::new(redis::Script::new(PUBLISH)),
        }
    }

    /// The generation published last; `None` when none is.
    pub async fn current(&self) -> Result<Option<i64>, RedisError> {
        let key = self.key.as_str();
        self.redis
            .run(|mut c| async move { c.get::<_, Option<i64>>(key).await })
            .await
    }

    /// Publishes `generation`, unless a higher one already is.
    pub async fn publish(&self, generation: i64) -> Result<(), RedisError> {
        let (script, key) = (&self.publish, self.key.as_str());
        self.redis
            .run(|mut c| async move {
                let mut invocation = script.prepare_invoke();
                invocation.key(key).arg(generation);
                invocation.invoke_async::<i64>(&mut c).await
            })
            .await
            .map(|_| ())
    }
}
