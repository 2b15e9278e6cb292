//! The SOAP endpoint of one service: runs a request through its phases (`phases.rs`, in the
//! order `Endpoint::handle` and `Endpoint::receive` write down) and answers with the response
//! or the fault. HTTP stays outside: requests come in as bytes plus the HTTP-level hints.

mod faults;
mod guard;
mod phases;

pub use faults::validation as validation_fault;
pub use guard::{CallRecord, Guard, Refusal};

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use crate::addressing::{self, Reply};
use crate::codec::Attachments;
use crate::common::Transport;
use crate::contract::Actions;
use crate::dispatch::{PreparedCall, RequestContext, SoapService};
use crate::identity::Caller;
use crate::soap::{Fault, FaultCode, HeaderWriter, SoapVersion, open_envelope};
use crate::xml::{QName, XmlLimits};

/// One SOAP request as the HTTP binding hands it over.
#[derive(Debug)]
pub struct SoapRequest {
    /// The envelope (the root part of an MTOM package).
    pub body: Bytes,
    /// The attachments when the request is an MTOM/XOP package.
    pub attachments: Option<Attachments>,
    /// The answer is wanted as an MTOM package (the request is one, or its Accept asks).
    pub mtom_reply: bool,
    /// The version the Content-Type suggests; the envelope namespace decides.
    pub version_hint: Option<SoapVersion>,
    /// The Content-Type's charset parameter.
    pub charset: Option<String>,
    /// SOAPAction header or the 1.2 `action` media type parameter, unquoted.
    pub action: Option<String>,
    pub request_id: Arc<str>,
    /// The client's address (behind a trusted proxy, the address it forwarded).
    pub client_ip: Option<IpAddr>,
    /// How the request reached us.
    pub transport: Transport,
    /// The user named by a verified TLS client certificate.
    pub client_certificate: Option<Arc<str>>,
}

/// The answer: an envelope to send with HTTP 200, or a fault envelope to send with HTTP 500.
#[derive(Debug)]
pub struct SoapResponse {
    pub version: SoapVersion,
    pub body: Vec<u8>,
    /// Set when the answer is an MTOM package: the attachments the envelope includes, by
    /// [`crate::xml::part_id`] in order.
    pub package: Option<Vec<Bytes>>,
    /// The operation the request was dispatched to, when it got that far.
    pub operation: Option<&'static str>,
    /// The fault code when the body is a fault.
    pub fault: Option<FaultCode>,
    /// [`Fault::label`] when the body is a fault, e.g. `wsse:FailedAuthentication`.
    pub fault_label: Option<String>,
    /// [`Fault::cause`] when the body is a fault that has one.
    pub fault_cause: Option<&'static str>,
    /// The authenticated caller, when there was one.
    pub user: Option<String>,
    /// Seconds after which to retry, when the fault is a rate limit.
    pub retry_after: Option<u64>,
}

/// A service behind its SOAP processing phases.
pub struct Endpoint {
    service: Arc<dyn SoapService>,
    limits: XmlLimits,
    understood: Vec<QName>,
    deadline: Duration,
    guard: Option<Arc<dyn Guard>>,
    actions: Actions,
}

/// What the phases have established about a request so far: the answer is written in its
/// SOAP version, names its operation and is secured and audited for its caller, however far
/// the request got.
struct Exchange {
    version: SoapVersion,
    operation: Option<&'static str>,
    caller: Option<Arc<Caller>>,
    /// What the answer must carry when the request was addressed (WS-Addressing).
    reply: Option<Reply>,
}

impl Endpoint {
    pub fn new(service: Arc<dyn SoapService>, limits: XmlLimits) -> Self {
        Endpoint {
            service,
            limits,
            understood: addressing::HEADERS.to_vec(),
            deadline: Duration::from_secs(30),
            guard: None,
            actions: Actions::default(),
        }
    }

    /// How long a handler may run; past it the request is answered with a Server fault (work
    /// already handed to the database writer still completes).
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The WS-Addressing actions of the WSDL's operations: a request's SOAPAction or
    /// `wsa:Action` may also be its input's default action (what gSOAP sends when the binding
    /// does not require the SOAPAction), and an addressed request's answer carries the
    /// output's or the fault's action.
    pub fn with_actions(mut self, actions: Actions) -> Self {
        self.actions = actions;
        self
    }

    /// Puts `guard` in front of the handlers: it authenticates and authorizes every call of an
    /// operation that is not public, and records how each call ended.
    pub fn with_guard(mut self, guard: Arc<dyn Guard>) -> Self {
        self.understood.extend(guard.understands());
        self.guard = Some(guard);
        self
    }

    pub fn service(&self) -> &Arc<dyn SoapService> {
        &self.service
    }

    /// Runs one request to its response: the receiving phases (see `receive`), then invoke,
    /// marshal, secure the response, record the call.
    pub async fn handle(&self, request: SoapRequest) -> SoapResponse {
        let request_id = request.request_id.clone();
        let client_ip = request.client_ip;
        let mtom_reply = request.mtom_reply;
        let mut exchange = Exchange {
            version: request.version_hint.unwrap_or(SoapVersion::V11),
            operation: None,
            caller: None,
            reply: None,
        };
        let result = match self.receive(request, &mut exchange).await {
            Ok((operation, call, context)) => {
                phases::invoke(operation, self.deadline, call, context).await
            }
            Err(fault) => Err(fault),
        };
        let Exchange {
            version,
            operation,
            caller,
            reply,
        } = exchange;
        let headers = phases::reply_headers(
            reply.as_ref(),
            &self.actions,
            operation,
            result.as_ref().err(),
        );
        let secured = match (&self.guard, &caller) {
            (Some(guard), Some(caller)) => guard.secures(caller),
            _ => false,
        };
        // A signed answer stays one document: the signature covers inline content only.
        let optimize = mtom_reply && !secured;
        let (body, parts, fault) = phases::encode(
            version,
            operation,
            result,
            &request_id,
            headers.as_ref().map(|h| h as &dyn HeaderWriter),
            optimize,
        );
        let (body, fault) = match (&self.guard, &caller) {
            (Some(guard), Some(caller)) if secured => {
                let secured = guard
                    .secure(caller, version, body)
                    .instrument(tracing::debug_span!("secure_response"));
                match secured.await {
                    Ok(body) => (body, fault),
                    Err(failed) => {
                        let headers = phases::reply_headers(
                            reply.as_ref(),
                            &self.actions,
                            operation,
                            Some(&failed),
                        );
                        let headers = headers.as_ref().map(|h| h as &dyn HeaderWriter);
                        (
                            phases::fault_envelope(
                                version,
                                operation,
                                &failed,
                                &request_id,
                                headers,
                            ),
                            Some(failed),
                        )
                    }
                }
            }
            _ => (body, fault),
        };
        if let (Some(guard), Some(operation)) = (&self.guard, operation) {
            guard.record(CallRecord {
                service: self.service.name(),
                operation,
                request_id: &request_id,
                client_ip,
                caller: caller.as_deref(),
                fault: fault.as_ref().map(Fault::label),
            });
        }
        SoapResponse {
            version,
            body,
            package: optimize.then_some(parts),
            operation,
            fault: fault.as_ref().map(|f| f.code),
            fault_label: fault.as_ref().map(Fault::label),
            fault_cause: fault.as_ref().and_then(|f| f.cause),
            user: caller.map(|c| c.username.clone()),
            retry_after: fault
                .and_then(|f| f.retry_after)
                .map(|s| u64::from(s.get())),
        }
    }

    /// The response to a request refused before it was read (the binding's rate limit): the
    /// fault envelope in the SOAP version the request's media type named (1.1 if none).
    pub fn refuse(
        &self,
        version_hint: Option<SoapVersion>,
        request_id: &str,
        fault: Fault,
    ) -> SoapResponse {
        let version = version_hint.unwrap_or(SoapVersion::V11);
        SoapResponse {
            version,
            body: phases::fault_envelope(version, None, &fault, request_id, None),
            package: None,
            operation: None,
            fault: Some(fault.code),
            fault_label: Some(fault.label()),
            fault_cause: fault.cause,
            user: None,
            retry_after: fault.retry_after.map(|s| u64::from(s.get())),
        }
    }

    /// The receiving phases, in order, up to a call ready to invoke; each one that fails
    /// answers the request with its fault.
    ///
    /// Security runs after dispatch, because what a call needs (public, any caller, a role)
    /// is the operation's; authorization runs before the request is decoded, so that a caller
    /// who may not call the operation learns nothing of its validation rules and costs no
    /// decoding; the rest of the envelope is checked after the request element, where the
    /// streaming reader gets to it.
    async fn receive(
        &self,
        mut request: SoapRequest,
        exchange: &mut Exchange,
    ) -> Result<(&'static str, PreparedCall, RequestContext), Fault> {
        // Read: the envelope up to the Body's first child, in the version its namespace names.
        let (text, source) = phases::text(&request.body, request.charset.as_deref())?;
        let (mut reader, document) = phases::reader(&text, source, &self.limits)?;
        let head = open_envelope(&mut reader)?;
        exchange.version = head.version;
        // Pre-protocol: mustUnderstand.
        phases::must_understand(&head.headers, &self.understood)?;
        // Addressing: the WS-Addressing headers, which also address the answer.
        let action = match phases::addressing(&head.headers, reader.input()) {
            Ok(addressed) => addressed.map(|addressed| {
                exchange.reply = Some(addressed.reply);
                addressed.action
            }),
            Err(refused) => {
                exchange.reply = Some(refused.reply);
                return Err(refused.fault);
            }
        };
        // Dispatch, by the Body's first child, checked against the SOAPAction and the
        // wsa:Action.
        let operation = phases::dispatch(self.service.as_ref(), &head.operation)?;
        exchange.operation = Some(operation.info.name);
        match &action {
            Some(action) => phases::check_addressed_action(
                request.action.as_deref(),
                action,
                operation.info,
                &self.actions,
            )?,
            None => phases::check_action(request.action.as_deref(), operation.info, &self.actions)?,
        }
        let mut context = RequestContext {
            version: head.version,
            request_id: request.request_id,
            client_ip: request.client_ip,
            transport: request.transport,
            headers: head.headers.into(),
            document,
            caller: None,
            client_certificate: request.client_certificate,
            packaged: request.attachments.is_some(),
        };
        // Security: authenticate the caller and authorize the call.
        if let Some(guard) = &self.guard {
            let admitted = guard
                .admit(&context, operation.info)
                .instrument(tracing::debug_span!(
                    "authenticate",
                    operation = operation.info.name
                ))
                .await;
            match admitted {
                Ok(caller) => context.caller = caller,
                Err(refusal) => {
                    exchange.caller = refusal.caller;
                    return Err(refusal.fault);
                }
            }
            exchange.caller = context.caller.clone();
        }
        // Unmarshal: the typed request, then the rest of the envelope.
        let call = phases::decode(
            &operation,
            &mut reader,
            request.attachments.as_mut(),
            head.version,
        )?;
        Ok((operation.info.name, call, context))
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use crate::bench::{GetItem, GetItemResponse};
    use crate::dispatch::Service;
    use crate::security::Access;

    async fn boom(request: GetItem) -> Result<GetItemResponse, Infallible> {
        if request.id == 13 {
            panic!("unlucky");
        }
        Ok(GetItemResponse {
            id: request.id,
            name: String::new(),
            price: rust_decimal::Decimal::ZERO,
            quantity: 0,
            updated: time::OffsetDateTime::UNIX_EPOCH,
        })
    }

    fn request(id: i32) -> SoapRequest {
        let body = format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><b:GetItem xmlns:b="urn:bench"><b:id>{id}</b:id><b:clientRef>r</b:clientRef></b:GetItem></s:Body></s:Envelope>"#
        );
        SoapRequest {
            body: Bytes::from(body),
            attachments: None,
            mtom_reply: false,
            version_hint: None,
            charset: None,
            action: None,
            request_id: "req-77".into(),
            client_ip: None,
            transport: Transport::Loopback,
            client_certificate: None,
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_server_fault_and_the_endpoint_keeps_serving() {
        let service = Service::for_contract(&crate::contract::BENCH_SERVICE, ())
            .operation(boom, Access::Public);
        let endpoint = Endpoint::new(Arc::new(service), XmlLimits::default());
        let response = endpoint.handle(request(13)).await;
        assert_eq!(response.fault, Some(FaultCode::Server));
        let body = String::from_utf8(response.body).unwrap();
        assert!(body.contains("<c:requestId>req-77</c:requestId>"), "{body}");
        assert!(
            !body.contains("unlucky"),
            "the panic message stays in the log"
        );
        let response = endpoint.handle(request(7)).await;
        assert_eq!(response.fault, None);
    }
}
