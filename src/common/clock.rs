//! The clock services stamp records with.

use time::OffsetDateTime;

/// Now, to the millisecond that storage keeps, so that what a write returns equals what a
/// later read returns.
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(u32::from(now.millisecond()) * 1_000_000)
        .unwrap_or(now)
}
