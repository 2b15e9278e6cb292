//! The SOAP endpoint of one service: runs a request through its phases — read the envelope,
//! check mustUnderstand headers, dispatch by body QName, check the SOAPAction, authenticate
//! and authorize (the guard), decode the typed request, verify the rest of the envelope, call
//! the handler, record the outcome — and writes the response or the fault. HTTP stays outside: requests come in as bytes plus the HTTP-level hints.

mod faults;
mod guard;

pub use faults::validation as validation_fault;
pub use guard::{CallRecord, Guard, Refusal};

use std::borrow::Cow;
use std::net::IpAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use tracing::Instrument;

use crate::common::Transport;
use crate::contract::DefaultActions;
use crate::dispatch::{PreparedCall, RequestContext, SoapService};
use crate::security::Caller;
use crate::soap::{
    BodyWriter, Fault, FaultCode, HeaderTarget, SoapVersion, close_envelope, open_envelope,
    write_fault, write_response,
};
use crate::xml::{QName, XmlLimits, XmlReader, to_utf8};

/// One SOAP request as the HTTP binding hands it over.
#[derive(Debug)]
pub struct SoapRequest {
    pub body: Bytes,
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
    default_actions: DefaultActions,
}

struct Prepared {
    version: SoapVersion,
    operation: &'static str,
    call: PreparedCall,
    context: RequestContext,
}

struct Refused {
    version: SoapVersion,
    operation: Option<&'static str>,
    fault: Fault,
    caller: Option<Arc<Caller>>,
}

impl Refused {
    /// The same refusal, of a call whose caller was established.
    fn by(mut self: Box<Self>, caller: Option<Arc<Caller>>) -> Box<Self> {
        self.caller = caller;
        self
    }
}

impl Endpoint {
    pub fn new(service: Arc<dyn SoapService>, limits: XmlLimits) -> Self {
        Endpoint {
            service,
            limits,
            understood: Vec::new(),
            deadline: Duration::from_secs(30),
            guard: None,
            default_actions: DefaultActions::default(),
        }
    }

    /// How long a handler may run; past it the request is answered with a Server fault (work
    /// already handed to the database writer still completes).
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Also accepts the WS-Addressing default action of an operation's input (what gSOAP sends
    /// when the binding does not require the SOAPAction) besides its own SOAPAction.
    pub fn with_default_actions(mut self, actions: DefaultActions) -> Self {
        self.default_actions = actions;
        self
    }

    /// Puts `guard` in front of the handlers: it authenticates and authorizes every call of an
    /// operation that is not public, and records how each call ended.
    pub fn with_guard(mut self, guard: Arc<dyn Guard>) -> Self {
        self.understood.extend(guard.understands());
        self.guard = Some(guard);
        self
    }

    /// Declares header blocks that a processor in front of the handlers understands, so that
    /// `mustUnderstand="1"` on them is honoured rather than faulted.
    pub fn understand(mut self, header: QName) -> Self {
        self.understood.push(header);
        self
    }

    pub fn service(&self) -> &Arc<dyn SoapService> {
        &self.service
    }

    /// Runs one request to its response.
    pub async fn handle(&self, request: SoapRequest) -> SoapResponse {
        let request_id = request.request_id.clone();
        let client_ip = request.client_ip;
        let (version, operation, caller, result) = match self.prepare(request).await {
            Err(refused) => {
                let Refused {
                    version,
                    operation,
                    fault,
                    caller,
                } = *refused;
                (version, operation, caller, Err(fault))
            }
            Ok(Prepared {
                version,
                operation,
                call,
                context,
            }) => {
                let caller = context.caller.clone();
                let result = self.run(operation, call, context).await;
                (version, Some(operation), caller, result)
            }
        };
        let (body, fault) = match result {
            Ok(body) => (write_response(version, body.as_ref()), None),
            Err(fault) => (
                fault_envelope(version, operation, &fault, &request_id),
                Some(fault),
            ),
        };
        let (body, fault) = match (&self.guard, &caller) {
            (Some(guard), Some(caller)) if guard.secures(caller) => {
                let secured = guard
                    .secure(caller, version, body)
                    .instrument(tracing::debug_span!("secure_response"));
                match secured.await {
                    Ok(body) => (body, fault),
                    Err(failed) => (
                        fault_envelope(version, operation, &failed, &request_id),
                        Some(failed),
                    ),
                }
            }
            _ => (body, fault),
        };
        self.record(
            operation,
            &request_id,
            client_ip,
            caller.as_deref(),
            fault.as_ref(),
        );
        SoapResponse {
            version,
            body,
            operation,
            fault: fault.as_ref().map(|f| f.code),
            fault_label: fault.as_ref().map(Fault::label),
            fault_cause: fault.as_ref().and_then(|f| f.cause),
            user: caller.map(|c| c.username.clone()),
            retry_after: fault.and_then(|f| f.retry_after).map(|s| s.get()),
        }
    }

    /// Calls the handler within the deadline, a panic becoming a Server fault.
    async fn run(
        &self,
        operation: &'static str,
        call: PreparedCall,
        context: RequestContext,
    ) -> Result<Box<dyn BodyWriter>, Fault> {
        let outcome = tokio::time::timeout(
            self.deadline,
            AssertUnwindSafe(async move { call(context).await }).catch_unwind(),
        )
        .instrument(tracing::debug_span!("handler", operation))
        .await;
        match outcome {
            Err(_) => {
                tracing::error!(operation, deadline = ?self.deadline, "handler deadline exceeded");
                Err(Fault::server(format!(
                    "The request was not completed within the deadline of {} ms",
                    self.deadline.as_millis()
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

    fn record(
        &self,
        operation: Option<&'static str>,
        request_id: &str,
        client_ip: Option<IpAddr>,
        caller: Option<&Caller>,
        fault: Option<&Fault>,
    ) {
        if let (Some(guard), Some(operation)) = (&self.guard, operation) {
            guard.record(CallRecord {
                service: self.service.name(),
                operation,
                request_id,
                client_ip,
                caller,
                fault: fault.map(Fault::label),
            });
        }
    }

    async fn prepare(&self, request: SoapRequest) -> Result<Prepared, Box<Refused>> {
        let refuse = |version, operation, fault| {
            Box::new(Refused {
                version,
                operation,
                fault,
                caller: None,
            })
        };
        let hint = request.version_hint.unwrap_or(SoapVersion::V11);
        let (text, source) = to_utf8(&request.body, request.charset.as_deref())
            .map_err(|e| refuse(hint, None, e.into()))?;
        let text = match text {
            Cow::Borrowed(_) => request.body.clone(),
            Cow::Owned(converted) => Bytes::from(converted),
        };
        let mut reader = XmlReader::transcoded(&text, self.limits.clone(), source)
            .map_err(|e| refuse(hint, None, e.into()))?;
        let document = text.slice_ref(reader.input().as_bytes());
        let head = open_envelope(&mut reader).map_err(|e| refuse(hint, None, e.into()))?;
        let version = head.version;

        let not_understood: Vec<(String, String)> = head
            .headers
            .iter()
            .filter(|h| h.must_understand && h.target == HeaderTarget::Us)
            .filter(|h| !self.understood.iter().any(|q| h.is(q.ns, q.local)))
            .map(|h| (h.ns.clone(), h.local.clone()))
            .collect();
        if !not_understood.is_empty() {
            return Err(refuse(
                version,
                None,
                faults::not_understood(not_understood),
            ));
        }

        let info = self
            .service
            .operation(&head.operation.ns, head.operation.local)
            .ok_or_else(|| {
                refuse(
                    version,
                    None,
                    faults::unknown_operation(&head.operation.expanded_name()),
                )
            })?;
        let operation = info.name;
        if let Some(action) = request.action.as_deref().filter(|a| !a.is_empty())
            && action != info.action
            && !self.default_actions.accepts(operation, action)
        {
            return Err(refuse(
                version,
                Some(operation),
                faults::action_mismatch(action, operation, &info.action),
            ));
        }
        let mut context = RequestContext {
            version,
            request_id: request.request_id,
            client_ip: request.client_ip,
            transport: request.transport,
            headers: head.headers.into(),
            document,
            caller: None,
            client_certificate: request.client_certificate,
        };
        if let Some(guard) = &self.guard {
            context.caller = guard
                .admit(&context, info)
                .instrument(tracing::debug_span!("authenticate", operation))
                .await
                .map_err(|refusal| {
                    refuse(version, Some(operation), refusal.fault).by(refusal.caller)
                })?;
        }
        let refuse_caller =
            |fault: Fault| refuse(version, Some(operation), fault).by(context.caller.clone());
        let call = tracing::debug_span!("decode", operation)
            .in_scope(|| self.service.prepare(&head.operation, &mut reader))
            .map_err(|e| refuse_caller(e.into()))?;
        close_envelope(&mut reader, version).map_err(|e| refuse_caller(e.into()))?;

        Ok(Prepared {
            version,
            operation,
            call,
            context,
        })
    }
}

/// The fault envelope of `fault`, logged (Server faults as warnings).
fn fault_envelope(
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
        let service = Service::new("Boom", "urn:bench#", ()).operation(boom, Access::Public);
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
