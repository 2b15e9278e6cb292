//! The generator over the repository's own contract (`wsdl/`, `xsd/`): every document reads,
//! resolves and emits.

use std::path::Path;

use contractgen::{Config, NamespaceBinding, TypeMap, emit, parse};

/// Every namespace of the contract bound to a module of its own.
fn config() -> Config {
    [
        ("urn:bench", "crate::bench", "BENCH", "b"),
        (
            "http://soapstone.dev/schema/common/v1",
            "crate::common",
            "COMMON",
            "c",
        ),
        (
            "http://soapstone.dev/schema/users/v1",
            "crate::users",
            "USERS",
            "u",
        ),
        (
            "http://soapstone.dev/schema/catalog/v1",
            "crate::catalog",
            "CATALOG",
            "cat",
        ),
        (
            "http://soapstone.dev/schema/orders/v1",
            "crate::orders",
            "ORDERS",
            "ord",
        ),
        (
            "http://soapstone.dev/schema/security/v1",
            "crate::auth",
            "SECURITY",
            "s",
        ),
    ]
    .into_iter()
    .fold(
        Config::new(TypeMap::builtins()),
        |config, (uri, module, constant, prefix)| {
            config.namespace(NamespaceBinding::new(uri, module, constant, prefix))
        },
    )
}

#[test]
fn the_repository_contract_generates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = parse::contract_files(&root).expect("contract files");
    let config = config();
    let model = contractgen::load(&files, &config).expect("the contract resolves");
    let services: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        services,
        [
            "AuthService",
            "BenchService",
            "CatalogService",
            "OrderService",
            "UserService"
        ]
    );
    let bench = &model.services[1];
    let actions: Vec<(&str, &str)> = bench
        .operations
        .iter()
        .map(|o| (o.name.as_str(), o.soap_action.as_str()))
        .collect();
    assert_eq!(
        actions,
        [("Echo", "urn:bench#Echo"), ("GetItem", "urn:bench#GetItem")]
    );
    for binding in &config.namespaces {
        let code = emit::module(&model, &config, &binding.uri).expect("emits");
        assert!(code.contains(&format!("pub const {}: Namespace", binding.constant)));
    }
    let contracts = emit::contracts(&model);
    assert!(contracts.contains("pub const USER_SERVICE: ServiceContract"));
}
