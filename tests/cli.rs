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

#[test]
fn seed_fills_a_consistent_database_and_adds_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("seeded.db");
    let db = db.to_str().unwrap();
    let (ok, text) = soapstone(&[
        "seed",
        "--db",
        db,
        "--users",
        "60",
        "--products",
        "30",
        "--orders",
        "200",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains("added 60 users, 30 products, 200 orders"),
        "{text}"
    );
    let (ok, text) = soapstone(&["seed", "--db", db, "--users", "5", "--orders", "10"]);
    assert!(ok, "{text}");

    let conn = rusqlite::Connection::open(db).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM users"), 65);
    assert_eq!(count("SELECT count(*) FROM products"), 30);
    assert_eq!(count("SELECT count(*) FROM orders"), 210);
    // Every order's total is the sum of its lines, in one currency, and lines exist.
    assert_eq!(
        count(
            "SELECT count(*) FROM orders o WHERE o.total <> (SELECT sum(quantity * unit_price) \
             FROM order_lines l WHERE l.order_id = o.id)"
        ),
        0
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id \
             JOIN products p ON p.id = l.product_id WHERE p.currency <> o.currency"
        ),
        0
    );
    assert_eq!(count("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    let (ok, text) = soapstone(&[
        "seed",
        "--db",
        dir.path().join("empty.db").to_str().unwrap(),
        "--orders",
        "1",
    ]);
    assert!(!ok);
    assert!(
        text.contains("orders need customers and products"),
        "{text}"
    );
}
