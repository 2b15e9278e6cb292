//! What the caller decides: the type map (Rust types injected for schema types) and, per
//! namespace, the Rust module its code lives in, its constant and the prefix written for it.

use std::collections::HashMap;

use crate::qname::{QName, XS};

/// Schema types that existing Rust types stand for, as xsd-parser injects types: nothing is
/// generated for them, and fields of those types use the Rust path as it is. An injected type
/// must implement `Decode`, `Encode`, `Debug`, `Clone`, `PartialEq` and `Eq`, and checks its own
/// facets.
#[derive(Debug, Clone, Default)]
pub struct TypeMap {
    entries: HashMap<QName, String>,
}

impl TypeMap {
    /// An empty map: every built-in type a schema uses must then be injected.
    pub fn new() -> Self {
        TypeMap::default()
    }

    /// The built-in types Soapstone's codec reads and writes: `xs:string` as `String` (every
    /// character kept), `xs:int`/`xs:long` as `i32`/`i64`, `xs:boolean` as `bool`,
    /// `xs:decimal` as `rust_decimal::Decimal`, `xs:dateTime` as `time::OffsetDateTime` and
    /// `xs:base64Binary` as `crate::codec::Binary` (inline base64 or an XOP attachment).
    pub fn builtins() -> Self {
        [
            ("string", "String"),
            ("int", "i32"),
            ("long", "i64"),
            ("boolean", "bool"),
            ("decimal", "rust_decimal::Decimal"),
            ("dateTime", "time::OffsetDateTime"),
            ("base64Binary", "crate::codec::Binary"),
        ]
        .into_iter()
        .fold(TypeMap::new(), |map, (local, rust)| {
            map.inject(XS, local, rust)
        })
    }

    /// Maps `{namespace}local` to the Rust type at `rust_path`.
    pub fn inject(mut self, namespace: &str, local: &str, rust_path: &str) -> Self {
        self.entries
            .insert(QName::new(namespace, local), rust_path.to_string());
        self
    }

    /// The Rust type injected for `name`.
    pub fn get(&self, name: &QName) -> Option<&str> {
        self.entries.get(name).map(String::as_str)
    }
}

/// Where the code of one target namespace goes and how it is written.
#[derive(Debug, Clone)]
pub struct NamespaceBinding {
    pub uri: String,
    /// The Rust module the generated code is included in, e.g. `crate::bench`; other
    /// namespaces' code refers to its types through it.
    pub module: String,
    /// The name of the `Namespace` constant the generated code defines, e.g. `BENCH`.
    pub constant: String,
    /// The prefix written for the namespace, e.g. `b`.
    pub prefix: String,
    /// Global elements whose anonymous types have the same content share one content type
    /// (xsd-parser's duplicate removal): `Echo` and `EchoResponse` become
    /// `Echo(EchoContent)` and `EchoResponse(EchoContent)`.
    pub share_identical_content: bool,
}

impl NamespaceBinding {
    pub fn new(uri: &str, module: &str, constant: &str, prefix: &str) -> Self {
        NamespaceBinding {
            uri: uri.to_string(),
            module: module.to_string(),
            constant: constant.to_string(),
            prefix: prefix.to_string(),
            share_identical_content: false,
        }
    }

    /// Turns on [`NamespaceBinding::share_identical_content`].
    pub fn sharing_identical_content(mut self) -> Self {
        self.share_identical_content = true;
        self
    }
}

/// Everything the caller decides.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub types: TypeMap,
    pub namespaces: Vec<NamespaceBinding>,
}

impl Config {
    pub fn new(types: TypeMap) -> Self {
        Config {
            types,
            namespaces: Vec::new(),
        }
    }

    pub fn namespace(mut self, binding: NamespaceBinding) -> Self {
        self.namespaces.push(binding);
        self
    }

    /// The binding of namespace `uri`.
    pub fn binding(&self, uri: &str) -> Option<&NamespaceBinding> {
        self.namespaces.iter().find(|b| b.uri == uri)
    }
}
