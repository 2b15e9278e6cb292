//! Seed rows into PostgreSQL: a transaction per batch, each table's rows in one INSERT over
//! arrays of its columns. Ids are drawn from the tables' own sequences first, so the child rows
//! (roles, tags, order lines) can name their parents and later inserts by the service never
//! collide with them.

use deadpool_postgres::{GenericClient, Object};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use super::{SeedOrder, SeedProduct, SeedUser, Target};
use crate::db::DbError;
use crate::pg::{PgDatabase, PgOptions};

/// The PostgreSQL database being seeded, over one connection.
pub(super) struct PgTarget {
    client: Object,
}

impl PgTarget {
    /// Connects and applies pending migrations.
    pub(super) async fn open(url: &str) -> Result<Self, DbError> {
        let db = PgDatabase::open(&PgOptions::new(url)).await?;
        Ok(PgTarget {
            client: db.client().await?,
        })
    }

    async fn ids(&self, sql: &str) -> Result<Vec<i64>, DbError> {
        Ok(self
            .client
            .query(sql, &[])
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }
}

/// `n` new ids from the identity sequence of `table`, in increasing order.
async fn reserve(
    client: &impl GenericClient,
    table: &'static str,
    n: usize,
) -> Result<Vec<i64>, DbError> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let rows = client
        .query(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2::bigint)",
            &[&table, &n],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?)
}

fn money(minor: i64) -> Decimal {
    Decimal::new(minor, 2)
}

fn int(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

impl Target for PgTarget {
    async fn last_id(&mut self, table: &'static str) -> Result<i64, DbError> {
        Ok(self
            .client
            .query_one(&format!("SELECT coalesce(max(id), 0) FROM {table}"), &[])
            .await?
            .try_get(0)?)
    }

    async fn add_users(&mut self, users: Vec<SeedUser>) -> Result<(), DbError> {
        let tx = self.client.transaction().await?;
        let ids = reserve(&tx, "users", users.len()).await?;
        let column = |f: fn(&SeedUser) -> &str| users.iter().map(f).collect::<Vec<_>>();
        let created: Vec<OffsetDateTime> = users.iter().map(|u| u.created).collect();
        tx.execute(
            "INSERT INTO users (id, username, email, email_key, display_name, status, \
             created_at, updated_at) \
             SELECT id, username, email, email, display_name, status, created, created \
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
             $6::timestamptz[]) AS u (id, username, email, display_name, status, created)",
            &[
                &ids,
                &column(|u| &u.username),
                &column(|u| &u.email),
                &column(|u| &u.display_name),
                &column(|u| u.status),
                &created,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO user_roles (user_id, role) SELECT * FROM unnest($1::bigint[], $2::text[])",
            &[&ids, &column(|u| u.role)],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn add_tags(&mut self, names: &[&str]) -> Result<Vec<i64>, DbError> {
        self.client
            .execute(
                "INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING",
                &[&names],
            )
            .await?;
        self.ids("SELECT id FROM tags ORDER BY id").await
    }

    async fn add_products(&mut self, products: Vec<SeedProduct>) -> Result<(), DbError> {
        let tx = self.client.transaction().await?;
        let ids = reserve(&tx, "products", products.len()).await?;
        let column = |f: fn(&SeedProduct) -> &str| products.iter().map(f).collect::<Vec<_>>();
        let prices: Vec<Decimal> = products.iter().map(|p| money(p.unit_price)).collect();
        let stock: Vec<i32> = products.iter().map(|p| int(p.stock)).collect();
        let created: Vec<OffsetDateTime> = products.iter().map(|p| p.created).collect();
        tx.execute(
            "INSERT INTO products (id, sku, name, description, unit_price, currency, stock, \
             status, created_at, updated_at) \
             SELECT id, sku, name, description, unit_price, currency, stock, status, created, \
             created \
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::numeric[], \
             $6::text[], $7::integer[], $8::text[], $9::timestamptz[]) \
             AS p (id, sku, name, description, unit_price, currency, stock, status, created)",
            &[
                &ids,
                &column(|p| &p.sku),
                &column(|p| &p.name),
                &column(|p| &p.description),
                &prices,
                &column(|p| p.currency),
                &stock,
                &column(|p| p.status),
                &created,
            ],
        )
        .await?;
        let (mut product, mut tag, mut position) = (Vec::new(), Vec::new(), Vec::new());
        for (id, p) in ids.iter().zip(&products) {
            for (n, t) in (0i32..).zip(&p.tags) {
                product.push(*id);
                tag.push(*t);
                position.push(n);
            }
        }
        tx.execute(
            "INSERT INTO product_tags (product_id, tag_id, position) \
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::integer[])",
            &[&product, &tag, &position],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn customers(&mut self) -> Result<Vec<i64>, DbError> {
        self.ids("SELECT user_id FROM user_roles WHERE role = 'customer' ORDER BY user_id")
            .await
    }

    async fn prices(&mut self) -> Result<Vec<(i64, String, i64)>, DbError> {
        let rows = self
            .client
            .query(
                "SELECT id, currency, (unit_price * 100)::bigint FROM products ORDER BY id",
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, tokio_postgres::Error>>()?)
    }

    async fn add_orders(&mut self, orders: Vec<SeedOrder>) -> Result<(), DbError> {
        let tx = self.client.transaction().await?;
        let ids = reserve(&tx, "orders", orders.len()).await?;
        let column = |f: fn(&SeedOrder) -> &str| orders.iter().map(f).collect::<Vec<_>>();
        let customers: Vec<i64> = orders.iter().map(|o| o.customer).collect();
        let totals: Vec<Decimal> = orders.iter().map(|o| money(o.total)).collect();
        let reasons: Vec<Option<&str>> = orders.iter().map(|o| o.cancel_reason).collect();
        let placed: Vec<OffsetDateTime> = orders.iter().map(|o| o.placed).collect();
        tx.execute(
            "INSERT INTO orders (id, customer_id, status, currency, total, ship_name, \
             ship_street, ship_city, ship_postal_code, ship_country, cancel_reason, placed_at, \
             updated_at) \
             SELECT id, customer, status, currency, total, name, street, city, postal_code, \
             country, reason, placed, placed \
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::numeric[], \
             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], \
             $12::timestamptz[]) AS o (id, customer, status, currency, total, name, street, \
             city, postal_code, country, reason, placed)",
            &[
                &ids,
                &customers,
                &column(|o| o.status),
                &column(|o| &o.currency),
                &totals,
                &column(|o| &o.ship_name),
                &column(|o| &o.ship_street),
                &column(|o| o.ship_city),
                &column(|o| &o.ship_postal_code),
                &column(|o| o.ship_country),
                &reasons,
                &placed,
            ],
        )
        .await?;
        let (mut order, mut line_no, mut product, mut quantity, mut price) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (id, o) in ids.iter().zip(&orders) {
            for (no, l) in (1i32..).zip(&o.lines) {
                order.push(*id);
                line_no.push(no);
                product.push(l.product);
                quantity.push(int(l.quantity));
                price.push(money(l.unit_price));
            }
        }
        tx.execute(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
             SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::integer[], \
             $5::numeric[])",
            &[&order, &line_no, &product, &quantity, &price],
        )
        .await?;
        Ok(tx.commit().await?)
    }

    async fn analyze(&mut self) -> Result<(), DbError> {
        Ok(self.client.batch_execute("ANALYZE").await?)
    }
}
