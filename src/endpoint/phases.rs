//! The phases of a SOAP request as plain functions, one job each. [`super::Endpoint`] runs
//! them in order in `receive` and `handle`, the one place the order is written down (CXF's
//! interceptor phases are the model: receive → read → pre-protocol → dispatch → security →
//! unmarshal → invoke → marshal → send).

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use tracing::Instrument;

use super::faults;
use crate::contract::DefaultActions;
use crate::dispatch::{Dispatched, OperationInfo, PreparedCall, RequestContext, SoapService};
use crate::soap::{
    BodyWriter, Fault, FaultCode, HeaderBlock, HeaderTarget, SoapVersion, close_envelope,
    write_fault, write_response,
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
    defaults: &DefaultActions,
) -> Result<(), Fault> {
    match action.filter(|a| !a.is_empty()) {
        Some(action) if action != operation.action && !defaults.accepts(operation.name, action) => {
            Err(faults::action_mismatch(
                action,
                operation.name,
                operation.action,
            ))
        }
        _ => Ok(()),
    }
}

/// Unmarshal: the typed request, bound to its handler, and the rest of the envelope checked
/// (nothing after the request element, the envelope closed).
pub(super) fn decode(
    operation: &Dispatched<'_>,
    reader: &mut XmlReader<'_>,
    version: SoapVersion,
) -> Result<PreparedCall, Fault> {
    let call = tracing::debug_span!("decode", operation = operation.info.name)
        .in_scope(|| operation.decode(reader))?;
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

/// Marshal: the response envelope, or the fault envelope (logged, Server faults as warnings).
pub(super) fn encode(
    version: SoapVersion,
    operation: Option<&'static str>,
    result: Result<Box<dyn BodyWriter>, Fault>,
    request_id: &str,
) -> (Vec<u8>, Option<Fault>) {
    match result {
        Ok(body) => (write_response(version, body.as_ref()), None),
        Err(fault) => (
            fault_envelope(version, operation, &fault, request_id),
            Some(fault),
        ),
    }
}

/// The fault envelope of `fault`, logged (Server faults as warnings).
pub(super) fn fault_envelope(
    version: SoapVersion,
    operation: Option<&'static str>,
    fault: &Fault,
    request_id: &str,
) -> Vec<u8> {
    if fault.code == FaultCode::Server {
        tracing::warn!(operation, reason = %fault.reason, "server fault");
    } else {
        tracing::debug!(operation, code = ?fault.code, reason = %fault.reason, "client fault");
    }
    write_fault(version, fault, request_id)
}
