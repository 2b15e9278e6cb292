//! Sends every request in samples/ to a fresh server, in file-name order (as
//! samples/README.md tells a person to), and checks each response: status, content type,
//! schema validity, the response element, and the values the sequence must produce.

mod support;

use soapstone::contract::{OperationContract, SERVICES, ServiceContract};
use support::{CATALOG_NS, ORDERS_NS, Server, USERS_NS, texts};

const SECURITY_NS: &str = "http://soapstone.dev/schema/security/v1";

/// The service that declares operation `op` in its WSDL, and the operation, as the
/// generated contract description has them.
fn route(op: &str) -> (&'static ServiceContract, &'static OperationContract) {
    SERVICES
        .iter()
        .find_map(|service| {
            let found = service.operations.iter().find(|o| o.name == op)?;
            Some((*service, found))
        })
        .unwrap_or_else(|| panic!("a sample for an operation no WSDL declares: {op}"))
}

/// Values the sample sequence must produce, by file stem: (namespace, element, texts). The
/// server starts with one user, the admin (id 1), whose UsernameToken every sample carries.
fn expected(stem: &str) -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    match stem {
        "01-CreateUser" => vec![(USERS_NS, "id", vec!["2"])],
        "05-ListUsers" => vec![(USERS_NS, "totalCount", vec!["3"])],
        "07-DeleteUser" => vec![(USERS_NS, "deleted", vec!["true"])],
        "10-CreateProduct" => vec![
            (CATALOG_NS, "unitPrice", vec!["19.99"]),
            (CATALOG_NS, "tag", vec!["hardware", "steel"]),
            (CATALOG_NS, "status", vec!["active"]),
        ],
        "13-UpdateProduct" => vec![
            (CATALOG_NS, "unitPrice", vec!["17.50"]),
            (CATALOG_NS, "tag", vec!["hardware", "sale"]),
        ],
        "14-AdjustStock" => vec![(CATALOG_NS, "stock", vec!["8"])],
        "15-SearchProducts" => vec![
            (CATALOG_NS, "sku", vec!["WIDGET-1"]),
            (CATALOG_NS, "totalCount", vec!["1"]),
        ],
        "16-PlaceOrder" => vec![
            (ORDERS_NS, "status", vec!["placed"]),
            (ORDERS_NS, "lineTotal", vec!["35.00", "5.00"]),
            (ORDERS_NS, "total", vec!["40.00"]),
            (ORDERS_NS, "currency", vec!["EUR"]),
        ],
        "19-ShipOrder" => vec![(ORDERS_NS, "status", vec!["shipped"])],
        "21-CancelOrder" => vec![(ORDERS_NS, "status", vec!["cancelled"])],
        "22-SalesReport" => vec![
            (ORDERS_NS, "key", vec!["GADGET-2", "WIDGET-1"]),
            (ORDERS_NS, "quantity", vec!["1", "2"]),
            (ORDERS_NS, "revenue", vec!["5.00", "35.00"]),
        ],
        "23-DiscontinueProduct" => vec![
            (CATALOG_NS, "status", vec!["discontinued"]),
            (CATALOG_NS, "stock", vec!["7"]),
        ],
        "26-SetPassword" => vec![(USERS_NS, "id", vec!["2"])],
        "28-WhoAmI" => vec![
            (SECURITY_NS, "username", vec!["admin"]),
            (SECURITY_NS, "authentication", vec!["password"]),
        ],
        "30-Logout" => vec![(SECURITY_NS, "loggedOut", vec!["false"])],
        "31-GetUserByEmail" => vec![(USERS_NS, "id", vec!["2"])],
        // The SHA-256 of the 69-byte PNG in the sample, as `sha256sum` prints it.
        "32-SetProductImage" => vec![
            (CATALOG_NS, "bytes", vec!["69"]),
            (
                CATALOG_NS,
                "sha256",
                vec!["59700d5d520e6c4b68cc8b2372d0a41dc7d383aa7df81b1e26e9fda51b561358"],
            ),
        ],
        "33-GetProductImage" => vec![(CATALOG_NS, "contentType", vec!["image/png"])],
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn every_sample_works_against_a_fresh_server() {
    let server = Server::start();
    let mut files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/samples"))
        .expect("samples/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();

    let mut operations = std::collections::BTreeSet::new();
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let (stem, soap12) = match name.strip_suffix(".soap12") {
            Some(stem) => (stem.to_string(), true),
            None => (name.clone(), false),
        };
        let op = stem.split_once('-').expect("NN-Operation").1.to_string();
        operations.insert(op.clone());
        let (service, operation) = route(&op);
        let path = &format!("/services/{}", service.name);
        let action = operation.soap_action;
        let body = std::fs::read_to_string(file).unwrap();
        let reply = if soap12 {
            let content_type = format!("application/soap+xml; charset=utf-8; action=\"{action}\"");
            server.post(path, &content_type, &[], &body).await
        } else {
            let quoted = format!("\"{action}\"");
            server
                .post(
                    path,
                    "text/xml; charset=utf-8",
                    &[("SOAPAction", &quoted)],
                    &body,
                )
                .await
        };
        if soap12 {
            reply.assert_ok12();
        } else {
            reply.assert_ok11();
        }
        assert_eq!(
            reply
                .texts(operation.output.namespace, operation.output.local)
                .len(),
            1,
            "{name}: {}",
            reply.body
        );
        if operation.input.namespace == USERS_NS && op != "ListUsers" {
            for field in ["username", "email", "displayName", "status"] {
                let sent = texts(&body, USERS_NS, field);
                if sent.len() == 1 {
                    assert_eq!(reply.texts(USERS_NS, field), sent, "{name}: {field}");
                }
            }
        }
        for (ns, element, values) in expected(&stem) {
            assert_eq!(reply.texts(ns, element), values, "{name}: {element}");
        }
    }
    for service in SERVICES.iter().filter(|s| s.name != "BenchService") {
        for op in service.operations {
            assert!(operations.contains(op.name), "a sample for {}", op.name);
        }
    }
}
