"""Calls UserService GetUser with zeep: python quickstart.py [1.1|1.2]"""

import os
import sys

from lxml import etree
from zeep import Client
from zeep.exceptions import Fault
from zeep.wsse.username import UsernameToken

BASE = os.environ.get("SOAPSTONE_URL", "http://127.0.0.1:8080")
USERNAME = os.environ.get("SOAPSTONE_USERNAME", "admin")
PASSWORD = os.environ.get("SOAPSTONE_PASSWORD", "soapstone-admin")
VERSION = sys.argv[1] if len(sys.argv) > 1 else "1.1"

WSDL_NS = "http://soapstone.dev/wsdl/users/v1"
BINDING = f"{{{WSDL_NS}}}UserServiceSoap{VERSION.replace('.', '')}Binding"
ENDPOINT = f"{BASE}/services/UserService"


def users(wsdl, password):
    """The UserService proxy of VERSION, sending a UsernameToken (PasswordText)."""
    return Client(wsdl, wsse=UsernameToken(USERNAME, password)).create_service(BINDING, ENDPOINT)


def security_code(fault):
    """The WS-Security code: SOAP 1.1's faultcode, or the Subcode under SOAP 1.2's env:Sender."""
    return str(fault.subcodes[0]) if fault.subcodes else fault.code


client = Client(f"{ENDPOINT}?wsdl")
service = users(client.wsdl, PASSWORD)

me = service.GetUser(username=USERNAME)
print(f"GetUser: id={me.id} username={me.username} roles={','.join(me.role)}")

try:
    service.GetUser(username="nobody")
    sys.exit("expected a UserNotFoundFault")
except Fault as fault:
    element = fault.detail[0]  # the typed detail, c:UserNotFoundFault
    detail = client.get_element(element.tag).parse(element, client.wsdl.types)
    print(f"{etree.QName(element).localname}: username={detail.username} message={detail.message}")

try:
    users(client.wsdl, "not-the-password").GetUser(username=USERNAME)
    sys.exit("expected wsse:FailedAuthentication")
except Fault as fault:
    print(f"wrong password: {security_code(fault)}")
