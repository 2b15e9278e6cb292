//! The SOAP-1.1-only view of a WSDL, for old generators that stumble over a SOAP 1.2 binding:
//! every `wsdl:binding` holding a `soap12:binding`, and every `wsdl:port` holding a
//! `soap12:address`, is cut out of the text (with its line), and so is the declaration of the
//! SOAP 1.2 binding namespace once nothing uses it (gSOAP's wsdl2h imports SOAP 1.2 for a
//! declaration alone, and its client then speaks 1.2); the rest is kept as written.

use crate::xml::{Event, XmlLimits, XmlReader};

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const SOAP12_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";

/// `wsdl` without its SOAP 1.2 bindings and ports.
pub fn soap11_only(wsdl: &str) -> Result<String, String> {
    let mut reader =
        XmlReader::new(wsdl.as_bytes(), XmlLimits::default()).map_err(|e| e.to_string())?;
    let bom = wsdl.len() - reader.input().len();
    let mut cuts = Vec::new();
    // (depth, start offset, is SOAP 1.2) of the binding or port being read.
    let mut open: Option<(usize, usize, bool)> = None;
    loop {
        match reader.next_event().map_err(|e| e.to_string())? {
            Event::Start(start) => {
                let depth = reader.depth();
                let container = start.ns == WSDL_NS
                    && ((start.local == "binding" && depth == 2)
                        || (start.local == "port" && depth == 3));
                if container {
                    open = Some((depth, reader.last_start_offset(), false));
                } else if let Some((outer, _, soap12)) = &mut open
                    && depth == *outer + 1
                    && start.ns == SOAP12_NS
                    && matches!(start.local, "binding" | "address")
                {
                    *soap12 = true;
                }
            }
            Event::End => {
                if let Some((depth, from, soap12)) = open
                    && reader.depth() + 1 == depth
                {
                    if soap12 {
                        cuts.push(whole_lines(reader.input(), from, reader.offset()));
                    }
                    open = None;
                }
            }
            Event::Text(_) => {}
            Event::Eof => break,
        }
    }
    let text = &wsdl[bom..];
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (from, to) in cuts {
        out.push_str(&text[at..from]);
        at = to;
    }
    out.push_str(&text[at..]);
    Ok(without_unused_declaration(out, SOAP12_NS))
}

/// `text` without its `xmlns:P="ns"` declarations whose prefix `P` is no longer used.
fn without_unused_declaration(mut text: String, ns: &str) -> String {
    let value = format!("=\"{ns}\"");
    let mut from = 0;
    while let Some(found) = text[from..].find(&value).map(|i| i + from) {
        let declaration = text[..found].rfind("xmlns:").filter(|&start| {
            text[start + "xmlns:".len()..found]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
        let Some(start) = declaration else {
            from = found + value.len();
            continue;
        };
        let prefix = text[start + "xmlns:".len()..found].to_string();
        let end = found + value.len();
        let rest = format!("{}{}", &text[..start], &text[end..]);
        if rest.contains(&format!("{prefix}:")) {
            from = end;
            continue;
        }
        let start = text[..start].trim_end().len();
        text.replace_range(start..end, "");
        from = start;
    }
    text
}

/// Widens `from..to` to whole lines when only whitespace surrounds it on them.
fn whole_lines(text: &str, from: usize, to: usize) -> (usize, usize) {
    let line_start = text[..from].rfind('\n').map_or(0, |i| i + 1);
    let from = if text[line_start..from].trim().is_empty() {
        line_start
    } else {
        from
    };
    let rest = &text[to..];
    let line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let to = if rest[..line_end].trim().is_empty() {
        to + line_end
    } else {
        to
    };
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_soap11_binding_and_port() {
        let view = soap11_only(crate::users::WSDL).unwrap();
        assert!(view.contains("UserServiceSoap11Binding"));
        assert!(view.contains("UserServiceSoap11Port"));
        assert!(!view.contains("UserServiceSoap12Binding"), "{view}");
        assert!(!view.contains("UserServiceSoap12Port"));
        assert!(!view.contains("<soap12:"));
        assert!(
            !view.contains("xmlns:soap12"),
            "an unused declaration is dropped"
        );
        let mut reader = XmlReader::new(view.as_bytes(), XmlLimits::default()).unwrap();
        while reader.next_event().unwrap() != Event::Eof {}
        // A WSDL without SOAP 1.2 parts is left as it is.
        assert_eq!(soap11_only(crate::bench::WSDL).unwrap(), crate::bench::WSDL);
    }
}
