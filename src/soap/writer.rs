//! Envelope writer: wraps a response element or a fault in a SOAP 1.1 or 1.2 envelope.
//!
//! Faults follow what clients are measured to need: prefixed fault codes bound to the
//! envelope namespace, `xml:lang` on the reason, and no whitespace inside a 1.2 Fault.

use super::{Fault, FaultCode, SoapVersion};
use crate::codec::{Encode, Message, write_message};
use crate::common::{RequestId, ServerFault};
use crate::xml::{Namespace, XmlWriter};

const XML_DECL: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

/// A response body element that can write itself.
pub trait BodyWriter: Send {
    fn write_body(&self, w: &mut XmlWriter);
}

impl<M: Message + Encode + Send> BodyWriter for M {
    fn write_body(&self, w: &mut XmlWriter) {
        write_message(w, self);
    }
}

/// Header blocks that go into a response or fault envelope besides the engine's own (the
/// WS-Addressing headers of a reply).
pub trait HeaderWriter {
    fn write_headers(&self, w: &mut XmlWriter);
}

fn open(w: &mut XmlWriter, version: SoapVersion) {
    let ns = version.namespace();
    w.raw(XML_DECL);
    w.start(ns.prefix, "Envelope");
    w.declare(ns);
    w.close_start();
}

/// A response envelope holding `body`, with a Header of `headers` when there are any.
pub fn write_response(
    version: SoapVersion,
    headers: Option<&dyn HeaderWriter>,
    body: &dyn BodyWriter,
) -> Vec<u8> {
    let mut w = XmlWriter::with_capacity(1024);
    response_into(&mut w, version, headers, body);
    w.into_bytes()
}

/// [`write_response`] as the root of an MTOM package: binary content becomes parts, each
/// included by Content-ID ([`crate::xml::part_id`]), returned in that order.
pub fn write_optimized_response(
    version: SoapVersion,
    headers: Option<&dyn HeaderWriter>,
    body: &dyn BodyWriter,
) -> (Vec<u8>, Vec<bytes::Bytes>) {
    let mut w = XmlWriter::with_capacity(1024);
    w.optimize();
    response_into(&mut w, version, headers, body);
    w.into_package()
}

fn response_into(
    w: &mut XmlWriter,
    version: SoapVersion,
    headers: Option<&dyn HeaderWriter>,
    body: &dyn BodyWriter,
) {
    let p = version.namespace().prefix;
    open(w, version);
    if let Some(headers) = headers {
        w.open(p, "Header");
        headers.write_headers(w);
        w.end(p, "Header");
    }
    w.open(p, "Body");
    body.write_body(w);
    w.end(p, "Body");
    w.end(p, "Envelope");
}

/// A fault envelope, with `headers` in its Header after the engine's own. Server faults
/// without a detail of their own get a `ServerFault` detail with `request_id`, and the id is
/// added to their reason.
pub fn write_fault(
    version: SoapVersion,
    fault: &Fault,
    request_id: &str,
    headers: Option<&dyn HeaderWriter>,
) -> Vec<u8> {
    let p = version.namespace().prefix;
    let mut w = XmlWriter::with_capacity(1024);
    open(&mut w, version);
    write_fault_headers(&mut w, version, fault, request_id, headers);
    w.open(p, "Body");
    w.open(p, "Fault");
    let server_detail =
        (fault.code == FaultCode::Server && fault.detail.is_none()).then(|| ServerFault {
            message: fault.reason.clone(),
            request_id: request_id.to_string(),
        });
    let reason = match &server_detail {
        Some(_) => format!("{} (request id {request_id})", fault.reason),
        None => fault.reason.clone(),
    };
    let write_detail = |w: &mut XmlWriter| {
        if let Some(detail) = &fault.detail {
            detail.write(w);
        } else if let Some(detail) = &server_detail {
            write_message(w, detail);
        }
    };
    let detail_in_header = version == SoapVersion::V11
        && fault
            .detail
            .as_ref()
            .is_some_and(|d| d.soap11_header().is_some());
    let has_detail = (fault.detail.is_some() || server_detail.is_some()) && !detail_in_header;
    match version {
        SoapVersion::V11 => {
            match fault.subcode {
                Some((ns, local)) => {
                    w.start("", "faultcode");
                    w.declare(*ns);
                    w.close_start();
                    w.raw(ns.prefix);
                    w.raw(":");
                    w.text(local);
                    w.end("", "faultcode");
                }
                None => {
                    w.open("", "faultcode");
                    w.raw(p);
                    w.raw(":");
                    w.raw(code_name(version, fault.code));
                    w.end("", "faultcode");
                }
            }
            w.start("", "faultstring");
            w.attr("xml:lang", "en");
            w.close_start();
            w.text(&reason);
            w.end("", "faultstring");
            if has_detail {
                w.open("", "detail");
                write_detail(&mut w);
                w.end("", "detail");
            }
        }
        SoapVersion::V12 => {
            w.open(p, "Code");
            w.open(p, "Value");
            w.raw(p);
            w.raw(":");
            w.raw(code_name(version, fault.code));
            w.end(p, "Value");
            if let Some(subcode) = fault.subcode {
                write_subcode(&mut w, p, subcode, fault.subsubcode);
            }
            w.end(p, "Code");
            w.open(p, "Reason");
            w.start(p, "Text");
            w.attr("xml:lang", "en");
            w.close_start();
            w.text(&reason);
            w.end(p, "Text");
            w.end(p, "Reason");
            if has_detail {
                w.open(p, "Detail");
                write_detail(&mut w);
                w.end(p, "Detail");
            }
        }
    }
    w.end(p, "Fault");
    w.end(p, "Body");
    w.end(p, "Envelope");
    w.into_bytes()
}

/// A 1.2 `Subcode` with its `Value`, and the nested one of `inner` when there is one.
fn write_subcode(
    w: &mut XmlWriter,
    p: &str,
    (ns, local): (&'static Namespace, &'static str),
    inner: Option<&'static (&'static Namespace, &'static str)>,
) {
    w.open(p, "Subcode");
    w.start(p, "Value");
    w.declare(*ns);
    w.close_start();
    w.raw(ns.prefix);
    w.raw(":");
    w.text(local);
    w.end(p, "Value");
    if let Some(inner) = inner {
        write_subcode(w, p, *inner, None);
    }
    w.end(p, "Subcode");
}

/// The Header of a fault: the request id (`c:RequestId`) always, then `headers`; in SOAP 1.1
/// the detail when the fault puts it in a header block; in SOAP 1.2 `NotUnderstood` for
/// MustUnderstand and `Upgrade` listing the envelopes we speak for VersionMismatch.
fn write_fault_headers(
    w: &mut XmlWriter,
    version: SoapVersion,
    fault: &Fault,
    request_id: &str,
    headers: Option<&dyn HeaderWriter>,
) {
    let p = version.namespace().prefix;
    w.open(p, "Header");
    write_message(w, &RequestId(request_id.to_string()));
    if let Some(headers) = headers {
        headers.write_headers(w);
    }
    if version == SoapVersion::V11 {
        if let Some((detail, (ns, local))) = fault
            .detail
            .as_ref()
            .and_then(|d| d.soap11_header().map(|header| (d, header)))
        {
            w.start(ns.prefix, local);
            w.declare(*ns);
            w.close_start();
            detail.write(w);
            w.end(ns.prefix, local);
        }
        w.end(p, "Header");
        return;
    }
    let upgrade = fault.code == FaultCode::VersionMismatch;
    for (ns, local) in &fault.not_understood {
        w.start(p, "NotUnderstood");
        if ns.is_empty() {
            w.attr("qname", local);
        } else {
            w.attr("xmlns:nu", ns);
            w.attr("qname", &format!("nu:{local}"));
        }
        w.close_empty();
    }
    if upgrade {
        w.open(p, "Upgrade");
        for version in [SoapVersion::V12, SoapVersion::V11] {
            w.start(p, "SupportedEnvelope");
            w.attr("xmlns:se", version.namespace().uri);
            w.attr("qname", "se:Envelope");
            w.close_empty();
        }
        w.end(p, "Upgrade");
    }
    w.end(p, "Header");
}

fn code_name(version: SoapVersion, code: FaultCode) -> &'static str {
    match (version, code) {
        (_, FaultCode::VersionMismatch) => "VersionMismatch",
        (_, FaultCode::MustUnderstand) => "MustUnderstand",
        (SoapVersion::V11, FaultCode::Client) => "Client",
        (SoapVersion::V11, FaultCode::Server) => "Server",
        (SoapVersion::V12, FaultCode::Client) => "Sender",
        (SoapVersion::V12, FaultCode::Server) => "Receiver",
        (SoapVersion::V11, FaultCode::DataEncodingUnknown) => "Client",
        (SoapVersion::V12, FaultCode::DataEncodingUnknown) => "DataEncodingUnknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::{FieldError, ValidationFault};

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn soap11_fault_has_prefixed_code_lang_and_detail() {
        let fault = Fault::client("bad <input>").with_detail(ValidationFault {
            message: "bad".into(),
            field_error: vec![FieldError {
                path: "Op/a".into(),
                message: "is required".into(),
            }],
        });
        let xml = text(write_fault(SoapVersion::V11, &fault, "r1", None));
        assert!(xml.contains("<faultcode>soap:Client</faultcode>"), "{xml}");
        assert!(xml.contains(r#"<faultstring xml:lang="en">bad &lt;input&gt;</faultstring>"#));
        assert!(xml.contains("<detail><c:ValidationFault xmlns:c="), "{xml}");
    }

    #[test]
    fn soap12_fault_has_no_whitespace_and_carries_request_id_for_server_faults() {
        let xml = text(write_fault(
            SoapVersion::V12,
            &Fault::internal(),
            "req-9",
            None,
        ));
        assert!(xml.contains("<env:Value>env:Receiver</env:Value>"), "{xml}");
        assert!(xml.contains(
            r#"<env:Text xml:lang="en">Internal server error (request id req-9)</env:Text>"#
        ));
        assert!(xml.contains("<c:requestId>req-9</c:requestId>"), "{xml}");
        assert!(xml.contains(r#"<env:Header><c:RequestId xmlns:c="http://soapstone.dev/schema/common/v1">req-9</c:RequestId></env:Header>"#), "{xml}");
        let fault_part = &xml[xml.find("<env:Fault>").unwrap()..];
        assert!(
            !fault_part.contains("> <") && !fault_part.contains(">\n"),
            "{xml}"
        );
    }

    #[test]
    fn must_understand_and_version_mismatch_headers_in_12() {
        let mut fault = Fault::new(FaultCode::MustUnderstand, "not understood");
        fault.not_understood.push(("urn:h".into(), "Trace".into()));
        let xml = text(write_fault(SoapVersion::V12, &fault, "r", None));
        assert!(
            xml.contains(r#"<env:NotUnderstood xmlns:nu="urn:h" qname="nu:Trace"/>"#),
            "{xml}"
        );
        let xml = text(write_fault(
            SoapVersion::V12,
            &Fault::new(FaultCode::VersionMismatch, "v"),
            "r",
            None,
        ));
        assert!(xml.contains("<env:Upgrade><env:SupportedEnvelope"), "{xml}");
    }

    #[test]
    fn data_encoding_unknown_is_its_own_code_in_12_and_client_in_11() {
        let fault = Fault::new(FaultCode::DataEncodingUnknown, "poison");
        let xml = text(write_fault(SoapVersion::V12, &fault, "r", None));
        assert!(
            xml.contains("<env:Value>env:DataEncodingUnknown</env:Value>"),
            "{xml}"
        );
        let xml = text(write_fault(SoapVersion::V11, &fault, "r", None));
        assert!(xml.contains("<faultcode>soap:Client</faultcode>"), "{xml}");
    }
}
