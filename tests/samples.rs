//! Sends every request in samples/ to a fresh server, in file-name order (as
//! samples/README.md tells a person to), and checks each response.

mod support;

use support::{Server, USERS_NS, texts};

#[tokio::test]
async fn every_sample_works_against_a_fresh_server() {
    let server = Server::start();
    let mut files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/samples"))
        .expect("samples/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 9,
        "one sample per operation plus two SOAP 1.2 variants"
    );

    let mut operations = std::collections::BTreeSet::new();
    for file in &files {
        let name = file.file_stem().unwrap().to_string_lossy().to_string();
        let (stem, soap12) = match name.strip_suffix(".soap12") {
            Some(stem) => (stem.to_string(), true),
            None => (name.clone(), false),
        };
        let op = stem.split_once('-').expect("NN-Operation").1.to_string();
        operations.insert(op.clone());
        let body = std::fs::read_to_string(file).unwrap();
        let action = support::action(&op);
        let reply = if soap12 {
            server.soap12(Some(&action), &body).await
        } else {
            server.soap11(Some(&action), &body).await
        };
        if soap12 {
            reply.assert_ok12();
        } else {
            reply.assert_ok11();
        }
        let response_element = format!("<u:{op}Response ");
        assert!(
            reply.body.contains(&response_element),
            "{name}: {}",
            reply.body
        );

        // What each request names comes back.
        for field in ["username", "email", "displayName", "status"] {
            let sent = texts(&body, USERS_NS, field);
            if op != "ListUsers" && sent.len() == 1 {
                assert_eq!(reply.texts(USERS_NS, field), sent, "{name}: {field}");
            }
        }
        if let [id] = texts(&body, USERS_NS, "id").as_slice()
            && op != "DeleteUser"
        {
            assert_eq!(&reply.text(USERS_NS, "id"), id, "{name}");
        }
        if op == "DeleteUser" {
            assert_eq!(reply.text(USERS_NS, "deleted"), "true");
        }
    }
    for op in [
        "CreateUser",
        "GetUser",
        "ListUsers",
        "UpdateUser",
        "DeleteUser",
    ] {
        assert!(operations.contains(op), "a sample for {op}");
    }
}
