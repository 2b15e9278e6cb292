//! The X.509 signature check on stored vectors signed by zeep's signature plugin
//! (python-xmlsec): valid messages, tampering, signature wrapping, unsupported algorithms and
//! untrusted certificates. Timestamps are not checked here (the authenticator does).

use soapstone::security::signature::*;

const CA: &[u8] = include_bytes!("vectors/x509/ca.pem");
const OTHER_CA: &[u8] = include_bytes!("vectors/x509/other-ca.pem");

fn v(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/vectors/x509/{name}.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}
fn kind(r: &Result<VerifiedSignature, SignatureError>) -> &'static str {
    match r {
        Ok(_) => "Ok",
        Err(SignatureError::InvalidSecurity(_)) => "InvalidSecurity",
        Err(SignatureError::InvalidSecurityToken(_)) => "InvalidSecurityToken",
        Err(SignatureError::FailedCheck(_)) => "FailedCheck",
    }
}
#[track_caller]
fn expect(doc: &str, want: &str) {
    let r = verify(doc, CA);
    assert_eq!(kind(&r), want, "{r:?}");
}

#[test]
fn valid_vectors_verify() {
    for (name, method) in [
        ("valid_sha1", RSA_SHA1),
        ("valid_sha256", RSA_SHA256),
        ("valid_rsa_sha256_sha1_digest", RSA_SHA256),
    ] {
        let r = verify(&v(name), CA).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.subject_cn, "alice");
        assert_eq!(r.signature_method, method);
    }
}

#[test]
fn modified_body_fails_check() {
    expect(&v("body_modified"), "FailedCheck");
    // modify the signed Timestamp
    let doc = v("valid_sha256").replacen("<wsu:Created>2", "<wsu:Created>1", 1);
    expect(&doc, "FailedCheck");
    // modify SignedInfo (a digest byte) -> signature no longer verifies... digest first
    let doc = v("valid_sha1");
    let i = doc.find("<SignatureValue>").unwrap() + "<SignatureValue>".len();
    let mut bytes = doc.into_bytes();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    expect(&String::from_utf8(bytes).unwrap(), "FailedCheck");
}

#[test]
fn wrapping_shapes_are_refused() {
    for name in [
        "wrap_body_moved",
        "wrap_duplicate_id",
        "extra_body_after",
        "extra_body_before",
        "wrap_timestamp_moved",
        "extra_reference",
        "unsigned_timestamp",
        "no_timestamp",
    ] {
        let r = verify(&v(name), CA);
        assert_eq!(kind(&r), "InvalidSecurity", "{name}: {r:?}");
    }
}

#[test]
fn body_only_allowed_when_timestamp_not_required() {
    let store = trust_store(CA).unwrap();
    let opts = VerifyOptions {
        require_timestamp: false,
    };
    let r = verify_with_store(&v("no_timestamp"), &store, opts).unwrap();
    assert_eq!(r.subject_cn, "alice");
    // ...but an unsigned Timestamp is still refused
    let r = verify_with_store(&v("unsigned_timestamp"), &store, opts);
    assert_eq!(kind(&r), "InvalidSecurity", "{r:?}");
}

#[test]
fn untrusted_certificates_are_refused() {
    expect(&v("mallory_other_ca"), "InvalidSecurityToken");
    expect(&v("selfsigned_alice"), "InvalidSecurityToken");
    // alice's message against a store holding only the other CA
    let r = verify(&v("valid_sha1"), OTHER_CA);
    assert_eq!(kind(&r), "InvalidSecurityToken", "{r:?}");
    // a certificate that chains but did not make the signature
    expect(&v("token_swapped_bob"), "FailedCheck");
    // garbage in the token
    let doc = v("valid_sha1");
    let s = doc.find("Base64Binary\"").unwrap();
    let start = doc[s..].find('>').unwrap() + s + 1;
    let doc = format!("{}AAAA{}", &doc[..start], &doc[start..]);
    expect(&doc, "InvalidSecurityToken");
}

#[test]
fn unsupported_algorithms_and_transforms_are_refused() {
    let base = v("valid_sha1");
    let cases = [
        (
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
        ),
        (
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
        ),
        (
            "http://www.w3.org/2000/09/xmldsig#sha1",
            "http://www.w3.org/2001/04/xmldsig-more#md5",
        ),
        (
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"",
            "<CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"",
        ),
        (
            "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"/>",
        ),
        (
            "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
        ),
        (
            "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#WithComments\"/>",
        ),
        (
            "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
            "",
        ),
        ("<Reference URI=\"#", "<Reference URI=\"http://evil/#"),
        ("<Reference URI=\"#", "<Reference URI=\"#xpointer(/)\" X=\""),
        ("<Reference URI=\"#", "<Reference URI=\"\" X=\""),
    ];
    for (from, to) in cases {
        assert!(base.contains(from), "{from}");
        let doc = base.replacen(from, to, 1);
        let r = verify(&doc, CA);
        assert_eq!(kind(&r), "InvalidSecurity", "{to}: {r:?}");
    }
    // more than 4 References
    let start = base.find("<Reference ").unwrap();
    let end = base[start..].find("</Reference>").unwrap() + start + "</Reference>".len();
    let one = &base[start..end];
    let doc = format!("{}{}{}", &base[..end], one.repeat(4), &base[end..]);
    expect(&doc, "InvalidSecurity");
    // the same Reference twice
    let doc = format!("{}{}{}", &base[..end], one, &base[end..]);
    expect(&doc, "InvalidSecurity");
}

#[test]
fn hostile_input_does_not_panic() {
    let base = v("valid_sha256");
    for doc in [
        "",
        "<",
        "not xml",
        "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body/></soap:Envelope>",
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header/><soap:Body/></soap:Envelope>",
    ] {
        assert_eq!(kind(&verify(doc, CA)), "InvalidSecurity", "{doc}");
    }
    // every truncation of a valid message: never panics, never Ok
    for cut in (0..base.len()).step_by(97) {
        if !base.is_char_boundary(cut) {
            continue;
        }
        assert!(verify(&base[..cut], CA).is_err());
    }
    // broken CA configuration
    assert_eq!(kind(&verify(&base, b"nonsense")), "InvalidSecurityToken");
}

#[test]
fn verifies_concurrently_on_other_threads() {
    let store = trust_store(CA).unwrap();
    let docs = [v("valid_sha1"), v("valid_sha256")];
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for d in &docs {
                    verify_with_store(d, &store, VerifyOptions::default()).unwrap();
                }
            });
        }
    });
}
