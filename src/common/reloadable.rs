//! A value swapped while it is in use: readers take a cheap clone of the current one (an
//! `Arc`, an `Option<Arc<_>>`) and keep it as long as they need; a reload sets the next one.
//! The lock is held only for the clone or the assignment, never across an await.

use std::sync::{Arc, PoisonError, RwLock};

/// A shared, swappable `T`; clones share the same value.
#[derive(Default)]
pub struct Reloadable<T>(Arc<RwLock<T>>);

impl<T> Clone for Reloadable<T> {
    fn clone(&self) -> Self {
        Reloadable(self.0.clone())
    }
}

impl<T: Clone> Reloadable<T> {
    pub fn new(value: T) -> Self {
        Reloadable(Arc::new(RwLock::new(value)))
    }

    /// The current value.
    pub fn get(&self) -> T {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the value for every later `get`; values already taken are unaffected.
    pub fn set(&self, value: T) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_value_and_taken_values_stay() {
        let live = Reloadable::new(Arc::new(1));
        let other = live.clone();
        let taken = live.get();
        other.set(Arc::new(2));
        assert_eq!(*live.get(), 2);
        assert_eq!(*taken, 1);
    }
}
