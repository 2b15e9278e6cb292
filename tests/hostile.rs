//! Hostile input against the real binary: one case of each class of XML and HTTP attack, each
//! checked for its status and fault, for bounded memory (RSS before and after), for nothing
//! written to the database, and for a normal request still succeeding afterwards. Raw sockets
//! are used where the framing itself is the attack.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{COMMON_NS, Reply, Server, USERS_NS, env11};

/// Resident memory of the server process, in kB.
fn rss_kb(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn users_in_db(server: &Server) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        server.dir.path().join("soapstone.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap()
}

fn addr(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Sends raw bytes and reads the response until the server closes or `wait` passes.
fn raw(server: &Server, bytes: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr(server)).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    let _ = stream.write_all(bytes);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let until = Instant::now() + wait;
    while Instant::now() < until {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn post_head(server: &Server, extra: &str) -> String {
    format!(
        "POST /services/UserService HTTP/1.1\r\nHost: {}\r\nContent-Type: text/xml\r\n{extra}\r\n",
        addr(server)
    )
}

async fn still_serves(server: &Server, n: usize) {
    let name = format!("ok{n:04}");
    server
        .create_user(&name, &format!("{name}@example.com"), &["clerk"])
        .await
        .assert_ok11();
}

fn get_user(inner: &str) -> String {
    env11(&format!(
        r#"<u:GetUser xmlns:u="{USERS_NS}"><u:username>{inner}</u:username></u:GetUser>"#
    ))
}

/// Runs `case` and checks the server afterwards: memory bounded, nothing written, still
/// serving.
async fn after_case(server: &Server, label: &str, n: &mut usize, before: (u64, i64)) {
    let (rss_before, users_before) = before;
    assert_eq!(
        users_in_db(server),
        users_before,
        "{label}: nothing written"
    );
    let rss_after = rss_kb(server);
    assert!(
        rss_after < rss_before + 64 * 1024,
        "{label}: RSS grew from {rss_before} kB to {rss_after} kB"
    );
    *n += 1;
    still_serves(server, *n).await;
}

#[tokio::test]
async fn hostile_xml_gets_client_faults_and_costs_nothing() {
    let server = Server::start();
    let mut n = 0;
    still_serves(&server, n).await;
    let deep = format!("{}{}", "<x>".repeat(150), "</x>".repeat(150));
    let wide = "<x/>".repeat(50_001);
    let attrs: String = (0..501).map(|i| format!(" a{i}=\"v\"")).collect();
    let decls: String = (0..101)
        .map(|i| format!(" xmlns:p{i}=\"urn:{i}\""))
        .collect();
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"#;
    let xxe = format!(
        r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>{}"#,
        get_user("&xxe;")
    );
    let cases: Vec<(&str, String, &str)> = vec![
        ("depth", get_user(&deep), "element depth is at most 100"),
        (
            "children",
            get_user(&wide),
            "child elements of one element is at most 50000",
        ),
        (
            "attributes",
            get_user(&format!("<x{attrs}/>")),
            "attributes per element is at most 500",
        ),
        (
            "attribute value",
            get_user(&format!("<x a=\"{}\"/>", "v".repeat(65 * 1024))),
            "attribute value length is at most 65536",
        ),
        (
            "namespaces",
            get_user(&format!("<x{decls}/>")),
            "namespace declarations per element is at most 100",
        ),
        (
            "name length",
            get_user(&format!("<{0}/>", "n".repeat(1001))),
            "name length is at most 1000",
        ),
        ("billion laughs", laughs.to_string(), "DOCTYPE"),
        ("external entity", xxe, "DOCTYPE"),
        (
            "processing instruction",
            format!("<?evil?>{}", get_user("x")),
            "processing instructions",
        ),
        (
            "forbidden character reference",
            get_user("a&#x0;b"),
            "not well-formed",
        ),
        ("forbidden raw character", get_user("a\u{0008}b"), "U+0008"),
        ("undeclared entity", get_user("&nbsp;"), "unknown entity"),
    ];
    for (label, body, reason) in cases {
        let before = (rss_kb(&server), users_in_db(&server));
        let reply = server.soap11(None, &body).await;
        reply.assert_fault11("Client");
        assert!(
            reply.reason().contains(reason),
            "{label}: {}",
            reply.reason()
        );
        after_case(&server, label, &mut n, before).await;
    }

    // XInclude and schemaLocation are data, never followed.
    let before = (rss_kb(&server), users_in_db(&server));
    let body = env11(&format!(
        r#"<u:GetUser xmlns:u="{USERS_NS}" xmlns:xi="http://www.w3.org/2001/XInclude" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:x http://127.0.0.1:1/evil.xsd"><xi:include href="file:///etc/passwd"/></u:GetUser>"#
    ));
    let reply = server.soap11(None, &body).await;
    reply.assert_fault11("Client");
    assert!(
        reply.body.contains("http://www.w3.org/2001/XInclude"),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("root:"), "no file was read");
    after_case(&server, "xinclude", &mut n, before).await;

    // Invalid UTF-8 and a byte order mark contradicting the charset.
    for (label, bytes, charset) in [
        (
            "invalid UTF-8",
            [get_user("a").as_bytes(), b"\xC3\x28"].concat(),
            "utf-8",
        ),
        (
            "contradicting BOM",
            [b"\xFF\xFE".as_slice(), b"<\0a\0/\0>\0"].concat(),
            "utf-8",
        ),
    ] {
        let before = (rss_kb(&server), users_in_db(&server));
        let reply = server
            .client
            .post(server.url("/services/UserService"))
            .header("Content-Type", format!("text/xml; charset={charset}"))
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status().as_u16(), 500, "{label}");
        let text = reply.text().await.unwrap();
        assert!(
            text.contains("<faultcode>soap:Client</faultcode>"),
            "{label}: {text}"
        );
        after_case(&server, label, &mut n, before).await;
    }

    // A message over 16 MiB is refused before it is buffered.
    let before = (rss_kb(&server), users_in_db(&server));
    let reply = raw(
        &server,
        post_head(
            &server,
            &format!("Content-Length: {}\r\n", 17 * 1024 * 1024),
        )
        .as_bytes(),
        Duration::from_secs(5),
    );
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    after_case(&server, "message size", &mut n, before).await;
}

#[tokio::test]
async fn legal_edge_characters_and_other_encodings_round_trip() {
    let server = Server::start();
    let edge = "tab\there \u{A0}\u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF} ö € 𝄞 'q' \"d\" <&>";
    let escaped = edge.replace('&', "&amp;").replace('<', "&lt;");
    let body = env11(&format!(
        r#"<u:CreateUser xmlns:u="{USERS_NS}"><u:username>edge</u:username><u:email>edge@example.com</u:email><u:displayName>{escaped}</u:displayName><u:role>clerk</u:role></u:CreateUser>"#
    ));
    let reply = server.soap11(None, &body).await;
    reply.assert_ok11();
    assert_eq!(reply.text(USERS_NS, "displayName"), edge);

    // SQL-shaped and markup-shaped strings are stored and returned literally.
    for (i, name) in [
        "Robert'); DROP TABLE users;--",
        "<script>alert(1)</script>",
        "' OR '1'='1",
    ]
    .iter()
    .enumerate()
    {
        let body = env11(&format!(
            r#"<u:CreateUser xmlns:u="{USERS_NS}"><u:username>lit{i}</u:username><u:email>lit{i}@example.com</u:email><u:displayName>{}</u:displayName><u:role>clerk</u:role></u:CreateUser>"#,
            name.replace('&', "&amp;").replace('<', "&lt;")
        ));
        let reply = server.soap11(None, &body).await;
        reply.assert_ok11();
        let id = reply.text(USERS_NS, "id");
        let got = server
            .soap11(
                None,
                &env11(&format!(
                    r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>{id}</u:id></u:GetUser>"#
                )),
            )
            .await;
        assert_eq!(got.text(USERS_NS, "displayName"), *name);
    }
    let search = server
        .soap11(
            None,
            &env11(&format!(
                r#"<u:ListUsers xmlns:u="{USERS_NS}"><u:emailContains>' OR 1=1 --</u:emailContains></u:ListUsers>"#
            )),
        )
        .await;
    assert_eq!(search.text(USERS_NS, "totalCount"), "0");

    // UTF-16 with a byte order mark, and ISO-8859-1 by charset.
    let text = get_user("edge").replace(
        "<soap:Envelope",
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><soap:Envelope",
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let reply = server
        .client
        .post(server.url("/services/UserService"))
        .header("Content-Type", "text/xml; charset=utf-16")
        .body(utf16)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let latin1: Vec<u8> = env11(&format!(
        r#"<u:CreateUser xmlns:u="{USERS_NS}"><u:username>latin</u:username><u:email>latin@example.com</u:email><u:displayName>Zoë Müller</u:displayName><u:role>clerk</u:role></u:CreateUser>"#
    ))
    .chars()
    .map(|c| u8::try_from(u32::from(c)).unwrap())
    .collect();
    let reply = server
        .client
        .post(server.url("/services/UserService"))
        .header("Content-Type", "text/xml; charset=ISO-8859-1")
        .body(latin1)
        .send()
        .await
        .unwrap();
    let body = reply.text().await.unwrap();
    assert!(
        body.contains("<u:displayName>Zoë Müller</u:displayName>"),
        "{body}"
    );
}

#[tokio::test]
async fn hostile_http_framing_gets_4xx_and_a_closed_connection() {
    let server = Server::start();
    let mut n = 0;
    let body = get_user("nobody");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "header bytes",
            post_head(
                &server,
                &format!("X-Big: {}\r\nContent-Length: 0\r\n", "a".repeat(17 * 1024)),
            ),
            "HTTP/1.1 431",
        ),
        (
            "header count",
            post_head(
                &server,
                &format!(
                    "{}Content-Length: 0\r\n",
                    (0..101)
                        .map(|i| format!("X-H{i}: v\r\n"))
                        .collect::<String>()
                ),
            ),
            "HTTP/1.1 431",
        ),
        (
            "request line",
            format!(
                "GET /services/UserService?{} HTTP/1.1\r\nHost: x\r\n\r\n",
                "q".repeat(20 * 1024)
            ),
            "HTTP/1.1 431",
        ),
        (
            "length and chunked",
            post_head(
                &server,
                &format!(
                    "Content-Length: {}\r\nTransfer-Encoding: chunked\r\n",
                    body.len()
                ),
            ) + &body,
            "HTTP/1.1 400",
        ),
        (
            "two lengths",
            post_head(&server, "Content-Length: 5\r\nContent-Length: 6\r\n") + "hello!",
            "HTTP/1.1 400",
        ),
        (
            "invalid length",
            post_head(&server, "Content-Length: abc\r\n"),
            "HTTP/1.1 400",
        ),
        (
            "bad chunk size",
            post_head(&server, "Transfer-Encoding: chunked\r\n") + "zz\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 400",
        ),
        (
            "expect 100-continue, too large",
            post_head(
                &server,
                "Content-Length: 99999999\r\nExpect: 100-continue\r\n",
            ),
            "HTTP/1.1 413",
        ),
    ];
    for (label, request, status) in cases {
        let before = (rss_kb(&server), users_in_db(&server));
        let reply = raw(&server, request.as_bytes(), Duration::from_secs(5));
        assert!(reply.starts_with(status), "{label}: {reply}");
        assert!(
            !reply.contains("100 Continue"),
            "{label}: no body was invited"
        );
        after_case(&server, label, &mut n, before).await;
    }

    // gzip and deflate bodies are accepted; a bomb is refused by the ratio cap.
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let gzip = |data: &[u8]| {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    };
    let reply = server
        .client
        .post(server.url("/services/UserService"))
        .header("Content-Type", "text/xml")
        .header("Content-Encoding", "gzip")
        .body(gzip(
            support::env11(&support::create_user(
                "zipped",
                "zip@example.com",
                &["clerk"],
            ))
            .as_bytes(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let before = (rss_kb(&server), users_in_db(&server));
    let bomb = gzip(&[b"<a>".as_slice(), &vec![b' '; 15 * 1024 * 1024], b"</a>"].concat());
    let reply = server
        .client
        .post(server.url("/services/UserService"))
        .header("Content-Type", "text/xml")
        .header("Content-Encoding", "gzip")
        .body(bomb)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 413);
    after_case(&server, "gzip bomb", &mut n, before).await;
}

#[tokio::test]
async fn slow_clients_do_not_starve_others_and_time_out() {
    let server = Server::start_with(&["--header-timeout", "2", "--body-timeout", "1"]);
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut stream = TcpStream::connect(addr(&server)).unwrap();
        stream
            .write_all(b"POST /services/UserService HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        slow.push(stream);
    }
    let started = Instant::now();
    still_serves(&server, 1).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a normal client is served at once"
    );

    // Header timeout: the slowloris connections are closed.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut closed = 0;
    for mut stream in slow {
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut buf = [0u8; 64];
        if matches!(stream.read(&mut buf), Ok(0) | Err(_)) {
            closed += 1;
        }
    }
    assert_eq!(closed, 200);

    // Body timeout: 408.
    let reply = raw(
        &server,
        post_head(&server, "Content-Length: 1000\r\n").as_bytes(),
        Duration::from_secs(3),
    );
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    still_serves(&server, 2).await;
}

#[tokio::test]
async fn connection_and_in_flight_caps_answer_503_with_retry_after() {
    let server = Server::start_with(&[
        "--max-connections",
        "3",
        "--max-in-flight",
        "1",
        "--body-timeout",
        "5",
    ]);
    // One request holds the only in-flight slot while its body trickles in.
    let mut holder = TcpStream::connect(addr(&server)).unwrap();
    holder
        .write_all(post_head(&server, "Content-Length: 1000\r\n").as_bytes())
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reply = raw(
        &server,
        (post_head(
            &server,
            &format!("Content-Length: {}\r\n", get_user("a").len()),
        ) + &get_user("a"))
            .as_bytes(),
        Duration::from_secs(2),
    );
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(
        reply.to_ascii_lowercase().contains("retry-after: 1"),
        "{reply}"
    );
    // The holder finishes its body (blank, so refused) and reads the answer: once it is
    // back, the slot is free again, with no race against the server noticing a close.
    holder.write_all(&[b' '; 1000]).unwrap();
    holder
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = [0u8; 12];
    holder.read_exact(&mut answer).unwrap();
    assert!(answer.starts_with(b"HTTP/1.1 4"), "{answer:?}");
    drop(holder);
    still_serves(&server, 1).await;

    // Three open connections fill the connection cap (the client's pooled connection is one);
    // a fourth is refused.
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(addr(&server)).unwrap())
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reply = raw(&server, b"", Duration::from_secs(2));
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(reply.contains("Retry-After: 1"), "{reply}");
    drop(idle);
    tokio::time::sleep(Duration::from_millis(300)).await;
    still_serves(&server, 2).await;
}

#[tokio::test]
async fn a_busy_or_full_database_gets_server_faults_and_recovers() {
    // Busy: another process holds the write lock longer than the request deadline.
    let server = Server::start_with(&["--request-timeout", "0.5"]);
    let lock = rusqlite::Connection::open(server.dir.path().join("soapstone.db")).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let reply = server
        .create_user("blocked", "blocked@example.com", &["clerk"])
        .await;
    reply.assert_fault11("Server");
    assert!(reply.reason().contains("deadline"), "{}", reply.body);
    assert!(!reply.texts(COMMON_NS, "requestId").is_empty());
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    // The write that was waiting for the lock completes once it is released; the next works.
    tokio::time::sleep(Duration::from_millis(200)).await;
    still_serves(&server, 1).await;

    // Full: the database may not grow past its cap; reads still work; nothing half-written.
    let (_, dir) = server.stop();
    let size = std::fs::metadata(dir.path().join("soapstone.db"))
        .unwrap()
        .len();
    let cap = (size + 16 * 1024).to_string();
    let server = Server::start_in_with(dir, &["--db-max-bytes", &cap]);
    let mut full = None;
    for i in 0..400 {
        let name = format!("fill{i:04}");
        let reply = server
            .create_user(&name, &format!("{name}@example.com"), &["clerk"])
            .await;
        if reply.status == 500 {
            full = Some(reply);
            break;
        }
    }
    let full: Reply = full.expect("the database fills up");
    full.assert_fault11("Server");
    assert!(full.reason().contains("database is full"), "{}", full.body);
    assert!(!full.body.contains("SQLITE"), "no storage internals leak");
    let users = users_in_db(&server);
    let roles: i64 = rusqlite::Connection::open(server.dir.path().join("soapstone.db"))
        .unwrap()
        .query_row("SELECT count(DISTINCT user_id) FROM user_roles", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(users, roles, "every stored user is whole");
    let list = server
        .soap11(
            None,
            &env11(&format!(r#"<u:ListUsers xmlns:u="{USERS_NS}"/>"#)),
        )
        .await;
    list.assert_ok11();
    let (_, dir) = server.stop();
    let server = Server::start_in(dir);
    still_serves(&server, 2).await;
}
