//! Business rules of the Catalog service: validation, stock that never goes negative, search
//! paging, product images with their digests, and the product cache kept in step with every
//! write.

use std::io::Read;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::cache::ProductCache;
use super::model::{NewProduct, Product, ProductChanges, ProductFilter, ProductImage};
use super::repository::{AdjustOutcome, CatalogRepoError, ProductRepository};
use crate::codec::Binary;
use crate::common::{
    Money, PageTokens, Violation, keep_first_occurrences, now, page_size, violation,
};
use crate::db::DbError;

const MAX_TAGS: usize = 20;

/// Why a Catalog call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("no product with SKU '{0}'")]
    NotFound(String),
    #[error("the product with SKU '{0}' has no image")]
    NoImage(String),
    #[error("a product with SKU '{0}' already exists")]
    Duplicate(String),
    #[error("only {available} of '{sku}' in stock; {requested} requested")]
    InsufficientStock {
        sku: String,
        requested: i64,
        available: i64,
    },
    #[error("the request is invalid")]
    Invalid(Vec<Violation>),
    #[error("internal error: {0}")]
    Internal(DbError),
}

impl From<CatalogRepoError> for CatalogError {
    fn from(error: CatalogRepoError) -> Self {
        match error {
            CatalogRepoError::Db(e) => CatalogError::Internal(e),
            CatalogRepoError::Duplicate => {
                CatalogError::Internal(DbError::Sqlite("unexpected duplicate SKU".into()))
            }
        }
    }
}

/// A SearchProducts request after decoding; `text` is the words as the caller typed them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    pub text: Option<String>,
    pub filter: ProductFilter,
    pub page_size: Option<i32>,
    pub page_token: Option<String>,
}

/// One page of products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPage {
    pub products: Vec<Product>,
    pub next_page_token: Option<String>,
    pub total: i64,
}

/// What SetProductImage stored: the size and the SHA-256 (lower-case hex) of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    pub bytes: u64,
    pub sha256: String,
}

/// The SHA-256 of `content` as 64 lower-case hex digits, read off the async threads.
async fn sha256_hex(content: &Binary) -> Result<String, CatalogError> {
    let content = content.clone();
    let digest = tokio::task::spawn_blocking(move || {
        let mut reader = content.reader()?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf)? {
                0 => return Ok::<_, std::io::Error>(hasher.finalize()),
                n => hasher.update(&buf[..n]),
            }
        }
    })
    .await
    .map_err(|e| CatalogError::Internal(DbError::Task(e.to_string())))?
    .map_err(|e| CatalogError::Internal(DbError::Task(format!("reading the image: {e}"))))?;
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The Catalog service; cheap to clone.
#[derive(Clone)]
pub struct CatalogService {
    repo: Arc<dyn ProductRepository>,
    cache: ProductCache,
    tokens: PageTokens,
}

impl CatalogService {
    pub fn new(repo: Arc<dyn ProductRepository>, cache: ProductCache, tokens: PageTokens) -> Self {
        CatalogService {
            repo,
            cache,
            tokens,
        }
    }

    pub async fn create(&self, mut product: NewProduct) -> Result<Product, CatalogError> {
        let mut violations = Vec::new();
        check_sku(&product.sku, &mut violations);
        check_name(&product.name, &mut violations);
        if let Some(description) = &product.description {
            check_description(description, &mut violations);
        }
        if product.stock < 0 {
            violations.push(violation("stock", "must be at least 0"));
        }
        check_tags(&mut product.tags, "tag", &mut violations);
        if !violations.is_empty() {
            return Err(CatalogError::Invalid(violations));
        }
        let sku = product.sku.clone();
        let created = self
            .repo
            .insert(product, now())
            .await
            .map_err(|e| match e {
                CatalogRepoError::Duplicate => CatalogError::Duplicate(sku.clone()),
                other => other.into(),
            })?;
        self.cache.invalidate([sku.as_str()]).await;
        Ok(created)
    }

    /// The product, from the cache when it holds it.
    pub async fn get(&self, sku: String) -> Result<Arc<Product>, CatalogError> {
        if let Some(product) = self.cache.get(&sku).await {
            crate::metrics::METRICS.cache_hits.inc();
            return Ok(product);
        }
        crate::metrics::METRICS.cache_misses.inc();
        let ticket = self.cache.ticket(&sku).await;
        let product = Arc::new(
            self.repo
                .find(sku.clone())
                .await?
                .ok_or(CatalogError::NotFound(sku))?,
        );
        self.cache.fill(ticket, product.clone());
        Ok(product)
    }

    pub async fn update(
        &self,
        sku: String,
        mut changes: ProductChanges,
    ) -> Result<Product, CatalogError> {
        let mut violations = Vec::new();
        if let Some(name) = &changes.name {
            check_name(name, &mut violations);
        }
        if let Some(Some(description)) = &changes.description {
            check_description(description, &mut violations);
        }
        if let Some(tags) = &mut changes.tags {
            check_tags(tags, "tags/tag", &mut violations);
        }
        if !violations.is_empty() {
            return Err(CatalogError::Invalid(violations));
        }
        let updated = self.repo.update(sku.clone(), changes, now()).await;
        self.cache.invalidate([sku.as_str()]).await;
        updated?.ok_or(CatalogError::NotFound(sku))
    }

    pub async fn discontinue(&self, sku: String) -> Result<Product, CatalogError> {
        let discontinued = self.repo.discontinue(sku.clone(), now()).await;
        self.cache.invalidate([sku.as_str()]).await;
        discontinued?.ok_or(CatalogError::NotFound(sku))
    }

    /// The stock after adding `delta`.
    pub async fn adjust_stock(
        &self,
        sku: String,
        delta: i32,
        reason: String,
    ) -> Result<i32, CatalogError> {
        let reason_length = reason.chars().count();
        if reason.trim().is_empty() || reason_length > 200 {
            return Err(CatalogError::Invalid(vec![violation(
                "reason",
                "must be 1 to 200 characters, not only spaces",
            )]));
        }
        let outcome = self
            .repo
            .adjust_stock(sku.clone(), delta, reason, now())
            .await;
        self.cache.invalidate([sku.as_str()]).await;
        match outcome? {
            AdjustOutcome::Adjusted(stock) => Ok(stock),
            AdjustOutcome::NotFound => Err(CatalogError::NotFound(sku)),
            AdjustOutcome::OutOfRange { available } if delta < 0 => {
                Err(CatalogError::InsufficientStock {
                    sku,
                    requested: -i64::from(delta),
                    available: i64::from(available),
                })
            }
            AdjustOutcome::OutOfRange { .. } => Err(CatalogError::Invalid(vec![violation(
                "delta",
                "would take the stock past the largest level (2147483647)",
            )])),
        }
    }

    /// Stores `content` (of media type `content_type`) as the product's image, replacing the
    /// one it had.
    pub async fn set_image(
        &self,
        sku: String,
        content_type: String,
        content: Binary,
    ) -> Result<StoredImage, CatalogError> {
        if content.is_empty() {
            return Err(CatalogError::Invalid(vec![violation(
                "image",
                "must not be empty",
            )]));
        }
        let sha256 = sha256_hex(&content).await?;
        let bytes = content.len();
        let image = ProductImage {
            content_type,
            sha256: sha256.clone(),
            content,
        };
        match self.repo.set_image(sku.clone(), image, now()).await? {
            true => Ok(StoredImage { bytes, sha256 }),
            false => Err(CatalogError::NotFound(sku)),
        }
    }

    /// The product's image.
    pub async fn image(&self, sku: String) -> Result<ProductImage, CatalogError> {
        if let Some(image) = self.repo.image(sku.clone()).await? {
            return Ok(image);
        }
        match self.repo.find(sku.clone()).await? {
            Some(_) => Err(CatalogError::NoImage(sku)),
            None => Err(CatalogError::NotFound(sku)),
        }
    }

    pub async fn search(&self, request: SearchRequest) -> Result<ProductPage, CatalogError> {
        let mut filter = request.filter;
        let mut violations = Vec::new();
        let limit = page_size(request.page_size, &mut violations);
        if let Some(text) = &request.text {
            if text.chars().count() > 200 {
                violations.push(violation("text", "must be at most 200 characters"));
            }
            filter.text_words = search_words(text);
        }
        if let (Some(min), Some(max)) = (filter.min_price, filter.max_price)
            && min > max
        {
            violations.push(violation("maxPrice", "must not be below minPrice"));
        }
        let scope = scope(&filter);
        let after =
            self.tokens
                .open_request(&scope, request.page_token.as_deref(), &mut violations);
        if !violations.is_empty() {
            return Err(CatalogError::Invalid(violations));
        }
        let rows = self.repo.search(filter, after, limit).await?;
        Ok(ProductPage {
            products: rows.products,
            next_page_token: rows.next.map(|cursor| self.tokens.seal(&scope, &cursor)),
            total: rows.total,
        })
    }
}

/// The words of `text`: its runs of letters and digits, in order; none when it has no words
/// (then it does not filter).
fn search_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Identifies a search for its page tokens: the filters and the order, not the page size. The
/// words are written `"word"*`, space-separated, as before the repositories formed their own
/// queries, so that tokens issued earlier keep their scope.
fn scope(filter: &ProductFilter) -> String {
    let text = filter
        .text_words
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ");
    let tag = filter.tag.as_deref().unwrap_or_default();
    format!(
        "products|{}:{text}|{}:{tag}|{}|{}|{}|{}|{}|{}",
        text.len(),
        tag.len(),
        filter.min_price.map_or(-1, Money::minor),
        filter.max_price.map_or(-1, Money::minor),
        filter.in_stock_only,
        filter.include_discontinued,
        filter.sort.as_str(),
        filter.descending
    )
}

fn check_sku(sku: &str, out: &mut Vec<Violation>) {
    let bytes = sku.as_bytes();
    let valid = (1..=64).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(b));
    if !valid {
        out.push(violation(
            "sku",
            "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
        ));
    }
}

fn check_name(name: &str, out: &mut Vec<Violation>) {
    if name.trim().is_empty() || name.chars().count() > 200 {
        out.push(violation(
            "name",
            "must be 1 to 200 characters, not only spaces",
        ));
    }
}

fn check_description(description: &str, out: &mut Vec<Violation>) {
    if description.chars().count() > 4000 {
        out.push(violation("description", "must be at most 4000 characters"));
    }
}

/// Checks each tag, then drops repeated ones (the first occurrence stays, in place).
fn check_tags(tags: &mut Vec<String>, field: &str, out: &mut Vec<Violation>) {
    for (i, tag) in tags.iter().enumerate() {
        let bytes = tag.as_bytes();
        let valid = (1..=32).contains(&bytes.len())
            && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if !valid {
            out.push(violation(
                format!("{field}[{}]", i + 1),
                "must be 1 to 32 characters of a-z, 0-9 and '-', starting with a letter or digit",
            ));
        }
    }
    keep_first_occurrences(tags);
    if tags.len() > MAX_TAGS {
        out.push(violation(
            field.to_string(),
            format!("at most {MAX_TAGS} tags"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_splits_into_words() {
        assert_eq!(search_words("Steel  wid"), ["Steel", "wid"]);
        assert_eq!(
            search_words("R&D \"lab\" Crème"),
            ["R", "D", "lab", "Crème"]
        );
        assert!(search_words(" -- ").is_empty());
    }

    #[test]
    fn token_scope_writes_words_as_before() {
        let filter = ProductFilter {
            text_words: search_words("Steel wid"),
            ..ProductFilter::default()
        };
        assert_eq!(
            scope(&filter),
            "products|15:\"Steel\"* \"wid\"*|0:|-1|-1|false|false|name|false"
        );
    }

    #[test]
    fn sku_and_tag_rules() {
        let sku_ok = |s: &str| {
            let mut v = Vec::new();
            check_sku(s, &mut v);
            v.is_empty()
        };
        assert!(sku_ok("WIDGET-1"));
        assert!(sku_ok("a.b_c"));
        assert!(!sku_ok("-x"));
        assert!(!sku_ok(""));
        assert!(!sku_ok("has space"));
        assert!(!sku_ok(&"A".repeat(65)));
        let mut tags = vec!["b".to_string(), "a".into(), "b".into()];
        let mut v = Vec::new();
        check_tags(&mut tags, "tag", &mut v);
        assert_eq!((tags, v.len()), (vec!["b".to_string(), "a".into()], 0));
        let mut tags = vec!["ok".to_string(), "Not-OK".into()];
        check_tags(&mut tags, "tag", &mut v);
        assert_eq!(v[0].field, "tag[2]");
    }
}
