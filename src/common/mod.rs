//! What every service shares: the types of `xsd/common.xsd` (fault details, money, paging),
//! the clock, rate limiting, where a request came from, values swapped on reload, and the
//! rule for repeated values.

mod client;
mod clock;
mod faults;
mod media_type;
mod money;
mod names;
mod paging;
mod ratelimit;
mod reloadable;
mod repeated;
mod schema;

pub use client::{Client, Transport};
pub use clock::now;
pub use faults::{Violation, violation};
pub use media_type::MediaType;
pub use money::{Currency, MAX_MINOR_UNITS, Money, format_minor};
pub(crate) use names::names;
pub use paging::{
    Cursor, CursorValue, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageTokenError, PageTokens, page_size,
};
pub use ratelimit::RateLimiter;
pub use reloadable::Reloadable;
pub use repeated::keep_first_occurrences;
pub use schema::{
    AccessDeniedFault, COMMON, DuplicateProductFault, DuplicateUserFault, FieldError,
    InsufficientStockFault, InvalidOrderStateFault, OrderAction, OrderNotFoundFault, PageSize,
    PageToken, ProductNotFoundFault, RequestId, ServerFault, UserField, UserNotFoundFault,
    ValidationFault,
};
