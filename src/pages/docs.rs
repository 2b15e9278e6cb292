//! What a WSDL says about its service for people: the `wsdl:documentation` of the
//! definitions, of the port type and of each operation, and the schema files it imports.

use crate::xml::{Event, XmlLimits, XmlReader};

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";

/// The documentation of one service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDocs {
    pub summary: String,
    /// (operation name, documentation), in WSDL order.
    pub operations: Vec<(String, String)>,
    /// File names of the schemas the WSDL imports.
    pub schemas: Vec<String>,
}

impl ServiceDocs {
    pub fn operation(&self, name: &str) -> &str {
        self.operations
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, d)| d.as_str())
    }
}

/// Reads the documentation out of `wsdl`.
pub fn service_docs(wsdl: &str) -> ServiceDocs {
    let mut docs = ServiceDocs::default();
    let Ok(mut reader) = XmlReader::new(wsdl.as_bytes(), XmlLimits::default()) else {
        return docs;
    };
    // The element path, as (namespace is WSDL, local name, name attribute).
    let mut path: Vec<(bool, String, Option<String>)> = Vec::new();
    let mut text = String::new();
    loop {
        match reader.next_event() {
            Ok(Event::Start(start)) => {
                if let Some(location) = start.attr("", "schemaLocation") {
                    let file = location.rsplit('/').next().unwrap_or_default().to_string();
                    if !docs.schemas.contains(&file) {
                        docs.schemas.push(file);
                    }
                }
                path.push((
                    start.ns == WSDL_NS,
                    start.local.to_string(),
                    start.attr("", "name").map(str::to_string),
                ));
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t),
            Ok(Event::End) => {
                let Some((wsdl, local, _)) = path.pop() else {
                    break;
                };
                if !(wsdl && local == "documentation") {
                    continue;
                }
                let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let parents: Vec<&str> = path.iter().map(|(_, l, _)| l.as_str()).collect();
                match parents.as_slice() {
                    ["definitions"] => docs.summary = words,
                    ["definitions", "portType", "operation"] => {
                        if let Some((_, _, Some(name))) = path.last() {
                            docs.operations.push((name.clone(), words));
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::Eof) | Err(_) => break,
        }
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_user_service_documentation() {
        let docs = service_docs(crate::users::WSDL);
        assert!(
            docs.summary.starts_with("The Soapstone User service"),
            "{}",
            docs.summary
        );
        assert_eq!(
            docs.operations.len(),
            crate::contract::USER_SERVICE.operations.len()
        );
        assert!(
            docs.operation("CreateUser")
                .starts_with("Creates an active user")
        );
        assert_eq!(
            docs.schemas,
            vec!["users.xsd", "common.xsd", "security.xsd"]
        );
    }
}
