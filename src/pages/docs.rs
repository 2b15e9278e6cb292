//! What a service's contract says about it for people, from the contract description
//! generated from its WSDL: the `wsdl:documentation` of the definitions and of each
//! operation, and the schema files that declare its messages, header blocks and faults.

use crate::contract::{SCHEMAS, ServiceContract};

/// The documentation of one service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDocs {
    pub summary: String,
    /// (operation name, documentation), in WSDL order.
    pub operations: Vec<(String, String)>,
    /// File names of the schemas its operations' elements are declared in, in the order the
    /// operations first use them.
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

/// The documentation of the service `contract` describes.
pub fn service_docs(contract: &ServiceContract) -> ServiceDocs {
    let mut schemas = Vec::new();
    for operation in contract.operations {
        let elements = [operation.input, operation.output]
            .into_iter()
            .chain(operation.input_headers.iter().copied())
            .chain(operation.faults.iter().map(|f| f.element));
        for element in elements {
            let file = SCHEMAS.iter().find(|(_, text)| {
                text.contains(&format!("targetNamespace=\"{}\"", element.namespace))
            });
            if let Some((file, _)) = file
                && !schemas.iter().any(|s| s == file)
            {
                schemas.push(file.to_string());
            }
        }
    }
    ServiceDocs {
        summary: contract.documentation.unwrap_or_default().to_string(),
        operations: contract
            .operations
            .iter()
            .map(|o| {
                (
                    o.name.to_string(),
                    o.documentation.unwrap_or_default().to_string(),
                )
            })
            .collect(),
        schemas,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::USER_SERVICE;

    #[test]
    fn reads_the_user_service_documentation() {
        let docs = service_docs(&USER_SERVICE);
        assert!(
            docs.summary.starts_with("The Soapstone User service"),
            "{}",
            docs.summary
        );
        assert_eq!(docs.operations.len(), USER_SERVICE.operations.len());
        assert!(
            docs.operation("CreateUser")
                .starts_with("Creates an active user")
        );
        assert_eq!(
            docs.schemas,
            vec!["users.xsd", "security.xsd", "common.xsd"]
        );
    }
}
