//! The PostgreSQL implementation of [`OrderRepository`], with the outcomes of `sqlite` when
//! several nodes share one database at READ COMMITTED. Placing an order locks its products
//! (`FOR UPDATE`, in id order, so concurrent orders cannot deadlock) before checking and taking
//! their stock, so no node sells stock another took; a retried client reference is settled by
//! the UNIQUE constraint (`ON CONFLICT DO NOTHING`): the losing call rolls back the stock it
//! took and returns the winner's order. Cancelling and shipping lock the order row.

use std::collections::HashMap;

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use tokio_postgres::Row;

use super::lines::{Stocked, check_lines};
use super::model::{
    Address, NewOrder, Order, OrderAction, OrderFilter, OrderLine, OrderStatus, ReportGrouping,
    SalesRow,
};
use super::repository::{OrderRepository, OrderRows, PlaceOutcome, TransitionOutcome};
use crate::common::{Currency, Cursor, CursorValue, Money};
use crate::db::{DbError, millis};
use crate::pg::{Listing, Params, PgDatabase, at_millis, minor_units, numeric, page};

/// Orders in PostgreSQL.
#[derive(Clone)]
pub struct PgOrderRepository {
    db: PgDatabase,
}

impl PgOrderRepository {
    pub fn new(db: PgDatabase) -> Self {
        PgOrderRepository { db }
    }
}

const COLUMNS: &str = "o.id, o.customer_id, o.status, o.client_reference, o.currency, o.total, \
     o.ship_name, o.ship_street, o.ship_city, o.ship_postal_code, o.ship_country, \
     o.cancel_reason, o.placed_at, o.updated_at";

fn bad(what: &str) -> DbError {
    DbError::Postgres(format!("unexpected {what} in the database"))
}

fn money(row: &Row, index: usize, what: &str) -> Result<Money, DbError> {
    crate::pg::money(row.try_get(index)?).ok_or_else(|| bad(what))
}

/// A cursor's time (milliseconds), as PostgreSQL compares it.
fn time_of(ms: i64) -> Result<OffsetDateTime, DbError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|_| bad("cursor time"))
}

/// The lines of `orders`, by order, in line order.
async fn lines_of(
    client: &impl GenericClient,
    orders: &[i64],
) -> Result<HashMap<i64, Vec<OrderLine>>, DbError> {
    let statement = client
        .prepare_cached(
            "SELECT l.order_id, p.sku, p.name, l.quantity, l.unit_price FROM order_lines l \
             JOIN products p ON p.id = l.product_id WHERE l.order_id = ANY($1) \
             ORDER BY l.order_id, l.line_no",
        )
        .await?;
    let mut lines: HashMap<i64, Vec<OrderLine>> = HashMap::new();
    for row in client.query(&statement, &[&orders]).await? {
        let quantity: i32 = row.try_get(3)?;
        let unit_price = money(&row, 4, "price")?;
        lines.entry(row.try_get(0)?).or_default().push(OrderLine {
            sku: row.try_get(1)?,
            product_name: row.try_get(2)?,
            quantity,
            unit_price,
            line_total: unit_price
                .times(i64::from(quantity))
                .ok_or_else(|| bad("line total"))?,
        });
    }
    Ok(lines)
}

/// The orders in `rows` (selected with [`COLUMNS`]), their lines read with `client`.
async fn orders_from_rows(
    client: &impl GenericClient,
    rows: &[Row],
) -> Result<Vec<Order>, DbError> {
    let ids = rows
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<Vec<i64>, _>>()?;
    let mut lines = lines_of(client, &ids).await?;
    rows.iter()
        .zip(ids)
        .map(|(row, id)| {
            let status: String = row.try_get(2)?;
            let currency: String = row.try_get(4)?;
            Ok(Order {
                id,
                customer_id: row.try_get(1)?,
                status: OrderStatus::from_name(&status).ok_or_else(|| bad("order status"))?,
                client_reference: row.try_get(3)?,
                currency: Currency::new(&currency).ok_or_else(|| bad("currency"))?,
                total: money(row, 5, "total")?,
                shipping_address: Address {
                    name: row.try_get(6)?,
                    street: row.try_get(7)?,
                    city: row.try_get(8)?,
                    postal_code: row.try_get(9)?,
                    country: row.try_get(10)?,
                },
                cancel_reason: row.try_get(11)?,
                placed_at: row.try_get(12)?,
                updated_at: row.try_get(13)?,
                lines: lines.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// The order `WHERE {condition}` selects (at most one), with its lines.
async fn load_where(
    client: &impl GenericClient,
    condition: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> Result<Option<Order>, DbError> {
    let statement = client
        .prepare_cached(&format!("SELECT {COLUMNS} FROM orders o WHERE {condition}"))
        .await?;
    let rows: Vec<Row> = client
        .query_opt(&statement, params)
        .await?
        .into_iter()
        .collect();
    Ok(orders_from_rows(client, &rows).await?.pop())
}

async fn load(client: &impl GenericClient, id: i64) -> Result<Option<Order>, DbError> {
    load_where(client, "o.id = $1", &[&id]).await
}

/// The customer's earlier order with `order`'s client reference, if it has one.
async fn existing(client: &impl GenericClient, order: &NewOrder) -> Result<Option<Order>, DbError> {
    let Some(reference) = &order.client_reference else {
        return Ok(None);
    };
    load_where(
        client,
        "o.customer_id = $1 AND o.client_reference = $2",
        &[&order.customer_id, reference],
    )
    .await
}

fn vanished(id: i64) -> DbError {
    DbError::Postgres(format!("order {id} vanished"))
}

/// The products with these SKUs, by SKU, locked for the rest of the transaction in id order.
async fn lock_products(
    client: &impl GenericClient,
    skus: &[&str],
) -> Result<HashMap<String, Stocked>, DbError> {
    let statement = client
        .prepare_cached(
            "SELECT id, sku, unit_price, currency, stock, status FROM products \
             WHERE sku = ANY($1) ORDER BY id FOR UPDATE",
        )
        .await?;
    let mut products = HashMap::new();
    for row in client.query(&statement, &[&skus]).await? {
        let status: String = row.try_get(5)?;
        let stock: i32 = row.try_get(4)?;
        products.insert(
            row.try_get(1)?,
            Stocked {
                id: row.try_get(0)?,
                price: money(&row, 2, "price")?,
                currency: row.try_get(3)?,
                stock: i64::from(stock),
                active: status == "active",
            },
        );
    }
    Ok(products)
}

/// Takes the stock of `products` (locked) and inserts the order; its id, or `None` when the
/// customer's client reference is already taken (by an order committed meanwhile).
async fn insert_order(
    client: &impl GenericClient,
    order: &NewOrder,
    products: &[&Stocked],
    total: Money,
    at: OffsetDateTime,
) -> Result<Option<i64>, DbError> {
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    let quantities: Vec<i32> = order.lines.iter().map(|(_, q)| *q).collect();
    let prices: Vec<Decimal> = products.iter().map(|p| numeric(p.price)).collect();
    let take = client
        .prepare_cached(
            "UPDATE products p SET stock = p.stock - t.quantity, updated_at = $3 \
             FROM (SELECT id, sum(quantity) AS quantity \
                   FROM unnest($1::bigint[], $2::integer[]) AS u (id, quantity) GROUP BY id) t \
             WHERE p.id = t.id",
        )
        .await?;
    client.execute(&take, &[&ids, &quantities, &at]).await?;
    let address = &order.shipping_address;
    let insert = client
        .prepare_cached(
            "INSERT INTO orders (customer_id, status, client_reference, currency, total, \
             ship_name, ship_street, ship_city, ship_postal_code, ship_country, placed_at, \
             updated_at) VALUES ($1, 'placed', $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT ON CONSTRAINT orders_customer_id_client_reference_key DO NOTHING \
             RETURNING id",
        )
        .await?;
    let Some(row) = client
        .query_opt(
            &insert,
            &[
                &order.customer_id,
                &order.client_reference,
                &products[0].currency,
                &numeric(total),
                &address.name,
                &address.street,
                &address.city,
                &address.postal_code,
                &address.country,
                &at,
            ],
        )
        .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get(0)?;
    let lines = client
        .prepare_cached(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
             SELECT $1, t.line_no, t.product_id, t.quantity, t.unit_price \
             FROM unnest($2::bigint[], $3::integer[], $4::numeric[]) WITH ORDINALITY \
                  AS t (product_id, quantity, unit_price, line_no)",
        )
        .await?;
    client
        .execute(&lines, &[&id, &ids, &quantities, &prices])
        .await?;
    Ok(Some(id))
}

async fn place_in(
    client: &mut deadpool_postgres::Object,
    order: &NewOrder,
    now: OffsetDateTime,
) -> Result<PlaceOutcome, DbError> {
    let tx = client.transaction().await?;
    if let Some(earlier) = existing(&tx, order).await? {
        return Ok(PlaceOutcome::Existing(Box::new(earlier)));
    }
    // Key-share locked, so the customer cannot be deleted before the order refers to them.
    let customer = tx
        .prepare_cached("SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE")
        .await?;
    if tx
        .query_opt(&customer, &[&order.customer_id])
        .await?
        .is_none()
    {
        return Ok(PlaceOutcome::UnknownCustomer);
    }
    let skus: Vec<&str> = order.lines.iter().map(|(sku, _)| sku.as_str()).collect();
    let products = lock_products(&tx, &skus).await?;
    let Ok(checked) = check_lines(order, |sku| {
        Ok::<_, std::convert::Infallible>(products.get(sku))
    });
    let (taken, total) = match checked {
        Ok(checked) => checked,
        Err(outcome) => {
            // The locks waited for any order that touched these products: one placed with
            // the same client reference meanwhile answers the call, as if it came first.
            return Ok(match existing(&tx, order).await? {
                Some(earlier) => PlaceOutcome::Existing(Box::new(earlier)),
                None => outcome,
            });
        }
    };
    match insert_order(&tx, order, &taken, total, at_millis(now)).await? {
        Some(id) => {
            let placed = load(&tx, id).await?.ok_or_else(|| vanished(id))?;
            tx.commit().await?;
            Ok(PlaceOutcome::Placed(Box::new(placed)))
        }
        None => {
            // Another call placed this client reference first: give the stock back.
            tx.rollback().await?;
            let earlier = existing(&*client, order)
                .await?
                .ok_or_else(|| DbError::Postgres("the conflicting order vanished".into()))?;
            Ok(PlaceOutcome::Existing(Box::new(earlier)))
        }
    }
}

async fn transition_in(
    client: &mut deadpool_postgres::Object,
    id: i64,
    action: &OrderAction,
    now: OffsetDateTime,
) -> Result<TransitionOutcome, DbError> {
    let tx = client.transaction().await?;
    let lock = tx
        .prepare_cached("SELECT status FROM orders WHERE id = $1 FOR UPDATE")
        .await?;
    let Some(row) = tx.query_opt(&lock, &[&id]).await? else {
        return Ok(TransitionOutcome::NotFound);
    };
    let status: String = row.try_get(0)?;
    let status = OrderStatus::from_name(&status).ok_or_else(|| bad("order status"))?;
    if status != OrderStatus::Placed {
        return Ok(TransitionOutcome::WrongState(status));
    }
    let at = at_millis(now);
    match action {
        OrderAction::Cancel { reason } => {
            let cancel = tx
                .prepare_cached(
                    "UPDATE orders SET status = 'cancelled', cancel_reason = $1, \
                     updated_at = $2 WHERE id = $3",
                )
                .await?;
            tx.execute(&cancel, &[reason, &at, &id]).await?;
            // In id order, as PlaceOrder locks products.
            let lock_products = tx
                .prepare_cached(
                    "SELECT p.id FROM products p JOIN order_lines l ON l.product_id = p.id \
                     WHERE l.order_id = $1 ORDER BY p.id FOR UPDATE OF p",
                )
                .await?;
            tx.execute(&lock_products, &[&id]).await?;
            let restock = tx
                .prepare_cached(
                    "UPDATE products p SET stock = p.stock + l.quantity, updated_at = $2 \
                     FROM (SELECT product_id, sum(quantity) AS quantity FROM order_lines \
                           WHERE order_id = $1 GROUP BY product_id) l \
                     WHERE p.id = l.product_id",
                )
                .await?;
            tx.execute(&restock, &[&id, &at]).await?;
        }
        OrderAction::Ship => {
            let ship = tx
                .prepare_cached(
                    "UPDATE orders SET status = 'shipped', updated_at = $1 WHERE id = $2",
                )
                .await?;
            tx.execute(&ship, &[&at, &id]).await?;
        }
    }
    let order = load(&tx, id).await?.ok_or_else(|| vanished(id))?;
    tx.commit().await?;
    Ok(TransitionOutcome::Done(Box::new(order)))
}

/// The WHERE clause and parameters for `filter`, without the keyset condition.
fn filter_sql(filter: &OrderFilter) -> (String, Params) {
    let mut sql = String::from(" WHERE true");
    let mut params = Params::default();
    if let Some(customer) = filter.customer_id {
        sql.push_str(&format!(" AND o.customer_id = {}", params.push(customer)));
    }
    if let Some(status) = filter.status {
        let status = params.push(status.as_str().to_string());
        sql.push_str(&format!(" AND o.status = {status}"));
    }
    if let Some(from) = filter.placed_from {
        sql.push_str(&format!(
            " AND o.placed_at >= {}",
            params.push(at_millis(from))
        ));
    }
    if let Some(to) = filter.placed_to {
        sql.push_str(&format!(
            " AND o.placed_at < {}",
            params.push(at_millis(to))
        ));
    }
    (sql, params)
}

/// The report's query: day and customer rows add up per-order subtotals (so the order count
/// needs no DISTINCT); product rows count lines, since a SKU is on one line of an order. Keys
/// and currencies sort bytewise, as in SQLite.
fn report_sql(group: ReportGrouping) -> String {
    const RANGE: &str = "FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.placed_at >= $1 AND o.placed_at < $2 AND o.status <> 'cancelled'";
    let per_order = |group: &str, key: &str| {
        format!(
            "SELECT {key}, x.currency, count(*), sum(x.q)::bigint, sum(x.r) \
             FROM (SELECT {group} AS g, o.currency COLLATE \"C\" AS currency, \
                   sum(l.quantity) AS q, sum(l.quantity * l.unit_price) AS r \
                   {RANGE} GROUP BY o.id) x \
             GROUP BY x.g, x.currency ORDER BY x.g, x.currency"
        )
    };
    match group {
        ReportGrouping::Day => per_order(
            "to_char(o.placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') COLLATE \"C\"",
            "x.g",
        ),
        ReportGrouping::Customer => per_order("o.customer_id", "x.g::text"),
        ReportGrouping::Product => format!(
            "SELECT p.sku, x.currency, x.n, x.q, x.r \
             FROM (SELECT l.product_id AS product, o.currency COLLATE \"C\" AS currency, \
                   count(*) AS n, sum(l.quantity) AS q, sum(l.quantity * l.unit_price) AS r \
                   {RANGE} GROUP BY l.product_id, o.currency) x \
             JOIN products p ON p.id = x.product ORDER BY p.sku, x.currency"
        ),
    }
}

fn sales_row(row: &Row) -> Result<SalesRow, DbError> {
    let currency: String = row.try_get(1)?;
    Ok(SalesRow {
        key: row.try_get(0)?,
        currency: Currency::new(&currency).ok_or_else(|| bad("currency"))?,
        order_count: row.try_get(2)?,
        quantity: row.try_get(3)?,
        revenue_minor: minor_units(row.try_get(4)?).ok_or_else(|| bad("revenue"))?,
    })
}

#[async_trait]
impl OrderRepository for PgOrderRepository {
    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "orders.place"))]
    async fn place(&self, order: NewOrder, now: OffsetDateTime) -> Result<PlaceOutcome, DbError> {
        let mut client = self.db.client().await?;
        place_in(&mut client, &order, now).await
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "orders.find"))]
    async fn find(&self, id: i64) -> Result<Option<Order>, DbError> {
        let client = self.db.client().await?;
        load(&client, id).await
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "orders.list"))]
    async fn list(
        &self,
        filter: OrderFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<OrderRows, DbError> {
        let after = match after {
            Some(Cursor {
                value: CursorValue::Int(ms),
                id,
            }) => Some((Box::new(time_of(ms)?) as crate::pg::Param, id)),
            Some(_) => return Err(DbError::Postgres("order cursors hold a time".into())),
            None => None,
        };
        let (filter, params) = filter_sql(&filter);
        let mut client = self.db.client().await?;
        let listing = Listing {
            from: "orders o",
            columns: COLUMNS,
            filter,
            params,
            sort: "o.placed_at",
            id: "o.id",
            descending: true,
        };
        let (mut rows, total) = page(&mut client, listing, after, limit).await?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let orders = orders_from_rows(&client, &rows).await?;
        let next = orders.last().filter(|_| more).map(|last| Cursor {
            value: CursorValue::Int(millis(last.placed_at)),
            id: last.id,
        });
        Ok(OrderRows {
            orders,
            next,
            total,
        })
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "orders.transition"))]
    async fn transition(
        &self,
        id: i64,
        action: OrderAction,
        now: OffsetDateTime,
    ) -> Result<TransitionOutcome, DbError> {
        let mut client = self.db.client().await?;
        transition_in(&mut client, id, &action, now).await
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "orders.sales_report"))]
    async fn sales_report(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        group: ReportGrouping,
    ) -> Result<Vec<SalesRow>, DbError> {
        let client = self.db.client().await?;
        let statement = client.prepare_cached(&report_sql(group)).await?;
        client
            .query(&statement, &[&at_millis(from), &at_millis(to)])
            .await?
            .iter()
            .map(sales_row)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    //! Against a real PostgreSQL (`SOAPSTONE_TEST_PG`, a base URL such as
    //! `postgres://soapstone@127.0.0.1:55432`); each test has a fresh database of its own.

    use std::future::Future;
    use std::sync::Arc;

    use time::Duration;
    use time::macros::datetime;
    use tokio_postgres::NoTls;

    use super::*;
    use crate::catalog::{NewProduct, ProductRepository, SqliteProductRepository};
    use crate::db::{Database, DbOptions};
    use crate::orders::SqliteOrderRepository;
    use crate::pg::PgOptions;
    use crate::users::{NewUser, PgUserRepository, Role, SqliteUserRepository, UserRepository};

    const T0: OffsetDateTime = datetime!(2026-03-01 21:30:00.123_456_789 UTC);

    /// Runs `test` with the URL of a new database, dropped afterwards (also when it fails);
    /// skipped when `SOAPSTONE_TEST_PG` is not set.
    async fn with_database<F, Fut>(test: F)
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let Some(base) = std::env::var("SOAPSTONE_TEST_PG")
            .ok()
            .filter(|url| !url.is_empty())
        else {
            eprintln!("skipped: SOAPSTONE_TEST_PG (a PostgreSQL base URL) is not set");
            return;
        };
        let base = base.trim_end_matches('/').to_string();
        let (admin, connection) = tokio_postgres::connect(&format!("{base}/postgres"), NoTls)
            .await
            .expect("connect to the postgres database");
        tokio::spawn(connection);
        let name = format!("h2_{:016x}", rand::random::<u64>());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let outcome = tokio::spawn(test(format!("{base}/{name}"))).await;
        admin
            .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .expect("drop the test database");
        if let Err(failure) = outcome {
            std::panic::resume_unwind(failure.into_panic());
        }
    }

    /// One node's pool.
    async fn node(url: &str) -> PgDatabase {
        let mut options = PgOptions::new(url);
        options.pool_size = 8;
        options.wait = std::time::Duration::from_secs(60);
        PgDatabase::open(&options).await.expect("open PostgreSQL")
    }

    fn new_user(name: &str) -> NewUser {
        NewUser {
            username: name.into(),
            email: format!("{name}@example.com"),
            display_name: None,
            roles: vec![Role::Customer],
        }
    }

    async fn pg_customer(db: &PgDatabase, name: &str) -> i64 {
        PgUserRepository::new(db.clone())
            .insert(new_user(name), None, T0)
            .await
            .expect("insert user")
            .id
    }

    fn new_product(sku: &str, price: i64, currency: &str, stock: i32) -> NewProduct {
        NewProduct {
            sku: sku.into(),
            name: format!("Product {sku}"),
            description: None,
            unit_price: Money::from_minor(price).expect("price"),
            currency: Currency::new(currency).expect("currency"),
            stock,
            tags: Vec::new(),
        }
    }

    async fn pg_product(db: &PgDatabase, product: &NewProduct) {
        db.client()
            .await
            .expect("client")
            .execute(
                "INSERT INTO products (sku, name, description, unit_price, currency, stock, \
                 status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7)",
                &[
                    &product.sku,
                    &product.name,
                    &product.description,
                    &numeric(product.unit_price),
                    &product.currency.as_str(),
                    &product.stock,
                    &T0,
                ],
            )
            .await
            .expect("insert product");
    }

    async fn pg_stock(db: &PgDatabase, sku: &str) -> i32 {
        db.client()
            .await
            .expect("client")
            .query_one("SELECT stock FROM products WHERE sku = $1", &[&sku])
            .await
            .expect("stock")
            .get(0)
    }

    async fn pg_count(db: &PgDatabase, sql: &str) -> i64 {
        db.client()
            .await
            .expect("client")
            .query_one(sql, &[])
            .await
            .expect("count")
            .get(0)
    }

    fn order(customer: i64, lines: &[(&str, i32)], reference: Option<&str>) -> NewOrder {
        NewOrder {
            customer_id: customer,
            lines: lines.iter().map(|(s, q)| (s.to_string(), *q)).collect(),
            shipping_address: Address {
                name: "Ada Lovelace".into(),
                street: "1 Analytical Way".into(),
                city: "London".into(),
                postal_code: "N1 1AA".into(),
                country: "GB".into(),
            },
            client_reference: reference.map(str::to_string),
        }
    }

    /// 64 one-unit orders for the last 5 units, from two nodes at once: 5 are placed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_orders_sell_exactly_the_stock() {
        with_database(|url| async move {
            let nodes = [node(&url).await, node(&url).await];
            let customer = pg_customer(&nodes[0], "ada").await;
            pg_product(&nodes[0], &new_product("LAST-5", 1999, "EUR", 5)).await;
            let calls = (0..64).map(|i| {
                let repo = PgOrderRepository::new(nodes[i % 2].clone());
                tokio::spawn(async move {
                    let reference = format!("ref-{i}");
                    repo.place(order(customer, &[("LAST-5", 1)], Some(&reference)), T0)
                        .await
                })
            });
            let mut placed = 0;
            for call in calls.collect::<Vec<_>>() {
                match call.await.expect("task").expect("place") {
                    PlaceOutcome::Placed(_) => placed += 1,
                    PlaceOutcome::InsufficientStock {
                        sku,
                        requested,
                        available,
                    } => assert_eq!((sku.as_str(), requested, available), ("LAST-5", 1, 0)),
                    other => panic!("unexpected outcome {other:?}"),
                }
            }
            assert_eq!(placed, 5);
            assert_eq!(pg_stock(&nodes[0], "LAST-5").await, 0);
            assert_eq!(pg_count(&nodes[0], "SELECT count(*) FROM orders").await, 5);
            assert_eq!(
                pg_count(&nodes[0], "SELECT sum(quantity)::bigint FROM order_lines").await,
                5
            );
        })
        .await;
    }

    /// The same client reference placed 16 times at once: one order, its stock taken once,
    /// every other call answered with it. With stock to spare the losers' inserts conflict;
    /// when the order takes all the stock, the losers must not report it gone.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_retries_place_one_order() {
        with_database(|url| async move {
            let nodes = [node(&url).await, node(&url).await];
            let customer = pg_customer(&nodes[0], "ada").await;
            for (round, (sku, stock)) in [("SPARE", 10), ("ALL", 2)].into_iter().enumerate() {
                pg_product(&nodes[0], &new_product(sku, 500, "EUR", stock)).await;
                let calls = (0..16).map(|i| {
                    let repo = PgOrderRepository::new(nodes[i % 2].clone());
                    tokio::spawn(async move {
                        repo.place(order(customer, &[(sku, 2)], Some(sku)), T0)
                            .await
                    })
                });
                let (mut placed, mut existing) = (Vec::new(), Vec::new());
                for call in calls.collect::<Vec<_>>() {
                    match call.await.expect("task").expect("place") {
                        PlaceOutcome::Placed(order) => placed.push(*order),
                        PlaceOutcome::Existing(order) => existing.push(*order),
                        other => panic!("{sku}: unexpected outcome {other:?}"),
                    }
                }
                assert_eq!(placed.len(), 1, "{sku}");
                assert_eq!(existing.len(), 15, "{sku}");
                assert!(existing.iter().all(|order| *order == placed[0]), "{sku}");
                assert_eq!(placed[0].client_reference.as_deref(), Some(sku));
                assert_eq!(pg_stock(&nodes[0], sku).await, stock - 2);
                let orders = pg_count(&nodes[0], "SELECT count(*) FROM orders").await;
                assert_eq!(orders, i64::try_from(round).expect("round") + 1);
            }
        })
        .await;
    }

    /// Line 2 lacks stock: line 1's stock stays, no order is stored.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_short_line_changes_nothing() {
        with_database(|url| async move {
            let db = node(&url).await;
            let repo = PgOrderRepository::new(db.clone());
            let customer = pg_customer(&db, "ada").await;
            pg_product(&db, &new_product("PLENTY", 100, "EUR", 10)).await;
            pg_product(&db, &new_product("SCARCE", 100, "EUR", 1)).await;
            let outcome = repo
                .place(
                    order(customer, &[("PLENTY", 3), ("SCARCE", 2)], Some("short")),
                    T0,
                )
                .await
                .expect("place");
            assert_eq!(
                outcome,
                PlaceOutcome::InsufficientStock {
                    sku: "SCARCE".into(),
                    requested: 2,
                    available: 1
                }
            );
            assert_eq!(pg_stock(&db, "PLENTY").await, 10);
            assert_eq!(pg_stock(&db, "SCARCE").await, 1);
            assert_eq!(pg_count(&db, "SELECT count(*) FROM orders").await, 0);
            assert_eq!(pg_count(&db, "SELECT count(*) FROM order_lines").await, 0);
        })
        .await;
    }

    /// Cancel and ship raced on one order: one of them happens, and a cancel gives the stock
    /// back once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_transitions_change_an_order_once() {
        with_database(|url| async move {
            let nodes = [node(&url).await, node(&url).await];
            let customer = pg_customer(&nodes[0], "ada").await;
            pg_product(&nodes[0], &new_product("RACE", 100, "EUR", 10)).await;
            let PlaceOutcome::Placed(placed) = PgOrderRepository::new(nodes[0].clone())
                .place(order(customer, &[("RACE", 4)], None), T0)
                .await
                .expect("place")
            else {
                panic!("not placed");
            };
            let id = placed.id;
            let calls = (0..8).map(|i| {
                let repo = PgOrderRepository::new(nodes[i % 2].clone());
                let action = if i % 2 == 0 {
                    OrderAction::Cancel {
                        reason: format!("call {i}"),
                    }
                } else {
                    OrderAction::Ship
                };
                tokio::spawn(async move { repo.transition(id, action, T0).await })
            });
            let mut done = Vec::new();
            for call in calls.collect::<Vec<_>>() {
                match call.await.expect("task").expect("transition") {
                    TransitionOutcome::Done(order) => done.push(*order),
                    TransitionOutcome::WrongState(status) => {
                        assert_ne!(status, OrderStatus::Placed)
                    }
                    TransitionOutcome::NotFound => panic!("not found"),
                }
            }
            assert_eq!(done.len(), 1);
            let expected_stock = match done[0].status {
                OrderStatus::Cancelled => 10,
                OrderStatus::Shipped => 6,
                OrderStatus::Placed => panic!("still placed"),
            };
            assert_eq!(pg_stock(&nodes[0], "RACE").await, expected_stock);
        })
        .await;
    }

    /// Both backends, fed the same calls.
    struct Pair {
        sqlite: Arc<dyn OrderRepository>,
        pg: Arc<dyn OrderRepository>,
        sqlite_products: SqliteProductRepository,
        pg_db: PgDatabase,
    }

    impl Pair {
        async fn place(&self, order: NewOrder, now: OffsetDateTime) -> PlaceOutcome {
            let expected = self.sqlite.place(order.clone(), now).await.expect("sqlite");
            let actual = self.pg.place(order, now).await.expect("postgres");
            assert_eq!(actual, expected);
            actual
        }

        async fn transition(&self, id: i64, action: OrderAction, now: OffsetDateTime) {
            let expected = self
                .sqlite
                .transition(id, action.clone(), now)
                .await
                .expect("sqlite");
            let actual = self.pg.transition(id, action, now).await.expect("postgres");
            assert_eq!(actual, expected);
        }

        /// Every page of the listing, compared page by page.
        async fn list_all(&self, filter: OrderFilter) -> usize {
            let (mut after, mut seen) = (None, 0);
            loop {
                let expected = self
                    .sqlite
                    .list(filter.clone(), after.clone(), 4)
                    .await
                    .expect("sqlite");
                let actual = self
                    .pg
                    .list(filter.clone(), after, 4)
                    .await
                    .expect("postgres");
                assert_eq!(actual, expected);
                seen += actual.orders.len();
                match actual.next {
                    Some(next) => after = Some(next),
                    None => return seen,
                }
            }
        }

        async fn report(&self, from: OffsetDateTime, to: OffsetDateTime, group: ReportGrouping) {
            let expected = self
                .sqlite
                .sales_report(from, to, group)
                .await
                .expect("sqlite");
            let actual = self
                .pg
                .sales_report(from, to, group)
                .await
                .expect("postgres");
            assert!(!expected.is_empty());
            assert_eq!(actual, expected, "{group:?}");
        }

        async fn same_stock(&self, sku: &str) {
            let expected = self
                .sqlite_products
                .find(sku.into())
                .await
                .expect("sqlite")
                .expect("product")
                .stock;
            assert_eq!(pg_stock(&self.pg_db, sku).await, expected, "{sku}");
        }
    }

    /// Every outcome, listing and report of the SQLite backend, over the same calls.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn same_results_as_sqlite() {
        with_database(|url| async move {
            let dir = tempfile::tempdir().expect("tempdir");
            let sqlite_db =
                Database::open(&DbOptions::new(dir.path().join("orders.db"))).expect("sqlite");
            let pg_db = node(&url).await;
            let pair = Pair {
                sqlite: Arc::new(SqliteOrderRepository::new(sqlite_db.clone())),
                pg: Arc::new(PgOrderRepository::new(pg_db.clone())),
                sqlite_products: SqliteProductRepository::new(sqlite_db.clone()),
                pg_db: pg_db.clone(),
            };
            let sqlite_users = SqliteUserRepository::new(sqlite_db.clone());
            let mut customers = Vec::new();
            for name in ["ada", "grace", "edsger"] {
                let id = sqlite_users
                    .insert(new_user(name), None, T0)
                    .await
                    .expect("sqlite user")
                    .id;
                assert_eq!(pg_customer(&pg_db, name).await, id);
                customers.push(id);
            }
            let products = [
                new_product("A-1", 1999, "EUR", 500),
                new_product("B-2", 500, "EUR", 300),
                new_product("C-3", 725, "USD", 300),
                new_product("D-4", 100, "EUR", 10),
                new_product("E-5", 400_000_000_000_000, "EUR", 10),
                new_product("F-6", 1, "USD", 1000),
            ];
            for product in &products {
                pair.sqlite_products
                    .insert(product.clone(), T0)
                    .await
                    .expect("sqlite product");
                pg_product(&pg_db, product).await;
            }
            pair.sqlite_products
                .discontinue("D-4".into(), T0)
                .await
                .expect("discontinue");
            pg_db
                .client()
                .await
                .expect("client")
                .execute(
                    "UPDATE products SET status = 'discontinued' WHERE sku = 'D-4'",
                    &[],
                )
                .await
                .expect("discontinue");

            let (ada, grace) = (customers[0], customers[1]);
            for (lines, outcome) in [
                (vec![("A-1", 1)], "UnknownCustomer"),
                (vec![("A-1", 1), ("NOPE", 1)], "UnknownProduct"),
                (vec![("D-4", 1)], "Discontinued"),
                (vec![("A-1", 1), ("C-3", 1)], "MixedCurrencies"),
                (vec![("B-2", 1), ("A-1", 501)], "InsufficientStock"),
                (vec![("A-1", 1), ("E-5", 3)], "TooLarge"),
            ] {
                let customer = if outcome == "UnknownCustomer" {
                    999
                } else {
                    ada
                };
                let result = pair.place(order(customer, &lines, Some("x")), T0).await;
                assert!(format!("{result:?}").starts_with(outcome), "{result:?}");
            }

            let carts: [&[(&str, i32)]; 5] = [
                &[("A-1", 2), ("B-2", 1)],
                &[("C-3", 3), ("F-6", 7)],
                &[("B-2", 4)],
                &[("A-1", 1), ("E-5", 1), ("B-2", 2)],
                &[("F-6", 11)],
            ];
            let mut ids = Vec::new();
            for i in 0..30 {
                let at = T0 + Duration::minutes(317 * i) + Duration::nanoseconds(456_789);
                let customer = customers[(i % 3) as usize];
                let reference = (i % 4 != 0).then(|| format!("cart-{i}"));
                let cart = carts[(i % 5) as usize];
                match pair
                    .place(order(customer, cart, reference.as_deref()), at)
                    .await
                {
                    PlaceOutcome::Placed(order) => ids.push(order.id),
                    other => panic!("unexpected outcome {other:?}"),
                }
            }
            let retried = pair
                .place(order(customers[1], carts[1], Some("cart-1")), T0)
                .await;
            assert!(matches!(retried, PlaceOutcome::Existing(_)));

            let later = T0 + Duration::days(5);
            for (n, id) in ids.iter().enumerate() {
                match n % 5 {
                    0 => {
                        let reason = format!("changed mind {n}");
                        pair.transition(*id, OrderAction::Cancel { reason }, later)
                            .await
                    }
                    1 => pair.transition(*id, OrderAction::Ship, later).await,
                    _ => {}
                }
            }
            pair.transition(
                ids[1],
                OrderAction::Cancel {
                    reason: "late".into(),
                },
                later,
            )
            .await;
            pair.transition(ids[0], OrderAction::Ship, later).await;
            pair.transition(9999, OrderAction::Ship, later).await;
            for product in &products {
                pair.same_stock(&product.sku).await;
            }
            assert_eq!(
                pair.pg.find(ids[3]).await.expect("postgres"),
                pair.sqlite.find(ids[3]).await.expect("sqlite")
            );

            assert_eq!(pair.list_all(OrderFilter::default()).await, 30);
            pair.list_all(OrderFilter {
                customer_id: Some(grace),
                ..OrderFilter::default()
            })
            .await;
            pair.list_all(OrderFilter {
                status: Some(OrderStatus::Placed),
                placed_from: Some(T0 + Duration::hours(20)),
                placed_to: Some(T0 + Duration::days(4)),
                ..OrderFilter::default()
            })
            .await;

            let (from, to) = (T0 + Duration::hours(3), T0 + Duration::days(6));
            for group in [
                ReportGrouping::Day,
                ReportGrouping::Product,
                ReportGrouping::Customer,
            ] {
                pair.report(from, to, group).await;
            }
            let report = pair
                .pg
                .sales_report(from, to, ReportGrouping::Product)
                .await
                .expect("postgres");
            let e5 = report.iter().find(|row| row.key == "E-5").expect("E-5 row");
            assert_eq!(e5.revenue_minor, 400_000_000_000_000 * e5.quantity);
            pg_db.close();
        })
        .await;
    }
}
