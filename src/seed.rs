//! `soapstone seed`: fills a database with realistic users, products and orders for demos and
//! benchmarks, fast (bulk inserts in large transactions on one connection), with a progress
//! bar. Data is pseudo-random from a fixed seed, so two runs on empty databases are equal;
//! runs on a database that has data add to it.

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};

use crate::db::{Database, DbError, Durability, open_connection};

/// How much to add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedCounts {
    pub users: u64,
    pub products: u64,
    pub orders: u64,
}

/// What was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seeded {
    pub users: u64,
    pub products: u64,
    pub orders: u64,
    pub order_lines: u64,
}

const BATCH: u64 = 20_000;
const FIRST_NAMES: &[&str] = &[
    "Ada", "Björn", "Chloé", "Dmitri", "Eve", "Farah", "Gus", "Hana", "Igor", "Jun", "Kofi",
    "Lena", "Mateo", "Noor", "Olga", "Pål", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Vito",
];
const LAST_NAMES: &[&str] = &[
    "Andersen", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hughes", "Ivanova",
    "Jensen", "Kowalski", "López", "Müller", "Novak", "O'Brien", "Petrov", "Rossi", "Smith",
];
const MATERIALS: &[&str] = &[
    "Steel",
    "Copper",
    "Brass",
    "Oak",
    "Walnut",
    "Carbon",
    "Titanium",
    "Aluminium",
    "Granite",
];
const THINGS: &[&str] = &[
    "widget", "bracket", "hinge", "lamp", "chair", "kettle", "drill", "ladder", "shelf", "valve",
];
const TAGS: &[&str] = &[
    "hardware", "home", "garden", "tools", "sale", "new", "eco", "outdoor", "kitchen", "office",
];
const CURRENCIES: &[&str] = &["EUR", "EUR", "EUR", "USD", "USD", "GBP"];
const CITIES: &[(&str, &str)] = &[
    ("Berlin", "DE"),
    ("Lyon", "FR"),
    ("Austin", "US"),
    ("Leeds", "GB"),
    ("Oslo", "NO"),
    ("Porto", "PT"),
    ("Kraków", "PL"),
    ("Osaka", "JP"),
];

fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>9} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    bar
}

/// Adds `counts` to the database at `path` (created and migrated when needed).
pub fn seed(path: &Path, counts: SeedCounts, progress: bool) -> Result<Seeded, DbError> {
    Database::migrate(path)?;
    let mut conn = open_connection(path, Durability::Normal)?;
    let mut rng = StdRng::seed_from_u64(0x50A9_5703);
    let now = crate::db::millis(time::OffsetDateTime::now_utc());
    let show = |bar: ProgressBar| {
        if !progress {
            bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        bar
    };
    let mut seeded = Seeded::default();

    let first_user: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM users", [], |r| r.get(0))?;
    let bar = show(progress_bar(counts.users, "users"));
    in_batches(&mut conn, counts.users, &bar, |tx, i| {
        let n = first_user + 1 + i64::try_from(i).unwrap_or(i64::MAX);
        let first = FIRST_NAMES.choose(&mut rng).copied().unwrap_or("Ada");
        let last = LAST_NAMES.choose(&mut rng).copied().unwrap_or("Smith");
        let email = format!("user{n}@example.com");
        let created = now - rng.random_range(0..365 * 86_400_000i64);
        tx.prepare_cached(
            "INSERT INTO users (username, email, email_key, display_name, status, created_at, \
             updated_at) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(params![
            format!("user{n}"),
            email,
            format!("{first} {last}"),
            if rng.random_ratio(1, 50) {
                "suspended"
            } else {
                "active"
            },
            created
        ])?;
        let id = tx.last_insert_rowid();
        let role = match rng.random_range(0..100) {
            0 => "admin",
            1..=4 => "clerk",
            5..=6 => "auditor",
            _ => "customer",
        };
        tx.prepare_cached("INSERT INTO user_roles (user_id, role) VALUES (?1, ?2)")?
            .execute(params![id, role])?;
        Ok(())
    })?;
    seeded.users = counts.users;

    let first_product: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM products", [], |r| {
            r.get(0)
        })?;
    for tag in TAGS {
        conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?1)", [tag])?;
    }
    let tag_ids: Vec<i64> = conn
        .prepare("SELECT id FROM tags")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let bar = show(progress_bar(counts.products, "products"));
    in_batches(&mut conn, counts.products, &bar, |tx, i| {
        let n = first_product + 1 + i64::try_from(i).unwrap_or(i64::MAX);
        let material = MATERIALS.choose(&mut rng).copied().unwrap_or("Steel");
        let thing = THINGS.choose(&mut rng).copied().unwrap_or("widget");
        let created = now - rng.random_range(0..730 * 86_400_000i64);
        tx.prepare_cached(
            "INSERT INTO products (sku, name, description, unit_price, currency, stock, status, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        )?
        .execute(params![
            format!("SKU-{n:07}"),
            format!("{material} {thing} {n}"),
            format!(
                "A {} {} made of {}, model {n}.",
                rng.random_range(10..500),
                thing,
                material.to_lowercase()
            ),
            rng.random_range(50..100_000i64),
            CURRENCIES.choose(&mut rng).copied().unwrap_or("EUR"),
            rng.random_range(0..1_000i64),
            if rng.random_ratio(1, 20) {
                "discontinued"
            } else {
                "active"
            },
            created
        ])?;
        let id = tx.last_insert_rowid();
        let mut link = tx.prepare_cached(
            "INSERT OR IGNORE INTO product_tags (product_id, tag_id, position) VALUES (?1, ?2, ?3)",
        )?;
        for position in 0..rng.random_range(0..3i64) {
            if let Some(tag) = tag_ids.choose(&mut rng) {
                link.execute(params![id, tag, position])?;
            }
        }
        Ok(())
    })?;
    seeded.products = counts.products;

    let customers: Vec<i64> = conn
        .prepare("SELECT user_id FROM user_roles WHERE role = 'customer'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut by_currency: std::collections::BTreeMap<String, Vec<(i64, i64)>> = Default::default();
    let mut rows = conn.prepare("SELECT id, currency, unit_price FROM products")?;
    for row in rows.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (id, currency, price) = row?;
        by_currency.entry(currency).or_default().push((id, price));
    }
    drop(rows);
    let currencies: Vec<String> = by_currency.keys().cloned().collect();
    if counts.orders > 0 && (customers.is_empty() || currencies.is_empty()) {
        return Err(DbError::Sqlite(
            "orders need customers and products: seed some with --users and --products".into(),
        ));
    }
    let bar = show(progress_bar(counts.orders, "orders"));
    let mut lines_added = 0u64;
    in_batches(&mut conn, counts.orders, &bar, |tx, _| {
        let customer = customers.choose(&mut rng).copied().unwrap_or(1);
        let currency = currencies.choose(&mut rng).cloned().unwrap_or_default();
        let products = &by_currency[&currency];
        let count = rng.random_range(1..=5usize).min(products.len());
        let chosen: Vec<&(i64, i64)> = products.choose_multiple(&mut rng, count).collect();
        let quantities: Vec<i64> = chosen.iter().map(|_| rng.random_range(1..=4)).collect();
        let total: i64 = chosen
            .iter()
            .zip(&quantities)
            .map(|((_, p), q)| p * q)
            .sum();
        let placed = now - rng.random_range(0..365 * 86_400_000i64);
        let status = match rng.random_range(0..10) {
            0 => "cancelled",
            1..=6 => "shipped",
            _ => "placed",
        };
        let (city, country) = CITIES.choose(&mut rng).copied().unwrap_or(("Berlin", "DE"));
        tx.prepare_cached(
            "INSERT INTO orders (customer_id, status, currency, total, ship_name, ship_street, \
             ship_city, ship_postal_code, ship_country, cancel_reason, placed_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        )?
        .execute(params![
            customer,
            status,
            currency,
            total,
            format!("Customer {customer}"),
            format!("{} Harbour Road", rng.random_range(1..300)),
            city,
            format!("{:05}", rng.random_range(1000..99_999)),
            country,
            (status == "cancelled").then_some("changed their mind"),
            placed
        ])?;
        let order = tx.last_insert_rowid();
        let mut line = tx.prepare_cached(
            "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (no, ((product, price), quantity)) in (1i64..).zip(chosen.iter().zip(&quantities)) {
            line.execute(params![order, no, product, quantity, price])?;
        }
        lines_added += chosen.len() as u64;
        Ok(())
    })?;
    seeded.orders = counts.orders;
    seeded.order_lines = lines_added;
    conn.execute_batch("PRAGMA optimize")?;
    Ok(seeded)
}

/// Runs `row` `count` times in transactions of [`BATCH`] rows, advancing `bar`.
fn in_batches(
    conn: &mut Connection,
    count: u64,
    bar: &ProgressBar,
    mut row: impl FnMut(&Connection, u64) -> rusqlite::Result<()>,
) -> Result<(), DbError> {
    let mut done = 0;
    while done < count {
        let tx = conn.transaction()?;
        let end = (done + BATCH).min(count);
        for i in done..end {
            row(&tx, i)?;
        }
        tx.commit()?;
        bar.inc(end - done);
        done = end;
    }
    bar.finish();
    Ok(())
}
