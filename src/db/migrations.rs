//! Schema migrations, applied in order at start-up (and by `soapstone migrate`); the applied
//! version is kept in `PRAGMA user_version`.

use rusqlite::Connection;

use super::DbError;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_users.sql")),
    (2, include_str!("migrations/0002_commerce.sql")),
    (3, include_str!("migrations/0003_security.sql")),
];

/// The schema version this program migrates to.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |(v, _)| *v)
}

/// Applies every migration newer than the database; returns the resulting version.
pub fn apply(conn: &mut Connection) -> Result<i64, DbError> {
    let mut version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let latest = latest();
    if version > latest {
        return Err(DbError::Sqlite(format!(
            "the database schema (version {version}) is newer than this program (version {latest})"
        )));
    }
    let pending: Vec<_> = MIGRATIONS.iter().filter(|(v, _)| *v > version).collect();
    for (target, sql) in pending {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
        version = *target;
        tracing::info!(version, "applied database migration");
    }
    Ok(version)
}
