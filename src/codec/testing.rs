//! Test helpers for message codecs: decode a message from its element's content, with the
//! message's own prefix bound to its namespace, and list the issues of a failed decode.

use super::{Attachments, Decode, DecodeError, Message, decode_message};
use crate::xml::{Event, XmlLimits, XmlReader};

/// Decodes `M` from its element with content `body`, written with `M`'s namespace prefix
/// (and `xsi` bound).
pub(crate) fn decode<M: Message + Decode>(body: &str) -> Result<M, DecodeError> {
    decode_with::<M>(body, None)
}

/// [`decode`], for a message that came in an XOP package with `attachments`.
pub(crate) fn decode_with<M: Message + Decode>(
    body: &str,
    attachments: Option<&mut Attachments>,
) -> Result<M, DecodeError> {
    let ns = M::NAMESPACE;
    let doc = format!(
        r#"<{p}:{n} xmlns:{p}="{uri}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{body}</{p}:{n}>"#,
        p = ns.prefix,
        n = M::NAME,
        uri = ns.uri
    );
    let mut reader = XmlReader::new(doc.as_bytes(), XmlLimits::default()).unwrap();
    let Ok(Event::Start(_)) = reader.next_event() else {
        panic!("no start tag")
    };
    decode_message::<M>(&mut reader, attachments)
}

/// The (path, message) of every issue of a decode that found invalid fields.
pub(crate) fn issues(error: DecodeError) -> Vec<(String, String)> {
    match error {
        DecodeError::Invalid(issues) => issues.into_iter().map(|i| (i.path, i.message)).collect(),
        other => panic!("{other:?}"),
    }
}
