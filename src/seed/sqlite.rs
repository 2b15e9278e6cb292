//! Seed rows into SQLite: one connection, prepared statements, a transaction per batch.

use std::path::Path;

use rusqlite::{Connection, params};

use super::{SeedOrder, SeedProduct, SeedUser, Target};
use crate::db::{Database, DbError, Durability, millis, open_connection};

/// The SQLite database being seeded. Its calls block: the seed runs alone on its runtime.
pub(super) struct SqliteTarget {
    conn: Connection,
}

impl SqliteTarget {
    /// Creates and migrates the database when needed.
    pub(super) fn open(path: &Path) -> Result<Self, DbError> {
        Database::migrate(path)?;
        Ok(SqliteTarget {
            conn: open_connection(path, Durability::Normal)?,
        })
    }

    fn ids(&self, sql: &str) -> Result<Vec<i64>, DbError> {
        Ok(self
            .conn
            .prepare(sql)?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }
}

impl Target for SqliteTarget {
    async fn last_id(&mut self, table: &'static str) -> Result<i64, DbError> {
        Ok(self.conn.query_row(
            &format!("SELECT coalesce(max(id), 0) FROM {table}"),
            [],
            |r| r.get(0),
        )?)
    }

    async fn add_users(&mut self, users: Vec<SeedUser>) -> Result<(), DbError> {
        let tx = self.conn.transaction()?;
        for u in &users {
            tx.prepare_cached(
                "INSERT INTO users (username, email, email_key, display_name, status, \
                 created_at, updated_at) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?5)",
            )?
            .execute(params![
                u.username,
                u.email,
                u.display_name,
                u.status,
                millis(u.created)
            ])?;
            let id = tx.last_insert_rowid();
            tx.prepare_cached("INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)")?
                .execute(params![id, u.role])?;
        }
        Ok(tx.commit()?)
    }

    async fn add_tags(&mut self, names: &[&str]) -> Result<Vec<i64>, DbError> {
        for name in names {
            self.conn
                .execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [name])?;
        }
        self.ids("SELECT id FROM tags ORDER BY id")
    }

    async fn add_products(&mut self, products: Vec<SeedProduct>) -> Result<(), DbError> {
        let tx = self.conn.transaction()?;
        for p in &products {
            tx.prepare_cached(
                "INSERT INTO products (sku, name, description, unit_price, currency, stock, \
                 status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![
                p.sku,
                p.name,
                p.description,
                p.unit_price,
                p.currency,
                p.stock,
                p.status,
                millis(p.created)
            ])?;
            let id = tx.last_insert_rowid();
            let mut link = tx.prepare_cached(
                "INSERT INTO product_tags (product_id, tag_id, position) VALUES (?1, ?2, ?3)",
            )?;
            for (position, tag) in (0i64..).zip(&p.tags) {
                link.execute(params![id, tag, position])?;
            }
        }
        Ok(tx.commit()?)
    }

    async fn customers(&mut self) -> Result<Vec<i64>, DbError> {
        self.ids("SELECT user_id FROM user_roles WHERE role = 'customer' ORDER BY user_id")
    }

    async fn prices(&mut self) -> Result<Vec<(i64, String, i64)>, DbError> {
        Ok(self
            .conn
            .prepare("SELECT id, currency, unit_price FROM products ORDER BY id")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    async fn add_orders(&mut self, orders: Vec<SeedOrder>) -> Result<(), DbError> {
        let tx = self.conn.transaction()?;
        for o in &orders {
            tx.prepare_cached(
                "INSERT INTO orders (customer_id, status, currency, total, ship_name, \
                 ship_street, ship_city, ship_postal_code, ship_country, cancel_reason, \
                 placed_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            )?
            .execute(params![
                o.customer,
                o.status,
                o.currency,
                o.total,
                o.ship_name,
                o.ship_street,
                o.ship_city,
                o.ship_postal_code,
                o.ship_country,
                o.cancel_reason,
                millis(o.placed)
            ])?;
            let order = tx.last_insert_rowid();
            let mut line = tx.prepare_cached(
                "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (no, l) in (1i64..).zip(&o.lines) {
                line.execute(params![order, no, l.product, l.quantity, l.unit_price])?;
            }
        }
        Ok(tx.commit()?)
    }

    async fn analyze(&mut self) -> Result<(), DbError> {
        Ok(self.conn.execute_batch("PRAGMA optimize")?)
    }
}
