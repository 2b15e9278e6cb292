//! Golden tests, one small contract per schema feature under `tests/golden/<feature>/`: the
//! pipeline runs from the feature's entry document and its output is compared with the
//! `expected*.rs` files beside it. `UPDATE_GOLDEN=1 cargo test -p contractgen --test golden`
//! rewrites them; every rewrite is to be read before it is committed.

use std::path::{Path, PathBuf};

use contractgen::{Config, NamespaceBinding, TypeMap, emit};

fn dir(feature: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(feature)
}

/// Compares `actual` with `file` in the feature's folder, or writes it there on
/// `UPDATE_GOLDEN=1`.
fn compare(feature: &str, file: &str, actual: &str) {
    let path = dir(feature).join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("golden file written");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the generated code from line {}:\nexpected: {:?}\nactual:   {:?}",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

/// The binding of a golden namespace: module `crate::golden`, constant `GOLDEN`, prefix `g`.
fn binding(uri: &str) -> NamespaceBinding {
    NamespaceBinding::new(uri, "crate::golden", "GOLDEN", "g")
}

/// Runs the pipeline on `entry` of `feature` and compares the code of each of `outputs`
/// (namespace, expected file) with its golden file.
fn golden(feature: &str, entry: &str, config: &Config, outputs: &[(&str, &str)]) {
    let model =
        contractgen::load(&[dir(feature).join(entry)], config).expect("the schema resolves");
    for (namespace, file) in outputs {
        let code = emit::module(&model, config, namespace).expect("code is emitted");
        compare(feature, file, &code);
    }
}

/// A feature whose one schema, `schema.xsd`, has namespace `urn:golden:<feature>`.
fn single(feature: &str) {
    let uri = format!("urn:golden:{feature}");
    let config = Config::new(TypeMap::builtins()).namespace(binding(&uri));
    golden(feature, "schema.xsd", &config, &[(&uri, "expected.rs")]);
}

#[test]
fn sequence() {
    single("sequence");
}

#[test]
fn optional() {
    single("optional");
}

#[test]
fn repeated() {
    single("repeated");
}

#[test]
fn nillable() {
    single("nillable");
}

#[test]
fn choice() {
    single("choice");
}

#[test]
fn enumeration() {
    single("enumeration");
}

#[test]
fn facets() {
    single("facets");
}

#[test]
fn imports_across_namespaces() {
    let shared = NamespaceBinding::new("urn:golden:imports:shared", "crate::shared", "SHARED", "s");
    let config = Config::new(TypeMap::builtins())
        .namespace(binding("urn:golden:imports"))
        .namespace(shared);
    golden(
        "imports",
        "orders.xsd",
        &config,
        &[
            ("urn:golden:imports", "expected.rs"),
            ("urn:golden:imports:shared", "expected_shared.rs"),
        ],
    );
}

#[test]
fn injected_types() {
    let ns = "urn:golden:injected";
    let types = TypeMap::builtins()
        .inject(ns, "Money", "crate::common::Money")
        .inject(ns, "Role", "crate::security::Role");
    let config = Config::new(types).namespace(binding(ns));
    golden("injected", "schema.xsd", &config, &[(ns, "expected.rs")]);
}

#[test]
fn shared_content() {
    let ns = "urn:golden:shared";
    let config =
        Config::new(TypeMap::builtins()).namespace(binding(ns).sharing_identical_content());
    golden("shared", "schema.xsd", &config, &[(ns, "expected.rs")]);
}

#[test]
fn wsdl_contract() {
    let ns = "urn:golden:wsdl";
    let config = Config::new(TypeMap::builtins()).namespace(binding(ns));
    golden("wsdl", "Clock.wsdl", &config, &[(ns, "expected.rs")]);
    let model = contractgen::load(&[dir("wsdl").join("Clock.wsdl")], &config).expect("resolves");
    compare("wsdl", "expected_contracts.rs", &emit::contracts(&model));
}

/// The contract description compiles on its own and says what the WSDL says.
mod contracts {
    include!("golden/wsdl/expected_contracts.rs");

    #[test]
    fn the_description_is_the_wsdls() {
        assert_eq!(SERVICES, [&CLOCK_SERVICE]);
        let now = &CLOCK_SERVICE.operations[0];
        assert_eq!(now.soap_action, "urn:golden:wsdl#Now");
        assert_eq!(now.input.local, "Now");
        assert_eq!(now.input_headers[0].local, "Token");
        assert_eq!(now.faults[0].element.local, "ClockFault");
        assert_eq!(
            CLOCK_SERVICE.soap_versions,
            [SoapVersion::Soap11, SoapVersion::Soap12]
        );
    }
}
