//! Storage outages, on a PostgreSQL cluster and a Redis server of the test's own (so they can
//! be stopped): while PostgreSQL is down requests get a retryable Server fault (503 with
//! Retry-After) and `/ready` is 503, service resumes by itself when it is back, a request that
//! finds every pool connection busy gets the same fault instead of a queue, a restart of
//! PostgreSQL under concurrent writes loses no acknowledged write, a node whose Redis goes
//! away keeps serving correct answers without it and uses it again once it is back, and a
//! credential change made while Redis is gone (or just back, empty) is refused at the very
//! next call on another node.
//!
//! They need the PostgreSQL and Redis programs (`scripts/test.sh` installs them); without them
//! they say so and pass.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use support::{CATALOG_NS, SECURITY_NS, Server, Svc, assert_wsse, env11_with, wsse_text};

/// A free loopback port (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The folder of PostgreSQL's server programs, when installed.
fn pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A PostgreSQL cluster of this test's own, in a temporary folder, on a free port.
struct Postgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Postgres {
    fn start() -> Option<Postgres> {
        let Some(bin) = pg_bin() else {
            assert!(
                std::env::var_os("SOAPSTONE_TEST_PG").is_none(),
                "the test servers run but PostgreSQL's programs are not in /usr/lib/postgresql"
            );
            eprintln!("skipped: PostgreSQL is not installed (scripts/test.sh installs it)");
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        if is_root() {
            // PostgreSQL refuses to run as root: its folder belongs to the postgres user.
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .expect("chown runs");
            assert!(status.success());
        }
        let postgres = Postgres {
            bin,
            dir,
            port: free_port(),
        };
        postgres.ctl(&[
            "initdb",
            "-D",
            &postgres.data().to_string_lossy(),
            "-A",
            "trust",
            "-U",
            "soapstone",
        ]);
        postgres.up();
        support::bootstrap(&postgres.url());
        Some(postgres)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("pg")
    }

    /// The URL of its database, where `start` bootstrapped the admin.
    fn url(&self) -> String {
        format!("postgres://soapstone@127.0.0.1:{}/postgres", self.port)
    }

    /// Runs `program args` (one of PostgreSQL's), as the postgres user when root.
    fn ctl(&self, program_and_args: &[&str]) {
        let program = self.bin.join(program_and_args[0]);
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let output = command
            .args(&program_and_args[1..])
            .current_dir(self.dir.path())
            .output()
            .expect("a PostgreSQL program runs");
        assert!(
            output.status.success(),
            "{program_and_args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn up(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("pg.log");
        self.ctl(&[
            "pg_ctl",
            "-D",
            &self.data().to_string_lossy(),
            "-o",
            &options,
            "-l",
            &log.to_string_lossy(),
            "-w",
            "start",
        ]);
    }

    /// Stops the server at once, as a crash would (no checkpoint).
    fn crash(&self) {
        self.ctl(&[
            "pg_ctl",
            "-D",
            &self.data().to_string_lossy(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ]);
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = Command::new(if is_root() { "runuser" } else { "true" })
            .args(if is_root() {
                vec!["-u", "postgres", "--"]
            } else {
                vec![]
            })
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &data.to_string_lossy(), "-m", "immediate", "stop"])
            .output();
    }
}

/// A redis-server of this test's own on a free port.
struct Redis {
    port: u16,
    child: Option<std::process::Child>,
}

impl Redis {
    fn start() -> Option<Redis> {
        if Command::new("redis-server")
            .arg("--version")
            .output()
            .is_err()
        {
            eprintln!("skipped: redis-server is not installed (scripts/test.sh installs it)");
            return None;
        }
        let mut redis = Redis {
            port: free_port(),
            child: None,
        };
        redis.up();
        Some(redis)
    }

    fn up(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not listen on {}", self.port);
    }

    fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.down();
    }
}

/// Asks `/ready` until it answers `status`, at most `tries` times a quarter second apart.
async fn ready_becomes(server: &Server, status: u16, tries: usize) {
    for _ in 0..tries {
        if server.get("/ready", &[]).await.status == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("/ready never answered {status}");
}

#[tokio::test]
async fn while_postgres_is_down_requests_get_a_retryable_fault_and_service_resumes_by_itself() {
    let Some(postgres) = Postgres::start() else {
        return;
    };
    let server = Server::start_on(&postgres.url(), &["--db-pool-wait", "1"]);
    let get = || server.call(Svc::Users, "GetUser", "<p:username>admin</p:username>");
    get().await.assert_ok11();
    assert_eq!(server.get("/ready", &[]).await.status, 200);

    postgres.crash();
    let reply = get().await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.retry_after.as_deref(), Some("1"));
    assert_eq!(reply.text("", "faultcode"), "soap:Server", "{}", reply.body);
    assert!(
        reply.reason().contains("Storage unavailable"),
        "{}",
        reply.body
    );
    assert_eq!(server.get("/ready", &[]).await.status, 503);

    postgres.up();
    ready_becomes(&server, 200, 120).await;
    get().await.assert_ok11();
}

#[tokio::test]
async fn a_postgres_restart_under_concurrent_writes_loses_no_acknowledged_write() {
    let Some(postgres) = Postgres::start() else {
        return;
    };
    let server = Arc::new(Server::start_on(&postgres.url(), &["--db-pool-wait", "1"]));
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let (restarted_tx, restarted) = tokio::sync::watch::channel(false);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let server = server.clone();
            let acknowledged = acknowledged.clone();
            let restarted = restarted.clone();
            tokio::spawn(async move {
                let mut after = 0;
                for n in 0..5_000 {
                    let name = format!("w{w}n{n}");
                    if let Some(reply) = server.try_create_user(&name).await
                        && reply.status == 200
                    {
                        acknowledged.lock().unwrap().push(name);
                        if *restarted.borrow() {
                            after += 1;
                            if after >= 20 {
                                return;
                            }
                        }
                    }
                }
            })
        })
        .collect();
    // Bounded: writers that never succeed fail the test instead of hanging it.
    for _ in 0..6_000 {
        if acknowledged.lock().unwrap().len() >= 40 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        acknowledged.lock().unwrap().len() >= 40,
        "the writers did not get 40 writes acknowledged"
    );
    postgres.crash();
    postgres.up();
    restarted_tx.send(true).unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    for name in &acknowledged {
        server
            .call(
                Svc::Users,
                "GetUser",
                &format!("<p:username>{name}</p:username>"),
            )
            .await
            .assert_ok11();
    }
}

#[tokio::test]
async fn without_redis_a_node_keeps_answering_correctly_and_uses_it_again_when_it_is_back() {
    let (Some(postgres), Some(mut redis)) = (Postgres::start(), Redis::start()) else {
        return;
    };
    let server = Server::start_on(&postgres.url(), &["--redis", &redis.url()]);
    let price = |p: &'static str| {
        let server = &server;
        async move {
            server
                .call(
                    Svc::Catalog,
                    "UpdateProduct",
                    &format!("<p:sku>R-1</p:sku><p:unitPrice>{p}</p:unitPrice>"),
                )
                .await
        }
    };
    let read = || server.call(Svc::Catalog, "GetProduct", "<p:sku>R-1</p:sku>");
    server
        .call(
            Svc::Catalog,
            "CreateProduct",
            "<p:sku>R-1</p:sku><p:name>R</p:name><p:unitPrice>1.00</p:unitPrice>\
             <p:currency>EUR</p:currency><p:stock>1</p:stock>",
        )
        .await
        .assert_ok11();
    read().await.assert_ok11();
    assert_eq!(server.metric("soapstone_redis_up").await, 1.0);

    redis.down();
    for p in ["2.00", "3.00", "4.00"] {
        price(p).await.assert_ok11();
        let reply = read().await;
        reply.assert_ok11();
        assert_eq!(reply.text(CATALOG_NS, "unitPrice"), p);
    }
    assert_eq!(server.metric("soapstone_redis_up").await, 0.0);
    assert!(server.metric("soapstone_redis_errors_total").await >= 1.0);
    let warnings = server
        .logs
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("Redis is unavailable"))
        .count();
    assert_eq!(warnings, 1, "logged once when it went away");

    redis.up();
    for _ in 0..40 {
        read().await.assert_ok11();
        if server.metric("soapstone_redis_up").await == 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(server.metric("soapstone_redis_up").await, 1.0);
    price("5.00").await.assert_ok11();
    assert_eq!(read().await.text(CATALOG_NS, "unitPrice"), "5.00");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_answers_a_retryable_fault_instead_of_queueing() {
    let Some(postgres) = Postgres::start() else {
        return;
    };
    let server = Arc::new(Server::start_on(
        &postgres.url(),
        &["--db-pool-size", "1", "--db-pool-wait", "0.5"],
    ));
    let get_user = || server.call(Svc::Users, "GetUser", "<p:username>admin</p:username>");
    get_user().await.assert_ok11();

    // Hold the products table, so that a product read keeps the one pool connection busy.
    let (lock, connection) = tokio_postgres::connect(&postgres.url(), tokio_postgres::NoTls)
        .await
        .expect("the test connects");
    tokio::spawn(connection);
    lock.batch_execute("BEGIN; LOCK TABLE products IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let reader = {
        let server = server.clone();
        tokio::spawn(async move {
            server
                .call(Svc::Catalog, "GetProduct", "<p:sku>NONE</p:sku>")
                .await
        })
    };
    let mut waiting = 0;
    for _ in 0..200 {
        waiting = lock
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0);
        if waiting == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(waiting, 1, "the product read waits for the lock");

    // The connection is taken: the next request is answered within the wait, not queued.
    let reply = get_user().await;
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(reply.retry_after.as_deref(), Some("1"));
    assert!(reply.body.contains("Storage unavailable"), "{}", reply.body);

    lock.batch_execute("COMMIT").await.unwrap();
    let reply = reader.await.unwrap();
    assert!(
        reply.body.contains("ProductNotFoundFault"),
        "{}",
        reply.body
    );
    get_user().await.assert_ok11();
}

/// Carol's WhoAmI on `node` with `password`.
async fn carol_on(node: &Server, password: &str) -> support::Reply {
    node.post(
        "/services/AuthService",
        "text/xml; charset=utf-8",
        &[],
        &env11_with(
            &wsse_text("carol", password),
            &format!(r#"<s:WhoAmI xmlns:s="{SECURITY_NS}"/>"#),
        ),
    )
    .await
}

#[tokio::test]
async fn with_redis_gone_credential_changes_are_seen_at_the_very_next_call_on_every_node() {
    let (Some(postgres), Some(mut redis)) = (Postgres::start(), Redis::start()) else {
        return;
    };
    let nodes: Vec<Server> = (0..2)
        .map(|_| Server::start_on(&postgres.url(), &["--redis", &redis.url()]))
        .collect();
    let (a, b) = (&nodes[0], &nodes[1]);
    let id = a.add_user("carol", "customer", "carol-password-1");
    let set_password = |password: &'static str| {
        let id = id.clone();
        async move {
            a.call(
                Svc::Users,
                "SetPassword",
                &format!("<p:id>{id}</p:id><p:newPassword>{password}</p:newPassword>"),
            )
            .await
            .assert_ok11();
        }
    };
    for _ in 0..2 {
        carol_on(b, "carol-password-1").await.assert_ok11();
    }

    // Redis gone: node A cannot publish the change, node B cannot read the generation, so B
    // reads PostgreSQL and refuses the old password at once.
    redis.down();
    set_password("carol-password-2").await;
    assert_wsse(
        &carol_on(b, "carol-password-1").await,
        "FailedAuthentication",
    );
    for _ in 0..2 {
        carol_on(b, "carol-password-2").await.assert_ok11();
    }

    // Redis back, empty: no generation until a node publishes one (each does every second).
    // Once both nodes use it again, a change is seen at the very next call again; a change
    // made while Redis answers one node and not the other is the documented window.
    redis.up();
    for node in [a, b] {
        for _ in 0..40 {
            if node.metric("soapstone_redis_up").await == 1.0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        assert_eq!(node.metric("soapstone_redis_up").await, 1.0);
    }
    set_password("carol-password-3").await;
    assert_wsse(
        &carol_on(b, "carol-password-2").await,
        "FailedAuthentication",
    );
    carol_on(b, "carol-password-3").await.assert_ok11();
    carol_on(a, "carol-password-3").await.assert_ok11();
}
