//! The built-in benchmark service (`/bench`, the shared `urn:bench` contract): values are
//! echoed and computed exactly, responses validate, and the contract is served verbatim.

mod support;

use support::{Server, texts, validate};

const BENCH_NS: &str = "urn:bench";

async fn post(server: &Server, action: &str, body: &str) -> support::Reply {
    let action = format!("\"urn:bench#{action}\"");
    server
        .post(
            "/bench",
            "text/xml; charset=utf-8",
            &[("SOAPAction", action.as_str())],
            body,
        )
        .await
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/samples/bench/{name}.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("bench sample")
}

#[tokio::test]
async fn get_item_computes_the_contract_values() {
    let server = Server::start();
    let reply = post(&server, "GetItem", &sample("GetItem")).await;
    reply.assert_ok11();
    assert_eq!(reply.text(BENCH_NS, "id"), "42");
    assert_eq!(reply.text(BENCH_NS, "name"), "Item 42");
    assert_eq!(reply.text(BENCH_NS, "price"), "52.50");
    assert_eq!(reply.text(BENCH_NS, "quantity"), "126");
    assert_eq!(reply.text(BENCH_NS, "updated"), "2024-05-17T12:34:56.000Z");
}

#[tokio::test]
async fn echo_returns_every_value_exactly_in_both_versions() {
    let server = Server::start();
    let request = sample("Echo");
    let reply = post(&server, "Echo", &request).await;
    reply.assert_ok11();
    for field in ["text", "count", "amount", "id", "name", "price"] {
        let sent = texts(&request, BENCH_NS, field);
        assert!(!sent.is_empty(), "{field}");
        assert_eq!(reply.texts(BENCH_NS, field), sent, "{field}");
    }
    assert_eq!(reply.text(BENCH_NS, "stamp"), "2024-05-17T12:34:56.000Z");

    let soap12 = request
        .replace(
            "http://schemas.xmlsoap.org/soap/envelope/",
            "http://www.w3.org/2003/05/soap-envelope",
        )
        .replace("<soapenv:Header/>", "");
    let reply = server
        .post(
            "/bench",
            "application/soap+xml; charset=utf-8; action=\"urn:bench#Echo\"",
            &[],
            &soap12,
        )
        .await;
    reply.assert_ok12();
    assert_eq!(reply.texts(BENCH_NS, "item").len(), 50);
}

#[tokio::test]
async fn the_contract_is_served_verbatim_with_its_address_rewritten() {
    let server = Server::start();
    let wsdl = server.get("/bench?wsdl", &[]).await;
    assert_eq!(wsdl.status, 200);
    let shared = include_str!("../wsdl/BenchService.wsdl").replace(
        "http://127.0.0.1:8080/bench",
        &format!("{}/bench", server.base),
    );
    assert_eq!(wsdl.body, shared);
}

/// Elements and attributes of a schema document, without whitespace and namespace
/// declarations, for comparing two copies of one schema.
fn shape(xml: &str, from: &str) -> Vec<String> {
    use soapstone::xml::{Event, XmlLimits, XmlReader};
    let start = xml.find(from).expect("schema start");
    let end = xml[start..].find("</xsd:schema>").expect("schema end") + start + 13;
    let mut reader = XmlReader::new(&xml.as_bytes()[start..end], XmlLimits::default()).unwrap();
    let mut out = Vec::new();
    loop {
        match reader.next_event().unwrap() {
            Event::Start(s) => {
                let mut attrs: Vec<String> = s
                    .attrs
                    .iter()
                    .map(|a| format!("{}={}", a.local, a.value))
                    .collect();
                attrs.sort();
                out.push(format!("<{} {}>", s.expanded_name(), attrs.join(" ")));
            }
            Event::End => out.push("</>".into()),
            Event::Text(_) => {}
            Event::Eof => return out,
        }
    }
}

#[test]
fn xsd_bench_is_the_schema_inlined_in_the_wsdl() {
    let wsdl = include_str!("../wsdl/BenchService.wsdl").replace(
        "<xsd:schema targetNamespace",
        "<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:tns=\"urn:bench\" targetNamespace",
    );
    let xsd = include_str!("../xsd/bench.xsd");
    assert_eq!(shape(&wsdl, "<xsd:schema"), shape(xsd, "<xsd:schema"));
    validate(
        r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><b:GetItem xmlns:b="urn:bench"><b:id>1</b:id><b:clientRef>x</b:clientRef></b:GetItem></s:Body></s:Envelope>"#,
    );
}

#[tokio::test]
async fn the_bench_service_can_be_turned_off() {
    let server = Server::start_with(&["--bench", "false"]);
    assert_eq!(server.get("/bench?wsdl", &[]).await.status, 404);
    assert_eq!(
        server.get("/services/UserService?wsdl", &[]).await.status,
        200
    );
}
