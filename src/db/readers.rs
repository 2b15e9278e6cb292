//! Read connections: a small pool used from blocking threads, so reads never block the async
//! workers and never wait for the writer (WAL readers see the last commit); and connections
//! for reads of one row that run on the calling thread ([`ReadPool::read_now`], and
//! [`ReadPool::read_small`], which falls back to the pool when SQLite is busy), which cost
//! less than the hop to a blocking thread and never wait for a lock.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::{DbError, Durability, open_connection};

/// A pool of read-only connections; cheap to clone.
#[derive(Clone)]
pub struct ReadPool {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
    /// Connections of `read_now`: as many as threads have used it at once.
    quick: Mutex<Vec<Connection>>,
}

impl ReadPool {
    pub(super) fn new(path: PathBuf, size: usize) -> Self {
        ReadPool {
            inner: Arc::new(Inner {
                path,
                idle: Mutex::new(Vec::new()),
                permits: Semaphore::new(size),
                quick: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Runs `job` on a read connection in a blocking thread.
    pub async fn read<T, E, F>(&self, job: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| E::from(DbError::Task("read pool closed".into())))?;
        let inner = self.inner.clone();
        let span = tracing::debug_span!("storage", db.system = "sqlite", db.operation = "read");
        tokio::task::spawn_blocking(move || {
            let _span = span.entered();
            let conn = match inner.take() {
                Ok(conn) => conn,
                Err(e) => return Err(E::from(e)),
            };
            let result = job(&conn);
            inner.put(conn);
            result
        })
        .await
        .unwrap_or_else(|e| Err(E::from(DbError::Task(e.to_string()))))
    }

    /// Runs `job` on the calling thread, for a read of a few microseconds (a row or two, in
    /// pages the WAL index already locates): a lock it would have to wait for is
    /// [`DbError::Busy`] at once, never a wait.
    pub fn read_now<T>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let kept = self
            .inner
            .quick
            .lock()
            .ok()
            .and_then(|mut quick| quick.pop());
        let conn = match kept {
            Some(conn) => conn,
            None => {
                let conn = self.inner.open()?;
                conn.busy_timeout(std::time::Duration::ZERO)?;
                conn
            }
        };
        let result = job(&conn);
        if let Ok(mut quick) = self.inner.quick.lock() {
            quick.push(conn);
        }
        result
    }

    /// Runs `job`, a read of a row or two, on the calling thread ([`ReadPool::read_now`]),
    /// and again on a blocking thread ([`ReadPool::read`]) only when SQLite is busy: for a
    /// read of microseconds the hop to a blocking thread and back costs more than the read.
    pub async fn read_small<T, F>(&self, job: F) -> Result<T, DbError>
    where
        F: Fn(&Connection) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        match self.read_now(&job) {
            Err(DbError::Busy) => self.read(move |conn| job(conn)).await,
            done => done,
        }
    }
}

impl Inner {
    fn take(&self) -> Result<Connection, DbError> {
        let idle = self.idle.lock().map(|mut idle| idle.pop());
        match idle {
            Ok(Some(conn)) => Ok(conn),
            _ => self.open(),
        }
    }

    fn open(&self) -> Result<Connection, DbError> {
        let conn = open_connection(&self.path, Durability::Full)?;
        conn.pragma_update(None, "query_only", "ON")?;
        Ok(conn)
    }

    fn put(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }
}
