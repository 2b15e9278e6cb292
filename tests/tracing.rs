//! OpenTelemetry export, end to end: a server started with `--otlp-endpoint` sends its spans
//! over OTLP/HTTP to a receiver this test runs (hyper, decoding the protocol's own protobuf
//! messages from `opentelemetry-proto`). The request span continues the caller's
//! `traceparent` and `tracestate`, is named `Service/Operation`, carries the SOAP version, the
//! caller and the fault, and has the authentication, decode, handler and storage spans as
//! descendants. The server is stopped with SIGTERM before the spans are read, so the exporter
//! has flushed everything: the test waits for no batch timer.

mod support;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use support::{Server, Svc, USERS_NS, action, env11, env11_with, wsse_text};

/// What the receiver was sent: every span, and the resource's `service.name` of each batch.
#[derive(Default)]
struct Received {
    spans: Vec<Span>,
    services: Vec<String>,
    paths: Vec<String>,
}

/// Starts an OTLP/HTTP receiver on a free loopback port; returns its base URL.
async fn receiver(received: Arc<Mutex<Received>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let received = received.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let received = received.clone();
                    async move {
                        let path = request.uri().path().to_string();
                        let body = request.into_body().collect().await.map(|b| b.to_bytes());
                        let decoded = body
                            .ok()
                            .and_then(|b| ExportTraceServiceRequest::decode(b).ok());
                        let status = match decoded {
                            Some(export) => {
                                let mut received = received.lock().unwrap();
                                received.paths.push(path);
                                for batch in export.resource_spans {
                                    if let Some(resource) = &batch.resource {
                                        received.services.extend(
                                            resource
                                                .attributes
                                                .iter()
                                                .filter(|a| a.key == "service.name")
                                                .filter_map(|a| text(a.value.as_ref())),
                                        );
                                    }
                                    for scope in batch.scope_spans {
                                        received.spans.extend(scope.spans);
                                    }
                                }
                                200
                            }
                            None => 400,
                        };
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .status(status)
                                .header("Content-Type", "application/x-protobuf")
                                .body(Full::new(Bytes::new()))
                                .unwrap(),
                        )
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    base
}

fn text(value: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> Option<String> {
    match value?.value.as_ref()? {
        Value::StringValue(s) => Some(s.clone()),
        Value::IntValue(i) => Some(i.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn attributes(span: &Span) -> HashMap<String, String> {
    span.attributes
        .iter()
        .filter_map(|a| Some((a.key.clone(), text(a.value.as_ref())?)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The spans below `root` (children, grandchildren, …).
fn descendants<'a>(spans: &'a [Span], root: &Span) -> Vec<&'a Span> {
    let mut found: Vec<&Span> = Vec::new();
    let mut parents = vec![root.span_id.clone()];
    while let Some(parent) = parents.pop() {
        for span in spans.iter().filter(|s| s.parent_span_id == parent) {
            parents.push(span.span_id.clone());
            found.push(span);
        }
    }
    found
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

// The receiver answers while this thread waits for the server to stop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_spans_continue_the_callers_trace_and_reach_the_collector() {
    let received = Arc::new(Mutex::new(Received::default()));
    let base = receiver(received.clone()).await;
    let server = Server::start_with(&["--otlp-endpoint", &base]);

    let traced = format!("00-{TRACE}-{PARENT}-01");
    let get_user = env11(&format!(
        r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>1</u:id></u:GetUser>"#
    ));
    let soap_action = format!("\"{}\"", action("GetUser"));
    server
        .post(
            "/services/UserService",
            "text/xml; charset=utf-8",
            &[
                ("SOAPAction", soap_action.as_str()),
                ("traceparent", traced.as_str()),
                ("tracestate", "vendor=opaque"),
            ],
            &get_user,
        )
        .await
        .assert_ok11();
    let refused = env11_with(
        &wsse_text("admin", "not-the-password"),
        &format!(r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>1</u:id></u:GetUser>"#),
    );
    let reply = server
        .post(
            "/services/UserService",
            "text/xml; charset=utf-8",
            &[("SOAPAction", soap_action.as_str())],
            &refused,
        )
        .await;
    support::assert_wsse(&reply, "FailedAuthentication");
    server
        .call(
            Svc::Users,
            "CreateUser",
            "<p:username>traced</p:username><p:email>traced@example.com</p:email><p:role>customer</p:role>",
        )
        .await
        .assert_ok11();
    let (code, _) = server.stop();
    assert_eq!(code, Some(0), "the server stops cleanly");

    let received = received.lock().unwrap();
    assert!(
        received.paths.iter().all(|p| p == "/v1/traces"),
        "{:?}",
        received.paths
    );
    assert!(received.services.iter().all(|s| s == "soapstone"));
    let spans = &received.spans;
    let named = |name: &str| -> Vec<&Span> { spans.iter().filter(|s| s.name == name).collect() };

    let traced: Vec<&Span> = named("UserService/GetUser")
        .into_iter()
        .filter(|s| hex(&s.trace_id) == TRACE)
        .collect();
    assert_eq!(traced.len(), 1, "one GetUser span in the caller's trace");
    let root = traced[0];
    assert_eq!(
        hex(&root.parent_span_id),
        PARENT,
        "its parent is the caller's span"
    );
    assert_eq!(root.trace_state, "vendor=opaque");
    assert_eq!(root.kind, SpanKind::Server as i32);
    let attrs = attributes(root);
    for (key, value) in [
        ("rpc.system", "soap"),
        ("rpc.service", "UserService"),
        ("rpc.method", "GetUser"),
        ("soap.version", "1.1"),
        ("enduser.id", "admin"),
        ("http.response.status_code", "200"),
    ] {
        assert_eq!(
            attrs.get(key).map(String::as_str),
            Some(value),
            "{key}: {attrs:?}"
        );
    }
    assert!(!attrs.contains_key("soap.fault.code"), "{attrs:?}");
    let below: Vec<&str> = descendants(spans, root)
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    for phase in ["authenticate", "decode", "handler", "storage"] {
        assert!(below.contains(&phase), "{phase} below GetUser: {below:?}");
    }
    assert!(
        descendants(spans, root)
            .iter()
            .all(|s| hex(&s.trace_id) == TRACE)
    );

    let refused: Vec<&Span> = named("UserService/GetUser")
        .into_iter()
        .filter(|s| hex(&s.trace_id) != TRACE)
        .collect();
    assert_eq!(refused.len(), 1, "the refused call is a trace of its own");
    let refused = refused[0];
    assert!(
        refused.parent_span_id.is_empty(),
        "a new trace has no parent"
    );
    assert!(refused.trace_id.iter().any(|b| *b != 0));
    let attrs = attributes(refused);
    assert_eq!(
        attrs.get("soap.fault.code").map(String::as_str),
        Some("wsse:FailedAuthentication"),
        "{attrs:?}"
    );
    assert_eq!(
        attrs.get("http.response.status_code").map(String::as_str),
        Some("500")
    );
    assert!(!attrs.contains_key("enduser.id"), "{attrs:?}");

    let created = named("UserService/CreateUser");
    assert_eq!(created.len(), 1);
    let storage: Vec<HashMap<String, String>> = descendants(spans, created[0])
        .into_iter()
        .filter(|s| s.name == "storage")
        .map(attributes)
        .collect();
    assert!(
        storage.iter().any(|a| a
            .get("db.operation")
            .is_some_and(|op| op == "write" || op == "users.insert")),
        "the write is a storage span: {storage:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_endpoint_nothing_is_exported_and_traceparent_is_harmless() {
    let received = Arc::new(Mutex::new(Received::default()));
    let base = receiver(received.clone()).await;
    let server = Server::start();
    let get_user = env11(&format!(
        r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>1</u:id></u:GetUser>"#
    ));
    let soap_action = format!("\"{}\"", action("GetUser"));
    for traceparent in [format!("00-{TRACE}-{PARENT}-01"), "garbage".to_string()] {
        server
            .post(
                "/services/UserService",
                "text/xml; charset=utf-8",
                &[
                    ("SOAPAction", soap_action.as_str()),
                    ("traceparent", traceparent.as_str()),
                ],
                &get_user,
            )
            .await
            .assert_ok11();
    }
    let (code, _) = server.stop();
    assert_eq!(code, Some(0));
    assert!(
        received.lock().unwrap().paths.is_empty(),
        "{base} got nothing"
    );
}

#[test]
fn an_endpoint_that_is_not_a_url_is_refused_at_start() {
    let (ok, out) = support::run(&["config", "check", "--otlp-endpoint", "collector:4318"]);
    assert!(!ok, "{out}");
    assert!(out.contains("otlp_endpoint"), "{out}");
}
