//! Version stamps of cached products in Redis: every node keeps its own copies of products, and
//! serves a copy only while the product's stamp in Redis is the one it was read under. A write
//! bumps the stamp after its commit and before it is acknowledged, so once any node has
//! acknowledged a product write, no node serves the old value.
//!
//! A stamp is the product's version with the cache epoch. When a bump fails (Redis went away
//! between the commit and the bump), the node bumps the epoch before it uses Redis again, which
//! retires every copy on every node.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use redis::AsyncCommands;

use super::{Redis, RedisError};

/// The key of the epoch that retires every copy.
const EPOCH: &str = "soapstone:products:epoch";
/// Version keys outlive every cached copy (copies live 5 minutes at most).
const VERSION_TTL_SECONDS: i64 = 3_600;

/// A product's stamp: (epoch, version); absent keys read as 0.
pub type Stamp = (u64, u64);

/// The stamps; cheap to clone.
#[derive(Clone)]
pub struct SharedVersions {
    redis: Redis,
    /// A bump failed: the epoch must be bumped before any stamp is trusted again.
    pending_epoch: Arc<AtomicBool>,
}

fn version_key(sku: &str) -> String {
    format!("soapstone:products:version:{sku}")
}

impl SharedVersions {
    pub fn new(redis: Redis) -> Self {
        SharedVersions {
            redis,
            pending_epoch: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The current stamp of `sku`.
    pub async fn current(&self, sku: &str) -> Result<Stamp, RedisError> {
        self.settle_epoch().await?;
        let key = version_key(sku);
        let (epoch, version): (Option<u64>, Option<u64>) = self
            .redis
            .run(|mut c| async move { c.mget(&[EPOCH, key.as_str()]).await })
            .await?;
        Ok((epoch.unwrap_or(0), version.unwrap_or(0)))
    }

    /// Retires every copy of `skus` on every node; call after the write has committed and
    /// before it is acknowledged.
    pub async fn bump(&self, skus: Vec<String>) {
        let bumped = self
            .redis
            .run(|mut c| async move {
                let mut pipe = redis::pipe();
                pipe.atomic();
                for sku in &skus {
                    let key = version_key(sku);
                    pipe.incr(&key, 1)
                        .ignore()
                        .expire(&key, VERSION_TTL_SECONDS)
                        .ignore();
                }
                pipe.query_async::<()>(&mut c).await
            })
            .await;
        if bumped.is_err() {
            self.pending_epoch.store(true, Ordering::Release);
        }
    }

    /// Bumps the epoch when a bump failed earlier.
    async fn settle_epoch(&self) -> Result<(), RedisError> {
        if self.pending_epoch.load(Ordering::Acquire) {
            self.redis
                .run(|mut c| async move { c.incr::<_, _, u64>(EPOCH, 1).await })
                .await?;
            self.pending_epoch.store(false, Ordering::Release);
            tracing::info!("the product cache epoch was bumped after a missed invalidation");
        }
        Ok(())
    }
}
