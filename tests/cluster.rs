//! Three nodes on one PostgreSQL (and one Redis), a client that goes round robin: sessions,
//! nonces, page tokens, rate limits, product writes and credential changes (at the very next
//! call, whatever the other nodes have cached) are seen alike by every node, stock is
//! never oversold, a retried client reference makes one order, and a node killed with SIGKILL
//! under concurrent writes loses no acknowledged write.
//!
//! These tests need the PostgreSQL cluster (`SOAPSTONE_TEST_PG`) and Redis
//! (`SOAPSTONE_TEST_REDIS`) that `scripts/test.sh` starts; without them they say so and pass.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use support::{
    ADMIN, ADMIN_PASSWORD, CATALOG_NS, COMMON_NS, ORDERS_NS, Reply, SECURITY_NS, Server, Svc,
    USERS_NS, env11_with, fresh_digest, session_header, wsse_text,
};

/// `n` nodes on one fresh PostgreSQL database, with Redis when `redis` is true; `None` (after
/// saying why) when the test servers are not there.
fn cluster(n: usize, redis: bool, args: &[&str]) -> Option<Vec<Server>> {
    let Some(db) = support::pg_database() else {
        eprintln!("skipped: SOAPSTONE_TEST_PG is not set (scripts/test.sh starts PostgreSQL)");
        return None;
    };
    let redis_url = if redis {
        let Some(url) = support::redis_url() else {
            eprintln!("skipped: SOAPSTONE_TEST_REDIS is not set (scripts/test.sh starts Redis)");
            return None;
        };
        Some(url)
    } else {
        None
    };
    let mut all: Vec<&str> = args.to_vec();
    if let Some(url) = &redis_url {
        all.extend(["--redis", url.as_str()]);
    }
    Some((0..n).map(|_| Server::start_on(&db, &all)).collect())
}

fn who_am_i() -> String {
    format!(r#"<s:WhoAmI xmlns:s="{SECURITY_NS}"/>"#)
}

async fn auth(node: &Server, headers: &str, body: &str) -> Reply {
    node.post(
        "/services/AuthService",
        "text/xml; charset=utf-8",
        &[],
        &env11_with(headers, body),
    )
    .await
}

async fn create_product(node: &Server, sku: &str, price: &str, stock: u32) {
    node.call(
        Svc::Catalog,
        "CreateProduct",
        &format!(
            "<p:sku>{sku}</p:sku><p:name>Product {sku}</p:name><p:unitPrice>{price}</p:unitPrice>\
             <p:currency>EUR</p:currency><p:stock>{stock}</p:stock>"
        ),
    )
    .await
    .assert_ok11();
}

async fn customer(node: &Server, name: &str) -> String {
    let reply = node
        .create_user(name, &format!("{name}@example.com"), &["customer"])
        .await;
    reply.assert_ok11();
    reply.text(USERS_NS, "id")
}

fn order(customer: &str, sku: &str, quantity: u32, reference: &str) -> String {
    format!(
        "<p:customerId>{customer}</p:customerId><p:line><p:sku>{sku}</p:sku>\
         <p:quantity>{quantity}</p:quantity></p:line><p:shippingAddress><p:name>Ada</p:name>\
         <p:street>1 Main St</p:street><p:city>Springfield</p:city>\
         <p:postalCode>12345</p:postalCode><p:country>US</p:country></p:shippingAddress>\
         <p:clientReference>{reference}</p:clientReference>"
    )
}

/// Sends `count` PlaceOrders at once, round robin over `nodes`, the i-th with `body(i)`.
async fn place_at_once(
    nodes: &Arc<Vec<Server>>,
    count: usize,
    body: impl Fn(usize) -> String,
) -> Vec<Reply> {
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let nodes = nodes.clone();
            let body = body(i);
            tokio::spawn(async move {
                nodes[i % nodes.len()]
                    .call(Svc::Orders, "PlaceOrder", &body)
                    .await
            })
        })
        .collect();
    let mut replies = Vec::with_capacity(count);
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

#[tokio::test]
async fn a_session_from_one_node_works_on_every_node_until_logout_anywhere() {
    let Some(nodes) = cluster(3, true, &[]) else {
        return;
    };
    let login = auth(
        &nodes[0],
        "",
        &format!(
            r#"<s:Login xmlns:s="{SECURITY_NS}"><s:username>{ADMIN}</s:username><s:password>{ADMIN_PASSWORD}</s:password></s:Login>"#
        ),
    )
    .await;
    login.assert_ok11();
    let token = login.text(SECURITY_NS, "sessionToken");
    for node in &nodes[1..] {
        let reply = auth(node, &session_header(&token), &who_am_i()).await;
        reply.assert_ok11();
        assert_eq!(reply.text(SECURITY_NS, "username"), ADMIN);
    }
    auth(
        &nodes[2],
        &session_header(&token),
        &format!(r#"<s:Logout xmlns:s="{SECURITY_NS}"/>"#),
    )
    .await
    .assert_ok11();
    for node in &nodes {
        let reply = auth(node, &session_header(&token), &who_am_i()).await;
        support::assert_wsse(&reply, "FailedAuthentication");
    }
}

#[tokio::test]
async fn a_nonce_accepted_by_one_node_is_a_replay_on_another() {
    for redis in [true, false] {
        let Some(nodes) = cluster(2, redis, &[]) else {
            return;
        };
        let digest = fresh_digest(ADMIN, support::ADMIN_DIGEST_SECRET);
        auth(&nodes[0], &digest, &who_am_i()).await.assert_ok11();
        let replayed = auth(&nodes[1], &digest, &who_am_i()).await;
        support::assert_wsse(&replayed, "InvalidSecurity");
        // Back on the first node: still a replay.
        let replayed = auth(&nodes[0], &digest, &who_am_i()).await;
        support::assert_wsse(&replayed, "InvalidSecurity");
    }
}

#[tokio::test]
async fn page_tokens_from_one_node_are_accepted_by_another_but_not_under_another_key() {
    let Some(nodes) = cluster(2, true, &[]) else {
        return;
    };
    for i in 0..5 {
        customer(&nodes[i % 2], &format!("pager{i}")).await;
    }
    let first = nodes[0]
        .call(Svc::Users, "ListUsers", "<p:pageSize>2</p:pageSize>")
        .await;
    first.assert_ok11();
    let token = first.text(USERS_NS, "nextPageToken");
    let second = nodes[1]
        .call(
            Svc::Users,
            "ListUsers",
            &format!("<p:pageSize>2</p:pageSize><p:pageToken>{token}</p:pageToken>"),
        )
        .await;
    second.assert_ok11();
    let names = |reply: &Reply| reply.texts(USERS_NS, "username");
    let mut seen = names(&first);
    seen.extend(names(&second));
    assert_eq!(seen.len(), 4);
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), 4, "{seen:?}");

    // A node whose page-token key differs refuses the token as invalid, without failing.
    let db = nodes[0].db_url();
    let foreign = Server::start_on(
        &db,
        &[
            "--page-token-key",
            "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100",
        ],
    );
    let refused = foreign
        .call(
            Svc::Users,
            "ListUsers",
            &format!("<p:pageSize>2</p:pageSize><p:pageToken>{token}</p:pageToken>"),
        )
        .await;
    refused.assert_fault11("Client");
    assert!(refused.body.contains("ValidationFault"), "{}", refused.body);
    assert_eq!(refused.text(COMMON_NS, "path"), "pageToken");
}

#[tokio::test]
async fn no_node_serves_a_price_another_node_has_changed() {
    for redis in [true, false] {
        let Some(nodes) = cluster(3, redis, &[]) else {
            return;
        };
        create_product(&nodes[0], "STALE-1", "1.00", 10).await;
        let nodes = Arc::new(nodes);
        for round in 0..200u32 {
            let writer = &nodes[round as usize % 3];
            let price = format!("{}.{:02}", 2 + round / 100, round % 100);
            writer
                .call(
                    Svc::Catalog,
                    "UpdateProduct",
                    &format!("<p:sku>STALE-1</p:sku><p:unitPrice>{price}</p:unitPrice>"),
                )
                .await
                .assert_ok11();
            let reads = (1..3).map(|k| {
                let nodes = nodes.clone();
                tokio::spawn(async move {
                    let node = &nodes[(round as usize + k) % 3];
                    let reply = node
                        .call(Svc::Catalog, "GetProduct", "<p:sku>STALE-1</p:sku>")
                        .await;
                    reply.assert_ok11();
                    reply.text(CATALOG_NS, "unitPrice")
                })
            });
            for read in reads {
                assert_eq!(
                    read.await.unwrap(),
                    price,
                    "round {round}, redis {redis}: a stale price"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_last_units_are_sold_once_across_nodes_and_a_retried_reference_makes_one_order() {
    let Some(nodes) = cluster(3, true, &[]) else {
        return;
    };
    create_product(&nodes[0], "LAST-5", "3.50", 5).await;
    let buyer = customer(&nodes[1], "buyer").await;
    let nodes = Arc::new(nodes);
    let replies = place_at_once(&nodes, 64, |i| {
        order(&buyer, "LAST-5", 1, &format!("last-{i}"))
    })
    .await;
    let placed = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(placed, 5, "exactly the 5 units in stock are sold");
    let product = nodes[2]
        .call(Svc::Catalog, "GetProduct", "<p:sku>LAST-5</p:sku>")
        .await;
    assert_eq!(product.text(CATALOG_NS, "stock"), "0");

    // The same client reference from every node at once: one order, the same id everywhere.
    create_product(&nodes[0], "RETRY-1", "1.00", 100).await;
    let replies = place_at_once(&nodes, 24, |_| {
        order(&buyer, "RETRY-1", 2, "same-reference")
    })
    .await;
    let ids: BTreeSet<String> = replies
        .iter()
        .map(|reply| {
            reply.assert_ok11();
            reply.text(ORDERS_NS, "id")
        })
        .collect();
    assert_eq!(ids.len(), 1, "one order for one client reference: {ids:?}");
    let product = nodes[1]
        .call(Svc::Catalog, "GetProduct", "<p:sku>RETRY-1</p:sku>")
        .await;
    assert_eq!(product.text(CATALOG_NS, "stock"), "98", "stock taken once");
}

#[tokio::test]
async fn rate_limits_are_shared_by_the_nodes() {
    // One token per 1000 s after the burst: the test never lasts long enough to earn another.
    let Some(nodes) = cluster(
        3,
        true,
        &[
            "--rate-limit",
            "0.001",
            "--rate-burst",
            "6",
            "--auth-failure-limit",
            "0",
        ],
    ) else {
        return;
    };
    // The bucket of 127.0.0.1 starts full, whatever an earlier run left in this Redis.
    let redis = redis::Client::open(support::redis_url().unwrap()).unwrap();
    let mut connection = redis.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("DEL")
        .arg("soapstone:rate:ip:127.0.0.1")
        .query_async::<()>(&mut connection)
        .await
        .unwrap();
    let mut allowed = 0;
    for i in 0..18 {
        let reply = auth(
            &nodes[i % 3],
            &wsse_text(ADMIN, ADMIN_PASSWORD),
            &who_am_i(),
        )
        .await;
        if reply.status == 200 {
            allowed += 1;
        } else {
            assert_eq!(reply.status, 503, "{}", reply.body);
            assert!(reply.body.contains("Rate limit exceeded"), "{}", reply.body);
        }
    }
    assert_eq!(
        allowed, 6,
        "three nodes grant the burst once, not three times"
    );
}

#[tokio::test]
async fn a_node_killed_under_concurrent_writes_loses_no_acknowledged_write() {
    let Some(nodes) = cluster(3, true, &[]) else {
        return;
    };
    let nodes = Arc::new(nodes);
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let (killed_tx, killed) = tokio::sync::watch::channel(false);
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let nodes = nodes.clone();
            let acknowledged = acknowledged.clone();
            let killed = killed.clone();
            tokio::spawn(async move {
                let mut after_kill = 0;
                for n in 0..10_000 {
                    let name = format!("w{w}n{n}");
                    let node = &nodes[(w + n) % 3];
                    if let Some(reply) = node.try_create_user(&name).await
                        && reply.status == 200
                    {
                        acknowledged.lock().unwrap().push(name);
                    }
                    if *killed.borrow() {
                        after_kill += 1;
                        if after_kill >= 30 {
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    // Kill node 1 once enough writes are acknowledged.
    // Bounded: writers that never succeed fail the test instead of hanging it.
    for _ in 0..6_000 {
        if acknowledged.lock().unwrap().len() >= 60 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        acknowledged.lock().unwrap().len() >= 60,
        "the writers did not get 60 writes acknowledged"
    );
    nodes[1].kill();
    killed_tx.send(true).unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 60 + 6 * 15, "{}", acknowledged.len());
    for name in &acknowledged {
        let reply = nodes[0]
            .call(
                Svc::Users,
                "GetUser",
                &format!("<p:username>{name}</p:username>"),
            )
            .await;
        reply.assert_ok11();
    }
}

#[tokio::test]
async fn failed_authentications_are_counted_by_every_node_together() {
    // Redis database 7 of the test Redis, so that this test's backoff of 127.0.0.1 (300 s, far
    // longer than the test) does not reach the other tests' nodes.
    let Some(base) = support::redis_url() else {
        eprintln!("skipped: SOAPSTONE_TEST_REDIS is not set (scripts/test.sh starts Redis)");
        return;
    };
    let Some(db) = support::pg_database() else {
        eprintln!("skipped: SOAPSTONE_TEST_PG is not set (scripts/test.sh starts PostgreSQL)");
        return;
    };
    let redis_url = format!("{}/7", base.trim_end_matches('/'));
    let redis = redis::Client::open(redis_url.as_str()).unwrap();
    let mut connection = redis.get_multiplexed_async_connection().await.unwrap();
    redis::cmd("FLUSHDB")
        .query_async::<()>(&mut connection)
        .await
        .unwrap();
    let args = [
        "--redis",
        redis_url.as_str(),
        "--auth-failure-limit",
        "3",
        "--auth-backoff",
        "300",
    ];
    let nodes: Vec<Server> = (0..3).map(|_| Server::start_on(&db, &args)).collect();
    // One wrong password per node: each node alone has seen one failure, below its limit.
    for node in &nodes {
        let reply = auth(node, &wsse_text(ADMIN, "a-wrong-password"), &who_am_i()).await;
        support::assert_wsse(&reply, "FailedAuthentication");
    }
    // Together they have seen three: the right password is refused during the backoff, on a
    // node that itself saw only one failure.
    let reply = auth(&nodes[1], &wsse_text(ADMIN, ADMIN_PASSWORD), &who_am_i()).await;
    support::assert_wsse(&reply, "FailedAuthentication");
    assert_eq!(nodes[1].metric("soapstone_auth_throttled_total").await, 1.0);
}

/// Carol's credentials on `node`: accepted, and (once the generation is published) from
/// `node`'s cache; waits for a hit for at most 10 s.
async fn cached_on(node: &Server, headers: &str) {
    let hits = "soapstone_credential_cache_hits_total";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let before = node.metric(hits).await;
        let reply = auth(node, headers, &who_am_i()).await;
        reply.assert_ok11();
        assert_eq!(reply.text(SECURITY_NS, "username"), "carol");
        if node.metric(hits).await > before {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no copy was served within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_credential_change_on_one_node_refuses_the_very_next_call_on_another() {
    let Some(nodes) = cluster(2, true, &[]) else {
        return;
    };
    let (a, b) = (&nodes[0], &nodes[1]);
    let db = a.db_url();
    let redis = support::redis_url().expect("the cluster has Redis");
    let id = a.add_user("carol", "customer", "carol-password-1");
    let user_call = |op: &str, inner: String| {
        let body = format!(r#"<u:{op} xmlns:u="{USERS_NS}">{inner}</u:{op}>"#);
        let action = format!("\"http://soapstone.dev/users/{op}\"");
        async move {
            a.post(
                "/services/UserService",
                "text/xml; charset=utf-8",
                &[("SOAPAction", action.as_str())],
                &support::env11(&body),
            )
            .await
            .assert_ok11();
        }
    };
    let refused_on_b = |headers: String| async move {
        support::assert_wsse(
            &auth(b, &headers, &who_am_i()).await,
            "FailedAuthentication",
        );
    };

    // Suspended through node A.
    let password = wsse_text("carol", "carol-password-1");
    let session = session_header(&b.login("carol", "carol-password-1").await);
    cached_on(b, &password).await;
    cached_on(b, &session).await;
    user_call(
        "UpdateUser",
        format!("<u:id>{id}</u:id><u:status>suspended</u:status>"),
    )
    .await;
    refused_on_b(password.clone()).await;
    refused_on_b(session).await;
    user_call(
        "UpdateUser",
        format!("<u:id>{id}</u:id><u:status>active</u:status>"),
    )
    .await;

    // A new password set through node A.
    let session = session_header(&b.login("carol", "carol-password-1").await);
    cached_on(b, &password).await;
    cached_on(b, &session).await;
    user_call(
        "SetPassword",
        format!("<u:id>{id}</u:id><u:newPassword>carol-password-2</u:newPassword>"),
    )
    .await;
    refused_on_b(password).await;
    refused_on_b(session).await;

    // A session ended by a Logout on node A.
    let password = wsse_text("carol", "carol-password-2");
    let session = session_header(&b.login("carol", "carol-password-2").await);
    cached_on(b, &session).await;
    auth(
        a,
        &session,
        &format!(r#"<s:Logout xmlns:s="{SECURITY_NS}"/>"#),
    )
    .await
    .assert_ok11();
    refused_on_b(session).await;

    // Suspended by the user command, given the nodes' Redis.
    let session = session_header(&b.login("carol", "carol-password-2").await);
    cached_on(b, &password).await;
    cached_on(b, &session).await;
    let (ok, out) = support::run(&["user", "suspend", "--db", &db, "--redis", &redis, "carol"]);
    assert!(ok, "user suspend: {out}");
    refused_on_b(password).await;
    refused_on_b(session).await;
}

#[tokio::test]
async fn a_change_the_nodes_are_not_told_of_reaches_every_node_within_a_second() {
    let Some(nodes) = cluster(1, true, &[]) else {
        return;
    };
    let node = &nodes[0];
    let digest = || fresh_digest(ADMIN, support::ADMIN_DIGEST_SECRET);
    auth(node, &digest(), &who_am_i()).await.assert_ok11();
    auth(node, &digest(), &who_am_i()).await.assert_ok11();
    // Without --redis the command cannot tell the nodes; they publish the database's
    // generation every second, which retires their copies (README: the credential cache).
    let (ok, out) = support::run_with_input(
        &["user", "digest-secret", "--db", &node.db_url(), ADMIN],
        "a-new-digest-secret",
    );
    assert!(ok, "user digest-secret: {out}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let reply = auth(node, &digest(), &who_am_i()).await;
        if reply.status == 500 {
            support::assert_wsse(&reply, "FailedAuthentication");
            break;
        }
        reply.assert_ok11();
        assert!(
            std::time::Instant::now() < deadline,
            "the old secret was still accepted after 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    auth(
        node,
        &fresh_digest(ADMIN, "a-new-digest-secret"),
        &who_am_i(),
    )
    .await
    .assert_ok11();
}
