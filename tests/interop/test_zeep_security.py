"""WS-Security, sessions, roles and the audit trail, driven by the real zeep client over SOAP
1.1 and 1.2 (every test that takes `soap` runs once per version).

How requests authenticate here:
- zeep's own WS-Security (`zeep.wsse.username.UsernameToken`): PasswordText, or with
  `use_digest=True` a PasswordDigest = Base64(SHA-1(nonce + Created + secret)) over a fresh
  16-byte nonce and Created (zeep can be given an old `created`, and a wsu:Timestamp element as
  `timestamp_token`);
- the s:SessionToken header the WSDLs declare on every input (message part `token`), from
  AuthService Login: `_soapheaders={"token": token}` or the element itself;
- `RawSecurity` below: a wsse:Security block written by hand, for malformed tokens.
Proxies with credentials other than the admin's come from `soap.service_as(name, wsse)`
(conftest.py); `wsse=None` sends no WS-Security header at all.

zeep reports a SOAP 1.1 fault's faultcode text and, for SOAP 1.2, the Code/Value text and the
Subcodes as resolved QNames; the raw code text (`wsse:FailedAuthentication`, its prefix bound
on the wire) is read from the HistoryPlugin's last received envelope, or from the `requests`
response where a test posts an envelope itself (the replayed nonce: the exact same bytes twice).

Every test makes its own users (usernames with a random suffix), products and orders.
"""

import base64
import hashlib
import os
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests
from lxml import etree
from zeep.exceptions import Fault
from zeep.wsdl.utils import get_or_create_header
from zeep.wsse import utils as wsse_utils
from zeep.wsse.username import UsernameToken

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
TOKEN_PROFILE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
)
SECURITY_NS = "http://soapstone.dev/schema/security/v1"
COMMON_NS = "http://soapstone.dev/schema/common/v1"
WSA_NS = "http://www.w3.org/2005/08/addressing"
XML_NS = "http://www.w3.org/XML/1998/namespace"

FAILED_AUTHENTICATION_REASON = "The security token could not be authenticated or authorized"
MISSING_ID = 999999999
HTTP_TIMEOUT_S = 30
AUDIT_WAIT_S = 5.0


# --- helpers ---------------------------------------------------------------------------------


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def new_password() -> str:
    return f"pw-{uuid.uuid4().hex}"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def text_token(username, password) -> UsernameToken:
    return UsernameToken(username, password)


def digest_token(username, secret, **extra) -> UsernameToken:
    return UsernameToken(username, secret, use_digest=True, **extra)


def create_user(users, roles, prefix="sec", password=None):
    """A fresh user with `roles` and a password; returns (user, password)."""
    username = unique_name(prefix)
    password = password or new_password()
    user = users.CreateUser(
        username=username, email=f"{username}@example.com", role=list(roles), password=password
    )
    return user, password


def as_user(soap, name, user, password):
    """Service `name` of this SOAP version, authenticating as `user` (PasswordText)."""
    return soap.service_as(name, text_token(user.username, password))


def create_product(catalog, prefix="SEC", price="10.00", stock=50):
    sku = f"{prefix}-{uuid.uuid4().hex[:12].upper()}"
    return catalog.CreateProduct(
        sku=sku, name=f"Product {sku}", unitPrice=Decimal(price), currency="EUR", stock=stock
    )


def address():
    return {
        "name": "Zoë Öberg",
        "street": "12 Königsallee",
        "city": "Düsseldorf",
        "postalCode": "40212",
        "country": "DE",
    }


def place(orders, customer_id, product, quantity=1):
    return orders.PlaceOrder(
        customerId=customer_id,
        line=[{"sku": product.sku, "quantity": quantity}],
        shippingAddress=address(),
    )


def expect_fault(call, *args, **kwargs) -> Fault:
    with pytest.raises(Fault) as excinfo:
        call(*args, **kwargs)
    return excinfo.value


def fault_code_element(soap, envelope):
    """The element holding the fault's WS-Security code: SOAP 1.1 faultcode, SOAP 1.2
    Code/Subcode/Value (after checking Code/Value is env:Sender and Reason/Text has xml:lang)."""
    assert envelope.tag == f"{{{soap.envelope_ns}}}Envelope", envelope.tag
    fault = envelope.find(f"{{{soap.envelope_ns}}}Body/{{{soap.envelope_ns}}}Fault")
    assert fault is not None, etree.tostring(envelope)
    if soap.version == "1.1":
        return fault.find("faultcode")
    e = f"{{{soap.envelope_ns}}}"
    assert fault.findtext(f"{e}Code/{e}Value") == "env:Sender"
    text = fault.find(f"{e}Reason/{e}Text")
    assert text is not None and text.get(f"{{{XML_NS}}}lang"), etree.tostring(fault)
    return fault.find(f"{e}Code/{e}Subcode/{e}Value")


def assert_raw_security_code(soap, envelope, code):
    element = fault_code_element(soap, envelope)
    assert element is not None, etree.tostring(envelope)
    assert element.text == f"wsse:{code}"
    assert element.nsmap.get("wsse") == WSSE_NS, element.nsmap


def security_fault(soap, history, fault: Fault, code: str) -> str:
    """Checks a WS-Security fault zeep raised (and the raw response it received): SOAP 1.1
    faultcode `wsse:<code>`; SOAP 1.2 Code env:Sender, Subcode `wsse:<code>`. Returns the
    reason."""
    if soap.version == "1.1":
        assert fault.code == f"wsse:{code}", (fault.code, fault.message)
    else:
        assert fault.code == "env:Sender", (fault.code, fault.message)
        assert fault.subcodes == [etree.QName(WSSE_NS, code)], (fault.subcodes, fault.message)
    assert fault.message
    assert fault.detail is None or len(fault.detail) == 0
    assert_raw_security_code(soap, history.last_received["envelope"], code)
    return fault.message


def access_denied(soap, orders_client, fault: Fault, operation: str):
    """A Client/Sender fault whose detail is c:AccessDeniedFault for `operation`."""
    assert fault.code == soap.client_fault_code, (fault.code, fault.message)
    assert fault.message
    assert fault.detail is not None, "fault has no detail"
    children = list(fault.detail)
    assert [child.tag for child in children] == [f"{{{COMMON_NS}}}AccessDeniedFault"]
    detail = orders_client.get_element(f"{{{COMMON_NS}}}AccessDeniedFault").parse(
        children[0], orders_client.wsdl.types
    )
    assert detail.operation == operation
    assert detail.message
    return detail


def sent_security(history):
    """The wsse:Security block of the last request zeep sent, or None."""
    envelope = history.last_sent["envelope"]
    return envelope.find(f".//{{{WSSE_NS}}}Security")


class RawSecurity:
    """A zeep wsse plugin that puts a hand-written wsse:Security block into the header."""

    def __init__(self, token_xml: str):
        self.xml = (
            f'<wsse:Security xmlns:wsse="{WSSE_NS}" xmlns:wsu="{WSU_NS}">{token_xml}'
            "</wsse:Security>"
        )

    def apply(self, envelope, headers):
        get_or_create_header(envelope).append(etree.fromstring(self.xml))
        return envelope, headers

    def verify(self, envelope):
        pass


def expired_timestamp():
    """A wsu:Timestamp created two minutes ago that expired one minute ago."""
    now = utc_now()
    return wsse_utils.WSU.Timestamp(
        wsse_utils.WSU.Created((now - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")),
        wsse_utils.WSU.Expires((now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")),
    )


def http_headers(soap):
    if soap.version == "1.1":
        return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
    return {"Content-Type": "application/soap+xml; charset=utf-8"}


def post(soap, url, body: bytes):
    """POSTs an envelope as it is; returns (HTTP status, Content-Type, parsed envelope)."""
    response = requests.post(url, data=body, headers=http_headers(soap), timeout=HTTP_TIMEOUT_S)
    return response.status_code, response.headers.get("Content-Type"), etree.fromstring(
        response.content
    )


def assert_recent(value):
    assert isinstance(value, datetime) and value.utcoffset() is not None, value
    assert abs(utc_now() - value) < timedelta(minutes=1), value


# --- UsernameToken -----------------------------------------------------------------------------


def test_username_token_password_text(soap, auth, history, admin):
    who = auth.WhoAmI()

    assert who.userId == admin.user_id
    assert who.username == admin.username
    assert who.role == ["admin"]
    assert who.authentication == "password"
    assert who.sessionExpiresAt is None

    security = sent_security(history)
    assert security is not None
    password = security.find(f"{{{WSSE_NS}}}UsernameToken/{{{WSSE_NS}}}Password")
    assert password.get("Type") == f"{TOKEN_PROFILE}#PasswordText"
    assert history.last_received["http_headers"]["Content-Type"] == soap.content_type


def test_username_token_password_digest(soap, history, admin):
    auth = soap.service_as("AuthService", digest_token(admin.username, admin.digest_secret))
    users = soap.service_as("UserService", digest_token(admin.username, admin.digest_secret))

    nonces = []
    for _ in range(2):  # zeep makes a fresh nonce and Created per request
        who = auth.WhoAmI()
        assert (who.userId, who.username, who.authentication) == (
            admin.user_id,
            admin.username,
            "digest",
        )
        token = sent_security(history).find(f"{{{WSSE_NS}}}UsernameToken")
        assert token.find(f"{{{WSSE_NS}}}Password").get("Type") == f"{TOKEN_PROFILE}#PasswordDigest"
        nonces.append(token.findtext(f"{{{WSSE_NS}}}Nonce"))
    assert nonces[0] != nonces[1]

    assert users.GetUser(id=admin.user_id).username == admin.username


def test_digest_with_the_password_instead_of_the_secret_fails(soap, history, admin):
    auth = soap.service_as("AuthService", digest_token(admin.username, admin.password))

    fault = expect_fault(auth.WhoAmI)

    security_fault(soap, history, fault, "FailedAuthentication")


# --- sessions ------------------------------------------------------------------------------------


def test_login_then_session_token_header(soap, history, auth_client, admin):
    anonymous = soap.service_as("AuthService", None)

    login = anonymous.Login(username=admin.username, password=admin.password)
    assert isinstance(login.sessionToken, str) and login.sessionToken
    assert login.expiresAt > utc_now()
    assert sent_security(history) is None  # Login needs no other credentials

    who = anonymous.WhoAmI(_soapheaders={"token": login.sessionToken})
    assert (who.userId, who.username, who.role) == (admin.user_id, admin.username, ["admin"])
    assert who.authentication == "session"
    assert who.sessionExpiresAt is not None and who.sessionExpiresAt >= login.expiresAt

    sent = history.last_sent["envelope"]
    header = sent.find(f"{{{soap.envelope_ns}}}Header")
    # The SessionToken is the only credential; the rest are zeep's WS-Addressing headers.
    credentials = [child for child in header if not child.tag.startswith(f"{{{WSA_NS}}}")]
    assert [child.tag for child in credentials] == [f"{{{SECURITY_NS}}}SessionToken"]
    assert credentials[0].text == login.sessionToken

    # The header element itself works too (zeep's value of this simple-typed element is a
    # plain str, so it is rendered with the element's schema), and so does every service.
    holder = etree.Element("holder")
    auth_client.get_element(f"{{{SECURITY_NS}}}SessionToken").render(holder, login.sessionToken)
    assert [child.tag for child in holder] == [f"{{{SECURITY_NS}}}SessionToken"]
    assert anonymous.WhoAmI(_soapheaders=[holder[0]]).authentication == "session"
    users = soap.service_as("UserService", None)
    assert users.GetUser(id=admin.user_id, _soapheaders={"token": login.sessionToken}).username == (
        admin.username
    )


def test_logout_ends_the_session(soap, history, auth, admin):
    anonymous = soap.service_as("AuthService", None)
    token = anonymous.Login(username=admin.username, password=admin.password).sessionToken
    other = anonymous.Login(username=admin.username, password=admin.password).sessionToken
    assert token != other

    assert anonymous.Logout(_soapheaders={"token": token}) is True

    fault = expect_fault(anonymous.WhoAmI, _soapheaders={"token": token})
    security_fault(soap, history, fault, "FailedAuthentication")
    users = soap.service_as("UserService", None)
    fault = expect_fault(users.GetUser, id=admin.user_id, _soapheaders={"token": token})
    security_fault(soap, history, fault, "FailedAuthentication")
    # Only that session ended.
    assert anonymous.WhoAmI(_soapheaders={"token": other}).authentication == "session"
    # Without a SessionToken there is no session to end.
    assert auth.Logout() is False


def test_unknown_session_token_is_failed_authentication(soap, history):
    anonymous = soap.service_as("AuthService", None)

    fault = expect_fault(anonymous.WhoAmI, _soapheaders={"token": "forged-" + uuid.uuid4().hex})

    security_fault(soap, history, fault, "FailedAuthentication")


# --- failed authentication -------------------------------------------------------------------------


def test_wrong_password_and_unknown_user_are_the_same_fault(soap, history, admin):
    reasons, codes = [], []
    for username, password in [
        (admin.username, admin.password + "-wrong"),
        (unique_name("nobody"), admin.password),
    ]:
        users = soap.service_as("UserService", text_token(username, password))
        fault = expect_fault(users.GetUser, id=admin.user_id)
        reasons.append(security_fault(soap, history, fault, "FailedAuthentication"))
        codes.append((fault.code, fault.subcodes))

    assert codes[0] == codes[1]
    assert reasons == [FAILED_AUTHENTICATION_REASON, FAILED_AUTHENTICATION_REASON]

    # Login says the same.
    anonymous = soap.service_as("AuthService", None)
    fault = expect_fault(
        anonymous.Login, username=admin.username, password=admin.password + "-wrong"
    )
    assert security_fault(soap, history, fault, "FailedAuthentication") == reasons[0]
    fault = expect_fault(anonymous.Login, username=unique_name("nobody"), password=admin.password)
    assert security_fault(soap, history, fault, "FailedAuthentication") == reasons[0]


def test_no_credentials_is_failed_authentication(soap, history, admin):
    for name, operation, kwargs in [
        ("UserService", "GetUser", {"id": admin.user_id}),
        ("CatalogService", "GetProduct", {"sku": "NO-SUCH-SKU"}),
        ("OrderService", "GetOrder", {"id": MISSING_ID}),
        ("AuthService", "WhoAmI", {}),
    ]:
        proxy = soap.service_as(name, None)
        fault = expect_fault(getattr(proxy, operation), **kwargs)
        header = history.last_sent["envelope"].find(f"{{{soap.envelope_ns}}}Header")
        # Only zeep's WS-Addressing headers: no credentials at all.
        assert all(child.tag.startswith(f"{{{WSA_NS}}}") for child in header)
        security_fault(soap, history, fault, "FailedAuthentication")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(
            "<wsse:UsernameToken><wsse:Username>admin</wsse:Username>"
            "<wsse:Password>x</wsse:Password><wsse:Nonce>!!not base64!!</wsse:Nonce>"
            "</wsse:UsernameToken>",
            id="bad-base64-nonce",
        ),
        pytest.param(
            "<wsse:UsernameToken><wsse:Username>admin</wsse:Username>"
            f'<wsse:Password Type="{TOKEN_PROFILE}#PasswordRot13">fbncfgbar-nqzva</wsse:Password>'
            "</wsse:UsernameToken>",
            id="unknown-password-type",
        ),
        pytest.param(
            "<wsse:UsernameToken><wsse:Password>soapstone-admin</wsse:Password>"
            "</wsse:UsernameToken>",
            id="no-username",
        ),
    ],
)
def test_malformed_token_is_invalid_security_token(soap, history, token):
    auth = soap.service_as("AuthService", RawSecurity(token))

    fault = expect_fault(auth.WhoAmI)

    security_fault(soap, history, fault, "InvalidSecurityToken")


def digest_token_xml(username, secret, created_text, nonce=None, encoding_type=True):
    """A hand-written PasswordDigest UsernameToken over the literal `created_text`."""
    nonce = nonce or os.urandom(16)
    digest = base64.b64encode(
        hashlib.sha1(nonce + created_text.encode() + secret.encode()).digest()
    ).decode()
    encoding = (
        ' EncodingType="http://docs.oasis-open.org/wss/2004/01/'
        'oasis-200401-wss-soap-message-security-1.0#Base64Binary"'
        if encoding_type
        else ""
    )
    return (
        f"<wsse:UsernameToken><wsse:Username>{username}</wsse:Username>"
        f'<wsse:Password Type="{TOKEN_PROFILE}#PasswordDigest">{digest}</wsse:Password>'
        f"<wsse:Nonce{encoding}>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
        f"<wsu:Created>{created_text}</wsu:Created></wsse:UsernameToken>"
    )


@pytest.mark.parametrize("must_understand", ["1", "true"])
def test_security_header_with_must_understand(soap, admin, must_understand):
    """gSOAP and others mark wsse:Security soap:mustUnderstand ("1", or "true" on SOAP 1.2)."""
    token = (
        f'<wsse:UsernameToken><wsse:Username>{admin.username}</wsse:Username>'
        f"<wsse:Password>{admin.password}</wsse:Password></wsse:UsernameToken>"
    )
    security = RawSecurity(token)
    security.xml = security.xml.replace(
        "<wsse:Security ",
        f'<wsse:Security xmlns:se="{soap.envelope_ns}" se:mustUnderstand="{must_understand}" ',
    )

    who = soap.service_as("AuthService", security).WhoAmI()

    assert (who.username, who.authentication) == (admin.username, "password")


@pytest.mark.parametrize(
    "created",
    [
        pytest.param(lambda now: now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
                     id="fraction-Z"),
        pytest.param(lambda now: now.strftime("%Y-%m-%dT%H:%M:%S+00:00"), id="offset"),
        pytest.param(
            lambda now: now.astimezone(timezone(timedelta(hours=1))).strftime(
                "%Y-%m-%dT%H:%M:%S+01:00"
            ),
            id="plus-one-hour",
        ),
    ],
)
def test_digest_over_the_literal_created_and_a_nonce_without_encoding_type(soap, admin, created):
    text = created(utc_now() - timedelta(seconds=2))
    token = digest_token_xml(admin.username, admin.digest_secret, text, encoding_type=False)

    who = soap.service_as("AuthService", RawSecurity(token)).WhoAmI()

    assert (who.username, who.authentication) == (admin.username, "digest")


# --- replay and freshness ------------------------------------------------------------------------


def test_replayed_nonce_is_invalid_security(soap, service_urls, admin):
    auth = soap.service_as("AuthService", digest_token(admin.username, admin.digest_secret))
    envelope = auth._client.create_message(auth, "WhoAmI")
    assert envelope.find(f".//{{{WSSE_NS}}}Nonce") is not None
    body = etree.tostring(envelope, xml_declaration=True, encoding="utf-8")

    status, content_type, first = post(soap, service_urls["AuthService"], body)
    assert status == 200, etree.tostring(first)
    assert content_type == soap.content_type
    response = first.find(f"{{{soap.envelope_ns}}}Body")[0]
    assert etree.QName(response).localname == "WhoAmIResponse", etree.tostring(first)
    fields = {etree.QName(child).localname: child.text for child in response}
    assert fields["authentication"] == "digest", fields

    status, content_type, second = post(soap, service_urls["AuthService"], body)
    assert status == 500, etree.tostring(second)
    assert content_type == soap.content_type
    assert_raw_security_code(soap, second, "InvalidSecurity")


def test_stale_created_is_message_expired(soap, history, admin):
    # A correct digest over a fresh nonce, but Created ten minutes ago.
    stale = digest_token(
        admin.username, admin.digest_secret, created=utc_now() - timedelta(minutes=10)
    )
    fault = expect_fault(soap.service_as("AuthService", stale).WhoAmI)
    security_fault(soap, history, fault, "MessageExpired")

    # And five minutes in the future.
    future = digest_token(
        admin.username, admin.digest_secret, created=utc_now() + timedelta(minutes=5)
    )
    fault = expect_fault(soap.service_as("AuthService", future).WhoAmI)
    security_fault(soap, history, fault, "MessageExpired")

    # A Created a few seconds old is fine.
    recent = digest_token(
        admin.username, admin.digest_secret, created=utc_now() - timedelta(seconds=5)
    )
    assert soap.service_as("AuthService", recent).WhoAmI().authentication == "digest"


def test_expired_timestamp_is_message_expired(soap, history, admin):
    token = UsernameToken(admin.username, admin.password, timestamp_token=expired_timestamp())
    auth = soap.service_as("AuthService", token)

    fault = expect_fault(auth.WhoAmI)

    assert sent_security(history).find(f"{{{WSU_NS}}}Timestamp/{{{WSU_NS}}}Expires") is not None
    security_fault(soap, history, fault, "MessageExpired")


def test_timestamp_that_has_not_expired_is_fine(soap, admin):
    now = utc_now()
    stamp = wsse_utils.WSU.Timestamp(
        wsse_utils.WSU.Created(now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        wsse_utils.WSU.Expires((now + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")),
    )
    token = UsernameToken(admin.username, admin.password, timestamp_token=stamp)

    assert soap.service_as("AuthService", token).WhoAmI().authentication == "password"


# --- users: passwords and status --------------------------------------------------------------------


def test_user_created_with_a_password_authenticates(soap, users):
    user, password = create_user(users, ["clerk"], "pw")

    who = as_user(soap, "AuthService", user, password).WhoAmI()

    assert (who.userId, who.username, who.role, who.authentication) == (
        user.id,
        user.username,
        ["clerk"],
        "password",
    )
    assert user.id > 1  # the admin is user 1


@pytest.mark.parametrize("length", [7, 1025])
def test_password_of_a_bad_length_is_validation_fault(soap, users, orders_client, length):
    username = unique_name("badpw")

    fault = expect_fault(
        users.CreateUser,
        username=username,
        email=f"{username}@example.com",
        role=["customer"],
        password="p" * length,
    )

    assert fault.code == soap.client_fault_code
    detail = orders_client.get_element(f"{{{COMMON_NS}}}ValidationFault").parse(
        fault.detail[0], orders_client.wsdl.types
    )
    assert [error.path for error in detail.fieldError] == ["password"]
    # The boundaries themselves are fine.
    for ok_length in (8, 1024):
        user, _ = create_user(users, ["customer"], "okpw", password="p" * ok_length)
        assert user.id > 1


def test_set_password(soap, history, users):
    user, old = create_user(users, ["customer"], "setpw")
    anonymous = soap.service_as("AuthService", None)
    token = anonymous.Login(username=user.username, password=old).sessionToken
    new = new_password()

    assert users.SetPassword(id=user.id, newPassword=new) == user.id

    assert as_user(soap, "AuthService", user, new).WhoAmI().userId == user.id
    fault = expect_fault(as_user(soap, "AuthService", user, old).WhoAmI)
    security_fault(soap, history, fault, "FailedAuthentication")
    # The WSDL: SetPassword ends the other sessions of that user.
    fault = expect_fault(anonymous.WhoAmI, _soapheaders={"token": token})
    security_fault(soap, history, fault, "FailedAuthentication")


def test_suspended_user_is_refused(soap, history, users):
    user, password = create_user(users, ["clerk"], "suspend")
    auth = as_user(soap, "AuthService", user, password)
    assert auth.WhoAmI().userId == user.id
    anonymous = soap.service_as("AuthService", None)
    token = anonymous.Login(username=user.username, password=password).sessionToken
    assert anonymous.WhoAmI(_soapheaders={"token": token}).userId == user.id

    assert users.UpdateUser(id=user.id, status="suspended").status == "suspended"

    fault = expect_fault(auth.WhoAmI)
    security_fault(soap, history, fault, "FailedAuthentication")
    fault = expect_fault(anonymous.WhoAmI, _soapheaders={"token": token})
    security_fault(soap, history, fault, "FailedAuthentication")
    fault = expect_fault(anonymous.Login, username=user.username, password=password)
    security_fault(soap, history, fault, "FailedAuthentication")

    # Active again: the password works again.
    users.UpdateUser(id=user.id, status="active")
    assert auth.WhoAmI().userId == user.id


# --- roles -----------------------------------------------------------------------------------------


def test_customer_cannot_read_another_customers_order(soap, users, catalog, orders_client):
    ann, ann_password = create_user(users, ["customer"], "ann")
    bob, bob_password = create_user(users, ["customer"], "bob")
    product = create_product(catalog)
    order = place(as_user(soap, "OrderService", ann, ann_password), ann.id, product)
    bobs_orders = as_user(soap, "OrderService", bob, bob_password)

    fault = expect_fault(bobs_orders.GetOrder, id=order.id)
    access_denied(soap, orders_client, fault, "GetOrder")

    fault = expect_fault(bobs_orders.CancelOrder, id=order.id, reason="not mine")
    access_denied(soap, orders_client, fault, "CancelOrder")
    assert as_user(soap, "OrderService", ann, ann_password).GetOrder(id=order.id).status == (
        "placed"
    )


def test_customer_places_reads_and_cancels_its_own_orders(
    soap, users, catalog, orders, orders_client
):
    ann, password = create_user(users, ["customer"], "own")
    other, _ = create_user(users, ["customer"], "other")
    product = create_product(catalog, stock=10)
    own = as_user(soap, "OrderService", ann, password)

    order = place(own, ann.id, product, quantity=2)
    assert order.customerId == ann.id
    assert order.status == "placed"
    assert own.GetOrder(id=order.id) == order
    assert [o.id for o in own.ListOrders(customerId=ann.id).order] == [order.id]
    assert orders.GetOrder(id=order.id) == order  # the admin reads it too
    assert own.CancelOrder(id=order.id, reason="changed my mind").status == "cancelled"

    # Not for someone else, though.
    fault = expect_fault(place, own, other.id, product)
    access_denied(soap, orders_client, fault, "PlaceOrder")
    assert orders.ListOrders(customerId=other.id).totalCount == 0

    # A customer reads the catalog but does not change it.
    catalog_as_ann = as_user(soap, "CatalogService", ann, password)
    assert catalog_as_ann.GetProduct(sku=product.sku).sku == product.sku
    fault = expect_fault(catalog_as_ann.AdjustStock, sku=product.sku, delta=5, reason="free stock")
    access_denied(soap, orders_client, fault, "AdjustStock")


def test_auditor_reads_everything_and_changes_nothing(soap, users, catalog, orders_client, admin):
    auditor, password = create_user(users, ["auditor"], "audit")
    existing = create_product(catalog)
    catalog_as_auditor = as_user(soap, "CatalogService", auditor, password)
    sku = f"SEC-AUDIT-{uuid.uuid4().hex[:12].upper()}"

    fault = expect_fault(
        catalog_as_auditor.CreateProduct,
        sku=sku,
        name="Not allowed",
        unitPrice=Decimal("1.00"),
        currency="EUR",
        stock=1,
    )

    access_denied(soap, orders_client, fault, "CreateProduct")
    assert catalog.SearchProducts(text=sku).totalCount == 0
    # Reads are allowed: the catalog, orders, the sales report, users and the audit trail.
    assert catalog_as_auditor.GetProduct(sku=existing.sku).sku == existing.sku
    now = utc_now()
    as_user(soap, "OrderService", auditor, password).SalesReport(
        **{"from": now - timedelta(days=1), "to": now + timedelta(minutes=1), "groupBy": "day"}
    )
    assert as_user(soap, "UserService", auditor, password).GetUser(id=admin.user_id).username == (
        admin.username
    )
    as_user(soap, "AuthService", auditor, password).ListAuditEvents(
        userId=auditor.id, pageSize=1
    )


def test_clerk_runs_catalog_and_orders_but_not_users(soap, users, catalog, orders_client):
    clerk, password = create_user(users, ["clerk"], "clerk")
    customer, _ = create_user(users, ["customer"], "buyer")
    catalog_as_clerk = as_user(soap, "CatalogService", clerk, password)
    orders_as_clerk = as_user(soap, "OrderService", clerk, password)
    users_as_clerk = as_user(soap, "UserService", clerk, password)

    product = create_product(catalog_as_clerk, "CLERK")
    assert catalog_as_clerk.AdjustStock(sku=product.sku, delta=5, reason="restock").stock == 55
    order = place(orders_as_clerk, customer.id, product)  # for any customer
    assert orders_as_clerk.GetOrder(id=order.id).customerId == customer.id
    assert orders_as_clerk.ShipOrder(id=order.id).status == "shipped"

    # Users: itself only.
    assert users_as_clerk.GetUser(id=clerk.id).username == clerk.username
    assert users_as_clerk.UpdateUser(id=clerk.id, displayName="Clerk Kent").displayName == (
        "Clerk Kent"
    )
    fault = expect_fault(users_as_clerk.GetUser, id=customer.id)
    access_denied(soap, orders_client, fault, "GetUser")
    username = unique_name("byclerk")
    fault = expect_fault(
        users_as_clerk.CreateUser, username=username, email=f"{username}@example.com",
        role=["admin"],
    )
    access_denied(soap, orders_client, fault, "CreateUser")
    fault = expect_fault(as_user(soap, "AuthService", clerk, password).ListAuditEvents)
    access_denied(soap, orders_client, fault, "ListAuditEvents")


def test_every_user_sets_its_own_password_only(soap, history, users, orders_client):
    ann, old = create_user(users, ["customer"], "ann")
    bob, bobs = create_user(users, ["customer"], "bob")
    users_as_ann = as_user(soap, "UserService", ann, old)
    new = new_password()

    assert users_as_ann.SetPassword(id=ann.id, newPassword=new) == ann.id
    assert as_user(soap, "AuthService", ann, new).WhoAmI().userId == ann.id
    fault = expect_fault(users_as_ann.GetUser, id=ann.id)  # the old password is gone
    security_fault(soap, history, fault, "FailedAuthentication")

    users_as_ann = as_user(soap, "UserService", ann, new)
    fault = expect_fault(users_as_ann.SetPassword, id=bob.id, newPassword=new_password())
    access_denied(soap, orders_client, fault, "SetPassword")
    assert as_user(soap, "AuthService", bob, bobs).WhoAmI().userId == bob.id
    fault = expect_fault(users_as_ann.GetUser, id=bob.id)
    access_denied(soap, orders_client, fault, "GetUser")


def test_customer_cannot_list_audit_events(soap, users, orders_client):
    customer, password = create_user(users, ["customer"], "nosy")

    fault = expect_fault(as_user(soap, "AuthService", customer, password).ListAuditEvents)

    access_denied(soap, orders_client, fault, "ListAuditEvents")


# --- audit trail -------------------------------------------------------------------------------------


def audit_events(auth, **filters):
    """Every event matching `filters`, over all pages (pages of 2, to page at least once)."""
    events, token = [], None
    for _ in range(50):
        page = auth.ListAuditEvents(pageSize=2, pageToken=token, **filters)
        events += page.event
        token = page.nextPageToken
        if token is None:
            return events
    raise AssertionError("nextPageToken never ends")


def wait_for_events(auth, count, **filters):
    """The events matching `filters` once there are `count` of them (the trail may be written
    just after the response)."""
    deadline = time.monotonic() + AUDIT_WAIT_S
    while True:
        events = audit_events(auth, **filters)
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def response_request_id(history):
    """The request id of the last response (its X-Request-Id HTTP header)."""
    return history.last_received["http_headers"].get("X-Request-Id")


def test_list_audit_events_shows_this_tests_calls(soap, history, auth, users, catalog, admin):
    start = utc_now() - timedelta(seconds=1)
    clerk, password = create_user(users, ["clerk"], "trail")
    create_request_id = response_request_id(history)
    assert create_request_id
    product = create_product(catalog)
    catalog_as_clerk = as_user(soap, "CatalogService", clerk, password)
    catalog_as_clerk.GetProduct(sku=product.sku)
    catalog_as_clerk.GetProduct(sku=product.sku)
    expect_fault(as_user(soap, "OrderService", clerk, password).GetOrder, id=MISSING_ID)

    reads = wait_for_events(auth, 2, userId=clerk.id, operation="GetProduct")
    assert len(reads) == 2, reads
    for event in reads:
        assert event.userId == clerk.id
        assert event.username == clerk.username
        assert event.authentication == "password"
        assert (event.service, event.operation, event.outcome) == (
            "CatalogService",
            "GetProduct",
            "ok",
        )
        assert event.faultCode is None
        assert event.requestId
        assert_recent(event.at)
        assert event.at >= start
    assert len({event.id for event in reads}) == 2
    assert reads[0].requestId != reads[1].requestId

    faults = wait_for_events(auth, 1, userId=clerk.id, outcome="fault")
    assert [(e.userId, e.service, e.operation, e.outcome) for e in faults] == [
        (clerk.id, "OrderService", "GetOrder", "fault")
    ]
    assert faults[0].faultCode

    mine = wait_for_events(auth, 3, userId=clerk.id, **{"from": start})
    assert sorted(e.operation for e in mine) == ["GetOrder", "GetProduct", "GetProduct"]
    assert audit_events(auth, userId=clerk.id, **{"to": start}) == []

    # The admin's CreateUser of the clerk, earlier in this test (other tests create users
    # within the same second: it is told apart by the request id its response carried).
    created = [
        e
        for e in wait_for_events(
            auth, 1, userId=admin.user_id, operation="CreateUser", **{"from": start}
        )
        if e.requestId == create_request_id
    ]
    assert [(e.userId, e.username, e.authentication, e.service, e.outcome) for e in created] == [
        (admin.user_id, admin.username, "password", "UserService", "ok")
    ]
