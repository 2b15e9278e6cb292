//! What a handler may know about its request besides the body, and the extractors that hand
//! it over.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;

use crate::common::{Client, Transport};
use crate::identity::Caller;
use crate::soap::{Fault, HeaderBlock, SoapVersion};
use crate::xml::{XmlLimits, XmlReader};

/// Facts about one SOAP request, available to extractors.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub version: SoapVersion,
    pub request_id: Arc<str>,
    /// The client's address (behind a trusted proxy, the address it forwarded).
    pub client_ip: Option<IpAddr>,
    /// How the request reached us.
    pub transport: Transport,
    /// The header blocks, in document order.
    pub headers: Arc<[HeaderBlock]>,
    /// The request document the header block spans refer to (UTF-8, BOM removed).
    pub document: Bytes,
    /// Who is calling, once the guard has admitted the call (none for public operations).
    pub caller: Option<Arc<Caller>>,
    /// The user named by a verified TLS client certificate.
    pub client_certificate: Option<Arc<str>>,
    /// The request came as an MTOM/XOP package.
    pub packaged: bool,
}

impl RequestContext {
    /// The text of `block` in the request document.
    pub fn header_text(&self, block: &HeaderBlock) -> Option<&str> {
        std::str::from_utf8(self.document.get(block.span.clone())?).ok()
    }

    /// A reader over `block`, positioned before its start tag.
    pub fn header_reader(&self, block: &HeaderBlock, limits: XmlLimits) -> Option<XmlReader<'_>> {
        Some(XmlReader::fragment(
            self.header_text(block)?,
            limits,
            block.bindings.clone(),
        ))
    }

    /// The whole request document as text.
    pub fn document_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.document).ok()
    }
}

/// Something a handler can take as an argument, built from the request context and the
/// service state. Failing extraction answers the request with the returned fault.
pub trait FromContext<S>: Sized {
    fn from_context(cx: &RequestContext, state: &S) -> Result<Self, Fault>;
}

/// The service state, cloned.
#[derive(Debug, Clone)]
pub struct State<S>(pub S);

impl<S: Clone> FromContext<S> for State<S> {
    fn from_context(_: &RequestContext, state: &S) -> Result<Self, Fault> {
        Ok(State(state.clone()))
    }
}

impl<S> FromContext<S> for Client {
    fn from_context(cx: &RequestContext, _: &S) -> Result<Self, Fault> {
        Ok(Client {
            ip: cx.client_ip,
            transport: cx.transport,
        })
    }
}

/// The authenticated caller; asking for it in an operation open to anyone is a bug of the
/// service, answered with a Server fault.
impl<S> FromContext<S> for Caller {
    fn from_context(cx: &RequestContext, _: &S) -> Result<Self, Fault> {
        match &cx.caller {
            Some(caller) => Ok(Caller::clone(caller)),
            None => {
                tracing::error!("a handler asked for the caller of an operation open to anyone");
                Err(Fault::internal())
            }
        }
    }
}
