"""zeep over HTTPS: the server's certificate checked against the test CA, a UsernameToken
over TLS, and mutual TLS where the client certificate alone authenticates its user."""

import pytest
import requests
from lxml import etree
from zeep import Client
from zeep.transports import Transport

from conftest import ADMIN_USER, SOAP_VERSIONS, WSDL_NS, _binding, admin_wsse

WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"


def https_session(tls_pki, client_certificate=False) -> requests.Session:
    session = requests.Session()
    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override session.verify: ignore them.
    session.trust_env = False
    session.verify = str(tls_pki.ca)
    if client_certificate:
        session.cert = (str(tls_pki.client_cert), str(tls_pki.client_key))
    return session


def auth_service(base_url, session, version, wsse=None):
    url = f"{base_url}/services/AuthService"
    client = Client(url + "?wsdl", wsse=wsse, transport=Transport(session=session, cache=None))
    return client.create_service(_binding("AuthService", version), url)


@pytest.mark.parametrize("version", SOAP_VERSIONS)
def test_a_username_token_over_https(tls_server, tls_pki, version):
    assert tls_server.base_url.startswith("https://127.0.0.1:")
    proxy = auth_service(tls_server.base_url, https_session(tls_pki), version, admin_wsse())
    whoami = proxy.WhoAmI()
    assert whoami.username == ADMIN_USER
    assert whoami.authentication == "password"


def test_the_wsdl_fetched_over_https_names_an_https_address(tls_server, tls_pki):
    reply = https_session(tls_pki).get(f"{tls_server.base_url}/services/AuthService?wsdl")
    assert reply.status_code == 200
    doc = etree.fromstring(reply.content)
    locations = [a.get("location") for a in doc.iter(f"{{{WSDL_SOAP11}}}address")]
    assert locations == [f"{tls_server.base_url}/services/AuthService"]


def test_a_server_certificate_from_an_unknown_ca_is_refused_by_zeep(tls_server):
    with pytest.raises(requests.exceptions.SSLError):
        # The system trust store, which does not hold the test CA.
        Client(
            f"{tls_server.base_url}/services/AuthService?wsdl",
            transport=Transport(cache=None),
        )


@pytest.mark.parametrize("version", SOAP_VERSIONS)
def test_a_client_certificate_authenticates_its_user(mtls_server, tls_pki, version):
    session = https_session(tls_pki, client_certificate=True)
    whoami = auth_service(mtls_server.base_url, session, version).WhoAmI()
    assert whoami.username == ADMIN_USER
    assert whoami.authentication == "certificate"


def test_mutual_tls_refuses_a_client_without_a_certificate(mtls_server, tls_pki):
    with pytest.raises((requests.exceptions.SSLError, requests.exceptions.ConnectionError)):
        https_session(tls_pki).get(f"{mtls_server.base_url}/services/AuthService?wsdl")


def test_the_services_are_all_served_over_https(tls_server, tls_pki):
    session = https_session(tls_pki)
    for name in WSDL_NS:
        reply = session.get(f"{tls_server.base_url}/services/{name}?wsdl")
        assert reply.status_code == 200, name
        assert etree.fromstring(reply.content).tag == f"{{{WSDL}}}definitions"
