//! The security phase between dispatch and the handler, as the endpoint sees it: a guard
//! admits a call (naming its caller) or refuses it with a fault, secures what is sent back,
//! and hears how each call ended.

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;

use crate::dispatch::{OperationInfo, RequestContext};
use crate::identity::Caller;
use crate::soap::{Fault, SoapVersion};
use crate::xml::QName;

/// How one call ended, for the audit trail.
#[derive(Debug)]
pub struct CallRecord<'a> {
    pub service: &'static str,
    pub operation: &'static str,
    pub request_id: &'a str,
    pub client_ip: Option<IpAddr>,
    pub caller: Option<&'a Caller>,
    /// [`Fault::label`] when the call ended in a fault.
    pub fault: Option<String>,
}

/// A call the guard refused: the fault to answer with, and the caller when it was
/// authenticated but not allowed.
#[derive(Debug)]
pub struct Refusal {
    pub fault: Fault,
    pub caller: Option<Arc<Caller>>,
}

impl<F: Into<Fault>> From<F> for Refusal {
    fn from(fault: F) -> Self {
        Refusal {
            fault: fault.into(),
            caller: None,
        }
    }
}

#[async_trait]
pub trait Guard: Send + Sync {
    /// The caller of `operation` (none for a public operation), or why it is refused.
    async fn admit(
        &self,
        cx: &RequestContext,
        operation: &OperationInfo,
    ) -> Result<Option<Arc<Caller>>, Refusal>;

    /// Whether responses to `caller` must be secured by [`Guard::secure`] (checked first, so
    /// that the common case costs no future).
    fn secures(&self, caller: &Caller) -> bool;

    /// The response envelope (or fault envelope) written for `caller`, secured as the guard
    /// requires before it goes out; a fault when that is impossible.
    async fn secure(
        &self,
        caller: &Caller,
        version: SoapVersion,
        envelope: Vec<u8>,
    ) -> Result<Vec<u8>, Fault>;

    /// Header blocks the guard processes, so that mustUnderstand on them is honoured.
    fn understands(&self) -> Vec<QName>;

    fn record(&self, call: CallRecord<'_>);
}
