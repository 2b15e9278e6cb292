//! Header blocks as the envelope reader records them, and who they are addressed to.

use std::ops::Range;

use crate::xml::Binding;

/// Whom a header block is for, from SOAP 1.1 `actor` / SOAP 1.2 `role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderTarget {
    /// No actor/role, `next`, or `ultimateReceiver`: this server must process it.
    Us,
    /// SOAP 1.2 role `none`: processed by nobody.
    Nobody,
    /// Another actor or role: not ours; ignored.
    Other(String),
}

/// One child of `Header`, recorded so a processor can read it later.
#[derive(Debug, Clone)]
pub struct HeaderBlock {
    pub ns: String,
    pub local: String,
    /// The envelope's `mustUnderstand` attribute was true.
    pub must_understand: bool,
    pub target: HeaderTarget,
    /// Byte range of the whole element in the request document.
    pub span: Range<usize>,
    /// Namespace bindings in scope around the element.
    pub bindings: Vec<Binding<'static>>,
}

impl HeaderBlock {
    /// True when the block is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}
