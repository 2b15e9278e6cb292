//! The message addressing headers of a reply (Core §3.4): its action, a new message id, the
//! request's message id as `wsa:RelatesTo`, the anonymous destination as `wsa:To`, and the
//! reference parameters of the endpoint the reply goes to, each marked
//! `wsa:IsReferenceParameter="true"`.

use super::{ANONYMOUS, WSA};
use crate::soap::HeaderWriter;
use crate::xml::XmlWriter;

/// What the reply to an addressed request must carry, as read from the request.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// The request's `wsa:MessageID`, when it had a valid one.
    pub relates_to: Option<String>,
    /// The reference parameters of `wsa:ReplyTo`, as header blocks ready to write.
    pub reply_parameters: Vec<String>,
    /// The reference parameters of `wsa:FaultTo`, when the request had one.
    pub fault_parameters: Option<Vec<String>>,
}

impl Reply {
    /// The headers of the reply with `action`: a fault goes to `wsa:FaultTo` when the request
    /// named one, else (like every other reply) to `wsa:ReplyTo`.
    pub fn headers(&self, action: Option<&str>, fault: bool) -> ReplyHeaders<'_> {
        let parameters = match (&self.fault_parameters, fault) {
            (Some(parameters), true) => parameters,
            _ => &self.reply_parameters,
        };
        ReplyHeaders {
            action: action.map(str::to_string),
            message_id: message_id(),
            relates_to: self.relates_to.as_deref(),
            parameters,
        }
    }
}

/// The addressing header blocks of one reply.
#[derive(Debug)]
pub struct ReplyHeaders<'a> {
    action: Option<String>,
    message_id: String,
    relates_to: Option<&'a str>,
    parameters: &'a [String],
}

impl HeaderWriter for ReplyHeaders<'_> {
    fn write_headers(&self, w: &mut XmlWriter) {
        let text = |w: &mut XmlWriter, local: &str, value: &str| {
            w.start(WSA.prefix, local);
            w.declare(WSA);
            w.close_start();
            w.text(value);
            w.end(WSA.prefix, local);
        };
        if let Some(action) = &self.action {
            text(w, "Action", action);
        }
        text(w, "MessageID", &self.message_id);
        if let Some(relates_to) = self.relates_to {
            text(w, "RelatesTo", relates_to);
        }
        text(w, "To", ANONYMOUS);
        for parameter in self.parameters {
            w.raw(parameter);
        }
    }
}

/// A new message id: a random (version 4) UUID as a URN.
fn message_id() -> String {
    uuid::Uuid::new_v4().urn().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_version_4_uuid_urns_and_differ() {
        let (a, b) = (message_id(), message_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), "urn:uuid:".len() + 36, "{a}");
        assert_eq!(&a[..9], "urn:uuid:");
        assert_eq!(&a[23..24], "4", "{a}");
        assert!("89ab".contains(&a[28..29]), "{a}");
    }
}
