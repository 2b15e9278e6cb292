//! The decoding context: walks children, tracks the field path, and collects every problem.

use std::borrow::Cow;

use super::binary::{Attachments, Binary, XOP_NS, decode_base64};
use super::{Decode, Message, SimpleType};
use crate::xml::{self, Event, XSI_NS, XmlError, XmlReader};

/// One invalid or missing field: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    /// Element path relative to the operation element, e.g. `role[2]`; the operation
    /// element's name for problems with the element as a whole.
    pub path: String,
    pub message: String,
}

/// Why a message could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("the request has {} invalid field(s)", .0.len())]
    Invalid(Vec<FieldIssue>),
}

/// A child element as the decoder sees it.
#[derive(Debug)]
pub struct Child<'a> {
    pub ns: Cow<'a, str>,
    pub local: &'a str,
    /// `xsi:nil="true"` was given.
    pub nil: bool,
}

impl<'a> Child<'a> {
    /// The local name when the child is in namespace `ns`.
    pub fn name_in(&self, ns: &str) -> Option<&'a str> {
        (self.ns == ns).then_some(self.local)
    }
}

/// What was read for an element that occurs at most once.
#[derive(Debug, Default)]
pub enum Slot<T> {
    #[default]
    Absent,
    /// Present with `xsi:nil="true"`.
    Nil,
    /// Present but unusable (already reported).
    Invalid,
    Value(T),
}

/// What was read for a repeated element.
#[derive(Debug)]
pub struct Many<T> {
    pub items: Vec<T>,
    seen: usize,
    invalid: bool,
}

impl<T> Default for Many<T> {
    fn default() -> Self {
        Many {
            items: Vec::new(),
            seen: 0,
            invalid: false,
        }
    }
}

impl<T> Many<T> {
    /// The items, or `None` when one of them was invalid.
    pub fn into_items(self) -> Option<Vec<T>> {
        (!self.invalid).then_some(self.items)
    }
}

/// Decoding state for one message; see [`Decode`].
pub struct Decoder<'r, 'a> {
    reader: &'r mut XmlReader<'a>,
    root: &'static str,
    path: Vec<(&'static str, Option<usize>)>,
    issues: Vec<FieldIssue>,
    /// The attachments of the XOP package the message came in, when it did.
    attachments: Option<&'r mut Attachments>,
}

/// Decodes message `M` from `reader`, positioned just after `M`'s start tag; `attachments`
/// are those of the XOP package it came in (`None` for a plain SOAP message).
pub fn decode_message<M: Message + Decode>(
    reader: &mut XmlReader<'_>,
    attachments: Option<&mut Attachments>,
) -> Result<M, DecodeError> {
    let mut d = Decoder {
        reader,
        root: M::NAME,
        path: Vec::with_capacity(8),
        issues: Vec::new(),
        attachments,
    };
    let value = M::decode(&mut d)?;
    match value {
        Some(value) if d.issues.is_empty() => Ok(value),
        _ => {
            if d.issues.is_empty() {
                d.issue("the element is invalid");
            }
            Err(DecodeError::Invalid(d.issues))
        }
    }
}

impl<'a> Decoder<'_, 'a> {
    /// The next child element of the current element, or `None` at its end tag. Text other
    /// than whitespace between children is reported.
    pub fn child(&mut self) -> Result<Option<Child<'a>>, XmlError> {
        loop {
            match self.reader.next_child()? {
                xml::Child::Start(start) => {
                    let nil = start
                        .attr(XSI_NS, "nil")
                        .is_some_and(|v| matches!(v.trim(), "true" | "1"));
                    return Ok(Some(Child {
                        ns: start.ns,
                        local: start.local,
                        nil,
                    }));
                }
                xml::Child::End => return Ok(None),
                xml::Child::Text(_) => self.issue("text is not allowed here, only child elements"),
            }
        }
    }

    /// The text content of the current element, exactly as sent; `None` (reported) when it
    /// has child elements.
    pub fn text(&mut self) -> Result<Option<Cow<'a, str>>, XmlError> {
        let text = self.reader.read_text_content()?;
        if text.is_none() {
            match self.attachments {
                Some(_) => self.issue(
                    "must hold text, not child elements (xop:Include is allowed only in an \
                     xs:base64Binary element)",
                ),
                None => self.issue("must hold text, not child elements"),
            }
        }
        Ok(text)
    }

    /// Reads the current element as `xs:base64Binary`: inline base64, or one `xop:Include`
    /// of an attachment when the message came in an XOP package.
    pub fn binary(&mut self) -> Result<Option<Binary>, XmlError> {
        let mut text = String::new();
        let mut include = None;
        let mut elements = 0usize;
        loop {
            match self.reader.next_event()? {
                Event::Text(piece) => text.push_str(&piece),
                Event::Start(start) => {
                    elements += 1;
                    if start.is(XOP_NS, "Include") {
                        include = Some(start.attr("", "href").map(str::to_string));
                    }
                    self.reader.skip_element()?;
                }
                Event::End => break,
                Event::Eof => return Err(XmlError::UnexpectedEof),
            }
        }
        let inline = !text.trim().is_empty();
        let result = match (include, elements) {
            (None, 0) => decode_base64(&text),
            (Some(_), 1) if inline => {
                Err("holds both base64 text and an xop:Include; send one".to_string())
            }
            (Some(None), 1) => Err("the xop:Include has no href attribute".to_string()),
            (Some(Some(href)), 1) => match self.attachments.as_deref_mut() {
                Some(attachments) => attachments.include(&href).map(|part| part.content),
                None => Err("xop:Include is allowed only in an MTOM/XOP message \
                     (multipart/related; type=\"application/xop+xml\")"
                    .to_string()),
            },
            _ => Err("must hold base64 text or one xop:Include, not other elements".to_string()),
        };
        match result {
            Ok(binary) => Ok(Some(binary)),
            Err(message) => {
                self.issue(&message);
                Ok(None)
            }
        }
    }

    /// Reads the current element as a simple type.
    pub fn simple<T: SimpleType>(&mut self) -> Result<Option<T>, XmlError> {
        let Some(text) = self.text()? else {
            return Ok(None);
        };
        match T::parse(&text) {
            Ok(value) => Ok(Some(value)),
            Err(message) => {
                self.issue(&message);
                Ok(None)
            }
        }
    }

    /// Reads `child`, an element that may occur once and is not nillable, into `slot`.
    pub fn one<T: Decode>(
        &mut self,
        child: &Child<'_>,
        name: &'static str,
        slot: &mut Slot<T>,
    ) -> Result<(), XmlError> {
        self.read_one(child, name, slot, false)
    }

    /// Reads `child`, an element that may occur once and may be `xsi:nil`, into `slot`.
    pub fn one_nillable<T: Decode>(
        &mut self,
        child: &Child<'_>,
        name: &'static str,
        slot: &mut Slot<T>,
    ) -> Result<(), XmlError> {
        self.read_one(child, name, slot, true)
    }

    fn read_one<T: Decode>(
        &mut self,
        child: &Child<'_>,
        name: &'static str,
        slot: &mut Slot<T>,
        nillable: bool,
    ) -> Result<(), XmlError> {
        self.path.push((name, None));
        let result = if !matches!(slot, Slot::Absent) {
            self.issue("may occur only once");
            self.reader.skip_element()
        } else if child.nil {
            if nillable {
                *slot = Slot::Nil;
            } else {
                self.issue("must not be nil");
                *slot = Slot::Invalid;
            }
            self.reader.skip_element()
        } else {
            T::decode(self).map(|value| {
                *slot = value.map_or(Slot::Invalid, Slot::Value);
            })
        };
        self.path.pop();
        result
    }

    /// Reads one occurrence of a repeated element into `many`.
    pub fn many<T: Decode>(
        &mut self,
        child: &Child<'_>,
        name: &'static str,
        many: &mut Many<T>,
    ) -> Result<(), XmlError> {
        many.seen += 1;
        self.path.push((name, Some(many.seen)));
        let result = if child.nil {
            self.issue("must not be nil");
            many.invalid = true;
            self.reader.skip_element()
        } else {
            T::decode(self).map(|value| match value {
                Some(value) => many.items.push(value),
                None => many.invalid = true,
            })
        };
        self.path.pop();
        result
    }

    /// Reports `child` as not part of the current element's content and skips it.
    pub fn unexpected(&mut self, child: &Child<'_>) -> Result<(), XmlError> {
        let message = if child.ns.is_empty() {
            format!("unexpected element '{}' (in no namespace)", child.local)
        } else {
            format!(
                "unexpected element '{}' in namespace '{}'",
                child.local, child.ns
            )
        };
        let path = if self.path.is_empty() {
            child.local.to_string()
        } else {
            format!("{}/{}", self.path_string(), child.local)
        };
        self.issues.push(FieldIssue { path, message });
        self.reader.skip_element()
    }

    /// The value of a required element; reports it when absent.
    pub fn required<T>(&mut self, slot: Slot<T>, name: &'static str) -> Option<T> {
        match slot {
            Slot::Value(value) => Some(value),
            Slot::Absent => {
                self.issue_at(name, "is required");
                None
            }
            Slot::Nil | Slot::Invalid => None,
        }
    }

    /// The items of a repeated element that must occur at least once; reports it when absent.
    pub fn at_least_one<T>(&mut self, many: Many<T>, name: &'static str) -> Option<Vec<T>> {
        if many.seen == 0 {
            self.issue_at(name, "is required at least once");
            return None;
        }
        many.into_items()
    }

    /// Records a problem with the current element.
    pub fn issue(&mut self, message: &str) {
        let path = self.path_string();
        self.issues.push(FieldIssue {
            path,
            message: message.to_string(),
        });
    }

    /// Records a problem with child `name` of the current element.
    pub fn issue_at(&mut self, name: &'static str, message: &str) {
        self.path.push((name, None));
        self.issue(message);
        self.path.pop();
    }

    /// The path relative to the operation element; the element's own name for problems with
    /// the element as a whole.
    fn path_string(&self) -> String {
        if self.path.is_empty() {
            return self.root.to_string();
        }
        let mut path = String::new();
        for (i, (name, index)) in self.path.iter().enumerate() {
            if i > 0 {
                path.push('/');
            }
            path.push_str(name);
            if let Some(index) = index {
                path.push_str(&format!("[{index}]"));
            }
        }
        path
    }
}

impl<T> Slot<T> {
    /// The value when present and valid.
    pub fn into_option(self) -> Option<T> {
        match self {
            Slot::Value(value) => Some(value),
            _ => None,
        }
    }
}
