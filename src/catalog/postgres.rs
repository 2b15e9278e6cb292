//! The PostgreSQL implementation of [`ProductRepository`]: the same rules as `sqlite`, money as
//! exact NUMERIC, AdjustStock as one conditional UPDATE (safe across nodes), text search over
//! the `products.search` tsvector (GIN), keyset pagination in the same order with the same
//! cursors as SQLite.

use async_trait::async_trait;
use deadpool_postgres::GenericClient;
use futures_util::TryStreamExt;
use time::OffsetDateTime;
use tokio_postgres::Row;

use super::model::{
    NewProduct, Product, ProductChanges, ProductFilter, ProductImage, ProductSort, ProductStatus,
};
use super::repository::{
    AdjustOutcome, CatalogRepoError, ProductRepository, ProductRows, next_chunk,
};
use crate::codec::Binary;
use crate::common::{Currency, Cursor, CursorValue, Money};
use crate::db::DbError;
use crate::pg::{Listing, Param, Params, PgDatabase, at_millis, money, numeric, page, violates};

/// Products in PostgreSQL.
#[derive(Clone)]
pub struct PgProductRepository {
    db: PgDatabase,
}

impl PgProductRepository {
    pub fn new(db: PgDatabase) -> Self {
        PgProductRepository { db }
    }
}

const COLUMNS: &str = "p.id, p.sku, p.name, p.description, p.unit_price, p.currency, p.stock, \
     p.status, p.created_at, p.updated_at, ARRAY(SELECT t.name FROM product_tags pt \
     JOIN tags t ON t.id = pt.tag_id WHERE pt.product_id = p.id ORDER BY pt.position)";

/// One search word as a prefix tsquery: the word without diacritics, quoted as a tsquery
/// lexeme (quotes and backslashes doubled after `unaccent`, which can produce them, e.g.
/// `ʼ` → `'`), marked `:*`. `{word}` is the word's placeholder.
const PREFIX_QUERY: &str = "to_tsquery('simple', '''' || replace(replace(unaccent({word}), \
     '\\', '\\\\'), '''', '''''') || ''':*')";

impl From<tokio_postgres::Error> for CatalogRepoError {
    fn from(error: tokio_postgres::Error) -> Self {
        if violates(&error, "products_sku_key") {
            return CatalogRepoError::Duplicate;
        }
        CatalogRepoError::Db(DbError::from(error))
    }
}

fn bad(what: &str) -> CatalogRepoError {
    CatalogRepoError::Db(DbError::Postgres(format!(
        "unexpected {what} in the database"
    )))
}

fn product_from_row(row: &Row) -> Result<Product, CatalogRepoError> {
    let currency: String = row.try_get(5)?;
    let status: String = row.try_get(7)?;
    Ok(Product {
        sku: row.try_get(1)?,
        name: row.try_get(2)?,
        description: row.try_get(3)?,
        unit_price: money(row.try_get(4)?).ok_or_else(|| bad("price"))?,
        currency: Currency::new(&currency).ok_or_else(|| bad("currency"))?,
        stock: row.try_get(6)?,
        status: ProductStatus::from_name(&status).ok_or_else(|| bad("status"))?,
        created_at: row.try_get(8)?,
        updated_at: row.try_get(9)?,
        tags: row.try_get(10)?,
    })
}

async fn select_by_sku(
    client: &impl GenericClient,
    sku: &str,
) -> Result<Option<Product>, CatalogRepoError> {
    let statement = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM products p WHERE p.sku = $1"
        ))
        .await?;
    client
        .query_opt(&statement, &[&sku])
        .await?
        .map(|row| product_from_row(&row))
        .transpose()
}

/// Replaces the product's tags, keeping their order. New tags are created in name order, so
/// that transactions creating the same tags cannot deadlock.
async fn set_tags(
    client: &impl GenericClient,
    product: i64,
    tags: &[String],
) -> Result<(), CatalogRepoError> {
    let clear = client
        .prepare_cached("DELETE FROM product_tags WHERE product_id = $1")
        .await?;
    client.execute(&clear, &[&product]).await?;
    if tags.is_empty() {
        return Ok(());
    }
    let create = client
        .prepare_cached(
            "INSERT INTO tags (name) SELECT name FROM unnest($1::text[]) AS u (name) \
             ORDER BY name COLLATE \"C\" ON CONFLICT (name) DO NOTHING",
        )
        .await?;
    client.execute(&create, &[&tags]).await?;
    let link = client
        .prepare_cached(
            "INSERT INTO product_tags (product_id, tag_id, position) \
             SELECT $1, t.id, (u.position - 1)::integer \
             FROM unnest($2::text[]) WITH ORDINALITY AS u (name, position) \
             JOIN tags t ON t.name = u.name",
        )
        .await?;
    client.execute(&link, &[&product, &tags]).await?;
    Ok(())
}

fn sort_column(sort: ProductSort) -> &'static str {
    match sort {
        // Lower-cased in the "C" collation: ASCII letters only, as SQLite's NOCASE.
        ProductSort::Name => "lower(p.name)",
        ProductSort::Price => "p.unit_price",
        ProductSort::CreatedAt => "p.created_at",
    }
}

/// The cursor's sort value in the sort expression's type.
fn cursor_value(sort: ProductSort, cursor: Cursor) -> Result<(Param, i64), CatalogRepoError> {
    let value: Param = match (sort, cursor.value) {
        (ProductSort::Name, CursorValue::Text(name)) => Box::new(name.to_ascii_lowercase()),
        (ProductSort::Price, CursorValue::Int(minor)) => Box::new(numeric(
            Money::from_minor(minor).ok_or_else(|| bad("cursor price"))?,
        )),
        (ProductSort::CreatedAt, CursorValue::Int(ms)) => Box::new(
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .map_err(|_| bad("cursor time"))?,
        ),
        _ => return Err(bad("cursor")),
    };
    Ok((value, cursor.id))
}

/// The WHERE clause and parameters for `filter`, without the keyset condition.
fn filter_sql(filter: &ProductFilter) -> (String, Params) {
    let mut sql = String::from(" WHERE true");
    let mut params = Params::default();
    if !filter.include_discontinued {
        sql.push_str(" AND p.status = 'active'");
    }
    if filter.in_stock_only {
        sql.push_str(" AND p.stock > 0");
    }
    if let Some(min) = filter.min_price {
        sql.push_str(&format!(
            " AND p.unit_price >= {}",
            params.push(numeric(min))
        ));
    }
    if let Some(max) = filter.max_price {
        sql.push_str(&format!(
            " AND p.unit_price <= {}",
            params.push(numeric(max))
        ));
    }
    if let Some(tag) = &filter.tag {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM product_tags pt JOIN tags t ON t.id = pt.tag_id \
             WHERE pt.product_id = p.id AND t.name = {})",
            params.push(tag.clone())
        ));
    }
    if !filter.text_words.is_empty() {
        let queries: Vec<String> = filter
            .text_words
            .iter()
            .map(|word| PREFIX_QUERY.replace("{word}", &params.push(word.clone())))
            .collect();
        sql.push_str(&format!(" AND p.search @@ ({})", queries.join(" && ")));
    }
    (sql, params)
}

#[async_trait]
impl ProductRepository for PgProductRepository {
    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.insert"))]
    async fn insert(
        &self,
        product: NewProduct,
        now: OffsetDateTime,
    ) -> Result<Product, CatalogRepoError> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO products (sku, name, description, unit_price, currency, stock, \
                 status, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7) RETURNING id",
            )
            .await?;
        let id: i64 = tx
            .query_one(
                &insert,
                &[
                    &product.sku,
                    &product.name,
                    &product.description,
                    &numeric(product.unit_price),
                    &product.currency.as_str(),
                    &product.stock,
                    &at_millis(now),
                ],
            )
            .await?
            .get(0);
        set_tags(&tx, id, &product.tags).await?;
        let created = select_by_sku(&tx, &product.sku).await?.ok_or_else(|| {
            CatalogRepoError::Db(DbError::Postgres("inserted product vanished".into()))
        })?;
        tx.commit().await?;
        Ok(created)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.find"))]
    async fn find(&self, sku: String) -> Result<Option<Product>, CatalogRepoError> {
        let client = self.db.client().await?;
        select_by_sku(&client, &sku).await
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.update"))]
    async fn update(
        &self,
        sku: String,
        changes: ProductChanges,
        now: OffsetDateTime,
    ) -> Result<Option<Product>, CatalogRepoError> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        let update = tx
            .prepare_cached(
                "UPDATE products SET name = coalesce($1, name), \
                 description = CASE WHEN $2 THEN $3 ELSE description END, \
                 unit_price = coalesce($4, unit_price), updated_at = $5 \
                 WHERE sku = $6 RETURNING id",
            )
            .await?;
        let description_given = changes.description.is_some();
        let Some(row) = tx
            .query_opt(
                &update,
                &[
                    &changes.name,
                    &description_given,
                    &changes.description.flatten(),
                    &changes.unit_price.map(numeric),
                    &at_millis(now),
                    &sku,
                ],
            )
            .await?
        else {
            return Ok(None);
        };
        if let Some(tags) = &changes.tags {
            set_tags(&tx, row.get(0), tags).await?;
        }
        let updated = select_by_sku(&tx, &sku).await?;
        tx.commit().await?;
        Ok(updated)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.discontinue"))]
    async fn discontinue(
        &self,
        sku: String,
        now: OffsetDateTime,
    ) -> Result<Option<Product>, CatalogRepoError> {
        let client = self.db.client().await?;
        let discontinue = client
            .prepare_cached(
                "UPDATE products SET status = 'discontinued', updated_at = $1 \
                 WHERE sku = $2 AND status <> 'discontinued'",
            )
            .await?;
        client
            .execute(&discontinue, &[&at_millis(now), &sku])
            .await?;
        select_by_sku(&client, &sku).await
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.adjust_stock"))]
    async fn adjust_stock(
        &self,
        sku: String,
        delta: i32,
        reason: String,
        now: OffsetDateTime,
    ) -> Result<AdjustOutcome, CatalogRepoError> {
        let client = self.db.client().await?;
        // One statement: the row lock makes concurrent adjustments (from any node) wait, and
        // each re-checks the range against the stock the previous one left.
        let adjust = client
            .prepare_cached(
                "WITH adjusted AS (\
                 UPDATE products SET stock = stock + $2::integer, updated_at = $3 \
                 WHERE sku = $1 AND stock::bigint + $2::integer BETWEEN 0 AND 2147483647 \
                 RETURNING id, stock), \
                 recorded AS (\
                 INSERT INTO stock_adjustments (product_id, delta, stock_after, reason, at) \
                 SELECT id, $2::integer, stock, $4, $3 FROM adjusted) \
                 SELECT stock FROM adjusted",
            )
            .await?;
        if let Some(row) = client
            .query_opt(&adjust, &[&sku, &delta, &at_millis(now), &reason])
            .await?
        {
            return Ok(AdjustOutcome::Adjusted(row.get(0)));
        }
        let stock = client
            .prepare_cached("SELECT stock FROM products WHERE sku = $1")
            .await?;
        Ok(match client.query_opt(&stock, &[&sku]).await? {
            Some(row) => AdjustOutcome::OutOfRange {
                available: row.get(0),
            },
            None => AdjustOutcome::NotFound,
        })
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.set_image"))]
    async fn set_image(
        &self,
        sku: String,
        image: ProductImage,
        now: OffsetDateTime,
    ) -> Result<bool, CatalogRepoError> {
        let mut client = self.db.client().await?;
        let tx = client.transaction().await?;
        // The product row is locked, so concurrent SetProductImage calls take turns.
        let lock = tx
            .prepare_cached("SELECT id FROM products WHERE sku = $1 FOR UPDATE")
            .await?;
        let Some(row) = tx.query_opt(&lock, &[&sku]).await? else {
            return Ok(false);
        };
        let id: i64 = row.try_get(0)?;
        let clear = tx
            .prepare_cached("DELETE FROM product_image_chunks WHERE product_id = $1")
            .await?;
        tx.execute(&clear, &[&id]).await?;
        let head = tx
            .prepare_cached(
                "INSERT INTO product_images (product_id, content_type, bytes, sha256, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (product_id) DO UPDATE \
                 SET content_type = excluded.content_type, bytes = excluded.bytes, \
                 sha256 = excluded.sha256, updated_at = excluded.updated_at",
            )
            .await?;
        let bytes = image.content.len() as i64;
        tx.execute(
            &head,
            &[
                &id,
                &image.content_type,
                &bytes,
                &image.sha256,
                &at_millis(now),
            ],
        )
        .await?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO product_image_chunks (product_id, seq, data) VALUES ($1, $2, $3)",
            )
            .await?;
        let mut content = image
            .content
            .reader()
            .map_err(|e| DbError::Task(format!("opening the image content: {e}")))?;
        for seq in 0i32.. {
            // Spooled content is read off the async threads, a chunk at a time.
            let (rest, chunk) = tokio::task::spawn_blocking(move || {
                let chunk = next_chunk(&mut content);
                (content, chunk)
            })
            .await
            .map_err(|e| DbError::Task(e.to_string()))?;
            content = rest;
            let chunk = chunk?;
            if chunk.is_empty() {
                break;
            }
            tx.execute(&insert, &[&id, &seq, &chunk]).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.image"))]
    async fn image(&self, sku: String) -> Result<Option<ProductImage>, CatalogRepoError> {
        let client = self.db.client().await?;
        let head = client
            .prepare_cached(
                "SELECT i.product_id, i.content_type, i.bytes, i.sha256 \
                 FROM product_images i JOIN products p ON p.id = i.product_id WHERE p.sku = $1",
            )
            .await?;
        let Some(row) = client.query_opt(&head, &[&sku]).await? else {
            return Ok(None);
        };
        let id: i64 = row.try_get(0)?;
        let bytes: i64 = row.try_get(2)?;
        let chunks = client
            .prepare_cached(
                "SELECT data FROM product_image_chunks WHERE product_id = $1 ORDER BY seq",
            )
            .await?;
        let mut content = Vec::with_capacity(usize::try_from(bytes).unwrap_or(0));
        let rows = client.query_raw(&chunks, [&id]).await?;
        futures_util::pin_mut!(rows);
        while let Some(chunk) = rows.try_next().await? {
            content.extend_from_slice(chunk.try_get::<_, &[u8]>(0)?);
        }
        Ok(Some(ProductImage {
            content_type: row.try_get(1)?,
            sha256: row.try_get(3)?,
            content: Binary::new(content),
        }))
    }

    #[tracing::instrument(name = "storage", level = "debug", skip_all, fields(db.system = "postgresql", db.operation = "products.search"))]
    async fn search(
        &self,
        filter: ProductFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<ProductRows, CatalogRepoError> {
        let (filter_sql, params) = filter_sql(&filter);
        let after = after
            .map(|cursor| cursor_value(filter.sort, cursor))
            .transpose()?;
        let mut client = self.db.client().await?;
        let listing = Listing {
            from: "products p",
            columns: COLUMNS,
            filter: filter_sql,
            params,
            sort: sort_column(filter.sort),
            id: "p.id",
            descending: filter.descending,
        };
        let (rows, total) = page(&mut client, listing, after, limit).await?;
        let products = rows
            .iter()
            .map(|row| Ok((row.try_get::<_, i64>(0)?, product_from_row(row)?)))
            .collect::<Result<Vec<_>, CatalogRepoError>>()?;
        Ok(ProductRows::page(products, limit, filter.sort, total))
    }
}

#[cfg(test)]
mod tests {
    //! Against a real PostgreSQL when `SOAPSTONE_TEST_PG` names one (a base URL without a
    //! database, e.g. `postgres://soapstone@127.0.0.1:55432`); each test works in a database of
    //! its own, dropped afterwards, and compares with the SQLite repository where both apply.

    use std::sync::Arc;

    use rust_decimal::Decimal;

    use rand::RngCore;
    use time::Duration;
    use tokio_postgres::NoTls;

    use super::*;
    use crate::catalog::SqliteProductRepository;
    use crate::db::{Database, DbOptions};
    use crate::pg::PgOptions;

    /// A database created for one test; dropped (with its connections) when this is.
    struct Scratch {
        base: String,
        name: String,
        db: PgDatabase,
    }

    async fn admin(base: &str) -> tokio_postgres::Client {
        let mut config: tokio_postgres::Config = base.parse().expect("SOAPSTONE_TEST_PG URL");
        config.dbname("postgres");
        let (client, connection) = config.connect(NoTls).await.expect("connect");
        tokio::spawn(connection);
        client
    }

    impl Scratch {
        /// `None` (saying so) when `SOAPSTONE_TEST_PG` is not set.
        async fn new(test: &str) -> Option<Scratch> {
            let Ok(base) = std::env::var("SOAPSTONE_TEST_PG") else {
                println!("{test}: SOAPSTONE_TEST_PG is not set; skipped");
                return None;
            };
            let base = base.trim_end_matches('/').to_string();
            let name = format!("h1_{:016x}", rand::rng().next_u64());
            admin(&base)
                .await
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let db = PgDatabase::open(&PgOptions::new(format!("{base}/{name}")))
                .await
                .expect("open");
            Some(Scratch { base, name, db })
        }

        /// Another pool on the same database, as a second node has.
        async fn node(&self) -> PgDatabase {
            PgDatabase::open(&PgOptions::new(format!("{}/{}", self.base, self.name)))
                .await
                .expect("open")
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            self.db.close();
            let (base, name) = (self.base.clone(), self.name.clone());
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async {
                    admin(&base)
                        .await
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                })?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop test database {}", self.name);
            }
        }
    }

    /// The SQLite repository over an empty database in `dir`.
    fn sqlite(dir: &tempfile::TempDir) -> SqliteProductRepository {
        let db = Database::open(&DbOptions::new(dir.path().join("catalog.db"))).expect("sqlite");
        SqliteProductRepository::new(db)
    }

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_780_000_000).expect("time")
    }

    fn product(sku: &str, name: &str, minor: i64, stock: i32, tags: &[&str]) -> NewProduct {
        NewProduct {
            sku: sku.into(),
            name: name.into(),
            description: None,
            unit_price: Money::from_minor(minor).expect("price"),
            currency: Currency::new("EUR").expect("currency"),
            stock,
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn words(text: &[&str]) -> ProductFilter {
        ProductFilter {
            text_words: text.iter().map(|w| w.to_string()).collect(),
            ..ProductFilter::default()
        }
    }

    fn skus(rows: &ProductRows) -> Vec<&str> {
        rows.products.iter().map(|p| p.sku.as_str()).collect()
    }

    /// Inserts the same products, at the same times, into both.
    async fn seed(products: Vec<NewProduct>, repos: [&dyn ProductRepository; 2]) -> Vec<Product> {
        let mut inserted = Vec::new();
        for (i, p) in products.into_iter().enumerate() {
            // Every third product shares its creation time with the one before.
            let at = t0() + Duration::milliseconds(i64::try_from(i - i % 3 / 2).expect("i"));
            let first = repos[0].insert(p.clone(), at).await.expect("insert");
            let second = repos[1].insert(p, at).await.expect("insert");
            assert_eq!(first, second);
            inserted.push(first);
        }
        inserted
    }

    #[tokio::test]
    async fn products_round_trip_with_exact_money() {
        let Some(scratch) = Scratch::new("products_round_trip_with_exact_money").await else {
            return;
        };
        let repo = PgProductRepository::new(scratch.db.clone());
        let mut new = product("BIG-1", "Crème brûlée", 999_999_999_999_999, 3, &["z", "a"]);
        new.description = Some("Très sucré".into());
        let now = t0() + Duration::nanoseconds(123_456_789);
        let created = repo.insert(new.clone(), now).await.expect("insert");
        assert_eq!(created.unit_price.minor(), 999_999_999_999_999);
        assert_eq!(created.tags, ["z", "a"]);
        assert_eq!(created.created_at, t0() + Duration::milliseconds(123));
        assert_eq!(created.status, ProductStatus::Active);
        assert_eq!(repo.find("BIG-1".into()).await, Ok(Some(created.clone())));
        let stored: Decimal = scratch
            .db
            .client()
            .await
            .expect("client")
            .query_one("SELECT unit_price FROM products WHERE sku = 'BIG-1'", &[])
            .await
            .expect("price")
            .get(0);
        assert_eq!(stored.to_string(), "9999999999999.99");

        let mut twin = product("BIG-1", "Other", 1, 0, &[]);
        twin.currency = Currency::new("USD").expect("currency");
        assert_eq!(
            repo.insert(twin, now).await,
            Err(CatalogRepoError::Duplicate)
        );

        let changes = ProductChanges {
            name: Some("Crema".into()),
            description: Some(None),
            unit_price: Some(Money::from_minor(123_456_789_012_345).expect("price")),
            tags: Some(vec!["b".into(), "z".into()]),
        };
        let later = t0() + Duration::seconds(5);
        let updated = repo
            .update("BIG-1".into(), changes, later)
            .await
            .expect("update")
            .expect("found");
        assert_eq!(
            (
                updated.name.as_str(),
                updated.description.as_deref(),
                updated.unit_price.minor(),
                updated.tags.clone(),
                updated.updated_at,
                updated.created_at,
            ),
            (
                "Crema",
                None,
                123_456_789_012_345,
                vec!["b".to_string(), "z".into()],
                later,
                created.created_at,
            )
        );
        let renamed_only = repo
            .update(
                "BIG-1".into(),
                ProductChanges {
                    name: Some("Crema 2".into()),
                    ..ProductChanges::default()
                },
                later,
            )
            .await
            .expect("update")
            .expect("found");
        assert_eq!(renamed_only.tags, ["b", "z"]);
        assert_eq!(renamed_only.unit_price, updated.unit_price);
        let gone = repo
            .discontinue("BIG-1".into(), later)
            .await
            .expect("discontinue")
            .expect("found");
        assert_eq!(gone.status, ProductStatus::Discontinued);
        assert_eq!(repo.find("NONE".into()).await, Ok(None));
        assert_eq!(
            repo.update("NONE".into(), ProductChanges::default(), later)
                .await,
            Ok(None)
        );
        assert_eq!(repo.discontinue("NONE".into(), later).await, Ok(None));
    }

    #[tokio::test]
    async fn text_tag_and_price_filters_match_sqlite() {
        let Some(scratch) = Scratch::new("text_tag_and_price_filters_match_sqlite").await else {
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let lite = sqlite(&dir);
        let pg = PgProductRepository::new(scratch.db.clone());
        let mut described = product("D-1", "Plain box", 500, 0, &["box"]);
        described.description = Some("A widget holder, stainless".into());
        let all = vec![
            product("C-1", "Crème brûlée", 1_250, 4, &["dessert", "sweet"]),
            product("S-1", "Steel widget", 999, 10, &["tool"]),
            product(
                "S-2",
                "Stainless steel spoon",
                1_000,
                0,
                &["tool", "kitchen"],
            ),
            product("W-1", "Widgetry manual", 2_000, 1, &[]),
            described,
        ];
        seed(all, [&lite, &pg]).await;
        lite.discontinue("W-1".into(), t0()).await.expect("lite");
        pg.discontinue("W-1".into(), t0()).await.expect("pg");

        let sorted = |mut filter: ProductFilter| {
            filter.sort = ProductSort::Price;
            filter
        };
        let cases: Vec<(ProductFilter, Vec<&str>)> = vec![
            (words(&["creme"]), vec!["C-1"]),
            (words(&["CRÈME", "brul"]), vec!["C-1"]),
            (sorted(words(&["wid"])), vec!["D-1", "S-1"]),
            (sorted(words(&["ste", "wid"])), vec!["S-1"]),
            (sorted(words(&["stainless"])), vec!["D-1", "S-2"]),
            (words(&["steel", "nothing"]), vec![]),
            (
                ProductFilter {
                    include_discontinued: true,
                    ..sorted(words(&["widget"]))
                },
                vec!["D-1", "S-1", "W-1"],
            ),
            (
                ProductFilter {
                    tag: Some("tool".into()),
                    ..sorted(ProductFilter::default())
                },
                vec!["S-1", "S-2"],
            ),
            (
                ProductFilter {
                    min_price: Money::from_minor(999),
                    max_price: Money::from_minor(1_000),
                    ..sorted(ProductFilter::default())
                },
                vec!["S-1", "S-2"],
            ),
            (
                ProductFilter {
                    in_stock_only: true,
                    min_price: Money::from_minor(1_000),
                    ..sorted(ProductFilter::default())
                },
                vec!["C-1"],
            ),
        ];
        for (filter, expected) in cases {
            let from_pg = pg.search(filter.clone(), None, 10).await.expect("pg");
            let from_lite = lite.search(filter.clone(), None, 10).await.expect("lite");
            assert_eq!(skus(&from_pg), expected, "{filter:?}");
            assert_eq!(from_pg, from_lite, "{filter:?}");
        }
        // Words that are tsquery syntax, or become it without their diacritics (ʼ → ', ː → :,
        // ⑴ → (1)), are searched for, never parsed as operators.
        for odd in [["o'brien", "a\\b"], ["ʼn", "ː"], ["⑴", "x:*|!("]] {
            let rows = pg.search(words(&odd), None, 10).await.expect("odd words");
            assert_eq!(rows.total, 0, "{odd:?}");
        }
    }

    #[tokio::test]
    async fn paging_in_every_order_matches_sqlite() {
        let Some(scratch) = Scratch::new("paging_in_every_order_matches_sqlite").await else {
            return;
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let lite = sqlite(&dir);
        let pg = PgProductRepository::new(scratch.db.clone());
        let names = [
            "apple",
            "Apple",
            "APPLE",
            "apple pie",
            "Éclair",
            "eclair",
            "Zebra",
            "zebra",
            "_under",
            "a-b",
            "ab",
            "AB",
            "Øre",
            "oslo",
            "Oslo",
            "10 nails",
            "9 nails",
            "~tilde",
        ];
        let all = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let i = i64::try_from(i).expect("i");
                // Prices tie in threes.
                product(&format!("P-{i:02}"), name, 100 * (i / 3), 1, &[])
            })
            .collect();
        seed(all, [&lite, &pg]).await;
        for sort in [
            ProductSort::Name,
            ProductSort::Price,
            ProductSort::CreatedAt,
        ] {
            for descending in [false, true] {
                let filter = ProductFilter {
                    sort,
                    descending,
                    ..ProductFilter::default()
                };
                let mut seen = Vec::new();
                let mut after = None;
                loop {
                    let from_pg = pg
                        .search(filter.clone(), after.clone(), 4)
                        .await
                        .expect("pg");
                    let from_lite = lite
                        .search(filter.clone(), after.clone(), 4)
                        .await
                        .expect("lite");
                    assert_eq!(from_pg, from_lite, "{filter:?} after {after:?}");
                    assert_eq!(from_pg.total, 18);
                    seen.extend(from_pg.products.into_iter().map(|p| p.sku));
                    match from_pg.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                let mut distinct = seen.clone();
                distinct.sort();
                distinct.dedup();
                assert_eq!((seen.len(), distinct.len()), (18, 18), "{filter:?}");
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_adjustments_never_oversell() {
        let Some(scratch) = Scratch::new("concurrent_adjustments_never_oversell").await else {
            return;
        };
        let nodes: [Arc<dyn ProductRepository>; 2] = [
            Arc::new(PgProductRepository::new(scratch.db.clone())),
            Arc::new(PgProductRepository::new(scratch.node().await)),
        ];
        nodes[0]
            .insert(product("LAST-5", "Last five", 100, 5, &[]), t0())
            .await
            .expect("insert");
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let node = nodes[i % 2].clone();
                tokio::spawn(async move {
                    node.adjust_stock("LAST-5".into(), -1, "sold".into(), t0())
                        .await
                })
            })
            .collect();
        let mut sold = 0;
        for task in tasks {
            match task.await.expect("task").expect("adjust") {
                AdjustOutcome::Adjusted(left) => {
                    assert!((0..5).contains(&left));
                    sold += 1;
                }
                AdjustOutcome::OutOfRange { available } => assert_eq!(available, 0),
                AdjustOutcome::NotFound => panic!("the product is there"),
            }
        }
        assert_eq!(sold, 5);
        let client = scratch.db.client().await.expect("client");
        let row = client
            .query_one(
                "SELECT p.stock, count(a.id), min(a.stock_after), max(a.stock_after) \
                 FROM products p JOIN stock_adjustments a ON a.product_id = p.id \
                 WHERE p.sku = 'LAST-5' GROUP BY p.stock",
                &[],
            )
            .await
            .expect("stock");
        assert_eq!(
            (
                row.get::<_, i32>(0),
                row.get::<_, i64>(1),
                row.get::<_, i32>(2),
                row.get::<_, i32>(3)
            ),
            (0, 5, 0, 4)
        );

        let repo = &nodes[1];
        repo.insert(product("FULL", "Full", 100, i32::MAX - 1, &[]), t0())
            .await
            .expect("insert");
        let adjust =
            |sku: &'static str, delta| repo.adjust_stock(sku.into(), delta, "x".into(), t0());
        assert_eq!(
            adjust("FULL", 2).await,
            Ok(AdjustOutcome::OutOfRange {
                available: i32::MAX - 1
            })
        );
        assert_eq!(
            adjust("FULL", 1).await,
            Ok(AdjustOutcome::Adjusted(i32::MAX))
        );
        assert_eq!(
            adjust("FULL", -i32::MAX).await,
            Ok(AdjustOutcome::Adjusted(0))
        );
        assert_eq!(
            adjust("FULL", i32::MIN).await,
            Ok(AdjustOutcome::OutOfRange { available: 0 })
        );
        assert_eq!(adjust("NONE", 1).await, Ok(AdjustOutcome::NotFound));
    }
}
