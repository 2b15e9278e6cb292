//! The practical ceiling for the benchmark harness: hyper plus a quick-xml event loop and
//! writer doing the bench contract's work with no typed structs, no validation and no
//! envelope checks. Echo copies the operation element's events into an `EchoResponse`;
//! GetItem reads the id and writes the computed item.
//!
//! `bench_quickxml ADDR`

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::{Reader, Writer};

const ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn handle(body: &[u8]) -> Vec<u8> {
    let mut reader = Reader::from_reader(body);
    let mut writer = Writer::new(Vec::with_capacity(body.len() + 256));
    writer
        .get_mut()
        .extend_from_slice(format!(r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENVELOPE}"><soap:Body>"#).as_bytes());
    let mut depth = 0usize;
    let mut op: Option<String> = None;
    let mut id = 0i64;
    let mut in_id = false;
    loop {
        let event = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => event,
        };
        match (&op, event) {
            (None, Event::Start(start)) => {
                depth += 1;
                if depth == 3 {
                    let name = start.local_name().as_ref().to_string();
                    if name == "Echo" {
                        let mut response = BytesStart::new("b:EchoResponse");
                        response.push_attribute(("xmlns:b", "urn:bench"));
                        let _ = writer.write_event(Event::Start(response));
                    }
                    op = Some(name);
                }
            }
            (None, Event::End(_)) => depth = depth.saturating_sub(1),
            (Some(name), Event::Start(start)) if name == "Echo" => {
                depth += 1;
                let _ = writer.write_event(Event::Start(start));
            }
            (Some(name), Event::End(end)) if name == "Echo" => {
                depth -= 1;
                if depth == 2 {
                    let _ = writer.write_event(Event::End(BytesEnd::new("b:EchoResponse")));
                    break;
                }
                let _ = writer.write_event(Event::End(end));
            }
            (Some(name), event) if name == "Echo" => {
                let _ = writer.write_event(event);
            }
            (Some(_), Event::Start(start)) => {
                in_id = start.local_name().as_ref() == "id";
            }
            (Some(_), Event::Text(text)) if in_id => {
                id = text.xml10_content().trim().parse().unwrap_or(0);
                in_id = false;
            }
            _ => {}
        }
    }
    if op.as_deref() == Some("GetItem") {
        let cents = id * 125;
        writer.get_mut().extend_from_slice(
            format!(
                r#"<b:GetItemResponse xmlns:b="urn:bench"><b:id>{id}</b:id><b:name>Item {id}</b:name><b:price>{}.{:02}</b:price><b:quantity>{}</b:quantity><b:updated>2024-05-17T12:34:56.000Z</b:updated></b:GetItemResponse>"#,
                cents / 100,
                cents % 100,
                (id * 3).rem_euclid(1000)
            )
            .as_bytes(),
        );
    }
    let mut out = writer.into_inner();
    out.extend_from_slice(b"</soap:Body></soap:Envelope>");
    out
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .ok_or("usage: bench_quickxml ADDR")?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let service = service_fn(|request: Request<hyper::body::Incoming>| async move {
                let body = request
                    .into_body()
                    .collect()
                    .await
                    .map(|c| c.to_bytes())
                    .unwrap_or_default();
                Ok::<_, Infallible>(
                    Response::builder()
                        .header("Content-Type", "text/xml; charset=utf-8")
                        .body(Full::new(Bytes::from(handle(&body))))
                        .expect("a valid response"),
                )
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
