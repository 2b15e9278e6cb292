//! The operations a service binds, checked against its WSDL service as contractgen describes
//! it (`OUT_DIR/contracts.rs`): every WSDL operation bound exactly once, with the WSDL's
//! request and response elements, and nothing else. (SOAPActions need no check: a service
//! takes them from its contract, see `Service::for_contract`.) A mismatch stops the server at start-up,
//! naming each operation that is missing, extra or bound differently.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/contracts.rs"));
}

pub use generated::{
    AUTH_SERVICE, BENCH_SERVICE, CATALOG_SERVICE, ORDER_SERVICE, OperationContract, SERVICES,
    ServiceContract, USER_SERVICE,
};

/// One bound operation, as the dispatch table has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound<'a> {
    /// The request element's local name (the operation's name).
    pub element: &'a str,
    pub namespace: &'a str,
    /// The response element the handler returns: namespace and local name.
    pub response: (&'a str, &'a str),
}

/// A service whose bound operations are not its WSDL's.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("service {service} does not bind the operations of its WSDL: {}", .problems.join("; "))]
pub struct RegistrationError {
    pub service: String,
    pub problems: Vec<String>,
}

/// The contract of the WSDL service named `name`.
pub fn service_contract(name: &str) -> Option<&'static ServiceContract> {
    SERVICES.iter().copied().find(|s| s.name == name)
}

/// Checks that `bound` are exactly the operations of the WSDL service `service`.
pub fn check_registration(service: &str, bound: &[Bound<'_>]) -> Result<(), RegistrationError> {
    let Some(contract) = service_contract(service) else {
        return Err(RegistrationError {
            service: service.to_string(),
            problems: vec!["no WSDL in wsdl/ describes a service of this name".into()],
        });
    };
    let mut problems = Vec::new();
    for declared in contract.operations {
        let matching: Vec<&Bound<'_>> = bound
            .iter()
            .filter(|b| b.element == declared.input.local)
            .collect();
        match matching.as_slice() {
            [] => problems.push(format!("{} is not bound", declared.name)),
            [one] => {
                if one.namespace != declared.input.namespace {
                    problems.push(format!(
                        "{} is bound in namespace {} instead of {}",
                        declared.name, one.namespace, declared.input.namespace
                    ));
                }
                let output = (declared.output.namespace, declared.output.local);
                if one.response != output {
                    problems.push(format!(
                        "{} answers with {{{}}}{} instead of {{{}}}{}",
                        declared.name, one.response.0, one.response.1, output.0, output.1
                    ));
                }
            }
            _ => problems.push(format!("{} is bound more than once", declared.name)),
        }
    }
    for extra in bound.iter().filter(|b| {
        !contract
            .operations
            .iter()
            .any(|d| d.input.local == b.element)
    }) {
        problems.push(format!("{} is bound but not in the WSDL", extra.element));
    }
    match problems.is_empty() {
        true => Ok(()),
        false => Err(RegistrationError {
            service: service.to_string(),
            problems,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound_of(contract: &ServiceContract) -> Vec<Bound<'static>> {
        contract
            .operations
            .iter()
            .map(|o| Bound {
                element: o.input.local,
                namespace: o.input.namespace,
                response: (o.output.namespace, o.output.local),
            })
            .collect()
    }

    #[test]
    fn every_wsdl_service_is_described() {
        let names: Vec<&str> = SERVICES.iter().map(|s| s.name).collect();
        for name in [
            "UserService",
            "CatalogService",
            "OrderService",
            "AuthService",
            "BenchService",
        ] {
            assert!(names.contains(&name), "{name} in {names:?}");
        }
    }

    #[test]
    fn a_missing_an_extra_a_misnamed_and_a_mistyped_operation_are_each_named() {
        let contract = service_contract("UserService").unwrap();
        let mut bound = bound_of(contract);
        assert_eq!(check_registration("UserService", &bound), Ok(()));
        let removed = bound.remove(0);
        bound.push(Bound {
            element: "GetUserByPhone",
            namespace: removed.namespace,
            response: (removed.namespace, "GetUserByPhoneResponse"),
        });
        bound[0].namespace = "urn:wrong";
        let again = bound[1];
        bound.push(again);
        bound[2].response = (removed.namespace, "GetUserResponse");
        let error = check_registration("UserService", &bound).unwrap_err();
        let text = error.to_string();
        assert_eq!(error.problems.len(), 5, "{text}");
        assert!(
            text.contains(&format!(
                "answers with {{{}}}GetUserResponse instead of",
                removed.namespace
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("{} is not bound", removed.element)),
            "{text}"
        );
        assert!(
            text.contains("GetUserByPhone is bound but not in the WSDL"),
            "{text}"
        );
        assert!(text.contains("instead of"), "{text}");
        assert!(text.contains("is bound more than once"), "{text}");
    }

    #[test]
    fn a_service_without_a_wsdl_is_refused() {
        let error = check_registration("NoSuchService", &[]).unwrap_err();
        assert!(error.to_string().contains("no WSDL"), "{error}");
    }
}
