//! `common::Money` (hundredths, exact) as PostgreSQL's NUMERIC(17, 2), both ways.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::common::Money;

/// `amount` as a NUMERIC with two fraction digits.
pub fn numeric(amount: Money) -> Decimal {
    Decimal::new(amount.minor(), 2)
}

/// An exact NUMERIC amount in hundredths, when it has at most 2 fraction digits and fits
/// (sums may exceed one `Money`).
pub fn minor_units(amount: Decimal) -> Option<i64> {
    let hundredths = amount.checked_mul(Decimal::ONE_HUNDRED)?;
    if hundredths.fract().is_zero() {
        hundredths.to_i64()
    } else {
        None
    }
}

/// A stored amount as `Money`, when it is one.
pub fn money(amount: Decimal) -> Option<Money> {
    minor_units(amount).and_then(Money::from_minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_exactly_and_odd_ones_are_refused() {
        for minor in [0, 1, 1999, 999_999_999_999_999] {
            let m = Money::from_minor(minor).unwrap();
            assert_eq!(money(numeric(m)), Some(m));
        }
        assert_eq!(
            minor_units(Decimal::new(12345, 3)),
            None,
            "three fraction digits"
        );
        assert_eq!(money(Decimal::new(-1, 2)), None, "negative");
        assert_eq!(minor_units(Decimal::new(150, 1)), Some(1500));
    }
}
