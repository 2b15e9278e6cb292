//! Domain types of the Catalog service; no XML and no SQL here.

use time::OffsetDateTime;

use crate::codec::Binary;
use crate::common::{Currency, Money};

/// Whether a product can be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductStatus {
    Active,
    Discontinued,
}

/// The orders SearchProducts can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    #[default]
    Name,
    Price,
    CreatedAt,
}

crate::common::names!(ProductStatus { Active = "active", Discontinued = "discontinued" });
crate::common::names!(ProductSort { Name = "name", Price = "price", CreatedAt = "createdAt" });

/// A product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub unit_price: Money,
    pub currency: Currency,
    pub stock: i32,
    /// Sorted, no duplicates.
    pub tags: Vec<String>,
    pub status: ProductStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A product to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub unit_price: Money,
    pub currency: Currency,
    pub stock: i32,
    pub tags: Vec<String>,
}

/// Changes to a product; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductChanges {
    pub name: Option<String>,
    /// `Some(None)` removes the description.
    pub description: Option<Option<String>>,
    pub unit_price: Option<Money>,
    /// `Some(tags)` replaces the tags (an empty list clears them).
    pub tags: Option<Vec<String>>,
}

/// Which products to find, in which order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductFilter {
    /// The search words: a product matches when, for every word, one of the words of its name
    /// or description (compared without case and diacritics) starts with it. Empty: no text
    /// filter. Each repository turns them into its own query (FTS5, tsquery).
    pub text_words: Vec<String>,
    pub tag: Option<String>,
    pub min_price: Option<Money>,
    pub max_price: Option<Money>,
    pub in_stock_only: bool,
    pub include_discontinued: bool,
    pub sort: ProductSort,
    pub descending: bool,
}

/// A product's image: its media type, the SHA-256 of its bytes (64 lower-case hex digits)
/// and the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductImage {
    pub content_type: String,
    pub sha256: String,
    pub content: Binary,
}
