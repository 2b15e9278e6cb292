//! Generates the message layer from the contract in `wsdl/` and `xsd/` with contractgen, into
//! `OUT_DIR`: today the benchmark contract's messages (`bench.rs`, included by
//! `src/bench/messages.rs`) and every service's contract description (`contracts.rs`, which the
//! benchmark service's tests check its registration against). The whole contract is read and
//! resolved, so a construct the generator does not support anywhere in it fails the build,
//! naming it and where it is.

use std::path::PathBuf;

use contractgen::{Config, NamespaceBinding, TypeMap, emit, parse};

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
    let config = Config::new(TypeMap::builtins()).namespace(
        NamespaceBinding::new("urn:bench", "crate::bench", "BENCH", "b")
            .sharing_identical_content(),
    );
    let model = contractgen::load(&parse::contract_files(&root)?, &config)?;
    emit::write(
        &out.join("bench.rs"),
        &emit::module(&model, &config, "urn:bench")?,
    )?;
    emit::write(&out.join("contracts.rs"), &emit::contracts(&model))
}
