//! The credential cache never serves what has changed: after every kind of change — a
//! suspension or a password change through the User service, a Logout, a suspension or a new
//! digest secret from the `user` commands in another process, a role changed with SQL by
//! another connection, a session reaching its expiry — the very next call is refused or sees
//! the change, with no wait in between. Each test first calls twice with the same credentials,
//! so that the second call is answered from the cache.
//!
//! On SQLite by default; with `SOAPSTONE_TEST_DB=postgres` on PostgreSQL, with Redis when
//! `SOAPSTONE_TEST_REDIS` is set (the shared generation) and without it otherwise (no cache).

mod support;

use std::time::Duration;

use support::{
    ADMIN, ADMIN_DIGEST_SECRET, Backend, Reply, SECURITY_NS, Server, USERS_NS, assert_wsse, env11,
    env11_with, fresh_digest, session_header, wsse_text,
};

const PASSWORD: &str = "carol-password-1";

/// The Redis the servers and the `user` commands are given: on PostgreSQL, the test Redis
/// when there is one.
fn redis() -> Option<String> {
    support::redis_url().filter(|_| Backend::current() == Backend::Postgres)
}

/// `args` with `--redis` when [`redis`] has one.
fn with_redis<'a>(mut args: Vec<&'a str>, redis: &'a Option<String>) -> Vec<&'a str> {
    if let Some(url) = redis {
        args.extend(["--redis", url.as_str()]);
    }
    args
}

/// A server (with [`redis`]) and the user carol, a customer with a password made by the
/// `user` commands; carol's id.
async fn server_with_carol() -> (Server, String) {
    let server = Server::start_with(&with_redis(Vec::new(), &redis()));
    let id = server.add_user("carol", "customer", PASSWORD);
    (server, id)
}

fn who_am_i() -> String {
    format!(r#"<s:WhoAmI xmlns:s="{SECURITY_NS}"/>"#)
}

async fn who(server: &Server, headers: &str) -> Reply {
    auth(server, headers, &who_am_i()).await
}

async fn auth(server: &Server, headers: &str, body: &str) -> Reply {
    server
        .post(
            "/services/AuthService",
            "text/xml; charset=utf-8",
            &[],
            &env11_with(headers, body),
        )
        .await
}

/// Two accepted calls with `headers` (the second from the cache), as `user`.
async fn accepted_twice(server: &Server, headers: &str, user: &str) -> Reply {
    let mut last = None;
    for _ in 0..2 {
        let reply = who(server, headers).await;
        reply.assert_ok11();
        assert_eq!(reply.text(SECURITY_NS, "username"), user);
        last = Some(reply);
    }
    last.expect("two calls")
}

/// An admin's UserService call of `op` with `inner`.
async fn admin_call(server: &Server, op: &str, inner: &str) -> Reply {
    server
        .soap11(
            Some(&support::action(op)),
            &env11(&format!(r#"<u:{op} xmlns:u="{USERS_NS}">{inner}</u:{op}>"#)),
        )
        .await
}

#[tokio::test]
async fn a_suspension_through_the_user_service_refuses_the_very_next_call() {
    let (server, id) = server_with_carol().await;
    let password = wsse_text("carol", PASSWORD);
    let session = session_header(&server.login("carol", PASSWORD).await);
    let hits = "soapstone_credential_cache_hits_total";
    let before = server.metric(hits).await;
    accepted_twice(&server, &password, "carol").await;
    accepted_twice(&server, &session, "carol").await;
    if Backend::current() == Backend::Sqlite {
        // Login read carol; the password calls and the second session call find copies.
        assert_eq!(server.metric(hits).await - before, 3.0);
    }
    admin_call(
        &server,
        "UpdateUser",
        &format!("<u:id>{id}</u:id><u:status>suspended</u:status>"),
    )
    .await
    .assert_ok11();
    assert_wsse(&who(&server, &password).await, "FailedAuthentication");
    assert_wsse(&who(&server, &session).await, "FailedAuthentication");
    admin_call(
        &server,
        "UpdateUser",
        &format!("<u:id>{id}</u:id><u:status>active</u:status>"),
    )
    .await
    .assert_ok11();
    accepted_twice(&server, &password, "carol").await;
    assert_wsse(&who(&server, &session).await, "FailedAuthentication");
}

#[tokio::test]
async fn a_new_password_refuses_the_old_one_and_the_other_sessions_at_the_very_next_call() {
    let (server, id) = server_with_carol().await;
    let old = wsse_text("carol", PASSWORD);
    let session = session_header(&server.login("carol", PASSWORD).await);
    accepted_twice(&server, &old, "carol").await;
    accepted_twice(&server, &session, "carol").await;
    admin_call(
        &server,
        "SetPassword",
        &format!("<u:id>{id}</u:id><u:newPassword>carol-password-2</u:newPassword>"),
    )
    .await
    .assert_ok11();
    assert_wsse(&who(&server, &old).await, "FailedAuthentication");
    assert_wsse(&who(&server, &session).await, "FailedAuthentication");
    accepted_twice(&server, &wsse_text("carol", "carol-password-2"), "carol").await;
}

#[tokio::test]
async fn a_logout_refuses_the_session_at_the_very_next_call() {
    let (server, _) = server_with_carol().await;
    let session = session_header(&server.login("carol", PASSWORD).await);
    let other = session_header(&server.login("carol", PASSWORD).await);
    accepted_twice(&server, &session, "carol").await;
    accepted_twice(&server, &other, "carol").await;
    let reply = auth(
        &server,
        &session,
        &format!(r#"<s:Logout xmlns:s="{SECURITY_NS}"/>"#),
    )
    .await;
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "loggedOut"), "true");
    assert_wsse(&who(&server, &session).await, "FailedAuthentication");
    accepted_twice(&server, &other, "carol").await;
}

#[tokio::test]
async fn a_suspension_by_the_user_command_in_another_process_refuses_the_very_next_call() {
    let (server, _) = server_with_carol().await;
    let password = wsse_text("carol", PASSWORD);
    let session = session_header(&server.login("carol", PASSWORD).await);
    accepted_twice(&server, &password, "carol").await;
    accepted_twice(&server, &session, "carol").await;
    let (db, redis) = (server.db_url(), redis());
    let mut args = with_redis(vec!["user", "suspend", "--db", db.as_str()], &redis);
    args.push("carol");
    let (ok, out) = support::run(&args);
    assert!(ok, "user suspend: {out}");
    assert!(out.contains("suspended carol"), "{out}");
    assert_wsse(&who(&server, &password).await, "FailedAuthentication");
    assert_wsse(&who(&server, &session).await, "FailedAuthentication");
    let (ok, out) = support::run(&["user", "suspend", "--db", db.as_str(), "nobody"]);
    assert!(!ok, "{out}");
    assert!(out.contains("no user with username 'nobody'"), "{out}");
}

#[tokio::test]
async fn a_digest_secret_replaced_by_the_user_command_refuses_the_old_one_at_the_very_next_call() {
    let (server, _) = server_with_carol().await;
    for _ in 0..2 {
        who(&server, &fresh_digest(ADMIN, ADMIN_DIGEST_SECRET))
            .await
            .assert_ok11();
    }
    let (db, redis) = (server.db_url(), redis());
    let mut args = with_redis(vec!["user", "digest-secret", "--db", db.as_str()], &redis);
    args.push(ADMIN);
    let (ok, out) = support::run_with_input(&args, "a-new-digest-secret");
    assert!(ok, "user digest-secret: {out}");
    assert_wsse(
        &who(&server, &fresh_digest(ADMIN, ADMIN_DIGEST_SECRET)).await,
        "FailedAuthentication",
    );
    who(&server, &fresh_digest(ADMIN, "a-new-digest-secret"))
        .await
        .assert_ok11();
}

#[tokio::test]
async fn roles_changed_with_sql_by_another_connection_are_seen_by_the_very_next_call() {
    if !support::sqlite_only("changing roles with SQL in the SQLite file") {
        return;
    }
    let (server, id) = server_with_carol().await;
    let password = wsse_text("carol", PASSWORD);
    let session = session_header(&server.login("carol", PASSWORD).await);
    for headers in [&password, &session] {
        let reply = accepted_twice(&server, headers, "carol").await;
        assert_eq!(reply.texts(SECURITY_NS, "role"), ["customer"]);
    }
    let conn = rusqlite::Connection::open(server.db_url()).unwrap();
    conn.execute(
        "UPDATE user_roles SET role = 'auditor' WHERE user_id = ?1",
        [id.parse::<i64>().unwrap()],
    )
    .unwrap();
    drop(conn);
    for headers in [&password, &session] {
        let reply = who(&server, headers).await;
        reply.assert_ok11();
        assert_eq!(reply.texts(SECURITY_NS, "role"), ["auditor"]);
    }
}

#[tokio::test]
async fn a_session_is_refused_at_the_first_call_after_it_expires() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in_with(dir, &["--session-ttl", "2"]);
    let session = session_header(&server.login(ADMIN, support::ADMIN_PASSWORD).await);
    let reply = accepted_twice(&server, &session, ADMIN).await;
    let expires = time::OffsetDateTime::parse(
        &reply.text(SECURITY_NS, "sessionExpiresAt"),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    // Waits for the clock to pass the expiry the server announced (bounded by the TTL).
    while time::OffsetDateTime::now_utc() <= expires {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_wsse(&who(&server, &session).await, "FailedAuthentication");
}
