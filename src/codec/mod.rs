//! Typed XML codecs: the `Decode`/`Encode` traits every message type implements on top of the
//! namespace-aware reader, the XML Schema simple types they are built from, and the pattern
//! checks of restricted types. The message types and their impls are generated from the
//! contract by contractgen (see `build.rs`) as plain pull code on these helpers.
//!
//! Pull code on these helpers was chosen over yaserde and quick-xml's serde (see README,
//! "Codec"): it is namespace-correct, tells `xsi:nil` from absent, keeps xs:string whitespace,
//! and reports every invalid field with its path in one ValidationFault.

mod binary;
mod decoder;
mod encoder;
mod pattern;
mod simple;
#[cfg(test)]
pub(crate) mod testing;

pub use binary::{Attachments, Binary, Part, XOP_NS};
pub use decoder::{Child, DecodeError, Decoder, FieldIssue, Many, Slot, decode_message};
pub use encoder::{Encode, write_message};
pub use pattern::{XsPattern, XsPatternStep, check_pattern};
pub use simple::{SimpleType, format_datetime, parse_datetime};

use crate::xml::Namespace;

/// A global element: an operation wrapper, its response, or a fault detail.
pub trait Message {
    const NAMESPACE: Namespace;
    const NAME: &'static str;
}

/// Decodes the content of an element whose start tag was just read, through its end tag.
pub trait Decode: Sized {
    /// `Ok(None)` means the value is unusable; the reason has been recorded in the decoder.
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, crate::xml::XmlError>;
}

/// Implements [`Decode`] and [`Encode`] for types that are [`SimpleType`]s.
macro_rules! simple_codec {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::codec::Decode for $t {
            fn decode(
                d: &mut $crate::codec::Decoder<'_, '_>,
            ) -> Result<Option<Self>, $crate::xml::XmlError> {
                d.simple::<$t>()
            }
        }
        impl $crate::codec::Encode for $t {
            fn encode(&self, w: &mut $crate::xml::XmlWriter) {
                $crate::codec::SimpleType::write(self, w)
            }
        }
    )*};
}
pub(crate) use simple_codec;

simple_codec!(
    String,
    i64,
    i32,
    bool,
    rust_decimal::Decimal,
    time::OffsetDateTime
);

/// Implements [`SimpleType`], [`Decode`] and [`Encode`] for enums named with
/// `common::names!` (an xs:string enumeration).
macro_rules! enum_codec {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::codec::SimpleType for $t {
            fn parse(text: &str) -> Result<Self, String> {
                <$t>::from_name(text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n')))
                    .ok_or_else(|| format!("'{}' is not one of: {}", text, <$t>::NAMES.join(", ")))
            }
            fn write(&self, w: &mut $crate::xml::XmlWriter) {
                w.raw(self.as_str());
            }
        }
        $crate::codec::simple_codec!($t);
    )*};
}
pub(crate) use enum_codec;
