//! Exact money: `c:Money` (xs:decimal, at most 2 fraction digits, not negative) held as an
//! integer count of hundredths, on the wire, in the code and in the database alike; and
//! `c:CurrencyCode`.

use rust_decimal::Decimal;

use crate::codec::{SimpleType, simple_codec};
use crate::xml::XmlWriter;

/// The largest amount `c:Money` allows (15 digits in all, 2 after the point).
pub const MAX_MINOR_UNITS: i64 = 999_999_999_999_999;

/// An amount of money in hundredths of the currency unit (cents). Never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    /// `minor` hundredths; `None` when negative or over the largest amount.
    pub fn from_minor(minor: i64) -> Option<Money> {
        (0..=MAX_MINOR_UNITS)
            .contains(&minor)
            .then_some(Money(minor))
    }

    pub fn minor(self) -> i64 {
        self.0
    }

    /// `self * quantity`, when it stays within range.
    pub fn times(self, quantity: i64) -> Option<Money> {
        self.0.checked_mul(quantity).and_then(Money::from_minor)
    }

    pub fn plus(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).and_then(Money::from_minor)
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_minor(self.0))
    }
}

/// Hundredths as an exact decimal (`1999` → `19.99`, `-5` → `-0.05`), for sums that may be
/// larger than one `Money`.
pub fn format_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

impl SimpleType for Money {
    fn parse(text: &str) -> Result<Self, String> {
        let value = Decimal::parse(text)?.normalize();
        if value.is_sign_negative() && !value.is_zero() {
            return Err(format!("'{text}' is negative; amounts are at least 0"));
        }
        if value.scale() > 2 {
            return Err(format!("'{text}' has more than 2 fraction digits"));
        }
        let minor = value * Decimal::ONE_HUNDRED;
        i64::try_from(minor)
            .ok()
            .and_then(Money::from_minor)
            .ok_or_else(|| format!("'{text}' is larger than the largest amount"))
    }

    fn write(&self, w: &mut XmlWriter) {
        w.raw(&self.to_string());
    }
}

/// An ISO 4217 currency code: three capital ASCII letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The code, if `code` is three capital letters.
    pub fn new(code: &str) -> Option<Currency> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_uppercase)
            .then_some(Currency(bytes))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl SimpleType for Currency {
    fn parse(text: &str) -> Result<Self, String> {
        Currency::new(text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))).ok_or_else(
            || format!("'{text}' is not a currency code (three capital letters, ISO 4217)"),
        )
    }

    fn write(&self, w: &mut XmlWriter) {
        w.raw(self.as_str());
    }
}

simple_codec!(Money, Currency);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_hundredths() {
        assert_eq!(Money::parse("19.99"), Ok(Money(1999)));
        assert_eq!(Money::parse(" 5 "), Ok(Money(500)));
        assert_eq!(Money::parse("17.500"), Ok(Money(1750)));
        assert_eq!(Money::parse("0.1"), Ok(Money(10)));
        assert_eq!(Money::parse("-0.00"), Ok(Money(0)));
        assert_eq!(Money::parse("9999999999999.99"), Ok(Money(MAX_MINOR_UNITS)));
        for bad in ["-1", "0.001", "1e3", "10000000000000.00", "abc", ""] {
            assert!(Money::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Money(1999).to_string(), "19.99");
        assert_eq!(Money(5).to_string(), "0.05");
        assert_eq!(format_minor(-5), "-0.05");
        assert_eq!(format_minor(i64::MAX), "92233720368547758.07");
        assert_eq!(Money(1999).times(3), Some(Money(5997)));
        assert_eq!(Money(MAX_MINOR_UNITS).plus(Money(1)), None);
    }

    #[test]
    fn currency_codes() {
        assert_eq!(
            Currency::parse("EUR").map(|c| c.as_str().to_string()),
            Ok("EUR".into())
        );
        for bad in ["eur", "EU", "EURO", "E1R", ""] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }
}
