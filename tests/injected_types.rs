//! The domain enumerations build.rs injects for schema types (`build/contract_types.rs`)
//! must read and write exactly the values the schema declares: the contract is resolved here
//! again without the injections, so each of those types comes out as the schema's own
//! enumeration, and its values are compared with the domain type's names, in order.

use std::path::Path;

use contractgen::model::{Origin, TypeKind};
use contractgen::{Config, NamespaceBinding, TypeMap, parse};
use soapstone::catalog::{ProductSort, ProductStatus};
use soapstone::identity::{AuthMethod, Role, UserStatus};
use soapstone::orders::{OrderStatus, ReportGrouping};
use soapstone::security::audit::Outcome;
use soapstone::users::UserSort;

include!("../build/contract_types.rs");

/// The names of each injected enumeration, by the Rust path build.rs injects it as.
fn domain_names(rust: &str) -> Option<&'static [&'static str]> {
    Some(match rust {
        "crate::identity::Role" => Role::NAMES,
        "crate::identity::AuthMethod" => AuthMethod::NAMES,
        "crate::identity::UserStatus" => UserStatus::NAMES,
        "crate::security::audit::Outcome" => Outcome::NAMES,
        "crate::users::UserSort" => UserSort::NAMES,
        "crate::catalog::ProductStatus" => ProductStatus::NAMES,
        "crate::catalog::ProductSort" => ProductSort::NAMES,
        "crate::orders::OrderStatus" => OrderStatus::NAMES,
        "crate::orders::ReportGrouping" => ReportGrouping::NAMES,
        _ => return None,
    })
}

#[test]
fn every_injected_enumeration_names_exactly_the_schema_values() {
    let config = NAMESPACES.iter().fold(
        Config::new(TypeMap::builtins()),
        |config, (uri, _, module, constant, prefix)| {
            config.namespace(NamespaceBinding::new(uri, module, constant, prefix))
        },
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model = contractgen::load(&parse::contract_files(root).unwrap(), &config).unwrap();
    let mut checked = 0;
    for (namespace, local, rust) in INJECTED {
        let declared = model.types.iter().find_map(|t| match (&t.origin, &t.kind) {
            (Origin::Named(name), TypeKind::Enumeration(values))
                if name == local && t.namespace == *namespace =>
            {
                Some(values.iter().map(|v| v.value.as_str()).collect::<Vec<_>>())
            }
            _ => None,
        });
        let Some(declared) = declared else {
            assert!(
                domain_names(rust).is_none(),
                "{{{namespace}}}{local} is not an enumeration, but {rust} is listed as one"
            );
            continue;
        };
        let names = domain_names(rust)
            .unwrap_or_else(|| panic!("{{{namespace}}}{local} is an enumeration: list {rust}"));
        assert_eq!(names, declared, "{rust} against {{{namespace}}}{local}");
        checked += 1;
    }
    assert_eq!(checked, 10, "the injected enumerations");
}
