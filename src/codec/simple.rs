//! XML Schema simple types: lexical parsing (as xs: defines it) and canonical writing.

use rust_decimal::Decimal;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::xml::XmlWriter;

/// A type with an XML Schema lexical form.
pub trait SimpleType: Sized {
    /// Parses the element text exactly as sent (the type decides about whitespace).
    fn parse(text: &str) -> Result<Self, String>;
    /// Writes the canonical form.
    fn write(&self, w: &mut XmlWriter);
}

/// XML Schema's whiteSpace="collapse" for the types whose values have no inner spaces.
fn collapsed(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

impl SimpleType for String {
    /// xs:string keeps every character, whitespace included.
    fn parse(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
    fn write(&self, w: &mut XmlWriter) {
        w.text(self);
    }
}

macro_rules! integer {
    ($t:ty, $xs:literal) => {
        impl SimpleType for $t {
            fn parse(text: &str) -> Result<Self, String> {
                collapsed(text)
                    .parse()
                    .map_err(|_| format!("'{}' is not a valid {}", text, $xs))
            }
            fn write(&self, w: &mut XmlWriter) {
                w.raw(itoa::Buffer::new().format(*self));
            }
        }
    };
}
integer!(i64, "xs:long");
integer!(i32, "xs:int");

impl SimpleType for bool {
    fn parse(text: &str) -> Result<Self, String> {
        match collapsed(text) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(format!(
                "'{text}' is not a valid xs:boolean (true, false, 1 or 0)"
            )),
        }
    }
    fn write(&self, w: &mut XmlWriter) {
        w.raw(if *self { "true" } else { "false" });
    }
}

impl SimpleType for Decimal {
    /// xs:decimal: an optional sign, digits and an optional fraction; no exponent. The scale
    /// is kept (`12345.670` is written back as sent).
    fn parse(text: &str) -> Result<Self, String> {
        let value = collapsed(text);
        let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let lexical = !(whole.is_empty() && fraction.is_empty())
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit());
        if !lexical {
            return Err(format!("'{text}' is not a valid xs:decimal"));
        }
        value
            .strip_prefix('+')
            .unwrap_or(value)
            .parse()
            .map_err(|_| format!("'{text}' is out of the supported xs:decimal range"))
    }
    fn write(&self, w: &mut XmlWriter) {
        use std::fmt::Write;
        let _ = write!(w, "{self}");
    }
}

impl SimpleType for OffsetDateTime {
    fn parse(text: &str) -> Result<Self, String> {
        parse_datetime(collapsed(text))
            .ok_or_else(|| format!("'{text}' is not a valid xs:dateTime"))
    }
    fn write(&self, w: &mut XmlWriter) {
        write_datetime(*self, w);
    }
}

/// Parses an xs:dateTime: `[-]YYYY-MM-DDThh:mm:ss[.fff…][Z|±hh:mm]`. `24:00:00` is the
/// first instant of the next day; a value without a time zone is taken as UTC.
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        })
    };
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(digits(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(5, 2)?).ok()?).ok()?;
    let day = u8::try_from(digits(8, 2)?).ok()?;
    let (hour, minute, second) = (digits(11, 2)?, digits(14, 2)?, digits(17, 2)?);
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start {
            return None;
        }
        for (i, d) in b[start..end].iter().take(9).enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
        }
        at = end;
    }
    let offset = match &b[at..] {
        b"" | b"Z" => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), ..] if b.len() - at == 6 && b[at + 3] == b':' => {
            let (h, m) = (digits(at + 1, 2)?, digits(at + 4, 2)?);
            if h > 14 || m > 59 || (h == 14 && m > 0) {
                return None;
            }
            let total = i32::try_from(h * 3600 + m * 60).ok()?;
            UtcOffset::from_whole_seconds(if *sign == b'-' { -total } else { total }).ok()?
        }
        _ => return None,
    };
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let end_of_day = hour == 24 && minute == 0 && second == 0 && nanos == 0;
    let time = if end_of_day {
        Time::MIDNIGHT
    } else {
        Time::from_hms_nano(
            u8::try_from(hour).ok()?,
            u8::try_from(minute).ok()?,
            u8::try_from(second).ok()?,
            nanos,
        )
        .ok()?
    };
    let date = if end_of_day { date.next_day()? } else { date };
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

/// Formats an instant as an xs:dateTime in UTC with at least milliseconds and as many more
/// fraction digits as it has, e.g. `2026-11-24T08:00:00.123Z` or `…00.123456Z`.
pub fn format_datetime(at: OffsetDateTime) -> String {
    let mut out = String::with_capacity(32);
    write_datetime(at, &mut out);
    out
}

/// [`format_datetime`] into `out`, without allocating.
fn write_datetime(at: OffsetDateTime, out: &mut impl std::fmt::Write) {
    let at = at.to_offset(UtcOffset::UTC);
    let year = at.year();
    if !(0..=9999).contains(&year) {
        let _ = write!(
            out,
            "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at.millisecond()
        );
        return;
    }
    let mut buf = *b"0000-00-00T00:00:00.000000000Z";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year.unsigned_abs());
    put(5, 2, u32::from(u8::from(at.month())));
    put(8, 2, u32::from(at.day()));
    put(11, 2, u32::from(at.hour()));
    put(14, 2, u32::from(at.minute()));
    put(17, 2, u32::from(at.second()));
    put(20, 9, at.nanosecond());
    let digits = buf[20..29]
        .iter()
        .rposition(|d| *d != b'0')
        .map_or(0, |i| i + 1)
        .max(3);
    let end = 20 + digits;
    buf[end] = b'Z';
    let _ = out.write_str(std::str::from_utf8(&buf[..=end]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn datetimes_with_z_offsets_fractions_and_end_of_day() {
        let z = datetime!(2024-05-17 12:34:56 UTC);
        assert_eq!(parse_datetime("2024-05-17T12:34:56Z"), Some(z));
        assert_eq!(parse_datetime("2024-05-17T12:34:56"), Some(z));
        assert_eq!(parse_datetime("2024-05-17T14:34:56+02:00"), Some(z));
        assert_eq!(parse_datetime("2024-05-17T12:34:56.000+00:00"), Some(z));
        assert_eq!(
            parse_datetime("2024-05-17T12:34:56.1234567891Z"),
            Some(datetime!(2024-05-17 12:34:56.123456789 UTC))
        );
        assert_eq!(
            parse_datetime("2024-12-31T24:00:00Z"),
            Some(datetime!(2025-01-01 00:00:00 UTC))
        );
        for bad in [
            "2024-05-17",
            "2024-02-30T00:00:00Z",
            "2024-05-17T12:34:56.Z",
            "2024-05-17T25:00:00Z",
            "2024-05-17T12:34:56+15:00",
            "2024-05-17 12:34:56Z",
            "2024-05-17T12:34:56ZZ",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert_eq!(
            format_datetime(datetime!(2024-05-17 14:34:56.5 +02:00)),
            "2024-05-17T12:34:56.500Z"
        );
        assert_eq!(
            format_datetime(datetime!(2024-05-17 12:34:56.000123 UTC)),
            "2024-05-17T12:34:56.000123Z"
        );
    }

    #[test]
    fn decimals_are_exact_and_keep_their_scale() {
        let d = Decimal::parse(" 12345.670 ").unwrap();
        let mut w = XmlWriter::default();
        d.write(&mut w);
        assert_eq!(w.as_bytes(), b"12345.670");
        assert_eq!(Decimal::parse("+.5"), Ok(Decimal::new(5, 1)));
        assert_eq!(Decimal::parse("-3."), Ok(Decimal::new(-3, 0)));
        for bad in ["", ".", "1e5", "1.2.3", "--1", "NaN", "1,5"] {
            assert!(Decimal::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn booleans_and_integers_collapse_whitespace_strings_do_not() {
        assert_eq!(bool::parse(" 1 "), Ok(true));
        assert_eq!(bool::parse("false"), Ok(false));
        assert!(bool::parse("yes").is_err());
        assert_eq!(i64::parse("\n 42\t"), Ok(42));
        assert_eq!(i64::parse("+7"), Ok(7));
        assert!(i32::parse("2147483648").is_err());
        assert_eq!(String::parse("  a  "), Ok("  a  ".to_string()));
    }
}
