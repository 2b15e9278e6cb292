//! Property-based fuzzing of the request path that needs no database: envelope reader, header
//! processing, dispatch, typed decoding and the fault writer, through the real `Endpoint`
//! serving the benchmark contract. Inputs are real envelopes with random damage: flipped
//! bytes, inserted hostile tokens, truncations and duplicated slices. Whatever arrives, the
//! endpoint must answer (never panic) with a well-formed response or fault.
//!
//! CI runs the default number of cases; run longer on demand with
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz_envelope`.

use std::sync::Arc;

use bytes::Bytes;
use proptest::prelude::*;
use soapstone::endpoint::{Endpoint, SoapRequest};
use soapstone::soap::SoapVersion;
use soapstone::xml::{Event, XmlLimits, XmlReader};

const SEEDS: &[&str] = &[
    include_str!("../samples/bench/GetItem.xml"),
    include_str!("../samples/bench/Echo.xml"),
    r#"<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header><h:T xmlns:h="urn:h" e:mustUnderstand="true"/></e:Header><e:Body><GetItem xmlns="urn:bench"><id>1</id><clientRef>x&amp;y</clientRef></GetItem></e:Body></e:Envelope>"#,
];

const TOKENS: &[&str] = &[
    "<",
    ">",
    "&",
    "&#x0;",
    "&#1114112;",
    "&lt;",
    "]]>",
    "<![CDATA[",
    "<!--",
    "-->",
    "<?pi?>",
    "<!DOCTYPE x>",
    "xmlns:a=\"\"",
    "xmlns=\"urn:bench\"",
    " a=\"1\" a=\"2\"",
    "</b:Echo>",
    "<b:item>",
    "\u{FFFE}",
    "\u{0}",
    "\u{FEFF}",
    "é",
    "𝄞",
    "\r\n",
    "'",
    "\"",
];

#[derive(Debug, Clone)]
enum Damage {
    Flip(usize, u8),
    Insert(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize, usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Damage::Flip(at, b)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Damage::Insert(at, t)),
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 0usize..64, any::<usize>())
            .prop_map(|(a, n, b)| Damage::Duplicate(a, n, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, damages: &[Damage]) -> Vec<u8> {
    for d in damages {
        let len = bytes.len().max(1);
        match *d {
            Damage::Flip(at, b) => {
                if !bytes.is_empty() {
                    bytes[at % len] = b;
                }
            }
            Damage::Insert(at, t) => {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, TOKENS[t].bytes());
            }
            Damage::Truncate(at) => bytes.truncate(at % len),
            Damage::Duplicate(from, n, to) => {
                let from = from % len;
                let end = (from + n).min(bytes.len());
                let slice = bytes.get(from..end).unwrap_or_default().to_vec();
                let to = to % (bytes.len() + 1);
                bytes.splice(to..to, slice);
            }
        }
    }
    bytes
}

fn well_formed(bytes: &[u8]) -> bool {
    let Ok(mut reader) = XmlReader::new(bytes, XmlLimits::default()) else {
        return false;
    };
    loop {
        match reader.next_event() {
            Ok(Event::Eof) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_envelopes_are_answered_never_panicked_on(
        seed in 0..SEEDS.len(),
        damages in prop::collection::vec(damage(), 1..6),
        hint in prop::option::of(prop_oneof![Just(SoapVersion::V11), Just(SoapVersion::V12)]),
        charset in prop::option::of(prop_oneof![Just("utf-8"), Just("iso-8859-1"), Just("utf-16")]),
    ) {
        let body = apply(SEEDS[seed].as_bytes().to_vec(), &damages);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let endpoint = Endpoint::new(Arc::new(soapstone::bench::soap_service()), XmlLimits::default());
        let response = runtime.block_on(endpoint.handle(SoapRequest {
            body: Bytes::from(body),
            attachments: None,
            mtom_reply: false,
            version_hint: hint,
            charset: charset.map(str::to_string),
            action: None,
            request_id: "fuzz".into(),
            client_ip: None,
            transport: soapstone::common::Transport::Loopback,
            client_certificate: None,
        }));
        prop_assert!(well_formed(&response.body), "{}", String::from_utf8_lossy(&response.body));
    }
}
