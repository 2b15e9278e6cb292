//! The media type syntax of Content-Type headers (RFC 9110 §8.3): an essence and parameters
//! whose values may be quoted strings with backslash escapes (`start-info="application/soap+xml;
//! action=\"urn:op\""`). Parameters without a value are skipped, as clients send them.

/// A media type as read: the essence in lower case, the parameters with lower-case names and
/// unquoted, unescaped values, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    pub essence: String,
    pub params: Vec<(String, String)>,
}

impl MediaType {
    /// Reads `value`; `None` when it has no `type/subtype` or a quoted string is not closed.
    pub fn parse(value: &str) -> Option<MediaType> {
        let (essence, mut rest) = value.split_once(';').unwrap_or((value, ""));
        let essence = essence.trim().to_ascii_lowercase();
        if !essence.contains('/') {
            return None;
        }
        let mut params = Vec::new();
        loop {
            rest = rest.trim_start_matches([' ', '\t', ';']);
            if rest.is_empty() {
                return Some(MediaType { essence, params });
            }
            let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
            let name = rest[..name_end].trim().to_ascii_lowercase();
            let Some(after) = rest[name_end..].strip_prefix('=') else {
                rest = &rest[name_end..];
                continue;
            };
            let after = after.trim_start();
            let (value, next) = match after.strip_prefix('"') {
                Some(quoted) => quoted_string(quoted)?,
                None => {
                    let end = after.find(';').unwrap_or(after.len());
                    (after[..end].trim_end().to_string(), &after[end..])
                }
            };
            params.push((name, value));
            rest = next;
        }
    }

    /// The value of parameter `name` (lower case).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// The content of a quoted string whose opening quote was just read, and what follows its
/// closing quote.
fn quoted_string(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            '"' => return Some((value, &text[i + 1..])),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_unquoted_and_unescaped_and_valueless_ones_skipped() {
        let media = MediaType::parse(
            "Application/XOP+xml; Charset=UTF-8; flag; type=\"a \\\"b\\\"; c\"; x=y",
        )
        .unwrap();
        assert_eq!(media.essence, "application/xop+xml");
        assert_eq!(
            media.params,
            [
                ("charset".to_string(), "UTF-8".to_string()),
                ("type".to_string(), "a \"b\"; c".to_string()),
                ("x".to_string(), "y".to_string())
            ]
        );
        assert_eq!(media.param("x"), Some("y"));
        assert!(MediaType::parse("text/xml; a=\"unterminated").is_none());
        assert!(MediaType::parse("nonsense").is_none());
    }
}
