//! Hard limits the XML reader enforces while it streams, so hostile documents stay bounded.

/// Limits on the shape of one XML document. The defaults are at least as strict as Apache
/// CXF's stax limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlLimits {
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Child elements of one element.
    pub max_children: usize,
    /// Attributes (namespace declarations included) on one element.
    pub max_attributes: usize,
    /// Bytes in one attribute value.
    pub max_attribute_len: usize,
    /// Namespace declarations on one element.
    pub max_namespace_decls: usize,
    /// Bytes in one element or attribute name.
    pub max_name_len: usize,
    /// Bytes in one text node (adjacent text, CDATA and references count as one).
    pub max_text_len: usize,
    /// Elements in the whole document.
    pub max_elements: usize,
}

impl Default for XmlLimits {
    fn default() -> Self {
        XmlLimits {
            max_depth: 100,
            max_children: 50_000,
            max_attributes: 500,
            max_attribute_len: 64 * 1024,
            max_namespace_decls: 100,
            max_name_len: 1_000,
            max_text_len: 16 * 1024 * 1024,
            max_elements: 1_000_000,
        }
    }
}
