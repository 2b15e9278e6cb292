//! UserService behaviour end to end: rules, filters, paging under concurrent writes, and
//! acknowledged writes surviving a shutdown.

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use support::{COMMON_NS, Reply, Server, USERS_NS, action, create_user, env11, env12};

async fn list(server: &Server, params: &str) -> Reply {
    server
        .soap11(
            Some(&action("ListUsers")),
            &env11(&format!(
                r#"<u:ListUsers xmlns:u="{USERS_NS}">{params}</u:ListUsers>"#
            )),
        )
        .await
}

fn usernames(reply: &Reply) -> Vec<String> {
    reply.texts(USERS_NS, "username")
}

#[tokio::test]
async fn uniqueness_is_case_insensitive_for_email_and_faults_name_the_field() {
    let server = Server::start();
    server
        .create_user("jane", "Jane@Example.com", &["customer"])
        .await
        .assert_ok11();
    let reply = server
        .create_user("jane", "other@example.com", &["customer"])
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "field"), "username");
    assert_eq!(reply.text(COMMON_NS, "value"), "jane");
    let reply = server
        .create_user("jane2", "jane@EXAMPLE.COM", &["customer"])
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "field"), "email");
    // Duplicate roles collapse to their first occurrence; roles keep the order sent.
    let reply = server
        .create_user("kim", "kim@example.com", &["clerk", "admin", "clerk"])
        .await;
    reply.assert_ok11();
    assert_eq!(reply.texts(USERS_NS, "role"), vec!["clerk", "admin"]);
    // An update onto a taken email is refused too, and changes nothing.
    let reply = server
        .soap12(
            None,
            &env12(&format!(
                r#"<u:UpdateUser xmlns:u="{USERS_NS}"><u:id>3</u:id><u:email>JANE@example.com</u:email></u:UpdateUser>"#
            )),
        )
        .await;
    reply.assert_fault12("Sender");
    assert_eq!(reply.text(COMMON_NS, "field"), "email");
    let reply = server
        .soap11(
            None,
            &env11(&format!(
                r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>3</u:id></u:GetUser>"#
            )),
        )
        .await;
    assert_eq!(reply.text(USERS_NS, "email"), "kim@example.com");
}

#[tokio::test]
async fn list_filters_and_sorts() {
    let server = Server::start();
    for (name, email, roles) in [
        ("amy", "amy@zeta.example", &["admin"][..]),
        ("ben", "ben@alpha.example", &["clerk", "admin"]),
        ("cat", "cat@zeta.example", &["customer"]),
        ("dan", "dan@beta.example", &["auditor"]),
    ] {
        server.create_user(name, email, roles).await.assert_ok11();
    }
    let suspend = format!(
        r#"<u:UpdateUser xmlns:u="{USERS_NS}"><u:id>4</u:id><u:status>suspended</u:status></u:UpdateUser>"#
    );
    server.soap11(None, &env11(&suspend)).await.assert_ok11();

    // The server's bootstrap admin (user 1) is listed too.
    let reply = list(&server, "<u:role>admin</u:role>").await;
    reply.assert_ok11();
    assert_eq!(usernames(&reply), vec!["admin", "amy", "ben"]);
    assert_eq!(reply.text(USERS_NS, "totalCount"), "3");
    let reply = list(&server, "<u:status>suspended</u:status>").await;
    assert_eq!(usernames(&reply), vec!["cat"]);
    let reply = list(&server, "<u:emailContains>ZETA</u:emailContains>").await;
    assert_eq!(usernames(&reply), vec!["amy", "cat"]);
    let reply = list(&server, "<u:emailContains>t@</u:emailContains>").await;
    assert_eq!(usernames(&reply), vec!["cat"]);
    let reply = list(&server, "<u:sortBy>email</u:sortBy>").await;
    assert_eq!(usernames(&reply), vec!["admin", "amy", "ben", "cat", "dan"]);
    let reply = list(
        &server,
        "<u:sortBy>createdAt</u:sortBy><u:descending>true</u:descending>",
    )
    .await;
    assert_eq!(usernames(&reply), vec!["dan", "cat", "ben", "amy", "admin"]);
    let reply = list(
        &server,
        "<u:role>admin</u:role><u:emailContains>alpha</u:emailContains>",
    )
    .await;
    assert_eq!(usernames(&reply), vec!["ben"]);
    let reply = list(&server, "<u:pageSize>501</u:pageSize>").await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "path"), "pageSize");
}

#[tokio::test]
async fn roles_keep_the_order_sent_in_storage_and_on_the_wire() {
    let server = Server::start();
    let reply = server
        .create_user(
            "lena",
            "lena@example.com",
            &["customer", "clerk", "customer"],
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.texts(USERS_NS, "role"), vec!["customer", "clerk"]);
    let id = reply.text(USERS_NS, "id");
    let get = env12(&format!(
        r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>{id}</u:id></u:GetUser>"#
    ));
    let reply = server.soap12(None, &get).await;
    reply.assert_ok12();
    assert_eq!(reply.texts(USERS_NS, "role"), vec!["customer", "clerk"]);
    // Read back from the database by a new process, and in a listing.
    let (_, dir) = server.stop();
    let server = Server::start_in(dir);
    let reply = server.soap12(None, &get).await;
    reply.assert_ok12();
    assert_eq!(reply.texts(USERS_NS, "role"), vec!["customer", "clerk"]);
    let reply = list(&server, "<u:role>clerk</u:role>").await;
    reply.assert_ok11();
    assert_eq!(reply.texts(USERS_NS, "role"), vec!["customer", "clerk"]);
}

#[tokio::test]
async fn keyset_pages_are_stable_under_concurrent_inserts() {
    let server = Arc::new(Server::start());
    let originals: Vec<String> = (0..40).map(|i| format!("m{i:03}")).collect();
    for name in &originals {
        server
            .create_user(name, &format!("{name}@example.com"), &["customer"])
            .await
            .assert_ok11();
    }
    // Inserts before, between and after the original names while the pages are read.
    let writer = {
        let server = server.clone();
        tokio::spawn(async move {
            for i in 0..60 {
                let name = match i % 3 {
                    0 => format!("a{i:03}"),
                    1 => format!("m{:03}x", i % 40),
                    _ => format!("z{i:03}"),
                };
                server
                    .create_user(&name, &format!("{name}@example.com"), &["clerk"])
                    .await
                    .assert_ok11();
            }
        })
    };
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let params = match &token {
            Some(t) => format!("<u:pageSize>7</u:pageSize><u:pageToken>{t}</u:pageToken>"),
            None => "<u:pageSize>7</u:pageSize>".to_string(),
        };
        let reply = list(&server, &params).await;
        reply.assert_ok11();
        seen.extend(usernames(&reply));
        match reply.texts(USERS_NS, "nextPageToken").pop() {
            Some(next) => token = Some(next),
            None => break,
        }
        tokio::task::yield_now().await;
    }
    writer.await.unwrap();
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "no user is listed twice: {seen:?}"
    );
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "in order: {seen:?}");
    for name in &originals {
        assert!(unique.contains(name), "{name} was skipped: {seen:?}");
    }
}

#[tokio::test]
async fn page_tokens_are_tamper_evident_and_bound_to_their_query() {
    let server = Server::start();
    for name in ["pat", "quinn", "ray"] {
        server
            .create_user(name, &format!("{name}@example.com"), &["customer"])
            .await
            .assert_ok11();
    }
    let first = list(&server, "<u:pageSize>1</u:pageSize>").await;
    let token = first.text(USERS_NS, "nextPageToken");
    let second = list(
        &server,
        &format!("<u:pageSize>1</u:pageSize><u:pageToken>{token}</u:pageToken>"),
    )
    .await;
    assert_eq!(usernames(&second), vec!["pat"], "after the admin");

    let mut forged = token.clone().into_bytes();
    forged[12] = if forged[12] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    for (params, why) in [
        (format!("<u:pageToken>{forged}</u:pageToken>"), "forged"),
        (
            format!("<u:sortBy>email</u:sortBy><u:pageToken>{token}</u:pageToken>"),
            "another query",
        ),
        ("<u:pageToken>garbage!</u:pageToken>".to_string(), "garbage"),
    ] {
        let reply = list(&server, &params).await;
        reply.assert_fault11("Client");
        assert_eq!(reply.text(COMMON_NS, "path"), "pageToken", "{why}");
    }
}

#[tokio::test]
async fn update_nil_clears_and_absent_keeps_and_delete_is_idempotent() {
    let server = Server::start();
    let body = format!(
        r#"<u:CreateUser xmlns:u="{USERS_NS}"><u:username>sam</u:username><u:email>sam@example.com</u:email><u:displayName>  Sam  </u:displayName><u:role>customer</u:role></u:CreateUser>"#
    );
    let created = server.soap11(None, &env11(&body)).await;
    created.assert_ok11();
    assert_eq!(created.text(USERS_NS, "displayName"), "  Sam  ");
    let update = |inner: &str| {
        env11(&format!(
            r#"<u:UpdateUser xmlns:u="{USERS_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><u:id>2</u:id>{inner}</u:UpdateUser>"#
        ))
    };
    let reply = server
        .soap11(None, &update("<u:status>suspended</u:status>"))
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(USERS_NS, "displayName"), "  Sam  ");
    assert_eq!(reply.text(USERS_NS, "status"), "suspended");
    assert!(reply.text(USERS_NS, "updatedAt") >= created.text(USERS_NS, "updatedAt"));
    let reply = server
        .soap11(None, &update(r#"<u:displayName xsi:nil="true"/>"#))
        .await;
    reply.assert_ok11();
    assert!(
        reply.texts(USERS_NS, "displayName").is_empty(),
        "{}",
        reply.body
    );

    let delete = env11(&format!(
        r#"<u:DeleteUser xmlns:u="{USERS_NS}"><u:id>2</u:id></u:DeleteUser>"#
    ));
    let reply = server.soap11(None, &delete).await;
    assert_eq!(reply.text(USERS_NS, "deleted"), "true");
    let reply = server.soap11(None, &delete).await;
    assert_eq!(reply.text(USERS_NS, "deleted"), "false");
    let reply = server
        .soap11(None, &update("<u:status>active</u:status>"))
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "id"), "2");
}

#[tokio::test]
async fn acknowledged_writes_survive_a_graceful_shutdown_and_restart() {
    let server = Server::start();
    let url = server.url("/services/UserService");
    let mut requests = Vec::new();
    for i in 0..40 {
        let (client, url) = (server.client.clone(), url.clone());
        requests.push(tokio::spawn(async move {
            let name = format!("w{i:03}");
            let body = env11(&create_user(
                &name,
                &format!("{name}@example.com"),
                &["clerk"],
            ));
            let reply = client
                .post(url)
                .header("Content-Type", "text/xml")
                .body(body)
                .send()
                .await;
            match reply {
                Ok(r) if r.status() == 200 => Some(name),
                _ => None,
            }
        }));
    }
    // SIGTERM while requests are in flight: those accepted finish, then the process exits 0.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill runs");
    let mut acknowledged = Vec::new();
    for request in requests {
        if let Some(name) = request.await.unwrap() {
            acknowledged.push(name);
        }
    }
    let (code, dir) = server.stop();
    assert_eq!(code, Some(0), "graceful shutdown exits 0");
    if support::sqlite_only("the WAL checkpoint check") {
        let wal = dir.path().join("soapstone.db-wal");
        assert!(
            !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
            "a clean stop checkpoints the WAL into the database file"
        );
    }
    eprintln!(
        "{} of 40 writes acknowledged before the shutdown",
        acknowledged.len()
    );

    let server = Server::start_in(dir);
    let reply = list(&server, "<u:pageSize>500</u:pageSize>").await;
    let stored: HashSet<String> = usernames(&reply).into_iter().collect();
    for name in &acknowledged {
        assert!(
            stored.contains(name),
            "{name} was acknowledged but is missing"
        );
    }
}
