//! A service: its operations keyed by body element QName, with the SOAPActions its WSDL
//! contract gives them.

use super::{Handler, HandlerFuture, RequestContext};
use crate::codec::{Attachments, DecodeError, Message, decode_message};
use crate::contract::{Bound, ServiceContract};
use crate::identity::Access;
use crate::xml::XmlReader;

/// A decoded request bound to its handler, ready to run.
pub type PreparedCall = Box<dyn FnOnce(RequestContext) -> HandlerFuture + Send>;

/// Decodes an operation's request element and binds it to the handler and the service state.
type Decoder = Box<
    dyn Fn(&mut XmlReader<'_>, Option<&mut Attachments>) -> Result<PreparedCall, DecodeError>
        + Send
        + Sync,
>;

/// Names of one operation, for routing, documentation and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    pub name: &'static str,
    pub namespace: &'static str,
    /// The WSDL's SOAPAction of the operation; empty for a handler the contract does not
    /// declare (the registration check refuses it).
    pub action: &'static str,
    /// The element the handler answers with: namespace and local name.
    pub response: (&'static str, &'static str),
    /// Who may call it.
    pub access: Access,
}

impl OperationInfo {
    /// This operation as the contract check sees it.
    pub fn bound(&self) -> Bound<'_> {
        Bound {
            element: self.name,
            namespace: self.namespace,
            response: self.response,
        }
    }
}

struct Operation {
    info: OperationInfo,
    decode: Decoder,
}

/// The operation a request's body element selected: its names, and the decoder of its
/// request, so that the endpoint asks dispatch once.
pub struct Dispatched<'a> {
    pub info: &'a OperationInfo,
    decode: &'a Decoder,
}

impl Dispatched<'_> {
    /// Decodes the request element whose start tag was just read from `reader` (through its
    /// end tag), with the `attachments` of its XOP package when it came in one, and binds it
    /// to the operation's handler.
    pub fn decode(
        &self,
        reader: &mut XmlReader<'_>,
        attachments: Option<&mut Attachments>,
    ) -> Result<PreparedCall, DecodeError> {
        (self.decode)(reader, attachments)
    }
}

/// The operations of one service over state `S`; see [`Service::operation`].
pub struct Service<S> {
    contract: &'static ServiceContract,
    state: S,
    operations: Vec<Operation>,
}

/// A service with its state type erased, as the SOAP endpoint drives it.
pub trait SoapService: Send + Sync {
    /// The service name, as in the WSDL (`UserService`).
    fn name(&self) -> &'static str;
    /// The contract description of its WSDL service.
    fn contract(&self) -> &'static ServiceContract;
    /// The operation whose request element is `{ns}local`.
    fn dispatch(&self, ns: &str, local: &str) -> Option<Dispatched<'_>>;
    /// Every operation, sorted by name.
    fn operations(&self) -> Vec<&OperationInfo>;
}

impl<S: Clone + Send + Sync + 'static> Service<S> {
    /// The service `contract` describes (generated from its WSDL), over `state`.
    pub fn for_contract(contract: &'static ServiceContract, state: S) -> Self {
        Service {
            contract,
            state,
            operations: Vec::new(),
        }
    }

    /// Adds an operation that `access` may call; its name and namespace are those of the
    /// handler's request message, its SOAPAction the contract's for that element.
    pub fn operation<T, H: Handler<T, S>>(mut self, handler: H, access: impl Into<Access>) -> Self {
        let ns = <H::Request as Message>::NAMESPACE.uri;
        let name = <H::Request as Message>::NAME;
        let response = <H::Response as Message>::NAMESPACE.uri;
        let info = OperationInfo {
            name,
            namespace: ns,
            action: self
                .contract
                .operations
                .iter()
                .find(|op| (op.input.namespace, op.input.local) == (ns, name))
                .map_or("", |op| op.soap_action),
            response: (response, <H::Response as Message>::NAME),
            access: access.into(),
        };
        let state = self.state.clone();
        let decode: Decoder = Box::new(move |reader, attachments| {
            let request = decode_message::<H::Request>(reader, attachments)?;
            let (handler, state) = (handler.clone(), state.clone());
            Ok(
                Box::new(move |cx: RequestContext| handler.call(cx, state, request))
                    as PreparedCall,
            )
        });
        self.operations
            .retain(|op| (op.info.namespace, op.info.name) != (ns, name));
        self.operations.push(Operation { info, decode });
        self
    }
}

impl<S: Send + Sync> SoapService for Service<S> {
    fn name(&self) -> &'static str {
        self.contract.name
    }

    fn contract(&self) -> &'static ServiceContract {
        self.contract
    }

    fn dispatch(&self, ns: &str, local: &str) -> Option<Dispatched<'_>> {
        self.operations
            .iter()
            .find(|op| op.info.name == local && op.info.namespace == ns)
            .map(|op| Dispatched {
                info: &op.info,
                decode: &op.decode,
            })
    }

    fn operations(&self) -> Vec<&OperationInfo> {
        let mut all: Vec<_> = self.operations.iter().map(|op| &op.info).collect();
        all.sort_by_key(|info| info.name);
        all
    }
}
