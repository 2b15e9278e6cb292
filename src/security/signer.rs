//! Signing of responses to X.509 signed requests with the server's key, in the shape the
//! requests use: a `wsse:Security` header (mustUnderstand) with the server's
//! `BinarySecurityToken`, a five-minute `wsu:Timestamp` and a `ds:Signature` (exclusive c14n,
//! RSA-SHA256, SHA-256 digests) over the Body, the Timestamp and the WS-Addressing headers of
//! the reply (Action, MessageID, RelatesTo, To: what WCF and WSS4J policies require signed).
//!
//! It takes the envelope exactly as the envelope writer wrote it (one `<p:Body>` start tag,
//! an optional `<p:Header>` before it) and adds the header block and the `wsu:Id`s of the
//! Body and the addressing headers.
//! libxml2 canonicalizes the two signed elements; SignedInfo is written in canonical form
//! directly. Like the verifier, it is blocking work for `spawn_blocking`.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libxml::readonly::RoNode;
use openssl::hash::{MessageDigest, hash};
use openssl::pkey::{Id as KeyId, PKey, Private};
use openssl::sign::Signer;
use openssl::x509::X509;
use time::OffsetDateTime;

use super::signature::{
    BASE64_BINARY, DS_NS, EXC_C14N, RSA_SHA256, SHA256, SignatureError, WSSE_NS, WSU_NS, X509V3,
    elements, exc_c14n, is, parse,
};
use crate::addressing::WSA;
use crate::codec::format_datetime;
use crate::soap::SoapVersion;

const BODY_ID: &str = "soapstone-body";
const TIMESTAMP_ID: &str = "soapstone-timestamp";
const TOKEN_ID: &str = "soapstone-token";
/// The reply's addressing headers that are signed, and their `wsu:Id`s.
const ADDRESSING: [(&str, &str); 4] = [
    ("Action", "soapstone-wsa-action"),
    ("MessageID", "soapstone-wsa-message-id"),
    ("RelatesTo", "soapstone-wsa-relates-to"),
    ("To", "soapstone-wsa-to"),
];
/// How long a signed response's Timestamp is valid.
const TTL: Duration = Duration::from_secs(300);

/// Why a signing key cannot be used, or a response could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("the signing certificate is not a PEM X.509 certificate: {0}")]
    Certificate(String),
    #[error("the signing key is not a PEM private key: {0}")]
    Key(String),
    #[error("the signing key must be an RSA key of at least 2048 bits")]
    NotRsa,
    #[error("the signing key does not belong to the signing certificate")]
    Mismatch,
    #[error("the response cannot be signed: {0}")]
    Sign(String),
}

/// The server's certificate and private key, ready to sign responses.
pub struct ResponseSigner {
    key: PKey<Private>,
    /// The certificate's DER, base64, as the BinarySecurityToken carries it.
    token: String,
}

impl std::fmt::Debug for ResponseSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseSigner").finish_non_exhaustive()
    }
}

impl ResponseSigner {
    /// From the PEM certificate (its first certificate is the signer's) and PEM private key.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Self, SignerError> {
        let cert = X509::from_pem(cert_pem).map_err(|e| SignerError::Certificate(e.to_string()))?;
        let key =
            PKey::private_key_from_pem(key_pem).map_err(|e| SignerError::Key(e.to_string()))?;
        if key.id() != KeyId::RSA || key.bits() < 2048 {
            return Err(SignerError::NotRsa);
        }
        let public = cert
            .public_key()
            .map_err(|e| SignerError::Certificate(e.to_string()))?;
        if !public.public_eq(&key) {
            return Err(SignerError::Mismatch);
        }
        let der = cert
            .to_der()
            .map_err(|e| SignerError::Certificate(e.to_string()))?;
        Ok(ResponseSigner {
            key,
            token: STANDARD.encode(der),
        })
    }

    /// `envelope` (as the envelope writer wrote it) with a signed Security header whose
    /// Timestamp is created `at` and expires five minutes later.
    pub fn sign(
        &self,
        version: SoapVersion,
        envelope: &[u8],
        at: OffsetDateTime,
    ) -> Result<Vec<u8>, SignerError> {
        self.sign_with(version, envelope, at, Some(at + TTL))
    }

    /// As [`ResponseSigner::sign`], with the Timestamp's Created and Expires (none: left
    /// out) given; also signs requests written the same way (tests, clients).
    pub fn sign_with(
        &self,
        version: SoapVersion,
        envelope: &[u8],
        at: OffsetDateTime,
        expires: Option<OffsetDateTime>,
    ) -> Result<Vec<u8>, SignerError> {
        let fail = |m: &str| SignerError::Sign(m.to_string());
        let text = std::str::from_utf8(envelope).map_err(|_| fail("not UTF-8"))?;
        let p = version.namespace().prefix;
        let body_tag = format!("<{p}:Body>");
        let body_at = text.find(&body_tag).ok_or_else(|| fail("no Body"))?;
        let head = &text[..body_at];
        // The Security block goes last into the fault Header, or into a Header of its own.
        let (before, open_header, close_header) = match head.rfind(&format!("</{p}:Header>")) {
            Some(end) => (&head[..end], String::new(), head[end..].to_string()),
            None => (head, format!("<{p}:Header>"), format!("</{p}:Header>")),
        };

        // The addressing headers, as the reply writer wrote them, get their ids.
        let mut before = before.to_string();
        let mut addressed = Vec::new();
        for (local, id) in ADDRESSING {
            let written = format!(r#"<{0}:{local} xmlns:{0}="{1}">"#, WSA.prefix, WSA.uri);
            if before.contains(&written) {
                let with_id = format!(
                    r#"<{0}:{local} xmlns:{0}="{1}" xmlns:wsu="{WSU_NS}" wsu:Id="{id}">"#,
                    WSA.prefix, WSA.uri
                );
                before = before.replacen(&written, &with_id, 1);
                addressed.push((local, id));
            }
        }
        let mut unsigned = String::with_capacity(envelope.len() + 4096);
        unsigned.push_str(&before);
        unsigned.push_str(&open_header);
        unsigned.push_str(&format!(
            r#"<wsse:Security xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}" {p}:mustUnderstand="{}">"#,
            match version {
                SoapVersion::V11 => "1",
                SoapVersion::V12 => "true",
            }
        ));
        unsigned.push_str(&format!(
            r#"<wsse:BinarySecurityToken EncodingType="{BASE64_BINARY}" ValueType="{X509V3}" wsu:Id="{TOKEN_ID}">{}</wsse:BinarySecurityToken>"#,
            self.token
        ));
        unsigned.push_str(&format!(
            r#"<wsu:Timestamp wsu:Id="{TIMESTAMP_ID}"><wsu:Created>{}</wsu:Created>"#,
            format_datetime(at)
        ));
        if let Some(expires) = expires {
            unsigned.push_str(&format!(
                "<wsu:Expires>{}</wsu:Expires>",
                format_datetime(expires)
            ));
        }
        unsigned.push_str("</wsu:Timestamp>");
        let signature_at = unsigned.len();
        unsigned.push_str("</wsse:Security>");
        unsigned.push_str(&close_header);
        unsigned.push_str(&format!(
            r#"<{p}:Body xmlns:wsu="{WSU_NS}" wsu:Id="{BODY_ID}">"#
        ));
        unsigned.push_str(&text[body_at + body_tag.len()..]);

        let locals: Vec<&str> = addressed.iter().map(|(local, _)| *local).collect();
        let (body_digest, timestamp_digest, addressing_digests) =
            digests(&unsigned, version, &locals)?;
        let mut references = vec![(BODY_ID, body_digest.as_str())];
        references.extend(
            addressed
                .iter()
                .zip(&addressing_digests)
                .map(|((_, id), digest)| (*id, digest.as_str())),
        );
        references.push((TIMESTAMP_ID, &timestamp_digest));
        let signed_info = signed_info(&references);
        let value = self.rsa_sha256(signed_info.as_bytes())?;
        let signature = format!(
            r##"<ds:Signature xmlns:ds="{DS_NS}">{signed_info}<ds:SignatureValue>{value}</ds:SignatureValue><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#{TOKEN_ID}" ValueType="{X509V3}"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>"##
        );
        unsigned.insert_str(signature_at, &signature);
        Ok(unsigned.into_bytes())
    }

    fn rsa_sha256(&self, data: &[u8]) -> Result<String, SignerError> {
        let mut signer = Signer::new(MessageDigest::sha256(), &self.key)
            .map_err(|e| SignerError::Sign(e.to_string()))?;
        signer
            .update(data)
            .map_err(|e| SignerError::Sign(e.to_string()))?;
        let value = signer
            .sign_to_vec()
            .map_err(|e| SignerError::Sign(e.to_string()))?;
        Ok(STANDARD.encode(value))
    }
}

/// SHA-256 digests (base64) of the exclusive-c14n Body and Timestamp of `document`, whose
/// Security header was just added, and of its addressing headers named `addressing`.
fn digests(
    document: &str,
    version: SoapVersion,
    addressing: &[&str],
) -> Result<(String, String, Vec<String>), SignerError> {
    let sign_error = |e: SignatureError| SignerError::Sign(e.to_string());
    let doc = parse(document).map_err(sign_error)?;
    let soap = version.namespace().uri;
    let envelope = doc
        .get_root_readonly()
        .ok_or_else(|| SignerError::Sign("empty document".into()))?;
    let find = |parent: RoNode, ns: &str, local: &str| {
        elements(parent)
            .into_iter()
            .find(|c| is(*c, ns, local))
            .ok_or_else(|| SignerError::Sign(format!("no {local} in the written envelope")))
    };
    let header = find(envelope, soap, "Header")?;
    let body = find(envelope, soap, "Body")?;
    let security = find(header, WSSE_NS, "Security")?;
    let timestamp = find(security, WSU_NS, "Timestamp")?;
    let digest = |node: RoNode| -> Result<String, SignerError> {
        let canonical = exc_c14n(&doc, node, &[]).map_err(sign_error)?;
        let digest = hash(MessageDigest::sha256(), &canonical)
            .map_err(|e| SignerError::Sign(e.to_string()))?;
        Ok(STANDARD.encode(digest))
    };
    let addressing = addressing
        .iter()
        .map(|local| digest(find(header, WSA.uri, local)?))
        .collect::<Result<_, _>>()?;
    Ok((digest(body)?, digest(timestamp)?, addressing))
}

/// SignedInfo in its exclusive-c14n form (which is also how it is written into the
/// document): every element explicitly closed, attributes in canonical order, no whitespace.
fn signed_info(references: &[(&str, &str)]) -> String {
    let mut out = format!(
        r#"<ds:SignedInfo xmlns:ds="{DS_NS}"><ds:CanonicalizationMethod Algorithm="{EXC_C14N}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="{RSA_SHA256}"></ds:SignatureMethod>"#
    );
    for (id, digest) in references {
        out.push_str(&format!(
            r##"<ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="{EXC_C14N}"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="{SHA256}"></ds:DigestMethod><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference>"##
        ));
    }
    out.push_str("</ds:SignedInfo>");
    out
}

#[cfg(test)]
mod tests {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::rsa::Rsa;
    use openssl::x509::{X509Builder, X509NameBuilder};

    use super::*;
    use crate::security::signature::{VerifyOptions, trust_store, verify_with_store};
    use crate::soap::{Fault, write_fault};

    /// A self-signed RSA certificate with subject CN `soapstone`, and its key, as PEM.
    fn self_signed() -> (Vec<u8>, Vec<u8>) {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "soapstone").unwrap();
        let name = name.build();
        let mut cert = X509Builder::new().unwrap();
        cert.set_version(2).unwrap();
        cert.set_serial_number(&BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap())
            .unwrap();
        cert.set_subject_name(&name).unwrap();
        cert.set_issuer_name(&name).unwrap();
        cert.set_pubkey(&key).unwrap();
        cert.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        cert.set_not_after(&Asn1Time::days_from_now(2).unwrap())
            .unwrap();
        cert.sign(&key, MessageDigest::sha256()).unwrap();
        (
            cert.build().to_pem().unwrap(),
            key.private_key_to_pem_pkcs8().unwrap(),
        )
    }

    fn response(version: SoapVersion) -> Vec<u8> {
        let p = version.namespace().prefix;
        let uri = version.namespace().uri;
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><{p}:Envelope xmlns:{p}="{uri}"><{p}:Body><m:WhoAmIResponse xmlns:m="urn:m"><m:user a="x &amp; y">admin &lt;1&gt;</m:user><m:empty/></m:WhoAmIResponse></{p}:Body></{p}:Envelope>"#
        )
        .into_bytes()
    }

    fn verify(signed: &[u8], cert_pem: &[u8]) -> Result<String, SignatureError> {
        let store = trust_store(cert_pem).unwrap();
        let text = std::str::from_utf8(signed).unwrap();
        verify_with_store(text, &store, VerifyOptions::default()).map(|v| v.subject_cn)
    }

    #[test]
    fn signed_responses_and_faults_verify_in_both_versions() {
        let (cert, key) = self_signed();
        let signer = ResponseSigner::from_pem(&cert, &key).unwrap();
        for version in [SoapVersion::V11, SoapVersion::V12] {
            let fault = write_fault(version, &Fault::client("no such order"), "req-1", None);
            for envelope in [response(version), fault] {
                let signed = signer
                    .sign(version, &envelope, OffsetDateTime::now_utc())
                    .unwrap();
                assert_eq!(verify(&signed, &cert).unwrap(), "soapstone");
                let text = String::from_utf8(signed).unwrap();
                assert_eq!(text.matches(":Header>").count(), 2, "{text}");
                assert!(text.contains("req-1") || text.contains("admin &lt;1&gt;"));
            }
        }
    }

    #[test]
    fn a_changed_signed_response_no_longer_verifies() {
        let (cert, key) = self_signed();
        let signer = ResponseSigner::from_pem(&cert, &key).unwrap();
        let signed = signer
            .sign(
                SoapVersion::V11,
                &response(SoapVersion::V11),
                OffsetDateTime::now_utc(),
            )
            .unwrap();
        let tampered = String::from_utf8(signed)
            .unwrap()
            .replace("admin &lt;1&gt;", "admin &lt;2&gt;");
        assert!(matches!(
            verify(tampered.as_bytes(), &cert),
            Err(SignatureError::FailedCheck(_))
        ));
    }

    #[test]
    fn the_reply_addressing_headers_are_signed_and_cannot_be_changed() {
        let (cert, key) = self_signed();
        let signer = ResponseSigner::from_pem(&cert, &key).unwrap();
        let wsa = |local: &str, value: &str| {
            format!(
                r#"<wsa:{local} xmlns:wsa="{}">{value}</wsa:{local}>"#,
                WSA.uri
            )
        };
        let envelope = String::from_utf8(response(SoapVersion::V12))
            .unwrap()
            .replace(
                "<env:Body>",
                &format!(
                    "<env:Header>{}{}{}{}</env:Header><env:Body>",
                    wsa("Action", "urn:out"),
                    wsa("MessageID", "urn:uuid:1"),
                    wsa("RelatesTo", "urn:uuid:0"),
                    wsa("To", "http://www.w3.org/2005/08/addressing/anonymous")
                ),
            );
        let signed = signer
            .sign(
                SoapVersion::V12,
                envelope.as_bytes(),
                OffsetDateTime::now_utc(),
            )
            .unwrap();
        assert_eq!(verify(&signed, &cert).unwrap(), "soapstone");
        let text = String::from_utf8(signed).unwrap();
        for (_, id) in ADDRESSING {
            assert!(text.contains(&format!("URI=\"#{id}\"")), "{text}");
        }
        let tampered = text.replace("urn:out", "urn:other");
        assert!(matches!(
            verify(tampered.as_bytes(), &cert),
            Err(SignatureError::FailedCheck(_))
        ));
    }

    #[test]
    fn a_key_must_match_its_certificate() {
        let (cert, _) = self_signed();
        let (_, other_key) = self_signed();
        assert!(matches!(
            ResponseSigner::from_pem(&cert, &other_key),
            Err(SignerError::Mismatch)
        ));
        assert!(matches!(
            ResponseSigner::from_pem(b"not pem", &other_key),
            Err(SignerError::Certificate(_))
        ));
    }
}
