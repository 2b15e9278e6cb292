//! Binary content, the value of an `xs:base64Binary` element: decoded inline base64, or an
//! XOP attachment of an MTOM request (an `xop:Include href="cid:…"` in the element's place),
//! held in memory or, past a size, spooled to a temporary file so that a large attachment is
//! never in memory as a whole. [`Attachments`] are the parts of one XOP package by
//! Content-ID, which the decoder resolves includes against.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;

use super::{Decode, Decoder, Encode};
use crate::xml::{XmlError, XmlWriter};

/// The namespace of `xop:Include` (XOP 1.0).
pub const XOP_NS: &str = "http://www.w3.org/2004/08/xop/include";

/// Binary content; see the module docs.
#[derive(Clone)]
pub struct Binary(Content);

#[derive(Clone)]
enum Content {
    Memory(Bytes),
    /// An attachment spooled to a file, removed when the last clone is dropped.
    Spooled {
        file: Arc<tempfile::TempPath>,
        len: u64,
    },
}

impl Binary {
    /// Content held in memory.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Binary(Content::Memory(bytes.into()))
    }

    /// Content that was written to `file`, `len` bytes long; the file goes with the value.
    pub fn spooled(file: tempfile::TempPath, len: u64) -> Self {
        Binary(Content::Spooled {
            file: Arc::new(file),
            len,
        })
    }

    /// The number of bytes.
    pub fn len(&self) -> u64 {
        match &self.0 {
            Content::Memory(bytes) => bytes.len() as u64,
            Content::Spooled { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads the content from its start (blocking when it is spooled).
    pub fn reader(&self) -> io::Result<Box<dyn Read + Send>> {
        Ok(match &self.0 {
            Content::Memory(bytes) => Box::new(io::Cursor::new(bytes.clone())),
            Content::Spooled { file, .. } => Box::new(std::fs::File::open(file.as_ref())?),
        })
    }

    /// The content in memory (read from its file when it is spooled).
    pub fn to_bytes(&self) -> io::Result<Bytes> {
        match &self.0 {
            Content::Memory(bytes) => Ok(bytes.clone()),
            Content::Spooled { file, .. } => std::fs::read(file.as_ref()).map(Bytes::from),
        }
    }
}

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match self.0 {
            Content::Memory(_) => "in memory",
            Content::Spooled { .. } => "spooled",
        };
        write!(f, "Binary({} bytes, {place})", self.len())
    }
}

/// Equal when the bytes are (a spooled value is read to compare; an unreadable one is equal
/// to nothing).
impl PartialEq for Binary {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && matches!((self.to_bytes(), other.to_bytes()), (Ok(a), Ok(b)) if a == b)
    }
}

impl Eq for Binary {}

impl Decode for Binary {
    fn decode(d: &mut Decoder<'_, '_>) -> Result<Option<Self>, XmlError> {
        d.binary()
    }
}

/// Inline base64, or an `xop:Include` of a new part when the writer packages an MTOM
/// response.
impl Encode for Binary {
    fn encode(&self, w: &mut XmlWriter) {
        let bytes = match self.to_bytes() {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "spooled binary content could not be read");
                Bytes::new()
            }
        };
        match w.attach(bytes.clone()) {
            Some(id) => {
                w.start("xop", "Include");
                w.attr("xmlns:xop", XOP_NS);
                w.attr("href", &format!("cid:{id}"));
                w.close_empty();
            }
            None => w.base64(&bytes),
        }
    }
}

/// Decodes inline base64 content, whitespace (line breaks) allowed anywhere.
pub(super) fn decode_base64(text: &str) -> Result<Binary, String> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    STANDARD
        .decode(&compact)
        .map(Binary::new)
        .map_err(|_| "is not valid base64".to_string())
}

/// One attachment of an XOP package: its media type and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub content_type: String,
    pub content: Binary,
}

/// The attachments of one XOP package by Content-ID (without the angle brackets).
#[derive(Debug, Default)]
pub struct Attachments {
    parts: HashMap<String, Part>,
}

impl Attachments {
    /// Adds the part with Content-ID `id`; `Err` with the part when the id is taken.
    pub fn insert(&mut self, id: String, part: Part) -> Result<(), String> {
        if self.parts.contains_key(&id) {
            return Err(id);
        }
        self.parts.insert(id, part);
        Ok(())
    }

    /// The part an `xop:Include` refers to by `href` (`cid:` and the percent-encoded
    /// Content-ID, RFC 2392), taken out: each part is included once.
    pub fn include(&mut self, href: &str) -> Result<Part, String> {
        let Some(encoded) = href
            .get(..4)
            .filter(|scheme| scheme.eq_ignore_ascii_case("cid:"))
            .map(|_| &href[4..])
        else {
            return Err(format!("href '{href}' is not a cid: URL"));
        };
        let id = percent_encoding::percent_decode_str(encoded)
            .decode_utf8()
            .map_err(|_| format!("href '{href}' is not UTF-8 once percent-decoded"))?;
        self.parts.remove(id.as_ref()).ok_or_else(|| {
            format!("href '{href}' names no attachment of the package (or one already included)")
        })
    }

    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(text: &str) -> Part {
        Part {
            content_type: "application/octet-stream".into(),
            content: Binary::new(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn includes_are_resolved_by_percent_decoded_content_id_once() {
        let mut parts = Attachments::default();
        parts.insert("img 1@example.org".into(), part("a")).unwrap();
        assert!(parts.insert("img 1@example.org".into(), part("b")).is_err());
        let found = parts.include("CID:img%201@example.org").unwrap();
        assert_eq!(found.content.to_bytes().unwrap(), Bytes::from_static(b"a"));
        assert!(parts.include("cid:img%201@example.org").is_err());
        assert!(parts.include("http://example.org/x").is_err());
        assert!(parts.include("cid:%FF").is_err());
    }

    #[test]
    fn base64_allows_line_breaks_and_refuses_other_text() {
        assert_eq!(
            decode_base64(" aGVs\r\nbG8= ").unwrap(),
            Binary::new(b"hello".to_vec())
        );
        assert!(decode_base64("not base64!").is_err());
    }

    #[test]
    fn spooled_content_reads_back_and_equals_the_same_bytes_in_memory() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), b"spooled").unwrap();
        let spooled = Binary::spooled(file.into_temp_path(), 7);
        let mut read = String::new();
        spooled.reader().unwrap().read_to_string(&mut read).unwrap();
        assert_eq!(read, "spooled");
        assert_eq!(spooled, Binary::new(b"spooled".to_vec()));
    }
}
