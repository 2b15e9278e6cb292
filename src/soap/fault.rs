//! The SOAP fault as the engine carries it, independent of the version it is written in.

use std::fmt;
use std::num::NonZeroU32;

use crate::codec::{Encode, Message, write_message};
use crate::xml::{Namespace, XmlWriter};

/// The top-level fault codes (their 1.1 / 1.2 names where they differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// `VersionMismatch`: the envelope namespace is not one we speak.
    VersionMismatch,
    /// `MustUnderstand`: a mandatory header block addressed to us was not understood.
    MustUnderstand,
    /// `Client` / `Sender`: the request is wrong and should not be resent unchanged.
    Client,
    /// `Server` / `Receiver`: the server failed; the same request may succeed later.
    Server,
    /// SOAP 1.2 `DataEncodingUnknown`: the Body is in a data encoding we do not support (SOAP
    /// 1.1 has no such code: `Client` there).
    DataEncodingUnknown,
}

/// A fault detail element (a declared `wsdl:fault` element) that can write itself.
pub trait FaultDetail: Send + Sync + fmt::Debug {
    fn write(&self, w: &mut XmlWriter);
    /// The detail element's local name, e.g. `AccessDeniedFault`.
    fn element(&self) -> &'static str;
    /// The header block SOAP 1.1 carries this detail in instead of `detail`, which it keeps for
    /// faults in processing the Body (the WS-Addressing SOAP 1.1 binding's `wsa:FaultDetail`).
    fn soap11_header(&self) -> Option<(&'static Namespace, &'static str)> {
        None
    }
}

impl<T: Message + Encode + Send + Sync + fmt::Debug> FaultDetail for T {
    fn write(&self, w: &mut XmlWriter) {
        write_message(w, self);
    }

    fn element(&self) -> &'static str {
        T::NAME
    }
}

/// A SOAP fault on its way to the caller.
#[derive(Debug)]
pub struct Fault {
    pub code: FaultCode,
    /// A more specific code: the 1.2 Subcode, and in 1.1 the faultcode itself (the
    /// WS-Security convention, e.g. `wsse:FailedAuthentication`), written with the
    /// namespace's prefix.
    pub subcode: Option<(&'static Namespace, &'static str)>,
    /// A still more specific code under the subcode: a nested 1.2 Subcode (SOAP 1.1 has no
    /// place for it; the reason names it), e.g. WS-Addressing's `wsa:InvalidCardinality`.
    pub subsubcode: Option<&'static (&'static Namespace, &'static str)>,
    /// Human-readable reason, in English.
    pub reason: String,
    pub detail: Option<Box<dyn FaultDetail>>,
    /// Header blocks that were not understood (SOAP 1.2 `NotUnderstood` headers).
    pub not_understood: Vec<(String, String)>,
    /// The caller is over a rate limit: the HTTP binding answers 503 with `Retry-After` of
    /// this many seconds.
    pub retry_after: Option<NonZeroU32>,
    /// A qualifier for the log and the audit trail only, never sent.
    pub note: Option<FaultNote>,
    /// Why, in a few words, for the access line only (never sent, not in the audit trail):
    /// e.g. `replay` for a security fault.
    pub cause: Option<&'static str>,
}

/// What the log and the audit trail say of a fault beyond what the caller is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultNote {
    /// An authentication refused during a backoff after repeated failures (the caller sees an
    /// ordinary failed authentication).
    Throttled,
}

impl FaultNote {
    pub fn as_str(self) -> &'static str {
        match self {
            FaultNote::Throttled => "throttled",
        }
    }
}

impl Fault {
    pub fn new(code: FaultCode, reason: impl Into<String>) -> Self {
        Fault {
            code,
            subcode: None,
            subsubcode: None,
            reason: reason.into(),
            detail: None,
            not_understood: Vec::new(),
            retry_after: None,
            note: None,
            cause: None,
        }
    }

    /// A fault in the request.
    pub fn client(reason: impl Into<String>) -> Self {
        Self::new(FaultCode::Client, reason)
    }

    /// A fault of the server whose cause the caller may be told.
    pub fn server(reason: impl Into<String>) -> Self {
        Self::new(FaultCode::Server, reason)
    }

    /// An internal error: the caller learns only the request id under which it was logged.
    pub fn internal() -> Self {
        Self::server("Internal server error")
    }

    pub fn with_detail(mut self, detail: impl FaultDetail + 'static) -> Self {
        self.detail = Some(Box::new(detail));
        self
    }

    /// Marks the fault as a rate limit: retry after `seconds` (at least 1).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = NonZeroU32::new(u32::try_from(seconds.max(1)).unwrap_or(u32::MAX));
        self
    }

    pub fn with_subcode(mut self, ns: &'static Namespace, local: &'static str) -> Self {
        self.subcode = Some((ns, local));
        self
    }

    pub fn with_subsubcode(mut self, code: &'static (&'static Namespace, &'static str)) -> Self {
        self.subsubcode = Some(code);
        self
    }

    /// Adds a cause for the access line, which neither the caller nor the audit trail sees.
    pub fn with_cause(mut self, cause: &'static str) -> Self {
        self.cause = Some(cause);
        self
    }

    /// Adds a note for the log and the audit trail, which the caller never sees.
    pub fn with_note(mut self, note: FaultNote) -> Self {
        self.note = Some(note);
        self
    }
}

impl Fault {
    /// The most specific name of this fault, for logs and the audit trail: the subcode
    /// (`wsse:FailedAuthentication`), else the detail element (`AccessDeniedFault`), else the
    /// code (`Client`); followed by the note in parentheses when there is one.
    pub fn label(&self) -> String {
        let label = if let Some((ns, local)) = self.subcode {
            format!("{}:{local}", ns.prefix)
        } else if let Some(detail) = &self.detail {
            detail.element().to_string()
        } else {
            format!("{:?}", self.code)
        };
        match self.note {
            Some(note) => format!("{label} ({})", note.as_str()),
            None => label,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.code, self.reason)
    }
}
