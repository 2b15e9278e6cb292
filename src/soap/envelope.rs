//! Envelope reader: checks the Envelope/Header/Body structure while streaming, records the
//! header blocks, and stops at the operation element so the typed decoder can take over.

use super::{HeaderBlock, HeaderTarget, SoapVersion};
use crate::codec::SimpleType;
use crate::xml::{Child, Event, Start, XmlError, XmlReader};

/// Why a request is not a usable SOAP envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("the root element must be a SOAP Envelope, not {0}")]
    NotAnEnvelope(String),
    #[error("unsupported SOAP envelope namespace '{0}'; SOAP 1.1 and SOAP 1.2 are supported")]
    VersionMismatch(String),
    #[error("the Envelope has no Body")]
    MissingBody,
    #[error("the Body is empty; it must hold exactly one operation element")]
    EmptyBody,
    #[error("the Envelope has more than one Header")]
    DuplicateHeader,
    #[error("the Envelope has more than one Body")]
    DuplicateBody,
    #[error("the Header must come before the Body")]
    HeaderAfterBody,
    #[error("the Body must hold exactly one operation element; found a second one, {0}")]
    SecondBodyElement(String),
    #[error("unexpected element {0} in the Envelope")]
    UnexpectedElement(String),
    #[error("text is not allowed directly inside the {0}")]
    UnexpectedText(&'static str),
    #[error("nothing may follow the Body in the Envelope; found {0}")]
    ContentAfterBody(String),
    #[error("invalid mustUnderstand value '{0}'")]
    BadMustUnderstand(String),
    #[error(
        "the {element} may carry only namespace-qualified attributes; '{attribute}' has no namespace"
    )]
    UnqualifiedAttribute {
        element: &'static str,
        attribute: String,
    },
    #[error("encodingStyle is not allowed on the {0}")]
    EncodingStyleNotAllowed(&'static str),
    #[error(
        "the data encoding '{0}' of the Body is not supported; this service is literal (use {ENCODING_NONE} or no encodingStyle)"
    )]
    UnknownEncoding(String),
}

/// SOAP 1.2's "no encoding" (Part 1 §5.1.1): the only encodingStyle a literal service accepts.
const ENCODING_NONE: &str = "http://www.w3.org/2003/05/soap-envelope/encoding/none";

/// The envelope up to the operation element.
#[derive(Debug)]
pub struct EnvelopeHead<'a> {
    pub version: SoapVersion,
    pub headers: Vec<HeaderBlock>,
    /// The start tag of the first Body child.
    pub operation: Start<'a>,
}

/// Reads the envelope up to and including the start tag of the first Body child.
pub fn open_envelope<'a>(r: &mut XmlReader<'a>) -> Result<EnvelopeHead<'a>, EnvelopeError> {
    let root = match r.next_event()? {
        Event::Start(root) => root,
        _ => return Err(XmlError::UnexpectedEof.into()),
    };
    if root.local != "Envelope" {
        return Err(EnvelopeError::NotAnEnvelope(root.expanded_name()));
    }
    let version = SoapVersion::from_namespace(&root.ns)
        .ok_or_else(|| EnvelopeError::VersionMismatch(root.ns.to_string()))?;
    let env = version.namespace().uri;
    check_envelope_attributes(version, "Envelope", &root)?;

    let mut headers = Vec::new();
    let mut seen_header = false;
    loop {
        match r.next_child()? {
            Child::Text(_) => return Err(EnvelopeError::UnexpectedText("Envelope")),
            Child::Start(s) if s.is(env, "Header") => {
                if seen_header {
                    return Err(EnvelopeError::DuplicateHeader);
                }
                seen_header = true;
                check_envelope_attributes(version, "Header", &s)?;
                read_header_blocks(r, version, &mut headers)?;
            }
            Child::Start(s) if s.is(env, "Body") => {
                check_envelope_attributes(version, "Body", &s)?;
                break;
            }
            Child::Start(s) => return Err(EnvelopeError::UnexpectedElement(s.expanded_name())),
            Child::End => return Err(EnvelopeError::MissingBody),
        }
    }
    match r.next_child()? {
        Child::Text(_) => Err(EnvelopeError::UnexpectedText("Body")),
        Child::Start(operation) => {
            check_operation_encoding(version, &operation)?;
            Ok(EnvelopeHead {
                version,
                headers,
                operation,
            })
        }
        Child::End => Err(EnvelopeError::EmptyBody),
    }
}

/// Reads what follows the operation element: the end of the Body and of the Envelope, and
/// nothing else.
pub fn close_envelope(r: &mut XmlReader<'_>, version: SoapVersion) -> Result<(), EnvelopeError> {
    match r.next_child()? {
        Child::Text(_) => return Err(EnvelopeError::UnexpectedText("Body")),
        Child::Start(s) => return Err(EnvelopeError::SecondBodyElement(s.expanded_name())),
        Child::End => {}
    }
    let env = version.namespace().uri;
    match r.next_child()? {
        Child::Text(_) => return Err(EnvelopeError::ContentAfterBody("text".into())),
        Child::Start(s) if s.is(env, "Header") => return Err(EnvelopeError::HeaderAfterBody),
        Child::Start(s) if s.is(env, "Body") => return Err(EnvelopeError::DuplicateBody),
        Child::Start(s) => return Err(EnvelopeError::ContentAfterBody(s.expanded_name())),
        Child::End => {}
    }
    match r.next_event()? {
        Event::Eof => Ok(()),
        _ => Err(XmlError::TrailingContent.into()),
    }
}

/// Envelope, Header and Body carry only namespace-qualified attributes (SOAP 1.1 §4.1.1; SOAP
/// 1.2 Part 1 §5.1–5.3), and never `encodingStyle` (SOAP 1.2 Part 1 §5.1.1; WS-I BP 1.1
/// R1005). Namespace declarations are not attributes and never count.
fn check_envelope_attributes(
    version: SoapVersion,
    element: &'static str,
    start: &Start<'_>,
) -> Result<(), EnvelopeError> {
    let env = version.namespace().uri;
    for attr in &start.attrs {
        if attr.ns.is_empty() {
            return Err(EnvelopeError::UnqualifiedAttribute {
                element,
                attribute: attr.local.to_string(),
            });
        }
        if attr.ns == env && attr.local == "encodingStyle" {
            return Err(EnvelopeError::EncodingStyleNotAllowed(element));
        }
    }
    Ok(())
}

/// The operation element's `encodingStyle`: in SOAP 1.2 only "none" is ours, any other is an
/// encoding we do not support (Part 1 §5.4.6); in SOAP 1.1 a document/literal message has none
/// at all (WS-I BP 1.1 R1006).
fn check_operation_encoding(
    version: SoapVersion,
    operation: &Start<'_>,
) -> Result<(), EnvelopeError> {
    let Some(style) = operation.attr(version.namespace().uri, "encodingStyle") else {
        return Ok(());
    };
    match version {
        SoapVersion::V11 => Err(EnvelopeError::EncodingStyleNotAllowed("operation element")),
        SoapVersion::V12 if style.trim() == ENCODING_NONE => Ok(()),
        SoapVersion::V12 => Err(EnvelopeError::UnknownEncoding(style.to_string())),
    }
}

fn read_header_blocks(
    r: &mut XmlReader<'_>,
    version: SoapVersion,
    headers: &mut Vec<HeaderBlock>,
) -> Result<(), EnvelopeError> {
    let env = version.namespace().uri;
    loop {
        match r.next_child()? {
            Child::Text(_) => return Err(EnvelopeError::UnexpectedText("Header")),
            Child::Start(block) => {
                let must_understand = match block.attr(env, "mustUnderstand") {
                    None => false,
                    Some(value) => bool::parse(value)
                        .map_err(|_| EnvelopeError::BadMustUnderstand(value.to_string()))?,
                };
                let target = header_target(version, &block);
                let from = r.last_start_offset();
                let bindings = r
                    .inherited_bindings()
                    .iter()
                    .map(|b| b.clone().into_owned())
                    .collect();
                let (ns, local) = (block.ns.to_string(), block.local.to_string());
                r.skip_element()?;
                headers.push(HeaderBlock {
                    ns,
                    local,
                    must_understand,
                    target,
                    span: from..r.offset(),
                    bindings,
                });
            }
            Child::End => return Ok(()),
        }
    }
}

fn header_target(version: SoapVersion, block: &Start<'_>) -> HeaderTarget {
    let env = version.namespace().uri;
    match version {
        SoapVersion::V11 => match block.attr(env, "actor") {
            None | Some("http://schemas.xmlsoap.org/soap/actor/next") => HeaderTarget::Us,
            Some(other) => HeaderTarget::Other(other.to_string()),
        },
        SoapVersion::V12 => match block.attr(env, "role") {
            None
            | Some("http://www.w3.org/2003/05/soap-envelope/role/next")
            | Some("http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver") => {
                HeaderTarget::Us
            }
            Some("http://www.w3.org/2003/05/soap-envelope/role/none") => HeaderTarget::Nobody,
            Some(other) => HeaderTarget::Other(other.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::XmlLimits;

    const S11: &str = SoapVersion::NS_11;
    const S12: &str = SoapVersion::NS_12;

    fn read(doc: &str) -> Result<(SoapVersion, Vec<HeaderBlock>, String), EnvelopeError> {
        let mut r = XmlReader::new(doc.as_bytes(), XmlLimits::default())?;
        let head = open_envelope(&mut r)?;
        let op = head.operation.expanded_name();
        r.skip_element()?;
        close_envelope(&mut r, head.version)?;
        Ok((head.version, head.headers, op))
    }

    #[test]
    fn reads_both_versions_with_any_prefixes() {
        let doc = format!(
            r#"<?xml version='1.0'?><S:Envelope xmlns:S="{S11}" xmlns:T="{S11}"><T:Header/><S:Body><op xmlns="urn:x"/></S:Body></S:Envelope>"#
        );
        let (v, headers, op) = read(&doc).unwrap();
        assert_eq!(
            (v, headers.len(), op.as_str()),
            (SoapVersion::V11, 0, "{urn:x}op")
        );

        let doc = format!(
            r#"<Envelope xmlns="{S12}" xmlns:a="urn:a" xmlns:b="urn:b"><Body xmlns:m="urn:m"> <m:op/> </Body></Envelope>"#
        );
        let (v, _, op) = read(&doc).unwrap();
        assert_eq!((v, op.as_str()), (SoapVersion::V12, "{urn:m}op"));
    }

    #[test]
    fn records_header_blocks_with_must_understand_and_target() {
        let doc = format!(
            r#"<s:Envelope xmlns:s="{S12}" xmlns:w="urn:w"><s:Header><w:A s:mustUnderstand="true"/><w:B mustUnderstand="1" s:role="urn:other"/><w:C s:role="{S12}/role/none"/></s:Header><s:Body><w:op/></s:Body></s:Envelope>"#
        );
        let (_, headers, _) = read(&doc).unwrap();
        assert_eq!(headers.len(), 3);
        assert!(headers[0].must_understand);
        assert_eq!(headers[0].target, HeaderTarget::Us);
        assert!(
            !headers[1].must_understand,
            "an unqualified mustUnderstand is not SOAP's"
        );
        assert_eq!(headers[1].target, HeaderTarget::Other("urn:other".into()));
        assert_eq!(headers[2].target, HeaderTarget::Nobody);
        assert_eq!(
            &doc[headers[0].span.clone()],
            r#"<w:A s:mustUnderstand="true"/>"#
        );
    }

    #[test]
    fn refuses_broken_structures() {
        let env = |inner: &str| format!(r#"<s:Envelope xmlns:s="{S11}">{inner}</s:Envelope>"#);
        let cases = [
            (env(""), EnvelopeError::MissingBody),
            (env("<s:Header/>"), EnvelopeError::MissingBody),
            (env("<s:Body/>"), EnvelopeError::EmptyBody),
            (env("<s:Body>  </s:Body>"), EnvelopeError::EmptyBody),
            (
                env("<s:Body>text<x/></s:Body>"),
                EnvelopeError::UnexpectedText("Body"),
            ),
            (
                env("<s:Header/><s:Header/><s:Body><x/></s:Body>"),
                EnvelopeError::DuplicateHeader,
            ),
            (
                env("<s:Body><x/></s:Body><s:Header/>"),
                EnvelopeError::HeaderAfterBody,
            ),
            (
                env("<s:Body><x/></s:Body><s:Body><x/></s:Body>"),
                EnvelopeError::DuplicateBody,
            ),
            (
                env("<s:Body><x/><y/></s:Body>"),
                EnvelopeError::SecondBodyElement("y".into()),
            ),
            (
                env("<s:Body><x/></s:Body><z/>"),
                EnvelopeError::ContentAfterBody("z".into()),
            ),
            (
                env("<z/><s:Body><x/></s:Body>"),
                EnvelopeError::UnexpectedElement("z".into()),
            ),
            (
                r#"<Envelope xmlns="urn:soap-2.0"><Body><x/></Body></Envelope>"#.to_string(),
                EnvelopeError::VersionMismatch("urn:soap-2.0".into()),
            ),
            (
                format!(r#"<s:Body xmlns:s="{S11}"><x/></s:Body>"#),
                EnvelopeError::NotAnEnvelope(format!("{{{S11}}}Body")),
            ),
        ];
        for (doc, expected) in cases {
            assert_eq!(read(&doc).unwrap_err(), expected, "{doc}");
        }
    }

    #[test]
    fn refuses_unqualified_attributes_and_misplaced_encoding_styles() {
        let none = ENCODING_NONE;
        let cases = [
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S12}" version="1.2"><s:Body><x/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::UnqualifiedAttribute {
                    element: "Envelope",
                    attribute: "version".into(),
                },
            ),
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S11}"><s:Header id="h"/><s:Body><x/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::UnqualifiedAttribute {
                    element: "Header",
                    attribute: "id".into(),
                },
            ),
            (
                format!(r#"<s:Envelope xmlns:s="{S11}"><s:Body id="b"><x/></s:Body></s:Envelope>"#),
                EnvelopeError::UnqualifiedAttribute {
                    element: "Body",
                    attribute: "id".into(),
                },
            ),
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S12}" s:encodingStyle="{none}"><s:Body><x/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::EncodingStyleNotAllowed("Envelope"),
            ),
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S12}"><s:Header s:encodingStyle="{none}"/><s:Body><x/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::EncodingStyleNotAllowed("Header"),
            ),
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S12}"><s:Body s:encodingStyle="{none}"><x/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::EncodingStyleNotAllowed("Body"),
            ),
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S11}" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><x/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::EncodingStyleNotAllowed("Envelope"),
            ),
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S11}"><s:Body><x s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::EncodingStyleNotAllowed("operation element"),
            ),
            (
                format!(
                    r#"<s:Envelope xmlns:s="{S12}"><s:Body><x s:encodingStyle="http://example.org/PoisonEncoding"/></s:Body></s:Envelope>"#
                ),
                EnvelopeError::UnknownEncoding("http://example.org/PoisonEncoding".into()),
            ),
        ];
        for (doc, expected) in cases {
            assert_eq!(read(&doc).unwrap_err(), expected, "{doc}");
        }
    }

    #[test]
    fn accepts_declarations_foreign_attributes_and_no_encoding() {
        let none = ENCODING_NONE;
        let doc = format!(
            r#"<s:Envelope xmlns:s="{S12}" xmlns:f="urn:f" f:trace="1" xml:lang="en"><s:Header f:a="b"><f:H s:encodingStyle="urn:any-in-a-header"/></s:Header><s:Body xmlns="urn:x" f:Id="b1"><op s:encodingStyle=" {none} " style="plain"><y s:encodingStyle="urn:inner"/></op></s:Body></s:Envelope>"#
        );
        let (v, headers, op) = read(&doc).unwrap();
        assert_eq!(
            (v, headers.len(), op.as_str()),
            (SoapVersion::V12, 1, "{urn:x}op")
        );
        let doc = format!(
            r#"<s:Envelope xmlns:s="{S11}" xmlns:f="urn:f" f:trace="1"><s:Header><f:H s:encodingStyle="urn:header"/></s:Header><s:Body f:Id="b1"><op xmlns="urn:x" plain="yes"/></s:Body></s:Envelope>"#
        );
        assert_eq!(read(&doc).unwrap().0, SoapVersion::V11);
    }
}
