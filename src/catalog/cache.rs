//! The product cache. On one node (SQLite) it is in-process (moka): every write that changes a
//! product invalidates it after its commit, and a read that missed only fills the cache if no
//! invalidation happened while it read the database, so a read after a committed write never
//! sees the old value. With several nodes the same copies are kept per node but each is
//! checked against the product's version stamp in Redis ([`SharedVersions`]) before it is
//! served; on PostgreSQL without Redis there is no cache (every node reads the database).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use moka::sync::Cache;

use super::model::Product;
use crate::shared::SharedVersions;

/// Which cache a node runs.
#[derive(Clone)]
pub enum CacheMode {
    /// In-process only: right when this node is the only writer (SQLite).
    Local,
    /// Copies checked against version stamps in Redis: right with any number of nodes.
    Shared(SharedVersions),
    /// No cache: several nodes and no Redis.
    Off,
}

/// Products by SKU; cheap to clone (shared).
#[derive(Clone)]
pub struct ProductCache {
    inner: Arc<Inner>,
}

struct Inner {
    products: Cache<String, Arc<Cached>>,
    /// Bumped by every invalidation.
    generation: AtomicU64,
    /// Orders an invalidation against a fill, so a fill cannot land after an invalidation
    /// that began after its generation was read.
    writes: Mutex<()>,
    mode: CacheMode,
}

/// A cached product and the stamp it was read under (always (0, 0) when local).
struct Cached {
    product: Arc<Product>,
    stamp: (u64, u64),
}

/// What a read that missed takes before it reads the database, to fill the cache after.
pub struct Ticket {
    generation: u64,
    /// The product's stamp; `None` when it could not be read (then nothing is filled).
    stamp: Option<(u64, u64)>,
}

impl ProductCache {
    pub fn new(capacity: u64, mode: CacheMode) -> Self {
        ProductCache {
            inner: Arc::new(Inner {
                products: Cache::builder()
                    .max_capacity(if matches!(mode, CacheMode::Off) {
                        0
                    } else {
                        capacity
                    })
                    .time_to_live(Duration::from_secs(300))
                    .build(),
                generation: AtomicU64::new(0),
                writes: Mutex::new(()),
                mode,
            }),
        }
    }

    /// The cached product, when its copy is current.
    pub async fn get(&self, sku: &str) -> Option<Arc<Product>> {
        let copy = self.inner.products.get(sku)?;
        match &self.inner.mode {
            CacheMode::Local => Some(copy.product.clone()),
            CacheMode::Off => None,
            CacheMode::Shared(versions) => {
                let current = versions.current(sku).await.ok()?;
                (current == copy.stamp).then(|| copy.product.clone())
            }
        }
    }

    /// The ticket to pass to [`ProductCache::fill`]; take it before reading the database.
    pub async fn ticket(&self, sku: &str) -> Ticket {
        let generation = self.inner.generation.load(Ordering::Acquire);
        let stamp = match &self.inner.mode {
            CacheMode::Local => Some((0, 0)),
            CacheMode::Off => None,
            CacheMode::Shared(versions) => versions.current(sku).await.ok(),
        };
        Ticket { generation, stamp }
    }

    /// Caches `product` read from the database, unless the cache was invalidated since
    /// `ticket` was taken.
    pub fn fill(&self, ticket: Ticket, product: Arc<Product>) {
        let Some(stamp) = ticket.stamp else {
            return;
        };
        let _guard = self.lock();
        if self.inner.generation.load(Ordering::Acquire) == ticket.generation {
            self.inner
                .products
                .insert(product.sku.clone(), Arc::new(Cached { product, stamp }));
        }
    }

    /// Forgets `skus`, here and (with Redis) on every node; call after the write that
    /// changed them has committed, before it is acknowledged.
    pub async fn invalidate<'a>(&self, skus: impl IntoIterator<Item = &'a str>) {
        let skus: Vec<String> = skus.into_iter().map(str::to_string).collect();
        {
            let _guard = self.lock();
            self.inner.generation.fetch_add(1, Ordering::AcqRel);
            for sku in &skus {
                self.inner.products.invalidate(sku);
            }
        }
        if let CacheMode::Shared(versions) = &self.inner.mode {
            versions.bump(skus).await;
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

    #[tokio::test]
    async fn a_fill_that_raced_an_invalidation_is_dropped() {
        let cache = ProductCache::new(100, CacheMode::Local);
        let seen = cache.ticket("A").await;
        cache.invalidate(["A"]).await;
        cache.fill(seen, product("A", 1));
        assert!(cache.get("A").await.is_none());
        let seen = cache.ticket("A").await;
        cache.fill(seen, product("A", 2));
        assert_eq!(cache.get("A").await.map(|p| p.stock), Some(2));
        cache.invalidate(["A"]).await;
        assert!(cache.get("A").await.is_none());
    }

    #[tokio::test]
    async fn an_off_cache_holds_nothing() {
        let cache = ProductCache::new(100, CacheMode::Off);
        let seen = cache.ticket("A").await;
        cache.fill(seen, product("A", 1));
        assert!(cache.get("A").await.is_none());
    }
}
