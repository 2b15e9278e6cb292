//! Schema migrations, applied in order at start-up (and by `soapstone migrate`); the applied
//! version is kept in `PRAGMA user_version`.

use rusqlite::Connection;

use super::DbError;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_users.sql")),
    (2, include_str!("migrations/0002_commerce.sql")),
    (3, include_str!("migrations/0003_security.sql")),
    (4, include_str!("migrations/0004_positions.sql")),
    (5, include_str!("migrations/0005_images.sql")),
    (6, include_str!("migrations/0006_credential_changes.sql")),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_keep_the_order_existing_rows_were_returned_in() {
        let mut conn = Connection::open_in_memory().unwrap();
        for (version, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO users (id, username, email, email_key, status, created_at, updated_at) \
             VALUES (7, 'u', 'u@e', 'u@e', 'active', 0, 0); \
             INSERT INTO user_roles (user_id, role) VALUES (7, 'auditor'), (7, 'admin'), (7, 'customer'); \
             INSERT INTO products (id, sku, name, unit_price, currency, stock, status, created_at, updated_at) \
             VALUES (9, 'S', 'n', 1, 'EUR', 0, 'active', 0, 0); \
             INSERT INTO tags (id, name) VALUES (1, 'steel'), (2, 'blue'), (3, 'hardware'); \
             INSERT INTO product_tags (product_id, tag_id) VALUES (9, 1), (9, 2), (9, 3);",
        )
        .unwrap();
        assert_eq!(apply(&mut conn).unwrap(), latest());
        let ordered = |sql: &str| -> Vec<String> {
            let mut statement = conn.prepare(sql).unwrap();
            statement
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        assert_eq!(
            ordered("SELECT role FROM user_roles WHERE user_id = 7 ORDER BY position"),
            ["admin", "customer", "auditor"]
        );
        assert_eq!(
            ordered(
                "SELECT t.name FROM product_tags pt JOIN tags t ON t.id = pt.tag_id \
                 WHERE pt.product_id = 9 ORDER BY pt.position"
            ),
            ["blue", "hardware", "steel"]
        );
    }
}
