//! A contract document split around the addresses it contains, so that serving it for a
//! caller is a concatenation.

use quick_xml::Reader;
use quick_xml::events::Event;

#[derive(Debug)]
enum Part {
    /// A range of the document's text.
    Text(std::ops::Range<usize>),
    /// The caller's base URL followed by this path and query.
    Url(String),
}

/// A document with its address attributes replaced by URL parts.
#[derive(Debug)]
pub struct Template {
    doc: String,
    parts: Vec<Part>,
}

impl Template {
    /// Finds `location` on `*:address` elements (set to the service URL) and every
    /// `schemaLocation` (set to the service URL with `?xsd=` and the file name).
    pub fn new(doc: String, service_path: &str) -> Result<Self, String> {
        let mut reader = Reader::from_str(&doc);
        let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
        loop {
            let event = reader.read_event().map_err(|e| e.to_string())?;
            let tag = match &event {
                Event::Start(tag) | Event::Empty(tag) => tag,
                Event::Eof => break,
                _ => continue,
            };
            let element = tag.local_name();
            for attr in tag.attributes() {
                let attr = attr.map_err(|e| e.to_string())?;
                let url = match (element.as_ref(), attr.key.as_ref()) {
                    ("address", "location") => service_path.to_string(),
                    (_, "schemaLocation") => {
                        let file = attr.value.rsplit('/').next().unwrap_or_default();
                        format!("{service_path}?xsd={file}")
                    }
                    _ => continue,
                };
                let at = (attr.value.as_ptr() as usize)
                    .checked_sub(doc.as_ptr() as usize)
                    .filter(|at| at + attr.value.len() <= doc.len())
                    .ok_or("attribute value is not a plain slice of the document")?;
                replacements.push((at..at + attr.value.len(), url));
            }
        }
        replacements.sort_by_key(|(range, _)| range.start);
        let mut parts = Vec::new();
        let mut from = 0;
        for (range, url) in replacements {
            parts.push(Part::Text(from..range.start));
            parts.push(Part::Url(url));
            from = range.end;
        }
        parts.push(Part::Text(from..doc.len()));
        Ok(Template { doc, parts })
    }

    /// The document for a caller whose base URL is `base` (no trailing slash).
    pub fn render(&self, base: &str) -> String {
        let mut out = String::with_capacity(
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.len(),
                    Part::Url(u) => u.len() + base.len(),
                })
                .sum(),
        );
        for part in &self.parts {
            match part {
                Part::Text(range) => out.push_str(&self.doc[range.clone()]),
                Part::Url(url) => {
                    for ch in base.chars().chain(url.chars()) {
                        match ch {
                            '&' => out.push_str("&amp;"),
                            '"' => out.push_str("&quot;"),
                            '<' => out.push_str("&lt;"),
                            _ => out.push(ch),
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_addresses_and_schema_locations_only() {
        let doc = r#"<d xmlns:s="urn:soap"><t><xs:import namespace="urn:u" schemaLocation="../xsd/users.xsd"/></t><s:address location="http://localhost:8080/services/S"/><other location="keep"/></d>"#;
        let t = Template::new(doc.to_string(), "/services/S").unwrap();
        let out = t.render("https://api.example.com:8443");
        assert!(
            out.contains(
                r#"schemaLocation="https://api.example.com:8443/services/S?xsd=users.xsd""#
            ),
            "{out}"
        );
        assert!(out.contains(r#"<s:address location="https://api.example.com:8443/services/S"/>"#));
        assert!(out.contains(r#"<other location="keep"/>"#));
    }
}
