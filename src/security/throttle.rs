//! Throttling of failed authentication: after `limit` failures in a row for a username, or
//! from a client address, further attempts for it are refused without checking a password
//! until a backoff has passed; the backoff doubles with every further failure up to a cap, and
//! a success resets both counters. Refusals wait as long as a typical password check, so that
//! an attacker learns nothing from their timing, and cost no CPU.
//!
//! Counters live in this process (bounded caches) and, with Redis, in Redis too
//! ([`SharedFailures`]), where every node counts and checks them; while Redis does not answer,
//! each node goes by its own counters.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moka::sync::Cache;

use crate::shared::{Redis, SharedFailures};

/// When to throttle and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Failures in a row before attempts wait out a backoff; 0 never throttles.
    pub limit: u32,
    /// The first backoff, doubled with every further failure.
    pub backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            limit: 5,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, Default)]
struct Failures {
    count: u32,
    blocked_until: Option<Instant>,
}

type Counters<K> = Cache<K, Arc<Mutex<Failures>>>;

/// Failure counters per username and per client address.
pub(super) struct Throttle {
    config: ThrottleConfig,
    users: Counters<String>,
    addresses: Counters<IpAddr>,
    /// A moving average of how long a password check takes, in microseconds.
    typical_check_us: AtomicU64,
    shared: Option<SharedFailures>,
}

fn counters<K: std::hash::Hash + Eq + Send + Sync + 'static>(
    config: &ThrottleConfig,
) -> Counters<K> {
    Cache::builder()
        .max_capacity(100_000)
        .time_to_idle((config.max_backoff * 2).max(Duration::from_secs(900)))
        .build()
}

impl Throttle {
    /// Counters of this process, and in `shared` when given.
    pub fn new(config: ThrottleConfig, shared: Option<Redis>) -> Self {
        Throttle {
            users: counters(&config),
            addresses: counters(&config),
            config,
            typical_check_us: AtomicU64::new(20_000),
            shared: shared.map(SharedFailures::new),
        }
    }

    /// Whether an attempt for `username` from `ip` must be refused now: as Redis says, or
    /// as this process counted when Redis does not answer.
    pub async fn is_blocked(&self, username: &str, ip: Option<IpAddr>) -> bool {
        if self.config.limit == 0 {
            return false;
        }
        if let Some(shared) = &self.shared
            && let Ok(blocked) = shared.blocked(&shared_keys(username, ip)).await
        {
            return blocked;
        }
        self.blocked(username, ip)
    }

    /// Counts the outcome of an attempt: a failure towards a backoff, a success resets.
    pub async fn record(&self, username: &str, ip: Option<IpAddr>, succeeded: bool) {
        if self.config.limit == 0 {
            return;
        }
        if succeeded {
            self.succeeded(username, ip);
        } else {
            self.failed(username, ip);
        }
        if let Some(shared) = &self.shared {
            let keys = shared_keys(username, ip);
            // A failure to count in Redis is logged and counted by `shared`; this process's
            // counters stand in.
            let _ = if succeeded {
                shared.succeeded(&keys).await
            } else {
                shared
                    .failed(
                        &keys,
                        self.config.limit,
                        self.config.backoff,
                        self.config.max_backoff,
                    )
                    .await
            };
        }
    }

    /// Whether this process's counters refuse an attempt for `username` from `ip` now.
    fn blocked(&self, username: &str, ip: Option<IpAddr>) -> bool {
        if self.config.limit == 0 {
            return false;
        }
        let now = Instant::now();
        let blocked = |failures: Option<Arc<Mutex<Failures>>>| {
            failures.is_some_and(|f| {
                f.lock()
                    .is_ok_and(|f| f.blocked_until.is_some_and(|until| now < until))
            })
        };
        blocked(self.users.get(username)) || ip.is_some_and(|ip| blocked(self.addresses.get(&ip)))
    }

    /// Counts a failed attempt; from the `limit`th in a row on, starts a backoff.
    fn failed(&self, username: &str, ip: Option<IpAddr>) {
        if self.config.limit == 0 {
            return;
        }
        self.count(self.users.get_with_by_ref(username, Default::default));
        if let Some(ip) = ip {
            self.count(self.addresses.get_with(ip, Default::default));
        }
    }

    fn count(&self, failures: Arc<Mutex<Failures>>) {
        let Ok(mut failures) = failures.lock() else {
            return;
        };
        failures.count = failures.count.saturating_add(1);
        if let Some(beyond) = failures.count.checked_sub(self.config.limit) {
            let factor = 2u32.saturating_pow(beyond.min(31));
            let backoff = self
                .config
                .backoff
                .saturating_mul(factor)
                .min(self.config.max_backoff);
            failures.blocked_until = Some(Instant::now() + backoff);
        }
    }

    /// A successful authentication of `username` from `ip`: both start afresh.
    fn succeeded(&self, username: &str, ip: Option<IpAddr>) {
        self.users.invalidate(username);
        if let Some(ip) = ip {
            self.addresses.invalidate(&ip);
        }
    }

    /// Records how long a real password check took.
    pub fn observe_check(&self, took: Duration) {
        let took = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        let typical = self.typical_check_us.load(Ordering::Relaxed);
        let next = typical - typical / 8 + took / 8;
        self.typical_check_us.store(next, Ordering::Relaxed);
    }

    /// Waits as long as a typical password check, without using the CPU.
    pub async fn pause(&self) {
        let us = self.typical_check_us.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_micros(us.min(2_000_000))).await;
    }
}

/// The Redis keys of `username` and `ip`.
fn shared_keys(username: &str, ip: Option<IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("soapstone:throttle:user:{username}")];
    if let Some(ip) = ip {
        keys.push(format!("soapstone:throttle:ip:{ip}"));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(limit: u32, backoff_ms: u64, max_ms: u64) -> Throttle {
        Throttle::new(
            ThrottleConfig {
                limit,
                backoff: Duration::from_millis(backoff_ms),
                max_backoff: Duration::from_millis(max_ms),
            },
            None,
        )
    }

    fn until(t: &Throttle, name: &str) -> Option<Instant> {
        t.users.get(name).and_then(|f| f.lock().ok()?.blocked_until)
    }

    #[test]
    fn blocks_after_the_limit_with_a_doubling_capped_backoff() {
        let t = throttle(3, 1_000, 3_500);
        let ip = Some("192.0.2.1".parse().unwrap());
        for _ in 0..2 {
            t.failed("alice", ip);
            assert!(!t.blocked("alice", ip));
        }
        let before = Instant::now();
        t.failed("alice", ip);
        assert!(t.blocked("alice", ip));
        assert!(t.blocked("bob", ip), "the address is throttled too");
        assert!(!t.blocked("bob", None), "another address for bob is not");
        let backoff = |t: &Throttle| until(t, "alice").unwrap() - before;
        assert!(backoff(&t) >= Duration::from_millis(1_000));
        assert!(backoff(&t) < Duration::from_millis(2_000));
        t.failed("alice", None);
        assert!(backoff(&t) >= Duration::from_millis(2_000));
        for _ in 0..40 {
            t.failed("alice", None);
        }
        assert!(backoff(&t) <= Duration::from_millis(3_500) + before.elapsed());
        t.succeeded("alice", ip);
        assert!(!t.blocked("alice", ip));
        assert!(!t.blocked("bob", ip));
    }

    #[test]
    fn a_limit_of_zero_never_throttles() {
        let t = throttle(0, 1_000, 1_000);
        for _ in 0..100 {
            t.failed("alice", None);
        }
        assert!(!t.blocked("alice", None));
    }
}
