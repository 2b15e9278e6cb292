//! MTOM/XOP against a real server: CatalogService SetProductImage and GetProductImage with
//! the image as an XOP attachment (SOAP 1.1 and 1.2) or inline, answers packaged when the
//! request was or its Accept asks, the packages' hostile and broken cases, X.509 signatures
//! over packages refused, and a 50 MB image received with bounded memory. The request packages
//! are written here by hand, as RFC 2387 and XOP 1.0 describe them; the answers are read with
//! multer and validated against the schemas after XOP resolution.

mod support;

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use support::{CATALOG_NS, COMMON_NS, SOAP12, Server, Svc, env11, env12, texts, validate};

const XOP_NS: &str = "http://www.w3.org/2004/08/xop/include";
const ACTION: &str = "http://soapstone.dev/catalog/";

/// `len` bytes that do not repeat in any short period (xorshift), so that a lost, doubled or
/// reordered chunk changes the digest.
fn image(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One part after the root: raw header lines and content.
struct Attachment<'a> {
    headers: &'a str,
    content: &'a [u8],
}

/// An XOP package as JAX-WS writes one: the root part with Content-ID `<root@test>`, then
/// every attachment, under `boundary`; returns its Content-Type and body.
fn package(soap12: bool, root: &str, parts: &[Attachment<'_>]) -> (String, Vec<u8>) {
    let boundary = "uuid:4a1b7c3e-test-boundary";
    let soap_type = if soap12 {
        "application/soap+xml"
    } else {
        "text/xml"
    };
    let content_type = format!(
        "multipart/related; type=\"application/xop+xml\"; boundary=\"{boundary}\"; \
         start=\"<root@test>\"; start-info=\"{soap_type}\""
    );
    let mut body = format!(
        "--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type=\"{soap_type}\"\r\n\
         Content-Transfer-Encoding: binary\r\nContent-ID: <root@test>\r\n\r\n{root}"
    )
    .into_bytes();
    for part in parts {
        body.extend_from_slice(format!("\r\n--{boundary}\r\n{}\r\n\r\n", part.headers).as_bytes());
        body.extend_from_slice(part.content);
    }
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (content_type, body)
}

/// The headers of an ordinary attachment with Content-ID `id`.
fn binary_part(id: &str) -> String {
    format!(
        "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\
         Content-ID: <{id}>"
    )
}

/// An HTTP answer read as bytes.
struct Answer {
    status: u16,
    content_type: String,
    body: Bytes,
}

impl Answer {
    /// The answer's envelope (its root part when packaged) and its attachments by Content-ID.
    async fn unpack(&self) -> (String, HashMap<String, Bytes>) {
        if !self.content_type.starts_with("multipart/related") {
            return (
                String::from_utf8(self.body.to_vec()).unwrap(),
                HashMap::new(),
            );
        }
        let boundary = self
            .content_type
            .split("boundary=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        let body = self.body.clone();
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut root = None;
        let mut parts = HashMap::new();
        while let Some(field) = multipart.next_field().await.unwrap() {
            let id = field.headers()["content-id"]
                .to_str()
                .unwrap()
                .trim_matches(['<', '>'])
                .to_string();
            let kind = field.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_string();
            let content = field.bytes().await.unwrap();
            if root.is_none() {
                assert!(kind.starts_with("application/xop+xml"), "{kind}");
                root = Some(String::from_utf8(content.to_vec()).unwrap());
            } else {
                parts.insert(id, content);
            }
        }
        (root.expect("a root part"), parts)
    }

    /// The envelope with every `xop:Include` replaced by its part in base64 (the XOP
    /// infoset), validated against the schemas.
    async fn resolved(&self) -> String {
        let (mut root, parts) = self.unpack().await;
        while let Some(at) = root.find("<xop:Include") {
            let end = at + root[at..].find("/>").unwrap() + 2;
            let tag = &root[at..end];
            let href = tag.split("href=\"cid:").nth(1).unwrap();
            let id = percent(&href[..href.find('"').unwrap()]);
            let encoded = STANDARD.encode(&parts[&id]);
            root.replace_range(at..end, &encoded);
        }
        validate(&root);
        root
    }
}

/// Percent-decoding of a cid: URL (RFC 2392), for the ids this server writes.
fn percent(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

async fn send(
    server: &Server,
    content_type: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let mut request = server
        .client
        .post(server.url("/services/CatalogService"))
        .header("Content-Type", content_type)
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request sent");
    Answer {
        status: response.status().as_u16(),
        content_type: response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string(),
        body: response.bytes().await.expect("body read"),
    }
}

async fn create_product(server: &Server, sku: &str) {
    let reply = server
        .call(
            Svc::Catalog,
            "CreateProduct",
            &format!(
                "<p:sku>{sku}</p:sku><p:name>Imaged</p:name><p:unitPrice>1.00</p:unitPrice>\
                 <p:currency>EUR</p:currency><p:stock>1</p:stock>"
            ),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn set_image(sku: &str, image: &str) -> String {
    format!(
        r#"<cat:SetProductImage xmlns:cat="{CATALOG_NS}"><cat:sku>{sku}</cat:sku><cat:contentType>image/png</cat:contentType><cat:image>{image}</cat:image></cat:SetProductImage>"#
    )
}

fn get_image(sku: &str) -> String {
    format!(
        r#"<cat:GetProductImage xmlns:cat="{CATALOG_NS}"><cat:sku>{sku}</cat:sku></cat:GetProductImage>"#
    )
}

fn include(href: &str) -> String {
    format!(r#"<xop:Include xmlns:xop="{XOP_NS}" href="{href}"/>"#)
}

fn soap_action(op: &str) -> String {
    format!("\"{ACTION}{op}\"")
}

/// SetProductImage with `content` as one attachment of a SOAP 1.1 package.
async fn set_packaged(server: &Server, sku: &str, content: &[u8]) -> Answer {
    let id = binary_part("img 1@test");
    let (content_type, body) = package(
        false,
        &env11(&set_image(sku, &include("cid:img%201@test"))),
        &[Attachment {
            headers: &id,
            content,
        }],
    );
    let action = soap_action("SetProductImage");
    send(server, &content_type, &[("SOAPAction", &action)], body).await
}

/// GetProductImage over SOAP 1.1, with `accept` when given.
async fn get_over_11(server: &Server, sku: &str, accept: Option<&str>) -> Answer {
    let action = soap_action("GetProductImage");
    let mut headers = vec![("SOAPAction", action.as_str())];
    headers.extend(accept.map(|accept| ("Accept", accept)));
    send(
        server,
        "text/xml; charset=utf-8",
        &headers,
        env11(&get_image(sku)).into_bytes(),
    )
    .await
}

#[tokio::test]
async fn an_mtom_image_round_trips_over_soap_11_with_percent_encoded_content_ids() {
    let server = Server::start();
    create_product(&server, "IMG-1").await;
    let content = image(3 * 1024 * 1024 + 17, 7);
    let answer = set_packaged(&server, "IMG-1", &content).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer.content_type.contains("type=\"application/xop+xml\"")
            && answer.content_type.contains("start-info=\"text/xml\""),
        "an MTOM request is answered MTOM: {}",
        answer.content_type
    );
    let root = answer.resolved().await;
    assert_eq!(
        texts(&root, CATALOG_NS, "bytes"),
        [content.len().to_string()]
    );
    assert_eq!(texts(&root, CATALOG_NS, "sha256"), [sha256_hex(&content)]);

    let answer = get_over_11(&server, "IMG-1", Some("multipart/related")).await;
    assert_eq!(answer.status, 200);
    let (root, parts) = answer.unpack().await;
    assert!(root.contains("<xop:Include"), "{root}");
    assert_eq!(parts.len(), 1);
    let sent_back = parts.values().next().unwrap();
    assert_eq!(sha256_hex(sent_back), sha256_hex(&content));
    let resolved = answer.resolved().await;
    assert_eq!(texts(&resolved, CATALOG_NS, "contentType"), ["image/png"]);
}

#[tokio::test]
async fn an_mtom_image_round_trips_over_soap_12_with_the_action_in_start_info() {
    let server = Server::start();
    create_product(&server, "IMG-12").await;
    let content = image(300_000, 12);
    let id = binary_part("part-12@test");
    let (content_type, body) = package(
        true,
        &env12(&set_image("IMG-12", &include("cid:part-12@test"))),
        &[Attachment {
            headers: &id,
            content: &content,
        }],
    );
    let content_type = content_type.replace(
        "start-info=\"application/soap+xml\"",
        &format!("start-info=\"application/soap+xml; action=\\\"{ACTION}SetProductImage\\\"\""),
    );
    let answer = send(&server, &content_type, &[], body).await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .content_type
            .contains("start-info=\"application/soap+xml\""),
        "{}",
        answer.content_type
    );
    let root = answer.resolved().await;
    assert!(root.contains(SOAP12), "{root}");
    assert_eq!(texts(&root, CATALOG_NS, "sha256"), [sha256_hex(&content)]);

    let (content_type, body) = package(true, &env12(&get_image("IMG-12")), &[]);
    let answer = send(&server, &content_type, &[], body).await;
    assert_eq!(answer.status, 200);
    let (_, parts) = answer.unpack().await;
    assert_eq!(
        parts.values().map(|p| sha256_hex(p)).collect::<Vec<_>>(),
        [sha256_hex(&content)]
    );
    answer.resolved().await;
}

#[tokio::test]
async fn inline_images_are_answered_inline_unless_the_client_accepts_mtom() {
    let server = Server::start();
    create_product(&server, "IMG-IN").await;
    let content = image(5000, 3);
    let reply = server
        .call(
            Svc::Catalog,
            "SetProductImage",
            &format!(
                "<p:sku>IMG-IN</p:sku><p:contentType>image/gif</p:contentType>\
                 <p:image>{}</p:image>",
                STANDARD.encode(&content)
            ),
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(CATALOG_NS, "sha256"), sha256_hex(&content));

    let answer = get_over_11(&server, "IMG-IN", None).await;
    assert_eq!(answer.content_type, "text/xml; charset=utf-8");
    let root = answer.resolved().await;
    let image = texts(&root, CATALOG_NS, "image");
    assert_eq!(STANDARD.decode(&image[0]).unwrap(), content);
    assert_eq!(texts(&root, CATALOG_NS, "contentType"), ["image/gif"]);

    let answer = get_over_11(&server, "IMG-IN", Some("multipart/related, text/xml")).await;
    let (_, parts) = answer.unpack().await;
    assert_eq!(parts.values().next().unwrap().as_ref(), content.as_slice());
}

#[tokio::test]
async fn missing_and_unknown_images_are_product_not_found_faults() {
    let server = Server::start();
    create_product(&server, "IMG-NONE").await;
    for (sku, reason) in [
        ("IMG-NONE", "the product with SKU 'IMG-NONE' has no image"),
        ("IMG-ABSENT", "no product with SKU 'IMG-ABSENT'"),
    ] {
        let reply = server
            .call(
                Svc::Catalog,
                "GetProductImage",
                &format!("<p:sku>{sku}</p:sku>"),
            )
            .await;
        reply.assert_fault11("Client");
        assert_eq!(reply.reason(), reason);
        assert_eq!(reply.text(COMMON_NS, "sku"), sku);
    }
    let answer = set_packaged(&server, "IMG-ABSENT", b"bytes").await;
    let (root, _) = answer.unpack().await;
    assert!(root.contains("ProductNotFoundFault"), "{root}");
}

/// The fault reason of a packaged answer (or of a plain one).
async fn reason(answer: &Answer) -> String {
    let (root, _) = answer.unpack().await;
    validate(&root);
    let mut all = texts(&root, "", "faultstring");
    all.extend(texts(&root, SOAP12, "Text"));
    all.into_iter().next().unwrap_or_else(|| panic!("{root}"))
}

#[tokio::test]
async fn broken_packages_are_client_faults_that_name_the_problem() {
    let server = Server::start_with(&["--max-parts", "3", "--max-attachments", "100000"]);
    create_product(&server, "IMG-BAD").await;
    let action = soap_action("SetProductImage");
    let root = env11(&set_image("IMG-BAD", &include("cid:a@test")));
    let a = binary_part("a@test");
    let b = binary_part("b@test");
    let nested = "Content-Type: multipart/related; boundary=inner\r\nContent-ID: <a@test>";
    let many: Vec<String> = (0..4).map(|i| binary_part(&format!("m{i}@test"))).collect();
    let cases: Vec<(&str, Vec<Attachment<'_>>, &str)> = vec![
        (
            "no part for the include",
            vec![Attachment {
                headers: &b,
                content: b"x",
            }],
            "names no attachment of the package",
        ),
        (
            "two parts with one id",
            vec![
                Attachment {
                    headers: &a,
                    content: b"x",
                },
                Attachment {
                    headers: &a,
                    content: b"y",
                },
            ],
            "two parts with Content-ID <a@test>",
        ),
        (
            "too many parts",
            many.iter()
                .map(|headers| Attachment {
                    headers,
                    content: b"x",
                })
                .collect(),
            "more than the 3 attachments allowed",
        ),
        (
            "a part past the limit",
            vec![Attachment {
                headers: &a,
                content: &[0u8; 100_001],
            }],
            "larger than the limit of 100000 bytes",
        ),
        (
            "a nested multipart",
            vec![Attachment {
                headers: nested,
                content: b"--inner--",
            }],
            "nested packages are not read",
        ),
    ];
    for (case, parts, expected) in cases {
        let (content_type, body) = package(false, &root, &parts);
        let answer = send(&server, &content_type, &[("SOAPAction", &action)], body).await;
        assert_eq!(answer.status, 500, "{case}");
        let reason = reason(&answer).await;
        assert!(reason.contains(expected), "{case}: {reason}");
    }

    // A boundary that never ends: the body stops inside the part.
    let (content_type, mut body) = package(
        false,
        &root,
        &[Attachment {
            headers: &a,
            content: b"x",
        }],
    );
    body.truncate(body.len() - 40);
    let answer = send(&server, &content_type, &[("SOAPAction", &action)], body).await;
    assert!(reason(&answer).await.contains("malformed"));

    // SOAP with Attachments is not XOP.
    let answer = send(
        &server,
        "multipart/related; type=\"text/xml\"; boundary=b",
        &[("SOAPAction", &action)],
        b"--b--".to_vec(),
    )
    .await;
    assert_eq!(answer.status, 415);
}

#[tokio::test]
async fn includes_are_allowed_only_in_binary_elements_of_packages() {
    let server = Server::start();
    create_product(&server, "IMG-INC").await;
    let action = soap_action("SetProductImage");
    let a = binary_part("a@test");
    let body = format!(
        r#"<cat:SetProductImage xmlns:cat="{CATALOG_NS}"><cat:sku>{}</cat:sku><cat:contentType>image/png</cat:contentType><cat:image>{}</cat:image></cat:SetProductImage>"#,
        include("cid:a@test"),
        include("cid:a@test")
    );
    let (content_type, packaged) = package(
        false,
        &env11(&body),
        &[Attachment {
            headers: &a,
            content: b"x",
        }],
    );
    let answer = send(&server, &content_type, &[("SOAPAction", &action)], packaged).await;
    let (root, _) = answer.unpack().await;
    assert_eq!(
        texts(&root, COMMON_NS, "path"),
        ["sku"],
        "only the sku is wrong: {root}"
    );
    assert!(root.contains("xop:Include is allowed only in an xs:base64Binary element"));

    let reply = server
        .call(
            Svc::Catalog,
            "SetProductImage",
            &format!(
                "<p:sku>IMG-INC</p:sku><p:contentType>image/png</p:contentType><p:image>{}</p:image>",
                include("cid:a@test")
            ),
        )
        .await;
    reply.assert_fault11("Client");
    assert!(
        reply
            .body
            .contains("xop:Include is allowed only in an MTOM/XOP message"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn x509_signatures_over_packages_are_refused_with_the_reason() {
    let server = Server::start();
    let action = soap_action("GetProductImage");
    let header = r#"<wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature></wsse:Security>"#;
    let envelope = support::env11_with(header, &get_image("IMG-SIG"));
    let (content_type, body) = package(false, &envelope, &[]);
    let answer = send(&server, &content_type, &[("SOAPAction", &action)], body).await;
    let reason = reason(&answer).await;
    assert!(
        reason.contains("X.509 signatures over MTOM/XOP packages are not verified"),
        "{reason}"
    );
    let (root, _) = answer.unpack().await;
    assert!(root.contains("wsse:InvalidSecurity"), "{root}");
}

/// The server's peak resident memory (VmHWM), in bytes.
fn peak_rss(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

#[tokio::test]
async fn a_50_mb_image_is_received_and_stored_with_bounded_memory() {
    let server = Server::start();
    create_product(&server, "IMG-BIG").await;
    let content = image(50 * 1024 * 1024, 50);
    let before = peak_rss(&server);
    let answer = set_packaged(&server, "IMG-BIG", &content).await;
    assert_eq!(answer.status, 200);
    let (root, _) = answer.unpack().await;
    assert_eq!(texts(&root, CATALOG_NS, "sha256"), [sha256_hex(&content)]);
    let grown = peak_rss(&server).saturating_sub(before);
    assert!(
        grown < 24 * 1024 * 1024,
        "receiving and storing 50 MB grew the server's peak memory by {grown} bytes"
    );
    let answer = get_over_11(&server, "IMG-BIG", Some("multipart/related")).await;
    let (_, parts) = answer.unpack().await;
    assert_eq!(
        sha256_hex(parts.values().next().unwrap()),
        sha256_hex(&content)
    );
}
