//! PostgreSQL, the system of record when several nodes run: a bounded connection pool
//! (deadpool-postgres over tokio-postgres), the mapping of its errors onto [`DbError`],
//! migrations applied under an advisory lock, readiness and stored settings. Services reach it
//! only through their repositories (`users::postgres`, `catalog::postgres`, …).
//!
//! Design decision: every connection failure, refused connection or pool timeout is
//! [`DbError::Unavailable`], which the endpoint answers with a retryable Server fault (HTTP 503
//! and Retry-After); the pool recycles broken connections, so service resumes by itself when
//! the database is back, with no restart.

mod keyset;
mod migrations;
mod money;

use std::time::Duration;

use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime, Timeouts,
};
use time::OffsetDateTime;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::db::DbError;

pub use keyset::{Listing, Param, Params, page};
pub use money::{minor_units, money, numeric};

/// How to reach PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// A `postgres://user:password@host:port/dbname` URL.
    pub url: String,
    /// Connections at most.
    pub pool_size: usize,
    /// Longest wait for a connection (from the pool, or a new one) before the request is
    /// answered "storage unavailable".
    pub wait: Duration,
}

impl PgOptions {
    pub fn new(url: impl Into<String>) -> Self {
        PgOptions {
            url: url.into(),
            pool_size: 16,
            wait: Duration::from_secs(2),
        }
    }
}

/// The connection pool; cheap to clone.
#[derive(Clone)]
pub struct PgDatabase {
    pool: Pool,
}

impl std::fmt::Debug for PgDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDatabase").finish_non_exhaustive()
    }
}

impl PgDatabase {
    /// Connects, applies pending migrations (one node at a time) and returns the pool.
    pub async fn open(options: &PgOptions) -> Result<Self, DbError> {
        let mut config: tokio_postgres::Config =
            options.url.parse().map_err(|e| DbError::Open {
                path: redacted(&options.url),
                reason: format!("not a PostgreSQL URL: {e}"),
            })?;
        // A server that stops answering (a partition, not a refusal) is noticed by the
        // connect timeout and TCP keepalives, not only by the handler deadline.
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.wait);
        }
        config
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10));
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(options.wait),
                create: Some(options.wait),
                recycle: Some(options.wait),
            })
            .build()
            .map_err(|e| DbError::Open {
                path: redacted(&options.url),
                reason: e.to_string(),
            })?;
        let db = PgDatabase { pool };
        let mut client = db.client().await.map_err(|e| DbError::Open {
            path: redacted(&options.url),
            reason: e.to_string(),
        })?;
        migrations::apply(&mut client).await?;
        Ok(db)
    }

    /// Creates the schema if needed and applies pending migrations; the schema version.
    pub async fn migrate(url: &str) -> Result<i64, DbError> {
        let db = PgDatabase::open(&PgOptions::new(url)).await?;
        let client = db.client().await?;
        migrations::version(&client).await
    }

    /// A connection from the pool, waiting at most the configured time.
    pub async fn client(&self) -> Result<Object, DbError> {
        self.pool.get().await.map_err(DbError::from)
    }

    /// `Ok` when a query succeeds and the schema is the one this program migrates to.
    pub async fn ready(&self) -> Result<(), DbError> {
        let client = self.client().await?;
        let version = migrations::version(&client).await?;
        if version == migrations::latest() {
            Ok(())
        } else {
            Err(DbError::Postgres(format!(
                "schema version {version}, expected {}",
                migrations::latest()
            )))
        }
    }

    /// Connections open and idle, for /metrics.
    pub fn pool_status(&self) -> (usize, usize) {
        let status = self.pool.status();
        (status.size, status.available)
    }

    /// A setting stored in the database, created by `init` the first time it is asked for; the
    /// first node to store it wins, every other node reads the same value.
    pub async fn setting_or_init(
        &self,
        key: &'static str,
        init: impl FnOnce() -> Vec<u8>,
    ) -> Result<Vec<u8>, DbError> {
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&key, &init()],
            )
            .await?;
        let row = client
            .query_one("SELECT value FROM settings WHERE key = $1", &[&key])
            .await?;
        Ok(row.get(0))
    }

    /// Closes every connection.
    pub fn close(&self) {
        self.pool.close();
    }
}

/// `url` without its password, for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A time as stored: to the millisecond, like the SQLite backend.
pub fn at_millis(at: OffsetDateTime) -> OffsetDateTime {
    let nanos = at.unix_timestamp_nanos();
    OffsetDateTime::from_unix_timestamp_nanos(nanos - nanos.rem_euclid(1_000_000)).unwrap_or(at)
}

/// Whether `error` is a violation of the unique constraint or index `constraint`.
pub fn violates(error: &tokio_postgres::Error, constraint: &str) -> bool {
    error.as_db_error().is_some_and(|db| {
        (db.code() == &SqlState::UNIQUE_VIOLATION || db.code() == &SqlState::FOREIGN_KEY_VIOLATION)
            && db.constraint() == Some(constraint)
    })
}

impl From<tokio_postgres::Error> for DbError {
    fn from(error: tokio_postgres::Error) -> Self {
        match error.code() {
            Some(code)
                if code == &SqlState::DISK_FULL
                    || code == &SqlState::PROGRAM_LIMIT_EXCEEDED
                    || code == &SqlState::OUT_OF_MEMORY =>
            {
                DbError::Full
            }
            Some(code)
                if code == &SqlState::T_R_SERIALIZATION_FAILURE
                    || code == &SqlState::T_R_DEADLOCK_DETECTED
                    || code == &SqlState::LOCK_NOT_AVAILABLE =>
            {
                DbError::Busy
            }
            Some(code)
                if code == &SqlState::ADMIN_SHUTDOWN
                    || code == &SqlState::CRASH_SHUTDOWN
                    || code == &SqlState::CANNOT_CONNECT_NOW
                    || code.code().starts_with("08") =>
            {
                DbError::Unavailable(error.to_string())
            }
            Some(_) => DbError::Postgres(error.to_string()),
            // No SQLSTATE: the connection failed, timed out or closed — or a mistake of this
            // program's (a type mismatch), which must not pass for a retryable outage.
            None if error.is_closed() || connection_failed(&error) => {
                DbError::Unavailable(error.to_string())
            }
            None => DbError::Postgres(error.to_string()),
        }
    }
}

/// Whether `error` comes from the network: refused, reset or timed out.
fn connection_failed(error: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    // tokio-postgres reports its own connect timeout and an unexpected end of the
    // connection without an I/O error underneath.
    let text = error.to_string();
    text.contains("timeout") || text.contains("connection closed")
}

impl From<PoolError> for DbError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::Backend(e) => DbError::from(e),
            other => DbError::Unavailable(other.to_string()),
        }
    }
}
