//! The single writer: a dedicated thread owning the write connection. Jobs queue on a bounded
//! channel; the thread takes every job waiting, runs each in its own savepoint inside one
//! transaction, commits once (group commit), and only then answers each caller. A job that
//! fails or panics is rolled back alone.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::DbError;

type Completion = Box<dyn FnOnce(Result<(), DbError>) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Completion) + Send>;

const QUEUE: usize = 4096;

/// Handle to the writer thread; cheap to clone. The thread ends when the last handle is
/// dropped, after finishing the jobs already queued. Callers are answered only after their
/// commit, so once every request has been answered nothing acknowledged is still pending.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    /// Told when the thread has checkpointed and closed its connection.
    closed: Arc<Mutex<Option<std::sync::mpsc::Receiver<()>>>>,
}

impl Writer {
    pub(super) fn start(conn: Connection, max_batch: usize) -> Result<Self, DbError> {
        let (queue, jobs) = mpsc::channel::<Job>(QUEUE);
        let (closed_tx, closed) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("soapstone-db-writer".into())
            .spawn(move || {
                run(&conn, jobs, max_batch.max(1));
                // Everything into the main file, so that a stopped database is one file.
                if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
                    tracing::warn!(error = %e, "final checkpoint failed");
                }
                drop(conn);
                let _ = closed_tx.send(());
            })
            .map_err(|e| DbError::Task(format!("cannot start the writer thread: {e}")))?;
        Ok(Writer {
            queue,
            closed: Arc::new(Mutex::new(Some(closed))),
        })
    }

    /// Runs `job` in the write transaction; resolves once its changes are committed (or with
    /// its own error, in which case none of its changes remain).
    pub async fn write<T, E, F>(&self, job: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |conn| {
            let result = job(conn);
            let ok = result.is_ok();
            let completion: Completion = Box::new(move |commit| {
                let outcome = match (result, commit) {
                    (Ok(value), Ok(())) => Ok(value),
                    (Ok(_), Err(e)) => Err(E::from(e)),
                    (Err(e), _) => Err(e),
                };
                let _ = reply.send(outcome);
            });
            (ok, completion)
        });
        let committed = async {
            self.queue
                .send(job)
                .await
                .map_err(|_| E::from(DbError::WriterStopped))?;
            answer
                .await
                .unwrap_or_else(|_| Err(E::from(DbError::Task("a write job panicked".into()))))
        };
        committed
            .instrument(tracing::debug_span!(
                "storage",
                db.system = "sqlite",
                db.operation = "write"
            ))
            .await
    }

    /// Gives up this handle and, when it was the last one, waits up to `wait` for the thread to
    /// finish the queued jobs, checkpoint and close its connection. True when it did.
    pub fn close(self, wait: Duration) -> bool {
        let closed = self.closed.lock().ok().and_then(|mut c| c.take());
        drop(self);
        closed.is_some_and(|closed| closed.recv_timeout(wait).is_ok())
    }

    /// Jobs waiting for the writer.
    pub fn queue_depth(&self) -> usize {
        QUEUE - self.queue.capacity()
    }
}

fn run(conn: &Connection, mut jobs: mpsc::Receiver<Job>, max_batch: usize) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(conn, batch);
    }
}

/// Runs `batch` in as few transactions as possible: normally one. When SQLite rolls a
/// transaction back by itself (a full disk, an I/O error), the jobs of that transaction are
/// answered with the cause and the remaining jobs start a new one, so no job ever runs
/// outside a transaction and none is acknowledged unless its commit succeeded.
fn run_batch(conn: &Connection, batch: Vec<Job>) {
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    for job in batch {
        if conn.is_autocommit()
            && let Err(e) = conn.execute_batch("BEGIN IMMEDIATE")
        {
            tracing::error!(error = %e, "cannot begin a write transaction");
            let error = DbError::from(e);
            finish(&mut completions, Err(error.clone()));
            // The job is dropped unrun; its caller is answered with an error.
            continue;
        }
        let mut failure = conn.execute_batch("SAVEPOINT job").err();
        if failure.is_none() {
            let outcome = catch_unwind(AssertUnwindSafe(|| job(conn)));
            let ok = matches!(outcome, Ok((true, _)));
            let end = if ok {
                "RELEASE job"
            } else {
                "ROLLBACK TO job; RELEASE job"
            };
            if !conn.is_autocommit() {
                failure = conn.execute_batch(end).err();
            }
            match outcome {
                Ok((_, completion)) => completions.push(completion),
                Err(_) => tracing::error!("a write job panicked; its changes were rolled back"),
            }
        }
        if conn.is_autocommit() {
            let error = failure.map_or_else(
                || DbError::Sqlite("the transaction was rolled back".into()),
                DbError::from,
            );
            tracing::error!(error = %error, "the write transaction was rolled back");
            finish(&mut completions, Err(error));
        } else if let Some(e) = failure {
            tracing::error!(error = %e, "a savepoint failed");
        }
    }
    if !conn.is_autocommit() {
        let started = std::time::Instant::now();
        let commit = conn.execute_batch("COMMIT").map_err(DbError::from);
        crate::metrics::METRICS
            .commit_latency
            .observe(started.elapsed().as_secs_f64());
        if let Err(e) = &commit {
            tracing::error!(error = %e, "commit failed; the batch was rolled back");
            let _ = conn.execute_batch("ROLLBACK");
        }
        finish(&mut completions, commit);
    }
}

/// Answers every job in `completions` with `result` (of their commit).
fn finish(completions: &mut Vec<Completion>, result: Result<(), DbError>) {
    for completion in completions.drain(..) {
        completion(result.clone());
    }
}
