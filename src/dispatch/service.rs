//! A service: its operations keyed by body element QName, with their SOAPActions.

use super::{Handler, HandlerFuture, RequestContext};
use crate::codec::{DecodeError, Message, decode_message};
use crate::security::Access;
use crate::xml::{Start, XmlReader};

/// A decoded request bound to its handler, ready to run.
pub type PreparedCall = Box<dyn FnOnce(RequestContext) -> HandlerFuture + Send>;

type Decoder<S> = Box<
    dyn Fn(
            &mut XmlReader<'_>,
        )
            -> Result<Box<dyn FnOnce(RequestContext, S) -> HandlerFuture + Send>, DecodeError>
        + Send
        + Sync,
>;

/// Names of one operation, for routing, documentation and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    pub name: &'static str,
    pub namespace: &'static str,
    pub action: String,
    /// Who may call it.
    pub access: Access,
}

struct Operation<S> {
    info: OperationInfo,
    decode: Decoder<S>,
}

/// The operations of one service over state `S`; see [`Service::operation`].
pub struct Service<S> {
    name: &'static str,
    action_base: &'static str,
    state: S,
    operations: Vec<Operation<S>>,
}

/// A service with its state type erased, as the SOAP endpoint drives it.
pub trait SoapService: Send + Sync {
    /// The service name, as in the WSDL (`UserService`).
    fn name(&self) -> &'static str;
    /// The operation whose request element is `{ns}local`.
    fn operation(&self, ns: &str, local: &str) -> Option<&OperationInfo>;
    /// Every operation, sorted by name.
    fn operations(&self) -> Vec<&OperationInfo>;
    /// Decodes the request element whose start tag was just read from `reader` (through its
    /// end tag) and binds it to the operation's handler.
    fn prepare(
        &self,
        operation: &Start<'_>,
        reader: &mut XmlReader<'_>,
    ) -> Result<PreparedCall, PrepareError>;
}

/// Why a request could not be bound to an operation.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("unknown operation: the service has no operation whose request element is {0}")]
    UnknownOperation(String),
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl<S: Clone + Send + Sync + 'static> Service<S> {
    /// A service named `name` whose operations' SOAPActions are `action_base` + operation name.
    pub fn new(name: &'static str, action_base: &'static str, state: S) -> Self {
        Service {
            name,
            action_base,
            state,
            operations: Vec::new(),
        }
    }

    /// Adds an operation that `access` may call; its name and namespace are those of the
    /// handler's request message.
    pub fn operation<T, H: Handler<T, S>>(mut self, handler: H, access: impl Into<Access>) -> Self {
        let ns = <H::Request as Message>::NAMESPACE.uri;
        let name = <H::Request as Message>::NAME;
        let info = OperationInfo {
            name,
            namespace: ns,
            action: format!("{}{}", self.action_base, name),
            access: access.into(),
        };
        let decode: Decoder<S> = Box::new(move |reader| {
            let request = decode_message::<H::Request>(reader)?;
            let handler = handler.clone();
            Ok(Box::new(move |cx: RequestContext, state: S| {
                handler.call(cx, state, request)
            }))
        });
        self.operations
            .retain(|op| (op.info.namespace, op.info.name) != (ns, name));
        self.operations.push(Operation { info, decode });
        self
    }
}

impl<S> Service<S> {
    fn find(&self, ns: &str, local: &str) -> Option<&Operation<S>> {
        self.operations
            .iter()
            .find(|op| op.info.name == local && op.info.namespace == ns)
    }
}

impl<S: Clone + Send + Sync + 'static> SoapService for Service<S> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn operation(&self, ns: &str, local: &str) -> Option<&OperationInfo> {
        self.find(ns, local).map(|op| &op.info)
    }

    fn operations(&self) -> Vec<&OperationInfo> {
        let mut all: Vec<_> = self.operations.iter().map(|op| &op.info).collect();
        all.sort_by_key(|info| info.name);
        all
    }

    fn prepare(
        &self,
        operation: &Start<'_>,
        reader: &mut XmlReader<'_>,
    ) -> Result<PreparedCall, PrepareError> {
        let op = self
            .find(&operation.ns, operation.local)
            .ok_or_else(|| PrepareError::UnknownOperation(operation.expanded_name()))?;
        let bound = (op.decode)(reader)?;
        let state = self.state.clone();
        Ok(Box::new(move |cx| bound(cx, state)))
    }
}
