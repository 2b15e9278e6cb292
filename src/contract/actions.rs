//! The WS-Addressing 1.0 actions of a WSDL's operations (Metadata §4.4): the `wsam:Action` of
//! each input, output and fault when the port type declares one, else the default action
//! pattern `{targetNamespace}/{portType}/{name}` (§4.4.4), the input name defaulting to
//! `{operation}Request`, the output's to `{operation}Response`, and a fault's action being
//! `{targetNamespace}/{portType}/{operation}/Fault/{fault name}`. For inputs the default
//! pattern is accepted besides the explicit action, and so is the
//! `{targetNamespace}/{portType}/{operation}` form gSOAP sends when a binding does not
//! require its SOAPAction.

use std::collections::HashMap;

use crate::xml::{Event, XmlLimits, XmlReader};

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
/// WS-Addressing 1.0 Metadata, whose `Action` attribute names a message's action.
const WSAM_NS: &str = "http://www.w3.org/2007/05/addressing/metadata";

/// The actions of one operation.
#[derive(Debug, Clone, Default)]
struct OperationActions {
    /// Every action a request may carry: the explicit one first, then the defaults.
    input: Vec<String>,
    output: String,
    /// The action of each declared fault, by the local name of its detail element.
    faults: Vec<(String, String)>,
}

/// The actions of the operations of every port type of a WSDL, by operation name.
#[derive(Debug, Clone, Default)]
pub struct Actions(HashMap<String, OperationActions>);

impl Actions {
    /// Reads the target namespace, the messages, the port types and their operations' inputs,
    /// outputs and faults from `wsdl`.
    pub fn parse(wsdl: &str) -> Result<Self, String> {
        let mut reader =
            XmlReader::new(wsdl.as_bytes(), XmlLimits::default()).map_err(|e| e.to_string())?;
        let mut namespace = String::new();
        // The element (local name) of each message's part, by message name.
        let mut elements: HashMap<String, String> = HashMap::new();
        let mut message: Option<String> = None;
        // The action prefix and delimiter of the port type being read, and the operation.
        let mut port_type: Option<(String, char)> = None;
        let mut operation: Option<String> = None;
        // Faults by message name, resolved to their elements at the end.
        let mut faults: Vec<(String, String, String)> = Vec::new();
        let mut actions: HashMap<String, OperationActions> = HashMap::new();
        loop {
            match reader.next_event().map_err(|e| e.to_string())? {
                Event::Start(start) if start.ns == WSDL_NS => {
                    let name = start.attr("", "name");
                    let explicit = start.attr(WSAM_NS, "Action").map(|a| a.trim().to_string());
                    match (reader.depth(), start.local, &port_type, &operation) {
                        (1, "definitions", _, _) => {
                            namespace = start
                                .attr("", "targetNamespace")
                                .unwrap_or_default()
                                .to_string();
                        }
                        (2, "message", _, _) => message = name.map(str::to_string),
                        (3, "part", _, _) => {
                            if let (Some(message), Some(element)) =
                                (&message, start.attr("", "element"))
                            {
                                let local = element.rsplit(':').next().unwrap_or(element);
                                elements.insert(message.clone(), local.to_string());
                            }
                        }
                        (2, "portType", _, _) => port_type = name.map(|n| prefix(&namespace, n)),
                        (3, "operation", Some((base, _)), _) => {
                            if let Some(op) = name {
                                actions.insert(
                                    op.to_string(),
                                    OperationActions {
                                        input: vec![format!("{base}{op}")],
                                        output: format!("{base}{op}Response"),
                                        faults: Vec::new(),
                                    },
                                );
                                operation = Some(op.to_string());
                            }
                        }
                        (4, "input", Some((base, _)), Some(op)) => {
                            let input = name.map_or_else(|| format!("{op}Request"), str::to_string);
                            if let Some(entry) = actions.get_mut(op) {
                                entry.input.push(format!("{base}{input}"));
                                if let Some(explicit) = explicit {
                                    entry.input.insert(0, explicit);
                                }
                            }
                        }
                        (4, "output", Some((base, _)), Some(op)) => {
                            if let Some(entry) = actions.get_mut(op) {
                                entry.output = explicit.unwrap_or_else(|| match name {
                                    Some(output) => format!("{base}{output}"),
                                    None => format!("{base}{op}Response"),
                                });
                            }
                        }
                        (4, "fault", Some((base, delimiter)), Some(op)) => {
                            if let (Some(fault), Some(message)) = (name, start.attr("", "message"))
                            {
                                let action = explicit.unwrap_or_else(|| {
                                    format!("{base}{op}{delimiter}Fault{delimiter}{fault}")
                                });
                                let message = message.rsplit(':').next().unwrap_or(message);
                                faults.push((op.clone(), message.to_string(), action));
                            }
                        }
                        _ => {}
                    }
                }
                Event::End => {
                    let depth = reader.depth();
                    if depth < 3 {
                        operation = None;
                    }
                    if depth < 2 {
                        port_type = None;
                        message = None;
                    }
                }
                Event::Eof => break,
                Event::Start(_) | Event::Text(_) => {}
            }
        }
        for (op, message, action) in faults {
            if let (Some(entry), Some(element)) = (actions.get_mut(&op), elements.get(&message)) {
                entry.faults.push((element.clone(), action));
            }
        }
        Ok(Actions(actions))
    }

    /// True when `action` is an action of `operation`'s input: its `wsam:Action` or a default
    /// action.
    pub fn accepts(&self, operation: &str, action: &str) -> bool {
        self.0
            .get(operation)
            .is_some_and(|ops| ops.input.iter().any(|a| a == action))
    }

    /// The action of `operation`'s output.
    pub fn output(&self, operation: &str) -> Option<&str> {
        self.0.get(operation).map(|ops| ops.output.as_str())
    }

    /// The action of the fault of `operation` whose detail element is `element`, when the
    /// operation declares one.
    pub fn fault(&self, operation: &str, element: &str) -> Option<&str> {
        self.0.get(operation).and_then(|ops| {
            ops.faults
                .iter()
                .find(|(e, _)| e == element)
                .map(|(_, action)| action.as_str())
        })
    }
}

/// `{targetNamespace}{delimiter}{portType}{delimiter}` and the delimiter: `:` for a URN and
/// `/` otherwise, not doubled when the namespace already ends with it.
fn prefix(namespace: &str, port_type: &str) -> (String, char) {
    let urn = namespace
        .get(..4)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("urn:"));
    let delimiter = if urn { ':' } else { '/' };
    let mut prefix = namespace.to_string();
    if !prefix.ends_with(delimiter) {
        prefix.push(delimiter);
    }
    prefix.push_str(port_type);
    prefix.push(delimiter);
    (prefix, delimiter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actions_of_the_user_service_come_from_its_wsdl() {
        let actions = Actions::parse(crate::users::WSDL).unwrap();
        let base = "http://soapstone.dev/wsdl/users/v1/UserServicePortType/";
        assert!(actions.accepts("GetUser", "http://soapstone.dev/users/GetUser"));
        assert!(actions.accepts("GetUser", &format!("{base}GetUser")));
        assert!(actions.accepts("GetUser", &format!("{base}GetUserRequest")));
        assert!(!actions.accepts("GetUser", &format!("{base}DeleteUser")));
        assert!(!actions.accepts("GetUser", &format!("{base}GetUserResponse")));
        assert!(!actions.accepts("GetUser", "http://soapstone.dev/users/DeleteUser"));
        assert!(!actions.accepts("Frobnicate", &format!("{base}Frobnicate")));
        assert_eq!(
            actions.output("GetUser"),
            Some(format!("{base}GetUserResponse").as_str())
        );
        assert_eq!(
            actions.fault("GetUser", "UserNotFoundFault"),
            Some(format!("{base}GetUser/Fault/UserNotFoundFault").as_str())
        );
        assert_eq!(actions.fault("GetUser", "InsufficientStockFault"), None);
    }

    #[test]
    fn names_urns_explicit_actions_and_trailing_delimiters_follow_the_spec() {
        let wsdl = |tns: &str, output: &str| {
            format!(
                r#"<w:definitions xmlns:w="{WSDL_NS}" xmlns:am="{WSAM_NS}" xmlns:t="{tns}" targetNamespace="{tns}"><w:message name="F"><w:part name="f" element="t:Failed"/></w:message><w:portType name="P"><w:operation name="Op"><w:input name="In" message="m"/>{output}<w:fault name="Bad" message="t:F"/></w:operation></w:portType><w:binding name="B"><w:operation name="Other"><w:input/></w:operation></w:binding></w:definitions>"#
            )
        };
        let actions = Actions::parse(&wsdl("urn:x", r#"<w:output message="o"/>"#)).unwrap();
        assert!(actions.accepts("Op", "urn:x:P:Op"));
        assert!(actions.accepts("Op", "urn:x:P:In"));
        assert!(!actions.accepts("Op", "urn:x:P:OpRequest"));
        assert_eq!(actions.output("Op"), Some("urn:x:P:OpResponse"));
        assert_eq!(actions.fault("Op", "Failed"), Some("urn:x:P:Op:Fault:Bad"));
        assert!(
            !actions.accepts("Other", "urn:x:P:Other"),
            "not a port type"
        );
        let explicit = r#"<w:output name="Out" message="o"/>"#;
        let actions = Actions::parse(&wsdl("http://e.org/ns/", explicit)).unwrap();
        assert!(actions.accepts("Op", "http://e.org/ns/P/In"));
        assert_eq!(actions.output("Op"), Some("http://e.org/ns/P/Out"));
        let explicit = r#"<w:output am:Action=" urn:out " message="o"/>"#;
        let actions = Actions::parse(&wsdl("urn:x", explicit)).unwrap();
        assert_eq!(actions.output("Op"), Some("urn:out"));
    }
}
