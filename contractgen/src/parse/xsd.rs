//! `xs:schema` into the raw tree: the constructs the model handles, and an error naming any
//! other.

use std::path::{Component, Path, PathBuf};

use roxmltree::Node;

use super::node::{Doc, display, doc_text, is};
use super::raw::{
    ComplexType, Element, ElementType, Facet, FacetKind, Import, MaxOccurs, Particle, Schema,
    SimpleType,
};
use crate::error::Error;
use crate::qname::XS;

/// Reads the `xs:schema` element `node`.
pub fn schema(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<Schema, Error> {
    doc.check_attributes(
        node,
        &[
            "targetNamespace",
            "elementFormDefault",
            "attributeFormDefault",
            "version",
        ],
    )?;
    let target_namespace = node
        .attribute("targetNamespace")
        .ok_or_else(|| Error::unsupported("a schema without a targetNamespace", doc.at(node)))?;
    if node.attribute("elementFormDefault") != Some("qualified") {
        return Err(Error::unsupported(
            "local elements in no namespace (elementFormDefault is not \"qualified\")",
            doc.at(node),
        ));
    }
    let mut schema = Schema {
        file: doc.file.to_path_buf(),
        target_namespace: target_namespace.to_string(),
        imports: Vec::new(),
        elements: Vec::new(),
        complex_types: Vec::new(),
        simple_types: Vec::new(),
        at: doc.at(node),
    };
    for child in doc.children(node)? {
        match xs_name(child) {
            Some("annotation") => {
                documentation(doc, child)?;
            }
            Some("import") => schema.imports.push(import(doc, child)?),
            Some("element") => schema.elements.push(element(doc, child, true)?),
            Some("complexType") => schema.complex_types.push(complex_type(doc, child, true)?),
            Some("simpleType") => schema.simple_types.push(simple_type(doc, child, true)?),
            _ => return Err(doc.unexpected(child)),
        }
    }
    Ok(schema)
}

/// The local name of an element in the XML Schema namespace.
fn xs_name<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    (node.tag_name().namespace() == Some(XS)).then(|| node.tag_name().name())
}

fn import(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<Import, Error> {
    doc.check_attributes(node, &["namespace", "schemaLocation"])?;
    no_children(doc, node)?;
    let location = node.attribute("schemaLocation");
    if location.is_some_and(|l| l.contains("://")) {
        return Err(Error::unsupported(
            "a schemaLocation that is not a relative file path",
            doc.at(node),
        ));
    }
    let base = doc.file.parent().unwrap_or(Path::new("."));
    Ok(Import {
        namespace: doc.required(node, "namespace")?.to_string(),
        location: location.map(|l| normalized(&base.join(l))),
        at: doc.at(node),
    })
}

/// `path` with its `..` and `.` steps taken, as errors name it.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The text of the `xs:documentation` in `node`'s `xs:annotation`, when it has one;
/// `xs:appinfo` is for other applications.
pub fn annotation(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<Option<String>, Error> {
    match node.children().find(|c| is(*c, XS, "annotation")) {
        Some(annotation) => documentation(doc, annotation),
        None => Ok(None),
    }
}

fn documentation(doc: &Doc<'_, '_>, annotation: Node<'_, '_>) -> Result<Option<String>, Error> {
    let mut texts = Vec::new();
    for child in doc.children(annotation)? {
        match xs_name(child) {
            Some("documentation") => texts.push(doc_text(child)),
            Some("appinfo") => {}
            _ => return Err(doc.unexpected(child)),
        }
    }
    Ok((!texts.is_empty()).then(|| texts.join(" ")))
}

fn element(doc: &Doc<'_, '_>, node: Node<'_, '_>, global: bool) -> Result<Element, Error> {
    let allowed: &[&str] = if global {
        &["name", "type", "nillable", "default"]
    } else {
        &[
            "name",
            "type",
            "minOccurs",
            "maxOccurs",
            "nillable",
            "default",
        ]
    };
    doc.check_attributes(node, allowed)?;
    let name = doc.required(node, "name")?.to_string();
    let mut inline = None;
    for child in doc.children(node)? {
        let ty = match xs_name(child) {
            Some("annotation") => continue,
            Some("complexType") => ElementType::Complex(complex_type(doc, child, false)?),
            Some("simpleType") => ElementType::Simple(simple_type(doc, child, false)?),
            _ => return Err(doc.unexpected(child)),
        };
        if inline.replace(ty).is_some() || node.attribute("type").is_some() {
            return Err(Error::invalid(
                "an element has one type: a type attribute or one inline type",
                doc.at(child),
            ));
        }
    }
    let ty = match (node.attribute("type"), inline) {
        (Some(_), _) => ElementType::Named(doc.qname(node, "type")?),
        (None, Some(ty)) => ty,
        (None, None) => {
            return Err(Error::unsupported(
                "an element without a type (xs:anyType)",
                doc.at(node),
            ));
        }
    };
    Ok(Element {
        name,
        ty,
        min_occurs: occurs(doc, node, "minOccurs")?.unwrap_or(1),
        max_occurs: match node.attribute("maxOccurs") {
            Some("unbounded") => MaxOccurs::Unbounded,
            _ => MaxOccurs::Bounded(occurs(doc, node, "maxOccurs")?.unwrap_or(1)),
        },
        nillable: boolean(doc, node, "nillable")?,
        default: node.attribute("default").map(str::to_string),
        doc: annotation(doc, node)?,
        at: doc.at(node),
    })
}

fn occurs(doc: &Doc<'_, '_>, node: Node<'_, '_>, name: &str) -> Result<Option<u32>, Error> {
    node.attribute(name)
        .map(|value| {
            value.trim().parse().map_err(|_| {
                Error::invalid(format!("{name}=\"{value}\" is not a count"), doc.at(node))
            })
        })
        .transpose()
}

fn boolean(doc: &Doc<'_, '_>, node: Node<'_, '_>, name: &str) -> Result<bool, Error> {
    match node.attribute(name).map(str::trim) {
        None | Some("false" | "0") => Ok(false),
        Some("true" | "1") => Ok(true),
        Some(other) => Err(Error::invalid(
            format!("{name}=\"{other}\" is not a boolean"),
            doc.at(node),
        )),
    }
}

fn complex_type(doc: &Doc<'_, '_>, node: Node<'_, '_>, named: bool) -> Result<ComplexType, Error> {
    doc.check_attributes(node, if named { &["name"] } else { &[] })?;
    let mut content = None;
    for child in doc.children(node)? {
        let particle = match xs_name(child) {
            Some("annotation") => continue,
            Some("sequence") => Particle::Sequence(particles(doc, child)?),
            Some("choice") => Particle::Choice(particles(doc, child)?),
            _ => return Err(doc.unexpected(child)),
        };
        if content.replace(particle).is_some() {
            return Err(Error::invalid(
                "a complex type has one content model",
                doc.at(child),
            ));
        }
    }
    Ok(ComplexType {
        name: node.attribute("name").map(str::to_string),
        doc: annotation(doc, node)?,
        content: content.unwrap_or(Particle::Sequence(Vec::new())),
        at: doc.at(node),
    })
}

/// The elements of an `xs:sequence` or `xs:choice` that occurs exactly once.
fn particles(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<Vec<Element>, Error> {
    doc.check_attributes(node, &[])?;
    let mut elements = Vec::new();
    for child in doc.children(node)? {
        match xs_name(child) {
            Some("annotation") => {}
            Some("element") => elements.push(element(doc, child, false)?),
            _ => return Err(doc.unexpected(child)),
        }
    }
    Ok(elements)
}

fn simple_type(doc: &Doc<'_, '_>, node: Node<'_, '_>, named: bool) -> Result<SimpleType, Error> {
    doc.check_attributes(node, if named { &["name"] } else { &[] })?;
    let mut restriction = None;
    for child in doc.children(node)? {
        match xs_name(child) {
            Some("annotation") => {}
            Some("restriction") if restriction.is_none() => restriction = Some(child),
            _ => return Err(doc.unexpected(child)),
        }
    }
    let restriction = restriction.ok_or_else(|| {
        Error::invalid(
            format!("{} has no xs:restriction", display(node)),
            doc.at(node),
        )
    })?;
    doc.check_attributes(restriction, &["base"])?;
    let mut facets = Vec::new();
    for child in doc.children(restriction)? {
        match xs_name(child).and_then(FacetKind::from_name) {
            Some(kind) => {
                doc.check_attributes(child, &["value"])?;
                for grandchild in doc.children(child)? {
                    if xs_name(grandchild) != Some("annotation") {
                        return Err(doc.unexpected(grandchild));
                    }
                }
                facets.push(Facet {
                    kind,
                    value: doc.required(child, "value")?.to_string(),
                    doc: annotation(doc, child)?,
                    at: doc.at(child),
                });
            }
            None if xs_name(child) == Some("annotation") => {}
            None => return Err(doc.unexpected(child)),
        }
    }
    Ok(SimpleType {
        name: node.attribute("name").map(str::to_string),
        doc: annotation(doc, node)?,
        base: doc.qname(restriction, "base")?,
        facets,
        at: doc.at(node),
    })
}

fn no_children(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<(), Error> {
    match doc
        .children(node)?
        .into_iter()
        .find(|c| xs_name(*c) != Some("annotation"))
    {
        Some(child) => Err(doc.unexpected(child)),
        None => Ok(()),
    }
}
