//! Security end to end against the real server: WS-Security UsernameToken (text and digest),
//! replay and freshness, sessions, suspended users, role and ownership rules, the audit trail,
//! and HTTPS with client certificates (curl).

mod support;

use support::{
    ADMIN, ADMIN_DIGEST_SECRET, ADMIN_PASSWORD, CATALOG_NS, COMMON_NS, ORDERS_NS, Pki, Reply,
    SECURITY_NS, SOAP11, Server, Svc, USERS_NS, WSSE_NS, WSU_NS, assert_wsse, curl, env11_with,
    env12_with, fresh_nonce, rfc3339, session_header, wsse_digest, wsse_text,
};
use time::OffsetDateTime;

fn who_am_i() -> String {
    format!(r#"<s:WhoAmI xmlns:s="{SECURITY_NS}"/>"#)
}

impl Server {
    async fn auth(&self, headers: &str, op_body: &str) -> Reply {
        self.post(
            "/services/AuthService",
            "text/xml; charset=utf-8",
            &[],
            &env11_with(headers, op_body),
        )
        .await
    }

    async fn as_user(&self, svc: Svc, headers: &str, op: &str, inner: &str) -> Reply {
        let (path, _, ns) = svc.route();
        let body = env11_with(
            headers,
            &format!(r#"<p:{op} xmlns:p="{ns}">{inner}</p:{op}>"#),
        );
        self.post(path, "text/xml; charset=utf-8", &[], &body).await
    }

    /// Creates a user with a password (as the admin); its id.
    async fn user_with_password(&self, name: &str, role: &str, password: &str) -> i64 {
        let reply = self
            .call(
                Svc::Users,
                "CreateUser",
                &format!(
                    "<p:username>{name}</p:username><p:email>{name}@example.com</p:email><p:role>{role}</p:role><p:password>{password}</p:password>"
                ),
            )
            .await;
        reply.assert_ok11();
        reply.text(USERS_NS, "id").parse().unwrap()
    }
}

fn assert_denied(reply: &Reply, operation: &str) {
    reply.assert_fault11("Client");
    assert_eq!(
        reply.text(COMMON_NS, "operation"),
        operation,
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn username_tokens_text_and_digest_and_what_is_refused() {
    let server = Server::start();
    let reply = server
        .auth(&wsse_text(ADMIN, ADMIN_PASSWORD), &who_am_i())
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "username"), ADMIN);
    assert_eq!(reply.text(SECURITY_NS, "authentication"), "password");

    let now = rfc3339(OffsetDateTime::now_utc());
    let digest = wsse_digest(ADMIN, ADMIN_DIGEST_SECRET, &fresh_nonce(), &now);
    let reply = server.auth(&digest, &who_am_i()).await;
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "authentication"), "digest");

    // The same message again: the nonce is a replay.
    let replayed = server.auth(&digest, &who_am_i()).await;
    assert_wsse(&replayed, "InvalidSecurity");

    // A wrong password and an unknown user are indistinguishable.
    let wrong = server
        .auth(&wsse_text(ADMIN, "not-the-password"), &who_am_i())
        .await;
    let unknown = server
        .auth(&wsse_text("nobody", "not-the-password"), &who_am_i())
        .await;
    assert_wsse(&wrong, "FailedAuthentication");
    assert_wsse(&unknown, "FailedAuthentication");
    assert_eq!(wrong.reason(), unknown.reason());
    let wrong_digest = wsse_digest(ADMIN, "wrong-secret", &fresh_nonce(), &now);
    assert_wsse(
        &server.auth(&wrong_digest, &who_am_i()).await,
        "FailedAuthentication",
    );

    // No credentials at all.
    assert_wsse(&server.auth("", &who_am_i()).await, "FailedAuthentication");

    // Freshness: Created 10 minutes old, or 5 minutes ahead; an expired Timestamp.
    let old = rfc3339(OffsetDateTime::now_utc() - time::Duration::minutes(10));
    let stale = wsse_digest(ADMIN, ADMIN_DIGEST_SECRET, &fresh_nonce(), &old);
    assert_wsse(&server.auth(&stale, &who_am_i()).await, "MessageExpired");
    let ahead = rfc3339(OffsetDateTime::now_utc() + time::Duration::minutes(5));
    let future = wsse_digest(ADMIN, ADMIN_DIGEST_SECRET, &fresh_nonce(), &ahead);
    assert_wsse(&server.auth(&future, &who_am_i()).await, "MessageExpired");
    let expired = wsse_text(ADMIN, ADMIN_PASSWORD).replace(
        "<wsse:UsernameToken>",
        &format!(
            r#"<wsu:Timestamp xmlns:wsu="{WSU_NS}"><wsu:Created>{old}</wsu:Created><wsu:Expires>{}</wsu:Expires></wsu:Timestamp><wsse:UsernameToken>"#,
            rfc3339(OffsetDateTime::now_utc() - time::Duration::minutes(5))
        ),
    );
    assert_wsse(&server.auth(&expired, &who_am_i()).await, "MessageExpired");

    // Malformed tokens.
    let bad_nonce = digest.replace("<wsse:Nonce>", "<wsse:Nonce>!!");
    assert_wsse(
        &server.auth(&bad_nonce, &who_am_i()).await,
        "InvalidSecurityToken",
    );
    let bad_type = wsse_text(ADMIN, ADMIN_PASSWORD)
        .replace("<wsse:Password>", r#"<wsse:Password Type="urn:x#Plain">"#);
    assert_wsse(
        &server.auth(&bad_type, &who_am_i()).await,
        "InvalidSecurityToken",
    );
    let signed = wsse_text(ADMIN, ADMIN_PASSWORD).replace(
        "<wsse:UsernameToken>",
        r#"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/><wsse:UsernameToken>"#,
    );
    assert_wsse(&server.auth(&signed, &who_am_i()).await, "InvalidSecurity");

    // SOAP 1.2: Sender with the WS-Security subcode.
    let reply = server
        .post(
            "/services/AuthService",
            "application/soap+xml; charset=utf-8",
            &[],
            &env12_with(&wsse_text(ADMIN, "nope-nope"), &who_am_i()),
        )
        .await;
    reply.assert_fault12("Sender");
    assert!(
        reply.body.contains(&format!(
            r#"<env:Subcode><env:Value xmlns:wsse="{WSSE_NS}">wsse:FailedAuthentication</env:Value></env:Subcode>"#
        )),
        "{}",
        reply.body
    );

    // The contract and the pages stay open.
    assert_eq!(
        server.get("/services/UserService?wsdl", &[]).await.status,
        200
    );
    assert_eq!(server.get("/services", &[]).await.status, 200);
    // Passwords never reach the log.
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(!logs.contains(ADMIN_PASSWORD) && !logs.contains("not-the-password"));
}

#[tokio::test]
async fn must_understand_on_the_security_header_in_every_form_clients_send() {
    let server = Server::start();
    let token = wsse_text(ADMIN, ADMIN_PASSWORD);
    for attribute in [
        r#"soap:mustUnderstand="1""#,
        r#"soap:mustUnderstand="true""#,
        r#"mustUnderstand="true""#,
        "",
    ] {
        let header = token.replace("<wsse:Security ", &format!("<wsse:Security {attribute} "));
        server.auth(&header, &who_am_i()).await.assert_ok11();
    }
    let body = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Header>{}</soap:Header><soap:Body>{}</soap:Body></soap:Envelope>"#,
        session_header("abc").replace(
            "<s:SessionToken ",
            r#"<s:SessionToken soap:mustUnderstand="1" "#
        ),
        who_am_i()
    );
    let reply = server
        .post("/services/AuthService", "text/xml", &[], &body)
        .await;
    assert_wsse(&reply, "FailedAuthentication");
}

#[tokio::test]
async fn nonces_are_remembered_across_a_restart() {
    let server = Server::start();
    let now = rfc3339(OffsetDateTime::now_utc());
    let digest = wsse_digest(ADMIN, ADMIN_DIGEST_SECRET, &fresh_nonce(), &now);
    server.auth(&digest, &who_am_i()).await.assert_ok11();
    let (code, dir) = server.stop();
    assert_eq!(code, Some(0));
    let server = Server::start_in(dir);
    assert_wsse(&server.auth(&digest, &who_am_i()).await, "InvalidSecurity");
}

#[tokio::test]
async fn sessions_log_in_out_and_end_with_password_changes_and_suspension() {
    let server = Server::start();
    let id = server
        .user_with_password("sue", "clerk", "sue-password-1")
        .await;
    let token = server.login("sue", "sue-password-1").await;
    let reply = server.auth(&session_header(&token), &who_am_i()).await;
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "authentication"), "session");
    assert_eq!(reply.text(SECURITY_NS, "role"), "clerk");
    assert_eq!(reply.texts(SECURITY_NS, "sessionExpiresAt").len(), 1);

    // A wrong password does not log in; the reason is the same as for an unknown user.
    let bad = server
        .auth(
            "",
            &format!(
                r#"<s:Login xmlns:s="{SECURITY_NS}"><s:username>sue</s:username><s:password>wrong-password</s:password></s:Login>"#
            ),
        )
        .await;
    assert_wsse(&bad, "FailedAuthentication");

    // Logout ends the session.
    let logout = format!(r#"<s:Logout xmlns:s="{SECURITY_NS}"/>"#);
    let reply = server.auth(&session_header(&token), &logout).await;
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "loggedOut"), "true");
    assert_wsse(
        &server.auth(&session_header(&token), &who_am_i()).await,
        "FailedAuthentication",
    );

    // Changing the password ends the other sessions, keeps the one it was changed from.
    let first = server.login("sue", "sue-password-1").await;
    let second = server.login("sue", "sue-password-1").await;
    let change = format!("<p:id>{id}</p:id><p:newPassword>sue-password-2</p:newPassword>");
    server
        .as_user(Svc::Users, &session_header(&first), "SetPassword", &change)
        .await
        .assert_ok11();
    server
        .auth(&session_header(&first), &who_am_i())
        .await
        .assert_ok11();
    assert_wsse(
        &server.auth(&session_header(&second), &who_am_i()).await,
        "FailedAuthentication",
    );
    assert_wsse(
        &server
            .auth(&wsse_text("sue", "sue-password-1"), &who_am_i())
            .await,
        "FailedAuthentication",
    );
    server
        .auth(&wsse_text("sue", "sue-password-2"), &who_am_i())
        .await
        .assert_ok11();
    // Too short a password is a validation fault on newPassword.
    let short = format!("<p:id>{id}</p:id><p:newPassword>short</p:newPassword>");
    let reply = server
        .as_user(Svc::Users, &session_header(&first), "SetPassword", &short)
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "path"), "newPassword");

    // A suspended user cannot authenticate, with a password or a session.
    server
        .call(
            Svc::Users,
            "UpdateUser",
            &format!("<p:id>{id}</p:id><p:status>suspended</p:status>"),
        )
        .await
        .assert_ok11();
    assert_wsse(
        &server.auth(&session_header(&first), &who_am_i()).await,
        "FailedAuthentication",
    );
    assert_wsse(
        &server
            .auth(&wsse_text("sue", "sue-password-2"), &who_am_i())
            .await,
        "FailedAuthentication",
    );

    // Only the argon2id hash is stored.
    if !support::sqlite_only("reading the stored password hash and digest secret") {
        return;
    }
    let db = server.dir.path().join("soapstone.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let hash: String = conn
        .query_row(
            "SELECT password_hash FROM users WHERE username = 'sue'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let sealed: Vec<u8> = conn
        .query_row(
            "SELECT digest_secret FROM users WHERE username = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !sealed.windows(6).any(|w| w == b"digest"),
        "the digest secret is sealed"
    );
}

fn order(customer: i64, reference: &str) -> String {
    format!(
        "<p:customerId>{customer}</p:customerId><p:line><p:sku>SEC-1</p:sku><p:quantity>1</p:quantity></p:line><p:shippingAddress><p:name>N</p:name><p:street>S</p:street><p:city>C</p:city><p:postalCode>1</p:postalCode><p:country>US</p:country></p:shippingAddress><p:clientReference>{reference}</p:clientReference>"
    )
}

#[tokio::test]
async fn roles_and_ownership() {
    let server = Server::start();
    server
        .call(
            Svc::Catalog,
            "CreateProduct",
            "<p:sku>SEC-1</p:sku><p:name>Lock</p:name><p:unitPrice>5.00</p:unitPrice><p:currency>EUR</p:currency><p:stock>100</p:stock>",
        )
        .await
        .assert_ok11();
    let carl = server
        .user_with_password("carl", "customer", "carl-password")
        .await;
    let cora = server
        .user_with_password("cora", "customer", "cora-password")
        .await;
    server
        .user_with_password("cleo", "clerk", "cleo-password")
        .await;
    server
        .user_with_password("audra", "auditor", "audra-password")
        .await;
    let carl_h = wsse_text("carl", "carl-password");
    let cora_h = wsse_text("cora", "cora-password");
    let clerk_h = wsse_text("cleo", "cleo-password");
    let auditor_h = wsse_text("audra", "audra-password");

    // Customers place orders for themselves only.
    let placed = server
        .as_user(Svc::Orders, &carl_h, "PlaceOrder", &order(carl, "c-1"))
        .await;
    placed.assert_ok11();
    let order_id = placed.text(ORDERS_NS, "id");
    assert_denied(
        &server
            .as_user(Svc::Orders, &carl_h, "PlaceOrder", &order(cora, "c-2"))
            .await,
        "PlaceOrder",
    );
    // ... and read, list and cancel only their own.
    let get = format!("<p:id>{order_id}</p:id>");
    server
        .as_user(Svc::Orders, &carl_h, "GetOrder", &get)
        .await
        .assert_ok11();
    assert_denied(
        &server.as_user(Svc::Orders, &cora_h, "GetOrder", &get).await,
        "GetOrder",
    );
    let cancel = format!("<p:id>{order_id}</p:id><p:reason>changed my mind</p:reason>");
    assert_denied(
        &server
            .as_user(Svc::Orders, &cora_h, "CancelOrder", &cancel)
            .await,
        "CancelOrder",
    );
    let listed = server.as_user(Svc::Orders, &cora_h, "ListOrders", "").await;
    listed.assert_ok11();
    assert_eq!(listed.text(ORDERS_NS, "totalCount"), "0");
    assert_denied(
        &server
            .as_user(
                Svc::Orders,
                &cora_h,
                "ListOrders",
                &format!("<p:customerId>{carl}</p:customerId>"),
            )
            .await,
        "ListOrders",
    );
    // Staff see every order; auditors read but do not write.
    server
        .as_user(Svc::Orders, &clerk_h, "GetOrder", &get)
        .await
        .assert_ok11();
    server
        .as_user(Svc::Orders, &auditor_h, "GetOrder", &get)
        .await
        .assert_ok11();
    server
        .as_user(
            Svc::Orders,
            &auditor_h,
            "SalesReport",
            "<p:from>2000-01-01T00:00:00Z</p:from><p:to>2100-01-01T00:00:00Z</p:to><p:groupBy>day</p:groupBy>",
        )
        .await
        .assert_ok11();
    assert_denied(
        &server
            .as_user(
                Svc::Catalog,
                &auditor_h,
                "CreateProduct",
                "<p:sku>SEC-2</p:sku><p:name>Key</p:name><p:unitPrice>1.00</p:unitPrice><p:currency>EUR</p:currency><p:stock>1</p:stock>",
            )
            .await,
        "CreateProduct",
    );
    assert_denied(
        &server
            .as_user(Svc::Orders, &auditor_h, "CancelOrder", &cancel)
            .await,
        "CancelOrder",
    );
    server
        .as_user(Svc::Orders, &carl_h, "CancelOrder", &cancel)
        .await
        .assert_ok11();
    // Customers read the catalog but do not change it.
    server
        .as_user(Svc::Catalog, &carl_h, "GetProduct", "<p:sku>SEC-1</p:sku>")
        .await
        .assert_ok11();
    let stock = "<p:sku>SEC-1</p:sku><p:delta>5</p:delta><p:reason>count</p:reason>";
    assert_denied(
        &server
            .as_user(Svc::Catalog, &carl_h, "AdjustStock", stock)
            .await,
        "AdjustStock",
    );
    server
        .as_user(Svc::Catalog, &clerk_h, "AdjustStock", stock)
        .await
        .assert_ok11();
    // Users: themselves only, unless admin (or auditor, for reading).
    let me = format!("<p:id>{carl}</p:id>");
    server
        .as_user(Svc::Users, &carl_h, "GetUser", &me)
        .await
        .assert_ok11();
    assert_denied(
        &server
            .as_user(
                Svc::Users,
                &carl_h,
                "GetUser",
                &format!("<p:id>{cora}</p:id>"),
            )
            .await,
        "GetUser",
    );
    server
        .as_user(
            Svc::Users,
            &carl_h,
            "UpdateUser",
            &format!("<p:id>{carl}</p:id><p:displayName>Carl</p:displayName>"),
        )
        .await
        .assert_ok11();
    assert_denied(
        &server
            .as_user(
                Svc::Users,
                &carl_h,
                "UpdateUser",
                &format!("<p:id>{carl}</p:id><p:status>active</p:status>"),
            )
            .await,
        "UpdateUser",
    );
    assert_denied(
        &server.as_user(Svc::Users, &clerk_h, "ListUsers", "").await,
        "ListUsers",
    );
    server
        .as_user(Svc::Users, &auditor_h, "ListUsers", "")
        .await
        .assert_ok11();
    assert_denied(
        &server
            .as_user(
                Svc::Users,
                &auditor_h,
                "DeleteUser",
                &format!("<p:id>{cora}</p:id>"),
            )
            .await,
        "DeleteUser",
    );
    assert_denied(
        &server
            .as_user(
                Svc::Users,
                &carl_h,
                "SetPassword",
                &format!("<p:id>{cora}</p:id><p:newPassword>hijacked-password</p:newPassword>"),
            )
            .await,
        "SetPassword",
    );
    // A typed catalog fault still reaches staff.
    let missing = server
        .as_user(Svc::Catalog, &clerk_h, "GetProduct", "<p:sku>NOPE</p:sku>")
        .await;
    missing.assert_fault11("Client");
    assert_eq!(missing.texts(CATALOG_NS, "sku").len(), 0);
    assert_eq!(missing.texts(COMMON_NS, "ProductNotFoundFault").len(), 1);
}

#[tokio::test]
async fn get_user_by_email_reads_the_own_record_and_tells_nothing_of_others() {
    let server = Server::start();
    let carl = server
        .user_with_password("carl", "customer", "carl-password")
        .await;
    let cora = server
        .user_with_password("cora", "customer", "cora-password")
        .await;
    server
        .user_with_password("audra", "auditor", "audra-password")
        .await;
    let as_carl = wsse_text("carl", "carl-password");

    // Its own record, the address compared case-insensitively.
    let reply = get_user_by_email(&server, &as_carl, "CARL@example.com").await;
    reply.assert_ok11();
    assert_eq!(reply.text(USERS_NS, "id"), carl.to_string());
    assert_eq!(reply.text(USERS_NS, "email"), "carl@example.com");
    // Another user's address and an address nobody has are refused alike.
    for email in ["cora@example.com", "nobody@example.com"] {
        assert_denied(
            &get_user_by_email(&server, &as_carl, email).await,
            "GetUserByEmail",
        );
    }
    // An auditor reads anyone, and learns when nobody has the address.
    let as_audra = wsse_text("audra", "audra-password");
    let reply = get_user_by_email(&server, &as_audra, "cora@example.com").await;
    reply.assert_ok11();
    assert_eq!(reply.text(USERS_NS, "id"), cora.to_string());
    let reply = get_user_by_email(&server, &as_audra, "Nobody@example.com").await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "email"), "Nobody@example.com");
    // The schema's Email facets (3 to 254 characters) are checked before any lookup.
    let long = format!("{}@example.com", "x".repeat(250));
    let reply = get_user_by_email(&server, &as_audra, &long).await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "path"), "email");
}

/// GetUserByEmail for `email`, as the caller whose header blocks are `headers`.
async fn get_user_by_email(server: &Server, headers: &str, email: &str) -> Reply {
    let inner = format!("<p:email>{email}</p:email>");
    server
        .as_user(Svc::Users, headers, "GetUserByEmail", &inner)
        .await
}

#[tokio::test]
async fn the_audit_trail_records_who_called_what_and_how_it_ended() {
    let server = Server::start();
    server
        .user_with_password("ava", "auditor", "ava-password-1")
        .await;
    server
        .user_with_password("cid", "customer", "cid-password-1")
        .await;
    server
        .as_user(
            Svc::Users,
            &wsse_text("cid", "cid-password-1"),
            "ListUsers",
            "",
        )
        .await;
    server
        .auth(&wsse_text("cid", "wrong-password"), &who_am_i())
        .await;

    let list = |params: &str| {
        format!(r#"<s:ListAuditEvents xmlns:s="{SECURITY_NS}">{params}</s:ListAuditEvents>"#)
    };
    let ava = wsse_text("ava", "ava-password-1");
    // The trail is written in the background: give it a moment.
    let mut reply = server
        .auth(&ava, &list("<s:operation>ListUsers</s:operation>"))
        .await;
    for _ in 0..50 {
        if reply.texts(SECURITY_NS, "event").len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        reply = server
            .auth(&ava, &list("<s:operation>ListUsers</s:operation>"))
            .await;
    }
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "username"), "cid");
    assert_eq!(reply.text(SECURITY_NS, "outcome"), "fault");
    assert_eq!(reply.text(SECURITY_NS, "faultCode"), "AccessDeniedFault");
    assert_eq!(reply.text(SECURITY_NS, "remoteAddress"), "127.0.0.1");

    let failed = server
        .auth(
            &ava,
            &list("<s:operation>WhoAmI</s:operation><s:outcome>fault</s:outcome>"),
        )
        .await;
    failed.assert_ok11();
    assert_eq!(
        failed.text(SECURITY_NS, "faultCode"),
        "wsse:FailedAuthentication"
    );
    assert!(failed.texts(SECURITY_NS, "username").is_empty());

    // Paging, newest first.
    let page = server.auth(&ava, &list("<s:pageSize>2</s:pageSize>")).await;
    page.assert_ok11();
    let ids: Vec<i64> = page
        .texts(SECURITY_NS, "id")
        .iter()
        .map(|i| i.parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids[0] > ids[1]);
    let token = page.text(SECURITY_NS, "nextPageToken");
    let next = server
        .auth(
            &ava,
            &list(&format!(
                "<s:pageSize>2</s:pageSize><s:pageToken>{token}</s:pageToken>"
            )),
        )
        .await;
    let next_ids: Vec<i64> = next
        .texts(SECURITY_NS, "id")
        .iter()
        .map(|i| i.parse().unwrap())
        .collect();
    assert!(
        next_ids.iter().all(|id| *id < ids[1]),
        "{next_ids:?} after {ids:?}"
    );

    // Customers may not read it; no secret is ever in it.
    assert_denied(
        &server
            .auth(&wsse_text("cid", "cid-password-1"), &list(""))
            .await,
        "ListAuditEvents",
    );
    if !support::sqlite_only("reading the stored audit rows") {
        return;
    }
    let db = server.dir.path().join("soapstone.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: String = conn
        .query_row(
            "SELECT group_concat(request_id || coalesce(username, '') || coalesce(fault_code, ''), ' ') FROM audit_events",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!rows.contains("password"), "{rows}");
}

#[tokio::test]
async fn https_and_client_certificates_with_curl() {
    let pki = Pki::new(ADMIN);
    let file = |name: &str| pki.file(name);
    let server = Server::start_https(&pki, true);
    assert!(server.base.starts_with("https://"), "{}", server.base);
    let ca = file("ca.pem");
    let (cert, key) = (file("client.pem"), file("client.key"));
    let with_cert = ["--cacert", &ca, "--cert", &cert, "--key", &key];

    // The client certificate authenticates its user; the WSDL shows https.
    let envelope = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{}</soap:Body></soap:Envelope>"#,
        who_am_i()
    );
    let mut args = with_cert.to_vec();
    args.extend(["-H", "Content-Type: text/xml", "--data-binary", &envelope]);
    let (code, body) = curl(&server.url("/services/AuthService"), &args);
    assert_eq!(code, Some(200), "{body}");
    assert_eq!(
        support::texts(&body, SECURITY_NS, "authentication"),
        vec!["certificate"]
    );
    assert_eq!(support::texts(&body, SECURITY_NS, "username"), vec![ADMIN]);
    let (code, wsdl) = curl(&server.url("/services/UserService?wsdl"), &with_cert);
    assert_eq!(code, Some(200));
    assert!(
        wsdl.contains(&format!(
            r#"location="{}/services/UserService""#,
            server.base
        )),
        "{wsdl}"
    );
    // Without a client certificate the handshake fails.
    let (code, _) = curl(&server.url("/health"), &["--cacert", &ca]);
    assert_eq!(code, None, "mTLS requires a client certificate");
    // A certificate from another CA is refused too.
    let other = Pki::new(ADMIN);
    let (code, _) = curl(
        &server.url("/health"),
        &[
            "--cacert",
            &ca,
            "--cert",
            &other.file("client.pem"),
            "--key",
            &other.file("client.key"),
        ],
    );
    assert_eq!(code, None, "a certificate from another CA is refused");
}

#[tokio::test]
async fn https_without_client_certificates_needs_message_credentials() {
    let pki = Pki::new("nobody");
    let file = |name: &str| pki.file(name);
    let server = Server::start_https(&pki, false);
    let ca = file("ca.pem");
    let envelope = env11_with(&wsse_text(ADMIN, ADMIN_PASSWORD), &who_am_i());
    let (code, body) = curl(
        &server.url("/services/AuthService"),
        &[
            "--cacert",
            &ca,
            "-H",
            "Content-Type: text/xml",
            "--data-binary",
            &envelope,
        ],
    );
    assert_eq!(code, Some(200), "{body}");
    assert_eq!(
        support::texts(&body, SECURITY_NS, "authentication"),
        vec!["password"]
    );
    let anonymous = env11_with("", &who_am_i());
    let (code, body) = curl(
        &server.url("/services/AuthService"),
        &[
            "--cacert",
            &ca,
            "-H",
            "Content-Type: text/xml",
            "--data-binary",
            &anonymous,
        ],
    );
    assert_eq!(code, Some(500));
    assert!(body.contains("wsse:FailedAuthentication"), "{body}");
    // Plain HTTP to the TLS port is not served.
    let (code, _) = curl(&server.url("/health").replace("https://", "http://"), &[]);
    assert_ne!(code, Some(200));
}

#[tokio::test]
async fn rate_limits_per_user_and_the_user_on_access_lines() {
    let server = Server::start_with(&["--user-rate-limit", "0.5", "--rate-burst", "2"]);
    server
        .user_with_password("ulla", "clerk", "ulla-password")
        .await;
    let admin = wsse_text(ADMIN, ADMIN_PASSWORD);
    // The admin used one token creating ulla.
    server.auth(&admin, &who_am_i()).await.assert_ok11();
    let limited = server.auth(&admin, &who_am_i()).await;
    assert_eq!(limited.status, 503, "{}", limited.body);
    assert_eq!(limited.text("", "faultcode"), "soap:Server");
    assert!(
        limited
            .reason()
            .contains("Rate limit exceeded for user admin"),
        "{}",
        limited.body
    );
    support::validate(&limited.body);
    // Another user has a bucket of its own.
    server
        .auth(&wsse_text("ulla", "ulla-password"), &who_am_i())
        .await
        .assert_ok11();
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(
        logs.lines()
            .any(|l| l.contains("operation=\"WhoAmI\"") && l.contains("user=\"ulla\"")),
        "{logs}"
    );
}

/// The access lines of `operation`, once there are `count` of them (bounded wait: the log is
/// read from the server's stderr by another thread).
async fn access_lines(server: &Server, operation: &str, count: usize) -> Vec<String> {
    let needle = format!("operation=\"{operation}\"");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let lines: Vec<String> = server
            .logs
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains("soapstone::access") && l.contains(&needle))
            .cloned()
            .collect();
        if lines.len() >= count || std::time::Instant::now() > deadline {
            return lines;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn failed_authentications_log_their_wsse_code_and_class_but_not_the_password_or_the_user() {
    let server = Server::start_with(&["--auth-failure-limit", "2", "--auth-backoff", "300"]);
    // A replayed nonce: InvalidSecurity to the caller, "replay" in the log.
    let now = rfc3339(OffsetDateTime::now_utc());
    let digest = wsse_digest(ADMIN, ADMIN_DIGEST_SECRET, &fresh_nonce(), &now);
    server.auth(&digest, &who_am_i()).await.assert_ok11();
    assert_wsse(&server.auth(&digest, &who_am_i()).await, "InvalidSecurity");
    let wrong = "wrong-password-1234";
    assert_wsse(
        &server.auth(&wsse_text(ADMIN, wrong), &who_am_i()).await,
        "FailedAuthentication",
    );
    assert_wsse(
        &server
            .auth(&wsse_text("nobody-here", wrong), &who_am_i())
            .await,
        "FailedAuthentication",
    );
    // Two failures from this address: the next attempt is throttled, the caller sees the same.
    assert_wsse(
        &server
            .auth(&wsse_text(ADMIN, ADMIN_PASSWORD), &who_am_i())
            .await,
        "FailedAuthentication",
    );
    let lines = access_lines(&server, "WhoAmI", 5).await;
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert!(
        lines[0].contains("user=\"admin\"") && !lines[0].contains("fault="),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("fault=\"wsse:InvalidSecurity\"")
            && lines[1].contains("cause=\"replay\""),
        "{}",
        lines[1]
    );
    // A wrong password and an unknown user read alike; neither names a user.
    for line in &lines[2..4] {
        assert!(
            line.contains("fault=\"wsse:FailedAuthentication\"")
                && line.contains("cause=\"unknown user, wrong password or suspended user\""),
            "{line}"
        );
        assert!(!line.contains("user="), "{line}");
    }
    assert!(
        lines[4].contains("fault=\"wsse:FailedAuthentication (throttled)\"")
            && lines[4].contains("cause=\"throttled\""),
        "{}",
        lines[4]
    );
    let logs = server.logs.lock().unwrap().join("\n");
    assert!(
        !logs.contains(wrong) && !logs.contains(ADMIN_PASSWORD) && !logs.contains("nobody-here"),
        "{logs}"
    );
}
