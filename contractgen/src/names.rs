//! Rust names for XML names: snake_case fields, the schema's own names for types (made into
//! identifiers when they are not), UpperCamelCase enum variants, SCREAMING_SNAKE constants.

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// `clientRef` → `client_ref`, `userID` → `user_id`, `type` → `r#type`.
pub fn field_name(xml: &str) -> String {
    let chars: Vec<char> = xml.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            out.push('_');
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let mut name = squeeze(&out);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    escape(name)
}

/// The schema's name when it is an identifier, else its words in UpperCamelCase.
pub fn type_name(xml: &str) -> String {
    let identifier = xml.starts_with(|c: char| c.is_ascii_alphabetic())
        && xml.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if identifier {
        escape(xml.to_string())
    } else {
        upper_camel(xml)
    }
}

/// `createdAt` → `CreatedAt`, `in-stock` → `InStock`, `2x` → `V2x`.
pub fn upper_camel(xml: &str) -> String {
    let mut out = String::new();
    for word in xml.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    escape(out)
}

/// `BenchService` → `BENCH_SERVICE`.
pub fn screaming_snake(xml: &str) -> String {
    field_name(xml)
        .trim_start_matches("r#")
        .to_ascii_uppercase()
}

fn squeeze(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    out.trim_end_matches('_').to_string()
}

fn escape(name: String) -> String {
    if NOT_RAW.contains(&name.as_str()) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_snake_case_and_never_keywords() {
        assert_eq!(field_name("clientRef"), "client_ref");
        assert_eq!(field_name("userID"), "user_id");
        assert_eq!(field_name("HTTPCode"), "http_code");
        assert_eq!(field_name("postal-code"), "postal_code");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("2nd"), "_2nd");
    }

    #[test]
    fn types_keep_their_schema_names() {
        assert_eq!(type_name("GetItemResponse"), "GetItemResponse");
        assert_eq!(type_name("order-line"), "OrderLine");
        assert_eq!(upper_camel("createdAt"), "CreatedAt");
        assert_eq!(upper_camel("3d"), "V3d");
        assert_eq!(screaming_snake("BenchService"), "BENCH_SERVICE");
    }
}
