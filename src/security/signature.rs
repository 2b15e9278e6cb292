//! Verification of WS-Security X.509 signed SOAP requests: a `wsse:BinarySecurityToken`
//! (X509v3, base64 DER) and a `ds:Signature` in the `wsse:Security` header, exclusive c14n,
//! RSA-SHA1/RSA-SHA256, SHA-1/SHA-256 digests, References by `#id` to `wsu:Id` attributes.
//!
//! Strict by construction: the References must resolve (by `wsu:Id`, unique in the whole
//! document) to exactly the Envelope's only Body and the Security header's only Timestamp,
//! plus, as WCF and WSS4J sign them, WS-Addressing header blocks (direct children of the
//! Header, each at most once), so the Body a dispatcher reads as `Envelope/Body` is the
//! element whose digest was checked.
//! libxml2 parses and canonicalizes (xmlC14NExecute, exclusive 1.0, a subtree visibility
//! callback); openssl digests, checks the RSA signature and the chain to the trusted CAs.
//!
//! libxml2 documents are not `Send`: everything lives inside one call, so `verify` can run
//! inside `tokio::task::spawn_blocking`. It does not panic on hostile input (and wraps the
//! work in `catch_unwind` as a last resort).

use std::ffi::{CString, c_char, c_int, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use libxml::bindings::{
    xmlAllocOutputBuffer, xmlC14NExecute, xmlChar, xmlElementType_XML_NAMESPACE_DECL, xmlNodePtr,
    xmlOutputBufferClose,
};
use libxml::parser::{Parser, ParserOptions};
use libxml::readonly::RoNode;
use libxml::tree::{Document, NodeType};
use openssl::hash::{MessageDigest, hash};
use openssl::nid::Nid;
use openssl::pkey::Id as KeyId;
use openssl::sign::Verifier;
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::{X509, X509StoreContext};

use crate::addressing::WSA_NS;

const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
pub(super) const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
pub(super) const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
pub(super) const DS_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
pub(super) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub(super) const X509V3: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
pub(super) const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";
pub(super) const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// The Body, the Timestamp and the seven WS-Addressing headers a request may carry.
const MAX_REFERENCES: usize = 9;
const MAX_ID_LEN: usize = 256;
const MAX_BASE64_LEN: usize = 64 * 1024;

/// A signature that verified: who signed (the certificate's subject CN) and with what
/// (the SignatureMethod Algorithm URI, [`RSA_SHA1`] or [`RSA_SHA256`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    pub subject_cn: String,
    pub signature_method: String,
    /// SHA-256 of the decoded SignatureValue: the same signed message always has it, and no
    /// other message can (remembered to refuse replays).
    pub value_digest: [u8; 32],
}

/// Why a signed request was refused, by WS-Security 1.1 fault code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// Malformed, unsupported (algorithm, transform, URI form) or a wrapping shape.
    InvalidSecurity(String),
    /// The certificate is malformed, not RSA, has no single CN, or does not chain.
    InvalidSecurityToken(String),
    /// A digest or the signature value does not match.
    FailedCheck(String),
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureError::InvalidSecurity(m) => write!(f, "InvalidSecurity: {m}"),
            SignatureError::InvalidSecurityToken(m) => write!(f, "InvalidSecurityToken: {m}"),
            SignatureError::FailedCheck(m) => write!(f, "FailedCheck: {m}"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// What a signature must cover beyond the Body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Refuse a message without a `wsu:Timestamp` in the Security header. (zeep signs the
    /// Timestamp when there is one, but sends none unless told to.) A Timestamp that is
    /// present must always be signed.
    pub require_timestamp: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            require_timestamp: true,
        }
    }
}

use SignatureError::{FailedCheck, InvalidSecurity, InvalidSecurityToken};

fn invalid(m: impl Into<String>) -> SignatureError {
    InvalidSecurity(m.into())
}

/// Builds the trust store once (e.g. at startup) from a PEM file holding one or more CAs.
pub fn trust_store(trusted_ca_pem: &[u8]) -> Result<X509Store, SignatureError> {
    let certs = X509::stack_from_pem(trusted_ca_pem)
        .map_err(|e| InvalidSecurityToken(format!("trusted CA PEM unreadable: {e}")))?;
    if certs.is_empty() {
        return Err(InvalidSecurityToken("no trusted CA configured".into()));
    }
    let mut builder =
        X509StoreBuilder::new().map_err(|e| InvalidSecurityToken(format!("store: {e}")))?;
    for cert in certs {
        builder
            .add_cert(cert)
            .map_err(|e| InvalidSecurityToken(format!("trusted CA: {e}")))?;
    }
    Ok(builder.build())
}

/// Verifies a signed SOAP request against the CA(s) in `trusted_ca_pem` (strict defaults:
/// Body and Timestamp both signed).
pub fn verify(document: &str, trusted_ca_pem: &[u8]) -> Result<VerifiedSignature, SignatureError> {
    let store = trust_store(trusted_ca_pem)?;
    verify_with_store(document, &store, VerifyOptions::default())
}

/// As [`verify`], with a prebuilt store (cheaper per message) and explicit options.
pub fn verify_with_store(
    document: &str,
    store: &X509Store,
    options: VerifyOptions,
) -> Result<VerifiedSignature, SignatureError> {
    match catch_unwind(AssertUnwindSafe(|| verify_inner(document, store, options))) {
        Ok(result) => result,
        Err(_) => Err(invalid("internal error while verifying the signature")),
    }
}

// ---------------------------------------------------------------------------------------

fn ns_of(node: RoNode) -> Option<String> {
    node.get_namespace().map(|ns| ns.get_href())
}

pub(super) fn is(node: RoNode, ns: &str, local: &str) -> bool {
    node.get_name() == local && ns_of(node).as_deref() == Some(ns)
}

fn same(a: RoNode, b: RoNode) -> bool {
    a.node_ptr() == b.node_ptr()
}

/// Element children, in order.
pub(super) fn elements(node: RoNode) -> Vec<RoNode> {
    let mut out = Vec::new();
    let mut child = node.get_first_child();
    while let Some(c) = child {
        if c.get_type() == Some(NodeType::ElementNode) {
            out.push(c);
        }
        child = c.get_next_sibling();
    }
    out
}

/// The only child element `ns:local`; an error if there are several.
fn only_child(node: RoNode, ns: &str, local: &str) -> Result<Option<RoNode>, SignatureError> {
    let mut found = elements(node).into_iter().filter(|c| is(*c, ns, local));
    let first = found.next();
    if found.next().is_some() {
        return Err(invalid(format!("more than one {local} element")));
    }
    Ok(first)
}

fn algorithm(node: RoNode) -> Result<String, SignatureError> {
    node.get_property_no_ns("Algorithm")
        .ok_or_else(|| invalid(format!("{} without Algorithm", node.get_name())))
}

fn b64(text: &str, what: &str) -> Result<Vec<u8>, SignatureError> {
    if text.len() > MAX_BASE64_LEN {
        return Err(invalid(format!("{what} too long")));
    }
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    STANDARD
        .decode(compact)
        .map_err(|_| invalid(format!("{what} is not valid base64")))
}

/// The ID-like attributes of an element: `wsu:Id`, `xml:id` and unqualified `Id`/`ID`/`id`.
fn ids_of(node: RoNode) -> Vec<String> {
    let mut ids = Vec::new();
    ids.extend(node.get_property_ns("Id", WSU_NS));
    ids.extend(node.get_property_ns("id", XML_NS));
    for name in ["Id", "ID", "id"] {
        ids.extend(node.get_property_no_ns(name));
    }
    ids
}

fn walk(node: RoNode, f: &mut impl FnMut(RoNode)) {
    // Iterative: libxml2 already caps depth, but keep the Rust stack flat anyway.
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        f(n);
        let mut kids = elements(n);
        kids.reverse();
        stack.extend(kids);
    }
}

/// `#id` with a plain NCName-like id; anything else (empty, XPointer, external) is refused.
fn local_id(uri: &str) -> Result<&str, SignatureError> {
    let id = uri
        .strip_prefix('#')
        .ok_or_else(|| invalid("Reference URI is not a same-document #id"))?;
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && !id.as_bytes()[0].is_ascii_digit()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(id)
    } else {
        Err(invalid("Reference URI is not a plain #id"))
    }
}

/// The exc-c14n InclusiveNamespaces PrefixList under a CanonicalizationMethod or Transform
/// whose Algorithm is exclusive c14n; refuses any other content.
fn exc_c14n_prefixes(method: RoNode) -> Result<Vec<String>, SignatureError> {
    if algorithm(method)? != EXC_C14N {
        return Err(invalid(
            "only exclusive c14n (without comments) is supported",
        ));
    }
    let mut prefixes = Vec::new();
    for child in elements(method) {
        if !is(child, EXC_C14N, "InclusiveNamespaces") || !prefixes.is_empty() {
            return Err(invalid("unexpected content in a c14n method"));
        }
        let list = child.get_property_no_ns("PrefixList").unwrap_or_default();
        prefixes.extend(list.split_ascii_whitespace().map(str::to_owned));
        if prefixes.is_empty() {
            prefixes.push("#none".into()); // placeholder so a second element is refused
        }
    }
    prefixes.retain(|p| p != "#none");
    if prefixes.len() > 64 || prefixes.iter().any(|p| p.contains('\0')) {
        return Err(invalid("bad InclusiveNamespaces PrefixList"));
    }
    Ok(prefixes)
}

fn digest_for(uri: &str) -> Result<MessageDigest, SignatureError> {
    match uri {
        SHA1 => Ok(MessageDigest::sha1()),
        SHA256 => Ok(MessageDigest::sha256()),
        _ => Err(invalid(format!("unsupported DigestMethod {uri}"))),
    }
}

struct Reference {
    id: String,
    prefixes: Vec<String>,
    digest: MessageDigest,
    value: Vec<u8>,
}

fn parse_reference(reference: RoNode) -> Result<Reference, SignatureError> {
    let uri = reference
        .get_property_no_ns("URI")
        .ok_or_else(|| invalid("Reference without URI"))?;
    let id = local_id(&uri)?.to_owned();
    let children = elements(reference);
    let [transforms, digest_method, digest_value] = children.as_slice() else {
        return Err(invalid(
            "Reference must hold Transforms, DigestMethod, DigestValue",
        ));
    };
    if !is(*transforms, DS_NS, "Transforms")
        || !is(*digest_method, DS_NS, "DigestMethod")
        || !is(*digest_value, DS_NS, "DigestValue")
    {
        return Err(invalid(
            "Reference must hold Transforms, DigestMethod, DigestValue",
        ));
    }
    let transform_list = elements(*transforms);
    let [transform] = transform_list.as_slice() else {
        return Err(invalid(
            "exactly one Transform (exclusive c14n) is supported",
        ));
    };
    if !is(*transform, DS_NS, "Transform") {
        return Err(invalid("unexpected element in Transforms"));
    }
    let prefixes = exc_c14n_prefixes(*transform)?;
    if !elements(*digest_method).is_empty() {
        return Err(invalid("unexpected content in DigestMethod"));
    }
    let digest = digest_for(&algorithm(*digest_method)?)?;
    let value = b64(&digest_value.get_content(), "DigestValue")?;
    Ok(Reference {
        id,
        prefixes,
        digest,
        value,
    })
}

fn verify_inner(
    document: &str,
    store: &X509Store,
    options: VerifyOptions,
) -> Result<VerifiedSignature, SignatureError> {
    let doc = parse(document)?;
    let envelope = doc
        .get_root_readonly()
        .ok_or_else(|| invalid("empty document"))?;

    // ---- the envelope's shape: [Header] Body, nothing else ----
    let soap = match ns_of(envelope).as_deref() {
        Some(SOAP11_NS) if envelope.get_name() == "Envelope" => SOAP11_NS,
        Some(SOAP12_NS) if envelope.get_name() == "Envelope" => SOAP12_NS,
        _ => return Err(invalid("the document is not a SOAP Envelope")),
    };
    let (header, body) = match elements(envelope).as_slice() {
        [h, b] if is(*h, soap, "Header") && is(*b, soap, "Body") => (*h, *b),
        [b] if is(*b, soap, "Body") => return Err(invalid("no Security header")),
        _ => {
            return Err(invalid(
                "the Envelope must hold one Header and one Body only",
            ));
        }
    };

    // ---- the Security header: one Signature, one X509v3 token, at most one Timestamp ----
    let security =
        only_child(header, WSSE_NS, "Security")?.ok_or_else(|| invalid("no Security header"))?;
    let signature =
        only_child(security, DS_NS, "Signature")?.ok_or_else(|| invalid("no ds:Signature"))?;
    let token = only_child(security, WSSE_NS, "BinarySecurityToken")?
        .ok_or_else(|| invalid("no BinarySecurityToken"))?;
    let timestamp = only_child(security, WSU_NS, "Timestamp")?;
    if timestamp.is_none() && options.require_timestamp {
        return Err(invalid("no wsu:Timestamp"));
    }

    // ---- IDs: every ID-like value in the document must be unique ----
    let mut seen = std::collections::HashSet::new();
    let mut by_wsu_id = std::collections::HashMap::new();
    let mut duplicate = false;
    walk(envelope, &mut |node| {
        for id in ids_of(node) {
            if !seen.insert(id) {
                duplicate = true;
            }
        }
        if let Some(id) = node.get_property_ns("Id", WSU_NS) {
            by_wsu_id.insert(id, node);
        }
    });
    if duplicate {
        return Err(invalid("duplicate Id values in the message"));
    }

    // ---- SignedInfo ----
    let signature_children = elements(signature);
    let (signed_info, signature_value, key_info) = match signature_children.as_slice() {
        [s, v, k]
            if is(*s, DS_NS, "SignedInfo")
                && is(*v, DS_NS, "SignatureValue")
                && is(*k, DS_NS, "KeyInfo") =>
        {
            (*s, *v, *k)
        }
        _ => {
            return Err(invalid(
                "Signature must hold SignedInfo, SignatureValue, KeyInfo",
            ));
        }
    };
    let signed_info_children = elements(signed_info);
    let [c14n_method, signature_method, references @ ..] = signed_info_children.as_slice() else {
        return Err(invalid("SignedInfo is incomplete"));
    };
    if !is(*c14n_method, DS_NS, "CanonicalizationMethod")
        || !is(*signature_method, DS_NS, "SignatureMethod")
    {
        return Err(invalid("SignedInfo is malformed"));
    }
    let signed_info_prefixes = exc_c14n_prefixes(*c14n_method)?;
    let method = algorithm(*signature_method)?;
    let signature_digest = match method.as_str() {
        RSA_SHA1 => MessageDigest::sha1(),
        RSA_SHA256 => MessageDigest::sha256(),
        _ => return Err(invalid(format!("unsupported SignatureMethod {method}"))),
    };
    if !elements(*signature_method).is_empty() {
        return Err(invalid("unexpected content in SignatureMethod"));
    }
    if references.is_empty() || references.len() > MAX_REFERENCES {
        return Err(invalid(format!(
            "between 1 and {MAX_REFERENCES} References are supported"
        )));
    }
    let mut parsed = Vec::with_capacity(references.len());
    for reference in references {
        if !is(*reference, DS_NS, "Reference") {
            return Err(invalid("unexpected element in SignedInfo"));
        }
        parsed.push(parse_reference(*reference)?);
    }

    // ---- coverage: each Reference is the Body, the Timestamp or a WS-Addressing header
    // block, each exactly once ----
    let mut body_signed = false;
    let mut timestamp_signed = false;
    let mut targets: Vec<RoNode> = Vec::with_capacity(parsed.len());
    for reference in &parsed {
        let target = *by_wsu_id
            .get(&reference.id)
            .ok_or_else(|| invalid("a Reference does not resolve to a wsu:Id"))?;
        if targets.iter().any(|t| same(*t, target)) {
            return Err(invalid("two References cover the same element"));
        }
        if same(target, body) {
            body_signed = true;
        } else if timestamp.is_some_and(|t| same(target, t)) {
            timestamp_signed = true;
        } else if !(ns_of(target).as_deref() == Some(WSA_NS)
            && target
                .get_parent()
                .is_some_and(|parent| same(parent, header)))
        {
            return Err(invalid(
                "a Reference covers something other than the Body, the Timestamp and \
                 WS-Addressing header blocks",
            ));
        }
        targets.push(target);
    }
    if !body_signed {
        return Err(invalid("the Body is not signed"));
    }
    if timestamp.is_some() && !timestamp_signed {
        return Err(invalid("the Timestamp is not signed"));
    }

    // ---- the token: KeyInfo must point at it ----
    let key_info_children = elements(key_info);
    let [str_node] = key_info_children.as_slice() else {
        return Err(invalid("KeyInfo must hold one SecurityTokenReference"));
    };
    if !is(*str_node, WSSE_NS, "SecurityTokenReference") {
        return Err(invalid("KeyInfo must hold one SecurityTokenReference"));
    }
    let str_children = elements(*str_node);
    let [str_reference] = str_children.as_slice() else {
        return Err(invalid("SecurityTokenReference must hold one Reference"));
    };
    let token_id = token
        .get_property_ns("Id", WSU_NS)
        .ok_or_else(|| invalid("BinarySecurityToken without wsu:Id"))?;
    if !is(*str_reference, WSSE_NS, "Reference")
        || str_reference
            .get_property_no_ns("URI")
            .map(|u| local_id(&u).map(str::to_owned))
            != Some(Ok(token_id))
    {
        return Err(invalid(
            "KeyInfo does not reference the BinarySecurityToken",
        ));
    }
    if token.get_property_no_ns("ValueType").as_deref() != Some(X509V3) {
        return Err(InvalidSecurityToken(
            "the token is not an X509v3 certificate".into(),
        ));
    }
    if let Some(encoding) = token.get_property_no_ns("EncodingType") {
        if encoding != BASE64_BINARY {
            return Err(InvalidSecurityToken(
                "unsupported token EncodingType".into(),
            ));
        }
    }
    let der = b64(&token.get_content(), "BinarySecurityToken")
        .map_err(|_| InvalidSecurityToken("the token is not valid base64".into()))?;
    let cert = X509::from_der(&der)
        .map_err(|_| InvalidSecurityToken("the token is not a DER certificate".into()))?;
    let subject_cn = check_certificate(&cert, store)?;

    // ---- digests ----
    for (reference, target) in parsed.iter().zip(&targets) {
        let canonical = exc_c14n(&doc, *target, &reference.prefixes)?;
        let digest =
            hash(reference.digest, &canonical).map_err(|e| FailedCheck(format!("digest: {e}")))?;
        // memcmp::eq panics on unequal lengths: compare lengths first.
        if digest.len() != reference.value.len() || !openssl::memcmp::eq(&digest, &reference.value)
        {
            return Err(FailedCheck(format!(
                "digest mismatch for #{}",
                reference.id
            )));
        }
    }

    // ---- the signature over SignedInfo ----
    let signature_bytes = b64(&signature_value.get_content(), "SignatureValue")?;
    let canonical_signed_info = exc_c14n(&doc, signed_info, &signed_info_prefixes)?;
    let public_key = cert
        .public_key()
        .map_err(|_| InvalidSecurityToken("unreadable public key".into()))?;
    if public_key.id() != KeyId::RSA {
        return Err(InvalidSecurityToken(
            "the certificate key is not RSA".into(),
        ));
    }
    let ok = Verifier::new(signature_digest, &public_key)
        .and_then(|mut v| {
            v.update(&canonical_signed_info)?;
            v.verify(&signature_bytes)
        })
        .unwrap_or(false);
    if !ok {
        return Err(FailedCheck("the signature value does not verify".into()));
    }
    Ok(VerifiedSignature {
        subject_cn,
        signature_method: method,
        value_digest: openssl::sha::sha256(&signature_bytes),
    })
}

/// Parses a SOAP message with libxml2: no DTD, no network, no recovery.
pub(super) fn parse(document: &str) -> Result<Document, SignatureError> {
    // SOAP forbids a DTD; refusing it up front also keeps entity tricks out of the parser.
    if document.contains("<!DOCTYPE") || document.contains('\0') {
        return Err(invalid("a DTD is not allowed in a SOAP message"));
    }
    let parser = Parser::default();
    let parse_options = ParserOptions {
        recover: false,
        no_net: true,
        no_error: true,
        no_warning: true,
        ..ParserOptions::default()
    };
    let doc = parser
        .parse_string_with_options(document, parse_options)
        .map_err(|_| invalid("the message is not well-formed XML"))?;
    // SAFETY: doc_ptr is a live document owned by `doc`.
    if unsafe { !(*doc.doc_ptr()).intSubset.is_null() } {
        return Err(invalid("a DTD is not allowed in a SOAP message"));
    }
    Ok(doc)
}

/// Chain to the store and read the single subject CN.
fn check_certificate(cert: &X509, store: &X509Store) -> Result<String, SignatureError> {
    let chain = Stack::new().map_err(|e| InvalidSecurityToken(format!("{e}")))?;
    let mut context = X509StoreContext::new().map_err(|e| InvalidSecurityToken(format!("{e}")))?;
    let verdict = context
        .init(store, cert, &chain, |c| {
            let ok = c.verify_cert()?;
            Ok((ok, c.error()))
        })
        .map_err(|e| InvalidSecurityToken(format!("certificate check failed: {e}")))?;
    if !verdict.0 {
        return Err(InvalidSecurityToken(format!(
            "certificate does not chain to a trusted CA: {}",
            verdict.1.error_string()
        )));
    }
    let mut cns = cert.subject_name().entries_by_nid(Nid::COMMONNAME);
    let cn = cns
        .next()
        .ok_or_else(|| InvalidSecurityToken("certificate subject has no CN".into()))?;
    if cns.next().is_some() {
        return Err(InvalidSecurityToken(
            "certificate subject has several CNs".into(),
        ));
    }
    let cn = cn
        .data()
        .to_string()
        .map_err(|_| InvalidSecurityToken("certificate CN is not text".into()))?;
    // `to_string` keeps interior NULs and maps bad UTF-8 to U+FFFD: refuse both.
    if cn.is_empty() || cn.len() > 256 || cn.chars().any(|c| c.is_control() || c == '\u{FFFD}') {
        return Err(InvalidSecurityToken(
            "certificate CN is empty or not plain text".into(),
        ));
    }
    Ok(cn)
}

// ---- exclusive c14n of one element subtree, through libxml2 ----

/// Visible iff the node (or, for a namespace node, its element) is `root` or below it.
unsafe extern "C" fn in_subtree(root: *mut c_void, node: xmlNodePtr, parent: xmlNodePtr) -> c_int {
    // SAFETY: libxml2 passes live nodes of the document being canonicalized; a namespace
    // node is an xmlNs whose `type` field lines up with xmlNode's, and its element is `parent`.
    unsafe {
        if node.is_null() {
            return 0;
        }
        let mut current = if (*node).type_ == xmlElementType_XML_NAMESPACE_DECL {
            parent
        } else {
            node
        };
        while !current.is_null() {
            if current as *mut c_void == root {
                return 1;
            }
            current = (*current).parent;
        }
        0
    }
}

unsafe extern "C" fn collect(context: *mut c_void, buffer: *const c_char, len: c_int) -> c_int {
    // SAFETY: `context` is the Vec<u8> owned by `exc_c14n` for the duration of the call.
    unsafe {
        if context.is_null() || buffer.is_null() || len < 0 {
            return -1;
        }
        let out = &mut *(context as *mut Vec<u8>);
        out.extend_from_slice(std::slice::from_raw_parts(
            buffer as *const u8,
            len as usize,
        ));
        len
    }
}

pub(super) fn exc_c14n(
    doc: &Document,
    node: RoNode,
    prefixes: &[String],
) -> Result<Vec<u8>, SignatureError> {
    let failed = || invalid("the signed content cannot be canonicalized");
    let owned: Vec<CString> = prefixes
        .iter()
        .map(|p| CString::new(p.as_str()).map_err(|_| failed()))
        .collect::<Result<_, _>>()?;
    let mut list: Vec<*mut xmlChar> = owned.iter().map(|s| s.as_ptr() as *mut xmlChar).collect();
    list.push(std::ptr::null_mut());
    let mut out: Box<Vec<u8>> = Box::default();
    // SAFETY: the buffer's context points at `out`, alive until after xmlOutputBufferClose;
    // `list` and `owned` outlive the call; the document is live and not mutated.
    let status = unsafe {
        let buffer = xmlAllocOutputBuffer(std::ptr::null_mut());
        if buffer.is_null() {
            return Err(failed());
        }
        (*buffer).context = (&mut *out) as *mut Vec<u8> as *mut c_void;
        (*buffer).writecallback = Some(collect);
        (*buffer).closecallback = None;
        let status = xmlC14NExecute(
            doc.doc_ptr(),
            Some(in_subtree),
            node.node_ptr() as *mut c_void,
            1, // XML_C14N_EXCLUSIVE_1_0
            if prefixes.is_empty() {
                std::ptr::null_mut()
            } else {
                list.as_mut_ptr()
            },
            0,
            buffer,
        );
        let closed = xmlOutputBufferClose(buffer);
        if status < 0 || closed < 0 { -1 } else { 0 }
    };
    if status < 0 {
        return Err(failed());
    }
    Ok(*out)
}
