//! The `wsse:Security` header block as clients send it (see ../shared/INTEROP.md): a
//! UsernameToken with PasswordText or PasswordDigest, Nonce and Created, and a wsu:Timestamp.
//! Signature elements are noted for the signature check. Parsing only: checks are elsewhere.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::SecurityError;
use crate::xml::{Child, Event, XmlReader};

pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const TOKEN_PROFILE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0";
const SOAP_MESSAGE_SECURITY: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0";

/// Longest Username and Nonce accepted.
const MAX_USERNAME: usize = 256;
const MAX_NONCE: usize = 128;

/// How a UsernameToken carries its password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordType {
    Text,
    Digest,
}

/// A `wsse:UsernameToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsernameToken {
    pub username: String,
    pub password: Option<(PasswordType, String)>,
    /// The decoded nonce bytes.
    pub nonce: Option<Vec<u8>>,
    /// `wsu:Created` exactly as sent (the digest covers the literal text) and as parsed.
    pub created: Option<(String, OffsetDateTime)>,
}

/// A `wsu:Timestamp`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timestamp {
    pub created: Option<OffsetDateTime>,
    pub expires: Option<OffsetDateTime>,
}

/// What one `wsse:Security` block holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityHeader {
    pub username_token: Option<UsernameToken>,
    pub timestamp: Option<Timestamp>,
    /// A `ds:Signature` or `wsse:BinarySecurityToken` is present.
    pub signed: bool,
}

fn invalid(reason: impl Into<String>) -> SecurityError {
    SecurityError::InvalidSecurity(reason.into())
}

fn bad_token(reason: impl Into<String>) -> SecurityError {
    SecurityError::InvalidSecurityToken(reason.into())
}

fn text(reader: &mut XmlReader<'_>, name: &str) -> Result<String, SecurityError> {
    match reader.read_text_content() {
        Ok(Some(text)) => Ok(text.trim().to_string()),
        Ok(None) => Err(bad_token(format!("{name} must hold text only"))),
        Err(e) => Err(invalid(e.to_string())),
    }
}

fn instant(text: &str, name: &str) -> Result<OffsetDateTime, SecurityError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        invalid(format!(
            "{name} is not a dateTime with a time zone: {text:?}"
        ))
    })
}

/// Parses the block `reader` is positioned before (its start tag not yet read).
pub fn parse(mut reader: XmlReader<'_>) -> Result<SecurityHeader, SecurityError> {
    match reader.next_event() {
        Ok(Event::Start(start)) if start.is(WSSE_NS, "Security") => {}
        Ok(_) => return Err(invalid("not a wsse:Security element")),
        Err(e) => return Err(invalid(e.to_string())),
    }
    let mut header = SecurityHeader::default();
    loop {
        let child = match reader.next_child() {
            Ok(Child::Start(start)) => start,
            Ok(Child::End) => return Ok(header),
            Ok(Child::Text(_)) => return Err(invalid("text is not allowed in wsse:Security")),
            Err(e) => return Err(invalid(e.to_string())),
        };
        if child.is(WSSE_NS, "UsernameToken") {
            if header.username_token.is_some() {
                return Err(invalid("more than one UsernameToken"));
            }
            header.username_token = Some(username_token(&mut reader)?);
        } else if child.is(WSU_NS, "Timestamp") {
            if header.timestamp.is_some() {
                return Err(invalid("more than one Timestamp"));
            }
            header.timestamp = Some(timestamp(&mut reader)?);
        } else if child.is(DSIG_NS, "Signature") || child.is(WSSE_NS, "BinarySecurityToken") {
            header.signed = true;
            reader.skip_element().map_err(|e| invalid(e.to_string()))?;
        } else {
            return Err(invalid(format!(
                "unsupported element {} in wsse:Security",
                child.expanded_name()
            )));
        }
    }
}

fn username_token(reader: &mut XmlReader<'_>) -> Result<UsernameToken, SecurityError> {
    let mut username = None;
    let mut password = None;
    let mut nonce = None;
    let mut created = None;
    loop {
        let child = match reader.next_child() {
            Ok(Child::Start(start)) => start,
            Ok(Child::End) => break,
            Ok(Child::Text(_)) => return Err(bad_token("text is not allowed in UsernameToken")),
            Err(e) => return Err(invalid(e.to_string())),
        };
        if child.is(WSSE_NS, "Username") {
            let name = text(reader, "Username")?;
            if name.is_empty() || name.chars().count() > MAX_USERNAME || username.is_some() {
                return Err(bad_token("one Username of 1 to 256 characters is required"));
            }
            username = Some(name);
        } else if child.is(WSSE_NS, "Password") {
            let kind = match child.attr("", "Type") {
                None => PasswordType::Text,
                Some(t) if t == format!("{TOKEN_PROFILE}#PasswordText") => PasswordType::Text,
                Some(t) if t == format!("{TOKEN_PROFILE}#PasswordDigest") => PasswordType::Digest,
                Some(other) => return Err(bad_token(format!("unsupported password type {other}"))),
            };
            let value = match reader.read_text_content() {
                Ok(Some(text)) => text.into_owned(),
                Ok(None) => return Err(bad_token("Password must hold text only")),
                Err(e) => return Err(invalid(e.to_string())),
            };
            if password.replace((kind, value)).is_some() {
                return Err(bad_token("more than one Password"));
            }
        } else if child.is(WSSE_NS, "Nonce") {
            match child.attr("", "EncodingType") {
                None => {}
                Some(t) if t == format!("{SOAP_MESSAGE_SECURITY}#Base64Binary") => {}
                Some(other) => {
                    return Err(bad_token(format!("unsupported nonce encoding {other}")));
                }
            }
            let encoded = text(reader, "Nonce")?;
            let bytes = STANDARD
                .decode(encoded.as_bytes())
                .map_err(|_| bad_token("the Nonce is not base64"))?;
            if bytes.is_empty() || bytes.len() > MAX_NONCE || nonce.is_some() {
                return Err(bad_token("one Nonce of 1 to 128 bytes is allowed"));
            }
            nonce = Some(bytes);
        } else if child.is(WSU_NS, "Created") {
            let literal = text(reader, "Created")?;
            let at = instant(&literal, "Created")?;
            if created.replace((literal, at)).is_some() {
                return Err(bad_token("more than one Created"));
            }
        } else {
            return Err(bad_token(format!(
                "unsupported element {} in UsernameToken",
                child.expanded_name()
            )));
        }
    }
    let username = username.ok_or_else(|| bad_token("the UsernameToken has no Username"))?;
    Ok(UsernameToken {
        username,
        password,
        nonce,
        created,
    })
}

fn timestamp(reader: &mut XmlReader<'_>) -> Result<Timestamp, SecurityError> {
    let mut stamp = Timestamp::default();
    loop {
        let child = match reader.next_child() {
            Ok(Child::Start(start)) => start,
            Ok(Child::End) => return Ok(stamp),
            Ok(Child::Text(_)) => return Err(invalid("text is not allowed in Timestamp")),
            Err(e) => return Err(invalid(e.to_string())),
        };
        let slot = if child.is(WSU_NS, "Created") {
            &mut stamp.created
        } else if child.is(WSU_NS, "Expires") {
            &mut stamp.expires
        } else {
            return Err(invalid(format!(
                "unsupported element {} in Timestamp",
                child.expanded_name()
            )));
        };
        let at = instant(&text(reader, child.local)?, child.local)?;
        if slot.replace(at).is_some() {
            return Err(invalid("a repeated element in Timestamp"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::XmlLimits;

    fn parse_str(xml: &str) -> Result<SecurityHeader, SecurityError> {
        parse(XmlReader::fragment(xml, XmlLimits::default(), Vec::new()))
    }

    #[test]
    fn reads_tokens_as_the_clients_send_them() {
        let header = parse_str(&format!(
            r#"<wsse:Security xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}" mustUnderstand="true">
              <wsu:Timestamp wsu:Id="TS-1"><wsu:Created>2026-11-24T10:00:00Z</wsu:Created>
                <wsu:Expires>2026-11-24T10:05:00.000+00:00</wsu:Expires></wsu:Timestamp>
              <wsse:UsernameToken wsu:Id="UsernameToken-1:2"><wsse:Username>alice</wsse:Username>
                <wsse:Password Type="{TOKEN_PROFILE}#PasswordDigest">abc=</wsse:Password>
                <wsse:Nonce>AAEC</wsse:Nonce><wsu:Created>2026-11-24T10:00:00Z</wsu:Created>
              </wsse:UsernameToken></wsse:Security>"#
        ))
        .unwrap();
        let token = header.username_token.unwrap();
        assert_eq!(token.username, "alice");
        assert_eq!(token.password, Some((PasswordType::Digest, "abc=".into())));
        assert_eq!(token.nonce, Some(vec![0, 1, 2]));
        assert_eq!(token.created.unwrap().0, "2026-11-24T10:00:00Z");
        assert!(header.timestamp.unwrap().expires.is_some());
        assert!(!header.signed);
    }

    #[test]
    fn a_password_without_type_is_text_and_malformed_tokens_are_refused() {
        let plain = parse_str(&format!(
            r#"<Security xmlns="{WSSE_NS}"><UsernameToken><Username>bob</Username><Password>pw</Password></UsernameToken></Security>"#
        ))
        .unwrap();
        assert_eq!(
            plain.username_token.unwrap().password,
            Some((PasswordType::Text, "pw".into()))
        );
        for body in [
            "<UsernameToken><Password>pw</Password></UsernameToken>",
            "<UsernameToken><Username>a</Username><Nonce>!!</Nonce></UsernameToken>",
            "<UsernameToken><Username>a</Username><Password Type=\"x#Other\">p</Password></UsernameToken>",
        ] {
            let error = parse_str(&format!(r#"<Security xmlns="{WSSE_NS}">{body}</Security>"#));
            assert!(
                matches!(error, Err(SecurityError::InvalidSecurityToken(_))),
                "{body}: {error:?}"
            );
        }
        let twice = parse_str(&format!(
            r#"<Security xmlns="{WSSE_NS}"><UsernameToken><Username>a</Username></UsernameToken><UsernameToken><Username>b</Username></UsernameToken></Security>"#
        ));
        assert!(matches!(twice, Err(SecurityError::InvalidSecurity(_))));
    }
}
