//! Request ids: a random per-process prefix and a counter, so making one costs no system call
//! and ids stay unique across restarts and instances.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::RngCore;

static PREFIX: LazyLock<String> = LazyLock::new(|| format!("{:016x}", rand::rng().next_u64()));
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new request id, e.g. `9f2c41d7e05b3a18-2a`.
pub fn next_request_id() -> String {
    format!("{}-{:x}", *PREFIX, COUNTER.fetch_add(1, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_share_the_process_prefix() {
        let (a, b) = (next_request_id(), next_request_id());
        assert_ne!(a, b);
        assert_eq!(a.split('-').next(), b.split('-').next());
        assert_eq!(a.split('-').next().map(str::len), Some(16));
    }
}
