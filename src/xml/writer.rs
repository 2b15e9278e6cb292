//! Append-only XML writer into a byte buffer, escaping text and attribute values.

use super::Namespace;

/// Writes XML into a growing buffer. Names are written as given; text and attribute values
/// are escaped so that they read back exactly (CR is written as `&#13;` so it survives line-end
/// normalization).
///
/// A writer that [`XmlWriter::optimize`]s collects binary content into parts for an MTOM
/// package instead of writing it as base64 (see `crate::codec::Binary`).
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: Vec<u8>,
    parts: Option<Vec<bytes::Bytes>>,
}

/// The Content-ID of the `index`th part an optimizing writer collected.
pub fn part_id(index: usize) -> String {
    format!("part{}@soapstone", index + 1)
}

impl XmlWriter {
    pub fn with_capacity(capacity: usize) -> Self {
        XmlWriter {
            buf: Vec::with_capacity(capacity),
            parts: None,
        }
    }

    /// From now on binary content becomes parts of an MTOM package.
    pub fn optimize(&mut self) {
        self.parts.get_or_insert_with(Vec::new);
    }

    /// Takes `bytes` as the next part when the writer optimizes, returning its Content-ID;
    /// `None` when binary content is to be written inline.
    pub fn attach(&mut self, bytes: bytes::Bytes) -> Option<String> {
        let parts = self.parts.as_mut()?;
        parts.push(bytes);
        Some(part_id(parts.len() - 1))
    }

    /// The document and the parts it includes (in the order of [`part_id`]).
    pub fn into_package(self) -> (Vec<u8>, Vec<bytes::Bytes>) {
        (self.buf, self.parts.unwrap_or_default())
    }

    /// `bytes` as base64 text (which needs no escaping).
    pub fn base64(&mut self, bytes: &[u8]) {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        let start = self.buf.len();
        self.buf.resize(
            start + base64::encoded_len(bytes.len(), true).unwrap_or(0),
            0,
        );
        let written = engine
            .encode_slice(bytes, &mut self.buf[start..])
            .unwrap_or(0);
        self.buf.truncate(start + written);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Appends markup as it is.
    pub fn raw(&mut self, markup: &str) {
        self.buf.extend_from_slice(markup.as_bytes());
    }

    /// `<prefix:local` — follow with attributes and [`XmlWriter::close_start`].
    pub fn start(&mut self, prefix: &str, local: &str) {
        self.buf.push(b'<');
        self.name(prefix, local);
    }

    /// ` xmlns:prefix="uri"` for `ns`.
    pub fn declare(&mut self, ns: Namespace) {
        self.buf.extend_from_slice(b" xmlns:");
        self.buf.extend_from_slice(ns.prefix.as_bytes());
        self.buf.extend_from_slice(b"=\"");
        self.escape(ns.uri, true);
        self.buf.push(b'"');
    }

    /// ` name="value"`, the value escaped.
    pub fn attr(&mut self, name: &str, value: &str) {
        self.buf.push(b' ');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"=\"");
        self.escape(value, true);
        self.buf.push(b'"');
    }

    /// Ends a start tag opened with [`XmlWriter::start`].
    pub fn close_start(&mut self) {
        self.buf.push(b'>');
    }

    /// Ends a start tag as an empty element (`/>`).
    pub fn close_empty(&mut self) {
        self.buf.extend_from_slice(b"/>");
    }

    /// `<prefix:local>`.
    pub fn open(&mut self, prefix: &str, local: &str) {
        self.start(prefix, local);
        self.close_start();
    }

    /// `</prefix:local>`.
    pub fn end(&mut self, prefix: &str, local: &str) {
        self.buf.extend_from_slice(b"</");
        self.name(prefix, local);
        self.buf.push(b'>');
    }

    /// Escaped character data.
    pub fn text(&mut self, text: &str) {
        self.escape(text, false);
    }

    /// `<prefix:local>text</prefix:local>`.
    pub fn text_element(&mut self, prefix: &str, local: &str, text: &str) {
        self.open(prefix, local);
        self.text(text);
        self.end(prefix, local);
    }

    fn name(&mut self, prefix: &str, local: &str) {
        if !prefix.is_empty() {
            self.buf.extend_from_slice(prefix.as_bytes());
            self.buf.push(b':');
        }
        self.buf.extend_from_slice(local.as_bytes());
    }

    /// Escapes markup characters, and replaces the characters XML 1.0 cannot carry at all
    /// (C0 controls other than tab, LF and CR; U+FFFE; U+FFFF) with U+FFFD, so that text
    /// echoed from a request can never make a response ill-formed.
    fn escape(&mut self, text: &str, attribute: bool) {
        const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();
        let bytes = text.as_bytes();
        let table = if attribute { &ATTRIBUTE } else { &TEXT };
        let mut from = 0;
        let mut i = 0;
        while i < bytes.len() {
            if !table[usize::from(bytes[i])] {
                i += 1;
                continue;
            }
            let b = bytes[i];
            let (replacement, width): (&[u8], usize) = match b {
                b'&' => (b"&amp;", 1),
                b'<' => (b"&lt;", 1),
                b'>' => (b"&gt;", 1),
                b'\r' => (b"&#13;", 1),
                b'"' if attribute => (b"&quot;", 1),
                b'\n' if attribute => (b"&#10;", 1),
                b'\t' if attribute => (b"&#9;", 1),
                b'\t' | b'\n' => {
                    i += 1;
                    continue;
                }
                0..0x20 => (REPLACEMENT, 1),
                0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                    (REPLACEMENT, 3)
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            self.buf.extend_from_slice(&bytes[from..i]);
            self.buf.extend_from_slice(replacement);
            i += width;
            from = i;
        }
        self.buf.extend_from_slice(&bytes[from..]);
    }
}

/// Bytes the escaper must look at: markup, CR, C0 controls, and the lead byte of U+FFFE/FFFF;
/// in attributes also quotes, LF and tab.
const TEXT: [bool; 256] = needs_escape(false);
const ATTRIBUTE: [bool; 256] = needs_escape(true);

const fn needs_escape(attribute: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = attribute || !(b == b'\t' as usize || b == b'\n' as usize);
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'\r' as usize] = true;
    table[0xEF] = true;
    table[b'"' as usize] = attribute;
    table
}

/// Raw markup through `write!`, for values whose formatting needs no escaping (numbers).
impl std::fmt::Write for XmlWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.raw(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Event, XmlLimits, XmlReader};

    #[test]
    fn characters_xml_cannot_carry_become_replacement_characters() {
        let mut w = XmlWriter::default();
        w.start("", "r");
        w.attr("v", "a\u{1}b\u{FFFF}");
        w.close_start();
        w.text("x\u{0}y\u{FFFE}z\u{1F}\u{EFBF}\u{FFFD}");
        w.end("", "r");
        let bytes = w.into_bytes();
        let mut r = XmlReader::new(&bytes, XmlLimits::default()).unwrap();
        let Event::Start(s) = r.next_event().unwrap() else {
            panic!()
        };
        assert_eq!(s.attr("", "v"), Some("a\u{FFFD}b\u{FFFD}"));
        assert_eq!(
            r.next_event().unwrap(),
            Event::Text("x\u{FFFD}y\u{FFFD}z\u{FFFD}\u{EFBF}\u{FFFD}".into())
        );
    }

    #[test]
    fn escapes_so_that_text_reads_back_exactly() {
        let tricky = "a & b <c> ]]> \"q\" 'a' \r\n\ttab ö";
        let mut w = XmlWriter::default();
        w.start("", "r");
        w.attr("v", tricky);
        w.close_start();
        w.text(tricky);
        w.end("", "r");
        let bytes = w.into_bytes();
        let mut r = XmlReader::new(&bytes, XmlLimits::default()).unwrap();
        let Event::Start(s) = r.next_event().unwrap() else {
            panic!()
        };
        assert_eq!(s.attr("", "v"), Some(tricky));
        assert_eq!(r.next_event().unwrap(), Event::Text(tricky.into()));
    }
}
