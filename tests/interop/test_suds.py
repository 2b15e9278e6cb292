"""The real, unmodified suds client (suds-community) drives every operation of
UserService, CatalogService, OrderService and AuthService over SOAP 1.1, and
reads the detail of each declared typed fault.

suds has no SOAP 1.2: it reads the SOAP 1.2 port of `?wsdl` but would send SOAP
1.1 envelopes to it, so every test uses the `<Service>Soap11Port` port of
`?wsdl` (`client.service['<Service>Soap11Port']`), and one test loads the
SOAP-1.1-only view `?wsdl&soap=1.1` and calls each service through it. Clients
are built with `cache=None` (no WSDL cache between runs).

Every operation needs credentials: every client is made by `make_client`, which
gives it suds' own WS-Security (`suds.wsse.Security` with a `UsernameToken`,
PasswordText) for the admin of the `admin` fixture (conftest.py). The session
tests log in with no wsse header (`set_options(wsse=None)`) and then send only
the s:SessionToken header that Login returned (`set_options(soapheaders=...)`
with a suds Element).

How suds 1.2.0 maps these contracts (client behaviour, not the server's):
- Values of built-in types come back typed: xs:long -> int, xs:boolean -> bool,
  xs:dateTime -> timezone-aware datetime, xs:decimal (SalesRow/revenue) ->
  decimal.Decimal.
- Values of simple types derived by restriction (c:Money, cat:StockLevel,
  ord:Quantity, ...) come back as the text on the wire: suds only converts
  values whose declared type is itself a built-in one. Money is therefore
  compared as its exact wire text ("19.99"), which is as exact as it gets;
  stock levels and quantities through int().
- A repeated element (maxOccurs="unbounded") is a list when it occurs once or
  more; when it does not occur at all, suds leaves the attribute out
  (`items()` below turns that into []). An absent optional element is None or
  left out (`opt()` below).
- A response wrapper with a single child is unwrapped: CreateUser returns the
  user, DeleteUser the boolean, SalesReport the list of rows.
- Fault detail is parsed without the schema (suds does not look up the
  WSDL's fault parts): every leaf is text, and a repeated element that occurs
  once is not a list (`items()` again). The fault raises suds.WebFault, whose
  `.fault` has faultcode, faultstring and detail.
- `suds.null()` sends an element with xsi:nil="true"; a keyword argument left
  out (or None) sends nothing.

Every test makes its own users, products and orders, with unique usernames,
emails, SKUs and search words, so it does not depend on the other suites that
share the server.
"""

import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import suds
from suds import WebFault
from suds.client import Client
from suds.sax.element import Element
from suds.wsse import Security, UsernameToken

SERVICES = ("UserService", "CatalogService", "OrderService", "AuthService")
MISSING_ID = 999999999
SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
CLIENT_FAULT = "soap:Client"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
SECURITY_NS = "http://soapstone.dev/schema/security/v1"

SPECIAL = "  Jörg O'Brien & <Sons> ö  "  # spaces, apostrophe, markup characters, non-ASCII


# --- clients -------------------------------------------------------------------------


def wsse(username, password):
    """suds' WS-Security header: a UsernameToken with a PasswordText."""
    security = Security()
    security.tokens.append(UsernameToken(username, password))
    return security


@pytest.fixture(scope="module")
def make_client(admin):
    """`make_client(wsdl_url)`: a suds Client of that WSDL (no cache) authenticating as the
    admin; `make_client(url, username=..., password=...)` as someone else."""

    def make(url, username=admin.username, password=admin.password):
        return Client(url, cache=None, wsse=wsse(username, password))

    return make


@pytest.fixture(scope="module")
def suds_clients(server, make_client):
    """Service name -> suds Client built from the full `?wsdl` (both bindings)."""
    return {name: make_client(f"{server.base_url}/services/{name}?wsdl") for name in SERVICES}


def port(clients, name):
    return clients[name].service[f"{name}Soap11Port"]


@pytest.fixture(scope="module")
def users(suds_clients):
    return port(suds_clients, "UserService")


@pytest.fixture(scope="module")
def catalog(suds_clients):
    return port(suds_clients, "CatalogService")


@pytest.fixture(scope="module")
def orders(suds_clients):
    return port(suds_clients, "OrderService")


@pytest.fixture(scope="module")
def auth(suds_clients):
    return port(suds_clients, "AuthService")


@pytest.fixture
def auth_client(server, make_client):
    """`auth_client(token=None)`: a suds Client of AuthService without the wsse header; with
    `token`, it sends only the s:SessionToken header."""

    def make(token=None):
        client = make_client(f"{server.base_url}/services/AuthService?wsdl")
        client.set_options(wsse=None)
        if token is not None:
            client.set_options(soapheaders=Element("SessionToken", ns=("s", SECURITY_NS)).setText(token))
        return client

    return make


# --- helpers ---------------------------------------------------------------------------


def uid(n=12):
    return uuid.uuid4().hex[:n]


def unique_name(prefix):
    return f"{prefix}-{uid(16)}"


def unique_sku(prefix):
    return f"SUDS-{prefix}-{uid(12).upper()}"


def unique_word():
    """Letters only, unused by anything else: a full-text search key."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uid(14))


def items(obj, name):
    """A repeated element as a list: [] when absent, [x] when suds gave one bare value."""
    value = getattr(obj, name, None)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def opt(obj, name):
    """An optional element: None when absent."""
    return getattr(obj, name, None)


def money(value):
    """A Money value exactly as it was on the wire (suds keeps restricted types as text)."""
    assert isinstance(value, str), (type(value), value)
    return str(value)


def assert_recent_instant(value):
    assert isinstance(value, datetime), value
    assert value.utcoffset() is not None, value
    assert abs(datetime.now(timezone.utc) - value) < timedelta(minutes=1), value


def expect_fault(call, *args, **kwargs):
    with pytest.raises(WebFault) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.fault


def fault_detail(fault, name):
    """The typed detail element `name` of a Client fault, checking code and reason."""
    assert fault.faultcode == CLIENT_FAULT
    assert fault.faultstring
    detail = getattr(fault.detail, name)
    assert detail.message == fault.faultstring
    assert [key for key, _ in fault.detail] == [name]
    return detail


def validation_paths(fault):
    detail = fault_detail(fault, "ValidationFault")
    errors = items(detail, "fieldError")
    assert all(error.message for error in errors)
    return [error.path for error in errors]


def create_user(users, prefix="user", *, email=None, roles=("customer",), **extra):
    username = unique_name(prefix)
    return users.CreateUser(
        username=username, email=email or f"{username}@example.com", role=list(roles), **extra
    )


def create_product(catalog, prefix, *, name=None, price="10.00", stock=10, tags=(), **extra):
    sku = unique_sku(prefix)
    return catalog.CreateProduct(
        sku=sku,
        name=name or f"Product {sku}",
        unitPrice=Decimal(price),
        currency="EUR",
        stock=stock,
        tag=list(tags),
        **extra,
    )


def address(name="Zoë Öberg"):
    return {
        "name": name,
        "street": "12 Königsallee",
        "city": "Düsseldorf",
        "postalCode": "40212",
        "country": "DE",
    }


def place(orders, customer, lines, **extra):
    return orders.PlaceOrder(
        customerId=customer.id,
        line=[{"sku": product.sku, "quantity": quantity} for product, quantity in lines],
        shippingAddress=address(),
        **extra,
    )


def stock_of(catalog, sku):
    return int(catalog.GetProduct(sku=sku).stock)


def user_fields(user):
    return (
        user.id,
        user.username,
        user.email,
        opt(user, "displayName"),
        items(user, "role"),
        user.status,
        user.createdAt,
        user.updatedAt,
    )


def product_fields(product):
    return (
        product.sku,
        product.name,
        opt(product, "description"),
        money(product.unitPrice),
        product.currency,
        int(product.stock),
        items(product, "tag"),
        product.status,
        product.createdAt,
        product.updatedAt,
    )


def order_fields(order):
    return (
        order.id,
        order.customerId,
        order.status,
        opt(order, "clientReference"),
        [
            (line.sku, line.productName, int(line.quantity), money(line.unitPrice), money(line.lineTotal))
            for line in items(order, "line")
        ],
        money(order.total),
        order.currency,
        tuple(getattr(order.shippingAddress, key) for key in address()),
        order.placedAt,
        order.updatedAt,
        opt(order, "cancelReason"),
    )


# --- the WSDL views ----------------------------------------------------------------------


def test_full_wsdl_has_both_ports_and_the_soap11_port_speaks_soap11(server, suds_clients, users):
    for name, client in suds_clients.items():
        ports = [p.name for p in client.wsdl.services[0].ports]
        assert ports == [f"{name}Soap11Port", f"{name}Soap12Port"]
        assert client.wsdl.services[0].ports[0].location == f"{server.base_url}/services/{name}"

    user = create_user(users, "wire")
    users.GetUser(id=user.id)
    client = suds_clients["UserService"]
    assert client.last_sent().root().namespace()[1] == SOAP11_NS
    received = client.last_received().root()
    assert received.namespace()[1] == SOAP11_NS
    assert received.getChild("Body").children[0].name == "GetUserResponse"


def test_soap11_view_has_only_the_soap11_port(server, make_client):
    """`?wsdl&soap=1.1` drops the SOAP 1.2 binding and port; suds works from it alone."""
    clients = {
        name: make_client(f"{server.base_url}/services/{name}?wsdl&soap=1.1") for name in SERVICES
    }
    for name, client in clients.items():
        assert [p.name for p in client.wsdl.services[0].ports] == [f"{name}Soap11Port"]
        assert [b.name for b in client.wsdl.bindings.values()] == [f"{name}Soap11Binding"]

    user = create_user(clients["UserService"].service, "view")
    assert clients["UserService"].service.GetUser(id=user.id).username == user.username
    product = create_product(clients["CatalogService"].service, "VIEW", price="1.10")
    assert money(clients["CatalogService"].service.GetProduct(sku=product.sku).unitPrice) == "1.10"
    page = clients["OrderService"].service.ListOrders(customerId=user.id)
    assert page.totalCount == 0
    assert items(page, "order") == []


# --- WS-Security ---------------------------------------------------------------------------


def test_wsse_username_token_is_sent_and_a_wrong_password_fails(server, admin, make_client):
    url = f"{server.base_url}/services/UserService?wsdl"
    client = make_client(url)
    assert port({"UserService": client}, "UserService").GetUser(id=admin.user_id).username == (
        admin.username
    )
    token = client.last_sent().root().getChild("Header").getChild("Security").getChild(
        "UsernameToken"
    )
    assert token.getChild("Username").getText() == admin.username
    assert token.getChild("Password").get("Type").endswith("#PasswordText")

    wrong = make_client(url, password=admin.password + "-wrong")
    fault = expect_fault(port({"UserService": wrong}, "UserService").GetUser, id=admin.user_id)
    assert fault.faultcode == "wsse:FailedAuthentication"
    assert fault.faultstring
    faultcode = wrong.last_received().root().getChild("Body").getChild("Fault").getChild(
        "faultcode"
    )
    assert faultcode.resolvePrefix("wsse") == ("wsse", WSSE_NS)


# --- UserService ---------------------------------------------------------------------------


def test_create_user_returns_every_field(users):
    username = unique_name("create")

    user = users.CreateUser(
        username=username,
        email=f"{username}@example.com",
        displayName=SPECIAL,
        role=["auditor", "admin"],
    )

    assert isinstance(user.id, int) and user.id > 0
    assert user.username == username
    assert user.email == f"{username}@example.com"
    assert user.displayName == SPECIAL  # whitespace and markup characters kept
    assert user.role == ["auditor", "admin"]  # many occurrences, in the order sent
    assert user.status == "active"
    assert_recent_instant(user.createdAt)
    assert user.createdAt == user.updatedAt


def test_create_user_with_one_role_and_no_display_name(users):
    user = create_user(users, "minimal", roles=["clerk"])

    assert user.role == ["clerk"]  # one occurrence: still a list
    assert opt(user, "displayName") is None  # absent optional element


def test_get_user_by_id_and_by_username(users):
    created = create_user(users, "get", roles=["customer", "clerk"], displayName="Getter ö")

    assert user_fields(users.GetUser(id=created.id)) == user_fields(created)
    assert user_fields(users.GetUser(username=created.username)) == user_fields(created)


def test_list_users_pages(users):
    domain = f"d{uid()}.example.org"
    made = {
        local: create_user(users, local, email=f"{local}@{domain}", roles=roles)
        for local, roles in [("charlie", ["clerk"]), ("alpha", ["admin"]), ("bravo", ["clerk"])]
    }

    first = users.ListUsers(emailContains=domain, sortBy="email", pageSize=2)
    assert [u.email for u in items(first, "user")] == [f"alpha@{domain}", f"bravo@{domain}"]
    assert first.totalCount == 3
    assert first.nextPageToken

    second = users.ListUsers(
        emailContains=domain, sortBy="email", pageSize=2, pageToken=first.nextPageToken
    )
    assert isinstance(second.user, list) and len(second.user) == 1  # one occurrence
    assert user_fields(second.user[0]) == user_fields(made["charlie"])
    assert opt(second, "nextPageToken") is None
    assert second.totalCount == 3

    clerks = users.ListUsers(emailContains=domain, role="clerk", sortBy="email", descending=True)
    assert [u.id for u in items(clerks, "user")] == [made["charlie"].id, made["bravo"].id]

    empty = users.ListUsers(emailContains=f"none-{uid()}.example.org")
    assert items(empty, "user") == []
    assert empty.totalCount == 0


def test_update_user_and_nil_display_name(users):
    created = create_user(users, "update", displayName="Before")
    new_email = f"{unique_name('moved')}@example.net"

    updated = users.UpdateUser(id=created.id, email=new_email, status="suspended")
    assert (updated.id, updated.email, updated.status) == (created.id, new_email, "suspended")
    assert updated.displayName == "Before"  # absent: kept
    assert updated.createdAt == created.createdAt
    assert updated.updatedAt >= created.updatedAt

    cleared = users.UpdateUser(id=created.id, displayName=suds.null())  # xsi:nil="true"
    assert opt(cleared, "displayName") is None
    assert cleared.email == new_email
    assert opt(users.GetUser(id=created.id), "displayName") is None

    fault = expect_fault(users.UpdateUser, id=MISSING_ID, status="active")
    assert int(fault_detail(fault, "UserNotFoundFault").id) == MISSING_ID


def test_delete_user_then_user_not_found(users):
    user = create_user(users, "delete")

    assert users.DeleteUser(id=user.id) is True
    assert users.DeleteUser(id=user.id) is False

    fault = expect_fault(users.GetUser, id=user.id)
    detail = fault_detail(fault, "UserNotFoundFault")
    assert fault.faultstring == f"no user with id {user.id}"
    assert int(detail.id) == user.id
    assert opt(detail, "username") is None


def test_user_not_found_by_username(users):
    username = unique_name("ghost")

    detail = fault_detail(expect_fault(users.GetUser, username=username), "UserNotFoundFault")

    assert detail.username == username
    assert opt(detail, "id") is None


def test_duplicate_user_fault(users):
    existing = create_user(users, "dup")

    fault = expect_fault(
        users.CreateUser,
        username=existing.username,
        email=f"{unique_name('other')}@example.com",
        role=["clerk"],
    )

    detail = fault_detail(fault, "DuplicateUserFault")
    assert detail.field == "username"
    assert detail.value == existing.username


def test_user_validation_fault(users):
    fault = expect_fault(
        users.CreateUser, username=unique_name("bad"), email="not-an-email", role=["clerk"]
    )
    assert validation_paths(fault) == ["email"]

    assert validation_paths(expect_fault(users.ListUsers, pageSize=0)) == ["pageSize"]


# --- AuthService (sessions) and UserService SetPassword ---------------------------------------


def test_set_password_login_session_who_am_i_and_logout(users, auth_client):
    user = create_user(users, "session", password="first-password-1")
    assert users.SetPassword(id=user.id, newPassword="second-password-2") == user.id

    anonymous = auth_client()
    login = port({"AuthService": anonymous}, "AuthService").Login(
        username=user.username, password="second-password-2"
    )
    assert anonymous.last_sent().root().getChild("Header").getChild("Security") is None
    assert isinstance(login.sessionToken, str) and login.sessionToken
    assert isinstance(login.expiresAt, datetime) and login.expiresAt.utcoffset() is not None
    assert login.expiresAt > datetime.now(timezone.utc)

    client = auth_client(login.sessionToken)
    session = port({"AuthService": client}, "AuthService")
    who = session.WhoAmI()
    header = client.last_sent().root().getChild("Header")
    assert header.getChild("Security") is None
    token = header.getChild("SessionToken")
    assert token.namespace()[1] == SECURITY_NS and token.getText() == login.sessionToken
    assert (who.userId, who.username, who.authentication) == (user.id, user.username, "session")
    assert items(who, "role") == ["customer"]

    assert session.Logout() is True
    fault = expect_fault(session.WhoAmI)
    assert fault.faultcode == "wsse:FailedAuthentication"
    assert fault.faultstring


def test_login_with_a_wrong_password_fails(users, auth_client):
    user = create_user(users, "badlogin", password="first-password-1")
    anonymous = port({"AuthService": auth_client()}, "AuthService")
    for password in ("first-password-1-wrong", "not-the-password"):
        fault = expect_fault(anonymous.Login, username=user.username, password=password)
        assert fault.faultcode == "wsse:FailedAuthentication"
        assert fault.faultstring


def test_list_audit_events_login(users, auth, auth_client):
    user = create_user(users, "audited", password="first-password-1")
    port({"AuthService": auth_client()}, "AuthService").Login(
        username=user.username, password="first-password-1"
    )

    page = auth.ListAuditEvents(operation="Login", pageSize=5)
    events = items(page, "event")
    assert 1 <= len(events) <= 5
    for event in events:
        assert event.operation == "Login"
        assert event.outcome in ("ok", "fault")
        assert isinstance(event.at, datetime)
    assert any(event.outcome == "ok" for event in events), events


# --- CatalogService -----------------------------------------------------------------------------


def test_create_and_get_product(catalog):
    sku = unique_sku("CREATE")
    description = "Grüße ö ' & < > \"quoted\""

    product = catalog.CreateProduct(
        sku=sku,
        name="Steel widget",
        description=description,
        unitPrice=Decimal("19.99"),
        currency="EUR",
        stock=10,
        tag=["steel", "hardware"],
    )

    assert product.sku == sku
    assert product.name == "Steel widget"
    assert product.description == description
    assert money(product.unitPrice) == "19.99"
    assert product.currency == "EUR"
    assert int(product.stock) == 10
    assert product.tag == ["steel", "hardware"]  # many occurrences, in the order sent
    assert product.status == "active"
    assert_recent_instant(product.createdAt)
    assert product.createdAt == product.updatedAt
    assert product_fields(catalog.GetProduct(sku=sku)) == product_fields(product)

    one = create_product(catalog, "ONE", price="0.50", stock=0, tags=["solo"])
    assert one.tag == ["solo"]  # one occurrence: still a list
    assert money(one.unitPrice) == "0.50"
    assert opt(one, "description") is None

    none = create_product(catalog, "NONE")
    assert items(none, "tag") == []  # no occurrence


def test_product_faults(catalog):
    existing = create_product(catalog, "DUP")

    fault = expect_fault(
        catalog.CreateProduct,
        sku=existing.sku,
        name="Another",
        unitPrice=Decimal("4.00"),
        currency="EUR",
        stock=1,
    )
    assert fault_detail(fault, "DuplicateProductFault").sku == existing.sku

    ghost = unique_sku("GHOST")
    for call, kwargs in [
        (catalog.GetProduct, {}),
        (catalog.UpdateProduct, {"name": "x"}),
        (catalog.DiscontinueProduct, {}),
        (catalog.AdjustStock, {"delta": 1, "reason": "restock"}),
    ]:
        fault = expect_fault(call, sku=ghost, **kwargs)
        assert fault_detail(fault, "ProductNotFoundFault").sku == ghost
        assert ghost in fault.faultstring

    bad = unique_sku("BADTAG")
    fault = expect_fault(
        catalog.CreateProduct,
        sku=bad,
        name="Bad tags",
        unitPrice=Decimal("1.00"),
        currency="EUR",
        stock=1,
        tag=["fine", "Bad Tag"],
    )
    assert validation_paths(fault) == ["tag[2]"]


def test_update_product(catalog):
    created = create_product(catalog, "UPD", price="19.99", stock=6, tags=["old"], description="Keep ö")

    renamed = catalog.UpdateProduct(sku=created.sku, name="Renamed & <new>", unitPrice=Decimal("17.50"))
    assert renamed.name == "Renamed & <new>"
    assert money(renamed.unitPrice) == "17.50"
    assert renamed.description == "Keep ö"
    assert renamed.tag == ["old"]
    assert renamed.createdAt == created.createdAt
    assert renamed.updatedAt >= created.updatedAt

    retagged = catalog.UpdateProduct(sku=created.sku, tags={"tag": ["sale", "hardware", "new"]})
    assert retagged.tag == ["sale", "hardware", "new"]  # in the order sent

    cleared = catalog.UpdateProduct(sku=created.sku, tags={"tag": []})  # <tags/>
    assert items(cleared, "tag") == []

    nilled = catalog.UpdateProduct(sku=created.sku, description=suds.null())
    assert opt(nilled, "description") is None
    assert product_fields(catalog.GetProduct(sku=created.sku)) == product_fields(nilled)


def test_discontinue_product_and_search(catalog):
    word = unique_word()
    kept = create_product(catalog, "KEEP", name=f"Kept {word}")
    gone = create_product(catalog, "GONE", name=f"Gone {word}", stock=5)

    discontinued = catalog.DiscontinueProduct(sku=gone.sku)
    assert discontinued.status == "discontinued"
    assert int(discontinued.stock) == 5
    assert catalog.DiscontinueProduct(sku=gone.sku).status == "discontinued"  # idempotent

    default = catalog.SearchProducts(text=word)
    assert [p.sku for p in items(default, "product")] == [kept.sku]
    assert default.totalCount == 1

    included = catalog.SearchProducts(text=word, includeDiscontinued=True, sortBy="name")
    assert [(p.sku, p.status) for p in items(included, "product")] == [
        (gone.sku, "discontinued"),
        (kept.sku, "active"),
    ]


def test_adjust_stock(catalog):
    product = create_product(catalog, "STOCK", stock=10)

    up = catalog.AdjustStock(sku=product.sku, delta=5, reason="restock ö & <supplier>")
    assert (up.sku, int(up.stock)) == (product.sku, 15)
    assert int(catalog.AdjustStock(sku=product.sku, delta=-3, reason="damaged").stock) == 12

    fault = expect_fault(catalog.AdjustStock, sku=product.sku, delta=-13, reason="too many")
    detail = fault_detail(fault, "InsufficientStockFault")
    assert (detail.sku, int(detail.requested), int(detail.available)) == (product.sku, 13, 12)
    assert stock_of(catalog, product.sku) == 12

    fault = expect_fault(catalog.AdjustStock, sku=product.sku, delta=1, reason="   ")
    assert validation_paths(fault) == ["reason"]


def test_search_products(catalog):
    word = unique_word()
    specs = {
        "delta": ("8.25", 2),
        "alpha": ("5.00", 0),
        "charlie": ("20.00", 7),
        "bravo": ("12.50", 3),
    }
    made = {
        key: create_product(
            catalog, key.upper(), name=f"{key.title()} {word}lamp", price=price, stock=stock
        )
        for key, (price, stock) in specs.items()
    }

    page = catalog.SearchProducts(text=word[:10])  # a word prefix; sorted by name
    assert [p.sku for p in page.product] == [made[k].sku for k in ("alpha", "bravo", "charlie", "delta")]
    assert page.totalCount == 4
    assert opt(page, "nextPageToken") is None

    ranged = catalog.SearchProducts(
        text=word, minPrice=Decimal("6.00"), maxPrice=Decimal("15.00"), sortBy="price", descending=True
    )
    assert [(p.sku, money(p.unitPrice)) for p in ranged.product] == [
        (made["bravo"].sku, "12.50"),
        (made["delta"].sku, "8.25"),
    ]

    in_stock = catalog.SearchProducts(text=word, inStockOnly=True, sortBy="price", pageSize=1)
    assert [p.sku for p in in_stock.product] == [made["delta"].sku]
    assert in_stock.totalCount == 3
    following = catalog.SearchProducts(
        text=word, inStockOnly=True, sortBy="price", pageSize=1, pageToken=in_stock.nextPageToken
    )
    assert [p.sku for p in following.product] == [made["bravo"].sku]

    none = catalog.SearchProducts(text=unique_word())
    assert items(none, "product") == []
    assert none.totalCount == 0

    fault = expect_fault(catalog.SearchProducts, minPrice=Decimal("10.00"), maxPrice=Decimal("9.99"))
    assert validation_paths(fault) == ["maxPrice"]


# --- OrderService -------------------------------------------------------------------------------------


def test_place_and_get_order(users, catalog, orders):
    customer = create_user(users, "buyer")
    widget = create_product(catalog, "WIDGET", name="Steel widget", price="19.99", stock=10)
    gadget = create_product(catalog, "GADGET", name="Gadget ö", price="5.00", stock=3)
    reference = f"ref-{uid(16)}"
    shipping = address("Jörg Öztürk & <Söhne> 'GmbH'")

    order = orders.PlaceOrder(
        customerId=customer.id,
        line=[{"sku": widget.sku, "quantity": 2}, {"sku": gadget.sku, "quantity": 1}],
        shippingAddress=shipping,
        clientReference=reference,
    )

    assert isinstance(order.id, int) and order.id > 0
    assert order.customerId == customer.id
    assert order.status == "placed"
    assert order.clientReference == reference
    assert [
        (l.sku, l.productName, int(l.quantity), money(l.unitPrice), money(l.lineTotal))
        for l in order.line
    ] == [
        (widget.sku, "Steel widget", 2, "19.99", "39.98"),
        (gadget.sku, "Gadget ö", 1, "5.00", "5.00"),
    ]
    assert money(order.total) == "44.98"
    assert order.currency == "EUR"
    assert tuple(getattr(order.shippingAddress, k) for k in shipping) == tuple(shipping.values())
    assert_recent_instant(order.placedAt)
    assert order.placedAt == order.updatedAt
    assert opt(order, "cancelReason") is None
    assert stock_of(catalog, widget.sku) == 8

    assert order_fields(orders.GetOrder(id=order.id)) == order_fields(order)

    single = place(orders, customer, [(gadget, 2)])
    assert len(single.line) == 1  # one occurrence: still a list
    assert opt(single, "clientReference") is None
    assert money(single.total) == "10.00"

    # A retry with the same clientReference returns the original order.
    retry = orders.PlaceOrder(
        customerId=customer.id,
        line=[{"sku": widget.sku, "quantity": 2}, {"sku": gadget.sku, "quantity": 1}],
        shippingAddress=shipping,
        clientReference=reference,
    )
    assert order_fields(retry) == order_fields(order)


def test_order_faults(users, catalog, orders):
    customer = create_user(users, "faulty")
    scarce = create_product(catalog, "SCARCE", stock=1)

    fault = expect_fault(
        orders.PlaceOrder,
        customerId=customer.id,
        line=[{"sku": scarce.sku, "quantity": 5}],
        shippingAddress=address(),
    )
    detail = fault_detail(fault, "InsufficientStockFault")
    assert (detail.sku, int(detail.requested), int(detail.available)) == (scarce.sku, 5, 1)

    ghost = unique_sku("GHOST")
    fault = expect_fault(
        orders.PlaceOrder,
        customerId=customer.id,
        line=[{"sku": ghost, "quantity": 1}],
        shippingAddress=address(),
    )
    assert fault_detail(fault, "ProductNotFoundFault").sku == ghost

    fault = expect_fault(
        orders.PlaceOrder,
        customerId=customer.id,
        line=[{"sku": scarce.sku, "quantity": 1}, {"sku": ghost, "quantity": 0}],
        shippingAddress=address(),
    )
    assert validation_paths(fault) == ["line[2]/quantity"]

    for call, kwargs in [
        (orders.GetOrder, {}),
        (orders.ShipOrder, {}),
        (orders.CancelOrder, {"reason": "never existed"}),
    ]:
        fault = expect_fault(call, id=MISSING_ID, **kwargs)
        assert int(fault_detail(fault, "OrderNotFoundFault").id) == MISSING_ID
        assert fault.faultstring == f"no order with id {MISSING_ID}"

    assert validation_paths(expect_fault(orders.ListOrders, pageSize=0)) == ["pageSize"]
    assert stock_of(catalog, scarce.sku) == 1


def test_list_ship_and_cancel_orders(users, catalog, orders):
    customer = create_user(users, "lister")
    product = create_product(catalog, "LIST", price="1.00", stock=100)
    placed = []
    for quantity in (1, 2, 3):
        placed.append(place(orders, customer, [(product, quantity)]))
        time.sleep(0.01)  # distinct placedAt instants
    newest_first = [o.id for o in sorted(placed, key=lambda o: (o.placedAt, o.id), reverse=True)]

    page = orders.ListOrders(customerId=customer.id)
    assert [o.id for o in page.order] == newest_first
    assert page.totalCount == 3
    assert opt(page, "nextPageToken") is None

    first = orders.ListOrders(customerId=customer.id, pageSize=2)
    assert len(first.order) == 2 and first.nextPageToken
    rest = orders.ListOrders(customerId=customer.id, pageSize=2, pageToken=first.nextPageToken)
    assert [o.id for o in first.order + rest.order] == newest_first

    # The window is compared as instants: the same instant in +01:00 selects the same orders.
    second = orders.GetOrder(id=newest_first[1])
    cet = timezone(timedelta(hours=1))
    window = orders.ListOrders(customerId=customer.id, placedFrom=second.placedAt.astimezone(cet))
    assert [o.id for o in window.order] == newest_first[:2]

    shipped = orders.ShipOrder(id=placed[0].id)
    assert shipped.status == "shipped"
    assert shipped.placedAt == placed[0].placedAt
    assert opt(shipped, "cancelReason") is None

    reason = "Kunde hat storniert – ö ' & <sofort>"
    cancelled = orders.CancelOrder(id=placed[1].id, reason=reason)
    assert cancelled.status == "cancelled"
    assert cancelled.cancelReason == reason
    assert stock_of(catalog, product.sku) == 100 - 1 - 3

    for call, kwargs, action, status in [
        (orders.CancelOrder, {"reason": "too late"}, "cancel", "shipped"),
        (orders.ShipOrder, {}, "ship", "shipped"),
    ]:
        fault = expect_fault(call, id=placed[0].id, **kwargs)
        detail = fault_detail(fault, "InvalidOrderStateFault")
        assert (int(detail.id), detail.currentStatus, detail.attemptedAction) == (
            placed[0].id,
            status,
            action,
        )
    fault = expect_fault(orders.ShipOrder, id=placed[1].id)
    assert fault_detail(fault, "InvalidOrderStateFault").currentStatus == "cancelled"

    shipped_page = orders.ListOrders(customerId=customer.id, status="shipped")
    assert [o.id for o in shipped_page.order] == [placed[0].id]  # one occurrence: a list


def test_sales_report(users, catalog, orders):
    start = datetime.now(timezone.utc) - timedelta(minutes=1)
    ann, bob = create_user(users, "ann"), create_user(users, "bob")
    lamp = create_product(catalog, "LAMP", price="10.00", stock=50)
    bulb = create_product(catalog, "BULB", price="2.55", stock=50)
    first = place(orders, ann, [(lamp, 2), (bulb, 1)])  # 22.55
    shipped = place(orders, bob, [(lamp, 1)])  # 10.00, shipped: still counted
    cancelled = place(orders, ann, [(bulb, 4)])  # cancelled: not counted
    orders.ShipOrder(id=shipped.id)
    orders.CancelOrder(id=cancelled.id, reason="wrong bulbs")
    end = datetime.now(timezone.utc) + timedelta(minutes=1)

    def report(group_by, keys, **window):
        window = window or {"from": start, "to": end}
        rows = orders.SalesReport(groupBy=group_by, **window)
        assert isinstance(rows, list)
        return {
            row.key: (row.currency, row.orderCount, row.quantity, row.revenue)
            for row in rows
            if row.key in keys
        }

    by_product = report("product", {lamp.sku, bulb.sku})
    assert by_product == {
        lamp.sku: ("EUR", 2, 3, Decimal("30.00")),
        bulb.sku: ("EUR", 1, 1, Decimal("2.55")),
    }
    for _, _, _, revenue in by_product.values():
        assert isinstance(revenue, Decimal)  # xs:decimal: exact

    by_customer = report("customer", {str(ann.id), str(bob.id)})
    assert by_customer == {
        str(ann.id): ("EUR", 1, 3, Decimal("22.55")),
        str(bob.id): ("EUR", 1, 1, Decimal("10.00")),
    }

    # Other suites order on the same server: our orders are a lower bound of their day's row.
    ours = {}
    for order, quantity, revenue in [(first, 3, Decimal("22.55")), (shipped, 1, Decimal("10.00"))]:
        day = order.placedAt.astimezone(timezone.utc).strftime("%Y-%m-%d")
        count, qty, rev = ours.get(day, (0, 0, Decimal("0")))
        ours[day] = (count + 1, qty + quantity, rev + revenue)
    by_day = report("day", set(ours))
    assert set(by_day) == set(ours)
    for day, (count, quantity, revenue) in ours.items():
        row = by_day[day]
        assert row[0] == "EUR" and row[1] >= count and row[2] >= quantity and row[3] >= revenue, row

    assert report("product", {lamp.sku, bulb.sku}, **{"from": start - timedelta(days=1), "to": start}) == {}

    fault = expect_fault(orders.SalesReport, **{"from": end, "to": end, "groupBy": "day"})
    assert validation_paths(fault) == ["to"]
