//! Stage 2, model: the raw tree resolved into named types (Rust names chosen, references
//! resolved, the type map applied, facets checked against their base types), the global
//! elements, and per WSDL service its contract. The emitter reads only this.

mod contract;
mod pattern;
mod resolve;
mod share;
mod simple;

use crate::config::Config;
use crate::error::{Error, Location};
use crate::parse::raw::{SoapVersion, Sources};
use crate::qname::QName;

pub use pattern::PatternStep;

/// Everything the contract defines.
#[derive(Debug)]
pub struct Model {
    /// Indexed by [`TypeId`].
    pub types: Vec<TypeDef>,
    pub elements: Vec<GlobalElement>,
    pub services: Vec<ServiceContract>,
}

/// A generated type, by its index in [`Model::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// A type the generator writes.
#[derive(Debug)]
pub struct TypeDef {
    /// The Rust name: the schema's name, or the owner's and the element's for an anonymous
    /// type.
    pub name: String,
    /// What the schema calls it, for documentation: `Item`, or `the type of postalCode in
    /// Address`.
    pub origin: Origin,
    pub namespace: String,
    pub doc: Option<String>,
    pub kind: TypeKind,
    pub at: Location,
}

/// Where a generated type comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A named `xs:complexType` or `xs:simpleType`.
    Named(String),
    /// A global element (its anonymous type, or a wrapper of its named type).
    Element(String),
    /// The anonymous type of local element `element` in type `owner`.
    Local { owner: String, element: String },
    /// The content that global elements with the same anonymous type share.
    Shared(Vec<String>),
}

/// What a generated type is.
#[derive(Debug)]
pub enum TypeKind {
    /// `xs:sequence`: a struct, one field per element.
    Sequence(Vec<Field>),
    /// `xs:choice`: an enum, one variant per element.
    Choice(Vec<Alternative>),
    /// `xs:enumeration` of `xs:string`: a fieldless enum.
    Enumeration(Vec<EnumValue>),
    /// A restriction with facets: a newtype whose parsing checks them.
    Restricted {
        base: Builtin,
        rust: String,
        facets: Facets,
    },
    /// A global element of a named type: a newtype of that type.
    Wrapper(TypeRef),
    /// A named restriction without facets: another name for its base type.
    Alias(TypeRef),
}

/// The Rust type of a field or wrapper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    /// A built-in or injected type, by its Rust path.
    Rust(String),
    Generated(TypeId),
}

/// One element of a sequence.
#[derive(Debug)]
pub struct Field {
    pub xml_name: String,
    pub rust_name: String,
    pub ty: TypeRef,
    pub occurs: Occurs,
    /// May be sent with `xsi:nil="true"`.
    pub nillable: bool,
    /// The schema's default, the value of an element that is present and empty.
    pub default: Option<String>,
    pub doc: Option<String>,
    pub at: Location,
}

/// How often a field's element occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurs {
    /// `minOccurs="1" maxOccurs="1"`.
    One,
    /// `minOccurs="0" maxOccurs="1"`.
    Optional,
    /// `maxOccurs="unbounded"`, `minOccurs` 0 or 1.
    Repeated { at_least_one: bool },
}

/// One element of a choice.
#[derive(Debug)]
pub struct Alternative {
    pub xml_name: String,
    pub variant: String,
    pub ty: TypeRef,
    pub doc: Option<String>,
    pub at: Location,
}

/// One value of an enumeration.
#[derive(Debug)]
pub struct EnumValue {
    pub value: String,
    pub variant: String,
    pub doc: Option<String>,
}

/// The built-in base types whose values facets can be checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    String,
    Int,
    Long,
    Boolean,
    Decimal,
    DateTime,
}

impl Builtin {
    /// The built-in type named `local` in the XML Schema namespace.
    pub fn from_name(local: &str) -> Option<Self> {
        Some(match local {
            "string" => Builtin::String,
            "int" => Builtin::Int,
            "long" => Builtin::Long,
            "boolean" => Builtin::Boolean,
            "decimal" => Builtin::Decimal,
            "dateTime" => Builtin::DateTime,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::String => "string",
            Builtin::Int => "int",
            Builtin::Long => "long",
            Builtin::Boolean => "boolean",
            Builtin::Decimal => "decimal",
            Builtin::DateTime => "dateTime",
        }
    }
}

/// The facets of a restriction (and of the restrictions it derives from).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    pub length: Option<u64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// Every pattern must match (one per derivation step).
    pub patterns: Vec<Pattern>,
    pub min_inclusive: Option<Number>,
    pub max_inclusive: Option<Number>,
    pub fraction_digits: Option<u32>,
    pub total_digits: Option<u32>,
}

/// An `xs:pattern`: as written, and compiled into steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The type whose restriction gives the pattern: its namespace and Rust name.
    pub declared_by: QName,
    pub source: String,
    pub steps: Vec<PatternStep>,
}

/// A bound of `minInclusive`/`maxInclusive`: `mantissa × 10^-scale`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    pub text: String,
    pub mantissa: i128,
    pub scale: u32,
}

/// A global element: a message, a fault detail or a header block.
#[derive(Debug)]
pub struct GlobalElement {
    pub name: QName,
    pub ty: TypeId,
}

/// A WSDL service as a contract.
#[derive(Debug)]
pub struct ServiceContract {
    pub name: String,
    pub target_namespace: String,
    /// The service's `wsdl:documentation`, else the definitions'.
    pub doc: Option<String>,
    pub port_type_doc: Option<String>,
    /// The SOAP versions of its ports' bindings, in port order.
    pub versions: Vec<SoapVersion>,
    pub operations: Vec<OperationContract>,
}

/// One operation of a service.
#[derive(Debug)]
pub struct OperationContract {
    pub name: String,
    pub doc: Option<String>,
    pub soap_action: String,
    pub input: QName,
    pub output: QName,
    pub input_headers: Vec<QName>,
    pub faults: Vec<FaultContract>,
}

/// A fault an operation declares, and its detail element.
#[derive(Debug)]
pub struct FaultContract {
    pub name: String,
    pub element: QName,
}

/// Resolves `sources` with the caller's type map and namespace options.
pub fn resolve(sources: &Sources, config: &Config) -> Result<Model, Error> {
    let (mut types, elements) = resolve::types(sources, &config.types)?;
    for binding in config
        .namespaces
        .iter()
        .filter(|b| b.share_identical_content)
    {
        share::identical_content(&mut types, &elements, &binding.uri);
    }
    resolve::check_names(&types)?;
    let services = contract::services(sources, &elements)?;
    Ok(Model {
        types,
        elements,
        services,
    })
}

impl Model {
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The generated types of `namespace` in document order.
    pub fn types_in<'a>(&'a self, namespace: &'a str) -> Vec<(TypeId, &'a TypeDef)> {
        let mut types: Vec<(TypeId, &TypeDef)> = self
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.namespace == namespace)
            .map(|(i, t)| (TypeId(i), t))
            .collect();
        types.sort_by(|(a, ta), (b, tb)| {
            (&ta.at.file, ta.at.line, a).cmp(&(&tb.at.file, tb.at.line, b))
        });
        types
    }
}
