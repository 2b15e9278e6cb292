//! The WS-Addressing 1.0 default actions of a WSDL's operation inputs (Metadata §4.4.4):
//! `{targetNamespace}/{portType}/{input name}`, the input name defaulting to
//! `{operation}Request`, and the `{targetNamespace}/{portType}/{operation}` form gSOAP sends
//! when a binding does not require its SOAPAction.

use std::collections::HashMap;

use crate::xml::{Event, XmlLimits, XmlReader};

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";

/// The default actions of the operations of every port type of a WSDL, by operation name.
#[derive(Debug, Clone, Default)]
pub struct DefaultActions(HashMap<String, Vec<String>>);

impl DefaultActions {
    /// Reads the target namespace, the port types and their operations' inputs from `wsdl`.
    pub fn parse(wsdl: &str) -> Result<Self, String> {
        let mut reader =
            XmlReader::new(wsdl.as_bytes(), XmlLimits::default()).map_err(|e| e.to_string())?;
        let mut namespace = String::new();
        // The action prefix of the port type being read, and the operation inside it.
        let mut port_type: Option<String> = None;
        let mut operation: Option<String> = None;
        let mut actions: HashMap<String, Vec<String>> = HashMap::new();
        loop {
            match reader.next_event().map_err(|e| e.to_string())? {
                Event::Start(start) if start.ns == WSDL_NS => {
                    let name = start.attr("", "name");
                    match (reader.depth(), start.local, &port_type, &operation) {
                        (1, "definitions", _, _) => {
                            namespace = start
                                .attr("", "targetNamespace")
                                .unwrap_or_default()
                                .to_string();
                        }
                        (2, "portType", _, _) => port_type = name.map(|n| prefix(&namespace, n)),
                        (3, "operation", Some(base), _) => {
                            if let Some(op) = name {
                                actions.insert(op.to_string(), vec![format!("{base}{op}")]);
                                operation = Some(op.to_string());
                            }
                        }
                        (4, "input", Some(base), Some(op)) => {
                            let input = name.map_or_else(|| format!("{op}Request"), str::to_string);
                            if let Some(list) = actions.get_mut(op) {
                                list.push(format!("{base}{input}"));
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
                    }
                }
                Event::Eof => break,
                Event::Start(_) | Event::Text(_) => {}
            }
        }
        Ok(DefaultActions(actions))
    }

    /// True when `action` is a default action of `operation`'s input.
    pub fn accepts(&self, operation: &str, action: &str) -> bool {
        self.0
            .get(operation)
            .is_some_and(|list| list.iter().any(|a| a == action))
    }
}

/// `{targetNamespace}{delimiter}{portType}{delimiter}`: the delimiter is `:` for a URN and `/`
/// otherwise, and is not doubled when the namespace already ends with it.
fn prefix(namespace: &str, port_type: &str) -> String {
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
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_actions_of_the_user_service_come_from_its_wsdl() {
        let actions = DefaultActions::parse(crate::users::WSDL).unwrap();
        let base = "http://soapstone.dev/wsdl/users/v1/UserServicePortType/";
        assert!(actions.accepts("GetUser", &format!("{base}GetUser")));
        assert!(actions.accepts("GetUser", &format!("{base}GetUserRequest")));
        assert!(!actions.accepts("GetUser", &format!("{base}DeleteUser")));
        assert!(!actions.accepts("GetUser", &format!("{base}GetUserResponse")));
        assert!(!actions.accepts("GetUser", "http://soapstone.dev/users/GetUser"));
        assert!(!actions.accepts("Frobnicate", &format!("{base}Frobnicate")));
    }

    #[test]
    fn input_names_urns_and_trailing_delimiters_follow_the_spec() {
        let wsdl = |tns: &str| {
            format!(
                r#"<w:definitions xmlns:w="{WSDL_NS}" targetNamespace="{tns}"><w:portType name="P"><w:operation name="Op"><w:input name="In" message="m"/><w:output message="o"/></w:operation></w:portType><w:binding name="B"><w:operation name="Other"><w:input/></w:operation></w:binding></w:definitions>"#
            )
        };
        let actions = DefaultActions::parse(&wsdl("urn:x")).unwrap();
        assert!(actions.accepts("Op", "urn:x:P:Op"));
        assert!(actions.accepts("Op", "urn:x:P:In"));
        assert!(!actions.accepts("Op", "urn:x:P:OpRequest"));
        assert!(
            !actions.accepts("Other", "urn:x:P:Other"),
            "not a port type"
        );
        let actions = DefaultActions::parse(&wsdl("http://e.org/ns/")).unwrap();
        assert!(actions.accepts("Op", "http://e.org/ns/P/In"));
    }
}
