//! The README's operation tables, checked against the contract description generated from
//! the WSDLs: each service section lists exactly its WSDL's operations, and each row names the
//! operation's declared faults (all but `AccessDeniedFault`, which the README explains once
//! for every operation that can refuse a caller) and no fault the WSDL does not declare.

use std::collections::BTreeSet;

use soapstone::contract::SERVICES;

const README: &str = include_str!("../README.md");

/// The rows `(operation, faults column)` of the table under `### {service} (`.
fn table(service: &str) -> Vec<(String, String)> {
    let heading = format!("### {service} (");
    let section = README
        .split("\n### ")
        .find(|s| format!("### {s}").starts_with(&heading))
        .unwrap_or_else(|| panic!("README has no section {heading}"));
    section
        .lines()
        .skip_while(|l| !l.starts_with("| operation |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
            (
                cells[0].trim().to_string(),
                cells.last().unwrap().trim().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_service_table_lists_its_wsdl_operations_and_faults() {
    for service in SERVICES.iter().filter(|s| s.name != "BenchService") {
        let rows = table(service.name);
        let listed: BTreeSet<&str> = rows.iter().map(|(op, _)| op.as_str()).collect();
        let declared: BTreeSet<&str> = service.operations.iter().map(|o| o.name).collect();
        assert_eq!(listed, declared, "the README table of {}", service.name);
        for (op, faults) in &rows {
            let contract = service.operations.iter().find(|o| o.name == op).unwrap();
            let declared: BTreeSet<&str> = contract
                .faults
                .iter()
                .map(|f| f.element.local)
                .filter(|f| *f != "AccessDeniedFault")
                .collect();
            let named: BTreeSet<&str> = faults
                .split([',', ';', ' '])
                .filter(|w| w.ends_with("Fault") && !w.contains(':'))
                .filter(|w| *w != "AccessDeniedFault")
                .collect();
            assert_eq!(
                named, declared,
                "{}.{op}: README says {faults:?}",
                service.name
            );
        }
    }
}
