//! Generates the message layer from the contract in `wsdl/` and `xsd/` with contractgen, into
//! `OUT_DIR`: one file per schema namespace (its message types, fault details, enumerations and
//! facet checks, with their codecs), included by the module the namespace is bound to below,
//! and every service's contract description (`contracts.rs`), against which the server checks
//! its registration at start-up. The whole contract is read and resolved, so a construct the
//! generator does not support anywhere in it fails the build, naming it and where it is.
//!
//! The type map injects the domain's own types where the schema describes one of them: money
//! and currency codes, roles, user and product states, sort fields and order states (not
//! `c:OrderAction`: the domain's cancel carries its reason), each with
//! its codec beside the messages that use it.

use std::path::PathBuf;

use contractgen::{Config, NamespaceBinding, TypeMap, emit, parse};

const COMMON: &str = "http://soapstone.dev/schema/common/v1";
const USERS: &str = "http://soapstone.dev/schema/users/v1";
const CATALOG: &str = "http://soapstone.dev/schema/catalog/v1";
const ORDERS: &str = "http://soapstone.dev/schema/orders/v1";
const SECURITY: &str = "http://soapstone.dev/schema/security/v1";

/// Each namespace: its URI, the file it is generated into, the module through which other
/// generated code reaches its types (the one that includes or re-exports them), its constant
/// and its prefix.
const NAMESPACES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "urn:bench",
        "bench.rs",
        "crate::bench::messages",
        "BENCH",
        "b",
    ),
    (COMMON, "common.rs", "crate::common", "COMMON", "c"),
    (USERS, "users.rs", "crate::users::messages", "USERS", "u"),
    (
        CATALOG,
        "catalog.rs",
        "crate::catalog::messages",
        "CATALOG",
        "cat",
    ),
    (
        ORDERS,
        "orders.rs",
        "crate::orders::messages",
        "ORDERS",
        "ord",
    ),
    (
        SECURITY,
        "security.rs",
        "crate::auth::messages",
        "SECURITY",
        "s",
    ),
];

/// Schema types the domain already has: `(namespace, type, Rust path)`.
const INJECTED: &[(&str, &str, &str)] = &[
    (COMMON, "Money", "crate::common::Money"),
    (COMMON, "CurrencyCode", "crate::common::Currency"),
    (SECURITY, "Role", "crate::identity::Role"),
    (
        SECURITY,
        "AuthenticationMethod",
        "crate::identity::AuthMethod",
    ),
    (SECURITY, "Outcome", "crate::security::audit::Outcome"),
    (USERS, "Role", "crate::identity::Role"),
    (USERS, "UserStatus", "crate::identity::UserStatus"),
    (USERS, "UserSortField", "crate::users::UserSort"),
    (CATALOG, "ProductStatus", "crate::catalog::ProductStatus"),
    (CATALOG, "ProductSortField", "crate::catalog::ProductSort"),
    (ORDERS, "OrderStatus", "crate::orders::OrderStatus"),
    (ORDERS, "ReportGrouping", "crate::orders::ReportGrouping"),
];

fn main() {
    println!("cargo::rerun-if-changed=wsdl");
    println!("cargo::rerun-if-changed=xsd");
    if let Err(e) = generate() {
        eprintln!("error: the message layer cannot be generated from the contract: {e}");
        std::process::exit(1);
    }
}

fn generate() -> Result<(), contractgen::Error> {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let types = INJECTED
        .iter()
        .fold(TypeMap::builtins(), |map, (ns, local, rust)| {
            map.inject(ns, local, rust)
        });
    let config = NAMESPACES.iter().fold(
        Config::new(types),
        |config, (uri, _, module, constant, prefix)| {
            let binding = NamespaceBinding::new(uri, module, constant, prefix);
            config.namespace(if *uri == "urn:bench" {
                binding.sharing_identical_content()
            } else {
                binding
            })
        },
    );
    let model = contractgen::load(&parse::contract_files(&root)?, &config)?;
    for (uri, file, ..) in NAMESPACES {
        emit::write(&out.join(file), &emit::module(&model, &config, uri)?)?;
    }
    emit::write(&out.join("contracts.rs"), &emit::contracts(&model))
}
