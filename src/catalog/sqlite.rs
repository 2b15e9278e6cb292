//! The SQLite implementation of [`ProductRepository`]: writes through the writer thread, reads
//! through the read pool, FTS5 for text search, keyset pagination over the indexes of
//! migration 0002.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};
use time::OffsetDateTime;

use super::model::{
    NewProduct, Product, ProductChanges, ProductFilter, ProductImage, ProductSort, ProductStatus,
};
use super::repository::{
    AdjustOutcome, CatalogRepoError, ProductRepository, ProductRows, next_chunk,
};
use crate::codec::Binary;
use crate::common::{Currency, Cursor, Money};
use crate::db::{Database, DbError, Listing, bad_column, from_millis, millis, page};

/// Products in the embedded SQLite database.
#[derive(Clone)]
pub struct SqliteProductRepository {
    db: Database,
}

impl SqliteProductRepository {
    pub fn new(db: Database) -> Self {
        SqliteProductRepository { db }
    }
}

const COLUMNS: &str = "p.id, p.sku, p.name, p.description, p.unit_price, p.currency, p.stock, \
     p.status, p.created_at, p.updated_at, (SELECT group_concat(t.name, ',' ORDER BY pt.position) \
     FROM product_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.product_id = p.id)";

impl From<rusqlite::Error> for CatalogRepoError {
    fn from(error: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(e, Some(message)) = &error
            && e.code == rusqlite::ErrorCode::ConstraintViolation
            && message.contains("products.sku")
        {
            return CatalogRepoError::Duplicate;
        }
        CatalogRepoError::Db(DbError::from(error))
    }
}

fn product_from_row(row: &Row<'_>) -> rusqlite::Result<Product> {
    let status: String = row.get(7)?;
    let currency: String = row.get(5)?;
    let tags: Option<String> = row.get(10)?;
    let tags: Vec<String> = tags
        .unwrap_or_default()
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    Ok(Product {
        sku: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        unit_price: Money::from_minor(row.get(4)?).ok_or_else(|| bad_column(4, "price"))?,
        currency: Currency::new(&currency).ok_or_else(|| bad_column(5, "currency"))?,
        stock: row.get(6)?,
        status: ProductStatus::from_name(&status).ok_or_else(|| bad_column(7, "status"))?,
        created_at: from_millis(row.get(8)?)?,
        updated_at: from_millis(row.get(9)?)?,
        tags,
    })
}

fn select_by_sku(conn: &Connection, sku: &str) -> rusqlite::Result<Option<Product>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM products p WHERE p.sku = ?1"
    ))?
    .query_row([sku], product_from_row)
    .optional()
}

fn product_id(conn: &Connection, sku: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM products WHERE sku = ?1")?
        .query_row([sku], |r| r.get(0))
        .optional()
}

fn set_tags(conn: &Connection, product: i64, tags: &[String]) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM product_tags WHERE product_id = ?1")?
        .execute([product])?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO tags (name) VALUES (?1) ON CONFLICT (name) DO UPDATE SET name = name \
         RETURNING id",
    )?;
    let mut link = conn.prepare_cached(
        "INSERT INTO product_tags (product_id, tag_id, position) VALUES (?1, ?2, ?3)",
    )?;
    for (position, tag) in tags.iter().enumerate() {
        let tag_id: i64 = upsert.query_row([tag], |r| r.get(0))?;
        link.execute([product, tag_id, position as i64])?;
    }
    Ok(())
}

fn sort_column(sort: ProductSort) -> &'static str {
    match sort {
        ProductSort::Name => "p.name COLLATE NOCASE",
        ProductSort::Price => "p.unit_price",
        ProductSort::CreatedAt => "p.created_at",
    }
}

fn filter_sql(filter: &ProductFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut values = Vec::new();
    if !filter.include_discontinued {
        sql.push_str(" AND p.status = 'active'");
    }
    if filter.in_stock_only {
        sql.push_str(" AND p.stock > 0");
    }
    if let Some(min) = filter.min_price {
        sql.push_str(" AND p.unit_price >= ?");
        values.push(Value::Integer(min.minor()));
    }
    if let Some(max) = filter.max_price {
        sql.push_str(" AND p.unit_price <= ?");
        values.push(Value::Integer(max.minor()));
    }
    if let Some(tag) = &filter.tag {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM product_tags pt JOIN tags t ON t.id = pt.tag_id \
             WHERE pt.product_id = p.id AND t.name = ?)",
        );
        values.push(Value::Text(tag.clone()));
    }
    if let Some(query) = fts_query(&filter.text_words) {
        sql.push_str(" AND p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH ?)");
        values.push(Value::Text(query));
    }
    (sql, values)
}

/// An FTS5 query requiring every word as a word or word prefix: `"word"*` each, quotes in a
/// word doubled; `None` for no words.
fn fts_query(words: &[String]) -> Option<String> {
    let terms: Vec<String> = words
        .iter()
        .map(|w| format!("\"{}\"*", w.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

fn search_rows(
    conn: &Connection,
    filter: &ProductFilter,
    after: Option<Cursor>,
    limit: usize,
) -> Result<ProductRows, CatalogRepoError> {
    let (where_sql, values) = filter_sql(filter);
    let listing = Listing {
        from: "products p",
        columns: COLUMNS,
        filter: &where_sql,
        values,
        sort: sort_column(filter.sort),
        id: "p.id",
        descending: filter.descending,
    };
    let (products, total) = page(conn, listing, after, limit, |row| {
        Ok((row.get::<_, i64>(0)?, product_from_row(row)?))
    })?;
    Ok(ProductRows::page(products, limit, filter.sort, total))
}

#[async_trait]
impl ProductRepository for SqliteProductRepository {
    async fn insert(
        &self,
        product: NewProduct,
        now: OffsetDateTime,
    ) -> Result<Product, CatalogRepoError> {
        self.db
            .writer
            .write(move |conn| {
                let at = millis(now);
                conn.prepare_cached(
                    "INSERT INTO products (sku, name, description, unit_price, currency, stock, \
                     status, created_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?7)",
                )?
                .execute(params![
                    product.sku,
                    product.name,
                    product.description,
                    product.unit_price.minor(),
                    product.currency.as_str(),
                    product.stock,
                    at
                ])?;
                set_tags(conn, conn.last_insert_rowid(), &product.tags)?;
                select_by_sku(conn, &product.sku)?.ok_or_else(|| {
                    CatalogRepoError::Db(DbError::Sqlite("inserted product vanished".into()))
                })
            })
            .await
    }

    async fn find(&self, sku: String) -> Result<Option<Product>, CatalogRepoError> {
        self.db
            .readers
            .read(move |conn| Ok(select_by_sku(conn, &sku)?))
            .await
    }

    async fn update(
        &self,
        sku: String,
        changes: ProductChanges,
        now: OffsetDateTime,
    ) -> Result<Option<Product>, CatalogRepoError> {
        self.db
            .writer
            .write(move |conn| {
                let Some(id) = product_id(conn, &sku)? else {
                    return Ok(None);
                };
                let description_given = changes.description.is_some();
                conn.prepare_cached(
                    "UPDATE products SET name = coalesce(?1, name), \
                     description = CASE WHEN ?2 THEN ?3 ELSE description END, \
                     unit_price = coalesce(?4, unit_price), updated_at = ?5 WHERE id = ?6",
                )?
                .execute(params![
                    changes.name,
                    description_given,
                    changes.description.flatten(),
                    changes.unit_price.map(Money::minor),
                    millis(now),
                    id
                ])?;
                if let Some(tags) = &changes.tags {
                    set_tags(conn, id, tags)?;
                }
                Ok(select_by_sku(conn, &sku)?)
            })
            .await
    }

    async fn discontinue(
        &self,
        sku: String,
        now: OffsetDateTime,
    ) -> Result<Option<Product>, CatalogRepoError> {
        self.db
            .writer
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE products SET status = 'discontinued', updated_at = ?1 \
                     WHERE sku = ?2 AND status <> 'discontinued'",
                )?
                .execute(params![millis(now), sku])?;
                Ok(select_by_sku(conn, &sku)?)
            })
            .await
    }

    async fn adjust_stock(
        &self,
        sku: String,
        delta: i32,
        reason: String,
        now: OffsetDateTime,
    ) -> Result<AdjustOutcome, CatalogRepoError> {
        self.db
            .writer
            .write(move |conn| {
                let row: Option<(i64, i32)> = conn
                    .prepare_cached("SELECT id, stock FROM products WHERE sku = ?1")?
                    .query_row([&sku], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let Some((id, stock)) = row else {
                    return Ok(AdjustOutcome::NotFound);
                };
                let Some(after) = stock.checked_add(delta).filter(|s| *s >= 0) else {
                    return Ok(AdjustOutcome::OutOfRange { available: stock });
                };
                let at = millis(now);
                conn.prepare_cached(
                    "UPDATE products SET stock = ?1, updated_at = ?2 WHERE id = ?3",
                )?
                .execute(params![after, at, id])?;
                conn.prepare_cached(
                    "INSERT INTO stock_adjustments (product_id, delta, stock_after, reason, at) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![id, delta, after, reason, at])?;
                Ok(AdjustOutcome::Adjusted(after))
            })
            .await
    }

    async fn set_image(
        &self,
        sku: String,
        image: ProductImage,
        now: OffsetDateTime,
    ) -> Result<bool, CatalogRepoError> {
        self.db
            .writer
            .write(move |conn| {
                let Some(id) = product_id(conn, &sku)? else {
                    return Ok(false);
                };
                conn.prepare_cached("DELETE FROM product_image_chunks WHERE product_id = ?1")?
                    .execute([id])?;
                conn.prepare_cached(
                    "INSERT INTO product_images (product_id, content_type, bytes, sha256, \
                     updated_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (product_id) DO UPDATE \
                     SET content_type = excluded.content_type, bytes = excluded.bytes, \
                     sha256 = excluded.sha256, updated_at = excluded.updated_at",
                )?
                .execute(params![
                    id,
                    image.content_type,
                    image.content.len() as i64,
                    image.sha256,
                    millis(now)
                ])?;
                let mut content = image
                    .content
                    .reader()
                    .map_err(|e| DbError::Task(format!("opening the image content: {e}")))?;
                let mut insert = conn.prepare_cached(
                    "INSERT INTO product_image_chunks (product_id, seq, data) VALUES (?1, ?2, ?3)",
                )?;
                for seq in 0i64.. {
                    let chunk = next_chunk(&mut content)?;
                    if chunk.is_empty() {
                        break;
                    }
                    insert.execute(params![id, seq, chunk])?;
                }
                Ok(true)
            })
            .await
    }

    async fn image(&self, sku: String) -> Result<Option<ProductImage>, CatalogRepoError> {
        self.db
            .readers
            .read(move |conn| {
                let head = conn
                    .prepare_cached(
                        "SELECT i.product_id, i.content_type, i.bytes, i.sha256 \
                         FROM product_images i JOIN products p ON p.id = i.product_id \
                         WHERE p.sku = ?1",
                    )?
                    .query_row([&sku], |row| {
                        Ok((
                            row.get::<_, i64>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, String>(3)?,
                        ))
                    })
                    .optional()?;
                let Some((id, content_type, bytes, sha256)) = head else {
                    return Ok(None);
                };
                let mut content = Vec::with_capacity(usize::try_from(bytes).unwrap_or(0));
                let mut chunks = conn.prepare_cached(
                    "SELECT data FROM product_image_chunks WHERE product_id = ?1 ORDER BY seq",
                )?;
                let mut rows = chunks.query([id])?;
                while let Some(row) = rows.next()? {
                    content.extend_from_slice(&row.get::<_, Vec<u8>>(0)?);
                }
                Ok(Some(ProductImage {
                    content_type,
                    sha256,
                    content: Binary::new(content),
                }))
            })
            .await
    }

    async fn search(
        &self,
        filter: ProductFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<ProductRows, CatalogRepoError> {
        self.db
            .readers
            .read(move |conn| search_rows(conn, &filter, after, limit))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_words_become_prefix_queries() {
        let words = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        assert_eq!(
            fts_query(&words(&["Steel", "wid"])),
            Some("\"Steel\"* \"wid\"*".into())
        );
        assert_eq!(
            fts_query(&words(&["R", "D", "la\"b"])),
            Some("\"R\"* \"D\"* \"la\"\"b\"*".into())
        );
        assert_eq!(fts_query(&[]), None);
    }
}
