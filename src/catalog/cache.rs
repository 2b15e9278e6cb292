//! In-process product cache (moka). Every write that changes a product invalidates it after
//! its commit, and a read that missed only fills the cache if no invalidation happened while
//! it read the database, so a read after a committed write never sees the old value.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use moka::sync::Cache;

use super::model::Product;

/// Products by SKU; cheap to clone (shared).
#[derive(Clone)]
pub struct ProductCache {
    inner: Arc<Inner>,
}

struct Inner {
    products: Cache<String, Arc<Product>>,
    /// Bumped by every invalidation.
    generation: AtomicU64,
    /// Orders an invalidation against a fill, so a fill cannot land after an invalidation
    /// that began after its generation was read.
    writes: Mutex<()>,
}

impl ProductCache {
    pub fn new(capacity: u64) -> Self {
        ProductCache {
            inner: Arc::new(Inner {
                products: Cache::builder()
                    .max_capacity(capacity)
                    .time_to_live(Duration::from_secs(300))
                    .build(),
                generation: AtomicU64::new(0),
                writes: Mutex::new(()),
            }),
        }
    }

    pub fn get(&self, sku: &str) -> Option<Arc<Product>> {
        self.inner.products.get(sku)
    }

    /// The generation to pass to [`ProductCache::fill`]; read it before reading the database.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// Caches `product` read from the database, unless the cache was invalidated since
    /// `generation` was read.
    pub fn fill(&self, generation: u64, product: Arc<Product>) {
        let _guard = self.lock();
        if self.inner.generation.load(Ordering::Acquire) == generation {
            self.inner.products.insert(product.sku.clone(), product);
        }
    }

    /// Forgets `skus`; call after the write that changed them has committed.
    pub fn invalidate<'a>(&self, skus: impl IntoIterator<Item = &'a str>) {
        let _guard = self.lock();
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        for sku in skus {
            self.inner.products.invalidate(sku);
        }
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        self.inner.writes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ProductStatus;
    use crate::common::{Currency, Money};

    fn product(sku: &str, stock: i32) -> Arc<Product> {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        Arc::new(Product {
            sku: sku.into(),
            name: "n".into(),
            description: None,
            unit_price: Money::ZERO,
            currency: Currency::new("EUR").unwrap(),
            stock,
            tags: vec![],
            status: ProductStatus::Active,
            created_at: now,
            updated_at: now,
        })
    }

    #[test]
    fn a_fill_that_raced_an_invalidation_is_dropped() {
        let cache = ProductCache::new(100);
        let seen = cache.generation();
        cache.invalidate(["A"]);
        cache.fill(seen, product("A", 1));
        assert!(cache.get("A").is_none());
        let seen = cache.generation();
        cache.fill(seen, product("A", 2));
        assert_eq!(cache.get("A").map(|p| p.stock), Some(2));
        cache.invalidate(["A"]);
        assert!(cache.get("A").is_none());
    }
}
