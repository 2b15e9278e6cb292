//! Which database the data lives in, and the repositories over it. `--db` (and `db`,
//! `SOAPSTONE_DB`) names either a SQLite file (the embedded default) or a `postgres://` URL
//! (the system of record shared by several nodes); the application and the commands open a
//! [`Storage`] and take their repositories from it, never SQL of their own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::{PgProductRepository, ProductRepository, SqliteProductRepository};
use crate::db::{Database, DbError, DbOptions};
use crate::orders::{OrderRepository, PgOrderRepository, SqliteOrderRepository};
use crate::pg::{PgDatabase, PgOptions, redacted};
use crate::security::audit::AuditStore;
use crate::security::{CredentialStore, Freshness, PgSecurityStore, SqliteSecurityStore};
use crate::shared::{Redis, SharedGeneration};
use crate::users::{PgUserRepository, SqliteUserRepository, UserRepository};

/// Where the data is, as `--db` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl Location {
    /// `db` as given: a PostgreSQL URL, else a SQLite path.
    pub fn of(db: &Path) -> Location {
        match db.to_str() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Location::Postgres(url.to_string())
            }
            _ => Location::Sqlite(db.to_path_buf()),
        }
    }
}

impl std::fmt::Display for Location {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

/// An open database of either kind; cheap to clone.
#[derive(Clone)]
pub enum Storage {
    Sqlite(Database),
    Postgres(PgDatabase),
}

impl Storage {
    /// Opens and migrates the database `sqlite` names, or the PostgreSQL database when
    /// `postgres` is given.
    pub async fn open(sqlite: &DbOptions, postgres: Option<&PgOptions>) -> Result<Self, DbError> {
        match postgres {
            Some(options) => Ok(Storage::Postgres(PgDatabase::open(options).await?)),
            None => {
                let options = sqlite.clone();
                tokio::task::spawn_blocking(move || Database::open(&options))
                    .await
                    .map_err(|e| DbError::Task(e.to_string()))?
                    .map(Storage::Sqlite)
            }
        }
    }

    /// Opens the database at `location` with default options (for the commands).
    pub async fn open_at(location: &Location) -> Result<Self, DbError> {
        match location {
            Location::Sqlite(path) => Storage::open(&DbOptions::new(path), None).await,
            Location::Postgres(url) => {
                Storage::open(&DbOptions::new(""), Some(&PgOptions::new(url))).await
            }
        }
    }

    /// Creates the database if needed and applies pending migrations; the schema version.
    pub async fn migrate(location: &Location) -> Result<i64, DbError> {
        match location {
            Location::Sqlite(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || Database::migrate(&path))
                    .await
                    .map_err(|e| DbError::Task(e.to_string()))?
            }
            Location::Postgres(url) => PgDatabase::migrate(url).await,
        }
    }

    pub fn users(&self) -> Arc<dyn UserRepository> {
        match self {
            Storage::Sqlite(db) => Arc::new(SqliteUserRepository::new(db.clone())),
            Storage::Postgres(db) => Arc::new(PgUserRepository::new(db.clone())),
        }
    }

    pub fn products(&self) -> Arc<dyn ProductRepository> {
        match self {
            Storage::Sqlite(db) => Arc::new(SqliteProductRepository::new(db.clone())),
            Storage::Postgres(db) => Arc::new(PgProductRepository::new(db.clone())),
        }
    }

    pub fn orders(&self) -> Arc<dyn OrderRepository> {
        match self {
            Storage::Sqlite(db) => Arc::new(SqliteOrderRepository::new(db.clone())),
            Storage::Postgres(db) => Arc::new(PgOrderRepository::new(db.clone())),
        }
    }

    /// Credentials, sessions, nonces and digest secrets.
    pub fn credentials(&self) -> Arc<dyn CredentialStore> {
        match self {
            Storage::Sqlite(db) => Arc::new(SqliteSecurityStore::new(db.clone())),
            Storage::Postgres(db) => Arc::new(PgSecurityStore::new(db.clone())),
        }
    }

    /// How the credential cache learns that a copy is current: SQLite reads the generation
    /// itself; PostgreSQL with Redis shares it through `redis`, under a name this database
    /// keeps in its settings (so that one Redis may serve several databases); PostgreSQL
    /// without Redis caches nothing.
    pub async fn credential_freshness(&self, redis: Option<&Redis>) -> Result<Freshness, DbError> {
        match (self, redis) {
            (Storage::Sqlite(_), _) => Ok(Freshness::Local),
            (Storage::Postgres(_), None) => Ok(Freshness::Off),
            (Storage::Postgres(db), Some(redis)) => {
                let scope = db
                    .setting_or_init("credential_cache_scope", || {
                        rand::random::<u64>().to_be_bytes().to_vec()
                    })
                    .await?;
                let scope: String = scope.iter().map(|b| format!("{b:02x}")).collect();
                Ok(Freshness::Shared(SharedGeneration::new(
                    redis.clone(),
                    &scope,
                )))
            }
        }
    }

    /// The audit trail.
    pub fn audit(&self) -> Arc<dyn AuditStore> {
        match self {
            Storage::Sqlite(db) => Arc::new(SqliteSecurityStore::new(db.clone())),
            Storage::Postgres(db) => Arc::new(PgSecurityStore::new(db.clone())),
        }
    }

    /// A setting stored with the data, created by `init` the first time any node asks.
    pub async fn setting_or_init(
        &self,
        key: &'static str,
        init: impl FnOnce() -> Vec<u8> + Send + 'static,
    ) -> Result<Vec<u8>, DbError> {
        match self {
            Storage::Sqlite(db) => db.setting_or_init(key, init).await,
            Storage::Postgres(db) => db.setting_or_init(key, init).await,
        }
    }

    /// `Ok` when the database answers and has this program's schema.
    pub async fn ready(&self) -> Result<(), DbError> {
        match self {
            Storage::Sqlite(db) => db.ready().await,
            Storage::Postgres(db) => db.ready().await,
        }
    }

    /// Closes the database once every other handle is gone; false when SQLite's writer did not
    /// finish within `wait`.
    pub async fn close(self, wait: std::time::Duration) -> bool {
        match self {
            Storage::Sqlite(db) => tokio::task::spawn_blocking(move || db.close(wait))
                .await
                .unwrap_or(false),
            Storage::Postgres(db) => {
                db.close();
                true
            }
        }
    }
}
