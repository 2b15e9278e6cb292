//! Encoding: message types write their content through these helpers, in sequence order.

use super::Message;
use crate::xml::{Namespace, XmlWriter};

/// Writes the content (children or text) of an element of this type.
pub trait Encode {
    fn encode(&self, w: &mut XmlWriter);
}

/// Writes message `m` as a global element, declaring its namespace on it.
pub fn write_message<M: Message + Encode + ?Sized>(w: &mut XmlWriter, m: &M) {
    let ns = M::NAMESPACE;
    w.start(ns.prefix, M::NAME);
    w.declare(ns);
    w.close_start();
    m.encode(w);
    w.end(ns.prefix, M::NAME);
}

impl XmlWriter {
    /// `<p:local>value</p:local>`.
    pub fn element<T: Encode + ?Sized>(&mut self, ns: Namespace, local: &str, value: &T) {
        self.open(ns.prefix, local);
        value.encode(self);
        self.end(ns.prefix, local);
    }

    /// The element when `value` is present; nothing otherwise.
    pub fn optional<T: Encode>(&mut self, ns: Namespace, local: &str, value: Option<&T>) {
        if let Some(value) = value {
            self.element(ns, local, value);
        }
    }

    /// `<p:local xsi:nil="true"/>`, declaring the `xsi` prefix on the element.
    pub fn nil(&mut self, ns: Namespace, local: &str) {
        self.start(ns.prefix, local);
        self.attr("xmlns:xsi", crate::xml::XSI_NS);
        self.attr("xsi:nil", "true");
        self.close_empty();
    }

    /// One element per item.
    pub fn repeated<T: Encode>(&mut self, ns: Namespace, local: &str, items: &[T]) {
        for item in items {
            self.element(ns, local, item);
        }
    }
}
