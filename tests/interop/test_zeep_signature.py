"""zeep's X.509 signature plugin (python-xmlsec) against the server's signature check.

zeep signs the Body (and a wsu:Timestamp when the Security header has one) with exclusive
c14n, a BinarySecurityToken and a SecurityTokenReference. The server requires the Timestamp,
so the plugin below adds one before signing. The server does not sign its responses, so the
plugin's response check is turned off.
"""

import datetime

import pytest
import requests
import xmlsec
from lxml import etree
from zeep.exceptions import Fault
from zeep.wsse.signature import BinarySignature
from zeep.wsse.utils import WSU, get_security_header, get_timestamp

SECURITY_NS = "http://soapstone.dev/schema/security/v1"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


class TimestampedSignature(BinarySignature):
    """zeep's BinarySignature with a signed five-minute wsu:Timestamp."""

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
        return envelope


def signer(pki, which="admin", **kwargs):
    cert, key = (
        (pki.admin_cert, pki.admin_key) if which == "admin" else (pki.stranger_cert, pki.stranger_key)
    )
    return TimestampedSignature(str(key), str(cert), **kwargs)


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
    reply = _post(server, etree.tostring(envelope))
    assert reply.status_code == 500
    assert fault_code(reply.content) == "wsse:InvalidSecurity", reply.text
