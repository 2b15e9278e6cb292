//! CatalogService and OrderService end to end: every rule and fault, stock that is taken all
//! or nothing, exactly-the-available-quantity under concurrency, idempotent client references
//! (also when the retry races the first call), the product cache never serving a stale read,
//! and the sales report.

mod support;

use std::sync::Arc;

use support::{CATALOG_NS, COMMON_NS, ORDERS_NS, Reply, Server, Svc, USERS_NS};

async fn product(server: &Server, sku: &str, price: &str, currency: &str, stock: u32) -> Reply {
    let reply = server
        .call(
            Svc::Catalog,
            "CreateProduct",
            &format!(
                "<p:sku>{sku}</p:sku><p:name>Product {sku}</p:name><p:unitPrice>{price}</p:unitPrice>\
                 <p:currency>{currency}</p:currency><p:stock>{stock}</p:stock>"
            ),
        )
        .await;
    reply.assert_ok11();
    reply
}

async fn stock_of(server: &Server, sku: &str) -> String {
    let reply = server
        .call(Svc::Catalog, "GetProduct", &format!("<p:sku>{sku}</p:sku>"))
        .await;
    reply.assert_ok11();
    reply.text(CATALOG_NS, "stock")
}

async fn customer(server: &Server, name: &str) -> String {
    let reply = server
        .create_user(name, &format!("{name}@example.com"), &["customer"])
        .await;
    reply.assert_ok11();
    reply.text(USERS_NS, "id")
}

const ADDRESS: &str = "<p:shippingAddress><p:name>Öda</p:name><p:street>1 Main St</p:street>\
     <p:city>Springfield</p:city><p:postalCode>12345</p:postalCode><p:country>US</p:country>\
     </p:shippingAddress>";

fn order_body(customer: &str, lines: &[(&str, u32)], reference: Option<&str>) -> String {
    let lines: String = lines
        .iter()
        .map(|(sku, qty)| {
            format!("<p:line><p:sku>{sku}</p:sku><p:quantity>{qty}</p:quantity></p:line>")
        })
        .collect();
    let reference = reference
        .map(|r| format!("<p:clientReference>{r}</p:clientReference>"))
        .unwrap_or_default();
    format!("<p:customerId>{customer}</p:customerId>{lines}{ADDRESS}{reference}")
}

async fn place(
    server: &Server,
    customer: &str,
    lines: &[(&str, u32)],
    reference: Option<&str>,
) -> Reply {
    server
        .call(
            Svc::Orders,
            "PlaceOrder",
            &order_body(customer, lines, reference),
        )
        .await
}

fn fault_paths(reply: &Reply) -> Vec<String> {
    reply.texts(COMMON_NS, "path")
}

#[tokio::test]
async fn catalog_rules_and_faults() {
    let server = Server::start();
    let created = product(&server, "BOLT-1", "0.10", "EUR", 5).await;
    assert_eq!(created.text(CATALOG_NS, "unitPrice"), "0.10");
    let reply = product_raw(&server, "<p:sku>BOLT-1</p:sku><p:name>Again</p:name><p:unitPrice>1</p:unitPrice><p:currency>EUR</p:currency><p:stock>1</p:stock>").await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "sku"), "BOLT-1");
    assert!(reply.body.contains("DuplicateProductFault"));

    // Schema-level problems (the decoder's facet checks), all reported at once; then the
    // service's own rules (a name of only spaces, more than 20 tags), all reported at once.
    let reply = product_raw(&server, "<p:sku>-bad sku</p:sku><p:name>  </p:name><p:unitPrice>1.999</p:unitPrice><p:currency>eur</p:currency><p:stock>-1</p:stock><p:tag>Bad Tag</p:tag>").await;
    reply.assert_fault11("Client");
    assert_eq!(
        fault_paths(&reply),
        vec!["sku", "unitPrice", "currency", "stock", "tag[1]"]
    );
    let reply = product_raw(&server, "<p:sku>-bad</p:sku><p:name>  </p:name><p:unitPrice>1.99</p:unitPrice><p:currency>EUR</p:currency><p:stock>-1</p:stock><p:tag>Bad Tag</p:tag>").await;
    assert_eq!(fault_paths(&reply), vec!["sku", "stock", "tag[1]"]);
    let tags: String = (1..=21).map(|n| format!("<p:tag>t{n}</p:tag>")).collect();
    let reply = product_raw(&server, &format!("<p:sku>GOOD</p:sku><p:name>  </p:name><p:unitPrice>1.99</p:unitPrice><p:currency>EUR</p:currency><p:stock>1</p:stock>{tags}")).await;
    reply.assert_fault11("Client");
    assert_eq!(fault_paths(&reply), vec!["name", "tag"]);

    let reply = server
        .call(Svc::Catalog, "GetProduct", "<p:sku>NOPE</p:sku>")
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "sku"), "NOPE");
    assert!(reply.body.contains("ProductNotFoundFault"));

    // Stock never goes below zero: the adjustment is refused whole.
    let reply = server
        .call(
            Svc::Catalog,
            "AdjustStock",
            "<p:sku>BOLT-1</p:sku><p:delta>-6</p:delta><p:reason>count</p:reason>",
        )
        .await;
    reply.assert_fault11("Client");
    assert_eq!(
        (
            reply.text(COMMON_NS, "requested"),
            reply.text(COMMON_NS, "available")
        ),
        ("6".into(), "5".into())
    );
    assert_eq!(stock_of(&server, "BOLT-1").await, "5");
    let reply = server
        .call(
            Svc::Catalog,
            "AdjustStock",
            "<p:sku>BOLT-1</p:sku><p:delta>-5</p:delta><p:reason>count</p:reason>",
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(CATALOG_NS, "stock"), "0");

    // UpdateProduct: absent keeps, nil removes, a tags element replaces (empty clears).
    let reply = server
        .call(
            Svc::Catalog,
            "UpdateProduct",
            "<p:sku>BOLT-1</p:sku><p:description>zinc</p:description><p:tags><p:tag>b</p:tag><p:tag>a</p:tag></p:tags>",
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.texts(CATALOG_NS, "tag"), vec!["b", "a"]);
    let reply = server
        .call(
            Svc::Catalog,
            "UpdateProduct",
            r#"<p:sku>BOLT-1</p:sku><p:description xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/><p:tags/>"#,
        )
        .await;
    reply.assert_ok11();
    assert!(reply.texts(CATALOG_NS, "description").is_empty());
    assert!(reply.texts(CATALOG_NS, "tag").is_empty());
    assert_eq!(reply.text(CATALOG_NS, "unitPrice"), "0.10");
}

#[tokio::test]
async fn tags_keep_the_order_sent_in_storage_and_on_the_wire() {
    let server = Server::start();
    let tags = |reply: &Reply| reply.texts(CATALOG_NS, "tag");
    let reply = server
        .call(
            Svc::Catalog,
            "CreateProduct",
            "<p:sku>ORDER-1</p:sku><p:name>Order</p:name><p:unitPrice>1.00</p:unitPrice>\
             <p:currency>EUR</p:currency><p:stock>1</p:stock>\
             <p:tag>red</p:tag><p:tag>blue</p:tag><p:tag>red</p:tag>",
        )
        .await;
    reply.assert_ok11();
    assert_eq!(
        tags(&reply),
        vec!["red", "blue"],
        "the first of a repeated tag stays"
    );
    let get = "<p:sku>ORDER-1</p:sku>";
    let reply = server.call(Svc::Catalog, "GetProduct", get).await;
    reply.assert_ok11();
    assert_eq!(tags(&reply), vec!["red", "blue"]);
    let reply = server
        .call(
            Svc::Catalog,
            "UpdateProduct",
            "<p:sku>ORDER-1</p:sku><p:tags><p:tag>zinc</p:tag><p:tag>blue</p:tag><p:tag>amber</p:tag></p:tags>",
        )
        .await;
    reply.assert_ok11();
    assert_eq!(tags(&reply), vec!["zinc", "blue", "amber"]);
    // Read back from the database by a new process (no cache), also in a search.
    let (_, dir) = server.stop();
    let server = Server::start_in(dir);
    let reply = server.call(Svc::Catalog, "GetProduct", get).await;
    reply.assert_ok11();
    assert_eq!(tags(&reply), vec!["zinc", "blue", "amber"]);
    let reply = server
        .call(Svc::Catalog, "SearchProducts", "<p:tag>blue</p:tag>")
        .await;
    reply.assert_ok11();
    assert_eq!(tags(&reply), vec!["zinc", "blue", "amber"]);
}

async fn product_raw(server: &Server, inner: &str) -> Reply {
    server.call(Svc::Catalog, "CreateProduct", inner).await
}

#[tokio::test]
async fn search_filters_sorts_and_pages() {
    let server = Server::start();
    for (sku, name, price, stock, tag) in [
        ("A1", "Anvil heavy", "100.00", 1, "tools"),
        ("B2", "anvil light", "50.00", 0, "tools"),
        ("C3", "Crowbar", "20.00", 4, "tools"),
        ("D4", "Drill bit", "5.50", 9, "bits"),
    ] {
        server
            .call(
                Svc::Catalog,
                "CreateProduct",
                &format!(
                    "<p:sku>{sku}</p:sku><p:name>{name}</p:name><p:description>forged steel</p:description>\
                     <p:unitPrice>{price}</p:unitPrice><p:currency>EUR</p:currency><p:stock>{stock}</p:stock><p:tag>{tag}</p:tag>"
                ),
            )
            .await
            .assert_ok11();
    }
    let search = |inner: &'static str| {
        let server = &server;
        async move {
            let reply = server.call(Svc::Catalog, "SearchProducts", inner).await;
            reply.assert_ok11();
            reply.texts(CATALOG_NS, "sku")
        }
    };
    assert_eq!(search("<p:text>anv</p:text>").await, vec!["A1", "B2"]);
    assert_eq!(
        search("<p:text>FORGED anvil</p:text><p:inStockOnly>true</p:inStockOnly>").await,
        vec!["A1"]
    );
    assert_eq!(search("<p:tag>bits</p:tag>").await, vec!["D4"]);
    assert_eq!(
        search("<p:minPrice>5.50</p:minPrice><p:maxPrice>50</p:maxPrice><p:sortBy>price</p:sortBy><p:descending>true</p:descending>").await,
        vec!["B2", "C3", "D4"]
    );
    // Names sort case-insensitively.
    assert_eq!(search("").await, vec!["A1", "B2", "C3", "D4"]);
    server
        .call(Svc::Catalog, "DiscontinueProduct", "<p:sku>C3</p:sku>")
        .await
        .assert_ok11();
    assert_eq!(search("<p:tag>tools</p:tag>").await, vec!["A1", "B2"]);
    assert_eq!(
        search("<p:tag>tools</p:tag><p:includeDiscontinued>true</p:includeDiscontinued>").await,
        vec!["A1", "B2", "C3"]
    );

    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let inner = format!(
            "<p:sortBy>price</p:sortBy><p:includeDiscontinued>true</p:includeDiscontinued><p:pageSize>1</p:pageSize>{token}"
        );
        let reply = server.call(Svc::Catalog, "SearchProducts", &inner).await;
        reply.assert_ok11();
        assert_eq!(reply.text(CATALOG_NS, "totalCount"), "4");
        seen.extend(reply.texts(CATALOG_NS, "sku"));
        match reply.texts(CATALOG_NS, "nextPageToken").pop() {
            Some(t) => token = format!("<p:pageToken>{t}</p:pageToken>"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["D4", "C3", "B2", "A1"]);
    let reply = server
        .call(
            Svc::Catalog,
            "SearchProducts",
            "<p:minPrice>9</p:minPrice><p:maxPrice>1</p:maxPrice>",
        )
        .await;
    reply.assert_fault11("Client");
    assert_eq!(fault_paths(&reply), vec!["maxPrice"]);
}

#[tokio::test]
async fn an_order_takes_all_its_stock_or_none() {
    let server = Server::start();
    let alice = customer(&server, "alice").await;
    product(&server, "P1", "2.50", "EUR", 10).await;
    product(&server, "P2", "1.00", "EUR", 1).await;
    product(&server, "P3", "9.99", "USD", 5).await;

    let reply = place(&server, &alice, &[("P1", 3), ("P2", 2)], None).await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "sku"), "P2");
    assert_eq!(
        (
            reply.text(COMMON_NS, "requested"),
            reply.text(COMMON_NS, "available")
        ),
        ("2".into(), "1".into())
    );
    assert_eq!(stock_of(&server, "P1").await, "10", "line 1 was not taken");

    let reply = place(&server, &alice, &[("P1", 1), ("P3", 1)], None).await;
    assert_eq!(fault_paths(&reply), vec!["line[2]/sku"]);
    let reply = place(&server, &alice, &[("P1", 1), ("NOPE", 1)], None).await;
    reply.assert_fault11("Client");
    assert!(reply.body.contains("ProductNotFoundFault"));
    let reply = place(&server, &alice, &[("P1", 1), ("P1", 1)], None).await;
    assert_eq!(fault_paths(&reply), vec!["line[2]/sku"]);
    let reply = place(&server, "999", &[("P1", 1)], None).await;
    assert_eq!(fault_paths(&reply), vec!["customerId"]);
    let reply = place(&server, &alice, &[("P1", 0)], None).await;
    assert_eq!(fault_paths(&reply), vec!["line[1]/quantity"]);
    assert_eq!(stock_of(&server, "P1").await, "10");

    let reply = place(&server, &alice, &[("P1", 3), ("P2", 1)], None).await;
    reply.assert_ok11();
    assert_eq!(reply.texts(ORDERS_NS, "unitPrice"), vec!["2.50", "1.00"]);
    assert_eq!(reply.texts(ORDERS_NS, "lineTotal"), vec!["7.50", "1.00"]);
    assert_eq!(reply.text(ORDERS_NS, "total"), "8.50");
    assert_eq!(stock_of(&server, "P1").await, "7");
    assert_eq!(stock_of(&server, "P2").await, "0");
    let id = reply.text(ORDERS_NS, "id");

    // The unit price is captured: a later price change does not alter the order.
    server
        .call(
            Svc::Catalog,
            "UpdateProduct",
            "<p:sku>P1</p:sku><p:unitPrice>3.00</p:unitPrice>",
        )
        .await
        .assert_ok11();
    let reply = server
        .call(Svc::Orders, "GetOrder", &format!("<p:id>{id}</p:id>"))
        .await;
    assert_eq!(reply.text(ORDERS_NS, "total"), "8.50");

    // Discontinued products cannot be ordered.
    server
        .call(Svc::Catalog, "DiscontinueProduct", "<p:sku>P1</p:sku>")
        .await
        .assert_ok11();
    let reply = place(&server, &alice, &[("P1", 1)], None).await;
    assert_eq!(fault_paths(&reply), vec!["line[1]/sku"]);

    // A user who has ordered is kept.
    let reply = server
        .call(Svc::Users, "DeleteUser", &format!("<p:id>{alice}</p:id>"))
        .await;
    reply.assert_fault11("Client");
    assert_eq!(fault_paths(&reply), vec!["id"]);
}

#[tokio::test]
async fn order_requests_are_checked_by_the_schema_then_by_the_service_rules() {
    let server = Server::start();
    let ivy = customer(&server, "ivy").await;
    product(&server, "S1", "1.00", "EUR", 5).await;
    let request = |lines: &str, name: &str, postal_code: &str, country: &str| {
        format!(
            "<p:customerId>{ivy}</p:customerId>{lines}<p:shippingAddress><p:name>{name}</p:name>\
             <p:street>1 Main St</p:street><p:city>Springfield</p:city>\
             <p:postalCode>{postal_code}</p:postalCode><p:country>{country}</p:country>\
             </p:shippingAddress>"
        )
    };
    let line = |sku: &str, quantity: &str| {
        format!("<p:line><p:sku>{sku}</p:sku><p:quantity>{quantity}</p:quantity></p:line>")
    };

    // The schema's facets, every one with its path, before any rule of the service.
    let lines = line("-S1", "0") + &line("S1", "1");
    let reply = server
        .call(
            Svc::Orders,
            "PlaceOrder",
            &request(&lines, "  ", &"9".repeat(21), "us"),
        )
        .await;
    reply.assert_fault11("Client");
    assert_eq!(
        fault_paths(&reply),
        vec![
            "line[1]/sku",
            "line[1]/quantity",
            "shippingAddress/postalCode",
            "shippingAddress/country"
        ]
    );
    // Then the service's rules: a SKU on two lines, a name of spaces only.
    let lines = line("S1", "1") + &line("S1", "2");
    let reply = server
        .call(
            Svc::Orders,
            "PlaceOrder",
            &request(&lines, "  ", "12345", "US"),
        )
        .await;
    reply.assert_fault11("Client");
    assert_eq!(
        fault_paths(&reply),
        vec!["line[2]/sku", "shippingAddress/name"]
    );
    assert_eq!(stock_of(&server, "S1").await, "5");

    // A reason of spaces only passes the schema's length but not the service.
    let id = place(&server, &ivy, &[("S1", 1)], None)
        .await
        .text(ORDERS_NS, "id");
    for (reason, message) in [
        (
            "   ".to_string(),
            "must be 1 to 200 characters, not only spaces",
        ),
        ("x".repeat(201), "must be 1 to 200 characters"),
    ] {
        let reply = server
            .call(
                Svc::Orders,
                "CancelOrder",
                &format!("<p:id>{id}</p:id><p:reason>{reason}</p:reason>"),
            )
            .await;
        reply.assert_fault11("Client");
        assert_eq!(fault_paths(&reply), vec!["reason"]);
        assert!(
            reply
                .texts(COMMON_NS, "message")
                .iter()
                .any(|m| m == message),
            "{}",
            reply.body
        );
    }
    assert_eq!(stock_of(&server, "S1").await, "4");
}

#[tokio::test]
async fn exactly_the_available_stock_is_sold_to_64_concurrent_orders() {
    let server = Arc::new(Server::start());
    let bob = customer(&server, "bob").await;
    product(&server, "LAST", "1.00", "EUR", 10).await;
    let mut calls = Vec::new();
    for _ in 0..64 {
        let (server, bob) = (server.clone(), bob.clone());
        calls.push(tokio::spawn(async move {
            place(&server, &bob, &[("LAST", 1)], None).await
        }));
    }
    let (mut sold, mut refused) = (0, 0);
    for call in calls {
        let reply = call.await.unwrap();
        match reply.status {
            200 => sold += 1,
            500 => {
                assert_eq!(reply.text(COMMON_NS, "available"), "0", "{}", reply.body);
                refused += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((sold, refused), (10, 54));
    assert_eq!(stock_of(&server, "LAST").await, "0");
    let reply = server
        .call(
            Svc::Orders,
            "ListOrders",
            &format!("<p:customerId>{bob}</p:customerId>"),
        )
        .await;
    assert_eq!(reply.text(ORDERS_NS, "totalCount"), "10");
}

#[tokio::test]
async fn a_client_reference_places_one_order_even_when_retries_race() {
    let server = Arc::new(Server::start());
    let carol = customer(&server, "carol").await;
    let dave = customer(&server, "dave").await;
    product(&server, "IDEM", "4.00", "EUR", 100).await;
    let mut calls = Vec::new();
    for _ in 0..16 {
        let (server, carol) = (server.clone(), carol.clone());
        calls.push(tokio::spawn(async move {
            place(&server, &carol, &[("IDEM", 2)], Some("ref-1")).await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for call in calls {
        let reply = call.await.unwrap();
        reply.assert_ok11();
        ids.insert(reply.text(ORDERS_NS, "id"));
    }
    assert_eq!(ids.len(), 1, "every retry returns the one order");
    assert_eq!(stock_of(&server, "IDEM").await, "98");
    // References are per customer.
    let reply = place(&server, &dave, &[("IDEM", 1)], Some("ref-1")).await;
    reply.assert_ok11();
    assert!(!ids.contains(&reply.text(ORDERS_NS, "id")));
    assert_eq!(stock_of(&server, "IDEM").await, "97");
}

#[tokio::test]
async fn order_life_cycle_and_state_faults() {
    let server = Server::start();
    let erin = customer(&server, "erin").await;
    product(&server, "LC", "3.00", "EUR", 5).await;
    let first = place(&server, &erin, &[("LC", 2)], None)
        .await
        .text(ORDERS_NS, "id");
    let second = place(&server, &erin, &[("LC", 1)], None)
        .await
        .text(ORDERS_NS, "id");
    assert_eq!(stock_of(&server, "LC").await, "2");

    let reply = server
        .call(Svc::Orders, "ShipOrder", &format!("<p:id>{first}</p:id>"))
        .await;
    assert_eq!(reply.text(ORDERS_NS, "status"), "shipped");
    let reply = server
        .call(
            Svc::Orders,
            "CancelOrder",
            &format!("<p:id>{first}</p:id><p:reason>late</p:reason>"),
        )
        .await;
    reply.assert_fault11("Client");
    assert_eq!(
        (
            reply.text(COMMON_NS, "currentStatus"),
            reply.text(COMMON_NS, "attemptedAction")
        ),
        ("shipped".into(), "cancel".into())
    );
    let reply = server
        .call(
            Svc::Orders,
            "CancelOrder",
            &format!("<p:id>{second}</p:id><p:reason>changed mind</p:reason>"),
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(ORDERS_NS, "cancelReason"), "changed mind");
    assert_eq!(
        stock_of(&server, "LC").await,
        "3",
        "cancelling puts the stock back"
    );
    let reply = server
        .call(Svc::Orders, "ShipOrder", &format!("<p:id>{second}</p:id>"))
        .await;
    assert_eq!(reply.text(COMMON_NS, "attemptedAction"), "ship");
    let reply = server
        .call(Svc::Orders, "GetOrder", "<p:id>4242</p:id>")
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.text(COMMON_NS, "id"), "4242");
    let reply = server
        .call(Svc::Orders, "ShipOrder", "<p:id>4242</p:id>")
        .await;
    assert!(reply.body.contains("OrderNotFoundFault"));

    // ListOrders: newest first, filters, pages.
    let list = |inner: String| {
        let server = &server;
        async move {
            let reply = server.call(Svc::Orders, "ListOrders", &inner).await;
            reply.assert_ok11();
            reply
        }
    };
    let all = list(format!("<p:customerId>{erin}</p:customerId>")).await;
    assert_eq!(
        all.texts(ORDERS_NS, "id")[..2],
        [second.clone(), first.clone()]
    );
    let cancelled = list("<p:status>cancelled</p:status>".into()).await;
    assert_eq!(cancelled.texts(ORDERS_NS, "id"), vec![second.clone()]);
    let page = list("<p:pageSize>1</p:pageSize>".into()).await;
    let token = page.text(ORDERS_NS, "nextPageToken");
    let next = list(format!(
        "<p:pageSize>1</p:pageSize><p:pageToken>{token}</p:pageToken>"
    ))
    .await;
    assert_eq!(next.texts(ORDERS_NS, "id"), vec![first.clone()]);
    let none = list("<p:placedTo>2000-01-01T00:00:00Z</p:placedTo>".into()).await;
    assert_eq!(none.text(ORDERS_NS, "totalCount"), "0");
}

#[tokio::test]
async fn a_read_after_a_committed_write_never_sees_the_old_product() {
    let server = Arc::new(Server::start());
    let fred = customer(&server, "fred").await;
    product(&server, "HOT", "1.00", "EUR", 1000).await;
    // Readers keep the cache warm while orders change the stock; each acknowledged order's
    // stock must be visible to the next read.
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let server = server.clone();
            tokio::spawn(async move {
                for _ in 0..50 {
                    stock_of(&server, "HOT").await;
                }
            })
        })
        .collect();
    for expected in (980..1000).rev() {
        place(&server, &fred, &[("HOT", 1)], None)
            .await
            .assert_ok11();
        assert_eq!(stock_of(&server, "HOT").await, expected.to_string());
    }
    for reader in readers {
        reader.await.unwrap();
    }
    server
        .call(
            Svc::Catalog,
            "AdjustStock",
            "<p:sku>HOT</p:sku><p:delta>20</p:delta><p:reason>x</p:reason>",
        )
        .await
        .assert_ok11();
    assert_eq!(stock_of(&server, "HOT").await, "1000");
}

#[tokio::test]
async fn sales_report_groups_in_sql() {
    let server = Server::start();
    let gus = customer(&server, "gus").await;
    let hal = customer(&server, "hal").await;
    product(&server, "R1", "10.00", "EUR", 100).await;
    product(&server, "R2", "0.25", "EUR", 100).await;
    product(&server, "R3", "7.00", "USD", 100).await;
    place(&server, &gus, &[("R1", 2), ("R2", 4)], None)
        .await
        .assert_ok11();
    place(&server, &hal, &[("R1", 1)], None).await.assert_ok11();
    place(&server, &hal, &[("R3", 3)], None).await.assert_ok11();
    let cancelled = place(&server, &gus, &[("R1", 50)], None)
        .await
        .text(ORDERS_NS, "id");
    server
        .call(
            Svc::Orders,
            "CancelOrder",
            &format!("<p:id>{cancelled}</p:id><p:reason>x</p:reason>"),
        )
        .await
        .assert_ok11();

    let report = |group: &'static str| {
        let server = &server;
        async move {
            let reply = server
                .call(
                    Svc::Orders,
                    "SalesReport",
                    &format!("<p:from>2000-01-01T00:00:00Z</p:from><p:to>2100-01-01T00:00:00Z</p:to><p:groupBy>{group}</p:groupBy>"),
                )
                .await;
            reply.assert_ok11();
            let fields = ["key", "currency", "orderCount", "quantity", "revenue"]
                .map(|f| reply.texts(ORDERS_NS, f));
            (0..fields[0].len())
                .map(|i| {
                    fields
                        .iter()
                        .map(|f| f[i].clone())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        report("product").await,
        vec!["R1 EUR 2 3 30.00", "R2 EUR 1 4 1.00", "R3 USD 1 3 21.00"]
    );
    assert_eq!(
        report("customer").await,
        vec![
            format!("{gus} EUR 1 6 21.00"),
            format!("{hal} EUR 1 1 10.00"),
            format!("{hal} USD 1 3 21.00")
        ]
    );
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert_eq!(
        report("day").await,
        vec![
            format!("{today} EUR 2 7 31.00"),
            format!("{today} USD 1 3 21.00")
        ]
    );
    let reply = server
        .call(
            Svc::Orders,
            "SalesReport",
            "<p:from>2030-01-01T00:00:00Z</p:from><p:to>2020-01-01T00:00:00Z</p:to><p:groupBy>day</p:groupBy>",
        )
        .await;
    assert_eq!(fault_paths(&reply), vec!["to"]);
}
