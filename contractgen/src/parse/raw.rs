//! The raw schema tree: the XSD and WSDL documents as read, prefixes resolved to namespaces,
//! nothing else resolved yet. Every node keeps where it was found.

use std::path::PathBuf;

use crate::error::Location;
use crate::qname::QName;

/// Every document read: the schemas (from XSD files and from WSDL `types`) and the WSDLs.
#[derive(Debug, Default)]
pub struct Sources {
    pub schemas: Vec<Schema>,
    pub wsdls: Vec<Wsdl>,
}

/// One `xs:schema` document.
#[derive(Debug)]
pub struct Schema {
    pub file: PathBuf,
    pub target_namespace: String,
    pub imports: Vec<Import>,
    pub elements: Vec<Element>,
    pub complex_types: Vec<ComplexType>,
    pub simple_types: Vec<SimpleType>,
    pub at: Location,
}

/// `xs:import`; `location` is the imported file, resolved against the importing one.
#[derive(Debug)]
pub struct Import {
    pub namespace: String,
    pub location: Option<PathBuf>,
    pub at: Location,
}

/// `xs:element`, global (occurring once) or local to a content model.
#[derive(Debug)]
pub struct Element {
    pub name: String,
    pub ty: ElementType,
    pub min_occurs: u32,
    pub max_occurs: MaxOccurs,
    pub nillable: bool,
    /// The `default` attribute: the value of an element that is present and empty.
    pub default: Option<String>,
    pub doc: Option<String>,
    pub at: Location,
}

/// `maxOccurs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxOccurs {
    Bounded(u32),
    Unbounded,
}

/// An element's type: named by `type`, or defined inline.
#[derive(Debug)]
pub enum ElementType {
    Named(QName),
    Complex(ComplexType),
    Simple(SimpleType),
}

/// `xs:complexType`; `name` is `None` for an anonymous one.
#[derive(Debug)]
pub struct ComplexType {
    pub name: Option<String>,
    pub doc: Option<String>,
    pub content: Particle,
    pub at: Location,
}

/// The content model of a complex type.
#[derive(Debug)]
pub enum Particle {
    /// `xs:sequence` (also an empty complex type).
    Sequence(Vec<Element>),
    /// `xs:choice` of elements.
    Choice(Vec<Element>),
}

/// `xs:simpleType` by `xs:restriction` of `base`.
#[derive(Debug)]
pub struct SimpleType {
    pub name: Option<String>,
    pub doc: Option<String>,
    pub base: QName,
    pub facets: Vec<Facet>,
    pub at: Location,
}

/// One facet of a restriction, its value as written.
#[derive(Debug)]
pub struct Facet {
    pub kind: FacetKind,
    pub value: String,
    pub doc: Option<String>,
    pub at: Location,
}

/// The facets the generator reads; any other is an unsupported construct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetKind {
    Enumeration,
    Length,
    MinLength,
    MaxLength,
    Pattern,
    MinInclusive,
    MaxInclusive,
    FractionDigits,
    TotalDigits,
}

impl FacetKind {
    /// The facet's element name, e.g. `minLength`.
    pub fn name(self) -> &'static str {
        match self {
            FacetKind::Enumeration => "enumeration",
            FacetKind::Length => "length",
            FacetKind::MinLength => "minLength",
            FacetKind::MaxLength => "maxLength",
            FacetKind::Pattern => "pattern",
            FacetKind::MinInclusive => "minInclusive",
            FacetKind::MaxInclusive => "maxInclusive",
            FacetKind::FractionDigits => "fractionDigits",
            FacetKind::TotalDigits => "totalDigits",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [
            FacetKind::Enumeration,
            FacetKind::Length,
            FacetKind::MinLength,
            FacetKind::MaxLength,
            FacetKind::Pattern,
            FacetKind::MinInclusive,
            FacetKind::MaxInclusive,
            FacetKind::FractionDigits,
            FacetKind::TotalDigits,
        ]
        .into_iter()
        .find(|kind| kind.name() == name)
    }
}

/// One WSDL 1.1 document (its inline schemas are in [`Sources::schemas`]).
#[derive(Debug)]
pub struct Wsdl {
    pub file: PathBuf,
    pub target_namespace: String,
    pub doc: Option<String>,
    pub messages: Vec<Message>,
    pub port_types: Vec<PortType>,
    pub bindings: Vec<Binding>,
    pub services: Vec<Service>,
    pub at: Location,
}

/// `wsdl:message`.
#[derive(Debug)]
pub struct Message {
    pub name: String,
    pub parts: Vec<Part>,
    pub at: Location,
}

/// `wsdl:part` with an `element` (document/literal).
#[derive(Debug)]
pub struct Part {
    pub name: String,
    pub element: QName,
    pub at: Location,
}

/// `wsdl:portType`.
#[derive(Debug)]
pub struct PortType {
    pub name: String,
    pub doc: Option<String>,
    pub operations: Vec<PortOperation>,
    pub at: Location,
}

/// `wsdl:operation` of a port type: request-response, with its faults.
#[derive(Debug)]
pub struct PortOperation {
    pub name: String,
    pub doc: Option<String>,
    pub input: QName,
    pub output: QName,
    pub faults: Vec<PortFault>,
    pub at: Location,
}

/// `wsdl:fault` of a port type operation.
#[derive(Debug)]
pub struct PortFault {
    pub name: String,
    pub message: QName,
    pub at: Location,
}

/// The SOAP version of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    V11,
    V12,
}

/// `wsdl:binding` with a SOAP 1.1 or 1.2 document/literal binding.
#[derive(Debug)]
pub struct Binding {
    pub name: String,
    pub port_type: QName,
    pub version: SoapVersion,
    pub operations: Vec<BindingOperation>,
    pub at: Location,
}

/// `wsdl:operation` of a binding.
#[derive(Debug)]
pub struct BindingOperation {
    pub name: String,
    pub soap_action: Option<String>,
    /// `soap:header` blocks of the input: message and part.
    pub input_headers: Vec<(QName, String)>,
    pub at: Location,
}

/// `wsdl:service`.
#[derive(Debug)]
pub struct Service {
    pub name: String,
    pub doc: Option<String>,
    pub ports: Vec<Port>,
    pub at: Location,
}

/// `wsdl:port`; its address is a placeholder rewritten when served, so it is not kept.
#[derive(Debug)]
pub struct Port {
    pub name: String,
    pub binding: QName,
    pub at: Location,
}
