"""zeep's WS-Addressing (zeep.wsa.WsAddressingPlugin) against the UserService, over SOAP 1.1
and 1.2. zeep applies the plugin by itself to every operation whose input declares a
wsam:Action (zeep/wsdl/bindings/soap.py), as ours do, so a plain zeep client is an addressed
one; passing the plugin in `plugins` too would send every header twice (answered with
wsa:InvalidCardinality). It sends wsa:Action (the input's wsam:Action), wsa:MessageID and
wsa:To; the reply carries the output's action, RelatesTo the request's MessageID, its own
MessageID and the anonymous To, and so does a declared fault."""

import pytest
from zeep import Client
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin

from conftest import SOAP_VERSIONS, WSDL_NS, admin_wsse

WSA = "{http://www.w3.org/2005/08/addressing}"
ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"
PORT_TYPE = "http://soapstone.dev/wsdl/users/v1/UserServicePortType/"


@pytest.fixture(params=SOAP_VERSIONS, ids=["soap11", "soap12"])
def addressed(request, zeep_client, service_urls):
    """(proxy, history): a UserService proxy of one SOAP version (its client adds the
    WS-Addressing headers by itself), and the history of what it exchanged."""
    history = HistoryPlugin()
    base = zeep_client("UserService")
    client = Client(
        base.wsdl,
        wsse=admin_wsse(),
        transport=base.transport,
        plugins=[history],
    )
    suffix = "Soap11Binding" if request.param == "1.1" else "Soap12Binding"
    binding = f"{{{WSDL_NS['UserService']}}}UserService{suffix}"
    return client.create_service(binding, service_urls["UserService"]), history


def header(envelope, name: str) -> str:
    found = envelope.findall(f"./*/{WSA}{name}")
    assert len(found) == 1, name
    return found[0].text


def assert_reply(history, action: str) -> None:
    sent, received = history.last_sent["envelope"], history.last_received["envelope"]
    assert header(sent, "Action") == "http://soapstone.dev/users/GetUser"
    request_id = header(sent, "MessageID")
    assert header(received, "Action") == action
    assert header(received, "RelatesTo") == request_id
    assert header(received, "To") == ANONYMOUS
    own = header(received, "MessageID")
    assert own.startswith("urn:uuid:") and own != request_id


def test_zeep_engages_its_addressing_plugin_from_the_wsdl(addressed):
    proxy, _ = addressed
    operation = proxy._binding._operations["GetUser"]
    assert operation.abstract.wsa_action == "http://soapstone.dev/users/GetUser"


def test_a_call_is_answered_with_its_action_and_relates_to(addressed, admin):
    proxy, history = addressed
    user = proxy.GetUser(id=admin.user_id)
    assert user.username == admin.username
    assert_reply(history, PORT_TYPE + "GetUserResponse")


def test_a_declared_fault_carries_its_fault_action(addressed):
    proxy, history = addressed
    with pytest.raises(Fault):
        proxy.GetUser(id=999999999)
    assert_reply(history, PORT_TYPE + "GetUser/Fault/UserNotFoundFault")
