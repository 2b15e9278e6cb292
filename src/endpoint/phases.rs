//! The phases of a SOAP request as plain functions, one job each. [`super::Endpoint`] runs
//! them in order in `receive` and `handle`, the one place the order is written down (CXF's
//! interceptor phases are the model: receive → read → pre-protocol → addressing → dispatch →
//! security → unmarshal → invoke → marshal → send).

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use tracing::Instrument;

use super::faults;
use crate::addressing::{
    self, Addressing, AddressingError, FAULT_ACTION, Reply, ReplyHeaders, SOAP_FAULT_ACTION, WSA_NS,
};
use crate::codec::Attachments;
use crate::contract::Actions;
use crate::dispatch::{Dispatched, OperationInfo, PreparedCall, RequestContext, SoapService};
use crate::soap::{
    BodyWriter, Fault, FaultCode, HeaderBlock, HeaderTarget, HeaderWriter, SoapVersion,
    close_envelope, write_fault, write_optimized_response, write_response,
};
use crate::xml::{QName, SourceEncoding, Start, XmlLimits, XmlReader, to_utf8};

/// Read, part 1: the request body as UTF-8 (converted from its declared charset when it is
/// not), and the encoding it came in.
pub(super) fn text(body: &Bytes, charset: Option<&str>) -> Result<(Bytes, SourceEncoding), Fault> {
    let (text, source) = to_utf8(body, charset)?;
    let text = match text {
        Cow::Borrowed(_) => body.clone(),
        Cow::Owned(converted) => Bytes::from(converted),
    };
    Ok((text, source))
}

/// Read, part 2: a reader with the hard limits over the text, and the document it reads
/// (without a byte order mark), which the header blocks' spans refer to.
pub(super) fn reader<'a>(
    text: &'a Bytes,
    source: SourceEncoding,
    limits: &XmlLimits,
) -> Result<(XmlReader<'a>, Bytes), Fault> {
    let reader = XmlReader::transcoded(text, limits.clone(), source)?;
    let document = text.slice_ref(reader.input().as_bytes());
    Ok((reader, document))
}

/// Pre-protocol: every header block addressed to us with `mustUnderstand` is one that a phase
/// processes, else a MustUnderstand fault naming them all.
pub(super) fn must_understand(headers: &[HeaderBlock], understood: &[QName]) -> Result<(), Fault> {
    let not_understood: Vec<(String, String)> = headers
        .iter()
        .filter(|h| h.must_understand && h.target == HeaderTarget::Us)
        .filter(|h| !understood.iter().any(|q| h.is(q.ns, q.local)))
        .map(|h| (h.ns.clone(), h.local.clone()))
        .collect();
    match not_understood.is_empty() {
        true => Ok(()),
        false => Err(faults::not_understood(not_understood)),
    }
}

/// Addressing: the WS-Addressing headers, when the request has any, read and checked (each
/// at most once, `Action` and `MessageID` present, replies only to the anonymous address).
pub(super) fn addressing(
    headers: &[HeaderBlock],
    document: &str,
) -> Result<Option<Addressing>, Box<AddressingError>> {
    addressing::read(headers, document)
}

/// Dispatch: the operation whose request element is the Body's first child.
pub(super) fn dispatch<'a>(
    service: &'a dyn SoapService,
    body: &Start<'_>,
) -> Result<Dispatched<'a>, Fault> {
    service
        .dispatch(&body.ns, body.local)
        .ok_or_else(|| faults::unknown_operation(&body.expanded_name()))
}

/// Dispatch, checked: a SOAPAction, when the client sent one, names the dispatched operation
/// (its own action or its WS-Addressing default action).
pub(super) fn check_action(
    action: Option<&str>,
    operation: &OperationInfo,
    actions: &Actions,
) -> Result<(), Fault> {
    match action.filter(|a| !a.is_empty()) {
        Some(action) if action != operation.action && !actions.accepts(operation.name, action) => {
            Err(faults::action_mismatch(
                action,
                operation.name,
                operation.action,
            ))
        }
        _ => Ok(()),
    }
}

/// Dispatch, checked, for an addressed request: a non-empty SOAPAction is its `wsa:Action`
/// (else `wsa:ActionMismatch`), and that names the dispatched operation: its SOAPAction, its
/// input's `wsam:Action` or a default action (else `wsa:ActionNotSupported`).
pub(super) fn check_addressed_action(
    soap_action: Option<&str>,
    action: &str,
    operation: &OperationInfo,
    actions: &Actions,
) -> Result<(), Fault> {
    if let Some(soap_action) = soap_action.filter(|a| !a.is_empty() && *a != action) {
        return Err(addressing::action_mismatch(soap_action, action));
    }
    match action == operation.action || actions.accepts(operation.name, action) {
        true => Ok(()),
        false => Err(addressing::action_not_supported(action, operation.name)),
    }
}

/// Unmarshal: the typed request, bound to its handler, and the rest of the envelope checked
/// (nothing after the request element, the envelope closed).
pub(super) fn decode(
    operation: &Dispatched<'_>,
    reader: &mut XmlReader<'_>,
    attachments: Option<&mut Attachments>,
    version: SoapVersion,
) -> Result<PreparedCall, Fault> {
    let call = tracing::debug_span!("decode", operation = operation.info.name)
        .in_scope(|| operation.decode(reader, attachments))?;
    close_envelope(reader, version)?;
    Ok(call)
}

/// Invoke: the handler, within the deadline; a panic becomes a Server fault, its message
/// stays in the log.
pub(super) async fn invoke(
    operation: &'static str,
    deadline: Duration,
    call: PreparedCall,
    context: RequestContext,
) -> Result<Box<dyn BodyWriter>, Fault> {
    let outcome = tokio::time::timeout(
        deadline,
        AssertUnwindSafe(async move { call(context).await }).catch_unwind(),
    )
    .instrument(tracing::debug_span!("handler", operation))
    .await;
    match outcome {
        Err(_) => {
            tracing::error!(operation, ?deadline, "handler deadline exceeded");
            Err(Fault::server(format!(
                "The request was not completed within the deadline of {} ms",
                deadline.as_millis()
            )))
        }
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(operation, panic = %message, "handler panicked");
            Err(Fault::internal())
        }
    }
}

/// Marshal, addressing: the WS-Addressing headers of the answer to an addressed request. Its
/// action is the operation's output action; for a fault, the action of the fault the
/// operation declares, `wsa:…/fault` for a WS-Addressing fault, and `wsa:…/soap/fault` for
/// any other.
pub(super) fn reply_headers<'a>(
    reply: Option<&'a Reply>,
    actions: &Actions,
    operation: Option<&'static str>,
    fault: Option<&Fault>,
) -> Option<ReplyHeaders<'a>> {
    let reply = reply?;
    let action = match fault {
        None => operation.and_then(|op| actions.output(op)),
        Some(fault) if fault.subcode.is_some_and(|(ns, _)| ns.uri == WSA_NS) => Some(FAULT_ACTION),
        Some(fault) => Some(
            operation
                .zip(fault.detail.as_ref())
                .and_then(|(op, detail)| actions.fault(op, detail.element()))
                .unwrap_or(SOAP_FAULT_ACTION),
        ),
    };
    Some(reply.headers(action, fault.is_some()))
}

/// Marshal: the response envelope, or the fault envelope (logged, Server faults as warnings),
/// with `headers` in its Header; when `optimize`, binary content of the response goes into
/// the attachments of an MTOM package, returned beside the envelope.
pub(super) fn encode(
    version: SoapVersion,
    operation: Option<&'static str>,
    result: Result<Box<dyn BodyWriter>, Fault>,
    request_id: &str,
    headers: Option<&dyn HeaderWriter>,
    optimize: bool,
) -> (Vec<u8>, Vec<Bytes>, Option<Fault>) {
    match result {
        Ok(body) if optimize => {
            let (envelope, parts) = write_optimized_response(version, headers, body.as_ref());
            (envelope, parts, None)
        }
        Ok(body) => (
            write_response(version, headers, body.as_ref()),
            Vec::new(),
            None,
        ),
        Err(fault) => (
            fault_envelope(version, operation, &fault, request_id, headers),
            Vec::new(),
            Some(fault),
        ),
    }
}

/// The fault envelope of `fault` with `headers`, logged (Server faults as warnings).
pub(super) fn fault_envelope(
    version: SoapVersion,
    operation: Option<&'static str>,
    fault: &Fault,
    request_id: &str,
    headers: Option<&dyn HeaderWriter>,
) -> Vec<u8> {
    if fault.code == FaultCode::Server {
        tracing::warn!(operation, reason = %fault.reason, "server fault");
    } else {
        tracing::debug!(operation, code = ?fault.code, reason = %fault.reason, "client fault");
    }
    write_fault(version, fault, request_id, headers)
}
