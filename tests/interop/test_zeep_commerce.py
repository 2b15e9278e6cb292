"""The real zeep client drives every CatalogService and OrderService operation
over SOAP 1.1 and 1.2, and reads the detail of each declared typed fault.

Each test takes `soap` and so runs once per SOAP version; `catalog`, `orders`
and `users` are that version's proxies. Every test makes its own products
(uuid-based SKUs, tags and search words) and customers (through UserService),
and only ever looks at its own data, so tests do not depend on each other, on
the order they run in, or on what else the shared server holds.

zeep maps the contracts like this:
- xs:decimal (c:Money, SalesRow/revenue) <-> decimal.Decimal, both ways; amounts
  are compared here as Decimals, never as floats.
- Product/tag (maxOccurs="unbounded") is a list: [] when the product has none.
- UpdateProduct/tags is a cat:TagList wrapper: `tags={'tag': [...]}` sends
  <tags><tag/>...</tags>, `tags={'tag': []}` sends an empty <tags/> (clears them),
  leaving `tags` out sends nothing (keeps them).
- `description=xsd.Nil` sends <description xsi:nil="true"/> (removes it).
- xs:dateTime comes back as a timezone-aware datetime.
"""

import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from zeep import xsd
from zeep.exceptions import Fault

COMMON_NS = "http://soapstone.dev/schema/common/v1"
CATALOG_NS = "http://soapstone.dev/schema/catalog/v1"
ORDERS_NS = "http://soapstone.dev/schema/orders/v1"

MISSING_ID = 999999999


# --- helpers -------------------------------------------------------------------


def uid(n: int = 12) -> str:
    return uuid.uuid4().hex[:n]


def unique_sku(prefix: str = "SKU") -> str:
    """A fresh SKU: [A-Za-z0-9][A-Za-z0-9._-]{0,63}."""
    return f"{prefix}-{uid(16).upper()}"


def unique_tag(prefix: str = "t") -> str:
    """A fresh tag: [a-z0-9][a-z0-9-]{0,31}."""
    return f"{prefix}-{uid(12)}"


def unique_word() -> str:
    """A word (letters only) that no other test uses, for full-text search."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uid(14))


def money(text: str) -> Decimal:
    return Decimal(text)


def assert_money(value, expected: str):
    """An exact amount: zeep must give a Decimal (not a float) equal to `expected`."""
    assert isinstance(value, Decimal), (type(value), value)
    assert value == Decimal(expected), value


def assert_aware(value):
    assert isinstance(value, datetime), value
    assert value.tzinfo is not None and value.utcoffset() is not None, value


def assert_recent_instant(value):
    assert_aware(value)
    assert abs(datetime.now(timezone.utc) - value) < timedelta(minutes=1), value


def create_product(
    catalog,
    prefix="SKU",
    *,
    name=None,
    price="10.00",
    currency="EUR",
    stock=10,
    tags=(),
    **extra,
):
    sku = unique_sku(prefix)
    return catalog.CreateProduct(
        sku=sku,
        name=name or f"Product {sku}",
        unitPrice=money(price),
        currency=currency,
        stock=stock,
        tag=list(tags),
        **extra,
    )


def create_customer(users, prefix="cust"):
    username = f"{prefix}-{uid(16)}"
    return users.CreateUser(username=username, email=f"{username}@example.com", role=["customer"])


def address(name="Zoë Öberg"):
    return {
        "name": name,
        "street": "12 Königsallee",
        "city": "Düsseldorf",
        "postalCode": "40212",
        "country": "DE",
    }


def place(orders, customer, lines, **extra):
    """PlaceOrder with lines given as [(product-or-sku, quantity), ...]."""
    return orders.PlaceOrder(
        customerId=customer.id if hasattr(customer, "id") else customer,
        line=[
            {"sku": getattr(item, "sku", item), "quantity": quantity} for item, quantity in lines
        ],
        shippingAddress=address(),
        **extra,
    )


def stock_of(catalog, sku) -> int:
    return catalog.GetProduct(sku=sku).stock


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


def client_fault(soap, client, fault: Fault, name: str):
    """A Client/Sender fault with a message and the typed detail `name`."""
    assert fault.code == soap.client_fault_code
    assert fault.message
    detail = fault_detail(client, fault, name)
    assert detail.message == fault.message
    return detail


def assert_validation_fault(soap, client, fault, paths):
    detail = client_fault(soap, client, fault, "ValidationFault")
    assert [error.path for error in detail.fieldError] == paths
    assert all(error.message for error in detail.fieldError)
    return detail


def search_all(catalog, **query):
    """Every page of a search, one product per page; checks the paging."""
    skus, token, pages = [], None, 0
    while True:
        page = catalog.SearchProducts(pageSize=1, pageToken=token, **query)
        pages += 1
        assert len(page.product) <= 1
        skus += [p.sku for p in page.product]
        total = page.totalCount
        token = page.nextPageToken
        if token is None:
            break
        assert pages <= 50, "nextPageToken never ends"
    assert total == len(skus)
    return skus


# --- transport -------------------------------------------------------------------


def test_wire_uses_the_binding_soap_version(soap, history, catalog, orders):
    product = create_product(catalog, "WIRE")

    catalog.GetProduct(sku=product.sku)
    sent, received = history.last_sent["envelope"], history.last_received["envelope"]
    assert sent.tag == f"{{{soap.envelope_ns}}}Envelope"
    assert received.tag == f"{{{soap.envelope_ns}}}Envelope"
    body = f"{{{soap.envelope_ns}}}Body"
    assert received.find(f"{body}/{{{CATALOG_NS}}}GetProductResponse") is not None
    assert history.last_received["http_headers"]["Content-Type"] == soap.content_type

    orders.ListOrders(customerId=MISSING_ID)
    received = history.last_received["envelope"]
    assert received.tag == f"{{{soap.envelope_ns}}}Envelope"
    assert received.find(f"{body}/{{{ORDERS_NS}}}ListOrdersResponse") is not None
    assert history.last_received["http_headers"]["Content-Type"] == soap.content_type


# --- CreateProduct ---------------------------------------------------------------


def test_create_product_returns_every_field(catalog):
    sku = unique_sku("CREATE")
    description = "Grüße ö ' & < > \"quoted\" – 40 mm"

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
    assert_money(product.unitPrice, "19.99")
    assert product.currency == "EUR"
    assert product.stock == 10
    assert product.tag == ["steel", "hardware"]  # in the order sent
    assert product.status == "active"
    assert_recent_instant(product.createdAt)
    assert_recent_instant(product.updatedAt)
    assert product.createdAt == product.updatedAt


def test_create_product_with_one_tag_and_with_none(catalog):
    one = create_product(catalog, "ONETAG", tags=["solo"], price="0.50", stock=0)
    assert one.tag == ["solo"]
    assert one.description is None
    assert_money(one.unitPrice, "0.50")
    assert one.stock == 0

    none = create_product(catalog, "NOTAG")
    assert none.tag == []  # zeep gives [] for an absent repeated element
    assert none.description is None
    assert none.status == "active"


def test_duplicate_sku_is_duplicate_product_fault(soap, catalog, catalog_client):
    existing = create_product(catalog, "DUP", price="3.00")

    fault = call_expecting_fault(
        catalog.CreateProduct,
        sku=existing.sku,
        name="Another",
        unitPrice=Decimal("4.00"),
        currency="EUR",
        stock=1,
    )

    detail = client_fault(soap, catalog_client, fault, "DuplicateProductFault")
    assert detail.sku == existing.sku
    # The first product is untouched.
    assert catalog.GetProduct(sku=existing.sku) == existing


def test_invalid_tag_is_validation_fault(soap, catalog, catalog_client):
    sku = unique_sku("BADTAG")

    # zeep does not check facets: "Bad Tag" goes over the wire as it is.
    fault = call_expecting_fault(
        catalog.CreateProduct,
        sku=sku,
        name="Bad tags",
        unitPrice=Decimal("1.00"),
        currency="EUR",
        stock=1,
        tag=["fine", "Bad Tag"],
    )

    assert_validation_fault(soap, catalog_client, fault, ["tag[2]"])
    not_found = call_expecting_fault(catalog.GetProduct, sku=sku)
    assert fault_detail(catalog_client, not_found, "ProductNotFoundFault").sku == sku


# --- GetProduct ------------------------------------------------------------------


def test_get_product(catalog):
    created = create_product(
        catalog, "GET", price="7.25", stock=4, tags=["b-tag", "a-tag"], description="Ä thing"
    )

    got = catalog.GetProduct(sku=created.sku)

    assert got == created
    assert got.tag == ["b-tag", "a-tag"]  # in the order sent
    assert_money(got.unitPrice, "7.25")


@pytest.mark.parametrize("operation", ["GetProduct", "DiscontinueProduct", "UpdateProduct"])
def test_unknown_sku_is_product_not_found(soap, catalog, catalog_client, operation):
    sku = unique_sku("GHOST")

    fault = call_expecting_fault(getattr(catalog, operation), sku=sku)

    detail = client_fault(soap, catalog_client, fault, "ProductNotFoundFault")
    assert detail.sku == sku
    assert sku in fault.message


# --- UpdateProduct ---------------------------------------------------------------


def test_update_product_fields_tags_and_nil_description(catalog):
    created = create_product(
        catalog, "UPD", price="19.99", stock=6, tags=["old"], description="Keep me ö"
    )

    # description and tags absent: left as they are.
    renamed = catalog.UpdateProduct(sku=created.sku, name="Renamed", unitPrice=Decimal("17.50"))
    assert renamed.name == "Renamed"
    assert_money(renamed.unitPrice, "17.50")
    assert renamed.description == "Keep me ö"
    assert renamed.tag == ["old"]
    assert renamed.stock == 6
    assert renamed.currency == "EUR"
    assert renamed.status == "active"
    assert renamed.createdAt == created.createdAt
    assert renamed.updatedAt >= created.updatedAt
    assert_recent_instant(renamed.updatedAt)

    # The TagList wrapper replaces the tags with exactly its tag elements.
    retagged = catalog.UpdateProduct(sku=created.sku, tags={"tag": ["sale", "hardware", "new"]})
    assert retagged.tag == ["sale", "hardware", "new"]  # in the order sent
    assert retagged.name == "Renamed"
    assert retagged.description == "Keep me ö"
    assert catalog.GetProduct(sku=created.sku) == retagged

    # An empty wrapper (<tags/>) clears them.
    cleared = catalog.UpdateProduct(sku=created.sku, tags={"tag": []})
    assert cleared.tag == []
    assert catalog.GetProduct(sku=created.sku).tag == []

    # description xsi:nil="true" removes it.
    nilled = catalog.UpdateProduct(sku=created.sku, description=xsd.Nil)
    assert nilled.description is None
    assert nilled.name == "Renamed"
    assert_money(nilled.unitPrice, "17.50")
    assert nilled.tag == []
    assert catalog.GetProduct(sku=created.sku) == nilled


# --- DiscontinueProduct ------------------------------------------------------------


def test_discontinue_product_hides_it_from_search(soap, catalog, orders, users, orders_client):
    word = unique_word()
    kept = create_product(catalog, "KEEP", name=f"Kept {word}")
    gone = create_product(catalog, "GONE", name=f"Gone {word}", stock=5)

    discontinued = catalog.DiscontinueProduct(sku=gone.sku)
    assert discontinued.status == "discontinued"
    assert discontinued.sku == gone.sku
    assert discontinued.stock == 5
    assert discontinued.updatedAt >= gone.updatedAt
    assert catalog.GetProduct(sku=gone.sku).status == "discontinued"

    # Idempotent.
    again = catalog.DiscontinueProduct(sku=gone.sku)
    assert again.status == "discontinued"

    default = catalog.SearchProducts(text=word)
    assert [p.sku for p in default.product] == [kept.sku]
    assert default.totalCount == 1

    explicit = catalog.SearchProducts(text=word, includeDiscontinued=False)
    assert [p.sku for p in explicit.product] == [kept.sku]

    included = catalog.SearchProducts(text=word, includeDiscontinued=True, sortBy="name")
    assert [p.sku for p in included.product] == [gone.sku, kept.sku]  # "Gone ..." < "Kept ..."
    assert included.totalCount == 2
    assert [p.status for p in included.product] == ["discontinued", "active"]

    # It can no longer be ordered.
    customer = create_customer(users)
    fault = call_expecting_fault(
        orders.PlaceOrder,
        customerId=customer.id,
        line=[{"sku": gone.sku, "quantity": 1}],
        shippingAddress=address(),
    )
    assert_validation_fault(soap, orders_client, fault, ["line[1]/sku"])
    assert stock_of(catalog, gone.sku) == 5


# --- AdjustStock -------------------------------------------------------------------


def test_adjust_stock(soap, catalog, catalog_client):
    product = create_product(catalog, "STOCK", stock=10)

    up = catalog.AdjustStock(sku=product.sku, delta=5, reason="restock from supplier")
    assert up.sku == product.sku
    assert up.stock == 15

    down = catalog.AdjustStock(sku=product.sku, delta=-3, reason="damaged in transit")
    assert down.stock == 12
    assert stock_of(catalog, product.sku) == 12

    fault = call_expecting_fault(
        catalog.AdjustStock, sku=product.sku, delta=-13, reason="more than there is"
    )
    detail = client_fault(soap, catalog_client, fault, "InsufficientStockFault")
    assert detail.sku == product.sku
    assert detail.requested == 13
    assert detail.available == 12
    assert stock_of(catalog, product.sku) == 12

    # Down to exactly 0 is fine.
    assert catalog.AdjustStock(sku=product.sku, delta=-12, reason="sold out").stock == 0
    assert stock_of(catalog, product.sku) == 0


def test_adjust_stock_of_unknown_sku_is_product_not_found(soap, catalog, catalog_client):
    sku = unique_sku("GHOST")

    fault = call_expecting_fault(catalog.AdjustStock, sku=sku, delta=1, reason="restock")

    assert client_fault(soap, catalog_client, fault, "ProductNotFoundFault").sku == sku


def test_adjust_stock_with_blank_reason_is_validation_fault(soap, catalog, catalog_client):
    product = create_product(catalog, "BLANK", stock=3)

    fault = call_expecting_fault(catalog.AdjustStock, sku=product.sku, delta=1, reason="   ")

    assert_validation_fault(soap, catalog_client, fault, ["reason"])
    assert stock_of(catalog, product.sku) == 3


# --- SearchProducts ------------------------------------------------------------------


@pytest.fixture
def four_products(catalog):
    """Four products sharing a fresh search word and a fresh tag, created out of order."""
    word, tag = unique_word(), unique_tag("s")
    specs = {
        # key: (name, price, stock, tags)
        "delta": (f"Delta {word}lamp", "8.25", 2, []),
        "alpha": (f"Alpha {word}lamp", "5.00", 0, [tag]),
        "charlie": (f"Charlie {word}lamp", "20.00", 7, [tag, "other"]),
        "bravo": (f"Bravo {word}lamp", "12.50", 3, [tag]),
    }
    products = {
        key: create_product(
            catalog, key.upper(), name=name, price=price, stock=stock, tags=tags
        )
        for key, (name, price, stock, tags) in specs.items()
    }
    return word, tag, products


def test_search_by_word_prefix(catalog, four_products):
    word, _, products = four_products

    # The names hold "<word>lamp"; the search gives a prefix of it.
    page = catalog.SearchProducts(text=word[:10])

    assert [p.sku for p in page.product] == [
        products[k].sku for k in ("alpha", "bravo", "charlie", "delta")
    ]  # sortBy defaults to name
    assert page.totalCount == 4
    assert page.nextPageToken is None
    assert page.product[1] == products["bravo"]


def test_search_by_tag(catalog, four_products):
    word, tag, products = four_products

    by_tag = catalog.SearchProducts(tag=tag, sortBy="name")
    assert [p.sku for p in by_tag.product] == [
        products[k].sku for k in ("alpha", "bravo", "charlie")
    ]
    assert by_tag.totalCount == 3

    # Filters combine.
    both = catalog.SearchProducts(text=word, tag=tag, inStockOnly=True)
    assert [p.sku for p in both.product] == [products[k].sku for k in ("bravo", "charlie")]
    assert both.totalCount == 2


def test_search_by_price_range(catalog, four_products):
    word, _, products = four_products

    page = catalog.SearchProducts(text=word, minPrice=Decimal("6.00"), maxPrice=Decimal("15.00"))
    assert [p.sku for p in page.product] == [products[k].sku for k in ("bravo", "delta")]
    assert page.totalCount == 2

    cheap = catalog.SearchProducts(text=word, maxPrice=Decimal("8.24"))
    assert [p.sku for p in cheap.product] == [products["alpha"].sku]

    dear = catalog.SearchProducts(text=word, minPrice=Decimal("12.51"))
    assert [p.sku for p in dear.product] == [products["charlie"].sku]


def test_search_in_stock_only(catalog, four_products):
    word, _, products = four_products

    page = catalog.SearchProducts(text=word, inStockOnly=True)

    assert [p.sku for p in page.product] == [
        products[k].sku for k in ("bravo", "charlie", "delta")
    ]
    assert page.totalCount == 3
    assert all(p.stock > 0 for p in page.product)


def test_search_by_price_descending_pages_through_everything(catalog, four_products):
    word, _, products = four_products
    expected = [products[k].sku for k in ("charlie", "bravo", "delta", "alpha")]

    page = catalog.SearchProducts(text=word, sortBy="price", descending=True)
    assert [p.sku for p in page.product] == expected
    prices = [p.unitPrice for p in page.product]
    assert prices == [Decimal("20.00"), Decimal("12.50"), Decimal("8.25"), Decimal("5.00")]
    assert all(isinstance(price, Decimal) for price in prices)

    first = catalog.SearchProducts(text=word, sortBy="price", descending=True, pageSize=1)
    assert [p.sku for p in first.product] == expected[:1]
    assert first.totalCount == 4
    assert first.nextPageToken

    assert search_all(catalog, text=word, sortBy="price", descending=True) == expected
    assert search_all(catalog, text=word, sortBy="price") == expected[::-1]


def test_search_with_no_match(catalog):
    page = catalog.SearchProducts(text=unique_word())

    assert page.product == []
    assert page.nextPageToken is None
    assert page.totalCount == 0


def test_search_with_min_above_max_is_validation_fault(soap, catalog, catalog_client):
    fault = call_expecting_fault(
        catalog.SearchProducts, minPrice=Decimal("10.00"), maxPrice=Decimal("9.99")
    )

    assert_validation_fault(soap, catalog_client, fault, ["maxPrice"])


# --- PlaceOrder ----------------------------------------------------------------------


def test_place_order(catalog, orders, users):
    customer = create_customer(users)
    widget = create_product(catalog, "WIDGET", name="Steel widget", price="19.99", stock=10)
    gadget = create_product(catalog, "GADGET", name="Gadget", price="5.00", stock=3)
    reference = f"ref-{uid(16)}"

    order = orders.PlaceOrder(
        customerId=customer.id,
        line=[{"sku": widget.sku, "quantity": 2}, {"sku": gadget.sku, "quantity": 1}],
        shippingAddress=address("Jörg Öztürk & Söhne"),
        clientReference=reference,
    )

    assert isinstance(order.id, int) and order.id > 0
    assert order.customerId == customer.id
    assert order.status == "placed"
    assert order.clientReference == reference
    assert [(line.sku, line.productName, line.quantity) for line in order.line] == [
        (widget.sku, "Steel widget", 2),
        (gadget.sku, "Gadget", 1),
    ]
    assert_money(order.line[0].unitPrice, "19.99")
    assert_money(order.line[0].lineTotal, "39.98")
    assert_money(order.line[1].unitPrice, "5.00")
    assert_money(order.line[1].lineTotal, "5.00")
    assert_money(order.total, "44.98")
    assert order.currency == "EUR"
    shipping = order.shippingAddress
    assert shipping.name == "Jörg Öztürk & Söhne"
    assert (shipping.street, shipping.city, shipping.postalCode, shipping.country) == (
        "12 Königsallee",
        "Düsseldorf",
        "40212",
        "DE",
    )
    assert_recent_instant(order.placedAt)
    assert_recent_instant(order.updatedAt)
    assert order.cancelReason is None

    # The stock of both lines was taken (and GetProduct sees it).
    assert stock_of(catalog, widget.sku) == 8
    assert stock_of(catalog, gadget.sku) == 2
    assert orders.GetOrder(id=order.id) == order

    # A retry with the same clientReference returns the same order, taking nothing.
    retry = orders.PlaceOrder(
        customerId=customer.id,
        line=[{"sku": widget.sku, "quantity": 2}, {"sku": gadget.sku, "quantity": 1}],
        shippingAddress=address("Jörg Öztürk & Söhne"),
        clientReference=reference,
    )
    assert retry.id == order.id
    assert retry == order
    assert stock_of(catalog, widget.sku) == 8
    assert stock_of(catalog, gadget.sku) == 2
    assert orders.ListOrders(customerId=customer.id).totalCount == 1


def test_place_order_price_is_fixed_when_placed(catalog, orders, users):
    customer = create_customer(users)
    product = create_product(catalog, "FIXED", price="2.10", stock=10)

    order = place(orders, customer, [(product, 3)])
    catalog.UpdateProduct(sku=product.sku, unitPrice=Decimal("9.99"))

    got = orders.GetOrder(id=order.id)
    assert_money(got.line[0].unitPrice, "2.10")
    assert_money(got.line[0].lineTotal, "6.30")
    assert_money(got.total, "6.30")


def test_place_order_without_enough_stock_takes_nothing(soap, catalog, orders, users, orders_client):
    customer = create_customer(users)
    plenty = create_product(catalog, "PLENTY", stock=10)
    scarce = create_product(catalog, "SCARCE", stock=1)

    fault = call_expecting_fault(
        orders.PlaceOrder,
        customerId=customer.id,
        line=[{"sku": plenty.sku, "quantity": 2}, {"sku": scarce.sku, "quantity": 5}],
        shippingAddress=address(),
    )

    detail = client_fault(soap, orders_client, fault, "InsufficientStockFault")
    assert detail.sku == scarce.sku
    assert detail.requested == 5
    assert detail.available == 1
    # Nothing was taken, not even for the first line, and no order exists.
    assert stock_of(catalog, plenty.sku) == 10
    assert stock_of(catalog, scarce.sku) == 1
    assert orders.ListOrders(customerId=customer.id).totalCount == 0


def test_place_order_with_unknown_sku_is_product_not_found(
    soap, catalog, orders, users, orders_client
):
    customer = create_customer(users)
    real = create_product(catalog, "REAL", stock=4)
    ghost = unique_sku("GHOST")

    fault = call_expecting_fault(
        orders.PlaceOrder,
        customerId=customer.id,
        line=[{"sku": real.sku, "quantity": 1}, {"sku": ghost, "quantity": 1}],
        shippingAddress=address(),
    )

    detail = client_fault(soap, orders_client, fault, "ProductNotFoundFault")
    assert detail.sku == ghost
    assert stock_of(catalog, real.sku) == 4
    assert orders.ListOrders(customerId=customer.id).totalCount == 0


def test_place_order_with_quantity_zero_is_validation_fault(
    soap, catalog, orders, users, orders_client
):
    customer = create_customer(users)
    product = create_product(catalog, "ZERO", stock=4)
    other = create_product(catalog, "OTHER", stock=4)

    # zeep does not check minInclusive: the 0 goes over the wire.
    fault = call_expecting_fault(
        orders.PlaceOrder,
        customerId=customer.id,
        line=[{"sku": other.sku, "quantity": 1}, {"sku": product.sku, "quantity": 0}],
        shippingAddress=address(),
    )

    assert_validation_fault(soap, orders_client, fault, ["line[2]/quantity"])
    assert stock_of(catalog, other.sku) == 4
    assert orders.ListOrders(customerId=customer.id).totalCount == 0


def test_place_order_for_unknown_customer_is_validation_fault(
    soap, catalog, orders, orders_client
):
    product = create_product(catalog, "NOBODY", stock=4)

    fault = call_expecting_fault(
        orders.PlaceOrder,
        customerId=MISSING_ID,
        line=[{"sku": product.sku, "quantity": 1}],
        shippingAddress=address(),
    )

    assert_validation_fault(soap, orders_client, fault, ["customerId"])
    assert stock_of(catalog, product.sku) == 4


# --- GetOrder ------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["GetOrder", "ShipOrder", "CancelOrder"])
def test_unknown_order_is_order_not_found(soap, orders, orders_client, operation):
    kwargs = {"id": MISSING_ID}
    if operation == "CancelOrder":
        kwargs["reason"] = "never existed"

    fault = call_expecting_fault(getattr(orders, operation), **kwargs)

    detail = client_fault(soap, orders_client, fault, "OrderNotFoundFault")
    assert detail.id == MISSING_ID


# --- ListOrders ----------------------------------------------------------------------


@pytest.fixture
def three_orders(catalog, orders, users):
    """A fresh customer with three orders, placed a few milliseconds apart."""
    customer = create_customer(users)
    product = create_product(catalog, "LIST", price="1.00", stock=100)
    placed = []
    for quantity in (1, 2, 3):
        placed.append(place(orders, customer, [(product, quantity)]))
        time.sleep(0.01)
    assert len({order.placedAt for order in placed}) == 3
    return customer, product, placed


def test_list_orders_by_customer_newest_first(orders, three_orders):
    customer, _, placed = three_orders
    newest_first = [order.id for order in reversed(placed)]

    page = orders.ListOrders(customerId=customer.id)
    assert [order.id for order in page.order] == newest_first
    assert page.totalCount == 3
    assert page.nextPageToken is None
    assert page.order[0] == placed[2]

    ids, token = [], None
    for _ in range(3):
        page = orders.ListOrders(customerId=customer.id, pageSize=1, pageToken=token)
        assert len(page.order) == 1
        assert page.totalCount == 3
        ids.append(page.order[0].id)
        token = page.nextPageToken
        if token is None:
            break
    assert ids == newest_first
    assert token is None


def test_list_orders_by_status(orders, three_orders):
    customer, _, (first, second, third) = three_orders
    orders.ShipOrder(id=first.id)
    orders.CancelOrder(id=second.id, reason="changed my mind")

    for status, expected in [
        ("shipped", [first.id]),
        ("cancelled", [second.id]),
        ("placed", [third.id]),
    ]:
        page = orders.ListOrders(customerId=customer.id, status=status)
        assert [order.id for order in page.order] == expected, status
        assert [order.status for order in page.order] == [status]
        assert page.totalCount == 1


def test_list_orders_in_a_time_window(orders, three_orders):
    customer, _, (first, second, third) = three_orders

    def ids(**window):
        page = orders.ListOrders(customerId=customer.id, **window)
        assert page.totalCount == len(page.order)
        return [order.id for order in page.order]

    # placedFrom is inclusive, placedTo exclusive.
    assert ids(placedFrom=second.placedAt) == [third.id, second.id]
    assert ids(placedTo=second.placedAt) == [first.id]
    assert ids(placedFrom=second.placedAt, placedTo=third.placedAt) == [second.id]
    assert ids(placedFrom=first.placedAt, placedTo=third.placedAt + timedelta(milliseconds=1)) == [
        third.id,
        second.id,
        first.id,
    ]
    # The same instant in another offset is the same window.
    cet = timezone(timedelta(hours=1))
    assert ids(
        placedFrom=second.placedAt.astimezone(cet), placedTo=third.placedAt.astimezone(cet)
    ) == [second.id]


def test_list_orders_with_a_bad_page_size_is_validation_fault(soap, orders, orders_client):
    fault = call_expecting_fault(orders.ListOrders, customerId=MISSING_ID, pageSize=0)

    assert_validation_fault(soap, orders_client, fault, ["pageSize"])


# --- ShipOrder / CancelOrder -------------------------------------------------------------


def test_ship_then_cancel_is_invalid_order_state(soap, catalog, orders, users, orders_client):
    customer = create_customer(users)
    product = create_product(catalog, "SHIP", stock=5)
    order = place(orders, customer, [(product, 2)])

    shipped = orders.ShipOrder(id=order.id)
    assert shipped.id == order.id
    assert shipped.status == "shipped"
    assert shipped.placedAt == order.placedAt
    assert shipped.updatedAt >= order.updatedAt
    assert shipped.cancelReason is None
    assert orders.GetOrder(id=order.id) == shipped
    assert stock_of(catalog, product.sku) == 3

    fault = call_expecting_fault(orders.CancelOrder, id=order.id, reason="too late")
    detail = client_fault(soap, orders_client, fault, "InvalidOrderStateFault")
    assert detail.id == order.id
    assert detail.currentStatus == "shipped"
    assert detail.attemptedAction == "cancel"

    fault = call_expecting_fault(orders.ShipOrder, id=order.id)
    detail = client_fault(soap, orders_client, fault, "InvalidOrderStateFault")
    assert detail.currentStatus == "shipped"
    assert detail.attemptedAction == "ship"

    # Nothing changed.
    assert orders.GetOrder(id=order.id) == shipped
    assert stock_of(catalog, product.sku) == 3


def test_cancel_placed_order_restores_stock(soap, catalog, orders, users, orders_client):
    customer = create_customer(users)
    first = create_product(catalog, "CANCEL1", stock=5)
    second = create_product(catalog, "CANCEL2", stock=2)
    order = place(orders, customer, [(first, 3), (second, 2)])
    assert stock_of(catalog, first.sku) == 2
    assert stock_of(catalog, second.sku) == 0

    reason = "Kunde hat storniert – ö & <sofort>"
    cancelled = orders.CancelOrder(id=order.id, reason=reason)

    assert cancelled.id == order.id
    assert cancelled.status == "cancelled"
    assert cancelled.cancelReason == reason
    assert cancelled.line == order.line
    assert_money(cancelled.total, str(order.total))
    assert cancelled.updatedAt >= order.updatedAt
    assert orders.GetOrder(id=order.id) == cancelled
    assert stock_of(catalog, first.sku) == 5
    assert stock_of(catalog, second.sku) == 2

    # A cancelled order can be neither cancelled again nor shipped.
    for operation, kwargs, action in [
        (orders.CancelOrder, {"reason": "again"}, "cancel"),
        (orders.ShipOrder, {}, "ship"),
    ]:
        fault = call_expecting_fault(operation, id=order.id, **kwargs)
        detail = client_fault(soap, orders_client, fault, "InvalidOrderStateFault")
        assert (detail.id, detail.currentStatus, detail.attemptedAction) == (
            order.id,
            "cancelled",
            action,
        )
    assert stock_of(catalog, first.sku) == 5


# --- SalesReport -------------------------------------------------------------------------


def rows_by_key(report, keys):
    rows = {}
    for row in report:
        if row.key in keys:
            assert (row.key, row.currency) not in rows, row
            rows[(row.key, row.currency)] = row
    return rows


def assert_row(row, order_count, quantity, revenue):
    assert (row.orderCount, row.quantity) == (order_count, quantity), row
    assert_money(row.revenue, revenue)


def test_sales_report(catalog, orders, users):
    start = datetime.now(timezone.utc) - timedelta(minutes=1)
    ann, bob = create_customer(users, "ann"), create_customer(users, "bob")
    lamp = create_product(catalog, "LAMP", price="10.00", stock=50)
    bulb = create_product(catalog, "BULB", price="2.50", stock=50)

    o1 = place(orders, ann, [(lamp, 2), (bulb, 1)])  # 22.50
    o2 = place(orders, bob, [(lamp, 1)])  # 10.00, then shipped: still counted
    o3 = place(orders, ann, [(bulb, 4)])  # 10.00, then cancelled: not counted
    orders.ShipOrder(id=o2.id)
    orders.CancelOrder(id=o3.id, reason="wrong bulbs")
    end = datetime.now(timezone.utc) + timedelta(minutes=1)

    def report(group_by):
        rows = orders.SalesReport(**{"from": start, "to": end, "groupBy": group_by})
        for row in rows:
            assert isinstance(row.revenue, Decimal), row
        return rows

    by_product = rows_by_key(report("product"), {lamp.sku, bulb.sku})
    assert set(by_product) == {(lamp.sku, "EUR"), (bulb.sku, "EUR")}
    assert_row(by_product[(lamp.sku, "EUR")], 2, 3, "30.00")
    assert_row(by_product[(bulb.sku, "EUR")], 1, 1, "2.50")

    by_customer = rows_by_key(report("customer"), {str(ann.id), str(bob.id)})
    assert set(by_customer) == {(str(ann.id), "EUR"), (str(bob.id), "EUR")}
    assert_row(by_customer[(str(ann.id), "EUR")], 1, 3, "22.50")
    assert_row(by_customer[(str(bob.id), "EUR")], 1, 1, "10.00")

    # Other tests place orders on the same server: our own are a lower bound.
    ours = {}
    for order, quantity, revenue in [(o1, 3, Decimal("22.50")), (o2, 1, Decimal("10.00"))]:
        day = order.placedAt.astimezone(timezone.utc).strftime("%Y-%m-%d")
        count, qty, rev = ours.get(day, (0, 0, Decimal("0")))
        ours[day] = (count + 1, qty + quantity, rev + revenue)
    day_rows = report("day")
    keys = [row.key for row in day_rows]
    assert keys == sorted(keys)
    by_day = rows_by_key(day_rows, set(ours))
    for day, (count, quantity, revenue) in ours.items():
        row = by_day[(day, "EUR")]
        assert row.orderCount >= count
        assert row.quantity >= quantity
        assert row.revenue >= revenue

    # A window that ends before the orders holds none of them.
    before = orders.SalesReport(
        **{"from": start - timedelta(days=1), "to": start, "groupBy": "product"}
    )
    assert rows_by_key(before, {lamp.sku, bulb.sku}) == {}


def test_sales_report_with_empty_window_is_validation_fault(soap, orders, orders_client):
    now = datetime.now(timezone.utc)

    fault = call_expecting_fault(
        orders.SalesReport, **{"from": now, "to": now, "groupBy": "day"}
    )

    assert_validation_fault(soap, orders_client, fault, ["to"])
