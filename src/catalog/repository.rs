//! Storage of products, as the service needs it; implemented for SQLite in `sqlite` and for
//! PostgreSQL in `postgres`.

use std::io::Read;

use async_trait::async_trait;
use time::OffsetDateTime;

use super::model::{NewProduct, Product, ProductChanges, ProductFilter, ProductImage, ProductSort};
use crate::common::{Cursor, CursorValue};
use crate::db::{DbError, millis};

/// Storage errors the service distinguishes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogRepoError {
    #[error("another product has this SKU")]
    Duplicate,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// What AdjustStock did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustOutcome {
    /// The stock after the change.
    Adjusted(i32),
    NotFound,
    /// The change would take the stock below 0 (or past the largest level); nothing changed.
    OutOfRange {
        available: i32,
    },
}

/// One page of a search: the rows, where the next page starts (when more follow), and how
/// many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRows {
    pub products: Vec<Product>,
    pub next: Option<Cursor>,
    pub total: i64,
}

impl ProductRows {
    /// The page of `rows` (up to `limit + 1` products with their row ids, in the order of
    /// `sort`) and the cursor after its last product when more follow: the same for every
    /// backend.
    pub(super) fn page(
        mut rows: Vec<(i64, Product)>,
        limit: usize,
        sort: ProductSort,
        total: i64,
    ) -> Self {
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = match rows.last() {
            Some((id, last)) if more => Some(Cursor {
                value: match sort {
                    ProductSort::Name => CursorValue::Text(last.name.clone()),
                    ProductSort::Price => CursorValue::Int(last.unit_price.minor()),
                    ProductSort::CreatedAt => CursorValue::Int(millis(last.created_at)),
                },
                id: *id,
            }),
            _ => None,
        };
        ProductRows {
            products: rows.into_iter().map(|(_, p)| p).collect(),
            next,
            total,
        }
    }
}

/// Images are stored in chunks of this many bytes, so that neither writing nor reading one
/// needs more than a chunk in memory besides the content itself.
pub const IMAGE_CHUNK: usize = 1024 * 1024;

/// The next chunk of `content` (up to [`IMAGE_CHUNK`] bytes; empty at its end), read from
/// spooled content when it is (blocking).
pub(super) fn next_chunk(content: &mut dyn Read) -> Result<Vec<u8>, CatalogRepoError> {
    let mut chunk = Vec::with_capacity(IMAGE_CHUNK);
    content
        .take(IMAGE_CHUNK as u64)
        .read_to_end(&mut chunk)
        .map_err(|e| DbError::Task(format!("reading the image content: {e}")))?;
    Ok(chunk)
}

/// Where products are kept.
#[async_trait]
pub trait ProductRepository: Send + Sync {
    async fn insert(
        &self,
        product: NewProduct,
        now: OffsetDateTime,
    ) -> Result<Product, CatalogRepoError>;
    async fn find(&self, sku: String) -> Result<Option<Product>, CatalogRepoError>;
    /// Applies `changes`; `None` when there is no such product.
    async fn update(
        &self,
        sku: String,
        changes: ProductChanges,
        now: OffsetDateTime,
    ) -> Result<Option<Product>, CatalogRepoError>;
    async fn discontinue(
        &self,
        sku: String,
        now: OffsetDateTime,
    ) -> Result<Option<Product>, CatalogRepoError>;
    async fn adjust_stock(
        &self,
        sku: String,
        delta: i32,
        reason: String,
        now: OffsetDateTime,
    ) -> Result<AdjustOutcome, CatalogRepoError>;
    /// Stores `image` as the product's image, replacing the one it had, in one transaction;
    /// `false` when there is no such product.
    async fn set_image(
        &self,
        sku: String,
        image: ProductImage,
        now: OffsetDateTime,
    ) -> Result<bool, CatalogRepoError>;
    /// The product's image; `None` when it has none or there is no such product.
    async fn image(&self, sku: String) -> Result<Option<ProductImage>, CatalogRepoError>;
    /// Up to `limit` products matching `filter`, in its order, after `after`.
    async fn search(
        &self,
        filter: ProductFilter,
        after: Option<Cursor>,
        limit: usize,
    ) -> Result<ProductRows, CatalogRepoError>;
}
