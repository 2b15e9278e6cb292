//! The command line: version, help, and `migrate` creating a database from nothing.

mod support;

use std::process::Command;

#[test]
fn version_and_help() {
    let (ok, text) = support::run(&["--version"]);
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
        let (ok, text) = support::run(args);
        assert!(ok, "{args:?}");
        assert!(text.contains("Usage: soapstone"), "{text}");
    }
    let (ok, text) = support::run(&["serve", "--listen", "not-an-address"]);
    assert!(!ok);
    assert!(text.contains("listen = not-an-address"), "{text}");
}

fn soapstone_env(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_soapstone"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn config_check_merges_file_environment_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("soapstone.toml");
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:9000\"\nmax_in_flight = 7\nrate_limit = 20.0\ndurability = \"normal\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (code, out, err) = soapstone_env(
        &["--config", file, "config", "check", "--max-in-flight", "9"],
        &[
            ("SOAPSTONE_LISTEN", "127.0.0.2:7000"),
            ("SOAPSTONE_MAX_IN_FLIGHT", "8"),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("listen = \"127.0.0.2:7000\""),
        "environment over file: {out}"
    );
    assert!(
        out.contains("max_in_flight = 9"),
        "flag over environment: {out}"
    );
    assert!(
        out.contains("durability = \"normal\""),
        "file over default: {out}"
    );
    assert!(
        out.contains("max_connections = 1024"),
        "defaults are shown: {out}"
    );
    assert!(out.contains("rate_limit = 20.0"), "{out}");

    std::fs::write(dir.path().join("bad.toml"), "lisen = \"x\"\n").unwrap();
    let bad = dir.path().join("bad.toml");
    let (code, _, err) =
        soapstone_env(&["--config", bad.to_str().unwrap(), "config", "check"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown field `lisen`"), "{err}");
    let (code, _, err) = soapstone_env(&["config", "check", "--body-timeout=-3"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("body_timeout"), "{err}");
    let (code, _, err) = soapstone_env(&["--config", "/nonexistent.toml", "config", "check"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot read the configuration file"), "{err}");
}

#[test]
fn migrate_creates_the_database_and_its_folder_and_is_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/soapstone.db");
    let db = db.to_str().unwrap();
    for _ in 0..2 {
        let (ok, text) = support::run(&["migrate", "--db", db]);
        assert!(ok, "{text}");
        assert!(text.contains("schema version 6"), "{text}");
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
    let (ok, text) = support::run(&[
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
    let (ok, text) = support::run(&["seed", "--db", db, "--users", "5", "--orders", "10"]);
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
    let (ok, text) = support::run(&[
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

/// A database of its own on the PostgreSQL server at `SOAPSTONE_TEST_PG`, queried with `psql`
/// and dropped at the end.
struct PgTestDb {
    base: String,
    url: String,
    name: String,
}

impl PgTestDb {
    /// `None`, after saying so, when `SOAPSTONE_TEST_PG` is not set.
    fn create() -> Option<PgTestDb> {
        let Ok(base) = std::env::var("SOAPSTONE_TEST_PG") else {
            eprintln!("skipped: set SOAPSTONE_TEST_PG to a PostgreSQL URL to run this test");
            return None;
        };
        let base = base.trim_end_matches('/').to_string();
        let name = format!("cli_{:016x}", rand::random::<u64>());
        psql(
            &format!("{base}/postgres"),
            &format!("CREATE DATABASE {name}"),
        );
        Some(PgTestDb {
            url: format!("{base}/{name}"),
            base,
            name,
        })
    }

    fn query(&self, sql: &str) -> String {
        psql(&self.url, sql)
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        psql(
            &format!("{}/postgres", self.base),
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

/// The unaligned output of `sql` in the database at `url`.
fn psql(url: &str, sql: &str) -> String {
    let output = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            url,
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn seed_fills_a_postgresql_database_with_the_sqlite_data() {
    let Some(pg) = PgTestDb::create() else {
        return;
    };
    let counts = ["--users", "50", "--products", "20", "--orders", "30"];
    let (ok, text) = support::run(&[&["seed", "--db", &pg.url][..], &counts].concat());
    assert!(ok, "{text}");
    assert!(
        text.contains("added 50 users, 20 products, 30 orders"),
        "{text}"
    );
    let count = |table: &str| pg.query(&format!("SELECT count(*) FROM {table}"));
    assert_eq!(count("users"), "50");
    assert_eq!(count("user_roles"), "50");
    assert_eq!(count("products"), "20");
    assert_eq!(count("orders"), "30");
    assert_eq!(
        pg.query(
            "SELECT count(*) FROM orders o WHERE o.total <> (SELECT sum(quantity * unit_price) \
             FROM order_lines l WHERE l.order_id = o.id)"
        ),
        "0"
    );
    assert_eq!(
        pg.query(
            "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id \
             JOIN products p ON p.id = l.product_id WHERE p.currency <> o.currency"
        ),
        "0"
    );

    // The same rows as the SQLite seed makes from the same counts.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seeded.db");
    let (ok, text) =
        support::run(&[&["seed", "--db", file.to_str().unwrap()][..], &counts].concat());
    assert!(ok, "{text}");
    let conn = rusqlite::Connection::open(&file).unwrap();
    let sqlite = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
    assert_eq!(
        pg.query(
            "SELECT string_agg(username || ' ' || display_name || ' ' || status || ' ' || r.role, \
             ',' ORDER BY id) FROM users JOIN user_roles r ON r.user_id = id"
        ),
        sqlite(
            "SELECT group_concat(username || ' ' || display_name || ' ' || status || ' ' || \
             r.role, ',' ORDER BY id) FROM users JOIN user_roles r ON r.user_id = id"
        )
    );
    let lines = "string_agg(order_id || ':' || line_no || ':' || product_id || ':' || quantity, \
                 ',' ORDER BY order_id, line_no) FROM order_lines";
    assert_eq!(
        pg.query(&format!("SELECT {lines}")),
        sqlite(&format!(
            "SELECT {}",
            lines.replace("string_agg", "group_concat")
        ))
    );

    // Adding to it, and the service adding after the seed, take ids of their own.
    let (ok, text) = support::run(&["seed", "--db", &pg.url, "--users", "5", "--orders", "10"]);
    assert!(ok, "{text}");
    let (ok, text) = support::run_with_input(
        &["user", "add", "--db", &pg.url, "--role", "clerk", "dana"],
        "a long enough password",
    );
    assert!(ok, "{text}");
    assert_eq!(count("users"), "56");
    assert_eq!(count("orders"), "40");
    assert_eq!(
        pg.query("SELECT id FROM users WHERE username = 'dana'"),
        "56"
    );
}

#[test]
fn user_add_names_the_field_that_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("users.db");
    let db = db.to_str().unwrap();
    let add = |name: &str, email: &[&str]| {
        let mut args = vec!["user", "add", "--db", db, "--role", "clerk", name];
        args.extend_from_slice(email);
        support::run_with_input(&args, "a long enough password")
    };
    let (ok, text) = add("dana", &[]);
    assert!(ok, "{text}");
    // The default email is derived from the username, so both are taken: the username is
    // the one the operator chose.
    let (ok, text) = add("dana", &[]);
    assert!(!ok);
    assert!(text.contains("username 'dana' is already taken"), "{text}");
    let (ok, text) = add("dana", &["--email", "other@example.com"]);
    assert!(!ok);
    assert!(text.contains("username 'dana' is already taken"), "{text}");
    let (ok, text) = add("erik", &["--email", "DANA@localhost.localdomain"]);
    assert!(!ok);
    assert!(
        text.contains("email 'DANA@localhost.localdomain' is already taken"),
        "{text}"
    );
}

#[test]
fn config_file_errors_give_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("soapstone.toml");
    std::fs::write(
        &file,
        "# settings\nlisten = \"127.0.0.1:9000\"\n  lisen = \"x\"\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (code, _, err) = soapstone_env(&["--config", file, "config", "check"], &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("line 3, column 3: unknown field `lisen`"),
        "{err}"
    );
    std::fs::write(file, "max_body = 10\nmax_in_flight = \"many\"\n").unwrap();
    let (code, _, err) = soapstone_env(&["--config", file, "config", "check"], &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("line 2, column 17: "), "{err}");
}

#[test]
fn refused_environment_values_name_the_variable() {
    for (var, value) in [
        ("SOAPSTONE_MAX_BODY", "abc"),
        ("SOAPSTONE_BENCH", "maybe"),
        ("SOAPSTONE_DURABILITY", "sometimes"),
    ] {
        let (code, _, err) = soapstone_env(&["config", "check"], &[(var, value)]);
        assert_eq!(code, Some(2), "{var}: {err}");
        assert!(
            err.contains(&format!(
                "invalid value '{value}' for environment variable {var}"
            )),
            "{var}: {err}"
        );
        assert!(!err.contains("for '--"), "{var}: {err}");
    }
    let (code, _, err) = soapstone_env(&["migrate"], &[("SOAPSTONE_DB", "")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("environment variable SOAPSTONE_DB"), "{err}");
    // A refused flag is still named as the flag, also when the variable is set too.
    let (code, _, err) = soapstone_env(
        &["config", "check", "--max-body=abc"],
        &[("SOAPSTONE_MAX_BODY", "7")],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("for '--max-body <MAX_BODY>'"), "{err}");
}

#[test]
fn pages_setting_comes_from_file_environment_and_flag() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("soapstone.toml");
    std::fs::write(&file, "pages = false\n").unwrap();
    let file = file.to_str().unwrap();
    for (args, env, shown) in [
        (&["config", "check"][..], &[][..], "pages = true"),
        (&["--config", file, "config", "check"], &[], "pages = false"),
        (
            &["config", "check"],
            &[("SOAPSTONE_PAGES", "false")],
            "pages = false",
        ),
        (
            &["config", "check", "--pages", "true"],
            &[("SOAPSTONE_PAGES", "false")],
            "pages = true",
        ),
    ] {
        let (code, out, err) = soapstone_env(args, env);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(out.lines().any(|l| l == shown), "{args:?} {env:?}: {out}");
    }
}

#[test]
fn nodes_migrating_one_postgresql_database_at_once_apply_each_migration_once() {
    let Some(pg) = PgTestDb::create() else {
        return;
    };
    let migrations: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_soapstone"))
                .args(["migrate", "--db", &pg.url])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("migrate starts")
        })
        .collect();
    let mut said = Vec::new();
    for migration in migrations {
        let output = migration.wait_with_output().expect("migrate ends");
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        assert!(output.status.success(), "{text}");
        said.push(text);
    }
    assert!(said.windows(2).all(|w| w[0] == w[1]), "{said:?}");
    let version = said[0]
        .trim()
        .rsplit(' ')
        .next()
        .expect("a version")
        .to_string();
    assert_eq!(pg.query("SELECT count(*) FROM schema_migrations"), version);
}

#[test]
fn backup_and_restore_name_the_postgresql_tools_without_the_password() {
    let db = "postgres://soapstone:s3cret@127.0.0.1:1/soapstone";
    let (ok, text) = support::run(&["backup", "--db", db, "--out", "copy.db"]);
    assert!(!ok, "{text}");
    assert!(text.contains("pg_dump"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
    let (ok, text) = support::run(&["restore", "--db", db, "--from", "copy.db"]);
    assert!(!ok, "{text}");
    assert!(text.contains("pg_restore"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");
}
