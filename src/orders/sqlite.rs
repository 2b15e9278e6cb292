//! The SQLite implementation of [`OrderRepository`]. Placing, cancelling and shipping run as
//! one job on the writer thread, so every check and every stock change of one order happen in
//! one transaction, and concurrent orders for the same stock are serialized: exactly the
//! available quantity can be sold, and a retried client reference finds the first order.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

use super::lines::{Stocked, check_lines};
use super::model::{
    Address, NewOrder, Order, OrderAction, OrderFilter, OrderLine, OrderStatus, ReportGrouping,
    SalesRow,
};
use super::repository::{OrderRepository, OrderRows, PlaceOutcome, TransitionOutcome};
use crate::common::{Currency, Cursor, CursorValue, Money};
use crate::db::{Database, DbError, Listing, bad_column, from_millis, millis, page};

/// Orders in the embedded SQLite database.
#[derive(Clone)]
pub struct SqliteOrderRepository {
    db: Database,
}

impl SqliteOrderRepository {
    pub fn new(db: Database) -> Self {
        SqliteOrderRepository { db }
    }
}

const COLUMNS: &str = "o.id, o.customer_id, o.status, o.client_reference, o.currency, o.total, \
     o.ship_name, o.ship_street, o.ship_city, o.ship_postal_code, o.ship_country, \
     o.cancel_reason, o.placed_at, o.updated_at";

/// The order in `row` (selected with [`COLUMNS`]), its lines read with `conn`.
fn order_from_row(conn: &Connection, row: &Row<'_>) -> rusqlite::Result<Order> {
    let id: i64 = row.get(0)?;
    let status: String = row.get(2)?;
    let currency: String = row.get(4)?;
    Ok(Order {
        id,
        customer_id: row.get(1)?,
        status: OrderStatus::from_name(&status).ok_or_else(|| bad_column(2, "order status"))?,
        client_reference: row.get(3)?,
        currency: Currency::new(&currency).ok_or_else(|| bad_column(4, "currency"))?,
        total: Money::from_minor(row.get(5)?).ok_or_else(|| bad_column(5, "total"))?,
        shipping_address: Address {
            name: row.get(6)?,
            street: row.get(7)?,
            city: row.get(8)?,
            postal_code: row.get(9)?,
            country: row.get(10)?,
        },
        cancel_reason: row.get(11)?,
        placed_at: from_millis(row.get(12)?)?,
        updated_at: from_millis(row.get(13)?)?,
        lines: lines_of(conn, id)?,
    })
}

fn lines_of(conn: &Connection, order: i64) -> rusqlite::Result<Vec<OrderLine>> {
    conn.prepare_cached(
        "SELECT p.sku, p.name, l.quantity, l.unit_price FROM order_lines l \
         JOIN products p ON p.id = l.product_id WHERE l.order_id = ?1 ORDER BY l.line_no",
    )?
    .query_map([order], |row| {
        let quantity: i32 = row.get(2)?;
        let unit_price = Money::from_minor(row.get(3)?).ok_or_else(|| bad_column(3, "price"))?;
        Ok(OrderLine {
            sku: row.get(0)?,
            product_name: row.get(1)?,
            quantity,
            unit_price,
            line_total: unit_price
                .times(i64::from(quantity))
                .ok_or_else(|| bad_column(3, "line total"))?,
        })
    })?
    .collect()
}

fn load(conn: &Connection, id: i64) -> rusqlite::Result<Option<Order>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM orders o WHERE o.id = ?1"))?
        .query_row([id], |row| order_from_row(conn, row))
        .optional()
}

fn placed(conn: &Connection, id: i64) -> Result<Order, DbError> {
    load(conn, id)?.ok_or_else(|| DbError::Sqlite(format!("order {id} vanished")))
}

fn place_in(
    conn: &Connection,
    order: &NewOrder,
    now: OffsetDateTime,
) -> Result<PlaceOutcome, DbError> {
    if let Some(reference) = &order.client_reference {
        let existing: Option<i64> = conn
            .prepare_cached(
                "SELECT id FROM orders WHERE customer_id = ?1 AND client_reference = ?2",
            )?
            .query_row(params![order.customer_id, reference], |r| r.get(0))
            .optional()?;
        if let Some(id) = existing {
            return Ok(PlaceOutcome::Existing(Box::new(placed(conn, id)?)));
        }
    }
    let customer: Option<i64> = conn
        .prepare_cached("SELECT id FROM users WHERE id = ?1")?
        .query_row([order.customer_id], |r| r.get(0))
        .optional()?;
    if customer.is_none() {
        return Ok(PlaceOutcome::UnknownCustomer);
    }

    let mut find = conn.prepare_cached(
        "SELECT id, unit_price, currency, stock, status FROM products WHERE sku = ?1",
    )?;
    let checked = check_lines(order, |sku| {
        find.query_row([sku], |r| {
            let status: String = r.get(4)?;
            Ok(Stocked {
                id: r.get(0)?,
                price: Money::from_minor(r.get(1)?).ok_or_else(|| bad_column(1, "price"))?,
                currency: r.get(2)?,
                stock: r.get(3)?,
                active: status == "active",
            })
        })
        .optional()
    })?;
    let (products, total) = match checked {
        Ok(checked) => checked,
        Err(outcome) => return Ok(outcome),
    };

    let at = millis(now);
    let mut take = conn
        .prepare_cached("UPDATE products SET stock = stock - ?1, updated_at = ?2 WHERE id = ?3")?;
    for (product, (_, quantity)) in products.iter().zip(&order.lines) {
        take.execute(params![quantity, at, product.id])?;
    }
    let address = &order.shipping_address;
    conn.prepare_cached(
        "INSERT INTO orders (customer_id, status, client_reference, currency, total, ship_name, \
         ship_street, ship_city, ship_postal_code, ship_country, placed_at, updated_at) \
         VALUES (?1, 'placed', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?
    .execute(params![
        order.customer_id,
        order.client_reference,
        products[0].currency,
        total.minor(),
        address.name,
        address.street,
        address.city,
        address.postal_code,
        address.country,
        at
    ])?;
    let id = conn.last_insert_rowid();
    let mut line = conn.prepare_cached(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (no, (product, (_, quantity))) in (1i64..).zip(products.iter().zip(&order.lines)) {
        line.execute(params![id, no, product.id, quantity, product.price.minor()])?;
    }
    Ok(PlaceOutcome::Placed(Box::new(placed(conn, id)?)))
}

fn transition_in(
    conn: &Connection,
    id: i64,
    action: &OrderAction,
    now: OffsetDateTime,
) -> Result<TransitionOutcome, DbError> {
    let status: Option<String> = conn
        .prepare_cached("SELECT status FROM orders WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let Some(status) = status else {
        return Ok(TransitionOutcome::NotFound);
    };
    let status = OrderStatus::from_name(&status).ok_or_else(|| bad_column(0, "order status"))?;
    if status != OrderStatus::Placed {
        return Ok(TransitionOutcome::WrongState(status));
    }
    let at = millis(now);
    match action {
        OrderAction::Cancel { reason } => {
            conn.prepare_cached(
                "UPDATE orders SET status = 'cancelled', cancel_reason = ?1, updated_at = ?2 \
                 WHERE id = ?3",
            )?
            .execute(params![reason, at, id])?;
            let lines: Vec<(i64, i64)> = conn
                .prepare_cached("SELECT product_id, quantity FROM order_lines WHERE order_id = ?1")?
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut restock = conn.prepare_cached(
                "UPDATE products SET stock = stock + ?1, updated_at = ?2 WHERE id = ?3",
            )?;
            for (product, quantity) in lines {
                restock.execute(params![quantity, at, product])?;
            }
        }
        OrderAction::Ship => {
            conn.prepare_cached(
                "UPDATE orders SET status = 'shipped', updated_at = ?1 WHERE id = ?2",
            )?
            .execute(params![at, id])?;
        }
    }
    Ok(TransitionOutcome::Done(Box::new(placed(conn, id)?)))
}

fn list_in(
    conn: &Connection,
    filter: &OrderFilter,
    after: Option<Cursor>,
    limit: usize,
) -> Result<OrderRows, DbError> {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut values = Vec::new();
    if let Some(customer) = filter.customer_id {
        sql.push_str(" AND o.customer_id = ?");
        values.push(Value::Integer(customer));
    }
    if let Some(status) = filter.status {
        sql.push_str(" AND o.status = ?");
        values.push(Value::Text(status.as_str().into()));
    }
    if let Some(from) = filter.placed_from {
        sql.push_str(" AND o.placed_at >= ?");
        values.push(Value::Integer(millis(from)));
    }
    if let Some(to) = filter.placed_to {
        sql.push_str(" AND o.placed_at < ?");
        values.push(Value::Integer(millis(to)));
    }
    if after
        .as_ref()
        .is_some_and(|c| !matches!(c.value, CursorValue::Int(_)))
    {
        return Err(DbError::Sqlite("order cursors hold a time".into()));
    }
    let listing = Listing {
        from: "orders o",
        columns: COLUMNS,
        filter: &sql,
        values,
        sort: "o.placed_at",
        id: "o.id",
        descending: true,
    };
    let (mut orders, total) = page(conn, listing, after, limit, |row| order_from_row(conn, row))?;
    let more = orders.len() > limit;
    orders.truncate(limit);
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

/// Sales per group. Day and customer rows add up per-order subtotals (so the order count
/// needs no DISTINCT); product rows count lines, since a SKU is on one line of an order.
fn report_in(
    conn: &Connection,
    from: OffsetDateTime,
    to: OffsetDateTime,
    group: ReportGrouping,
) -> Result<Vec<SalesRow>, DbError> {
    const RANGE: &str = "FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.placed_at >= ?1 AND o.placed_at < ?2 AND o.status <> 'cancelled'";
    let per_order = |key: &str, order: &str| {
        format!(
            "SELECT key, currency, count(*), sum(q), sum(r) FROM (SELECT {key} AS key, \
             o.customer_id AS customer, o.currency AS currency, sum(l.quantity) AS q, \
             sum(l.quantity * l.unit_price) AS r {RANGE} GROUP BY o.id) \
             GROUP BY {order}, currency ORDER BY {order}, currency"
        )
    };
    let sql = match group {
        ReportGrouping::Day => per_order(
            "strftime('%Y-%m-%d', o.placed_at / 1000, 'unixepoch')",
            "key",
        ),
        ReportGrouping::Customer => per_order("CAST(o.customer_id AS TEXT)", "customer"),
        ReportGrouping::Product => format!(
            "SELECT p.sku, x.currency, x.n, x.q, x.r FROM (SELECT l.product_id AS product, \
             o.currency AS currency, count(*) AS n, sum(l.quantity) AS q, \
             sum(l.quantity * l.unit_price) AS r {RANGE} GROUP BY l.product_id, o.currency) x \
             JOIN products p ON p.id = x.product ORDER BY p.sku, x.currency"
        ),
    };
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![millis(from), millis(to)], |row| {
            let currency: String = row.get(1)?;
            Ok(SalesRow {
                key: row.get(0)?,
                currency: Currency::new(&currency).ok_or_else(|| bad_column(1, "currency"))?,
                order_count: row.get(2)?,
                quantity: row.get(3)?,
                revenue_minor: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

#[async_trait]
impl OrderRepository for SqliteOrderRepository {
    async fn place(&self, order: NewOrder, now: OffsetDateTime) -> Result<PlaceOutcome, DbError> {
        self.db
            .writer
            .write(move |conn| place_in(conn, &order, now))
            .await
    }

    async fn find(&self, id: i64) -> Result<Option<Order>, DbError> {
        self.db.readers.read(move |conn| Ok(load(conn, id)?)).await
    }

    async fn list(
        &self,
        filter: OrderFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<OrderRows, DbError> {
        self.db
            .readers
            .read(move |conn| list_in(conn, &filter, after, limit))
            .await
    }

    async fn transition(
        &self,
        id: i64,
        action: OrderAction,
        now: OffsetDateTime,
    ) -> Result<TransitionOutcome, DbError> {
        self.db
            .writer
            .write(move |conn| transition_in(conn, id, &action, now))
            .await
    }

    async fn sales_report(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
        group: ReportGrouping,
    ) -> Result<Vec<SalesRow>, DbError> {
        self.db
            .readers
            .read(move |conn| report_in(conn, from, to, group))
            .await
    }
}
