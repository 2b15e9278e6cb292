"""The real zeep client drives every UserService operation over SOAP 1.1 and 1.2.

Each test that takes `service` (or `soap`) runs once per SOAP version. Every test
makes its own users with unique usernames, emails and email domains, so tests
do not depend on each other or on the order they run in.
"""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from zeep import xsd
from zeep.exceptions import Fault

COMMON_NS = "http://soapstone.dev/schema/common/v1"
USERS_NS = "http://soapstone.dev/schema/users/v1"

MISSING_ID = 999999999


# --- helpers ---------------------------------------------------------------


def unique_name(prefix: str) -> str:
    """A fresh username: lowercase [a-z0-9_.-], at most 32 characters."""
    name = f"{prefix}-{uuid.uuid4().hex[:16]}"
    assert len(name) <= 32
    return name


def unique_domain() -> str:
    return f"d{uuid.uuid4().hex[:12]}.example.org"


def create_user(service, prefix="user", *, email=None, roles=("customer",), **extra):
    username = unique_name(prefix)
    return service.CreateUser(
        username=username,
        email=email or f"{username}@example.com",
        role=list(roles),
        **extra,
    )


def call_expecting_fault(call, **kwargs) -> Fault:
    with pytest.raises(Fault) as excinfo:
        call(**kwargs)
    return excinfo.value


def fault_detail(client, fault: Fault, name: str):
    """Parse the one typed element in the fault's detail, checking its name."""
    assert fault.detail is not None, "fault has no detail"
    children = list(fault.detail)
    assert len(children) == 1, [child.tag for child in children]
    qname = f"{{{COMMON_NS}}}{name}"
    assert children[0].tag == qname
    return client.get_element(qname).parse(children[0], client.wsdl.types)


def assert_recent_utc_instant(value):
    assert isinstance(value, datetime)
    assert value.tzinfo is not None and value.utcoffset() is not None, value
    assert abs(datetime.now(timezone.utc) - value) < timedelta(minutes=1), value


def emails(users):
    return [user.email for user in users]


# --- transport -------------------------------------------------------------


def test_wire_uses_the_binding_soap_version(soap, history, client):
    user = create_user(soap.proxy)
    soap.proxy.GetUser(id=user.id)

    sent = history.last_sent["envelope"]
    received = history.last_received["envelope"]
    assert sent.tag == f"{{{soap.envelope_ns}}}Envelope"
    assert received.tag == f"{{{soap.envelope_ns}}}Envelope"
    assert received.find(f"{{{soap.envelope_ns}}}Body/{{{USERS_NS}}}GetUserResponse") is not None
    assert history.last_received["http_headers"]["Content-Type"] == soap.content_type


# --- CreateUser --------------------------------------------------------------


def test_create_user_returns_every_field(service):
    username = unique_name("create")
    email = f"{username}@example.com"
    display_name = "  Jörg O'Brien & <Sons> ö  "

    user = service.CreateUser(
        username=username, email=email, displayName=display_name, role=["auditor", "admin"]
    )

    assert isinstance(user.id, int) and user.id > 0
    assert user.username == username
    assert user.email == email
    assert user.displayName == display_name  # spaces and markup characters kept as sent
    assert user.role == ["auditor", "admin"]  # in the order sent
    assert user.status == "active"
    assert_recent_utc_instant(user.createdAt)
    assert_recent_utc_instant(user.updatedAt)
    assert user.createdAt == user.updatedAt


def test_create_user_with_one_role_and_no_display_name(service):
    user = create_user(service, "minimal", roles=["clerk"])

    assert user.role == ["clerk"]
    assert user.displayName is None
    assert user.status == "active"


# --- GetUser -----------------------------------------------------------------


def test_get_user_by_id_and_by_username(service):
    created = create_user(service, "get", roles=["customer", "clerk"], displayName="Getter")

    by_id = service.GetUser(id=created.id)
    by_username = service.GetUser(username=created.username)

    assert by_id == created
    assert by_username == created


# --- ListUsers ---------------------------------------------------------------


@pytest.fixture
def three_users(service):
    """Three users sharing a fresh email domain, created out of email order."""
    domain = unique_domain()
    users = {
        local: create_user(service, local, email=f"{local}@{domain}", roles=roles)
        for local, roles in [
            ("charlie", ["clerk", "auditor"]),
            ("alpha", ["admin"]),
            ("bravo", ["clerk"]),
        ]
    }
    return domain, users


def test_list_users_pages_in_email_order(service, three_users):
    domain, users = three_users
    expected = [f"alpha@{domain}", f"bravo@{domain}", f"charlie@{domain}"]

    first = service.ListUsers(emailContains=domain, sortBy="email", pageSize=2)
    assert emails(first.user) == expected[:2]
    assert first.nextPageToken
    assert first.totalCount == 3

    second = service.ListUsers(
        emailContains=domain, sortBy="email", pageSize=2, pageToken=first.nextPageToken
    )
    assert emails(second.user) == expected[2:]
    assert second.nextPageToken is None
    assert second.totalCount == 3

    listed = first.user + second.user
    assert emails(listed) == expected
    assert [user.id for user in listed] == [users[local].id for local in ("alpha", "bravo", "charlie")]


def test_list_users_descending(service, three_users):
    domain, _ = three_users

    page = service.ListUsers(emailContains=domain, sortBy="email", descending=True)

    assert emails(page.user) == [f"charlie@{domain}", f"bravo@{domain}", f"alpha@{domain}"]
    assert page.nextPageToken is None
    assert page.totalCount == 3


def test_list_users_by_role(service, three_users):
    domain, users = three_users

    clerks = service.ListUsers(emailContains=domain, role="clerk", sortBy="email")
    assert emails(clerks.user) == [f"bravo@{domain}", f"charlie@{domain}"]
    assert clerks.totalCount == 2
    assert clerks.nextPageToken is None

    admins = service.ListUsers(emailContains=domain, role="admin")
    assert [user.id for user in admins.user] == [users["alpha"].id]
    assert admins.totalCount == 1


def test_list_users_with_no_match(service):
    page = service.ListUsers(emailContains=unique_domain())

    assert page.user == []
    assert page.nextPageToken is None
    assert page.totalCount == 0


# --- UpdateUser --------------------------------------------------------------


def test_update_user_fields_and_nil_display_name(service):
    created = create_user(service, "update", roles=["customer"], displayName="Before")
    new_email = f"{unique_name('moved')}@example.net"

    # displayName absent: left as it is.
    updated = service.UpdateUser(id=created.id, email=new_email, status="suspended")
    assert updated.id == created.id
    assert updated.username == created.username
    assert updated.email == new_email
    assert updated.status == "suspended"
    assert updated.displayName == "Before"
    assert updated.role == ["customer"]
    assert updated.createdAt == created.createdAt
    assert updated.updatedAt >= created.updatedAt
    assert_recent_utc_instant(updated.updatedAt)
    assert service.GetUser(id=created.id) == updated

    # displayName xsi:nil="true": removed.
    cleared = service.UpdateUser(id=created.id, displayName=xsd.Nil)
    assert cleared.displayName is None
    assert cleared.email == new_email
    assert cleared.status == "suspended"
    assert service.GetUser(id=created.id).displayName is None


def test_update_missing_user_is_user_not_found(soap, client):
    fault = call_expecting_fault(soap.proxy.UpdateUser, id=MISSING_ID, status="active")

    assert fault.code == soap.client_fault_code
    detail = fault_detail(client, fault, "UserNotFoundFault")
    assert detail.id == MISSING_ID


# --- DeleteUser --------------------------------------------------------------


def test_delete_user_is_idempotent(soap, client):
    service = soap.proxy
    user = create_user(service, "delete")

    assert service.DeleteUser(id=user.id) is True
    assert service.DeleteUser(id=user.id) is False

    fault = call_expecting_fault(service.GetUser, id=user.id)
    assert fault.code == soap.client_fault_code
    assert fault_detail(client, fault, "UserNotFoundFault").id == user.id


# --- Faults ------------------------------------------------------------------


def test_get_missing_user_by_id_is_user_not_found(soap, client):
    fault = call_expecting_fault(soap.proxy.GetUser, id=MISSING_ID)
    print(f"SOAP {soap.version}: fault.code={fault.code!r} fault.message={fault.message!r}")

    assert fault.code == soap.client_fault_code
    assert fault.message == f"no user with id {MISSING_ID}"
    detail = fault_detail(client, fault, "UserNotFoundFault")
    assert detail.id == MISSING_ID
    assert detail.username is None
    assert detail.message == fault.message


def test_get_missing_user_by_username_is_user_not_found(soap, client):
    username = unique_name("ghost")

    fault = call_expecting_fault(soap.proxy.GetUser, username=username)

    assert fault.code == soap.client_fault_code
    detail = fault_detail(client, fault, "UserNotFoundFault")
    assert detail.username == username
    assert detail.id is None
    assert username in fault.message


def test_duplicate_username_is_duplicate_user_fault(soap, client):
    existing = create_user(soap.proxy, "dupname")

    fault = call_expecting_fault(
        soap.proxy.CreateUser,
        username=existing.username,
        email=f"{unique_name('other')}@example.com",
        role=["clerk"],
    )

    assert fault.code == soap.client_fault_code
    assert fault.message
    detail = fault_detail(client, fault, "DuplicateUserFault")
    assert detail.field == "username"
    assert detail.value == existing.username
    assert detail.message


def test_duplicate_email_ignoring_case_is_duplicate_user_fault(soap, client):
    domain = unique_domain()
    create_user(soap.proxy, "dupmail", email=f"Mixed.Case@{domain}")
    shouted = f"MIXED.CASE@{domain.upper()}"

    fault = call_expecting_fault(
        soap.proxy.CreateUser, username=unique_name("dupmail"), email=shouted, role=["clerk"]
    )

    assert fault.code == soap.client_fault_code
    detail = fault_detail(client, fault, "DuplicateUserFault")
    assert detail.field == "email"
    assert detail.value == shouted
    # The loser was not created.
    assert soap.proxy.ListUsers(emailContains=domain).totalCount == 1


def assert_validation_fault(soap, client, fault, path):
    assert fault.code == soap.client_fault_code
    assert fault.message
    detail = fault_detail(client, fault, "ValidationFault")
    assert detail.message
    assert [error.path for error in detail.fieldError] == [path]
    assert all(error.message for error in detail.fieldError)
    return detail


def test_invalid_email_is_validation_fault(soap, client):
    username = unique_name("bademail")

    fault = call_expecting_fault(
        soap.proxy.CreateUser, username=username, email="not-an-email", role=["clerk"]
    )

    assert_validation_fault(soap, client, fault, "email")
    # Nothing was created.
    not_found = call_expecting_fault(soap.proxy.GetUser, username=username)
    assert fault_detail(client, not_found, "UserNotFoundFault").username == username


def test_page_size_zero_is_validation_fault(soap, client):
    fault = call_expecting_fault(soap.proxy.ListUsers, pageSize=0)

    assert_validation_fault(soap, client, fault, "pageSize")


def test_forged_page_token_is_validation_fault(soap, client):
    fault = call_expecting_fault(soap.proxy.ListUsers, pageToken="forged-page-token")

    assert_validation_fault(soap, client, fault, "pageToken")


def test_page_token_of_another_query_is_validation_fault(soap, client, three_users):
    domain, _ = three_users
    first = soap.proxy.ListUsers(emailContains=domain, sortBy="email", pageSize=2)
    assert first.nextPageToken

    fault = call_expecting_fault(
        soap.proxy.ListUsers,
        emailContains=domain,
        sortBy="username",
        pageSize=2,
        pageToken=first.nextPageToken,
    )

    assert_validation_fault(soap, client, fault, "pageToken")
