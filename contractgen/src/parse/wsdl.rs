//! WSDL 1.1 `definitions` into the raw tree: messages, port types, SOAP 1.1/1.2
//! document/literal bindings and services, with their inline schemas. WS-Policy policies (in
//! the definitions) and policy references (in a binding and in its operations) are read past,
//! and so are extension attributes such as WS-Addressing Metadata's `wsam:Action`.

use roxmltree::Node;

use super::node::{Doc, display, doc_text, is};
use super::raw::{
    Binding, BindingOperation, Message, Part, Port, PortFault, PortOperation, PortType, Schema,
    Service, SoapVersion, Wsdl,
};
use super::{SOAP11, SOAP12, WSDL, xsd};
use crate::error::Error;
use crate::qname::XS;

const SOAP_HTTP: &str = "http://schemas.xmlsoap.org/soap/http";
/// WS-Policy 1.5: the policies of a WSDL configure client stacks (WS-Addressing, security);
/// they change no message, so contractgen reads past them.
const WS_POLICY: &str = "http://www.w3.org/ns/ws-policy";

/// Reads the `wsdl:definitions` element `node`; its inline schemas come back beside it.
pub fn definitions(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<(Wsdl, Vec<Schema>), Error> {
    doc.check_attributes(node, &["name", "targetNamespace"])?;
    let mut wsdl = Wsdl {
        file: doc.file.to_path_buf(),
        target_namespace: doc.required(node, "targetNamespace")?.to_string(),
        doc: documentation(node),
        messages: Vec::new(),
        port_types: Vec::new(),
        bindings: Vec::new(),
        services: Vec::new(),
        at: doc.at(node),
    };
    let mut schemas = Vec::new();
    for child in doc.children(node)? {
        if is(child, WS_POLICY, "Policy") {
            continue;
        }
        match wsdl_name(child) {
            Some("documentation") => {}
            Some("types") => {
                doc.check_attributes(child, &[])?;
                for schema in doc.children(child)? {
                    if !is(schema, XS, "schema") {
                        return Err(doc.unexpected(schema));
                    }
                    schemas.push(xsd::schema(doc, schema)?);
                }
            }
            Some("message") => wsdl.messages.push(message(doc, child)?),
            Some("portType") => wsdl.port_types.push(port_type(doc, child)?),
            Some("binding") => wsdl.bindings.push(binding(doc, child)?),
            Some("service") => wsdl.services.push(service(doc, child)?),
            _ => return Err(doc.unexpected(child)),
        }
    }
    Ok((wsdl, schemas))
}

fn wsdl_name<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    (node.tag_name().namespace() == Some(WSDL)).then(|| node.tag_name().name())
}

/// The text of `node`'s `wsdl:documentation`, when it has one.
fn documentation(node: Node<'_, '_>) -> Option<String> {
    node.children()
        .find(|c| is(*c, WSDL, "documentation"))
        .map(doc_text)
}

/// The WSDL children of `node` other than `wsdl:documentation`.
fn wsdl_children<'n, 'i>(
    doc: &Doc<'_, '_>,
    node: Node<'n, 'i>,
) -> Result<Vec<(&'n str, Node<'n, 'i>)>, Error> {
    let mut children = Vec::new();
    for child in doc.children(node)? {
        match wsdl_name(child) {
            Some("documentation") => {}
            Some(name) => children.push((name, child)),
            None => return Err(doc.unexpected(child)),
        }
    }
    Ok(children)
}

fn message(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<Message, Error> {
    doc.check_attributes(node, &["name"])?;
    let mut parts = Vec::new();
    for (name, child) in wsdl_children(doc, node)? {
        if name != "part" {
            return Err(doc.unexpected(child));
        }
        doc.check_attributes(child, &["name", "element"])?;
        parts.push(Part {
            name: doc.required(child, "name")?.to_string(),
            element: doc.qname(child, "element")?,
            at: doc.at(child),
        });
    }
    Ok(Message {
        name: doc.required(node, "name")?.to_string(),
        parts,
        at: doc.at(node),
    })
}

fn port_type(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<PortType, Error> {
    doc.check_attributes(node, &["name"])?;
    let mut operations = Vec::new();
    for (name, child) in wsdl_children(doc, node)? {
        if name != "operation" {
            return Err(doc.unexpected(child));
        }
        operations.push(port_operation(doc, child)?);
    }
    Ok(PortType {
        name: doc.required(node, "name")?.to_string(),
        doc: documentation(node),
        operations,
        at: doc.at(node),
    })
}

fn port_operation(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<PortOperation, Error> {
    doc.check_attributes(node, &["name"])?;
    let (mut input, mut output, mut faults) = (None, None, Vec::new());
    for (name, child) in wsdl_children(doc, node)? {
        match name {
            "input" if input.is_none() && output.is_none() => {
                doc.check_attributes(child, &["name", "message"])?;
                input = Some(doc.qname(child, "message")?);
            }
            "output" if input.is_some() && output.is_none() => {
                doc.check_attributes(child, &["name", "message"])?;
                output = Some(doc.qname(child, "message")?);
            }
            "fault" => {
                doc.check_attributes(child, &["name", "message"])?;
                faults.push(PortFault {
                    name: doc.required(child, "name")?.to_string(),
                    message: doc.qname(child, "message")?,
                    at: doc.at(child),
                });
            }
            _ => return Err(doc.unexpected(child)),
        }
    }
    let (Some(input), Some(output)) = (input, output) else {
        return Err(Error::unsupported(
            "an operation that is not request-response (one-way or notification)",
            doc.at(node),
        ));
    };
    Ok(PortOperation {
        name: doc.required(node, "name")?.to_string(),
        doc: documentation(node),
        input,
        output,
        faults,
        at: doc.at(node),
    })
}

/// The namespace of the SOAP binding extension `node` is in, with its version.
fn soap(node: Node<'_, '_>) -> Option<SoapVersion> {
    match node.tag_name().namespace() {
        Some(SOAP11) => Some(SoapVersion::V11),
        Some(SOAP12) => Some(SoapVersion::V12),
        _ => None,
    }
}

/// The SOAP extension children of a binding element, all of `version`.
fn soap_children<'n, 'i>(
    doc: &Doc<'_, '_>,
    node: Node<'n, 'i>,
    version: SoapVersion,
) -> Result<Vec<(&'n str, Node<'n, 'i>)>, Error> {
    let mut children = Vec::new();
    for child in doc.children(node)? {
        match soap(child) {
            Some(v) if v == version => children.push((child.tag_name().name(), child)),
            _ => return Err(doc.unexpected(child)),
        }
    }
    Ok(children)
}

/// Requires `attribute`, when given, to be `expected`.
fn only(
    doc: &Doc<'_, '_>,
    node: Node<'_, '_>,
    attribute: &str,
    expected: &str,
) -> Result<(), Error> {
    match node.attribute(attribute) {
        Some(value) if value != expected => Err(Error::unsupported(
            format!("{attribute}=\"{value}\" on {}", display(node)),
            doc.at(node),
        )),
        _ => Ok(()),
    }
}

/// `use="literal"`, which must be given.
fn literal(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<(), Error> {
    doc.required(node, "use")?;
    only(doc, node, "use", "literal")
}

fn binding(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<Binding, Error> {
    doc.check_attributes(node, &["name", "type"])?;
    let children = doc.children(node)?;
    let soap_binding = *children
        .iter()
        .find(|c| soap(**c).is_some() && c.tag_name().name() == "binding")
        .ok_or_else(|| Error::unsupported("a binding that is not a SOAP binding", doc.at(node)))?;
    let version = soap(soap_binding).unwrap_or(SoapVersion::V11);
    doc.check_attributes(soap_binding, &["style", "transport"])?;
    only(doc, soap_binding, "style", "document")?;
    doc.required(soap_binding, "transport")?;
    only(doc, soap_binding, "transport", SOAP_HTTP)?;
    let mut operations = Vec::new();
    for child in children {
        if child == soap_binding || is(child, WS_POLICY, "PolicyReference") {
            continue;
        }
        match wsdl_name(child) {
            Some("documentation") => {}
            Some("operation") => operations.push(binding_operation(doc, child, version)?),
            _ => return Err(doc.unexpected(child)),
        }
    }
    Ok(Binding {
        name: doc.required(node, "name")?.to_string(),
        port_type: doc.qname(node, "type")?,
        version,
        operations,
        at: doc.at(node),
    })
}

fn binding_operation(
    doc: &Doc<'_, '_>,
    node: Node<'_, '_>,
    version: SoapVersion,
) -> Result<BindingOperation, Error> {
    doc.check_attributes(node, &["name"])?;
    let mut operation = BindingOperation {
        name: doc.required(node, "name")?.to_string(),
        soap_action: None,
        input_headers: Vec::new(),
        at: doc.at(node),
    };
    for child in doc.children(node)? {
        if is(child, WS_POLICY, "PolicyReference") {
            continue;
        }
        if soap(child) == Some(version) && child.tag_name().name() == "operation" {
            let allowed: &[&str] = match version {
                SoapVersion::V11 => &["soapAction", "style"],
                SoapVersion::V12 => &["soapAction", "soapActionRequired", "style"],
            };
            doc.check_attributes(child, allowed)?;
            only(doc, child, "style", "document")?;
            operation.soap_action = child.attribute("soapAction").map(str::to_string);
            continue;
        }
        match wsdl_name(child) {
            Some("documentation") => {}
            Some("input") => {
                doc.check_attributes(child, &["name"])?;
                for (name, extension) in soap_children(doc, child, version)? {
                    match name {
                        "body" => body(doc, extension)?,
                        "header" => {
                            doc.check_attributes(extension, &["message", "part", "use"])?;
                            literal(doc, extension)?;
                            operation.input_headers.push((
                                doc.qname(extension, "message")?,
                                doc.required(extension, "part")?.to_string(),
                            ));
                        }
                        _ => return Err(doc.unexpected(extension)),
                    }
                }
            }
            Some("output") => {
                doc.check_attributes(child, &["name"])?;
                for (name, extension) in soap_children(doc, child, version)? {
                    match name {
                        "body" => body(doc, extension)?,
                        _ => return Err(doc.unexpected(extension)),
                    }
                }
            }
            Some("fault") => {
                doc.check_attributes(child, &["name"])?;
                for (name, extension) in soap_children(doc, child, version)? {
                    if name != "fault" {
                        return Err(doc.unexpected(extension));
                    }
                    doc.check_attributes(extension, &["name", "use"])?;
                    literal(doc, extension)?;
                }
            }
            _ => return Err(doc.unexpected(child)),
        }
    }
    Ok(operation)
}

/// `soap:body use="literal"` of the whole message.
fn body(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<(), Error> {
    doc.check_attributes(node, &["use"])?;
    literal(doc, node)
}

fn service(doc: &Doc<'_, '_>, node: Node<'_, '_>) -> Result<Service, Error> {
    doc.check_attributes(node, &["name"])?;
    let mut ports = Vec::new();
    for (name, child) in wsdl_children(doc, node)? {
        if name != "port" {
            return Err(doc.unexpected(child));
        }
        doc.check_attributes(child, &["name", "binding"])?;
        for address in doc.children(child)? {
            if soap(address).is_none() || address.tag_name().name() != "address" {
                return Err(doc.unexpected(address));
            }
            doc.check_attributes(address, &["location"])?;
        }
        ports.push(Port {
            name: doc.required(child, "name")?.to_string(),
            binding: doc.qname(child, "binding")?,
            at: doc.at(child),
        });
    }
    Ok(Service {
        name: doc.required(node, "name")?.to_string(),
        doc: documentation(node),
        ports,
        at: doc.at(node),
    })
}
