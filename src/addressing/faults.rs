//! The faults of the WS-Addressing 1.0 SOAP Binding (§6.4) as the endpoint sends them: SOAP
//! 1.2 `Sender` with the WS-Addressing subcode (and sub-subcode) and the detail in
//! `env:Detail`; SOAP 1.1 with the subcode as `faultcode` and the detail in a
//! `wsa:FaultDetail` header block.

use super::WSA;
use crate::soap::{Fault, FaultDetail};
use crate::xml::{Namespace, XmlWriter};

/// A WS-Addressing sub-subcode of `wsa:InvalidAddressingHeader` (SOAP Binding §6.4.1).
pub(super) type Why = &'static (&'static Namespace, &'static str);

pub(super) const INVALID_CARDINALITY: Why = &(&WSA, "InvalidCardinality");
pub(super) const INVALID_ADDRESS: Why = &(&WSA, "InvalidAddress");
pub(super) const INVALID_EPR: Why = &(&WSA, "InvalidEPR");
pub(super) const MISSING_ADDRESS: Why = &(&WSA, "MissingAddressInEPR");
pub(super) const ONLY_ANONYMOUS: Why = &(&WSA, "OnlyAnonymousAddressSupported");
const ACTION_MISMATCH: Why = &(&WSA, "ActionMismatch");

/// Where SOAP 1.1 carries the details (SOAP Binding §6.3).
const FAULT_DETAIL: (&Namespace, &str) = (&WSA, "FaultDetail");

const INVALID: &str = "A header representing a Message Addressing Property is not valid and the message cannot be processed";

/// The detail naming the header at fault: `wsa:ProblemHeaderQName`.
#[derive(Debug)]
struct ProblemHeader(&'static str);

impl FaultDetail for ProblemHeader {
    fn write(&self, w: &mut XmlWriter) {
        w.start(WSA.prefix, "ProblemHeaderQName");
        w.declare(WSA);
        w.close_start();
        w.text(&format!("{}:{}", WSA.prefix, self.0));
        w.end(WSA.prefix, "ProblemHeaderQName");
    }

    fn element(&self) -> &'static str {
        "ProblemHeaderQName"
    }

    fn soap11_header(&self) -> Option<(&'static Namespace, &'static str)> {
        Some(FAULT_DETAIL)
    }
}

/// The detail naming the action that is not supported: `wsa:ProblemAction`.
#[derive(Debug)]
struct ProblemAction(String);

impl FaultDetail for ProblemAction {
    fn write(&self, w: &mut XmlWriter) {
        w.start(WSA.prefix, "ProblemAction");
        w.declare(WSA);
        w.close_start();
        w.text_element(WSA.prefix, "Action", &self.0);
        w.end(WSA.prefix, "ProblemAction");
    }

    fn element(&self) -> &'static str {
        "ProblemAction"
    }

    fn soap11_header(&self) -> Option<(&'static Namespace, &'static str)> {
        Some(FAULT_DETAIL)
    }
}

fn fault(subcode: &'static str, reason: String, detail: impl FaultDetail + 'static) -> Fault {
    Fault::client(reason)
        .with_subcode(&WSA, subcode)
        .with_detail(detail)
}

/// `wsa:InvalidAddressingHeader` for header `wsa:{header}`, with the sub-subcode `why` names
/// when there is one (`InvalidCardinality`, `MissingAddressInEPR`, …).
pub(super) fn invalid(header: &'static str, why: Option<Why>, problem: &str) -> Fault {
    let fault = fault(
        "InvalidAddressingHeader",
        format!("{INVALID}: wsa:{header} {problem}"),
        ProblemHeader(header),
    );
    match why {
        Some(why) => fault.with_subsubcode(why),
        None => fault,
    }
}

/// `wsa:MessageAddressingHeaderRequired` for the missing header `wsa:{header}`.
pub(super) fn required(header: &'static str, why: &str) -> Fault {
    fault(
        "MessageAddressingHeaderRequired",
        format!(
            "A required header representing a Message Addressing Property is not present: wsa:{header} ({why})"
        ),
        ProblemHeader(header),
    )
}

/// `wsa:ActionNotSupported`: `action` is not the action of the operation in the Body.
pub fn action_not_supported(action: &str, operation: &str) -> Fault {
    fault(
        "ActionNotSupported",
        format!(
            "The [action] cannot be processed at the receiver: '{action}' is not an action of the operation {operation} in the Body"
        ),
        ProblemAction(action.to_string()),
    )
}

/// `wsa:InvalidAddressingHeader` / `wsa:ActionMismatch`: the SOAPAction is not the
/// `wsa:Action` (SOAP Binding §4, §6.4.1).
pub fn action_mismatch(soap_action: &str, action: &str) -> Fault {
    invalid(
        "Action",
        Some(ACTION_MISMATCH),
        &format!("'{action}' is not the SOAPAction '{soap_action}'"),
    )
}
