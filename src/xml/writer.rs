//! Append-only XML writer into a byte buffer, escaping text and attribute values.

use super::Namespace;

/// Writes XML into a growing buffer. Names are written as given; text and attribute values
/// are escaped so that they read back exactly (CR is written as `&#13;` so it survives line-end
/// normalization).
#[derive(Debug, Default)]
pub struct XmlWriter {
    buf: Vec<u8>,
}

impl XmlWriter {
    pub fn with_capacity(capacity: usize) -> Self {
        XmlWriter {
            buf: Vec::with_capacity(capacity),
        }
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

    fn escape(&mut self, text: &str, attribute: bool) {
        let bytes = text.as_bytes();
        let mut from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let replacement: &[u8] = match b {
                b'&' => b"&amp;",
                b'<' => b"&lt;",
                b'>' => b"&gt;",
                b'\r' => b"&#13;",
                b'"' if attribute => b"&quot;",
                b'\n' if attribute => b"&#10;",
                b'\t' if attribute => b"&#9;",
                _ => continue,
            };
            self.buf.extend_from_slice(&bytes[from..i]);
            self.buf.extend_from_slice(replacement);
            from = i + 1;
        }
        self.buf.extend_from_slice(&bytes[from..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Event, XmlLimits, XmlReader};

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
