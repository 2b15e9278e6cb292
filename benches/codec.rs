//! Codec benchmarks on the shared benchmark contract's messages (small GetItem, medium Echo
//! with 50 items, large Echo with 5,000 items):
//!
//! - `raw quick-xml events`: quick-xml's raw reader walking the same bytes and doing nothing —
//!   the floor any XML decoder stands on;
//! - `hand-written quick-xml (local names)`: straightforward pull code filling the same
//!   structs, matching local names only, so it accepts wrong namespaces — a lower bound;
//! - `hand-written quick-xml (namespaces)`: the same on quick-xml's `NsReader`, checking every
//!   element's namespace — correct hand-written code, the reference our codec must stay
//!   within 1.5x of;
//! - `soapstone`: the engine's real request path — envelope reader with limits and namespace
//!   resolution, typed decode, envelope close;
//! - encode of the responses, and the fault writer.
//!
//! Run: `cargo bench --bench codec`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::{NsReader, Reader};
use rust_decimal::Decimal;
use soapstone::bench::{Echo, EchoResponse, GetItem, GetItemResponse, Item};
use soapstone::codec::{Decode, Message, decode_message, parse_datetime};
use soapstone::common::{FieldError, ValidationFault};
use soapstone::soap::{
    Fault, SoapVersion, close_envelope, open_envelope, write_fault, write_response,
};
use soapstone::xml::{XmlLimits, XmlReader};

const SMALL: &str = include_str!("../samples/bench/GetItem.xml");
const MEDIUM: &str = include_str!("../samples/bench/Echo.xml");

/// The large message as the contract's gen.py writes it: Echo with 5,000 items.
fn large() -> String {
    let item = |i: usize| {
        format!(
            "      <b:item>\n        <b:id>{i}</b:id>\n        <b:name>Widget {i:06} - stainless steel bracket, 40 mm, pack of 10 (SKU-BNCH-{i:06}-XL)</b:name>\n        <b:price>{}.{:02}</b:price>\n      </b:item>\n",
            i % 997 + 1,
            (i * 37) % 100
        )
    };
    let start = MEDIUM.find("      <b:item>").expect("items");
    let end = MEDIUM.rfind("    </b:items>").expect("items end");
    let items: String = (1..=5000).map(item).collect();
    format!("{}{}{}", &MEDIUM[..start], items, &MEDIUM[end..])
        .replace("<b:count>50</b:count>", "<b:count>5000</b:count>")
}

fn soapstone_decode<M: Message + Decode>(bytes: &[u8]) -> M {
    let mut reader = XmlReader::new(bytes, XmlLimits::default()).expect("UTF-8");
    let head = open_envelope(&mut reader).expect("envelope");
    let message = decode_message::<M>(&mut reader).expect("valid message");
    close_envelope(&mut reader, head.version).expect("envelope end");
    message
}

fn raw_events(bytes: &[u8]) -> usize {
    let mut reader = Reader::from_reader(bytes);
    let mut events = 0;
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Eof => return events,
            _ => events += 1,
        }
    }
}

type Decoded = (Option<GetItem>, Vec<Item>, String, i32, Decimal);

/// What the hand-written decoders fill: each element's text is assigned by local name at its
/// end tag.
#[derive(Default)]
struct Fields {
    text: String,
    body_text: String,
    count: i32,
    amount: Decimal,
    id: i32,
    name: String,
    price: Decimal,
    client_ref: Option<String>,
    items: Vec<Item>,
}

impl Fields {
    fn text(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(_) => self.text.clear(),
            Event::Text(t) => self.text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => self.text.push_str(match &**r {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "apos" => "'",
                _ => "\"",
            }),
            _ => {}
        }
    }

    fn end(&mut self, local: &str) {
        let text = &mut self.text;
        match local {
            "text" => self.body_text = std::mem::take(text),
            "count" => self.count = text.trim().parse().expect("int"),
            "amount" => self.amount = text.trim().parse().expect("decimal"),
            "stamp" => {
                black_box(parse_datetime(text.trim()));
            }
            "id" => self.id = text.trim().parse().expect("int"),
            "name" => self.name = std::mem::take(text),
            "price" => self.price = text.trim().parse().expect("decimal"),
            "clientRef" => self.client_ref = Some(std::mem::take(text)),
            "item" => self.items.push(Item {
                id: self.id,
                name: std::mem::take(&mut self.name),
                price: self.price,
            }),
            _ => {}
        }
    }

    fn done(self) -> Decoded {
        let id = self.id;
        let get_item = self.client_ref.map(|client_ref| GetItem { id, client_ref });
        (
            get_item,
            self.items,
            self.body_text,
            self.count,
            self.amount,
        )
    }
}

/// Hand-written pull code matching local names only.
fn handwritten(bytes: &[u8]) -> Decoded {
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().expand_empty_elements = true;
    let mut fields = Fields::default();
    loop {
        match reader.read_event().expect("well-formed") {
            Event::End(end) => fields.end(end.local_name().as_ref()),
            Event::Eof => return fields.done(),
            event => fields.text(&event),
        }
    }
}

/// The same, resolving namespaces: only `urn:bench` elements are taken.
fn handwritten_ns(bytes: &[u8]) -> Decoded {
    let mut reader = NsReader::from_reader(bytes);
    reader.config_mut().expand_empty_elements = true;
    let mut fields = Fields::default();
    loop {
        let (ns, event) = reader.read_resolved_event().expect("well-formed");
        match event {
            Event::End(end) if matches!(ns, ResolveResult::Bound(Namespace("urn:bench"))) => {
                fields.end(end.local_name().as_ref())
            }
            Event::Eof => return fields.done(),
            event => fields.text(&event),
        }
    }
}

fn decode(c: &mut Criterion) {
    let large = large();
    for (size, bytes) in [
        ("small", SMALL.as_bytes()),
        ("medium", MEDIUM.as_bytes()),
        ("large", large.as_bytes()),
    ] {
        let mut group = c.benchmark_group(format!("decode {size}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        if size == "large" {
            group.sample_size(20);
        }
        group.bench_function("raw quick-xml events", |b| {
            b.iter(|| raw_events(black_box(bytes)))
        });
        group.bench_function("hand-written quick-xml (local names)", |b| {
            b.iter(|| handwritten(black_box(bytes)))
        });
        group.bench_function("hand-written quick-xml (namespaces)", |b| {
            b.iter(|| handwritten_ns(black_box(bytes)))
        });
        if size == "small" {
            group.bench_function("soapstone", |b| {
                b.iter(|| soapstone_decode::<GetItem>(black_box(bytes)))
            });
        } else {
            group.bench_function("soapstone", |b| {
                b.iter(|| soapstone_decode::<Echo>(black_box(bytes)))
            });
        }
        group.finish();
    }
}

fn encode(c: &mut Criterion) {
    let large = large();
    let mut group = c.benchmark_group("encode");
    let item = GetItemResponse {
        id: 42,
        name: "Item 42".into(),
        price: Decimal::new(5250, 2),
        quantity: 126,
        updated: parse_datetime("2024-05-17T12:34:56Z").expect("date"),
    };
    group.bench_function("small", |b| {
        b.iter(|| write_response(SoapVersion::V11, black_box(&item)))
    });
    for (size, text) in [("medium", MEDIUM), ("large", large.as_str())] {
        let echo = EchoResponse(soapstone_decode::<Echo>(text.as_bytes()).0);
        group.bench_function(size, |b| {
            b.iter(|| write_response(SoapVersion::V11, black_box(&echo)))
        });
    }
    group.finish();
}

fn faults(c: &mut Criterion) {
    let fault = || {
        Fault::client("The request is invalid: email: is required").with_detail(ValidationFault {
            message: "The request is invalid: email: is required".into(),
            field_error: vec![FieldError {
                path: "email".into(),
                message: "is required".into(),
            }],
        })
    };
    let mut group = c.benchmark_group("fault writer");
    for version in [SoapVersion::V11, SoapVersion::V12] {
        group.bench_function(version.label(), |b| {
            b.iter(|| write_fault(version, black_box(&fault()), "request-id"))
        });
    }
    group.finish();
}

criterion_group!(benches, decode, encode, faults);
criterion_main!(benches);
