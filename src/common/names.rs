//! Names of fieldless enums as the wire and storage spell them.

/// Implements `as_str`, `from_name` and `NAMES` for a fieldless enum named on the wire and in
/// storage.
macro_rules! names {
    ($t:ty { $($variant:ident = $name:literal),* $(,)? }) => {
        impl $t {
            /// The name used on the wire and in storage.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }
            /// The value named `name`.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)* _ => None }
            }
            /// Every name, for messages.
            pub const NAMES: &'static [&'static str] = &[$($name),*];
        }
    };
}

pub(crate) use names;
