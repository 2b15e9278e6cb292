//! A request's message addressing headers (Core §3, SOAP Binding §2–3): which are there, how
//! often, and what they hold. `To`, `Action`, `MessageID`, `ReplyTo`, `FaultTo` and `From`
//! may appear once each and `RelatesTo` any number of times; `Action` is required, and so is
//! `MessageID` since every operation has a reply; `ReplyTo` and `FaultTo` must be the
//! anonymous address (or absent); their reference parameters are kept for the reply.

use super::faults::{
    INVALID_ADDRESS, INVALID_CARDINALITY, INVALID_EPR, MISSING_ADDRESS, ONLY_ANONYMOUS, Why,
    invalid, required,
};
use super::{ANONYMOUS, Reply, WSA_NS};
use crate::soap::{Fault, HeaderBlock, HeaderTarget};
use crate::xml::{Binding, Child, Start, XmlLimits, XmlReader};

/// What an addressed request asks for.
#[derive(Debug)]
pub struct Addressing {
    /// The request's `wsa:Action`.
    pub action: String,
    /// What the reply must carry.
    pub reply: Reply,
}

/// A request whose addressing headers are refused: the fault, and what was read of them to
/// address the fault with.
#[derive(Debug)]
pub struct AddressingError {
    pub fault: Fault,
    pub reply: Reply,
}

/// Headers that may appear at most once.
const SINGLE: [&str; 6] = ["To", "Action", "MessageID", "ReplyTo", "FaultTo", "From"];

/// The addressing headers among `headers` (the blocks addressed to us; the spans refer to
/// `document`); `None` when the request has none.
pub fn read(
    headers: &[HeaderBlock],
    document: &str,
) -> Result<Option<Addressing>, Box<AddressingError>> {
    let blocks: Vec<&HeaderBlock> = headers
        .iter()
        .filter(|h| h.ns == WSA_NS && h.target == HeaderTarget::Us)
        .filter(|h| super::HEADERS.iter().any(|q| q.local == h.local))
        .collect();
    if blocks.is_empty() {
        return Ok(None);
    }
    let mut reply = Reply::default();
    let refuse = |fault: Fault, reply: &Reply| {
        Box::new(AddressingError {
            fault,
            reply: Reply {
                relates_to: reply.relates_to.clone(),
                ..Reply::default()
            },
        })
    };
    let count = |local: &str| blocks.iter().filter(|b| b.local == local).count();
    if count("MessageID") == 1
        && let Some(id) = blocks.iter().find(|b| b.local == "MessageID")
    {
        reply.relates_to = uri(document, id).ok();
    }
    if let Some(local) = SINGLE.into_iter().find(|local| count(local) > 1) {
        let fault = invalid(local, Some(INVALID_CARDINALITY), "appears more than once");
        return Err(refuse(fault, &reply));
    }
    let mut action = None;
    for block in &blocks {
        let checked = match block.local.as_str() {
            "Action" => uri(document, block).map(|a| action = Some(a)),
            "MessageID" => uri(document, block).map(drop),
            "RelatesTo" => uri(document, block).map(drop),
            "To" => address(document, block).map(drop),
            "From" => endpoint(document, block).map(drop),
            "ReplyTo" => reply_endpoint(document, block)
                .map(|parameters| reply.reply_parameters = parameters),
            _ => reply_endpoint(document, block)
                .map(|parameters| reply.fault_parameters = Some(parameters)),
        };
        if let Err(fault) = checked {
            return Err(refuse(fault, &reply));
        }
    }
    let Some(action) = action else {
        let fault = required("Action", "every addressed request names its action");
        return Err(refuse(fault, &reply));
    };
    if reply.relates_to.is_none() {
        let fault = required("MessageID", "every operation of this service has a reply");
        return Err(refuse(fault, &reply));
    }
    Ok(Some(Addressing { action, reply }))
}

/// The header's name as the faults give it.
fn name(block: &HeaderBlock) -> &'static str {
    super::HEADERS
        .iter()
        .find(|q| q.local == block.local)
        .map_or("Action", |q| q.local)
}

/// A reader over `block`, past its start tag, which it returns.
fn open<'a>(document: &'a str, block: &HeaderBlock) -> Result<(XmlReader<'a>, Start<'a>), Fault> {
    let text = document.get(block.span.clone()).unwrap_or_default();
    let mut reader = XmlReader::fragment(text, XmlLimits::default(), block.bindings.clone());
    match reader.next_child() {
        Ok(Child::Start(start)) => Ok((reader, start)),
        _ => Err(invalid(name(block), None, "cannot be read")),
    }
}

/// The non-empty text of an element whose start tag was just read (`xs:anyURI`, its
/// whitespace collapsed).
fn text_of(reader: &mut XmlReader<'_>) -> Option<String> {
    let text = reader.read_text_content().ok().flatten()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A header holding a URI: `Action`, `MessageID`, `RelatesTo`.
fn uri(document: &str, block: &HeaderBlock) -> Result<String, Fault> {
    let (mut reader, _) = open(document, block)?;
    text_of(&mut reader).ok_or_else(|| invalid(name(block), None, "must hold a URI"))
}

/// `To`: an address.
fn address(document: &str, block: &HeaderBlock) -> Result<String, Fault> {
    let (mut reader, _) = open(document, block)?;
    text_of(&mut reader)
        .ok_or_else(|| invalid(name(block), Some(INVALID_ADDRESS), "must hold an address"))
}

/// An endpoint reference (Core §2.2): `wsa:Address` first, then optional
/// `wsa:ReferenceParameters` and `wsa:Metadata`, then extensions in other namespaces. Its
/// address, and its reference parameters as header blocks for a reply.
fn endpoint(document: &str, block: &HeaderBlock) -> Result<(String, Vec<String>), Fault> {
    let header = name(block);
    let epr = |why: Why, problem: &str| invalid(header, Some(why), problem);
    let (mut reader, _) = open(document, block)?;
    let input = reader.input();
    let mut address = None;
    let mut parameters = None;
    let mut metadata = false;
    loop {
        let child = reader
            .next_child()
            .map_err(|_| epr(INVALID_EPR, "cannot be read"))?;
        let start = match child {
            Child::End => break,
            Child::Text(_) => return Err(epr(INVALID_EPR, "holds text outside its address")),
            Child::Start(start) => start,
        };
        match (start.ns == WSA_NS, start.local) {
            (true, "Address") if address.is_none() && parameters.is_none() && !metadata => {
                address = Some(
                    text_of(&mut reader)
                        .ok_or_else(|| epr(INVALID_ADDRESS, "has an empty wsa:Address"))?,
                );
            }
            (true, "ReferenceParameters") if address.is_some() && parameters.is_none() => {
                parameters = Some(
                    reference_parameters(&mut reader, input)
                        .map_err(|_| epr(INVALID_EPR, "has unreadable reference parameters"))?,
                );
            }
            (true, "Metadata") if address.is_some() && !metadata => {
                metadata = true;
                reader
                    .skip_element()
                    .map_err(|_| epr(INVALID_EPR, "cannot be read"))?;
            }
            (false, _) if address.is_some() => reader
                .skip_element()
                .map_err(|_| epr(INVALID_EPR, "cannot be read"))?,
            (_, local) if address.is_none() => {
                return Err(epr(
                    MISSING_ADDRESS,
                    &format!("must begin with wsa:Address, not {local}"),
                ));
            }
            (_, local) => {
                return Err(epr(INVALID_EPR, &format!("has an unexpected wsa:{local}")));
            }
        }
    }
    let address = address.ok_or_else(|| epr(MISSING_ADDRESS, "has no wsa:Address"))?;
    Ok((address, parameters.unwrap_or_default()))
}

/// `ReplyTo` / `FaultTo`: an endpoint reference to the anonymous address (the HTTP
/// response), whose reference parameters the reply carries.
fn reply_endpoint(document: &str, block: &HeaderBlock) -> Result<Vec<String>, Fault> {
    let (address, parameters) = endpoint(document, block)?;
    if address != ANONYMOUS {
        return Err(invalid(
            name(block),
            Some(ONLY_ANONYMOUS),
            &format!(
                "is '{address}'; this service replies only on the HTTP response ({ANONYMOUS})"
            ),
        ));
    }
    Ok(parameters)
}

/// The children of `wsa:ReferenceParameters` (its start tag just read), each as it will be
/// written into the reply's Header: its own text with the namespace declarations it relied
/// on from its ancestors and `wsa:IsReferenceParameter="true"` added to its start tag
/// (Core §3.3, SOAP Binding §2.3).
fn reference_parameters(
    reader: &mut XmlReader<'_>,
    input: &str,
) -> Result<Vec<String>, crate::xml::XmlError> {
    let mut parameters = Vec::new();
    loop {
        let start = match reader.next_child()? {
            Child::End => return Ok(parameters),
            Child::Text(_) => continue,
            Child::Start(start) => start,
        };
        let from = reader.last_start_offset();
        let marked = start.attr(WSA_NS, "IsReferenceParameter").is_some();
        let inherited: Vec<Binding<'static>> = reader
            .inherited_bindings()
            .iter()
            .map(|b| b.clone().into_owned())
            .collect();
        reader.skip_element()?;
        let text = input.get(from..reader.offset()).unwrap_or_default();
        parameters.push(marked_parameter(text, &inherited, marked));
    }
}

/// `element` (a whole element's text) with `inherited` declared on it where it does not
/// declare the prefix itself, and `wsa:IsReferenceParameter="true"` unless it has one.
fn marked_parameter(element: &str, inherited: &[Binding<'static>], marked: bool) -> String {
    let tag_end = start_tag_end(element);
    let start_tag = &element[..tag_end];
    let name_end = start_tag
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(tag_end);
    let declares = |prefix: &str| {
        let attribute = match prefix {
            "" => "xmlns".to_string(),
            p => format!("xmlns:{p}"),
        };
        start_tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|token| token.split('=').next() == Some(attribute.as_str()))
    };
    let mut added = String::new();
    let mut wsa_prefix = None;
    let mut seen: Vec<&str> = Vec::new();
    for binding in inherited.iter().rev() {
        if seen.contains(&&*binding.prefix) {
            continue;
        }
        seen.push(&binding.prefix);
        if declares(&binding.prefix) {
            continue;
        }
        if binding.uri == WSA_NS && !binding.prefix.is_empty() {
            wsa_prefix = Some(binding.prefix.to_string());
        }
        let uri = binding.uri.replace('&', "&amp;").replace('"', "&quot;");
        match &*binding.prefix {
            "" => added.push_str(&format!(r#" xmlns="{uri}""#)),
            prefix => added.push_str(&format!(r#" xmlns:{prefix}="{uri}""#)),
        }
    }
    if !marked {
        let prefix = match wsa_prefix {
            Some(prefix) => prefix,
            None => {
                let prefix = std::iter::once("wsa".to_string())
                    .chain((0..).map(|n| format!("wsa{n}")))
                    .find(|p| !declares(p) && !seen.contains(&p.as_str()))
                    .unwrap_or_default();
                added.push_str(&format!(r#" xmlns:{prefix}="{WSA_NS}""#));
                prefix
            }
        };
        added.push_str(&format!(r#" {prefix}:IsReferenceParameter="true""#));
    }
    format!("{}{added}{}", &element[..name_end], &element[name_end..])
}

/// The length of `element`'s start tag, through its `>` (quoted attribute values may hold
/// one).
fn start_tag_end(element: &str) -> usize {
    let mut quote = None;
    for (i, c) in element.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    element.len()
}
