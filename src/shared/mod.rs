//! Redis, the fast state several nodes share (`--redis redis://host:port/N`, optional): the
//! product cache's version stamps (`products`), the credential cache's generation
//! (`credentials`), rate-limit buckets (`ratelimit`), failed-authentication counters
//! (`throttle`) and a fast path for nonces (`nonces`).
//!
//! Design decision: Redis is never the system of record. Every use has a correct answer
//! without it (PostgreSQL, or a per-node limit), so when Redis fails the node carries on
//! without it — logged once when it goes and once when it is back, counted in
//! `soapstone_redis_errors_total`, and shown by `soapstone_redis_up` — and reconnects by
//! itself, at most once a second, with every command bounded by a short timeout.

mod credentials;
mod nonces;
mod products;
mod ratelimit;
mod throttle;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client};

use crate::metrics::METRICS;

pub use credentials::SharedGeneration;
pub use nonces::SharedNonces;
pub use products::SharedVersions;
pub use ratelimit::SharedLimiter;
pub use throttle::SharedFailures;

/// Longest wait for a connection or an answer.
const TIMEOUT: Duration = Duration::from_millis(500);
/// Least time between two connection attempts while Redis is down.
const RETRY: Duration = Duration::from_secs(1);

/// Why Redis could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedisError {
    #[error("not a Redis URL: {0}")]
    Url(String),
    #[error("Redis is unavailable: {0}")]
    Unavailable(String),
}

/// A shared connection to Redis that notices failures and reconnects; cheap to clone.
#[derive(Clone)]
pub struct Redis {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    connection: Mutex<Option<MultiplexedConnection>>,
    /// When the last connection attempt failed (from `started`, in ms), to space attempts.
    failed_at: AtomicU64,
    started: Instant,
    up: AtomicBool,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis").finish_non_exhaustive()
    }
}

impl Redis {
    /// A connection to `url`; it is made at the first use, so a node starts while Redis is
    /// down and uses it once it is up.
    pub fn new(url: &str) -> Result<Self, RedisError> {
        let client = Client::open(url).map_err(|e| RedisError::Url(e.to_string()))?;
        METRICS.redis_up.set(0);
        Ok(Redis {
            inner: Arc::new(Inner {
                client,
                connection: Mutex::new(None),
                failed_at: AtomicU64::new(u64::MAX),
                started: Instant::now(),
                up: AtomicBool::new(false),
            }),
        })
    }

    /// Runs `command` on the connection; on failure, forgets the connection and reports
    /// Redis as down.
    pub async fn run<T, F, Fut>(&self, command: F) -> Result<T, RedisError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        match tokio::time::timeout(TIMEOUT, command(connection)).await {
            Ok(Ok(value)) => {
                self.went_up();
                Ok(value)
            }
            Ok(Err(e)) if !is_connection_error(&e) => {
                METRICS.redis_errors.inc();
                Err(RedisError::Unavailable(e.to_string()))
            }
            Ok(Err(e)) => Err(self.went_down(e.to_string())),
            Err(_) => Err(self.went_down("no answer in time".into())),
        }
    }

    async fn connection(&self) -> Result<MultiplexedConnection, RedisError> {
        if let Some(connection) = self.lock().clone() {
            return Ok(connection);
        }
        let now = self.elapsed_ms();
        let failed_at = self.inner.failed_at.load(Ordering::Acquire);
        if failed_at != u64::MAX && now.saturating_sub(failed_at) < RETRY.as_millis() as u64 {
            return Err(RedisError::Unavailable("reconnecting".into()));
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT));
        match self
            .inner
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(connection) => {
                *self.lock() = Some(connection.clone());
                Ok(connection)
            }
            Err(e) => Err(self.went_down(e.to_string())),
        }
    }

    fn went_up(&self) {
        if !self.inner.up.swap(true, Ordering::AcqRel) {
            METRICS.redis_up.set(1);
            tracing::info!("Redis is available: shared caches and limits are on");
        }
    }

    fn went_down(&self, reason: String) -> RedisError {
        METRICS.redis_errors.inc();
        *self.lock() = None;
        self.inner
            .failed_at
            .store(self.elapsed_ms(), Ordering::Release);
        if self.inner.up.swap(false, Ordering::AcqRel) {
            METRICS.redis_up.set(0);
            tracing::warn!(
                error = %reason,
                "Redis is unavailable: falling back to PostgreSQL only until it is back"
            );
        }
        RedisError::Unavailable(reason)
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.inner.started.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<MultiplexedConnection>> {
        self.inner
            .connection
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

fn is_connection_error(error: &redis::RedisError) -> bool {
    error.is_io_error()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_timeout()
}
