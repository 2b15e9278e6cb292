//! The security review's findings, end to end against the real server: a signed message is
//! accepted once and only while fresh (also after a restart); every token in a Security
//! header is verified; concurrent first checks of one password share one argon2 computation;
//! failed authentication is throttled per username and per client address; PasswordText
//! needs a protected transport; forwarded headers count only from trusted proxies.

mod support;

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use soapstone::security::signer::ResponseSigner;
use soapstone::soap::SoapVersion;
use support::{
    ADMIN, ADMIN_DIGEST_SECRET, ADMIN_PASSWORD, Reply, SECURITY_NS, SOAP11, Server, USERS_NS,
    WSSE_NS, WSU_NS, assert_wsse, env11_with, make_pki, wsse_text,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const DIGEST_TYPE: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";

fn who_am_i() -> String {
    format!(r#"<s:WhoAmI xmlns:s="{SECURITY_NS}"/>"#)
}

/// The signing certificate (CN = admin) of a test PKI, and the server that trusts its CA.
struct Signing {
    signer: ResponseSigner,
    ca: String,
}

fn signing(dir: &Path) -> Signing {
    make_pki(dir, ADMIN);
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    Signing {
        signer: ResponseSigner::from_pem(&read("client.pem"), &read("client.key")).unwrap(),
        ca: dir.join("ca.pem").to_str().unwrap().to_string(),
    }
}

impl Signing {
    /// A WhoAmI signed over Body and a Timestamp created `created` (expiring at `expires`),
    /// with `token` (a UsernameToken element, or nothing) added to the signed Security header.
    fn who_am_i(
        &self,
        created: OffsetDateTime,
        expires: Option<OffsetDateTime>,
        token: &str,
    ) -> String {
        let unsigned = format!(
            r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{}</soap:Body></soap:Envelope>"#,
            who_am_i()
        );
        let signed = self
            .signer
            .sign_with(SoapVersion::V11, unsigned.as_bytes(), created, expires)
            .unwrap();
        String::from_utf8(signed).unwrap().replacen(
            "</wsse:BinarySecurityToken>",
            &format!("</wsse:BinarySecurityToken>{token}"),
            1,
        )
    }
}

fn username_token(user: &str, password: &str) -> String {
    format!(
        "<wsse:UsernameToken><wsse:Username>{user}</wsse:Username><wsse:Password>{password}</wsse:Password></wsse:UsernameToken>"
    )
}

impl Server {
    async fn auth_raw(&self, envelope: &str, headers: &[(&str, &str)]) -> Reply {
        self.post(
            "/services/AuthService",
            "text/xml; charset=utf-8",
            headers,
            envelope,
        )
        .await
    }

    async fn who_am_i_as(&self, user: &str, password: &str, headers: &[(&str, &str)]) -> Reply {
        self.auth_raw(
            &env11_with(&wsse_text(user, password), &who_am_i()),
            headers,
        )
        .await
    }

    /// Creates a user with a password, as the admin, with the HTTP `headers`.
    async fn user(&self, name: &str, password: &str, headers: &[(&str, &str)]) {
        let create = format!(
            r#"<p:CreateUser xmlns:p="{USERS_NS}"><p:username>{name}</p:username><p:email>{name}@example.com</p:email><p:role>customer</p:role><p:password>{password}</p:password></p:CreateUser>"#
        );
        self.post(
            "/services/UserService",
            "text/xml; charset=utf-8",
            headers,
            &env11_with(&wsse_text(ADMIN, ADMIN_PASSWORD), &create),
        )
        .await
        .assert_ok11();
    }
}

#[tokio::test]
async fn a_signed_message_is_accepted_once_and_only_while_fresh() {
    let pki = tempfile::tempdir().unwrap();
    let signing = signing(pki.path());
    let server = Server::start_with(&["--signature-ca", &signing.ca]);
    let now = OffsetDateTime::now_utc();

    let message = signing.who_am_i(now, Some(now + Duration::minutes(5)), "");
    let first = server.auth_raw(&message, &[]).await;
    first.assert_ok11();
    assert_eq!(first.text(SECURITY_NS, "authentication"), "signature");
    for _ in 0..2 {
        let reason = assert_wsse(&server.auth_raw(&message, &[]).await, "InvalidSecurity");
        assert!(reason.contains("replayed"), "{reason}");
    }

    let cases = [
        (
            "created two days ago, expiring in ten years",
            now - Duration::days(2),
            Some(now + Duration::days(3650)),
        ),
        (
            "created 30 days ago, no Expires",
            now - Duration::days(30),
            None,
        ),
        (
            "created 20 minutes ago, no Expires",
            now - Duration::minutes(20),
            None,
        ),
        (
            "created two minutes ahead",
            now + Duration::minutes(2),
            Some(now + Duration::minutes(7)),
        ),
    ];
    for (case, created, expires) in cases {
        let reply = server
            .auth_raw(&signing.who_am_i(created, expires, ""), &[])
            .await;
        let reason = assert_wsse(&reply, "MessageExpired");
        assert!(reason.contains("created"), "{case}: {reason}");
    }

    // The accepted signature is remembered in the database: still a replay after a restart,
    // and the TTL is a setting (20 minutes old is fresh within an hour).
    let (_, dir) = server.stop();
    let server = Server::start_in_with(
        dir,
        &["--signature-ca", &signing.ca, "--timestamp-ttl", "3600"],
    );
    assert_wsse(&server.auth_raw(&message, &[]).await, "InvalidSecurity");
    server
        .auth_raw(
            &signing.who_am_i(now - Duration::minutes(20), None, ""),
            &[],
        )
        .await
        .assert_ok11();
}

#[tokio::test]
async fn every_token_in_a_signed_message_is_verified_and_names_the_same_user() {
    let pki = tempfile::tempdir().unwrap();
    let signing = signing(pki.path());
    let server = Server::start_with(&["--signature-ca", &signing.ca]);
    server.user("carol", "carol-password", &[]).await;
    let fresh = || {
        let now = OffsetDateTime::now_utc();
        (now, Some(now + Duration::minutes(5)))
    };

    for (token, code) in [
        (
            username_token("nobody-here", "whatever-1"),
            "FailedAuthentication",
        ),
        (
            username_token(ADMIN, "not-the-password"),
            "FailedAuthentication",
        ),
        (username_token("carol", "carol-password"), "InvalidSecurity"),
    ] {
        let (now, expires) = fresh();
        let reply = server
            .auth_raw(&signing.who_am_i(now, expires, &token), &[])
            .await;
        assert_wsse(&reply, code);
    }
    let (now, expires) = fresh();
    let reply = server
        .auth_raw(
            &signing.who_am_i(now, expires, &username_token(ADMIN, ADMIN_PASSWORD)),
            &[],
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "authentication"), "signature");
}

#[tokio::test]
async fn concurrent_first_checks_of_one_password_share_one_argon2_computation() {
    let server = Server::start();
    server.user("dave", "dave-password", &[]).await;
    let before = server.metric("soapstone_password_checks_total").await;
    let calls = (0..64).map(|_| server.who_am_i_as("dave", "dave-password", &[]));
    for reply in futures_util::future::join_all(calls).await {
        reply.assert_ok11();
    }
    let after = server.metric("soapstone_password_checks_total").await;
    assert_eq!(
        after - before,
        1.0,
        "64 concurrent first calls, one argon2 check"
    );
}

#[tokio::test]
async fn failed_authentication_is_throttled_per_username_and_per_address() {
    // The loopback peer is a trusted proxy here, so each request names its client address.
    let server = Server::start_with(&[
        "--trusted-proxies",
        "127.0.0.1",
        "--auth-failure-limit",
        "3",
        "--auth-backoff",
        "1",
        "--auth-backoff-max",
        "2",
    ]);
    let from = |ip: &'static str| [("X-Forwarded-For", ip), ("X-Forwarded-Proto", "https")];
    server
        .user("erin", "erin-password", &from("203.0.113.1"))
        .await;
    let attacker = from("192.0.2.66");
    let user = from("198.51.100.7");

    let wrong = assert_wsse(
        &server.who_am_i_as("erin", "guess-0001", &attacker).await,
        "FailedAuthentication",
    );
    for guess in ["guess-0002", "guess-0003"] {
        server.who_am_i_as("erin", guess, &attacker).await;
    }
    let checks = server.metric("soapstone_password_checks_total").await;
    let throttled = server.metric("soapstone_auth_throttled_total").await;
    // During the backoff: the right password for erin, from the user's own address, and
    // another account's right password from the attacker's address are refused, with the
    // same answer as a wrong password and no password check.
    for (name, password, headers) in [
        ("erin", "erin-password", &user),
        (ADMIN, ADMIN_PASSWORD, &attacker),
    ] {
        let reply = server.who_am_i_as(name, password, headers).await;
        assert_eq!(assert_wsse(&reply, "FailedAuthentication"), wrong);
    }
    assert_eq!(
        server.metric("soapstone_password_checks_total").await,
        checks
    );
    assert_eq!(
        server.metric("soapstone_auth_throttled_total").await,
        throttled + 2.0
    );

    // After the backoff (1 s here), the right password from the user's address works again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let reply = server.who_am_i_as("erin", "erin-password", &user).await;
        if reply.status == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{}", reply.body);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let audit = server
        .auth_raw(
            &env11_with(
                &wsse_text(ADMIN, ADMIN_PASSWORD),
                &format!(
                    r#"<s:ListAuditEvents xmlns:s="{SECURITY_NS}"><s:operation>WhoAmI</s:operation></s:ListAuditEvents>"#
                ),
            ),
            &from("203.0.113.1"),
        )
        .await;
    audit.assert_ok11();
    let codes = audit.texts(SECURITY_NS, "faultCode");
    let throttled_events = codes
        .iter()
        .filter(|c| *c == "wsse:FailedAuthentication (throttled)")
        .count() as f64;
    assert!(throttled_events >= 2.0, "{codes:?}");
    assert_eq!(
        throttled_events,
        server.metric("soapstone_auth_throttled_total").await - throttled,
        "every throttled attempt is in the audit trail: {codes:?}"
    );
    let addresses = audit.texts(SECURITY_NS, "remoteAddress");
    assert!(addresses.iter().any(|a| a == "192.0.2.66"), "{addresses:?}");
}

#[tokio::test]
async fn password_text_needs_a_protected_transport() {
    let server = Server::start_with(&["--trusted-proxies", "127.0.0.1"]);
    let via = |proto: &'static str| {
        [
            ("X-Forwarded-For", "192.0.2.9"),
            ("X-Forwarded-Proto", proto),
        ]
    };
    server
        .who_am_i_as(ADMIN, ADMIN_PASSWORD, &via("https"))
        .await
        .assert_ok11();
    assert_wsse(
        &server
            .who_am_i_as(ADMIN, ADMIN_PASSWORD, &via("http"))
            .await,
        "FailedAuthentication",
    );
    let login = format!(
        r#"<s:Login xmlns:s="{SECURITY_NS}"><s:username>{ADMIN}</s:username><s:password>{ADMIN_PASSWORD}</s:password></s:Login>"#
    );
    assert_wsse(
        &server.auth_raw(&env11_with("", &login), &via("http")).await,
        "FailedAuthentication",
    );
    assert!(
        server
            .logs
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("refused a password sent in the clear")),
        "the log says why"
    );
    // A PasswordDigest reveals no password: unaffected.
    let nonce = [7u8; 16];
    let created = OffsetDateTime::now_utc().format(&Rfc3339).unwrap();
    let mut input = nonce.to_vec();
    input.extend_from_slice(created.as_bytes());
    input.extend_from_slice(ADMIN_DIGEST_SECRET.as_bytes());
    let digest = format!(
        r#"<wsse:Security xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}"><wsse:UsernameToken><wsse:Username>{ADMIN}</wsse:Username><wsse:Password Type="{DIGEST_TYPE}">{}</wsse:Password><wsse:Nonce>{}</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>"#,
        STANDARD.encode(openssl::sha::sha1(&input)),
        STANDARD.encode(nonce)
    );
    server
        .auth_raw(&env11_with(&digest, &who_am_i()), &via("http"))
        .await
        .assert_ok11();

    let allowing = Server::start_with(&[
        "--trusted-proxies",
        "127.0.0.1",
        "--allow-plaintext-passwords",
        "true",
    ]);
    allowing
        .who_am_i_as(ADMIN, ADMIN_PASSWORD, &via("http"))
        .await
        .assert_ok11();
}

#[tokio::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    let forged = [
        ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Proto", "https"),
    ];
    async fn wsdl(server: &Server, forged: &[(&str, &str)]) -> (String, String) {
        let reply = server.get("/services/UserService?wsdl", forged).await;
        assert_eq!(reply.status, 200);
        (server.base.clone(), reply.body)
    }

    let direct = Server::start();
    let (base, body) = wsdl(&direct, &forged).await;
    assert!(!body.contains("evil.example"), "{body}");
    assert!(
        body.contains(&format!(r#"location="{base}/services/UserService""#)),
        "{body}"
    );

    let behind_proxy = Server::start_with(&["--trusted-proxies", "127.0.0.0/8"]);
    let (_, body) = wsdl(&behind_proxy, &forged).await;
    assert!(
        body.contains(r#"location="https://evil.example/services/UserService""#),
        "a trusted proxy's headers are believed: {body}"
    );

    let fixed = Server::start_with(&[
        "--trusted-proxies",
        "127.0.0.0/8",
        "--public-url",
        "https://soap.example.com",
    ]);
    let (_, body) = wsdl(&fixed, &forged).await;
    assert!(
        body.contains(r#"location="https://soap.example.com/services/UserService""#),
        "{body}"
    );
    assert!(!body.contains("evil.example"), "{body}");
    let page = fixed.get("/services", &forged).await.body;
    assert!(!page.contains("evil.example"), "{page}");
}
