//! PostgreSQL schema migrations (the files in `migrations/`), applied in order at start-up and
//! by `soapstone migrate`. Nodes starting at once take turns under a session advisory lock, so
//! each migration runs once; each runs in its own transaction with its version row.

use deadpool_postgres::Object;

use crate::db::DbError;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_schema.sql")),
    (2, include_str!("migrations/0002_images.sql")),
    (3, include_str!("migrations/0003_credential_changes.sql")),
];

/// The advisory lock key migrations hold (`soapstone` in ASCII, as a number).
const LOCK: i64 = 0x736f_6170_7374_6f6e;

/// The schema version this program migrates to.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// The version the database is at (0 for an empty one).
pub async fn version(client: &Object) -> Result<i64, DbError> {
    if !has_migrations_table(client).await? {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0))
}

async fn has_migrations_table(client: &Object) -> Result<bool, DbError> {
    Ok(client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .get(0))
}

/// Applies every migration newer than the database; the resulting version.
pub async fn apply(client: &mut Object) -> Result<i64, DbError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await?;
    let result = apply_locked(client).await;
    let unlocked = client
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK])
        .await;
    let version = result?;
    unlocked?;
    Ok(version)
}

async fn apply_locked(client: &mut Object) -> Result<i64, DbError> {
    if !has_migrations_table(client).await? {
        client
            .batch_execute(
                "CREATE TABLE schema_migrations (\
                 version bigint PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            )
            .await?;
    }
    let mut version = version(client).await?;
    let latest = latest();
    if version > latest {
        return Err(DbError::Postgres(format!(
            "the database schema (version {version}) is newer than this program (version {latest})"
        )));
    }
    let pending: Vec<_> = MIGRATIONS.iter().filter(|(v, _)| *v > version).collect();
    for (target, sql) in pending {
        let tx = client.transaction().await?;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[target],
        )
        .await?;
        tx.commit().await?;
        version = *target;
        tracing::info!(version, "applied PostgreSQL migration");
    }
    Ok(version)
}
