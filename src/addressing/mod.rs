//! WS-Addressing 1.0 (W3C, namespace `http://www.w3.org/2005/08/addressing`) for the
//! endpoint: a request's message addressing headers read and checked (`request.rs`), the
//! faults its SOAP binding defines for them (`faults.rs`), and the headers of the reply
//! (`reply.rs`). Replies go back on the HTTP response only: a request naming another address
//! for them is refused, and nothing is ever sent to an address a request names.

mod faults;
mod reply;
mod request;

pub use faults::{action_mismatch, action_not_supported};
pub use reply::{Reply, ReplyHeaders};
pub use request::{Addressing, AddressingError, read};

use crate::xml::{Namespace, QName};

pub const WSA_NS: &str = "http://www.w3.org/2005/08/addressing";

/// The namespace with the prefix we write for it.
pub const WSA: Namespace = Namespace {
    uri: WSA_NS,
    prefix: "wsa",
};

/// The address of the HTTP response (Core §2.1).
pub const ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";

/// The action of the faults WS-Addressing defines (SOAP Binding §6).
pub const FAULT_ACTION: &str = "http://www.w3.org/2005/08/addressing/fault";

/// The action of every other fault the WSDL does not declare (SOAP Binding §6).
pub const SOAP_FAULT_ACTION: &str = "http://www.w3.org/2005/08/addressing/soap/fault";

/// The header blocks this module processes, so that `mustUnderstand` on them is honoured.
pub const HEADERS: [QName; 7] = [
    QName {
        ns: WSA_NS,
        local: "To",
    },
    QName {
        ns: WSA_NS,
        local: "From",
    },
    QName {
        ns: WSA_NS,
        local: "ReplyTo",
    },
    QName {
        ns: WSA_NS,
        local: "FaultTo",
    },
    QName {
        ns: WSA_NS,
        local: "Action",
    },
    QName {
        ns: WSA_NS,
        local: "MessageID",
    },
    QName {
        ns: WSA_NS,
        local: "RelatesTo",
    },
];
