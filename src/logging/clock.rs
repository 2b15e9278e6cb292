//! The human log format's timestamp: UTC with microseconds (`2026-12-03T08:46:40.844403Z`),
//! the text of tracing-subscriber's `SystemTime` timer. That timer converts the clock to a
//! calendar date and formats seven numbers for every line; this one keeps, per thread, the
//! text up to the second and writes only the microseconds when the second has not changed.

use std::cell::RefCell;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;

/// The timer of the human format (`fmt::layer().with_timer(UtcMicros)`).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct UtcMicros;

/// A second since the epoch and its text, `2026-12-03T08:46:40.`.
struct Second {
    unix: i64,
    text: String,
}

thread_local! {
    static LAST_SECOND: RefCell<Option<Second>> = const { RefCell::new(None) };
}

impl FormatTime for UtcMicros {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let unix = i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX);
        LAST_SECOND.with_borrow_mut(|last| {
            let second = match last {
                Some(second) if second.unix == unix => second,
                _ => last.insert(Second {
                    unix,
                    text: second_text(unix),
                }),
            };
            w.write_str(&second.text)?;
            let mut micros = itoa::Buffer::new();
            let micros = micros.format(since_epoch.subsec_micros());
            w.write_str(&"000000"[micros.len()..])?;
            w.write_str(micros)?;
            w.write_char('Z')
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SS.` of a second since the epoch.
fn second_text(unix: i64) -> String {
    let at =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_written_as_the_calendar_says() {
        assert_eq!(second_text(0), "1970-01-01T00:00:00.");
        assert_eq!(second_text(951_782_400), "2000-02-29T00:00:00.");
        assert_eq!(second_text(1_796_280_400), "2026-12-03T06:46:40.");
    }
}
