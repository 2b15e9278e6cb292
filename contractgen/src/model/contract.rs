//! Each WSDL service as a contract: its port type's operations, the SOAPAction its bindings
//! agree on, the elements of input, output, input headers and faults, and the documentation.

use std::collections::HashSet;

use super::{FaultContract, GlobalElement, OperationContract, ServiceContract};
use crate::error::{Error, Location};
use crate::parse::raw::{Binding, Message, PortType, Sources};
use crate::qname::QName;

/// The contracts of every service of every WSDL in `sources`.
pub fn services(
    sources: &Sources,
    elements: &[GlobalElement],
) -> Result<Vec<ServiceContract>, Error> {
    let known: HashSet<&QName> = elements.iter().map(|e| &e.name).collect();
    let lookup = Lookup { sources, known };
    let mut services = Vec::new();
    for wsdl in &sources.wsdls {
        for service in &wsdl.services {
            let mut bindings = Vec::new();
            for port in &service.ports {
                bindings.push(lookup.binding(&port.binding, &port.at)?);
            }
            let Some(first) = bindings.first() else {
                return Err(Error::invalid(
                    "a service without ports",
                    service.at.clone(),
                ));
            };
            if let Some(other) = bindings.iter().find(|b| b.port_type != first.port_type) {
                return Err(Error::unsupported(
                    "a service whose ports bind different port types",
                    other.at.clone(),
                ));
            }
            let port_type = lookup.port_type(&first.port_type, &first.at)?;
            for binding in &bindings {
                if let Some(extra) = binding
                    .operations
                    .iter()
                    .find(|b| !port_type.operations.iter().any(|o| o.name == b.name))
                {
                    return Err(Error::invalid(
                        format!("the port type has no operation {}", extra.name),
                        extra.at.clone(),
                    ));
                }
            }
            let mut operations = Vec::new();
            for operation in &port_type.operations {
                let mut action: Option<&str> = None;
                let mut input_headers = Vec::new();
                for binding in &bindings {
                    let bound = binding
                        .operations
                        .iter()
                        .find(|b| b.name == operation.name)
                        .ok_or_else(|| {
                            Error::invalid(
                                format!(
                                    "binding {} has no operation {}",
                                    binding.name, operation.name
                                ),
                                binding.at.clone(),
                            )
                        })?;
                    let this = bound.soap_action.as_deref().unwrap_or("");
                    if action.is_some_and(|a| a != this) {
                        return Err(Error::invalid(
                            format!(
                                "the bindings of {} give different SOAPActions",
                                operation.name
                            ),
                            bound.at.clone(),
                        ));
                    }
                    action = Some(this);
                    let mut headers = Vec::new();
                    for (message, part) in &bound.input_headers {
                        headers.push(lookup.part(message, Some(part), &bound.at)?);
                    }
                    if !input_headers.is_empty() && input_headers != headers {
                        return Err(Error::invalid(
                            format!("the bindings of {} give different headers", operation.name),
                            bound.at.clone(),
                        ));
                    }
                    input_headers = headers;
                }
                let mut faults = Vec::new();
                for fault in &operation.faults {
                    faults.push(FaultContract {
                        name: fault.name.clone(),
                        element: lookup.part(&fault.message, None, &fault.at)?,
                    });
                }
                operations.push(OperationContract {
                    name: operation.name.clone(),
                    doc: operation.doc.clone(),
                    soap_action: action.unwrap_or_default().to_string(),
                    input: lookup.part(&operation.input, None, &operation.at)?,
                    output: lookup.part(&operation.output, None, &operation.at)?,
                    input_headers,
                    faults,
                });
            }
            let mut versions = Vec::new();
            for binding in &bindings {
                if !versions.contains(&binding.version) {
                    versions.push(binding.version);
                }
            }
            services.push(ServiceContract {
                name: service.name.clone(),
                target_namespace: wsdl.target_namespace.clone(),
                doc: service.doc.clone().or_else(|| wsdl.doc.clone()),
                port_type_doc: port_type.doc.clone(),
                versions,
                operations,
            });
        }
    }
    Ok(services)
}

/// Finds WSDL definitions by QName across every WSDL read.
struct Lookup<'a> {
    sources: &'a Sources,
    known: HashSet<&'a QName>,
}

impl<'a> Lookup<'a> {
    fn find<T>(
        &self,
        kind: &'static str,
        name: &QName,
        at: &Location,
        pick: impl Fn(&'a crate::parse::raw::Wsdl) -> Option<&'a T>,
    ) -> Result<&'a T, Error> {
        self.sources
            .wsdls
            .iter()
            .filter(|w| w.target_namespace == name.namespace)
            .find_map(pick)
            .ok_or_else(|| Error::Undefined {
                kind,
                namespace: name.namespace.clone(),
                name: name.local.clone(),
                at: at.clone(),
            })
    }

    fn binding(&self, name: &QName, at: &Location) -> Result<&'a Binding, Error> {
        self.find("binding", name, at, |w| {
            w.bindings.iter().find(|b| b.name == name.local)
        })
    }

    fn port_type(&self, name: &QName, at: &Location) -> Result<&'a PortType, Error> {
        self.find("port type", name, at, |w| {
            w.port_types.iter().find(|p| p.name == name.local)
        })
    }

    /// The element of `part` of message `name` (its only part when `part` is `None`), which
    /// must be a global element of the schemas.
    fn part(&self, name: &QName, part: Option<&str>, at: &Location) -> Result<QName, Error> {
        let message: &Message = self.find("message", name, at, |w| {
            w.messages.iter().find(|m| m.name == name.local)
        })?;
        let found = match part {
            Some(part) => message.parts.iter().find(|p| p.name == part),
            None if message.parts.len() == 1 => message.parts.first(),
            None => {
                return Err(Error::unsupported(
                    "a body message without exactly one part (document/literal wrapped has one)",
                    message.at.clone(),
                ));
            }
        };
        let found = found.ok_or_else(|| {
            Error::invalid(
                format!(
                    "message {} has no part {}",
                    message.name,
                    part.unwrap_or_default()
                ),
                at.clone(),
            )
        })?;
        if !self.known.contains(&found.element) {
            return Err(Error::Undefined {
                kind: "element",
                namespace: found.element.namespace.clone(),
                name: found.element.local.clone(),
                at: found.at.clone(),
            });
        }
        Ok(found.element.clone())
    }
}
