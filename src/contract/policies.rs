//! The WS-Policy of a served WSDL, by the address the caller fetched it at. The WSDLs in
//! `wsdl/` carry the policies of the plain HTTP address; at an HTTPS address the policies of
//! `wsdl/policies/https.xml`, or of `wsdl/policies/https-client-certificate.xml` when the
//! connection carries a client certificate, replace the WSDL's policies of the same `wsu:Id`
//! (README, "WS-Policy").

use std::ops::Range;

use crate::xml::{Event, XmlLimits, XmlReader};

const WS_POLICY_NS: &str = "http://www.w3.org/ns/ws-policy";
const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// The kind of address a WSDL is served at, as far as its policies tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServedOver {
    /// Plain HTTP.
    Http,
    /// HTTPS, to the server or to a trusted proxy in front of it.
    Https,
    /// HTTPS to the server over a connection with a TLS client certificate that names a user
    /// (the server requires one: `tls_client_ca`).
    HttpsWithClientCertificate,
}

impl ServedOver {
    /// The address of a caller whose base URL is `base` (`scheme://host[:port]`);
    /// `client_certificate` when its connection carries a client certificate naming a user.
    pub fn of(base: &str, client_certificate: bool) -> ServedOver {
        let https = base
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"));
        match (https, client_certificate) {
            (false, _) => ServedOver::Http,
            (true, false) => ServedOver::Https,
            (true, true) => ServedOver::HttpsWithClientCertificate,
        }
    }

    /// The file of policies that replace the WSDL's own (none for plain HTTP).
    fn policies(self) -> Option<(&'static str, &'static str)> {
        match self {
            ServedOver::Http => None,
            ServedOver::Https => Some((
                "policies/https.xml",
                include_str!("../../wsdl/policies/https.xml"),
            )),
            ServedOver::HttpsWithClientCertificate => Some((
                "policies/https-client-certificate.xml",
                include_str!("../../wsdl/policies/https-client-certificate.xml"),
            )),
        }
    }
}

/// `wsdl` with the policies of the address it is `served` at: each policy of that address's
/// file replaces the WSDL's policy with its `wsu:Id`. A WSDL that declares none of them (the
/// benchmark contract) is served as it is; one that declares only some of them is an error.
pub fn with_policies(wsdl: &str, served: ServedOver) -> Result<String, String> {
    let Some((file, source)) = served.policies() else {
        return Ok(wsdl.to_string());
    };
    let replacements = top_level_policies(source).map_err(|e| format!("{file}: {e}"))?;
    let own = top_level_policies(wsdl)?;
    let mut swaps = Vec::new();
    let mut missing = Vec::new();
    for (id, replacement) in &replacements {
        match own.iter().find(|(own_id, _)| own_id == id) {
            Some((_, range)) => swaps.push((range.clone(), &source[replacement.clone()])),
            None => missing.push(id.as_str()),
        }
    }
    if swaps.is_empty() {
        return Ok(wsdl.to_string());
    }
    if !missing.is_empty() {
        return Err(format!(
            "the WSDL lacks the policies {} that {file} replaces",
            missing.join(", ")
        ));
    }
    swaps.sort_by_key(|(range, _)| range.start);
    let mut out =
        String::with_capacity(wsdl.len() + swaps.iter().map(|s| s.1.len()).sum::<usize>());
    let mut at = 0;
    for (range, text) in swaps {
        out.push_str(&wsdl[at..range.start]);
        out.push_str(text);
        at = range.end;
    }
    out.push_str(&wsdl[at..]);
    Ok(out)
}

/// The `wsp:Policy` children of the root of `doc`: each one's `wsu:Id` and where it is in
/// `doc`.
fn top_level_policies(doc: &str) -> Result<Vec<(String, Range<usize>)>, String> {
    let mut reader =
        XmlReader::new(doc.as_bytes(), XmlLimits::default()).map_err(|e| e.to_string())?;
    let bom = doc.len() - reader.input().len();
    let mut policies = Vec::new();
    let mut open: Option<(String, usize)> = None;
    loop {
        match reader.next_event().map_err(|e| e.to_string())? {
            Event::Start(start) if reader.depth() == 2 && start.is(WS_POLICY_NS, "Policy") => {
                let id = start
                    .attr(WSU_NS, "Id")
                    .ok_or("a wsp:Policy of the definitions has no wsu:Id")?;
                open = Some((id.to_string(), bom + reader.last_start_offset()));
            }
            Event::End if reader.depth() == 1 => {
                if let Some((id, from)) = open.take() {
                    policies.push((id, from..bom + reader.offset()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(policies)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECURED: [&str; 4] = [
        crate::users::WSDL,
        crate::catalog::WSDL,
        crate::orders::WSDL,
        crate::auth::WSDL,
    ];

    #[test]
    fn the_address_is_told_by_the_scheme_and_the_client_certificate() {
        assert_eq!(ServedOver::of("http://h:8080", false), ServedOver::Http);
        assert_eq!(ServedOver::of("http://h:8080", true), ServedOver::Http);
        assert_eq!(ServedOver::of("HTTPS://h", false), ServedOver::Https);
        assert_eq!(
            ServedOver::of("https://h", true),
            ServedOver::HttpsWithClientCertificate
        );
    }

    #[test]
    fn https_replaces_the_transport_and_credentials_policies_and_nothing_else() {
        for served in [ServedOver::Https, ServedOver::HttpsWithClientCertificate] {
            let (_, file) = served.policies().unwrap();
            let replacements = top_level_policies(file).unwrap();
            let ids: Vec<&str> = replacements.iter().map(|(id, _)| id.as_str()).collect();
            assert_eq!(ids, ["TransportPolicy", "CredentialsPolicy"]);
            for wsdl in SECURED {
                let out = with_policies(wsdl, served).unwrap();
                let before = top_level_policies(wsdl).unwrap();
                let after = top_level_policies(&out).unwrap();
                let order = |p: &[(String, Range<usize>)]| -> Vec<String> {
                    p.iter().map(|(id, _)| id.clone()).collect()
                };
                assert_eq!(order(&before), order(&after));
                for ((id, was), (_, is)) in before.iter().zip(&after) {
                    let expected = match replacements.iter().find(|(r, _)| r == id) {
                        Some((_, range)) => &file[range.clone()],
                        None => &wsdl[was.clone()],
                    };
                    assert_eq!(&out[is.clone()], expected, "{id}");
                }
                let (first, last) = (&after[0].1, &after[after.len() - 1].1);
                assert_eq!(out[..first.start], wsdl[..before[0].1.start]);
                assert_eq!(out[last.end..], wsdl[before[before.len() - 1].1.end..]);
                let mut reader = XmlReader::new(out.as_bytes(), XmlLimits::default()).unwrap();
                while reader.next_event().unwrap() != Event::Eof {}
            }
        }
    }

    #[test]
    fn plain_http_and_the_benchmark_contract_are_served_as_written() {
        for wsdl in SECURED {
            assert_eq!(with_policies(wsdl, ServedOver::Http).unwrap(), wsdl);
        }
        for served in [
            ServedOver::Http,
            ServedOver::Https,
            ServedOver::HttpsWithClientCertificate,
        ] {
            assert_eq!(
                with_policies(crate::bench::WSDL, served).unwrap(),
                crate::bench::WSDL
            );
        }
    }

    #[test]
    fn a_wsdl_with_only_some_of_the_replaced_policies_is_refused() {
        let wsdl = format!(
            r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsp="{WS_POLICY_NS}" xmlns:wsu="{WSU_NS}"><wsp:Policy wsu:Id="TransportPolicy"/></wsdl:definitions>"#
        );
        let error = with_policies(&wsdl, ServedOver::Https).unwrap_err();
        assert!(error.contains("CredentialsPolicy"), "{error}");
        assert!(!error.contains("TransportPolicy"), "{error}");
    }
}
