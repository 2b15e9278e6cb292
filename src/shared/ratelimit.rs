//! Rate limits shared by every node: one token bucket per key in Redis, taken by a Lua script
//! (atomic, timed by Redis's clock), so N nodes grant the limit once, not N times. Without
//! Redis, or while it is down, each node falls back to its own bucket.

use std::fmt::Display;
use std::hash::Hash;
use std::time::Duration;

use super::Redis;
use crate::common::RateLimiter;

/// Takes one token from bucket KEYS[1] (ARGV: rate per second, burst); returns the seconds to
/// wait for a token, 0 when one was taken.
const TAKE: &str = r"
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
";

/// Token buckets by key, in Redis when there is one.
pub struct SharedLimiter<K> {
    rate: f64,
    burst: u32,
    local: RateLimiter<K>,
    shared: Option<(Redis, redis::Script, &'static str)>,
}

impl<K: Hash + Eq + Display + Send + Sync + 'static> SharedLimiter<K> {
    /// `rate` requests per second with bursts of `burst`, per key; in Redis under `prefix`
    /// when `redis` is given.
    pub fn new(rate: f64, burst: u32, redis: Option<Redis>, prefix: &'static str) -> Self {
        SharedLimiter {
            rate,
            burst: burst.max(1),
            local: RateLimiter::new(rate, burst),
            shared: redis.map(|r| (r, redis::Script::new(TAKE), prefix)),
        }
    }

    /// Takes a token for `key`: `Ok` when allowed, else how long until one is available.
    pub async fn check(&self, key: K) -> Result<(), Duration> {
        let Some((redis, script, prefix)) = &self.shared else {
            return self.local.check(key);
        };
        let bucket = format!("soapstone:rate:{prefix}:{key}");
        let (rate, burst) = (self.rate, self.burst);
        let taken = redis
            .run(|mut c| async move {
                script
                    .key(bucket)
                    .arg(rate)
                    .arg(burst)
                    .invoke_async::<String>(&mut c)
                    .await
            })
            .await;
        match taken.ok().and_then(|wait| wait.parse::<f64>().ok()) {
            Some(wait) if wait > 0.0 => Err(Duration::from_secs_f64(wait)),
            Some(_) => Ok(()),
            None => self.local.check(key),
        }
    }
}
