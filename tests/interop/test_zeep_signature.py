"""zeep's X.509 signature plugin (python-xmlsec) against the server's signature check.

zeep signs the Body (and a wsu:Timestamp when the Security header has one) with exclusive
c14n, a BinarySecurityToken and a SecurityTokenReference. The server requires the Timestamp,
so the plugin below adds one before signing.

The server signs its responses (and faults) to signed requests with its own key. zeep's
plugin checks a response with python-xmlsec, but against the client's own certificate; the
plugin below checks it, with the same zeep function, against the server's certificate.
A fault refusing the request's security cannot be signed (the server does not know who is
asking); like a CXF client, the plugin accepts an unsigned fault and nothing else unsigned.
"""

import datetime

import pytest
import requests
import xmlsec
from lxml import etree
from zeep.exceptions import Fault, SignatureVerificationFailed
from zeep.wsse.signature import BinarySignature, _make_verify_key, _verify_envelope_with_key
from zeep.wsse.utils import WSU, get_security_header, get_timestamp

SECURITY_NS = "http://soapstone.dev/schema/security/v1"
WSA_NS = "http://www.w3.org/2005/08/addressing"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


class TimestampedSignature(BinarySignature):
    """zeep's BinarySignature with a signed five-minute wsu:Timestamp, checking responses
    against `response_cert` (PEM path)."""

    def __init__(self, key_file, cert_file, response_cert, **kwargs):
        super().__init__(key_file, cert_file, **kwargs)
        with open(response_cert, "rb") as f:
            self.response_cert = f.read()

    def apply(self, envelope, headers):
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        get_security_header(envelope).append(
            WSU.Timestamp(
                WSU.Created(get_timestamp(now)),
                WSU.Expires(get_timestamp(now + datetime.timedelta(minutes=5))),
            )
        )
        return super().apply(envelope, headers)

    def verify(self, envelope):
        soap_ns = envelope.tag[1:].split("}")[0]
        unsigned = envelope.find(f"{{{soap_ns}}}Header/{{{WSSE_NS}}}Security") is None
        if unsigned and envelope.find(f"{{{soap_ns}}}Body/{{{soap_ns}}}Fault") is not None:
            return envelope
        _verify_envelope_with_key(envelope, _make_verify_key(self.response_cert))
        return envelope


def signer(pki, which="admin", response_cert=None, **kwargs):
    cert, key = (
        (pki.admin_cert, pki.admin_key) if which == "admin" else (pki.stranger_cert, pki.stranger_key)
    )
    return TimestampedSignature(
        str(key), str(cert), str(response_cert or pki.server_cert), **kwargs
    )


def fault_code(history_or_text):
    return etree.fromstring(history_or_text).findtext(".//faultcode")


def test_a_signed_request_authenticates_its_certificates_user(soap, signing_pki):
    whoami = soap.service_as("AuthService", signer(signing_pki)).WhoAmI()
    assert whoami.username == "admin"
    assert whoami.authentication == "signature"


def test_rsa_sha256_with_sha256_digests(soap, signing_pki):
    plugin = signer(
        signing_pki,
        signature_method=xmlsec.Transform.RSA_SHA256,
        digest_method=xmlsec.Transform.SHA256,
    )
    users = soap.service_as("UserService", plugin).GetUser(username="admin")
    assert users.id == 1


def test_a_certificate_from_another_ca_is_refused(soap, signing_pki):
    with pytest.raises(Fault) as raised:
        soap.service_as("AuthService", signer(signing_pki, "stranger")).WhoAmI()
    assert "invalid security token" in raised.value.message.lower()


def test_a_fault_to_a_signed_request_is_signed_too(soap, signing_pki):
    users = soap.service_as("UserService", signer(signing_pki))
    with pytest.raises(Fault) as raised:
        users.GetUser(username="nobody-by-this-name")
    assert "nobody-by-this-name" in raised.value.message


def test_a_response_checked_against_another_certificate_fails(soap, signing_pki):
    # zeep's stock check (against the client's own certificate) cannot pass: the response
    # is signed with the server's key, so the check is real.
    plugin = signer(signing_pki, response_cert=signing_pki.admin_cert)
    with pytest.raises(SignatureVerificationFailed):
        soap.service_as("AuthService", plugin).WhoAmI()


def test_a_signed_response_carries_the_server_token_and_a_timestamp(
    zeep_client, signing_pki, server
):
    envelope = _signed_envelope(zeep_client, signing_pki)
    reply = _post(server, etree.tostring(envelope))
    assert reply.status_code == 200, reply.text
    doc = etree.fromstring(reply.content)
    security = doc.find(f".//{{{WSSE_NS}}}Security")
    assert security is not None, reply.text
    token = security.findtext(f"{{{WSSE_NS}}}BinarySecurityToken")
    with open(signing_pki.server_cert) as f:
        server_der = "".join(f.read().splitlines()[1:-1])
    assert token == server_der
    wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    assert security.find(f"{{{wsu}}}Timestamp/{{{wsu}}}Expires") is not None
    signer(signing_pki).verify(doc)


def test_unsigned_requests_get_unsigned_responses(zeep_client, server):
    client = zeep_client("AuthService")
    envelope = client.create_message(client.service, "WhoAmI")
    reply = _post(server, etree.tostring(envelope))
    assert reply.status_code == 200, reply.text
    assert b"Signature" not in reply.content


def _signed_envelope(zeep_client, signing_pki):
    client = zeep_client("AuthService")
    envelope = client.create_message(client.service, "WhoAmI")
    signer(signing_pki).apply(envelope, {})
    return envelope


def _post(server, envelope_bytes):
    return requests.post(
        f"{server.base_url}/services/AuthService",
        data=envelope_bytes,
        headers={"Content-Type": "text/xml; charset=utf-8"},
        timeout=10,
    )


def test_tampering_and_wrapping_are_refused(server, zeep_client, signing_pki):
    soap_ns = "http://schemas.xmlsoap.org/soap/envelope/"
    # The untouched message is accepted.
    envelope = _signed_envelope(zeep_client, signing_pki)
    ok = _post(server, etree.tostring(envelope))
    assert ok.status_code == 200, ok.text

    # A changed Body no longer matches its digest.
    envelope = _signed_envelope(zeep_client, signing_pki)
    body = envelope.find(f"{{{soap_ns}}}Body")
    etree.SubElement(body[0], "{urn:x}extra").text = "x"
    reply = _post(server, etree.tostring(envelope))
    assert reply.status_code == 500
    assert fault_code(reply.content) == "wsse:FailedCheck", reply.text

    # The signed Body moved into a header wrapper and a new Body put in its place.
    envelope = _signed_envelope(zeep_client, signing_pki)
    body = envelope.find(f"{{{soap_ns}}}Body")
    envelope.remove(body)
    wrapper = etree.SubElement(envelope.find(f"{{{soap_ns}}}Header"), "{urn:evil}Wrapper")
    wrapper.append(body)
    new_body = etree.SubElement(envelope, f"{{{soap_ns}}}Body")
    etree.SubElement(new_body, f"{{{SECURITY_NS}}}Logout")
    # zeep's wsa:Action (unsigned) changed to match, as an attacker would, so that the
    # signature check, not the WS-Addressing action check, is what refuses it.
    envelope.find(f"{{{soap_ns}}}Header/{{{WSA_NS}}}Action").text = "http://soapstone.dev/auth/Logout"
    reply = _post(server, etree.tostring(envelope))
    assert reply.status_code == 500
    assert fault_code(reply.content) == "wsse:InvalidSecurity", reply.text
