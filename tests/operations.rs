//! What an operator gets: health and readiness, Prometheus metrics, one structured log line per
//! request (with its id, without bodies), response compression, rate limiting, and backups
//! taken while the server keeps writing.

mod support;

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use support::{CATALOG_NS, COMMON_NS, Server, Svc, USERS_NS};

#[tokio::test]
async fn health_readiness_and_metrics() {
    let server = Server::start();
    assert_eq!(server.get("/health", &[]).await.status, 200);
    let ready = server.get("/ready", &[]).await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready\n"));

    server
        .create_user("mia", "mia@example.com", &["clerk"])
        .await
        .assert_ok11();
    server
        .create_user("mia", "mia@example.com", &["clerk"])
        .await
        .assert_fault11("Client");
    server
        .call(
            Svc::Catalog,
            "CreateProduct",
            "<p:sku>M1</p:sku><p:name>M</p:name><p:unitPrice>1</p:unitPrice><p:currency>EUR</p:currency><p:stock>1</p:stock>",
        )
        .await
        .assert_ok11();
    for _ in 0..3 {
        server
            .call(Svc::Catalog, "GetProduct", "<p:sku>M1</p:sku>")
            .await
            .assert_ok11();
    }
    let metrics = server.get("/metrics", &[]).await;
    assert_eq!(metrics.status, 200);
    let text = metrics.body;
    // The process metrics are the server's own: its resident memory, descriptors, CPU time.
    let rss_kib: f64 = std::fs::read_to_string(format!("/proc/{}/status", server.pid()))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    let reported = server
        .metric("soapstone_process_resident_memory_bytes")
        .await
        / 1024.0;
    assert!(
        reported > rss_kib / 2.0 && reported < rss_kib * 2.0,
        "{reported} KiB reported, {rss_kib} KiB in /proc"
    );
    let fds = std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .unwrap()
        .count() as f64;
    assert!(server.metric("soapstone_process_open_fds").await >= 3.0 && fds >= 3.0);
    assert!(
        server.metric("soapstone_process_max_fds").await
            >= server.metric("soapstone_process_open_fds").await
    );
    assert!(server.metric("soapstone_process_cpu_seconds_total").await > 0.0);
    for needle in [
        r#"soapstone_requests_total{service="UserService",operation="CreateUser",outcome="ok"} 1"#,
        r#"soapstone_requests_total{service="UserService",operation="CreateUser",outcome="client_fault"} 1"#,
        r#"soapstone_request_duration_seconds_count{service="CatalogService",operation="GetProduct"} 3"#,
        "soapstone_product_cache_hits_total 2",
        "soapstone_product_cache_misses_total 1",
        "soapstone_db_commit_duration_seconds_count",
        "soapstone_db_writer_queue_depth 0",
        "soapstone_requests_in_flight 0",
        "soapstone_connections ",
        r#"soapstone_request_bytes_total{service="UserService",operation="CreateUser"}"#,
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}

#[tokio::test]
async fn one_json_log_line_per_request_with_its_id_and_no_body() {
    let server = Server::start_with(&["--log-format", "json"]);
    let body = support::env11(&format!(
        r#"<u:CreateUser xmlns:u="{USERS_NS}"><u:username>secretive</u:username><u:email>s@example.com</u:email><u:displayName>TOP-SECRET-DISPLAY-NAME</u:displayName><u:role>clerk</u:role></u:CreateUser>"#
    ));
    let reply = server
        .post(
            "/services/UserService",
            "text/xml",
            &[("X-Request-Id", "trace-json-1")],
            &body,
        )
        .await;
    reply.assert_ok11();
    let reply = server
        .post(
            "/services/UserService",
            "text/xml",
            &[("X-Request-Id", "trace-json-2")],
            &body,
        )
        .await;
    reply.assert_fault11("Client");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let logs = server.logs.lock().unwrap().clone();
    let access: Vec<&String> = logs
        .iter()
        .filter(|l| l.contains("\"target\":\"soapstone::access\""))
        .collect();
    for (id, status, fault) in [
        ("trace-json-1", "200", None),
        ("trace-json-2", "500", Some("DuplicateUserFault")),
    ] {
        let lines: Vec<&&String> = access.iter().filter(|l| l.contains(id)).collect();
        assert_eq!(lines.len(), 1, "one access line for {id}: {logs:?}");
        let line = lines[0];
        assert!(line.starts_with('{') && line.ends_with('}'), "{line}");
        for field in [
            "\"service\":\"UserService\"",
            "\"operation\":\"CreateUser\"",
            "\"soap\":\"1.1\"",
            &format!("\"status\":{status}"),
            "\"duration_ms\":",
            "\"bytes_in\":",
            "\"bytes_out\":",
            "\"client\":\"127.0.0.1:",
        ] {
            assert!(line.contains(field), "{field} in {line}");
        }
        if let Some(fault) = fault {
            assert!(line.contains(&format!("\"fault\":\"{fault}\"")), "{line}");
        }
    }
    assert!(
        !logs.iter().any(|l| l.contains("TOP-SECRET-DISPLAY-NAME")),
        "bodies are never logged"
    );
}

#[tokio::test]
async fn large_responses_are_compressed_when_asked() {
    let server = Server::start();
    for i in 0..40 {
        let name = format!("zip{i:03}");
        server
            .create_user(&name, &format!("{name}@example.com"), &["clerk"])
            .await
            .assert_ok11();
    }
    let list = support::env11(&format!(r#"<u:ListUsers xmlns:u="{USERS_NS}"/>"#));
    let raw = reqwest::Client::builder().build().unwrap();
    for (encoding, expected) in [
        ("gzip", Some("gzip")),
        ("deflate", Some("deflate")),
        ("identity", None),
    ] {
        let response = raw
            .post(server.url("/services/UserService"))
            .header("Content-Type", "text/xml")
            .header("Accept-Encoding", encoding)
            .body(list.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            expected,
            "{encoding}"
        );
        let bytes = response.bytes().await.unwrap();
        let text = match expected {
            Some("gzip") => {
                let mut out = String::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_string(&mut out)
                    .unwrap();
                out
            }
            Some(_) => {
                let mut out = String::new();
                flate2::read::ZlibDecoder::new(&bytes[..])
                    .read_to_string(&mut out)
                    .unwrap();
                out
            }
            None => String::from_utf8(bytes.to_vec()).unwrap(),
        };
        assert_eq!(
            support::texts(&text, USERS_NS, "totalCount"),
            vec!["41"],
            "40 users and the admin"
        );
    }
    // Small responses are left alone.
    let response = raw
        .post(server.url("/services/UserService"))
        .header("Content-Type", "text/xml")
        .header("Accept-Encoding", "gzip")
        .body(support::env11(&format!(
            r#"<u:DeleteUser xmlns:u="{USERS_NS}"><u:id>999</u:id></u:DeleteUser>"#
        )))
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn rate_limiting_per_client_answers_a_server_fault_with_503() {
    let server = Server::start_with(&["--rate-limit", "1", "--rate-burst", "2"]);
    let get = support::env11(&format!(
        r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>999</u:id></u:GetUser>"#
    ));
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..4 {
        let reply = server.soap11(None, &get).await;
        statuses.push(reply.status);
        if reply.status == 503 {
            limited = Some(reply);
        }
    }
    assert_eq!(
        &statuses[..2],
        &[500, 500],
        "the burst passes (no such user)"
    );
    let limited = limited.expect("a request over the limit");
    assert_eq!(limited.text("", "faultcode"), "soap:Server");
    assert!(
        limited.reason().contains("Rate limit exceeded"),
        "{}",
        limited.body
    );
    assert!(!limited.texts(COMMON_NS, "requestId").is_empty());
    support::validate(&limited.body);
    let retry = server
        .client
        .post(server.url("/services/UserService"))
        .header("Content-Type", "text/xml")
        .body(get.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status().as_u16(), 503);
    assert_eq!(retry.headers()["retry-after"], "1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        server.soap11(None, &get).await.status,
        500,
        "the bucket refills"
    );
}

#[tokio::test]
async fn a_backup_taken_under_write_load_holds_every_earlier_acknowledged_write() {
    let server = Arc::new(Server::start());
    let db = server.dir.path().join("soapstone.db");
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (server, acknowledged, stop) = (server.clone(), acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let sku = format!("BK-{w}-{i}");
                let reply = server
                    .call(
                        Svc::Catalog,
                        "CreateProduct",
                        &format!("<p:sku>{sku}</p:sku><p:name>B</p:name><p:unitPrice>1</p:unitPrice><p:currency>EUR</p:currency><p:stock>1</p:stock>"),
                    )
                    .await;
                if reply.status == 200 {
                    acknowledged.lock().unwrap().push(sku);
                }
                i += 1;
            }
        }));
    }
    // Wait for a count of acknowledged writes, not for a time: a loaded machine is slower.
    let acknowledged_count = |at_least: usize| {
        let acknowledged = acknowledged.clone();
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(120);
            while acknowledged.lock().unwrap().len() < at_least {
                assert!(
                    std::time::Instant::now() < deadline,
                    "fewer than {at_least} writes were acknowledged in 120 s"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    acknowledged_count(20).await;
    let before_backup: Vec<String> = acknowledged.lock().unwrap().clone();
    let out = server.dir.path().join("backup.db");
    let (ok, text) = tokio::task::spawn_blocking({
        let (db, out) = (db.clone(), out.clone());
        move || {
            support::run(&[
                "backup",
                "--db",
                db.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
        }
    })
    .await
    .unwrap();
    assert!(ok, "{text}");
    // Writes go on after the backup too (the server kept serving them).
    acknowledged_count(before_backup.len() + 20).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }

    let copy = rusqlite::Connection::open(&out).unwrap();
    let check: String = copy
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut stored = std::collections::HashSet::new();
    let mut rows = copy.prepare("SELECT sku FROM products").unwrap();
    for sku in rows.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        stored.insert(sku.unwrap());
    }
    for sku in &before_backup {
        assert!(
            stored.contains(sku),
            "{sku} was acknowledged before the backup began"
        );
    }
    drop(rows);
    drop(copy);

    // Restore refuses to overwrite without --force, then serves the restored data.
    let target = server.dir.path().join("restored/soapstone.db");
    let (ok, text) = support::run(&[
        "restore",
        "--from",
        out.to_str().unwrap(),
        "--db",
        target.to_str().unwrap(),
    ]);
    assert!(ok, "{text}");
    let (ok, text) = support::run(&[
        "restore",
        "--from",
        out.to_str().unwrap(),
        "--db",
        target.to_str().unwrap(),
    ]);
    assert!(!ok && text.contains("--force"), "{text}");
    let (ok, text) = support::run(&[
        "restore",
        "--from",
        out.to_str().unwrap(),
        "--db",
        target.to_str().unwrap(),
        "--force",
    ]);
    assert!(ok, "{text}");
    let (ok, text) = support::run(&[
        "restore",
        "--from",
        "/etc/hostname",
        "--db",
        target.to_str().unwrap(),
        "--force",
    ]);
    assert!(!ok, "{text}");
    let restored_dir = tempfile::tempdir().unwrap();
    std::fs::copy(&target, restored_dir.path().join("soapstone.db")).unwrap();
    let restored = Server::start_in(restored_dir);
    let reply = restored
        .call(
            Svc::Catalog,
            "GetProduct",
            &format!("<p:sku>{}</p:sku>", before_backup[0]),
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(CATALOG_NS, "sku"), before_backup[0]);
}

#[tokio::test]
async fn service_pages_list_and_document_every_operation() {
    let server = Server::start();
    let index = server.get("/services", &[]).await;
    assert_eq!(index.status, 200);
    assert_eq!(index.content_type, "text/html; charset=utf-8");
    for (service, operation) in [
        ("UserService", "ListUsers"),
        ("CatalogService", "SearchProducts"),
        ("OrderService", "SalesReport"),
        ("BenchService", "Echo"),
    ] {
        assert!(
            index.body.contains(&format!("<strong>{service}</strong>")),
            "{service}"
        );
        assert!(
            index
                .body
                .contains(&format!("#{operation}\">{operation}</a>")),
            "{operation}"
        );
    }
    assert!(index.body.contains(&format!(
        "<code>{}/services/OrderService</code>",
        server.base
    )));
    assert!(
        !index.body.contains("<script src") && !index.body.contains("<link "),
        "no external resources"
    );

    let page = server.get("/services/CatalogService", &[]).await;
    assert_eq!(page.status, 200);
    for needle in [
        "<h2>AdjustStock</h2>",
        "Adds delta (negative to remove) to the stock",
        "SOAPAction <code>http://soapstone.dev/catalog/AdjustStock</code>",
        "id=\"sample-1.2-GetProduct\"",
        "http://www.w3.org/2003/05/soap-envelope",
        "?xsd=catalog.xsd",
        "<button type=\"button\" id=\"send-SearchProducts\"",
        "<input id=\"wsse-username\" name=\"username\" value=\"admin\"",
        "<input id=\"wsse-password\" name=\"password\" type=\"password\"",
        "&gt;(the Password field above)&lt;/wsse:Password&gt;",
    ] {
        assert!(page.body.contains(needle), "{needle}");
    }
    assert!(
        !page.body.contains(support::ADMIN_PASSWORD),
        "the page never shows a password"
    );
    assert!(!page.body.contains("src=\"http"), "no external scripts");
    assert!(
        !page.body.contains("href=\"http"),
        "no external links or styles"
    );
}

/// The `duration_ms` values of the access lines in `logs` (`marker` precedes each value).
fn access_durations(logs: &[String], marker: &str) -> Vec<String> {
    logs.iter()
        .filter(|l| l.contains("soapstone::access"))
        .filter_map(|l| {
            let at = l.find(marker)? + marker.len();
            let value = l[at..].split([' ', ',', '}']).next()?;
            Some(value.to_string())
        })
        .collect()
}

#[tokio::test]
async fn access_line_durations_are_rounded_to_the_microsecond() {
    for (format, marker) in [("human", "duration_ms="), ("json", "\"duration_ms\":")] {
        let server = Server::start_with(&["--log-format", format]);
        for _ in 0..5 {
            server
                .call(Svc::Catalog, "GetProduct", "<p:sku>none</p:sku>")
                .await
                .assert_fault11("Client");
            assert_eq!(server.get("/health", &[]).await.status, 200);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let durations = loop {
            let durations = access_durations(&server.logs.lock().unwrap(), marker);
            if durations.len() >= 10 || std::time::Instant::now() > deadline {
                break durations;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(durations.len(), 10, "{format}: {durations:?}");
        for value in durations {
            assert!(value.parse::<f64>().is_ok(), "{format}: {value}");
            let decimals = value.split_once('.').map_or(0, |(_, d)| d.len());
            assert!(decimals <= 3, "{format}: duration_ms={value}");
        }
    }
}

#[tokio::test]
async fn pages_false_turns_the_service_pages_off_but_not_the_contracts() {
    let server = Server::start_with(&["--pages", "false"]);
    for path in [
        "/services",
        "/services/",
        "/services/CatalogService",
        "/services/UserService",
        "/bench",
    ] {
        let reply = server.get(path, &[]).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert!(!reply.body.contains("<html"), "{path}: {}", reply.body);
    }
    for path in [
        "/services/CatalogService?wsdl",
        "/services/CatalogService?wsdl&soap=1.1",
        "/services/CatalogService?xsd=catalog.xsd",
        "/bench?wsdl",
    ] {
        let reply = server.get(path, &[]).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        assert!(
            reply.body.contains("<wsdl:") || reply.body.contains("<xs:"),
            "{path}"
        );
    }
    server
        .call(Svc::Catalog, "GetProduct", "<p:sku>none</p:sku>")
        .await
        .assert_fault11("Client");
}
