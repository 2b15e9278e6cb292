//! Repeated values of a request (roles, tags): they keep the order the client sent them in,
//! and a value sent twice counts once, where it first appeared.

use std::collections::HashSet;
use std::hash::Hash;

/// Drops every value that already occurred earlier in `values`, keeping the order.
pub fn keep_first_occurrences<T: Eq + Hash + Clone>(values: &mut Vec<T>) {
    let mut seen = HashSet::with_capacity(values.len());
    values.retain(|value| seen.insert(value.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_and_the_first_of_each_value() {
        let mut values = vec!["red", "blue", "red", "green", "blue"];
        keep_first_occurrences(&mut values);
        assert_eq!(values, ["red", "blue", "green"]);
    }
}
