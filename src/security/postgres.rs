//! The PostgreSQL implementation of the security stores (credentials, sessions, nonces, audit
//! events): the same rules as `sqlite`. A nonce is remembered by one `INSERT … ON CONFLICT DO
//! NOTHING`, so of several nodes presenting the same nonce at once exactly one succeeds.

use async_trait::async_trait;
use time::OffsetDateTime;
use tokio_postgres::Row;

use super::audit::{AuditEvent, AuditFilter, AuditStore, Outcome};
use super::store::{CredentialStore, Credentials, Stamped};
use super::{AuthMethod, Role};
use crate::db::DbError;
use crate::identity::UserStatus;
use crate::pg::{Params, PgDatabase, at_millis};

/// Security data in PostgreSQL.
#[derive(Clone)]
pub struct PgSecurityStore {
    db: PgDatabase,
}

impl PgSecurityStore {
    pub fn new(db: PgDatabase) -> Self {
        PgSecurityStore { db }
    }
}

const CREDENTIALS: &str = "u.id, u.username, u.status, u.password_hash, u.digest_secret, \
     (SELECT string_agg(r.role, ',' ORDER BY r.position) FROM user_roles r \
     WHERE r.user_id = u.id)";

const GENERATION: &str = "SELECT generation FROM credential_changes";

fn bad(what: &str) -> DbError {
    DbError::Postgres(format!("unexpected {what} in the database"))
}

fn credentials_from_row(row: &Row) -> Result<Credentials, DbError> {
    let status: String = row.try_get(2)?;
    let roles: Option<String> = row.try_get(5)?;
    Ok(Credentials {
        user_id: row.try_get(0)?,
        username: row.try_get(1)?,
        status: UserStatus::from_name(&status).ok_or_else(|| bad("status"))?,
        password_hash: row.try_get(3)?,
        digest_secret: row.try_get(4)?,
        roles: Role::parse_list(&roles.unwrap_or_default()).ok_or_else(|| bad("role"))?,
    })
}

#[async_trait]
impl CredentialStore for PgSecurityStore {
    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.by_username"))]
    async fn by_username(&self, username: &str) -> Result<Option<Stamped<Credentials>>, DbError> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {CREDENTIALS}, ({GENERATION}) FROM users u WHERE u.username = $1"
            ))
            .await?;
        client
            .query_opt(&statement, &[&username])
            .await?
            .map(|row| {
                Ok(Stamped {
                    value: credentials_from_row(&row)?,
                    generation: row.try_get(6)?,
                })
            })
            .transpose()
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.remember_nonce"))]
    async fn remember_nonce(
        &self,
        nonce: Vec<u8>,
        expires: OffsetDateTime,
    ) -> Result<bool, DbError> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2) \
                 ON CONFLICT (nonce) DO NOTHING",
            )
            .await?;
        let inserted = client
            .execute(&statement, &[&nonce, &at_millis(expires)])
            .await?;
        Ok(inserted == 1)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.create_session"))]
    async fn create_session(
        &self,
        token_hash: [u8; 32],
        user_id: i64,
        now: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> Result<(), DbError> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .await?;
        client
            .execute(
                &statement,
                &[
                    &token_hash.as_slice(),
                    &user_id,
                    &at_millis(now),
                    &at_millis(expires),
                ],
            )
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.session"))]
    async fn session(
        &self,
        token_hash: [u8; 32],
        now: OffsetDateTime,
    ) -> Result<Option<Stamped<(Credentials, OffsetDateTime)>>, DbError> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(&format!(
                "SELECT {CREDENTIALS}, s.expires_at, ({GENERATION}) FROM sessions s \
                 JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_at > $2"
            ))
            .await?;
        client
            .query_opt(&statement, &[&token_hash.as_slice(), &at_millis(now)])
            .await?
            .map(|row| {
                Ok(Stamped {
                    value: (credentials_from_row(&row)?, row.try_get(6)?),
                    generation: row.try_get(7)?,
                })
            })
            .transpose()
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.generation"))]
    async fn generation(&self) -> Result<i64, DbError> {
        let client = self.db.client().await?;
        let statement = client.prepare_cached(GENERATION).await?;
        Ok(client.query_one(&statement, &[]).await?.try_get(0)?)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.end_session"))]
    async fn end_session(&self, token_hash: [u8; 32]) -> Result<bool, DbError> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached("DELETE FROM sessions WHERE token_hash = $1")
            .await?;
        Ok(client
            .execute(&statement, &[&token_hash.as_slice()])
            .await?
            == 1)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.set_digest_secret"))]
    async fn set_digest_secret(&self, user_id: i64, sealed: Vec<u8>) -> Result<bool, DbError> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached("UPDATE users SET digest_secret = $2 WHERE id = $1")
            .await?;
        Ok(client.execute(&statement, &[&user_id, &sealed]).await? == 1)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "credentials.purge_expired"))]
    async fn purge_expired(&self, now: OffsetDateTime) -> Result<(), DbError> {
        let client = self.db.client().await?;
        let at = at_millis(now);
        for sql in [
            "DELETE FROM nonces WHERE expires_at <= $1",
            "DELETE FROM sessions WHERE expires_at <= $1",
        ] {
            let statement = client.prepare_cached(sql).await?;
            client.execute(&statement, &[&at]).await?;
        }
        Ok(())
    }
}

const EVENT_COLUMNS: &str = "id, at, request_id, user_id, username, authentication, service, \
     operation, outcome, fault_code, remote_address";

fn event_from_row(row: &Row) -> Result<AuditEvent, DbError> {
    let method: Option<String> = row.try_get(5)?;
    let outcome: String = row.try_get(8)?;
    Ok(AuditEvent {
        id: row.try_get(0)?,
        at: row.try_get(1)?,
        request_id: row.try_get(2)?,
        user_id: row.try_get(3)?,
        username: row.try_get(4)?,
        authentication: method
            .map(|m| AuthMethod::from_name(&m).ok_or_else(|| bad("authentication")))
            .transpose()?,
        service: row.try_get(6)?,
        operation: row.try_get(7)?,
        outcome: Outcome::from_name(&outcome).ok_or_else(|| bad("outcome"))?,
        fault_code: row.try_get(9)?,
        remote_address: row.try_get(10)?,
    })
}

/// The SELECT for `filter` below `before_id`, newest first, and its parameters.
fn list_sql(filter: &AuditFilter, before_id: Option<i64>, limit: usize) -> (String, Params) {
    let mut sql = format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE true");
    let mut params = Params::default();
    if let Some(user_id) = filter.user_id {
        sql.push_str(&format!(" AND user_id = {}", params.push(user_id)));
    }
    if let Some(operation) = &filter.operation {
        sql.push_str(&format!(
            " AND operation = {}",
            params.push(operation.clone())
        ));
    }
    if let Some(outcome) = filter.outcome {
        sql.push_str(&format!(" AND outcome = {}", params.push(outcome.as_str())));
    }
    if let Some(from) = filter.from {
        sql.push_str(&format!(" AND at >= {}", params.push(at_millis(from))));
    }
    if let Some(to) = filter.to {
        sql.push_str(&format!(" AND at < {}", params.push(at_millis(to))));
    }
    if let Some(id) = before_id {
        sql.push_str(&format!(" AND id < {}", params.push(id)));
    }
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", params.push(limit)));
    (sql, params)
}

#[async_trait]
impl AuditStore for PgSecurityStore {
    /// One INSERT over arrays of the columns: the batch is stored whole or not at all, with
    /// ids in the order of `events`.
    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "audit.append"))]
    async fn append(&self, events: Vec<AuditEvent>) -> Result<(), DbError> {
        if events.is_empty() {
            return Ok(());
        }
        let at: Vec<OffsetDateTime> = events.iter().map(|e| at_millis(e.at)).collect();
        let request_id: Vec<&str> = events.iter().map(|e| e.request_id.as_str()).collect();
        let user_id: Vec<Option<i64>> = events.iter().map(|e| e.user_id).collect();
        let username: Vec<Option<&str>> = events.iter().map(|e| e.username.as_deref()).collect();
        let authentication: Vec<Option<&str>> = events
            .iter()
            .map(|e| e.authentication.map(AuthMethod::as_str))
            .collect();
        let service: Vec<&str> = events.iter().map(|e| e.service.as_str()).collect();
        let operation: Vec<&str> = events.iter().map(|e| e.operation.as_str()).collect();
        let outcome: Vec<&str> = events.iter().map(|e| e.outcome.as_str()).collect();
        let fault_code: Vec<Option<&str>> =
            events.iter().map(|e| e.fault_code.as_deref()).collect();
        let remote_address: Vec<Option<&str>> =
            events.iter().map(|e| e.remote_address.as_deref()).collect();
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached(
                "INSERT INTO audit_events (at, request_id, user_id, username, authentication, \
                 service, operation, outcome, fault_code, remote_address) \
                 SELECT at, request_id, user_id, username, authentication, service, operation, \
                 outcome, fault_code, remote_address \
                 FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::text[], \
                 $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) \
                 WITH ORDINALITY AS e (at, request_id, user_id, username, authentication, \
                 service, operation, outcome, fault_code, remote_address, n) \
                 ORDER BY n",
            )
            .await?;
        client
            .execute(
                &statement,
                &[
                    &at,
                    &request_id,
                    &user_id,
                    &username,
                    &authentication,
                    &service,
                    &operation,
                    &outcome,
                    &fault_code,
                    &remote_address,
                ],
            )
            .await?;
        Ok(())
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "audit.list"))]
    async fn list(
        &self,
        filter: AuditFilter,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>, DbError> {
        let (sql, params) = list_sql(&filter, before_id, limit);
        let client = self.db.client().await?;
        let statement = client.prepare_cached(&sql).await?;
        client
            .query(&statement, &params.refs())
            .await?
            .iter()
            .map(event_from_row)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use time::Duration;
    use tokio_postgres::NoTls;

    use super::*;
    use crate::pg::PgOptions;
    use crate::users::{NewUser, PgUserRepository, UserChanges, UserRepository};

    /// A database of its own for one test, at `SOAPSTONE_TEST_PG`, dropped at the end.
    struct TestDb {
        base: String,
        name: String,
        db: PgDatabase,
    }

    impl TestDb {
        /// `None`, after saying so, when `SOAPSTONE_TEST_PG` is not set.
        async fn create() -> Option<TestDb> {
            let Ok(base) = std::env::var("SOAPSTONE_TEST_PG") else {
                eprintln!("skipped: set SOAPSTONE_TEST_PG to a PostgreSQL URL to run this test");
                return None;
            };
            let base = base.trim_end_matches('/').to_string();
            let name = format!("h3_{:016x}", rand::random::<u64>());
            admin(&base, &format!("CREATE DATABASE {name}")).await;
            let mut options = PgOptions::new(format!("{base}/{name}"));
            options.pool_size = 32;
            let db = PgDatabase::open(&options)
                .await
                .expect("the test database opens");
            Some(TestDb { base, name, db })
        }

        fn store(&self) -> PgSecurityStore {
            PgSecurityStore::new(self.db.clone())
        }
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            self.db.close();
            let base = self.base.clone();
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            // Its own thread and runtime: the test's runtime may be finishing.
            let dropped = std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|runtime| runtime.block_on(admin(&base, &sql)))
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop the test database {}", self.name);
            }
        }
    }

    /// Runs `sql` in the server's `postgres` database.
    async fn admin(base: &str, sql: &str) {
        let (client, connection) = tokio_postgres::connect(&format!("{base}/postgres"), NoTls)
            .await
            .expect("PostgreSQL at SOAPSTONE_TEST_PG answers");
        let connection = tokio::spawn(connection);
        client.batch_execute(sql).await.expect(sql);
        drop(client);
        let _ = connection.await;
    }

    fn now() -> OffsetDateTime {
        at_millis(OffsetDateTime::now_utc())
    }

    async fn add_user(db: &PgDatabase, username: &str, roles: Vec<Role>) -> i64 {
        PgUserRepository::new(db.clone())
            .insert(
                NewUser {
                    username: username.into(),
                    email: format!("{username}@example.com"),
                    display_name: None,
                    roles,
                },
                Some("$argon2id$stand-in".into()),
                now(),
            )
            .await
            .expect("the user is added")
            .id
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_nonce_is_accepted_once_even_when_presented_concurrently() {
        let Some(test) = TestDb::create().await else {
            return;
        };
        let store = Arc::new(test.store());
        let expires = now() + Duration::minutes(5);
        assert!(
            store
                .remember_nonce(b"n-1".to_vec(), expires)
                .await
                .unwrap()
        );
        assert!(
            !store
                .remember_nonce(b"n-1".to_vec(), expires)
                .await
                .unwrap()
        );

        let attempts: Vec<_> = (0..32)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.remember_nonce(b"n-2".to_vec(), expires).await })
            })
            .collect();
        let mut accepted = 0;
        for attempt in attempts {
            if attempt.await.unwrap().unwrap() {
                accepted += 1;
            }
        }
        assert_eq!(accepted, 1);

        store
            .purge_expired(expires - Duration::SECOND)
            .await
            .unwrap();
        assert!(
            !store
                .remember_nonce(b"n-1".to_vec(), expires)
                .await
                .unwrap()
        );
        store.purge_expired(expires).await.unwrap();
        assert!(
            store
                .remember_nonce(b"n-1".to_vec(), expires)
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn credentials_carry_roles_in_order_and_the_digest_secret() {
        let Some(test) = TestDb::create().await else {
            return;
        };
        let store = test.store();
        let roles = vec![Role::Clerk, Role::Admin, Role::Auditor];
        let id = add_user(&test.db, "dana", roles.clone()).await;
        let found = store.by_username("dana").await.unwrap().unwrap().value;
        assert_eq!(
            found,
            Credentials {
                user_id: id,
                username: "dana".into(),
                roles,
                status: UserStatus::Active,
                password_hash: Some("$argon2id$stand-in".into()),
                digest_secret: None,
            }
        );
        assert_eq!(store.by_username("Dana").await.unwrap(), None);
        assert!(store.set_digest_secret(id, vec![1, 2, 3]).await.unwrap());
        assert!(!store.set_digest_secret(id + 1, vec![4]).await.unwrap());
        let found = store.by_username("dana").await.unwrap().unwrap().value;
        assert_eq!(found.digest_secret, Some(vec![1, 2, 3]));
        add_user(&test.db, "erik", Vec::new()).await;
        assert_eq!(
            store
                .by_username("erik")
                .await
                .unwrap()
                .unwrap()
                .value
                .roles,
            Vec::new()
        );
    }

    #[tokio::test]
    async fn a_session_is_live_until_it_expires_or_ends() {
        let Some(test) = TestDb::create().await else {
            return;
        };
        let store = test.store();
        let id = add_user(&test.db, "dana", vec![Role::Customer]).await;
        let start = now();
        let expires = start + Duration::minutes(30);
        store
            .create_session([7; 32], id, start, expires)
            .await
            .unwrap();
        let (credentials, until) = store.session([7; 32], start).await.unwrap().unwrap().value;
        assert_eq!(credentials.user_id, id);
        assert_eq!(credentials.roles, vec![Role::Customer]);
        assert_eq!(until, expires);
        let last = expires - Duration::MILLISECOND;
        assert!(store.session([7; 32], last).await.unwrap().is_some());
        assert_eq!(store.session([7; 32], expires).await.unwrap(), None);
        assert_eq!(store.session([8; 32], start).await.unwrap(), None);

        store.purge_expired(last).await.unwrap();
        assert!(store.session([7; 32], start).await.unwrap().is_some());
        store.purge_expired(expires).await.unwrap();
        assert_eq!(store.session([7; 32], start).await.unwrap(), None);

        store
            .create_session([9; 32], id, start, expires)
            .await
            .unwrap();
        assert!(store.end_session([9; 32]).await.unwrap());
        assert!(!store.end_session([9; 32]).await.unwrap());
        assert_eq!(store.session([9; 32], start).await.unwrap(), None);
    }

    /// Every kind of credential change raises the generation, made through the repositories
    /// or with SQL; changes that cannot make a copy stale do not.
    #[tokio::test]
    async fn the_database_raises_the_generation_on_every_credential_change() {
        let Some(test) = TestDb::create().await else {
            return;
        };
        let store = test.store();
        let users = PgUserRepository::new(test.db.clone());
        let id = add_user(&test.db, "dana", vec![Role::Customer]).await;
        let start = now();
        let mut last = store.generation().await.unwrap();
        let mut raised = async |what: &str, expected: bool| {
            let current = store.generation().await.unwrap();
            assert_eq!(current > last, expected, "{what}: {last} then {current}");
            last = current;
        };
        let email = UserChanges {
            email: Some("dana@example.org".into()),
            ..UserChanges::default()
        };
        users.update(id, email, start).await.unwrap();
        raised("an email change", false).await;
        store
            .create_session([1; 32], id, start, start + Duration::hours(1))
            .await
            .unwrap();
        raised("a new session", false).await;
        users
            .set_password(id, "$argon2id$other".into(), Some([1; 32]), start)
            .await
            .unwrap();
        raised("a password change", true).await;
        store.set_digest_secret(id, vec![1, 2, 3]).await.unwrap();
        raised("a digest secret", true).await;
        assert!(store.end_session([1; 32]).await.unwrap());
        raised("a logout", true).await;
        let suspend = UserChanges {
            status: Some(UserStatus::Suspended),
            ..UserChanges::default()
        };
        users.update(id, suspend, start).await.unwrap();
        raised("a suspension", true).await;
        let client = test.db.client().await.unwrap();
        client
            .execute(
                "UPDATE user_roles SET role = 'clerk' WHERE user_id = $1",
                &[&id],
            )
            .await
            .unwrap();
        drop(client);
        raised("a role changed with SQL", true).await;
        users.delete(id).await.unwrap();
        raised("a deleted user", true).await;
        add_user(&test.db, "erik", vec![Role::Clerk]).await;
        let erik = store.by_username("erik").await.unwrap().unwrap();
        assert_eq!(erik.generation, store.generation().await.unwrap());
    }

    fn event(at: OffsetDateTime, user: Option<i64>, operation: &str, fault: bool) -> AuditEvent {
        AuditEvent {
            id: 0,
            at,
            request_id: format!("req-{operation}-{}", at.unix_timestamp_nanos()),
            user_id: user,
            username: user.map(|id| format!("user{id}")),
            authentication: user.map(|_| AuthMethod::Session),
            service: "UserService".into(),
            operation: operation.into(),
            outcome: if fault { Outcome::Fault } else { Outcome::Ok },
            fault_code: fault.then(|| "AccessDeniedFault".into()),
            remote_address: Some("127.0.0.1".into()),
        }
    }

    #[tokio::test]
    async fn audit_events_round_trip_newest_first_with_filters() {
        let Some(test) = TestDb::create().await else {
            return;
        };
        let store = test.store();
        store.append(Vec::new()).await.unwrap();
        let t0 = now();
        let second = |n: i64| t0 + Duration::seconds(n);
        let events = vec![
            event(second(0), Some(1), "GetUser", false),
            event(second(1), None, "Login", true),
            event(second(2), Some(2), "GetUser", true),
            event(second(3), Some(1), "ListUsers", false),
        ];
        store.append(events.clone()).await.unwrap();
        store
            .append(vec![event(second(4), Some(2), "GetUser", false)])
            .await
            .unwrap();

        let all = store.list(AuditFilter::default(), None, 100).await.unwrap();
        assert_eq!(all.len(), 5);
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        let stored: Vec<AuditEvent> = all[1..]
            .iter()
            .rev()
            .map(|e| AuditEvent { id: 0, ..e.clone() })
            .collect();
        assert_eq!(stored, events, "stored as given, in order");

        let operations = |events: Vec<AuditEvent>| -> Vec<(String, OffsetDateTime)> {
            events.into_iter().map(|e| (e.operation, e.at)).collect()
        };
        let by = |filter: AuditFilter| {
            let store = store.clone();
            async move { operations(store.list(filter, None, 100).await.unwrap()) }
        };
        assert_eq!(
            by(AuditFilter {
                user_id: Some(1),
                ..AuditFilter::default()
            })
            .await,
            [
                ("ListUsers".into(), second(3)),
                ("GetUser".into(), second(0))
            ]
        );
        assert_eq!(
            by(AuditFilter {
                operation: Some("GetUser".into()),
                outcome: Some(Outcome::Fault),
                ..AuditFilter::default()
            })
            .await,
            [("GetUser".into(), second(2))]
        );
        assert_eq!(
            by(AuditFilter {
                from: Some(second(1)),
                to: Some(second(3)),
                ..AuditFilter::default()
            })
            .await,
            [("GetUser".into(), second(2)), ("Login".into(), second(1))]
        );
        let page = store
            .list(AuditFilter::default(), Some(all[1].id), 2)
            .await
            .unwrap();
        assert_eq!(page, all[2..4].to_vec());
    }
}
