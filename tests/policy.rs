//! The WS-Policy of every WSDL a real server serves (README, "WS-Policy"), read as XML: the
//! assertions each binding and each of its operations carry, resolved through their
//! `wsp:PolicyReference`s, at a plain HTTP address, an HTTPS address (TLS to the server, and
//! TLS at a trusted proxy) and an HTTPS address that requires client certificates, in `?wsdl`
//! and in `?wsdl&soap=1.1`; and the operations that ask for a credential are exactly the ones
//! the server refuses without one.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use roxmltree::{Document, Node};
use soapstone::contract::SERVICES;
use support::{ADMIN, Pki, SOAP11, Server, WSU_NS, curl, env11_with};

const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
const WSP_NS: &str = "http://www.w3.org/ns/ws-policy";
const SP_NS: &str = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702";
const WSAM_NS: &str = "http://www.w3.org/2007/05/addressing/metadata";
const WSOMA_NS: &str = "http://schemas.xmlsoap.org/ws/2004/09/policy/optimizedmimeserialization";

const ADDRESSING: &str = "wsam:Addressing?";
const MTOM: &str = "wsoma:OptimizedMimeSerialization?";
const HTTPS_TOKEN: &str = "sp:TransportBinding/sp:TransportToken/sp:HttpsToken";
const TRANSPORT_REST: [&str; 2] = [
    "sp:TransportBinding/sp:AlgorithmSuite/sp:Basic256",
    "sp:TransportBinding/sp:Layout/sp:Lax",
];
const USERNAME_TOKEN: &str = "sp:UsernameToken[IncludeToken=AlwaysToRecipient]";

/// The kinds of address a WSDL is fetched at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Address {
    Http,
    Https,
    HttpsWithClientCertificate,
}

/// Each leaf assertion of a policy as the path of assertion names down to it (nested
/// `wsp:Policy` elements are transparent), a name followed by `?` when the assertion is
/// optional and by its WS-SecurityPolicy attributes (the last segment of their value).
type Assertions = BTreeSet<String>;

/// The policies one binding of a WSDL carries.
#[derive(Debug, Clone, PartialEq, Eq)]
struct BindingPolicy {
    /// The binding's own (the endpoint policy subject).
    endpoint: Assertions,
    /// Each binding operation's (the operation policy subject), by operation name.
    operations: BTreeMap<String, Assertions>,
}

/// The policies of each binding of `wsdl`, by binding name.
fn binding_policies(wsdl: &str) -> BTreeMap<String, BindingPolicy> {
    let doc = Document::parse(wsdl).expect("the WSDL is well-formed XML");
    let root = doc.root_element();
    let policies: BTreeMap<&str, Node<'_, '_>> = elements(root)
        .filter(|n| n.has_tag_name((WSP_NS, "Policy")))
        .map(|n| {
            let id = n.attribute((WSU_NS, "Id")).expect("a policy with a wsu:Id");
            (id, n)
        })
        .collect();
    let referenced = |subject: Node<'_, '_>| -> Assertions {
        let mut assertions = Assertions::new();
        for reference in elements(subject).filter(|n| n.has_tag_name((WSP_NS, "PolicyReference"))) {
            let uri = reference.attribute("URI").expect("a reference with a URI");
            let id = uri.strip_prefix('#').expect("a reference within the WSDL");
            let policy = policies
                .get(id)
                .unwrap_or_else(|| panic!("{uri} names no policy of the WSDL"));
            assertions.extend(leaves(*policy));
        }
        assert!(
            elements(subject).all(|n| !n.has_tag_name((WSP_NS, "Policy"))),
            "policies are referenced, not written inline"
        );
        assertions
    };
    elements(root)
        .filter(|n| n.has_tag_name((WSDL_NS, "binding")))
        .map(|binding| {
            let operations = elements(binding)
                .filter(|n| n.has_tag_name((WSDL_NS, "operation")))
                .map(|operation| {
                    for message in elements(operation) {
                        assert_eq!(
                            referenced(message),
                            Assertions::new(),
                            "policies are attached to operations, not to their messages"
                        );
                    }
                    let name = operation.attribute("name").expect("a named operation");
                    (name.to_string(), referenced(operation))
                })
                .collect();
            let name = binding.attribute("name").expect("a named binding");
            let endpoint = referenced(binding);
            (
                name.to_string(),
                BindingPolicy {
                    endpoint,
                    operations,
                },
            )
        })
        .collect()
}

fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(Node::is_element)
}

/// The leaf assertions of the policy `policy` (see [`Assertions`]).
fn leaves(policy: Node<'_, '_>) -> Assertions {
    let mut out = Assertions::new();
    for child in elements(policy) {
        walk(child, "", &mut out);
    }
    out
}

fn walk(node: Node<'_, '_>, path: &str, out: &mut Assertions) {
    let tag = node.tag_name();
    if tag.namespace() == Some(WSP_NS) {
        assert_eq!(tag.name(), "Policy", "policies in the compact form only");
        for child in elements(node) {
            walk(child, path, out);
        }
        return;
    }
    let prefix = match tag.namespace() {
        Some(WSAM_NS) => "wsam",
        Some(SP_NS) => "sp",
        Some(WSOMA_NS) => "wsoma",
        other => panic!("an assertion of an unexpected namespace {other:?}"),
    };
    let mut name = format!("{prefix}:{}", tag.name());
    if node.attribute((WSP_NS, "Optional")) == Some("true") {
        name.push('?');
    }
    for attribute in node.attributes().filter(|a| a.namespace() == Some(SP_NS)) {
        let value = attribute.value().rsplit('/').next().unwrap_or_default();
        name.push_str(&format!("[{}={value}]", attribute.name()));
    }
    let path = if path.is_empty() {
        name
    } else {
        format!("{path}/{name}")
    };
    let before = out.len();
    for child in elements(node) {
        walk(child, &path, out);
    }
    if out.len() == before {
        out.insert(path);
    }
}

fn set(paths: impl IntoIterator<Item = impl Into<String>>) -> Assertions {
    paths.into_iter().map(Into::into).collect()
}

/// The operations callers may call without credentials.
fn is_public(service: &str, operation: &str) -> bool {
    service == "BenchService" || (service, operation) == ("AuthService", "Login")
}

/// Where the server serves `service`'s WSDL.
fn path_of(service: &str) -> String {
    match service {
        "BenchService" => "/bench".to_string(),
        name => format!("/services/{name}"),
    }
}

/// What the binding of `service` should carry at `address`, given its operations.
fn expected(service: &str, address: Address, operations: &[&str]) -> BindingPolicy {
    if service == "BenchService" {
        return BindingPolicy {
            endpoint: Assertions::new(),
            operations: operations
                .iter()
                .map(|op| (op.to_string(), Assertions::new()))
                .collect(),
        };
    }
    let mut endpoint = set([ADDRESSING]);
    if service == "CatalogService" {
        endpoint.insert(MTOM.to_string());
    }
    let credentials = match address {
        Address::Http => set([
            format!("sp:SupportingTokens/{USERNAME_TOKEN}/sp:HashPassword"),
            format!("sp:SupportingTokens/{USERNAME_TOKEN}/sp:WssUsernameToken10"),
        ]),
        Address::Https => set([format!(
            "sp:SignedSupportingTokens/{USERNAME_TOKEN}/sp:WssUsernameToken10"
        )]),
        Address::HttpsWithClientCertificate => Assertions::new(),
    };
    let token = match address {
        Address::Http => None,
        Address::Https => Some(HTTPS_TOKEN.to_string()),
        Address::HttpsWithClientCertificate => {
            Some(format!("{HTTPS_TOKEN}/sp:RequireClientCertificate"))
        }
    };
    if let Some(token) = token {
        endpoint.insert(token);
        endpoint.extend(TRANSPORT_REST.iter().map(|p| p.to_string()));
    }
    let operations = operations
        .iter()
        .map(|op| {
            let asks = match is_public(service, op) {
                true => Assertions::new(),
                false => credentials.clone(),
            };
            (op.to_string(), asks)
        })
        .collect();
    BindingPolicy {
        endpoint,
        operations,
    }
}

/// Fetches every WSDL, both views, with `fetch` (a path and query to the document), and checks
/// each binding's policies against what `address` should carry.
fn check_every_wsdl(address: Address, fetch: impl Fn(&str) -> String) {
    for service in SERVICES {
        let operations: Vec<&str> = service.operations.iter().map(|o| o.name).collect();
        let path = path_of(service.name);
        let full = binding_policies(&fetch(&format!("{path}?wsdl")));
        let names: Vec<&String> = full.keys().collect();
        let (soap11, soap12) = (
            format!("{}Soap11Binding", service.name),
            format!("{}Soap12Binding", service.name),
        );
        let expected = expected(service.name, address, &operations);
        if service.name != "BenchService" {
            assert_eq!(names, [&soap11, &soap12], "{}", service.name);
        }
        for (binding, policy) in &full {
            assert_eq!(
                policy, &expected,
                "{} {binding} at {address:?}",
                service.name
            );
        }
        let view = binding_policies(&fetch(&format!("{path}?wsdl&soap=1.1")));
        let kept: BTreeMap<String, BindingPolicy> = full
            .into_iter()
            .filter(|(name, _)| service.name == "BenchService" || *name == soap11)
            .collect();
        assert_eq!(view, kept, "{} ?wsdl&soap=1.1 at {address:?}", service.name);
    }
}

/// The body of `url` fetched with curl and `args`, which must be a 200.
fn fetched(url: &str, args: &[&str]) -> String {
    let (code, body) = curl(url, args);
    assert_eq!(code, Some(200), "{url}: {body}");
    body
}

#[test]
fn plain_http_asks_for_a_password_digest_where_a_caller_is_needed() {
    let server = Server::start();
    check_every_wsdl(Address::Http, |path| fetched(&server.url(path), &[]));
}

#[test]
fn https_has_a_transport_binding_and_a_password_text_token() {
    let pki = Pki::new(ADMIN);
    let server = Server::start_https(&pki, false);
    let ca = pki.file("ca.pem");
    check_every_wsdl(Address::Https, |path| {
        fetched(&server.url(path), &["--cacert", &ca])
    });
}

#[test]
fn https_with_client_certificates_requires_the_certificate_and_no_token() {
    let pki = Pki::new(ADMIN);
    let server = Server::start_https(&pki, true);
    let files = ["ca.pem", "client.pem", "client.key"].map(|name| pki.file(name));
    let [ca, cert, key] = files.each_ref().map(String::as_str);
    check_every_wsdl(Address::HttpsWithClientCertificate, |path| {
        fetched(
            &server.url(path),
            &["--cacert", ca, "--cert", cert, "--key", key],
        )
    });
}

#[test]
fn https_at_a_trusted_proxy_is_an_https_address() {
    let server = Server::start_with(&["--trusted-proxies", "127.0.0.1"]);
    let forwarded = ["-H", "X-Forwarded-Proto: https"];
    check_every_wsdl(Address::Https, |path| {
        fetched(&server.url(path), &forwarded)
    });
    // The same proxy forwarding plain HTTP: a plain address.
    let plain = ["-H", "X-Forwarded-Proto: http"];
    check_every_wsdl(Address::Http, |path| fetched(&server.url(path), &plain));
}

#[tokio::test]
async fn the_operations_that_ask_for_credentials_are_the_ones_refused_without_them() {
    let server = Server::start();
    let mut public = BTreeSet::new();
    let mut secured = BTreeSet::new();
    for service in SERVICES {
        let path = path_of(service.name);
        let wsdl = fetched(&server.url(&format!("{path}?wsdl")), &[]);
        let policies = binding_policies(&wsdl);
        for operation in service.operations {
            let asks = policies
                .values()
                .map(|binding| !binding.operations[operation.name].is_empty())
                .collect::<BTreeSet<bool>>();
            assert_eq!(
                asks.len(),
                1,
                "{} {}: bindings differ",
                service.name,
                operation.name
            );
            let body = env11_with(
                "",
                &format!(
                    r#"<p:{local} xmlns:p="{ns}"/>"#,
                    local = operation.input.local,
                    ns = operation.input.namespace
                ),
            );
            let reply = server
                .post(&path, "text/xml; charset=utf-8", &[], &body)
                .await;
            let refused = reply.status == 500
                && reply.texts(SOAP11, "Fault").len() == 1
                && reply.text("", "faultcode") == "wsse:FailedAuthentication";
            assert_eq!(
                asks.contains(&true),
                refused,
                "{} {}: {}",
                service.name,
                operation.name,
                reply.body
            );
            let name = format!("{}.{}", service.name, operation.name);
            match refused {
                true => secured.insert(name),
                false => public.insert(name),
            };
        }
    }
    let expected_public: BTreeSet<String> = SERVICES
        .iter()
        .flat_map(|s| s.operations.iter().map(|o| (s.name, o.name)))
        .filter(|(service, operation)| is_public(service, operation))
        .map(|(service, operation)| format!("{service}.{operation}"))
        .collect();
    assert!(expected_public.contains("AuthService.Login"));
    assert_eq!(public, expected_public);
    assert!(secured.len() > 20, "{secured:?}");
}
