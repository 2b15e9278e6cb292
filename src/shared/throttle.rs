//! Failed-authentication counters shared by every node, in Redis: one hash per username and
//! per client address with the failures in a row and the end of the current backoff, changed
//! by Lua scripts on Redis's clock, so an attacker spreading guesses over N nodes gets no more
//! attempts than against one. Without Redis, or while it is down, each node counts on its own
//! (`security::throttle`).

use std::time::Duration;

use super::{Redis, RedisError};

/// Counts a failure in each of KEYS (ARGV: limit, first backoff ms, longest backoff ms, key
/// lifetime ms): from the limit-th failure in a row on, the key is blocked for the backoff,
/// doubled with each further failure up to the longest.
const FAILED: &str = r"
local limit = tonumber(ARGV[1])
local backoff = tonumber(ARGV[2])
local longest = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
for _, key in ipairs(KEYS) do
  local count = redis.call('HINCRBY', key, 'count', 1)
  if count >= limit then
    local wait = math.min(longest, backoff * 2 ^ math.min(count - limit, 31))
    redis.call('HSET', key, 'until', tostring(now + wait))
  end
  redis.call('PEXPIRE', key, ARGV[4])
end
return 0
";

/// 1 when any of KEYS is in a backoff now, else 0.
const BLOCKED: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
for _, key in ipairs(KEYS) do
  local stop = tonumber(redis.call('HGET', key, 'until'))
  if stop and now < stop then
    return 1
  end
end
return 0
";

/// The shared counters.
pub struct SharedFailures {
    redis: Redis,
    failed: redis::Script,
    blocked: redis::Script,
}

impl SharedFailures {
    pub fn new(redis: Redis) -> Self {
        SharedFailures {
            redis,
            failed: redis::Script::new(FAILED),
            blocked: redis::Script::new(BLOCKED),
        }
    }

    /// Whether any of `keys` is in a backoff.
    pub async fn blocked(&self, keys: &[String]) -> Result<bool, RedisError> {
        let script = &self.blocked;
        self.redis
            .run(|mut c| async move {
                let mut invocation = script.prepare_invoke();
                for key in keys {
                    invocation.key(key);
                }
                invocation.invoke_async::<i64>(&mut c).await
            })
            .await
            .map(|blocked| blocked == 1)
    }

    /// Counts a failure for each of `keys`.
    pub async fn failed(
        &self,
        keys: &[String],
        limit: u32,
        backoff: Duration,
        longest: Duration,
    ) -> Result<(), RedisError> {
        let script = &self.failed;
        let lifetime = (longest * 2).max(Duration::from_secs(900));
        self.redis
            .run(|mut c| async move {
                let mut invocation = script.prepare_invoke();
                for key in keys {
                    invocation.key(key);
                }
                invocation
                    .arg(limit)
                    .arg(millis(backoff))
                    .arg(millis(longest))
                    .arg(millis(lifetime))
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await
            .map(|_| ())
    }

    /// Starts `keys` afresh (a success).
    pub async fn succeeded(&self, keys: &[String]) -> Result<(), RedisError> {
        self.redis
            .run(
                |mut c| async move { redis::cmd("DEL").arg(keys).query_async::<i64>(&mut c).await },
            )
            .await
            .map(|_| ())
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
