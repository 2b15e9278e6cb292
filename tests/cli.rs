//! The command line: version, help, and `migrate` creating a database from nothing.

use std::process::Command;

fn soapstone(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_soapstone"))
        .args(args)
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn version_and_help() {
    let (ok, text) = soapstone(&["--version"]);
    assert!(ok);
    assert_eq!(
        text.trim(),
        format!("soapstone {}", env!("CARGO_PKG_VERSION"))
    );
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
    ] {
        let (ok, text) = soapstone(args);
        assert!(ok, "{args:?}");
        assert!(text.contains("Usage: soapstone"), "{text}");
    }
    let (ok, text) = soapstone(&["serve", "--listen", "not-an-address"]);
    assert!(!ok);
    assert!(text.contains("invalid value"), "{text}");
}

#[test]
fn migrate_creates_the_database_and_its_folder_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/soapstone.db");
    let db = db.to_str().unwrap();
    for _ in 0..2 {
        let (ok, text) = soapstone(&["migrate", "--db", db]);
        assert!(ok, "{text}");
        assert!(text.contains("schema version 2"), "{text}");
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'user_roles', 'settings')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 3);
}
