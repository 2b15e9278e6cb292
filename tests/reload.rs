//! SIGHUP against the real server: the TLS certificate, the signature CA and the log level are
//! reloaded from the files the server was started with, while open connections and requests in
//! flight go on; a reload that fails keeps everything as it was and logs why; SIGTERM still
//! drains afterwards.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use openssl::hash::MessageDigest;
use openssl::ssl::{SslConnector, SslMethod, SslStream};
use openssl::x509::X509;
use soapstone::security::signer::ResponseSigner;
use soapstone::soap::SoapVersion;
use support::{
    ADMIN, ADMIN_PASSWORD, SECURITY_NS, SOAP11, Server, env11_with, make_pki, wsse_text,
};
use time::OffsetDateTime;

const RELOADED: &str = "configuration reloaded";
const FAILED: &str = "configuration reload failed";
/// The start of every access log line (its target, then its message).
const ACCESS: &str = "soapstone::access: request";

/// The log lines so far that contain `needle`.
fn lines(server: &Server, needle: &str) -> Vec<String> {
    let logs = server.logs.lock().expect("the log");
    logs.iter()
        .filter(|l| l.contains(needle))
        .cloned()
        .collect()
}

/// Waits (30 s at most) until `done` holds for the log.
fn wait_until(server: &Server, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what} not seen in the log:\n{}",
            server.logs.lock().expect("the log").join("\n")
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends SIGHUP, waits until the server logs that the reload succeeded or failed, and checks
/// it is `outcome` (`RELOADED` or `FAILED`); the line that says so.
fn reload(server: &Server, outcome: &str) -> String {
    let before = (lines(server, RELOADED).len(), lines(server, FAILED).len());
    let status = Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let now = || (lines(server, RELOADED).len(), lines(server, FAILED).len());
    wait_until(server, "the outcome of the reload", || now() != before);
    let line = lines(server, outcome).pop().unwrap_or_default();
    assert_eq!(
        now(),
        if outcome == RELOADED {
            (before.0 + 1, before.1)
        } else {
            (before.0, before.1 + 1)
        },
        "the reload did not end with {outcome:?}:\n{}",
        server.logs.lock().expect("the log").join("\n")
    );
    line
}

/// A PKI (CA, server certificate for 127.0.0.1, client certificate for the admin) in a new
/// folder.
fn pki() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    make_pki(dir.path(), ADMIN);
    dir
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).to_str().expect("a UTF-8 path").to_string()
}

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("file copied");
}

/// A TLS connection to the server that trusts only `ca` (and checks the name 127.0.0.1).
fn connect(server: &Server, ca: &Path) -> Result<SslStream<TcpStream>, String> {
    let address = server.base.trim_start_matches("https://");
    let mut connector = SslConnector::builder(SslMethod::tls_client()).expect("a connector");
    connector.set_ca_file(ca).expect("the CA file");
    let tcp = TcpStream::connect(address).expect("connected");
    tcp.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout set");
    connector
        .build()
        .connect("127.0.0.1", tcp)
        .map_err(|e| e.to_string())
}

/// SHA-256 of the certificate the server presented on `stream`.
fn served(stream: &SslStream<TcpStream>) -> Vec<u8> {
    let cert = stream
        .ssl()
        .peer_certificate()
        .expect("a server certificate");
    cert.digest(MessageDigest::sha256())
        .expect("digest")
        .to_vec()
}

/// SHA-256 of the PEM certificate in `file`.
fn fingerprint(file: &Path) -> Vec<u8> {
    let cert = X509::from_pem(&std::fs::read(file).expect("the certificate")).expect("PEM");
    cert.digest(MessageDigest::sha256())
        .expect("digest")
        .to_vec()
}

/// Reads one HTTP/1.1 response with a Content-Length: its status and body.
fn read_response(stream: &mut impl Read) -> (u16, String) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("response head");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .expect("a Content-Length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).expect("response body");
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn health(stream: &mut SslStream<TcpStream>) -> u16 {
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("request sent");
    read_response(stream).0
}

/// A folder with `cert.pem` and `key.pem`, copies of the server certificate and key of `pki`,
/// and their paths.
fn serving(pki: &Path) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let live = tempfile::tempdir().expect("temp dir");
    let (cert, key) = (live.path().join("cert.pem"), live.path().join("key.pem"));
    copy(&pki.join("server.pem"), &cert);
    copy(&pki.join("server.key"), &key);
    (live, cert, key)
}

fn who_am_i(headers: &str) -> String {
    env11_with(headers, &format!(r#"<s:WhoAmI xmlns:s="{SECURITY_NS}"/>"#))
}

#[test]
fn sighup_serves_a_new_certificate_to_new_connections_and_drops_nothing() {
    let (a, b) = (pki(), pki());
    let (live, cert, key) = serving(a.path());
    let server = Server::start_with(&[
        "--tls-cert",
        &path(live.path(), "cert.pem"),
        "--tls-key",
        &path(live.path(), "key.pem"),
    ]);
    let (ca_a, ca_b) = (a.path().join("ca.pem"), b.path().join("ca.pem"));

    // A keep-alive connection that has served a request, and one with a request in flight
    // (headers and half the body sent).
    let mut idle = connect(&server, &ca_a).expect("certificate A is served");
    assert_eq!(served(&idle), fingerprint(&a.path().join("server.pem")));
    assert_eq!(health(&mut idle), 200);
    let mut busy = connect(&server, &ca_a).expect("certificate A is served");
    let envelope = who_am_i(&wsse_text(ADMIN, ADMIN_PASSWORD));
    let (first, second) = envelope.split_at(envelope.len() / 2);
    write!(
        busy,
        "POST /services/AuthService HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Content-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n\r\n{first}",
        envelope.len()
    )
    .expect("first half sent");
    busy.flush().expect("flushed");

    copy(&b.path().join("server.pem"), &cert);
    copy(&b.path().join("server.key"), &key);
    let line = reload(&server, RELOADED);
    assert!(line.contains("TLS certificate and key"), "{line}");

    // The request in flight completes; the open connection goes on with certificate A.
    busy.write_all(second.as_bytes()).expect("second half sent");
    let (status, body) = read_response(&mut busy);
    assert_eq!(status, 200, "{body}");
    assert_eq!(support::texts(&body, SECURITY_NS, "username"), vec![ADMIN]);
    assert_eq!(health(&mut idle), 200);
    assert_eq!(health(&mut busy), 200);

    // New connections get certificate B, and are refused by a client trusting only A.
    let mut fresh = connect(&server, &ca_b).expect("certificate B is served");
    assert_eq!(served(&fresh), fingerprint(&b.path().join("server.pem")));
    assert_eq!(health(&mut fresh), 200);
    let refused = connect(&server, &ca_a).expect_err("certificate A is no longer served");
    assert!(refused.contains("certificate verify failed"), "{refused}");
}

#[test]
fn a_reload_that_fails_changes_nothing_and_says_why() {
    let (a, b) = (pki(), pki());
    let (live, cert, key) = serving(a.path());
    let config = live.path().join("soapstone.toml");
    let good = format!("tls_cert = {cert:?}\ntls_key = {key:?}\n");
    std::fs::write(&config, &good).expect("config written");
    let server = Server::start_with(&["--config", &path(live.path(), "soapstone.toml")]);
    let ca_a = a.path().join("ca.pem");
    let still_a = || {
        let mut stream = connect(&server, &ca_a).expect("certificate A is still served");
        assert_eq!(served(&stream), fingerprint(&a.path().join("server.pem")));
        assert_eq!(health(&mut stream), 200);
    };

    std::fs::write(&key, "garbage\n").expect("key written");
    let line = reload(&server, FAILED);
    assert!(line.contains("private key"), "{line}");
    still_a();

    copy(&b.path().join("server.key"), &key);
    let line = reload(&server, FAILED);
    assert!(line.contains("mismatch"), "{line}");
    still_a();

    copy(&a.path().join("server.key"), &key);
    std::fs::write(&config, "tls_cert = [\n").expect("config written");
    let line = reload(&server, FAILED);
    assert!(line.contains("is not valid"), "{line}");
    still_a();

    // With every file good again, the reload goes through (with the same certificate).
    std::fs::write(&config, &good).expect("config written");
    reload(&server, RELOADED);
    still_a();
}

/// `envelope` signed with the admin's certificate of `pki` (made by `make_pki`).
fn signed(pki: &Path, envelope: &str) -> String {
    let read = |name: &str| std::fs::read(pki.join(name)).expect("PEM file");
    let signer = ResponseSigner::from_pem(&read("client.pem"), &read("client.key"))
        .expect("a signing certificate");
    let bytes = signer
        .sign(
            SoapVersion::V11,
            envelope.as_bytes(),
            OffsetDateTime::now_utc(),
        )
        .expect("signed");
    String::from_utf8(bytes).expect("UTF-8")
}

#[tokio::test]
async fn sighup_replaces_the_signature_ca() {
    let (old, new) = (pki(), pki());
    let live = tempfile::tempdir().expect("temp dir");
    let ca = live.path().join("ca.pem");
    copy(&old.path().join("ca.pem"), &ca);
    let server = Server::start_with(&["--signature-ca", &path(live.path(), "ca.pem")]);
    let envelope = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body><s:WhoAmI xmlns:s="{SECURITY_NS}"/></soap:Body></soap:Envelope>"#
    );
    let call = |pki: PathBuf| {
        let document = signed(&pki, &envelope);
        let server = &server;
        async move {
            server
                .post(
                    "/services/AuthService",
                    "text/xml; charset=utf-8",
                    &[],
                    &document,
                )
                .await
        }
    };
    let accepted = |reply: support::Reply| {
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(
            reply.texts(SECURITY_NS, "authentication"),
            vec!["signature"]
        );
    };
    let refused = |reply: support::Reply| {
        assert_eq!(reply.status, 500, "{}", reply.body);
        assert!(
            reply.body.contains("wsse:InvalidSecurityToken"),
            "{}",
            reply.body
        );
    };
    accepted(call(old.path().to_path_buf()).await);
    refused(call(new.path().to_path_buf()).await);

    copy(&new.path().join("ca.pem"), &ca);
    let line = reload(&server, RELOADED);
    assert!(line.contains("signature CA"), "{line}");
    accepted(call(new.path().to_path_buf()).await);
    refused(call(old.path().to_path_buf()).await);

    // A CA file that is no CA: the reload fails and the new CA stays in force.
    std::fs::write(&ca, "not a certificate\n").expect("CA written");
    let line = reload(&server, FAILED);
    assert!(line.contains("signature CA"), "{line}");
    accepted(call(new.path().to_path_buf()).await);
}

#[tokio::test]
async fn sighup_changes_the_log_level_and_reports_what_needs_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("soapstone.toml");
    let quiet = "log_level = \"info,soapstone::access=warn\"\n";
    std::fs::write(&config, quiet).expect("config written");
    let server = Server::start_with(&["--config", &path(dir.path(), "soapstone.toml")]);
    assert_eq!(server.get("/health", &[]).await.status, 200);

    std::fs::write(&config, "log_level = \"info\"\n").expect("config written");
    let line = reload(&server, RELOADED);
    assert!(line.contains("log level"), "{line}");
    // The request before the reload was not logged (its line would come first).
    assert!(lines(&server, ACCESS).is_empty());
    assert_eq!(server.get("/health", &[]).await.status, 200);
    wait_until(&server, "an access line", || {
        lines(&server, ACCESS).len() == 1
    });

    std::fs::write(&config, format!("{quiet}max_body = 4096\n")).expect("config written");
    reload(&server, RELOADED);
    let restart = lines(&server, "needs a restart");
    assert_eq!(restart.len(), 1, "{restart:?}");
    assert!(restart[0].contains("max_body"), "{restart:?}");
    assert_eq!(server.get("/health", &[]).await.status, 200);

    // A filter that does not parse keeps the one in force.
    std::fs::write(&config, "log_level = \"info,soapstone=loud\"\n").expect("config written");
    let line = reload(&server, FAILED);
    assert!(line.contains("log_level"), "{line}");
    assert_eq!(server.get("/health", &[]).await.status, 200);
    // A reload of the same file: no request since the second reload was logged.
    reload(&server, FAILED);
    assert_eq!(lines(&server, ACCESS).len(), 1);

    // SIGTERM still stops the server cleanly after all this.
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
}
