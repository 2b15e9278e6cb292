//! Rate limiting per key (a client address, a user): a token bucket each (rate per second,
//! burst), kept in a bounded cache so that many keys cannot grow it without limit.

use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moka::sync::Cache;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets by key.
pub struct RateLimiter<K> {
    rate: f64,
    burst: f64,
    buckets: Cache<K, Arc<Mutex<Bucket>>>,
}

impl<K: Hash + Eq + Send + Sync + 'static> RateLimiter<K> {
    /// `rate` requests per second with bursts of `burst`.
    pub fn new(rate: f64, burst: u32) -> Self {
        RateLimiter {
            rate,
            burst: f64::from(burst.max(1)),
            buckets: Cache::builder()
                .max_capacity(100_000)
                .time_to_idle(Duration::from_secs_f64(
                    (f64::from(burst.max(1)) / rate).max(1.0),
                ))
                .build(),
        }
    }

    /// Takes a token for `client`: `Ok` when allowed, else how long until one is available.
    pub fn check(&self, client: K) -> Result<(), Duration> {
        let bucket = self.buckets.get_with(client, || {
            Arc::new(Mutex::new(Bucket {
                tokens: self.burst,
                at: Instant::now(),
            }))
        });
        let mut bucket = bucket.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let refill = now.duration_since(bucket.at).as_secs_f64() * self.rate;
        bucket.tokens = (bucket.tokens + refill).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    #[test]
    fn allows_the_burst_then_the_rate_per_address() {
        let limiter = RateLimiter::<IpAddr>::new(10.0, 3);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..3 {
            assert!(limiter.check(a).is_ok());
        }
        let wait = limiter.check(a).unwrap_err();
        assert!(wait <= Duration::from_millis(100), "{wait:?}");
        assert!(limiter.check(b).is_ok(), "buckets are per address");
        std::thread::sleep(Duration::from_millis(120));
        assert!(limiter.check(a).is_ok(), "refilled");
    }
}
