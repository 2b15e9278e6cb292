//! The credential cache: users by username and sessions by token hash, as authentication read
//! them, so that a client calling again is authenticated without a database read.
//!
//! Design decision: a copy is served only while it is provably current, never for a while.
//! The database keeps a credential generation, raised by triggers in the same transaction as
//! every change of a user's status, username, password hash, digest secret or roles, of a
//! deleted user and of an ended session (Logout, suspension, SetPassword, expiry purges) —
//! whoever makes it: this process, the `user` commands in another process, another node, or an
//! operator's SQL. Every lookup reads the generation in the snapshot of the row it returns, and
//! the copy is kept with it. Before a copy is served, the current generation is fetched:
//!
//! - SQLite ([`Freshness::Local`]): one row read on the calling thread, in microseconds and
//!   without a hop to a blocking thread; a commit that has returned, in any process, is seen.
//! - PostgreSQL with Redis ([`Freshness::Shared`]): the generation the nodes publish in Redis
//!   ([`SharedGeneration`]). Every change Soapstone makes (the User service, Logout, the `user`
//!   commands given `--redis`) publishes the database's generation after its commit and before
//!   it is acknowledged, so the next call on any node reads the database again. Every node also
//!   publishes the database's generation once a second ([`CredentialChanges::spawn_publisher`]):
//!   a change made without Soapstone (SQL, or the `user` commands without `--redis`), or one
//!   whose publication failed, reaches every node within that second — the one window.
//! - PostgreSQL without Redis ([`Freshness::Off`]): nothing is cached.
//!
//! When the generation cannot be had (Redis down, SQLite busy), the store is read: failing
//! safe costs speed, never correctness. Session copies are also checked against their expiry at
//! every use, and no copy outlives [`LIFETIME`]. Lookups that found nothing are not cached.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use time::OffsetDateTime;

use super::store::{CredentialStore, Credentials, Stamped};
use crate::db::DbError;
use crate::metrics::METRICS;
use crate::shared::SharedGeneration;

/// How long any copy is kept at most, whatever the generation says.
const LIFETIME: Duration = Duration::from_secs(300);

/// How often each node publishes the database's generation to Redis.
const PUBLISH_EVERY: Duration = Duration::from_secs(1);

/// Where the current generation comes from.
#[derive(Clone)]
pub enum Freshness {
    /// Read from the store on the calling thread (SQLite).
    Local,
    /// Published by the nodes in Redis (PostgreSQL with Redis).
    Shared(SharedGeneration),
    /// Nothing is cached (PostgreSQL without Redis).
    Off,
}

/// Announces committed credential changes to every node's cache; cheap to clone.
#[derive(Clone)]
pub struct CredentialChanges {
    store: Arc<dyn CredentialStore>,
    shared: Option<SharedGeneration>,
}

impl CredentialChanges {
    pub fn new(store: Arc<dyn CredentialStore>, freshness: &Freshness) -> Self {
        let shared = match freshness {
            Freshness::Shared(shared) => Some(shared.clone()),
            Freshness::Local | Freshness::Off => None,
        };
        CredentialChanges { store, shared }
    }

    /// Call after a change of credentials, roles, status or sessions has committed and before
    /// it is acknowledged: with Redis, publishes the database's generation, so that no node
    /// serves a copy from before the change (SQLite needs nothing: its readers see the
    /// generation the change raised).
    pub async fn committed(&self) {
        let Some(shared) = &self.shared else {
            return;
        };
        let published = match self.store.generation().await {
            Ok(generation) => shared.publish(generation).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = published {
            tracing::warn!(
                error = %e,
                "the credential generation was not published; other nodes see the change \
                 within a second"
            );
        }
    }

    /// With Redis, publishes the database's generation every second, so that changes made
    /// without Soapstone reach the caches too; `None` without Redis.
    pub fn spawn_publisher(&self) -> Option<tokio::task::JoinHandle<()>> {
        let shared = self.shared.clone()?;
        let store = Arc::downgrade(&self.store);
        Some(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(PUBLISH_EVERY);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(store) = store.upgrade() else { return };
                if let Ok(generation) = store.generation().await {
                    // A failure is logged and counted by `Redis`; the next tick tries again.
                    let _ = shared.publish(generation).await;
                }
            }
        }))
    }
}

type Session = (Credentials, OffsetDateTime);

fn copies<K, V>(capacity: u64) -> Cache<K, V>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(capacity)
        .time_to_live(LIFETIME)
        .build()
}

/// Copies of users and sessions in front of the store; cheap to clone.
#[derive(Clone)]
pub struct CredentialCache {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn CredentialStore>,
    freshness: Freshness,
    users: Cache<String, Arc<Stamped<Credentials>>>,
    sessions: Cache<[u8; 32], Arc<Stamped<Session>>>,
}

impl CredentialCache {
    /// A cache of at most `capacity` users and as many sessions.
    pub fn new(store: Arc<dyn CredentialStore>, freshness: Freshness, capacity: u64) -> Self {
        CredentialCache {
            inner: Arc::new(Inner {
                store,
                freshness,
                users: copies(capacity),
                sessions: copies(capacity),
            }),
        }
    }

    /// The announcer of changes for this cache's store and freshness.
    pub fn changes(&self) -> CredentialChanges {
        CredentialChanges::new(self.inner.store.clone(), &self.inner.freshness)
    }

    /// The user `username`, from a current copy or the store.
    pub async fn user(&self, username: &str) -> Result<Option<Credentials>, DbError> {
        let inner = &self.inner;
        if let Some(current) = self.current().await
            && let Some(copy) = inner.users.get(username)
            && copy.generation == current
        {
            METRICS.credential_hits.inc();
            return Ok(Some(copy.value.clone()));
        }
        METRICS.credential_misses.inc();
        let found = inner.store.by_username(username).await?;
        Ok(found.map(|found| {
            let user = found.value.clone();
            if self.keeps() {
                inner.users.insert(username.to_string(), Arc::new(found));
            }
            user
        }))
    }

    /// The user of the session `token_hash` and when it expires, if it is live at `now`, from
    /// a current copy or the store.
    pub async fn session(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Session>, DbError> {
        let inner = &self.inner;
        if let Some(current) = self.current().await
            && let Some(copy) = inner.sessions.get(&token_hash)
            && copy.generation == current
            && copy.value.1 > now
        {
            METRICS.credential_hits.inc();
            return Ok(Some(copy.value.clone()));
        }
        METRICS.credential_misses.inc();
        let found = inner.store.session(token_hash, now).await?;
        Ok(found.map(|found| {
            let session = found.value.clone();
            if self.keeps() {
                inner.sessions.insert(token_hash, Arc::new(found));
            }
            session
        }))
    }

    fn keeps(&self) -> bool {
        !matches!(self.inner.freshness, Freshness::Off)
    }

    /// The current generation, or `None` when it cannot be had now (then nothing is served
    /// from the cache).
    async fn current(&self) -> Option<i64> {
        match &self.inner.freshness {
            Freshness::Local => match self.inner.store.generation_now()? {
                Ok(generation) => Some(generation),
                Err(e) => {
                    tracing::debug!(error = %e, "the credential generation could not be read");
                    None
                }
            },
            Freshness::Shared(shared) => shared.current().await.ok().flatten(),
            Freshness::Off => None,
        }
    }
}
