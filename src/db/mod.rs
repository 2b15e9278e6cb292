//! The embedded SQLite database: opening it, migrations, one writer thread with group commit,
//! and a pool of read connections. Services reach it only through their repositories.

mod backup;
mod keyset;
mod migrations;
mod readers;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};

pub use backup::{backup, restore};
pub use keyset::{Listing, page};
pub use readers::ReadPool;
pub use writer::Writer;

/// Durability of each commit (SQLite `synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit reaches the disk before it is acknowledged: survives power loss.
    #[default]
    Full,
    /// Survives a crash of the process, but the last commits may be lost on power loss.
    Normal,
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub path: PathBuf,
    pub durability: Durability,
    pub readers: usize,
    /// Most write jobs committed together in one transaction.
    pub max_batch: usize,
    /// Largest size the database may grow to, in bytes; writes beyond fail as "full".
    pub max_bytes: Option<u64>,
}

impl DbOptions {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DbOptions {
            path: path.into(),
            durability: Durability::Full,
            readers: 4,
            max_batch: 256,
            max_bytes: None,
        }
    }
}

/// Errors of the database layer itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlite(String),
    #[error("PostgreSQL error: {0}")]
    Postgres(String),
    /// The database cannot be reached (down, restarting, refusing connections, or no
    /// connection came free in time); the same request may succeed once it is back.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("the database is busy")]
    Busy,
    #[error("the database or disk is full")]
    Full,
    #[error("the database writer has stopped")]
    WriterStopped,
    #[error("a database task failed: {0}")]
    Task(String),
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: String, reason: String },
}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                DbError::Busy
            }
            Some(rusqlite::ErrorCode::DiskFull) => DbError::Full,
            _ => DbError::Sqlite(error.to_string()),
        }
    }
}

/// The open database.
#[derive(Clone)]
pub struct Database {
    pub writer: Writer,
    pub readers: ReadPool,
    path: Arc<PathBuf>,
}

impl Database {
    /// Opens (creating it and its folder if needed) and migrates the database, then starts the
    /// writer thread and the read pool.
    pub fn open(options: &DbOptions) -> Result<Self, DbError> {
        let path = &options.path;
        let conn = open_migrated(path, options.durability)?;
        if let Some(bytes) = options.max_bytes {
            let page_size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
            let pages = i64::try_from(bytes).unwrap_or(i64::MAX) / page_size.max(1);
            conn.pragma_update(None, "max_page_count", pages.max(1))?;
        }
        let writer = Writer::start(conn, options.max_batch)?;
        let readers = ReadPool::new(path.clone(), options.readers.max(1));
        Ok(Database {
            writer,
            readers,
            path: Arc::new(path.clone()),
        })
    }

    /// Creates the database if needed, applies pending migrations, and returns the schema
    /// version.
    pub fn migrate(path: &Path) -> Result<i64, DbError> {
        let conn = open_migrated(path, Durability::Full)?;
        Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes the database once every other handle is gone (after the server has stopped):
    /// the read connections close, then the writer finishes its queue, checkpoints the WAL
    /// into the main file and closes. True when that happened within `wait`.
    pub fn close(self, wait: std::time::Duration) -> bool {
        let Database {
            writer, readers, ..
        } = self;
        drop(readers);
        writer.close(wait)
    }

    /// `Ok` when a read succeeds and the schema is the one this program migrates to.
    pub async fn ready(&self) -> Result<(), DbError> {
        let version: i64 = self
            .readers
            .read(|conn| {
                Ok::<_, DbError>(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
            })
            .await?;
        if version == migrations::latest() {
            Ok(())
        } else {
            Err(DbError::Sqlite(format!(
                "schema version {version}, expected {}",
                migrations::latest()
            )))
        }
    }

    /// A setting stored in the database, created by `init` the first time it is asked for.
    pub async fn setting_or_init(
        &self,
        key: &'static str,
        init: impl FnOnce() -> Vec<u8> + Send + 'static,
    ) -> Result<Vec<u8>, DbError> {
        self.writer
            .write(move |conn| {
                let existing: Option<Vec<u8>> = conn
                    .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                        r.get(0)
                    })
                    .optional()?;
                if let Some(value) = existing {
                    return Ok(value);
                }
                let value = init();
                conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)",
                    rusqlite::params![key, value],
                )?;
                Ok(value)
            })
            .await
    }
}

/// Opens the database at `path`, creating it and its folder when missing, and migrates it.
fn open_migrated(path: &Path, durability: Durability) -> Result<Connection, DbError> {
    let open_error = |reason: String| DbError::Open {
        path: path.display().to_string(),
        reason,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| open_error(e.to_string()))?;
    }
    let mut conn = open_connection(path, durability).map_err(|e| open_error(e.to_string()))?;
    migrations::apply(&mut conn).map_err(|e| open_error(e.to_string()))?;
    Ok(conn)
}

/// Milliseconds since the Unix epoch, as times are stored.
pub fn millis(at: time::OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// A stored time back as an instant.
pub fn from_millis(ms: i64) -> rusqlite::Result<time::OffsetDateTime> {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Integer, Box::new(e))
    })
}

/// The error for a stored value this program does not recognise (column `column`).
pub fn bad_column(column: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unexpected {what} in the database").into(),
    )
}

/// A connection with the settings every connection of ours uses.
pub(crate) fn open_connection(path: &Path, durability: Durability) -> Result<Connection, DbError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(
        None,
        "synchronous",
        match durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}
