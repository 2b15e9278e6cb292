//! Request encodings: UTF-8 (with or without a byte order mark), UTF-16 with a byte order
//! mark, and ISO-8859-1 when the HTTP charset or the XML declaration says so. Everything else
//! is refused, as is a byte order mark that contradicts the declared charset. The reader then
//! sees UTF-8 only.

use std::borrow::Cow;

use super::XmlError;

/// The encoding a document arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceEncoding {
    Utf8,
    Utf16,
    Latin1,
}

impl SourceEncoding {
    /// Whether an XML declaration may name `declared` for a document in this encoding.
    pub fn admits(self, declared: &str) -> bool {
        let name = declared.trim().to_ascii_lowercase();
        match self {
            SourceEncoding::Utf8 => {
                matches!(name.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii")
            }
            SourceEncoding::Utf16 => matches!(name.as_str(), "utf-16" | "utf-16le" | "utf-16be"),
            SourceEncoding::Latin1 => matches!(
                name.as_str(),
                "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" | "us-ascii" | "ascii"
            ),
        }
    }
}

/// `bytes` as UTF-8, given the HTTP `charset` parameter (if any).
pub fn to_utf8<'a>(
    bytes: &'a [u8],
    charset: Option<&str>,
) -> Result<(Cow<'a, [u8]>, SourceEncoding), XmlError> {
    let charset = charset.map(|c| c.trim().trim_matches('"').to_ascii_lowercase());
    let unsupported = |name: &str| Err(XmlError::UnsupportedEncoding(name.to_string()));
    let contradiction = |bom: &str, charset: &str| {
        Err(XmlError::UnsupportedEncoding(format!(
            "{charset} (the message starts with a {bom} byte order mark)"
        )))
    };
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return match charset.as_deref() {
            None | Some("utf-8" | "utf8") => Ok((Cow::Borrowed(bytes), SourceEncoding::Utf8)),
            Some(other) => contradiction("UTF-8", other),
        };
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some(false),
        [0xFE, 0xFF, ..] => Some(true),
        _ => None,
    };
    if let Some(big_endian) = utf16 {
        if let Some(other) = charset
            .as_deref()
            .filter(|c| !matches!(*c, "utf-16" | "utf-16le" | "utf-16be"))
        {
            return contradiction("UTF-16", other);
        }
        return decode_utf16(&bytes[2..], big_endian)
            .map(|text| (Cow::Owned(text.into_bytes()), SourceEncoding::Utf16));
    }
    let declared = charset.or_else(|| declared_encoding(bytes));
    match declared.as_deref() {
        None | Some("utf-8" | "utf8" | "us-ascii" | "ascii") => {
            Ok((Cow::Borrowed(bytes), SourceEncoding::Utf8))
        }
        Some("iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1") => Ok((
            Cow::Owned(
                bytes
                    .iter()
                    .map(|&b| char::from(b))
                    .collect::<String>()
                    .into_bytes(),
            ),
            SourceEncoding::Latin1,
        )),
        Some("utf-16" | "utf-16le" | "utf-16be") => unsupported("UTF-16 without a byte order mark"),
        Some(other) => unsupported(other),
    }
}

fn decode_utf16(bytes: &[u8], big_endian: bool) -> Result<String, XmlError> {
    if bytes.len() % 2 != 0 {
        return Err(XmlError::Encoding {
            position: bytes.len() + 1,
        });
    }
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for (i, unit) in char::decode_utf16(units).enumerate() {
        match unit {
            Ok(ch) => text.push(ch),
            Err(_) => {
                return Err(XmlError::Encoding {
                    position: 2 + i * 2,
                });
            }
        }
    }
    Ok(text)
}

/// The `encoding` of an XML declaration at the start of an ASCII-compatible document.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(200))?;
    let head = std::str::from_utf8(head)
        .unwrap_or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default());
    let decl = head.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf8(bytes: &[u8], charset: Option<&str>) -> Result<(String, SourceEncoding), XmlError> {
        to_utf8(bytes, charset).map(|(b, e)| (String::from_utf8(b.into_owned()).expect("UTF-8"), e))
    }

    #[test]
    fn decodes_utf16_with_either_byte_order_mark() {
        let text = "<a>ö €𝄞</a>";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(
            utf8(&le, None).unwrap(),
            (text.into(), SourceEncoding::Utf16)
        );
        assert_eq!(
            utf8(&be, Some("UTF-16")).unwrap(),
            (text.into(), SourceEncoding::Utf16)
        );
        assert!(
            utf8(&le, Some("utf-8")).is_err(),
            "a BOM contradicting the charset"
        );
        assert!(
            utf8(&[0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00], None).is_err(),
            "lone surrogate"
        );
    }

    #[test]
    fn latin1_by_charset_or_declaration() {
        let body = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xF6\xE9</a>";
        assert_eq!(
            utf8(body, None).unwrap().0,
            "<?xml version='1.0' encoding='ISO-8859-1'?><a>öé</a>"
        );
        assert_eq!(utf8(b"<a>\xE9</a>", Some("latin1")).unwrap().0, "<a>é</a>");
        assert_eq!(
            utf8(b"\xEF\xBB\xBF<a/>", Some("utf-8")).unwrap().1,
            SourceEncoding::Utf8
        );
        assert!(utf8(b"\xEF\xBB\xBF<a/>", Some("iso-8859-1")).is_err());
        assert!(utf8(b"<a/>", Some("ebcdic")).is_err());
        assert!(utf8(b"<a/>", Some("utf-16")).is_err());
    }

    #[test]
    fn declarations_must_match_the_source() {
        assert!(SourceEncoding::Utf16.admits("UTF-16"));
        assert!(!SourceEncoding::Utf16.admits("utf-8"));
        assert!(SourceEncoding::Latin1.admits("ISO-8859-1"));
        assert!(!SourceEncoding::Utf8.admits("ISO-8859-1"));
    }
}
