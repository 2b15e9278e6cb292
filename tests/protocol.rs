//! The SOAP engine over real HTTP: both versions on one URL, dispatch and SOAPAction, header
//! processing, faults, the shapes of XML real clients send, HTTP errors, and the contract
//! documents.

mod support;

use support::{
    CATALOG_NS, COMMON_NS, ORDERS_NS, SECURITY_NS, SOAP11, SOAP12, Server, USERS_NS, action,
    create_user, env11, env12, validate,
};

fn get_user(id: &str) -> String {
    format!(r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>{id}</u:id></u:GetUser>"#)
}

#[tokio::test]
async fn both_versions_on_one_url_whatever_the_content_type_says() {
    let server = Server::start();
    let create = create_user("carol", "carol@example.com", &["clerk"]);
    server
        .soap11(Some(&action("CreateUser")), &env11(&create))
        .await
        .assert_ok11();
    // A SOAP 1.2 envelope sent as text/xml (gSOAP does this to a 1.1 port) is answered in 1.2.
    let reply = server.soap11(None, &env12(&get_user("2"))).await;
    reply.assert_ok12();
    // A SOAP 1.1 envelope sent as application/soap+xml is answered in 1.1.
    let reply = server.soap12(None, &env11(&get_user("2"))).await;
    reply.assert_ok11();
    assert_eq!(reply.text(USERS_NS, "username"), "carol");
}

#[tokio::test]
async fn soap_action_forms_clients_use() {
    let server = Server::start();
    server
        .create_user("dave", "d@example.com", &["admin"])
        .await
        .assert_ok11();
    let body11 = env11(&get_user("1"));
    let ct11 = "text/xml; charset=utf-8";
    // Quoted, empty, unquoted and missing SOAPAction.
    for headers in [
        vec![("SOAPAction", "\"http://soapstone.dev/users/GetUser\"")],
        vec![("SOAPAction", "\"\"")],
        vec![("SOAPAction", "http://soapstone.dev/users/GetUser")],
        vec![],
    ] {
        let reply = server
            .post("/services/UserService", ct11, &headers, &body11)
            .await;
        reply.assert_ok11();
    }
    let body12 = env12(&get_user("1"));
    // JAX-WS style: no space before action; Mono WCF: SOAPAction header, no action parameter.
    for (content_type, headers) in [
        (
            "application/soap+xml;charset=utf-8;action=\"http://soapstone.dev/users/GetUser\"",
            vec![],
        ),
        (
            "application/soap+xml; charset=utf-8",
            vec![("SOAPAction", "\"http://soapstone.dev/users/GetUser\"")],
        ),
    ] {
        server
            .post("/services/UserService", content_type, &headers, &body12)
            .await
            .assert_ok12();
    }
    // An action naming another operation is refused, in either version.
    let reply = server.soap11(Some(&action("DeleteUser")), &body11).await;
    reply.assert_fault11("Client");
    assert!(reply.reason().contains("does not match"), "{}", reply.body);
    server
        .soap12(Some("urn:something-else"), &body12)
        .await
        .assert_fault12("Sender");
}

/// For each service: its path, a request the admin can make without preparing data, the
/// WS-Addressing default action of that operation, and the default action of another one.
fn default_action_cases() -> [(&'static str, String, &'static str, &'static str); 4] {
    [
        (
            "/services/UserService",
            get_user("1"),
            "http://soapstone.dev/wsdl/users/v1/UserServicePortType/GetUser",
            "http://soapstone.dev/wsdl/users/v1/UserServicePortType/DeleteUser",
        ),
        (
            "/services/CatalogService",
            format!(r#"<c:SearchProducts xmlns:c="{CATALOG_NS}"/>"#),
            "http://soapstone.dev/wsdl/catalog/v1/CatalogServicePortType/SearchProducts",
            "http://soapstone.dev/wsdl/catalog/v1/CatalogServicePortType/CreateProduct",
        ),
        (
            "/services/OrderService",
            format!(r#"<o:ListOrders xmlns:o="{ORDERS_NS}"/>"#),
            "http://soapstone.dev/wsdl/orders/v1/OrderServicePortType/ListOrders",
            "http://soapstone.dev/wsdl/orders/v1/OrderServicePortType/PlaceOrder",
        ),
        (
            "/services/AuthService",
            format!(r#"<s:WhoAmI xmlns:s="{SECURITY_NS}"/>"#),
            "http://soapstone.dev/wsdl/auth/v1/AuthServicePortType/WhoAmI",
            "http://soapstone.dev/wsdl/auth/v1/AuthServicePortType/Logout",
        ),
    ]
}

#[tokio::test]
async fn ws_addressing_default_actions_are_accepted_for_their_own_operation_only() {
    let server = Server::start();
    let ct12 = |action: &str| format!("application/soap+xml; charset=utf-8; action=\"{action}\"");
    let ct11 = "text/xml; charset=utf-8";
    for (path, body, default, other) in default_action_cases() {
        // gSOAP's form and the spec's default input name ({operation}Request), both versions.
        for action in [default.to_string(), format!("{default}Request")] {
            server
                .post(path, &ct12(&action), &[], &env12(&body))
                .await
                .assert_ok12();
            let quoted = format!("\"{action}\"");
            server
                .post(path, ct11, &[("SOAPAction", &quoted)], &env11(&body))
                .await
                .assert_ok11();
        }
        // Another operation's default action, or a name that is no input's, is refused.
        for action in [other.to_string(), format!("{default}Response")] {
            let reply = server.post(path, &ct12(&action), &[], &env12(&body)).await;
            reply.assert_fault12("Sender");
            assert!(reply.reason().contains("does not match"), "{}", reply.body);
            let quoted = format!("\"{action}\"");
            server
                .post(path, ct11, &[("SOAPAction", &quoted)], &env11(&body))
                .await
                .assert_fault11("Client");
        }
    }
}

#[tokio::test]
async fn unknown_operations_and_wrong_namespaces_are_client_faults() {
    let server = Server::start();
    let reply = server
        .soap11(
            None,
            &env11(r#"<u:Frobnicate xmlns:u="http://soapstone.dev/schema/users/v1"/>"#),
        )
        .await;
    reply.assert_fault11("Client");
    assert!(
        reply
            .reason()
            .contains("{http://soapstone.dev/schema/users/v1}Frobnicate")
    );
    // The right local name in the wrong namespace is not the operation.
    let reply = server
        .soap12(
            None,
            &env12(r#"<GetUser xmlns="urn:wrong"><id>1</id></GetUser>"#),
        )
        .await;
    reply.assert_fault12("Sender");
    assert!(
        reply.reason().contains("{urn:wrong}GetUser"),
        "{}",
        reply.body
    );
    // A child in the wrong namespace is a ValidationFault naming it.
    let body =
        format!(r#"<u:GetUser xmlns:u="{USERS_NS}"><id xmlns="urn:other">1</id></u:GetUser>"#);
    let reply = server.soap11(None, &env11(&body)).await;
    reply.assert_fault11("Client");
    assert_eq!(reply.texts(COMMON_NS, "path"), vec!["id", "GetUser"]);
    assert!(reply.body.contains("urn:other"), "{}", reply.body);
}

#[tokio::test]
async fn validation_fault_lists_every_field() {
    let server = Server::start();
    let body = format!(
        r#"<u:CreateUser xmlns:u="{USERS_NS}"><u:username>eve</u:username><u:role>admin</u:role><u:role>boss</u:role><u:bogus/></u:CreateUser>"#
    );
    let reply = server.soap12(None, &env12(&body)).await;
    reply.assert_fault12("Sender");
    assert_eq!(
        reply.texts(COMMON_NS, "path"),
        vec!["role[2]", "bogus", "email"]
    );
    // The schema's facets (the Username pattern) are checked while decoding ...
    let reply = server
        .soap11(
            None,
            &env11(&create_user("Eve!", "eve@example.com", &["admin"])),
        )
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.texts(COMMON_NS, "path"), vec!["username"]);
    // ... and rules of the service itself (an email address's shape) come back the same way.
    let reply = server
        .soap11(
            None,
            &env11(&create_user("eve", "not-an-email", &["admin"])),
        )
        .await;
    reply.assert_fault11("Client");
    assert_eq!(reply.texts(COMMON_NS, "path"), vec!["email"]);
}

#[tokio::test]
async fn must_understand_headers() {
    let server = Server::start();
    let header_then = |version_ns: &str, prefix: &str, header: &str| {
        format!(
            r#"<{prefix}:Envelope xmlns:{prefix}="{version_ns}"><{prefix}:Header>{}{header}</{prefix}:Header><{prefix}:Body>{}</{prefix}:Body></{prefix}:Envelope>"#,
            support::wsse_text(support::ADMIN, support::ADMIN_PASSWORD),
            create_user("frank", "frank@example.com", &["customer"])
        )
    };
    let reply = server
        .soap11(
            None,
            &header_then(
                SOAP11,
                "s",
                r#"<t:Trace xmlns:t="urn:trace" s:mustUnderstand="1"/>"#,
            ),
        )
        .await;
    reply.assert_fault11("MustUnderstand");
    assert!(reply.reason().contains("{urn:trace}Trace"));

    let reply = server
        .soap12(
            None,
            &header_then(
                SOAP12,
                "e",
                r#"<t:Trace xmlns:t="urn:trace" e:mustUnderstand="true"/>"#,
            ),
        )
        .await;
    reply.assert_fault12("MustUnderstand");
    assert!(
        reply
            .body
            .contains(r#"<env:NotUnderstood xmlns:nu="urn:trace" qname="nu:Trace"/>"#),
        "{}",
        reply.body
    );

    // Not for us, not mandatory, or an unqualified mustUnderstand: processed normally. The
    // user is created once, by the first request that gets through.
    let reply = server
        .soap11(
            None,
            &header_then(
                SOAP11,
                "s",
                r#"<t:A xmlns:t="urn:t" s:actor="urn:someone-else" s:mustUnderstand="1"/><t:B xmlns:t="urn:t" mustUnderstand="1"/><t:C xmlns:t="urn:t" s:mustUnderstand="0"/>"#,
            ),
        )
        .await;
    reply.assert_ok11();
    let reply = server
        .soap12(
            None,
            &header_then(
                SOAP12,
                "e",
                &format!(
                    r#"<t:A xmlns:t="urn:t" e:role="{SOAP12}/role/none" e:mustUnderstand="true"/>"#
                ),
            ),
        )
        .await;
    // Processed: the user exists already, so this is the duplicate fault, not MustUnderstand.
    reply.assert_fault12("Sender");
    assert_eq!(
        reply.texts(COMMON_NS, "DuplicateUserFault").len(),
        1,
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn xml_shapes_real_clients_send() {
    let server = Server::start();
    server
        .create_user("grace", "grace@example.com", &["admin"])
        .await
        .assert_ok11();
    // Each authenticates as the admin with the UsernameToken header its client sends.
    let auth = support::wsse_text(support::ADMIN, support::ADMIN_PASSWORD);
    let cases = [
        // suds: the envelope namespace on two prefixes, an unqualified mustUnderstand.
        format!(
            r#"<SOAP-ENV:Envelope xmlns:ns0="{USERS_NS}" xmlns:SOAP-ENV="{SOAP11}" xmlns:ns1="{SOAP11}"><SOAP-ENV:Header>{}</SOAP-ENV:Header><ns1:Body><ns0:GetUser><ns0:username>grace</ns0:username></ns0:GetUser></ns1:Body></SOAP-ENV:Envelope>"#,
            auth.replace(
                "<wsse:Security ",
                r#"<wsse:Security mustUnderstand="true" "#
            )
        ),
        // JAX-WS / .NET: a default namespace on Body content, single-quoted declaration.
        format!(
            r#"<?xml version='1.0' encoding='UTF-8'?><S:Envelope xmlns:S="{SOAP11}"><S:Header>{}</S:Header><S:Body><GetUser xmlns="{USERS_NS}"><username>grace</username></GetUser></S:Body></S:Envelope>"#,
            auth.replace("<wsse:Security ", r#"<wsse:Security S:mustUnderstand="1" "#)
        ),
        // gSOAP: many unused namespace declarations, pretty-printed.
        format!(
            "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"{SOAP11}\" xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:ns1=\"{USERS_NS}\">\n <SOAP-ENV:Header>\n  {auth}\n </SOAP-ENV:Header>\n <SOAP-ENV:Body>\n  <ns1:GetUser>\n   <ns1:id>2</ns1:id>\n  </ns1:GetUser>\n </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"
        ),
        // A UTF-8 byte order mark and no XML declaration.
        format!("\u{FEFF}{}", env11(&get_user("2"))),
        // Default namespace for the envelope itself, redeclared on the operation.
        format!(
            r#"<Envelope xmlns="{SOAP11}"><Header>{auth}</Header><Body><GetUser xmlns="{USERS_NS}"><id>2</id></GetUser></Body></Envelope>"#
        ),
    ];
    for body in cases {
        let reply = server.soap11(None, &body).await;
        reply.assert_ok11();
        assert_eq!(reply.text(USERS_NS, "username"), "grace", "{body}");
    }
    // &apos;, unescaped '>' and CDATA in values round-trip exactly.
    let body = format!(
        r#"<u:UpdateUser xmlns:u="{USERS_NS}"><u:id>2</u:id><u:displayName>O&apos;Neil > 3 &amp; <![CDATA[<b>]]> ö</u:displayName></u:UpdateUser>"#
    );
    let reply = server.soap11(None, &env11(&body)).await;
    reply.assert_ok11();
    assert_eq!(reply.text(USERS_NS, "displayName"), "O'Neil > 3 & <b> ö");
}

#[tokio::test]
async fn hostile_or_broken_envelopes_get_client_faults() {
    let server = Server::start();
    let cases = [
        (
            r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#.to_string(),
            "DOCTYPE",
        ),
        (
            format!(r#"<?xml-stylesheet href="x"?>{}"#, env11(&get_user("1"))),
            "processing instructions",
        ),
        (env11(""), "Body is empty"),
        (
            format!(r#"<s:Envelope xmlns:s="{SOAP11}"><s:Header/></s:Envelope>"#),
            "no Body",
        ),
        (
            env11(&format!("{}{}", get_user("1"), get_user("2"))),
            "exactly one operation element",
        ),
        (r#"<notsoap/>"#.to_string(), "must be a SOAP Envelope"),
        (env11(&get_user("1</u:idx><u:id>")), "not well-formed"),
        (env11(&get_user("&#x1;")), "U+0001"),
    ];
    for (body, reason) in cases {
        let reply = server.soap11(None, &body).await;
        reply.assert_fault11("Client");
        assert!(reply.reason().contains(reason), "{reason}: {}", reply.body);
    }
    let reply = server
        .soap12(
            None,
            r#"<e:Envelope xmlns:e="http://example.com/soap-2.0"><e:Body/></e:Envelope>"#,
        )
        .await;
    reply.assert_fault12("VersionMismatch");
    assert!(reply.body.contains("<env:Upgrade>"), "{}", reply.body);
    server
        .soap11(
            None,
            r#"<e:Envelope xmlns:e="http://example.com/soap-2.0"><e:Body/></e:Envelope>"#,
        )
        .await
        .assert_fault11("VersionMismatch");
    // The server still serves normally afterwards.
    server
        .create_user("henry", "h@example.com", &["admin"])
        .await
        .assert_ok11();
}

/// A SOAP 1.2 envelope authenticated as the admin, with `attrs` added to the start tags of the
/// Envelope, the Header, the Body and the GetUser element (in that order).
fn get_user12_with(attrs: [&str; 4]) -> String {
    let [envelope, header, body, op] = attrs;
    let auth = support::wsse_text(support::ADMIN, support::ADMIN_PASSWORD);
    format!(
        r#"<env:Envelope xmlns:env="{SOAP12}"{envelope}><env:Header{header}>{auth}</env:Header><env:Body{body}><u:GetUser xmlns:u="{USERS_NS}"{op}><u:id>1</u:id></u:GetUser></env:Body></env:Envelope>"#
    )
}

/// The SOAP 1.1 form of [`get_user12_with`].
fn get_user11_with(attrs: [&str; 4]) -> String {
    get_user12_with(attrs)
        .replace(SOAP12, SOAP11)
        .replace("env:", "soap:")
        .replace("xmlns:env=", "xmlns:soap=")
}

#[tokio::test]
async fn soap12_processing_model_edges_are_sender_or_data_encoding_faults() {
    let server = Server::start();
    let none = r#" env:encodingStyle="http://www.w3.org/2003/05/soap-envelope/encoding/none""#;
    let sender = [
        (
            [none, "", "", ""],
            "encodingStyle is not allowed on the Envelope",
        ),
        (
            ["", none, "", ""],
            "encodingStyle is not allowed on the Header",
        ),
        (
            ["", "", none, ""],
            "encodingStyle is not allowed on the Body",
        ),
        (
            [r#" version="1.2""#, "", "", ""],
            "'version' has no namespace",
        ),
        (["", r#" id="h""#, "", ""], "'id' has no namespace"),
        (["", "", r#" id="b""#, ""], "'id' has no namespace"),
    ];
    for (attrs, reason) in sender {
        let reply = server.soap12(None, &get_user12_with(attrs)).await;
        reply.assert_fault12("Sender");
        assert!(reply.reason().contains(reason), "{reason}: {}", reply.body);
    }
    let poison = r#" env:encodingStyle="http://example.org/PoisonEncoding""#;
    let reply = server
        .soap12(None, &get_user12_with(["", "", "", poison]))
        .await;
    reply.assert_fault12("DataEncodingUnknown");
    assert!(
        reply.reason().contains("http://example.org/PoisonEncoding"),
        "{}",
        reply.body
    );
    // A SOAP 1.2 envelope sent as text/xml is refused in SOAP 1.1, where the code is Client.
    server
        .soap11(None, &get_user12_with(["", "", "", poison]))
        .await
        .assert_fault11("Client");
    // "No encoding", qualified foreign attributes and namespace declarations are fine.
    let foreign = r#" xmlns:f="urn:f" f:trace="on""#;
    let reply = server
        .soap12(None, &get_user12_with([foreign, foreign, foreign, none]))
        .await;
    reply.assert_ok12();
    assert_eq!(reply.text(USERS_NS, "username"), "admin");
}

#[tokio::test]
async fn soap11_forbidden_attributes_are_client_faults() {
    let server = Server::start();
    let encoded = r#" env:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/""#;
    let cases = [
        (
            [encoded, "", "", ""],
            "encodingStyle is not allowed on the Envelope",
        ),
        (
            ["", encoded, "", ""],
            "encodingStyle is not allowed on the Header",
        ),
        (
            ["", "", encoded, ""],
            "encodingStyle is not allowed on the Body",
        ),
        (
            ["", "", "", encoded],
            "encodingStyle is not allowed on the operation element",
        ),
        (
            [r#" version="1.1""#, "", "", ""],
            "'version' has no namespace",
        ),
        (["", r#" id="h""#, "", ""], "'id' has no namespace"),
        (["", "", r#" id="b""#, ""], "'id' has no namespace"),
    ];
    for (attrs, reason) in cases {
        let reply = server.soap11(None, &get_user11_with(attrs)).await;
        reply.assert_fault11("Client");
        assert!(reply.reason().contains(reason), "{reason}: {}", reply.body);
    }
    let foreign = r#" xmlns:f="urn:f" f:trace="on""#;
    let reply = server
        .soap11(None, &get_user11_with([foreign, foreign, foreign, foreign]))
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(USERS_NS, "username"), "admin");
}

#[tokio::test]
async fn http_errors_for_requests_that_are_not_soap() {
    let server = Server::start();
    let status = |reply: support::Reply| reply.status;
    assert_eq!(
        status(server.get("/services/UserService?unknown", &[]).await),
        405
    );
    let put = server
        .client
        .put(server.url("/services/UserService"))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 405);
    assert_eq!(put.headers()["allow"], "GET, POST");
    assert_eq!(status(server.get("/nowhere", &[]).await), 404);
    let json = server
        .post("/services/UserService", "application/json", &[], "{}")
        .await;
    assert_eq!(json.status, 415);
    let empty = server
        .post("/services/UserService", "text/xml", &[], "")
        .await;
    assert_eq!(empty.status, 400);
    // Too large: refused from the declared length before any of the body is read, and while
    // streaming when no length is declared.
    let addr = server.base.trim_start_matches("http://").to_string();
    let declared = raw_exchange(&addr, "Content-Length: 17000000\r\n", &[]);
    assert!(declared.starts_with("HTTP/1.1 413"), "{declared}");
    let chunk = format!("100000\r\n{}\r\n", " ".repeat(0x100000));
    let chunks: Vec<&[u8]> = std::iter::repeat_n(chunk.as_bytes(), 17).collect();
    let streamed = raw_exchange(&addr, "Transfer-Encoding: chunked\r\n", &chunks);
    assert!(streamed.starts_with("HTTP/1.1 413"), "{streamed}");
}

#[tokio::test]
async fn chunked_requests_and_keep_alive() {
    let server = Server::start();
    let addr = server.base.trim_start_matches("http://").to_string();
    let body = env11(&create_user("chunky", "chunky@example.com", &["clerk"]));
    let (first, rest) = body.split_at(body.len() / 2);
    let chunk = |part: &str| format!("{:x}\r\n{part}\r\n", part.len());
    let (a, b) = (chunk(first), chunk(rest));
    let chunks: Vec<&[u8]> = vec![a.as_bytes(), b.as_bytes(), b"0\r\n\r\n"];
    let reply = raw_exchange(
        &addr,
        "Transfer-Encoding: chunked\r\nConnection: close\r\n",
        &chunks,
    );
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("<u:username>chunky</u:username>"), "{reply}");

    // Two requests on one connection.
    use std::io::{BufRead, BufReader, Read, Write};
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    let get =
        format!(r#"<u:GetUser xmlns:u="{USERS_NS}"><u:username>chunky</u:username></u:GetUser>"#);
    let request = env11(&get);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for _ in 0..2 {
        write!(
            stream,
            "POST /services/UserService HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{request}",
            request.len()
        )
        .unwrap();
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        assert!(String::from_utf8(body).unwrap().contains("chunky"));
    }
}

/// Sends a POST with `headers` and then `chunks` (ignoring write errors once the server has
/// answered), and returns the response text.
fn raw_exchange(addr: &str, headers: &str, chunks: &[&[u8]]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /services/UserService HTTP/1.1\r\nHost: {addr}\r\nContent-Type: text/xml\r\n{headers}\r\n"
    );
    stream.write_all(head.as_bytes()).expect("headers sent");
    for chunk in chunks {
        if stream.write_all(chunk).is_err() {
            break;
        }
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn request_ids_are_returned_and_carried_by_server_faults() {
    let server = Server::start();
    let reply = server
        .post(
            "/services/UserService",
            "text/xml",
            &[("X-Request-Id", "trace-123")],
            &env11(&get_user("1")),
        )
        .await;
    assert_eq!(reply.request_id.as_deref(), Some("trace-123"));
    let reply = server.soap11(None, &env11(&get_user("1"))).await;
    assert!(reply.request_id.as_deref().is_some_and(|id| id.len() >= 16));
}

#[tokio::test]
async fn wsdl_and_schemas_are_served_with_the_callers_address() {
    // The test client is the proxy in front of the server (tests/credentials.rs covers
    // forwarded headers from peers that are not trusted).
    let server = Server::start_with(&["--trusted-proxies", "127.0.0.1"]);
    let wsdl = server.get("/services/UserService?wsdl", &[]).await;
    assert_eq!(wsdl.status, 200);
    assert_eq!(wsdl.content_type, "text/xml; charset=utf-8");
    let address = format!(r#"location="{}/services/UserService""#, server.base);
    assert_eq!(wsdl.body.matches(&address).count(), 2, "{}", wsdl.body);

    let proxied = server
        .get(
            "/services/UserService?wsdl",
            &[
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-Host", "soap.example.com"),
            ],
        )
        .await;
    assert!(
        proxied
            .body
            .contains(r#"location="https://soap.example.com/services/UserService""#)
    );
    assert!(proxied.body.contains(
        r#"schemaLocation="https://soap.example.com/services/UserService?xsd=users.xsd""#
    ));

    // Every schema the WSDL or a schema points at is served, and is itself a valid schema.
    for name in ["users.xsd", "common.xsd"] {
        let schema = server
            .get(&format!("/services/UserService?xsd={name}"), &[])
            .await;
        assert_eq!(schema.status, 200, "{name}");
        assert!(schema.body.contains("<xs:schema"), "{name}");
        assert!(
            !schema.body.contains("schemaLocation=\"common.xsd\""),
            "{name}"
        );
    }
    for bad in [
        "../Cargo.toml",
        "..%2FCargo.toml",
        "/etc/passwd",
        "nothing.xsd",
        "",
    ] {
        let reply = server
            .get(&format!("/services/UserService?xsd={bad}"), &[])
            .await;
        assert_eq!(reply.status, 404, "{bad}");
    }
}

#[tokio::test]
async fn served_schemas_validate_responses_through_their_rewritten_imports() {
    // The served users.xsd imports common.xsd by URL; xmllint follows it over HTTP to us.
    let server = Server::start();
    let schema = server.get("/services/UserService?xsd=users.xsd", &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.xsd");
    std::fs::write(&path, &schema.body).unwrap();
    let reply = server
        .soap11(
            None,
            &env11(&create_user("iris", "iris@example.com", &["auditor"])),
        )
        .await;
    reply.assert_ok11();
    let start = reply.body.find("<u:CreateUserResponse").unwrap();
    let end = reply.body.find("</soap:Body>").unwrap();
    support::validate_with(&reply.body[start..end], &path);
    validate(&reply.body);
}

#[tokio::test]
async fn a_soap11_only_wsdl_view_for_old_generators() {
    let server = Server::start();
    for service in ["UserService", "CatalogService", "OrderService"] {
        let view = server
            .get(&format!("/services/{service}?wsdl&soap=1.1"), &[])
            .await;
        assert_eq!(view.status, 200, "{service}");
        assert!(view.body.contains(&format!("{service}Soap11Binding")));
        assert!(
            !view.body.contains(&format!("{service}Soap12Binding")),
            "{}",
            view.body
        );
        assert!(!view.body.contains("<soap12:"));
        assert!(
            !view.body.contains("xmlns:soap12"),
            "gSOAP's wsdl2h would still import SOAP 1.2 for the declaration alone"
        );
        let address = format!(
            r#"<soap:address location="{}/services/{service}"/>"#,
            server.base
        );
        assert_eq!(view.body.matches(&address).count(), 1);
        support::texts(&view.body, "http://schemas.xmlsoap.org/wsdl/", "port");
    }
    let unknown = server.get("/services/UserService?wsdl&soap=1.3", &[]).await;
    assert_eq!(unknown.status, 404);
}
