//! WS-Addressing 1.0 over real HTTP, with envelopes written the way WCF's wsHttpBinding (SOAP
//! 1.2, prefix `a`, mustUnderstand on Action and To), JAX-WS/Metro with `@Addressing` (SOAP
//! 1.1, default-namespace headers) and CXF (prefix `wsa`) write them: the reply's headers, the
//! action checks, the faults of the SOAP binding in both versions, anonymous-only replies,
//! reference parameters, repeated message ids and the WSDL's addressing metadata.

mod support;

use soapstone::security::signature::verify;
use soapstone::security::signer::ResponseSigner;
use soapstone::soap::SoapVersion;
use support::{
    ADMIN, ADMIN_DIGEST_SECRET, ADMIN_PASSWORD, COMMON_NS, Reply, SECURITY_NS, SOAP11, SOAP12,
    Server, USERS_NS, action, assert_wsse, create_user, env11, fresh_nonce, make_pki, rfc3339,
    texts, validate, wsse_digest, wsse_text,
};

const WSA: &str = "http://www.w3.org/2005/08/addressing";
const ANONYMOUS: &str = "http://www.w3.org/2005/08/addressing/anonymous";
const WSA_FAULT: &str = "http://www.w3.org/2005/08/addressing/fault";
const SOAP_FAULT: &str = "http://www.w3.org/2005/08/addressing/soap/fault";
const PORT_TYPE: &str = "http://soapstone.dev/wsdl/users/v1/UserServicePortType/";

fn get_user(id: &str) -> String {
    format!(r#"<u:GetUser xmlns:u="{USERS_NS}"><u:id>{id}</u:id></u:GetUser>"#)
}

/// The headers WCF's wsHttpBinding sends (SOAP 1.2, prefix `a` declared on the Envelope).
fn wcf_headers(action: &str, message_id: &str) -> String {
    format!(
        r#"<a:Action s:mustUnderstand="1">{action}</a:Action><a:MessageID>{message_id}</a:MessageID><a:ReplyTo><a:Address>{ANONYMOUS}</a:Address></a:ReplyTo><a:To s:mustUnderstand="1">http://127.0.0.1/services/UserService</a:To>"#
    )
}

/// A SOAP 1.2 envelope as WCF writes it, authenticated as the admin.
fn wcf(headers: &str, body: &str) -> String {
    let wsse = wsse_text(ADMIN, ADMIN_PASSWORD);
    format!(
        r#"<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}"><s:Header>{headers}{wsse}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#
    )
}

/// The headers JAX-WS (Metro) sends with `@Addressing` (SOAP 1.1, each header declaring the
/// default namespace, mustUnderstand="1" on Action and To).
fn jaxws_headers(action: &str, message_id: &str) -> String {
    format!(
        r#"<To xmlns="{WSA}" S:mustUnderstand="1">http://127.0.0.1/services/UserService</To><Action xmlns="{WSA}" S:mustUnderstand="1">{action}</Action><ReplyTo xmlns="{WSA}"><Address>{ANONYMOUS}</Address></ReplyTo><FaultTo xmlns="{WSA}"><Address>{ANONYMOUS}</Address></FaultTo><MessageID xmlns="{WSA}">{message_id}</MessageID>"#
    )
}

/// A SOAP 1.1 envelope as JAX-WS writes it, authenticated as the admin.
fn jaxws(headers: &str, body: &str) -> String {
    let wsse = wsse_text(ADMIN, ADMIN_PASSWORD);
    format!(
        r#"<S:Envelope xmlns:S="{SOAP11}"><S:Header>{headers}{wsse}</S:Header><S:Body>{body}</S:Body></S:Envelope>"#
    )
}

/// The only `wsa:{local}` of `reply`.
fn wsa(reply: &Reply, local: &str) -> String {
    reply.text(WSA, local)
}

/// Checks the addressing headers of a reply to the request with `message_id`.
fn assert_addressed(reply: &Reply, action: &str, message_id: &str) {
    assert_eq!(wsa(reply, "Action"), action, "{}", reply.body);
    assert_eq!(wsa(reply, "RelatesTo"), message_id, "{}", reply.body);
    assert_eq!(wsa(reply, "To"), ANONYMOUS);
    let own = wsa(reply, "MessageID");
    assert!(own.starts_with("urn:uuid:") && own.len() == 45, "{own}");
    assert_ne!(own, message_id);
}

/// A SOAP 1.2 WS-Addressing fault: `env:Sender`, then `codes` as subcodes, the detail in
/// `env:Detail`; its action is the WS-Addressing fault action.
fn assert_wsa_fault12(reply: &Reply, codes: &[&str], message_id: Option<&str>) {
    assert_eq!(reply.status, 500, "{}", reply.body);
    let mut expected = vec!["env:Sender".to_string()];
    expected.extend(codes.iter().map(|c| format!("wsa:{c}")));
    assert_eq!(reply.texts(SOAP12, "Value"), expected, "{}", reply.body);
    assert_eq!(reply.texts(COMMON_NS, "RequestId").len(), 1);
    assert_eq!(reply.texts(WSA, "Action")[0], WSA_FAULT);
    match message_id {
        Some(id) => assert_eq!(wsa(reply, "RelatesTo"), id),
        None => assert!(reply.texts(WSA, "RelatesTo").is_empty()),
    }
    validate(&reply.body);
}

/// A SOAP 1.1 WS-Addressing fault: the subcode as faultcode, the detail in a `wsa:FaultDetail`
/// header block and no `detail`.
fn assert_wsa_fault11(reply: &Reply, code: &str) {
    assert_eq!(reply.status, 500, "{}", reply.body);
    assert_eq!(
        reply.text("", "faultcode"),
        format!("wsa:{code}"),
        "{}",
        reply.body
    );
    assert_eq!(reply.texts(WSA, "FaultDetail").len(), 1, "{}", reply.body);
    assert!(reply.texts("", "detail").is_empty(), "{}", reply.body);
    assert_eq!(reply.texts(WSA, "Action")[0], WSA_FAULT);
    validate(&reply.body);
}

#[tokio::test]
async fn wcf_and_jaxws_requests_are_answered_with_addressing_headers() {
    let server = Server::start();
    let id = "urn:uuid:6f1c2bd4-8a5e-4c4f-9d59-1f0c1e2a3b4c";
    // WCF, SOAP 1.2: the action also in the media type.
    let reply = server
        .soap12(
            Some(&action("GetUser")),
            &wcf(&wcf_headers(&action("GetUser"), id), &get_user("1")),
        )
        .await;
    reply.assert_ok12();
    assert_addressed(&reply, &format!("{PORT_TYPE}GetUserResponse"), id);
    assert_eq!(reply.text(USERS_NS, "username"), ADMIN);
    // Every reply has a message id of its own.
    let again = server
        .soap12(
            None,
            &wcf(&wcf_headers(&action("GetUser"), id), &get_user("1")),
        )
        .await;
    again.assert_ok12();
    assert_ne!(wsa(&again, "MessageID"), wsa(&reply, "MessageID"));
    // JAX-WS, SOAP 1.1, mustUnderstand="1" and "true"; the SOAPAction is the wsa:Action.
    let id = "uuid:1b7f0a3e-52d4-4e8a-b3c1-7d9e2f4a6b80";
    let headers = jaxws_headers(&action("GetUser"), id).replacen(
        r#"S:mustUnderstand="1""#,
        r#"S:mustUnderstand="true""#,
        1,
    );
    let reply = server
        .soap11(Some(&action("GetUser")), &jaxws(&headers, &get_user("1")))
        .await;
    reply.assert_ok11();
    assert_addressed(&reply, &format!("{PORT_TYPE}GetUserResponse"), id);
    // CXF: prefix wsa, SOAP 1.2 mustUnderstand="true", no ReplyTo (anonymous by default).
    let cxf = format!(
        r#"<wsa:Action xmlns:wsa="{WSA}" s:mustUnderstand="true">{}</wsa:Action><wsa:MessageID xmlns:wsa="{WSA}">urn:uuid:cxf-1</wsa:MessageID>"#,
        action("GetUser")
    );
    let reply = server.soap12(None, &wcf(&cxf, &get_user("1"))).await;
    reply.assert_ok12();
    assert_addressed(
        &reply,
        &format!("{PORT_TYPE}GetUserResponse"),
        "urn:uuid:cxf-1",
    );
}

#[tokio::test]
async fn a_request_without_addressing_headers_gets_a_reply_without_them() {
    let server = Server::start();
    let reply = server
        .soap11(Some(&action("GetUser")), &env11(&get_user("1")))
        .await;
    reply.assert_ok11();
    assert!(!reply.body.contains("Header"), "{}", reply.body);
    assert!(!reply.body.contains(WSA), "{}", reply.body);
    // Addressing headers for another role are not ours: the reply is plain.
    let other = format!(
        r#"<a:Action s:role="urn:other" s:mustUnderstand="1">{}</a:Action>"#,
        action("DeleteUser")
    );
    let reply = server.soap12(None, &wcf(&other, &get_user("1"))).await;
    reply.assert_ok12();
    assert!(!reply.body.contains(WSA), "{}", reply.body);
}

#[tokio::test]
async fn the_action_must_be_the_operation_in_the_body() {
    let server = Server::start();
    let id = "urn:uuid:0000-action";
    // The default action pattern of the input is accepted, in both of its forms.
    for accepted in [
        format!("{PORT_TYPE}GetUserRequest"),
        format!("{PORT_TYPE}GetUser"),
    ] {
        server
            .soap12(None, &wcf(&wcf_headers(&accepted, id), &get_user("1")))
            .await
            .assert_ok12();
    }
    // Another operation's action: ActionNotSupported with the action as ProblemAction.
    let other = action("DeleteUser");
    let reply = server
        .soap12(None, &wcf(&wcf_headers(&other, id), &get_user("1")))
        .await;
    assert_wsa_fault12(&reply, &["ActionNotSupported"], Some(id));
    assert_eq!(
        reply.texts(WSA, "Action"),
        vec![WSA_FAULT.to_string(), other.clone()],
        "the reply's action, then the ProblemAction's"
    );
    let reply = server
        .soap11(None, &jaxws(&jaxws_headers(&other, id), &get_user("1")))
        .await;
    assert_wsa_fault11(&reply, "ActionNotSupported");
    assert_eq!(wsa(&reply, "RelatesTo"), id);
    assert_eq!(reply.texts(WSA, "ProblemAction").len(), 1, "{}", reply.body);
    // A SOAPAction other than the wsa:Action: InvalidAddressingHeader / ActionMismatch.
    let reply = server
        .soap12(
            Some(&action("GetUser")),
            &wcf(
                &wcf_headers(&format!("{PORT_TYPE}GetUser"), id),
                &get_user("1"),
            ),
        )
        .await;
    assert_wsa_fault12(
        &reply,
        &["InvalidAddressingHeader", "ActionMismatch"],
        Some(id),
    );
    assert_eq!(wsa(&reply, "ProblemHeaderQName"), "wsa:Action");
    let reply = server
        .soap11(
            Some(&action("GetUser")),
            &jaxws(
                &jaxws_headers(&format!("{PORT_TYPE}GetUser"), id),
                &get_user("1"),
            ),
        )
        .await;
    assert_wsa_fault11(&reply, "InvalidAddressingHeader");
    assert_eq!(wsa(&reply, "ProblemHeaderQName"), "wsa:Action");
}

#[tokio::test]
async fn missing_duplicate_and_malformed_headers_are_refused() {
    let server = Server::start();
    let get = action("GetUser");
    let id = "urn:uuid:0000-headers";
    // No Action: MessageAddressingHeaderRequired naming wsa:Action.
    let headers = format!(r#"<a:MessageID>{id}</a:MessageID><a:To>{ANONYMOUS}</a:To>"#);
    let reply = server.soap12(None, &wcf(&headers, &get_user("1"))).await;
    assert_wsa_fault12(&reply, &["MessageAddressingHeaderRequired"], Some(id));
    assert_eq!(wsa(&reply, "ProblemHeaderQName"), "wsa:Action");
    let headers = format!(r#"<MessageID xmlns="{WSA}">{id}</MessageID>"#);
    let reply = server.soap11(None, &jaxws(&headers, &get_user("1"))).await;
    assert_wsa_fault11(&reply, "MessageAddressingHeaderRequired");
    assert_eq!(wsa(&reply, "ProblemHeaderQName"), "wsa:Action");
    // No MessageID: every operation has a reply, so it is required.
    let headers = format!(r#"<a:Action>{get}</a:Action>"#);
    let reply = server.soap12(None, &wcf(&headers, &get_user("1"))).await;
    assert_wsa_fault12(&reply, &["MessageAddressingHeaderRequired"], None);
    assert_eq!(wsa(&reply, "ProblemHeaderQName"), "wsa:MessageID");
    // A header twice: InvalidAddressingHeader / InvalidCardinality.
    for twice in ["MessageID", "To", "Action", "ReplyTo"] {
        let headers = wcf_headers(&get, id);
        let block = &headers[headers.find(&format!("<a:{twice}")).unwrap()
            ..headers.find(&format!("</a:{twice}>")).unwrap() + twice.len() + 5];
        let headers = format!("{headers}{block}");
        let reply = server.soap12(None, &wcf(&headers, &get_user("1"))).await;
        let relates = (twice != "MessageID").then_some(id);
        assert_wsa_fault12(
            &reply,
            &["InvalidAddressingHeader", "InvalidCardinality"],
            relates,
        );
        assert_eq!(wsa(&reply, "ProblemHeaderQName"), format!("wsa:{twice}"));
    }
    let headers = format!(
        "{}<MessageID xmlns=\"{WSA}\">{id}</MessageID>",
        jaxws_headers(&get, id)
    );
    let reply = server.soap11(None, &jaxws(&headers, &get_user("1"))).await;
    assert_wsa_fault11(&reply, "InvalidAddressingHeader");
    // Malformed: an Action holding an element, an empty MessageID, an EPR without Address.
    for (bad, header, subsubcode) in [
        (
            format!(r#"<a:Action><x xmlns="urn:x"/></a:Action><a:MessageID>{id}</a:MessageID>"#),
            "wsa:Action",
            None,
        ),
        (
            format!(r#"<a:Action>{get}</a:Action><a:MessageID> </a:MessageID>"#),
            "wsa:MessageID",
            None,
        ),
        (
            format!(
                r#"<a:Action>{get}</a:Action><a:MessageID>{id}</a:MessageID><a:ReplyTo><a:Metadata/></a:ReplyTo>"#
            ),
            "wsa:ReplyTo",
            Some("MissingAddressInEPR"),
        ),
        (
            format!(
                r#"<a:Action>{get}</a:Action><a:MessageID>{id}</a:MessageID><a:From><a:Address>{ANONYMOUS}</a:Address><a:Address>{ANONYMOUS}</a:Address></a:From>"#
            ),
            "wsa:From",
            Some("InvalidEPR"),
        ),
    ] {
        let reply = server.soap12(None, &wcf(&bad, &get_user("1"))).await;
        let mut codes = vec!["InvalidAddressingHeader"];
        codes.extend(subsubcode);
        let relates = (header != "wsa:MessageID").then_some(id);
        assert_wsa_fault12(&reply, &codes, relates);
        assert_eq!(wsa(&reply, "ProblemHeaderQName"), header, "{bad}");
    }
    // A header of the WS-Addressing namespace that is not a message addressing property, with
    // mustUnderstand: still a MustUnderstand fault.
    let headers = format!(
        r#"{}<a:Frobnicate s:mustUnderstand="1">x</a:Frobnicate>"#,
        wcf_headers(&get, id)
    );
    let reply = server.soap12(None, &wcf(&headers, &get_user("1"))).await;
    reply.assert_fault12("MustUnderstand");
}

#[tokio::test]
async fn replies_go_only_to_the_anonymous_address() {
    let server = Server::start();
    let id = "urn:uuid:0000-anonymous";
    let create = action("CreateUser");
    for (header, address) in [
        ("ReplyTo", "http://127.0.0.1:9/callback"),
        ("ReplyTo", "http://www.w3.org/2005/08/addressing/none"),
        ("FaultTo", "http://127.0.0.1:9/faults"),
    ] {
        let headers = format!(
            r#"<a:Action>{create}</a:Action><a:MessageID>{id}</a:MessageID><a:{header}><a:Address>{address}</a:Address></a:{header}>"#
        );
        let body = create_user("eve", "eve@example.com", &["clerk"]);
        let reply = server.soap12(None, &wcf(&headers, &body)).await;
        assert_wsa_fault12(
            &reply,
            &["InvalidAddressingHeader", "OnlyAnonymousAddressSupported"],
            Some(id),
        );
        assert_eq!(wsa(&reply, "ProblemHeaderQName"), format!("wsa:{header}"));
        let headers = format!(
            r#"<Action xmlns="{WSA}">{create}</Action><MessageID xmlns="{WSA}">{id}</MessageID><{header} xmlns="{WSA}"><Address>{address}</Address></{header}>"#
        );
        let reply = server.soap11(None, &jaxws(&headers, &body)).await;
        assert_wsa_fault11(&reply, "InvalidAddressingHeader");
        assert!(reply.reason().contains("HTTP response"), "{}", reply.body);
    }
    // Nothing was processed: eve does not exist.
    let list = format!(r#"<u:ListUsers xmlns:u="{USERS_NS}"/>"#);
    let reply = server
        .soap11(Some(&action("ListUsers")), &env11(&list))
        .await;
    reply.assert_ok11();
    assert_eq!(reply.texts(USERS_NS, "username"), vec![ADMIN.to_string()]);
}

#[tokio::test]
async fn reference_parameters_are_echoed_as_header_blocks() {
    let server = Server::start();
    let id = "urn:uuid:0000-parameters";
    let get = action("GetUser");
    // One parameter declares its namespace itself, one relies on the Envelope's prefix `k`.
    let headers = format!(
        r#"<a:Action>{get}</a:Action><a:MessageID>{id}</a:MessageID><a:ReplyTo><a:Address>{ANONYMOUS}</a:Address><a:ReferenceParameters><c:Correlation xmlns:c="urn:corr">42</c:Correlation><k:Tenant k:zone="eu">acme</k:Tenant></a:ReferenceParameters></a:ReplyTo><a:FaultTo><a:Address>{ANONYMOUS}</a:Address><a:ReferenceParameters><c:FaultKey xmlns:c="urn:corr">f-1</c:FaultKey></a:ReferenceParameters></a:FaultTo>"#
    );
    let envelope = |body: &str| {
        wcf(&headers, body).replacen(
            &format!(r#"xmlns:a="{WSA}""#),
            &format!(r#"xmlns:a="{WSA}" xmlns:k="urn:keys""#),
            1,
        )
    };
    let reply = server.soap12(None, &envelope(&get_user("1"))).await;
    reply.assert_ok12();
    assert_addressed(&reply, &format!("{PORT_TYPE}GetUserResponse"), id);
    assert_eq!(texts(&reply.body, "urn:corr", "Correlation"), vec!["42"]);
    assert_eq!(texts(&reply.body, "urn:keys", "Tenant"), vec!["acme"]);
    assert!(texts(&reply.body, "urn:corr", "FaultKey").is_empty());
    assert_eq!(
        reply
            .body
            .matches(r#":IsReferenceParameter="true""#)
            .count(),
        2,
        "{}",
        reply.body
    );
    assert!(reply.body.contains(r#"k:zone="eu""#), "{}", reply.body);
    // A fault goes to FaultTo: its parameters, and the declared fault's action.
    let reply = server.soap12(None, &envelope(&get_user("999"))).await;
    reply.assert_fault12("Sender");
    assert_eq!(
        wsa(&reply, "Action"),
        format!("{PORT_TYPE}GetUser/Fault/UserNotFoundFault")
    );
    assert_eq!(texts(&reply.body, "urn:corr", "FaultKey"), vec!["f-1"]);
    assert!(texts(&reply.body, "urn:corr", "Correlation").is_empty());
}

#[tokio::test]
async fn faults_carry_the_declared_or_the_soap_fault_action() {
    let server = Server::start();
    let id = "urn:uuid:0000-faults";
    // Declared: UserNotFoundFault of GetUser, in SOAP 1.1.
    let reply = server
        .soap11(
            Some(&action("GetUser")),
            &jaxws(&jaxws_headers(&action("GetUser"), id), &get_user("999")),
        )
        .await;
    reply.assert_fault11("Client");
    assert_addressed(
        &reply,
        &format!("{PORT_TYPE}GetUser/Fault/UserNotFoundFault"),
        id,
    );
    // Not declared: a failed authentication.
    let headers = jaxws_headers(&action("GetUser"), id);
    let body = format!(
        r#"<S:Envelope xmlns:S="{SOAP11}"><S:Header>{headers}{}</S:Header><S:Body>{}</S:Body></S:Envelope>"#,
        wsse_text(ADMIN, "wrong-password"),
        get_user("1")
    );
    let reply = server.soap11(None, &body).await;
    assert_eq!(reply.status, 500);
    assert_addressed(&reply, SOAP_FAULT, id);
    validate(&reply.body);
}

#[tokio::test]
async fn a_repeated_message_id_is_processed_but_a_replayed_nonce_is_not() {
    let server = Server::start();
    let id = "urn:uuid:0000-repeated";
    let headers = wcf_headers(&action("GetUser"), id);
    // The same MessageID on two requests with fresh credentials: both are answered.
    for _ in 0..2 {
        server
            .soap12(None, &wcf(&headers, &get_user("1")))
            .await
            .assert_ok12();
    }
    // The same message resent whole (a PasswordDigest nonce and the MessageID): the second is
    // a UsernameToken replay, refused whatever its addressing headers.
    let digest = wsse_digest(
        ADMIN,
        ADMIN_DIGEST_SECRET,
        &fresh_nonce(),
        &rfc3339(time::OffsetDateTime::now_utc()),
    );
    let message = format!(
        r#"<s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}"><s:Header>{headers}{digest}</s:Header><s:Body>{}</s:Body></s:Envelope>"#,
        get_user("1")
    );
    server.soap12(None, &message).await.assert_ok12();
    let replayed = server.soap12(None, &message).await;
    assert_eq!(replayed.status, 500, "{}", replayed.body);
    assert_eq!(
        replayed.texts(SOAP12, "Value")[1],
        "wsse:InvalidSecurity",
        "{}",
        replayed.body
    );
    assert_addressed(&replayed, SOAP_FAULT, id);
    validate(&replayed.body);
}

#[tokio::test]
async fn the_wsdl_declares_addressing_metadata_and_policy() {
    let server = Server::start();
    for query in ["?wsdl", "?wsdl&soap=1.1"] {
        let reply = server
            .get(&format!("/services/UserService{query}"), &[])
            .await;
        assert_eq!(reply.status, 200);
        let wsdl = &reply.body;
        assert!(
            wsdl.contains(r#"<wsam:Addressing wsp:Optional="true">"#),
            "{wsdl}"
        );
        assert!(wsdl.contains(r#"<wsp:Policy wsu:Id="AddressingPolicy">"#));
        assert!(wsdl.contains(&format!(r#"wsam:Action="{PORT_TYPE}GetUserResponse""#)));
        assert!(wsdl.contains(r#"wsam:Action="http://soapstone.dev/users/GetUser""#));
        assert!(wsdl.contains(&format!(
            r#"wsam:Action="{PORT_TYPE}GetUser/Fault/UserNotFoundFault""#
        )));
        let references = wsdl.matches(r##"<wsp:PolicyReference URI="#AddressingPolicy"/>"##);
        let bindings = if query.contains("1.1") { 1 } else { 2 };
        assert_eq!(references.count(), bindings, "{wsdl}");
    }
}

/// A WhoAmI with CXF-style addressing headers (each declaring the `wsa` prefix), X.509 signed
/// over the Body, the Timestamp and those headers, as WCF and WSS4J sign addressed messages.
fn signed_addressed_who_am_i(signer: &ResponseSigner, message_id: &str) -> String {
    let header = |local: &str, value: &str| {
        format!(r#"<wsa:{local} xmlns:wsa="{WSA}">{value}</wsa:{local}>"#)
    };
    let unsigned = format!(
        r#"<soap:Envelope xmlns:soap="{SOAP11}"><soap:Header>{}{}{}</soap:Header><soap:Body><s:WhoAmI xmlns:s="{SECURITY_NS}"/></soap:Body></soap:Envelope>"#,
        header("Action", "http://soapstone.dev/auth/WhoAmI"),
        header("MessageID", message_id),
        header("To", "http://127.0.0.1/services/AuthService"),
    );
    let now = time::OffsetDateTime::now_utc();
    let signed = signer
        .sign_with(
            SoapVersion::V11,
            unsigned.as_bytes(),
            now,
            Some(now + time::Duration::minutes(5)),
        )
        .unwrap();
    String::from_utf8(signed).unwrap()
}

#[tokio::test]
async fn signed_addressing_headers_are_accepted_and_the_signed_reply_covers_its_own() {
    let pki = tempfile::tempdir().unwrap();
    make_pki(pki.path(), ADMIN);
    let path = |name: &str| pki.path().join(name).to_str().unwrap().to_string();
    let server = Server::start_with(&[
        "--signature-ca",
        &path("ca.pem"),
        "--signature-cert",
        &path("server.pem"),
        "--signature-key",
        &path("server.key"),
    ]);
    let read = |name: &str| std::fs::read(pki.path().join(name)).unwrap();
    let signer = ResponseSigner::from_pem(&read("client.pem"), &read("client.key")).unwrap();
    let message = signed_addressed_who_am_i(&signer, "urn:uuid:5e1f-signed");
    for id in [
        "soapstone-wsa-action",
        "soapstone-wsa-message-id",
        "soapstone-wsa-to",
    ] {
        assert!(message.contains(&format!("URI=\"#{id}\"")), "{message}");
    }
    let reply = server
        .post(
            "/services/AuthService",
            "text/xml; charset=utf-8",
            &[],
            &message,
        )
        .await;
    reply.assert_ok11();
    assert_eq!(reply.text(SECURITY_NS, "authentication"), "signature");
    assert_eq!(wsa(&reply, "RelatesTo"), "urn:uuid:5e1f-signed");
    let verified = verify(&reply.body, &read("ca.pem")).expect("the reply's signature verifies");
    assert_eq!(verified.subject_cn, "127.0.0.1");
    for id in [
        "soapstone-wsa-action",
        "soapstone-wsa-message-id",
        "soapstone-wsa-relates-to",
        "soapstone-wsa-to",
    ] {
        assert!(
            reply.body.contains(&format!("URI=\"#{id}\"")),
            "{}",
            reply.body
        );
    }

    // A signed addressing header changed on the way is a failed check.
    let tampered = signed_addressed_who_am_i(&signer, "urn:uuid:5e1f-tampered")
        .replace("urn:uuid:5e1f-tampered", "urn:uuid:5e1f-changed");
    let reply = server
        .post(
            "/services/AuthService",
            "text/xml; charset=utf-8",
            &[],
            &tampered,
        )
        .await;
    let reason = assert_wsse(&reply, "FailedCheck");
    assert!(reason.contains("#soapstone-wsa-message-id"), "{reason}");
}
