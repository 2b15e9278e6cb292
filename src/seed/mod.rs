//! `soapstone seed`: fills a database with realistic users, products and orders for demos and
//! benchmarks, fast (bulk inserts in large transactions on one connection), with a progress
//! bar. Data is pseudo-random from a fixed seed, so two runs on empty databases are equal, on
//! either backend; runs on a database that has data add to it.
//!
//! The rows are made here, in one order from one random sequence; `sqlite` and `postgres`
//! only store them, a batch per transaction.

mod postgres;
mod sqlite;

use std::collections::BTreeMap;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use time::{Duration, OffsetDateTime};

use crate::db::DbError;
use crate::pg::at_millis;
use crate::storage::Location;

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

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("orders need customers and products: seed some with --users and --products")]
    NothingToOrder,
}

/// Rows per transaction.
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

/// A user to add, with its one role.
struct SeedUser {
    username: String,
    email: String,
    display_name: String,
    status: &'static str,
    created: OffsetDateTime,
    role: &'static str,
}

/// A product to add; money in hundredths.
struct SeedProduct {
    sku: String,
    name: String,
    description: String,
    unit_price: i64,
    currency: &'static str,
    stock: i64,
    status: &'static str,
    created: OffsetDateTime,
    /// Tag ids, in position order, each once.
    tags: Vec<i64>,
}

/// An order to add; its total is the sum of its lines.
struct SeedOrder {
    customer: i64,
    status: &'static str,
    currency: String,
    total: i64,
    ship_name: String,
    ship_street: String,
    ship_city: &'static str,
    ship_postal_code: String,
    ship_country: &'static str,
    cancel_reason: Option<&'static str>,
    placed: OffsetDateTime,
    lines: Vec<SeedLine>,
}

struct SeedLine {
    product: i64,
    quantity: i64,
    unit_price: i64,
}

/// Where the rows go: each `add_*` stores one batch in one transaction.
trait Target {
    /// The highest id in `table` (0 when empty); new rows are numbered after it.
    async fn last_id(&mut self, table: &'static str) -> Result<i64, DbError>;
    async fn add_users(&mut self, users: Vec<SeedUser>) -> Result<(), DbError>;
    /// Adds the tags that are missing; the id of every tag, in id order.
    async fn add_tags(&mut self, names: &[&str]) -> Result<Vec<i64>, DbError>;
    async fn add_products(&mut self, products: Vec<SeedProduct>) -> Result<(), DbError>;
    /// The ids of the users with the customer role, in id order.
    async fn customers(&mut self) -> Result<Vec<i64>, DbError>;
    /// Every product's id, currency and unit price (in hundredths), in id order.
    async fn prices(&mut self) -> Result<Vec<(i64, String, i64)>, DbError>;
    async fn add_orders(&mut self, orders: Vec<SeedOrder>) -> Result<(), DbError>;
    /// Refreshes the planner's statistics.
    async fn analyze(&mut self) -> Result<(), DbError>;
}

/// Adds `counts` to the database at `location` (created and migrated when needed).
pub async fn seed(
    location: &Location,
    counts: SeedCounts,
    progress: bool,
) -> Result<Seeded, SeedError> {
    match location {
        Location::Sqlite(path) => {
            fill(&mut sqlite::SqliteTarget::open(path)?, counts, progress).await
        }
        Location::Postgres(url) => {
            fill(&mut postgres::PgTarget::open(url).await?, counts, progress).await
        }
    }
}

async fn fill(
    target: &mut impl Target,
    counts: SeedCounts,
    progress: bool,
) -> Result<Seeded, SeedError> {
    let mut rows = Rows::new();
    let bar = |len: u64, what: &str| progress_bar(len, what, progress);

    let first_user = target.last_id("users").await?;
    in_batches(
        counts.users,
        &bar(counts.users, "users"),
        |i| rows.user(first_user + number(i)),
        async |users| target.add_users(users).await,
    )
    .await?;

    let tags = target.add_tags(TAGS).await?;
    let first_product = target.last_id("products").await?;
    in_batches(
        counts.products,
        &bar(counts.products, "products"),
        |i| rows.product(first_product + number(i), &tags),
        async |products| target.add_products(products).await,
    )
    .await?;

    let customers = target.customers().await?;
    let catalog = Catalog::new(target.prices().await?);
    if counts.orders > 0 && (customers.is_empty() || catalog.currencies.is_empty()) {
        return Err(SeedError::NothingToOrder);
    }
    let mut order_lines = 0;
    in_batches(
        counts.orders,
        &bar(counts.orders, "orders"),
        |_| {
            let order = rows.order(&customers, &catalog);
            order_lines += order.lines.len() as u64;
            order
        },
        async |orders| target.add_orders(orders).await,
    )
    .await?;
    target.analyze().await?;
    Ok(Seeded {
        users: counts.users,
        products: counts.products,
        orders: counts.orders,
        order_lines,
    })
}

/// The 1-based number of the `i`th new row.
fn number(i: u64) -> i64 {
    i64::try_from(i).map_or(i64::MAX, |i| i.saturating_add(1))
}

/// Makes `count` rows with `make` and stores them with `add`, [`BATCH`] at a time, advancing
/// `bar`.
async fn in_batches<R>(
    count: u64,
    bar: &ProgressBar,
    mut make: impl FnMut(u64) -> R,
    mut add: impl AsyncFnMut(Vec<R>) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let mut done = 0;
    while done < count {
        let batch = done..(done + BATCH).min(count);
        add(batch.clone().map(&mut make).collect()).await?;
        bar.inc(batch.end - batch.start);
        done = batch.end;
    }
    bar.finish();
    Ok(())
}

fn progress_bar(len: u64, what: &str, visible: bool) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>9} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    if !visible {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// The products orders are made of: id and price, by currency.
struct Catalog {
    currencies: Vec<String>,
    by_currency: BTreeMap<String, Vec<(i64, i64)>>,
}

impl Catalog {
    fn new(prices: Vec<(i64, String, i64)>) -> Self {
        let mut by_currency: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
        for (id, currency, price) in prices {
            by_currency.entry(currency).or_default().push((id, price));
        }
        Catalog {
            currencies: by_currency.keys().cloned().collect(),
            by_currency,
        }
    }
}

/// The rows, from one random sequence.
struct Rows {
    rng: StdRng,
    now: OffsetDateTime,
}

impl Rows {
    fn new() -> Self {
        Rows {
            rng: StdRng::seed_from_u64(0x50A9_5703),
            now: at_millis(OffsetDateTime::now_utc()),
        }
    }

    /// Up to `days` before now, to the millisecond.
    fn before_now(&mut self, days: i64) -> OffsetDateTime {
        self.now - Duration::milliseconds(self.rng.random_range(0..days * 86_400_000))
    }

    fn user(&mut self, n: i64) -> SeedUser {
        let rng = &mut self.rng;
        let first = FIRST_NAMES.choose(rng).copied().unwrap_or("Ada");
        let last = LAST_NAMES.choose(rng).copied().unwrap_or("Smith");
        let created = self.before_now(365);
        let rng = &mut self.rng;
        let status = if rng.random_ratio(1, 50) {
            "suspended"
        } else {
            "active"
        };
        let role = match rng.random_range(0..100) {
            0 => "admin",
            1..=4 => "clerk",
            5..=6 => "auditor",
            _ => "customer",
        };
        SeedUser {
            username: format!("user{n}"),
            email: format!("user{n}@example.com"),
            display_name: format!("{first} {last}"),
            status,
            created,
            role,
        }
    }

    fn product(&mut self, n: i64, tag_ids: &[i64]) -> SeedProduct {
        let rng = &mut self.rng;
        let material = MATERIALS.choose(rng).copied().unwrap_or("Steel");
        let thing = THINGS.choose(rng).copied().unwrap_or("widget");
        let created = self.before_now(730);
        let rng = &mut self.rng;
        let size = rng.random_range(10..500);
        let unit_price = rng.random_range(50..100_000i64);
        let currency = CURRENCIES.choose(rng).copied().unwrap_or("EUR");
        let stock = rng.random_range(0..1_000i64);
        let status = if rng.random_ratio(1, 20) {
            "discontinued"
        } else {
            "active"
        };
        let mut tags = Vec::new();
        for _ in 0..rng.random_range(0..3i64) {
            if let Some(&tag) = tag_ids.choose(rng).filter(|tag| !tags.contains(*tag)) {
                tags.push(tag);
            }
        }
        SeedProduct {
            sku: format!("SKU-{n:07}"),
            name: format!("{material} {thing} {n}"),
            description: format!(
                "A {size} {thing} made of {}, model {n}.",
                material.to_lowercase()
            ),
            unit_price,
            currency,
            stock,
            status,
            created,
            tags,
        }
    }

    fn order(&mut self, customers: &[i64], catalog: &Catalog) -> SeedOrder {
        let rng = &mut self.rng;
        let customer = customers.choose(rng).copied().unwrap_or(1);
        let currency = catalog.currencies.choose(rng).cloned().unwrap_or_default();
        let products = catalog
            .by_currency
            .get(&currency)
            .map_or(&[][..], Vec::as_slice);
        let count = rng.random_range(1..=5usize).min(products.len());
        let chosen: Vec<&(i64, i64)> = products.choose_multiple(rng, count).collect();
        let lines: Vec<SeedLine> = chosen
            .into_iter()
            .map(|&(product, unit_price)| SeedLine {
                product,
                quantity: rng.random_range(1..=4),
                unit_price,
            })
            .collect();
        let placed = self.before_now(365);
        let rng = &mut self.rng;
        let status = match rng.random_range(0..10) {
            0 => "cancelled",
            1..=6 => "shipped",
            _ => "placed",
        };
        let (city, country) = CITIES.choose(rng).copied().unwrap_or(("Berlin", "DE"));
        SeedOrder {
            customer,
            status,
            currency,
            total: lines.iter().map(|l| l.unit_price * l.quantity).sum(),
            ship_name: format!("Customer {customer}"),
            ship_street: format!("{} Harbour Road", rng.random_range(1..300)),
            ship_city: city,
            ship_postal_code: format!("{:05}", rng.random_range(1000..99_999)),
            ship_country: country,
            cancel_reason: (status == "cancelled").then_some("changed their mind"),
            placed,
            lines,
        }
    }
}
