"""kill -9 under concurrent writes: no acknowledged write is lost, none is half-written, and no
idempotent retry creates a duplicate.

One database file is served by a succession of `soapstone serve` processes. After a set-up
(the admin account made with the CLI, then products with a large stock and one customer), each
cycle:

1. starts the server on the database;
2. runs WRITERS threads that loop on CreateUser (unique usernames) and PlaceOrder (2-3 lines,
   a unique clientReference each), plus one thread that retries, with the same clientReference,
   every PlaceOrder not acknowledged so far (as a real client would after a failure);
3. after a random 0.2-1.0 s, kills the server with SIGKILL while requests are in flight.

A request is *acknowledged* when it got HTTP 200 with the created entity (and its id) in the
body; anything else (connection reset or refused, timeout, 503, fault) is not acknowledged.
Retries are themselves killed mid-flight, and retried again in the next cycle.

At the end the server is started once more, the remaining retries are sent (they must all be
acknowledged now), and the data is checked through SOAP reads, then, with the server stopped,
directly in the SQLite file (opened read-only):

- every acknowledged user exists with exactly the data sent; an unacknowledged one either does
  not exist or exists exactly (never partly, e.g. without its roles);
- every clientReference has exactly one order, the one acknowledged, with all its lines as sent
  and a total equal to the sum of its lines; no order has no lines, no other order exists;
- the stock of each product is its initial stock minus the quantities of every non-cancelled
  order (and minus the quantities of every clientReference sent, since each has one order);
- `PRAGMA integrity_check` is ok and there is no foreign key violation.

Every request authenticates as the admin with a WS-Security UsernameToken (PasswordText) in its
SOAP header; the admin is the one user the test did not create through SOAP.

Environment: CRASH_CYCLES (default 5), CRASH_WRITERS (default 8), CRASH_SEED (random by
default; printed, so a run can be repeated), SOAPSTONE_BIN (see conftest.py).
"""

import http.client
import os
import random
import sqlite3
import threading
import time
import traceback
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from xml.sax.saxutils import escape

CYCLES = int(os.environ.get("CRASH_CYCLES", "5"))
WRITERS = int(os.environ.get("CRASH_WRITERS", "8"))
SEED = int(os.environ.get("CRASH_SEED", str(random.SystemRandom().randrange(2**32))))
KILL_AFTER_S = (0.2, 1.0)
HTTP_TIMEOUT_S = 5.0  # every HTTP call under load (a timeout is one more unacknowledged write)
VERIFY_TIMEOUT_S = 15.0  # every read of the verification (a timeout there is a failure)
VERIFY_BUDGET_S = 30.0  # all the SOAP reads of the verification together
JOIN_TIMEOUT_S = HTTP_TIMEOUT_S + 5.0  # a thread can be in one call when told to stop
VERIFY_THREADS = 4

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS_USERS = "http://soapstone.dev/schema/users/v1"
NS_CATALOG = "http://soapstone.dev/schema/catalog/v1"
NS_ORDERS = "http://soapstone.dev/schema/orders/v1"
NS_COMMON = "http://soapstone.dev/schema/common/v1"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordText"
)
SERVICES = {
    NS_USERS: ("UserService", "http://soapstone.dev/users/"),
    NS_CATALOG: ("CatalogService", "http://soapstone.dev/catalog/"),
    NS_ORDERS: ("OrderService", "http://soapstone.dev/orders/"),
}

ROLES = ("admin", "clerk", "customer", "auditor")
INITIAL_STOCK = 1_000_000
CURRENCY = "EUR"
# sku -> (name, unit price in cents)
PRODUCTS = {
    "CRASH-ANVIL": ("Crash anvil", 1999),
    "CRASH-BOLT": ("Crash bolt M8", 35),
    "CRASH-CRATE": ("Crash crate – pine", 123456),
    "CRASH-DRUM": ("Crash drum", 500),
}
CUSTOMER = "crash.customer"
ADDRESS = (
    ("name", "Zoë Crash-Tëst"),
    ("street", "9 Kill Street"),
    ("city", "Sigkill"),
    ("postalCode", "09009"),
    ("country", "DE"),
)


# --- requests and what became of them ------------------------------------------------------


@dataclass
class UserRequest:
    username: str
    email: str
    display_name: str
    roles: tuple  # as sent (shuffled)
    cycle: int
    outcome: str = ""
    acked_id: int = None

    @property
    def expected_roles(self):
        """Responses list the roles in the order they were sent."""
        return list(self.roles)


@dataclass
class OrderRequest:
    reference: str
    lines: tuple  # ((sku, quantity), ...) as sent
    cycle: int
    attempts: list = field(default_factory=list)  # (cycle, "first" | "retry", outcome)
    acked_id: int = None
    acked: dict = None  # the order as acknowledged
    recovered: bool = False  # acknowledged by a retry, created by a killed process


class Run:
    """Everything sent, shared by the threads of a cycle."""

    def __init__(self, security):
        self.security = security  # the wsse:Security header block every request carries
        self.lock = threading.Lock()
        self.users = []
        self.orders = []
        self.in_flight = 0
        self.anomalies = []  # answers a correct server never gives (reported as failures)
        self.customer_id = None

    def send(self, port, ns, operation, body):
        """Sends one operation; returns (response element or None, outcome)."""
        with self.lock:
            self.in_flight += 1
        try:
            return soap(port, ns, operation, body, self.security)
        finally:
            with self.lock:
                self.in_flight -= 1

    def anomaly(self, text):
        with self.lock:
            self.anomalies.append(text)


# --- SOAP over http.client -----------------------------------------------------------------


def q(ns, name):
    return f"{{{ns}}}{name}"


def wsse_header(credentials):
    """The wsse:Security header block: a UsernameToken with the credentials' PasswordText."""
    return (
        f'<wsse:Security xmlns:wsse="{NS_WSSE}"><wsse:UsernameToken>'
        f"<wsse:Username>{escape(credentials.username)}</wsse:Username>"
        f'<wsse:Password Type="{PASSWORD_TEXT}">{escape(credentials.password)}</wsse:Password>'
        "</wsse:UsernameToken></wsse:Security>"
    )


def soap_call(port, ns, operation, body, security, timeout=HTTP_TIMEOUT_S):
    """POSTs a SOAP 1.1 envelope with `body` (the operation's children) and the header block
    `security` to 127.0.0.1:port. Returns (HTTP status, response bytes); connection errors and
    timeouts raise."""
    service, action = SERVICES[ns]
    envelope = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{SOAP11}" xmlns:m="{ns}">'
        f"<soapenv:Header>{security}</soapenv:Header>"
        f"<soapenv:Body><m:{operation}>{body}</m:{operation}>"
        "</soapenv:Body></soapenv:Envelope>"
    ).encode("utf-8")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            f"/services/{service}",
            body=envelope,
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{action}{operation}"',
                "Connection": "close",
            },
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def fault_of(raw):
    """'faultcode/detail-element: faultstring' of a SOAP 1.1 fault, or None."""
    try:
        fault = ET.fromstring(raw).find(f"{q(SOAP11, 'Body')}/{q(SOAP11, 'Fault')}")
    except ET.ParseError:
        return None
    if fault is None:
        return None
    detail = fault.find("detail")
    kind = detail[0].tag.split("}")[-1] if detail is not None and len(detail) else "-"
    return f"{fault.findtext('faultcode')}/{kind}: {fault.findtext('faultstring')}"


def soap(port, ns, operation, body, security, timeout=HTTP_TIMEOUT_S):
    """One call; returns (the response wrapper element or None, outcome), where outcome is
    'ok', 'error:<exception>', or 'http <status> <fault>'."""
    try:
        status, raw = soap_call(port, ns, operation, body, security, timeout)
    except (OSError, http.client.HTTPException) as e:
        return None, f"error:{type(e).__name__}"
    if status != 200:
        return None, f"http {status} {fault_of(raw) or raw[:120]!r}"
    try:
        wrapper = ET.fromstring(raw).find(f"{q(SOAP11, 'Body')}/{q(ns, operation + 'Response')}")
    except ET.ParseError as e:
        return None, f"bad-200:{e}"
    if wrapper is None:
        return None, f"bad-200:no {operation}Response in {raw[:200]!r}"
    return wrapper, "ok"


def text_elements(ns, pairs):
    return "".join(f"<m:{name}>{escape(str(value))}</m:{name}>" for name, value in pairs)


def cents(text):
    return int(Decimal(text) * 100)


def money(value_cents):
    return f"{Decimal(value_cents) / 100:.2f}"


def millis(stamp):
    at = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return int(at.timestamp() * 1000)


def now_ms():
    return int(time.time() * 1000)


def parse_user(el):
    t = lambda name: el.findtext(q(NS_USERS, name))  # noqa: E731
    return {
        "id": int(t("id")),
        "username": t("username"),
        "email": t("email"),
        "displayName": t("displayName"),
        "roles": [r.text for r in el.findall(q(NS_USERS, "role"))],
        "status": t("status"),
    }


def parse_order(el):
    t = lambda e, name: e.findtext(q(NS_ORDERS, name))  # noqa: E731
    address = el.find(q(NS_ORDERS, "shippingAddress"))
    return {
        "id": int(t(el, "id")),
        "customerId": int(t(el, "customerId")),
        "status": t(el, "status"),
        "clientReference": t(el, "clientReference"),
        "lines": [
            (t(line, "sku"), int(t(line, "quantity")), cents(t(line, "unitPrice")),
             cents(t(line, "lineTotal")))
            for line in el.findall(q(NS_ORDERS, "line"))
        ],
        "total": cents(t(el, "total")),
        "currency": t(el, "currency"),
        "address": tuple((name, t(address, name)) for name, _ in ADDRESS),
        "placedAt": millis(t(el, "placedAt")),
    }


def create_user_body(user):
    return text_elements(
        NS_USERS,
        [("username", user.username), ("email", user.email), ("displayName", user.display_name)]
        + [("role", r) for r in user.roles],
    )


def place_order_body(customer_id, order):
    lines = "".join(
        f"<m:line><m:sku>{sku}</m:sku><m:quantity>{quantity}</m:quantity></m:line>"
        for sku, quantity in order.lines
    )
    return (
        f"<m:customerId>{customer_id}</m:customerId>{lines}"
        f"<m:shippingAddress>{text_elements(NS_ORDERS, ADDRESS)}</m:shippingAddress>"
        f"<m:clientReference>{escape(order.reference)}</m:clientReference>"
    )


def order_problems(order, got, customer_id):
    """What differs between the order as requested and `got` (a parsed order)."""
    problems = []
    expected_lines = [
        (sku, quantity, PRODUCTS[sku][1], quantity * PRODUCTS[sku][1])
        for sku, quantity in order.lines
    ]
    if got["lines"] != expected_lines:
        problems.append(f"lines {got['lines']} != sent {expected_lines}")
    if got["total"] != sum(line[3] for line in got["lines"]):
        problems.append(f"total {got['total']} != sum of its lines {got['lines']}")
    if got["total"] != sum(line[3] for line in expected_lines):
        problems.append(f"total {got['total']} != {sum(line[3] for line in expected_lines)}")
    if got["clientReference"] != order.reference:
        problems.append(f"clientReference {got['clientReference']!r}")
    if got["customerId"] != customer_id:
        problems.append(f"customerId {got['customerId']}")
    if got["currency"] != CURRENCY or got["status"] != "placed" or got["address"] != ADDRESS:
        problems.append(f"currency/status/address {got['currency']} {got['status']} "
                        f"{got['address']}")
    return problems


def user_problems(user, got):
    expected = {
        "username": user.username,
        "email": user.email,
        "displayName": user.display_name,
        "roles": user.expected_roles,
        "status": "active",
    }
    actual = {key: got[key] for key in expected}
    return [] if actual == expected else [f"{actual} != sent {expected}"]


# --- the threads of a cycle ----------------------------------------------------------------


def record_order(run, order, cycle, kind, wrapper, outcome, server_started_ms):
    with run.lock:
        order.attempts.append((cycle, kind, outcome))
    if wrapper is None:
        if outcome.startswith("bad-200"):
            run.anomaly(f"{order.reference}: {outcome}")
        return
    got = parse_order(wrapper.find(q(NS_ORDERS, "order")))
    for problem in order_problems(order, got, run.customer_id):
        run.anomaly(f"PlaceOrder {order.reference} ({kind}, cycle {cycle}) answered: {problem}")
    with run.lock:
        if order.acked_id is not None and order.acked_id != got["id"]:
            run.anomalies.append(
                f"{order.reference} acknowledged twice with different orders: "
                f"{order.acked_id} and {got['id']}"
            )
        order.acked_id, order.acked = got["id"], got
        # Created before this process started: a killed process had committed it.
        order.recovered = kind == "retry" and got["placedAt"] < server_started_ms


def guarded(target):
    """Runs a thread's `target`, turning an exception into a recorded anomaly (a thread that
    dies silently would leave its requests looking merely unacknowledged)."""

    def run_guarded(run, *args):
        try:
            target(run, *args)
        except Exception:  # noqa: BLE001 - reported as a test failure
            run.anomaly(f"{threading.current_thread().name} failed:\n{traceback.format_exc()}")

    return run_guarded


@guarded
def writer(run, port, cycle, wid, stop, seed, server_started_ms):
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        n += 1
        if rng.random() < 0.4:
            name = f"c{cycle}.w{wid}.n{n}"
            roles = rng.sample(ROLES, rng.randint(1, len(ROLES)))
            user = UserRequest(
                username=name,
                email=f"{name}@Crash.Example",
                display_name=f"Crash Tëst {name} <&>",
                roles=tuple(roles),
                cycle=cycle,
            )
            with run.lock:
                run.users.append(user)
            wrapper, outcome = run.send(port, NS_USERS, "CreateUser", create_user_body(user))
            user.outcome = outcome
            if wrapper is not None:
                got = parse_user(wrapper.find(q(NS_USERS, "user")))
                for problem in user_problems(user, got):
                    run.anomaly(f"CreateUser {name} answered: {problem}")
                user.acked_id = got["id"]
            elif outcome.startswith("bad-200"):
                run.anomaly(f"CreateUser {name}: {outcome}")
        else:
            skus = rng.sample(sorted(PRODUCTS), rng.randint(2, 3))
            order = OrderRequest(
                reference=f"ref-c{cycle}-w{wid}-n{n}",
                lines=tuple((sku, rng.randint(1, 5)) for sku in skus),
                cycle=cycle,
            )
            with run.lock:
                run.orders.append(order)
            wrapper, outcome = run.send(
                port, NS_ORDERS, "PlaceOrder", place_order_body(run.customer_id, order)
            )
            record_order(run, order, cycle, "first", wrapper, outcome, server_started_ms)


@guarded
def retrier(run, port, cycle, stop, todo, server_started_ms, pause=None):
    """Retries each order of `todo` with its clientReference; `pause()` gives the seconds to
    wait before each one (spread over the cycle, so that some retries are killed too)."""
    for order in todo:
        if pause is not None and stop.wait(pause()):
            return
        if stop.is_set():
            return
        wrapper, outcome = run.send(
            port, NS_ORDERS, "PlaceOrder", place_order_body(run.customer_id, order)
        )
        record_order(run, order, cycle, "retry", wrapper, outcome, server_started_ms)


def join_all(threads):
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running {JOIN_TIMEOUT_S} s after the stop: {stuck}"


def cycle_stats(run, cycle):
    users = [u for u in run.users if u.cycle == cycle]
    firsts = Counter()
    retries = Counter()
    errors = Counter()
    for order in run.orders:
        for c, kind, outcome in order.attempts:
            if c != cycle:
                continue
            (firsts if kind == "first" else retries)[outcome == "ok"] += 1
            if outcome != "ok":
                errors[outcome.split(" ")[0] if outcome.startswith("http") else outcome] += 1
    for user in users:
        if user.outcome != "ok":
            errors[user.outcome.split(" ")[0] if user.outcome.startswith("http")
                   else user.outcome] += 1
    return {
        "users_ack": sum(u.outcome == "ok" for u in users),
        "users_unack": sum(u.outcome != "ok" for u in users),
        "orders_ack": firsts[True],
        "orders_unack": firsts[False],
        "retried_ack": retries[True],
        "retried_unack": retries[False],
        "errors": dict(errors),
    }


# --- the test ------------------------------------------------------------------------------


def test_kill9_keeps_every_acknowledged_write(soapstone, bootstrap_admin, tmp_path, capsys):
    t0 = time.monotonic()
    rng = random.Random(SEED)
    db = tmp_path / "crash.db"
    log = []
    admin = bootstrap_admin(db)
    run = Run(wsse_header(admin))
    lines_out = [f"crash test: seed {SEED}, {CYCLES} cycles, {WRITERS} writers, db {db}"]

    # Set-up, acknowledged like everything else (and killed too).
    server = soapstone(db, log)
    for sku, (name, price) in PRODUCTS.items():
        wrapper, outcome = soap(server.port, NS_CATALOG, "CreateProduct", text_elements(
            NS_CATALOG, [("sku", sku), ("name", name), ("unitPrice", money(price)),
                         ("currency", CURRENCY), ("stock", INITIAL_STOCK)]), run.security)
        assert outcome == "ok", f"CreateProduct {sku}: {outcome}\n{server.log_text()}"
    wrapper, outcome = soap(server.port, NS_USERS, "CreateUser", text_elements(
        NS_USERS, [("username", CUSTOMER), ("email", "customer@crash.example"),
                   ("role", "customer")]), run.security)
    assert outcome == "ok", f"CreateUser {CUSTOMER}: {outcome}\n{server.log_text()}"
    run.customer_id = parse_user(wrapper.find(q(NS_USERS, "user")))["id"]
    server.kill9()

    stats = []
    for cycle in range(1, CYCLES + 1):
        # The retries due: half spread over the cycle, half sent at once just before the kill
        # (so that some retries are themselves cut off, and retried again next cycle).
        todo = [o for o in run.orders if o.acked_id is None]
        rng.shuffle(todo)
        spread, burst = todo[: len(todo) // 2], todo[len(todo) // 2:]
        started_ms = now_ms()
        server = soapstone(db, log)
        stop = threading.Event()
        pauses = random.Random(rng.randrange(2**32))
        threads = [threading.Thread(
            target=retrier, name="retrier",
            args=(run, server.port, cycle, stop, spread, started_ms,
                  lambda: pauses.uniform(0, 0.15)),
            daemon=True)]
        threads += [
            threading.Thread(
                target=writer, name=f"writer-{w}",
                args=(run, server.port, cycle, w, stop, rng.randrange(2**32), started_ms),
                daemon=True)
            for w in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(*KILL_AFTER_S))
        bursts = [
            threading.Thread(
                target=retrier, name=f"burst-{order.reference}",
                args=(run, server.port, cycle, threading.Event(), [order], started_ms),
                daemon=True)
            for order in burst
        ]
        for thread in bursts:
            thread.start()
        threads += bursts
        time.sleep(rng.uniform(0, 0.02))
        stop.set()
        with run.lock:
            in_flight = run.in_flight
        server.kill9()
        join_all(threads)
        stat = cycle_stats(run, cycle)
        stat["in_flight"] = in_flight
        stat["retries_due"] = len(todo)
        stat["recovered"] = sum(
            o.recovered and any(c == cycle and k == "retry" and r == "ok"
                                for c, k, r in o.attempts)
            for o in run.orders)
        stats.append(stat)
        lines_out.append(
            f"cycle {cycle}: in flight at kill {in_flight:2d} | users ack {stat['users_ack']:3d} "
            f"unack {stat['users_unack']:2d} | orders ack {stat['orders_ack']:3d} "
            f"unack {stat['orders_unack']:2d} | retried {stat['retried_ack']}/"
            f"{stat['retries_due']} ack (unack {stat['retried_unack']}, "
            f"{stat['recovered']} had committed before the kill) | not acked: {stat['errors']}"
        )

    # Final start: the remaining retries, with no kill, must all be acknowledged.
    todo = [o for o in run.orders if o.acked_id is None]
    started_ms = now_ms()
    server = soapstone(db, log)
    retrier(run, server.port, CYCLES + 1, threading.Event(), todo, started_ms)
    final_recovered = sum(o.recovered for o in todo)
    lines_out.append(
        f"final: retried {len(todo)} unacknowledged orders, "
        f"{sum(o.acked_id is not None for o in todo)} acknowledged "
        f"({final_recovered} had committed before the kill)"
    )
    with capsys.disabled():
        print("\n" + "\n".join(lines_out))

    problems = list(run.anomalies)
    never = [(o.reference, o.attempts) for o in run.orders if o.acked_id is None]
    assert not never, f"retries not acknowledged by a running server: {never[:10]}\n" + \
        server.log_text()

    acked_users = [u for u in run.users if u.acked_id is not None]
    unacked_users = [u for u in run.users if u.acked_id is None]
    assert any(u.outcome != "ok" for u in run.users) or any(
        a[2] != "ok" for o in run.orders for a in o.attempts
    ), "no request was in flight at any kill: the test proved nothing"

    # --- through SOAP, on the restarted server ---
    port = server.port
    verify_deadline = time.monotonic() + VERIFY_BUDGET_S

    def read(ns, operation, pairs):
        if time.monotonic() > verify_deadline:
            return None, f"not sent: the verification took over {VERIFY_BUDGET_S} s"
        return soap(port, ns, operation, text_elements(ns, pairs), run.security, VERIFY_TIMEOUT_S)

    def check_acked_user(user):
        wrapper, outcome = read(NS_USERS, "GetUser", [("id", user.acked_id)])
        if wrapper is None:
            return [f"SOAP: acknowledged user {user.username} (id {user.acked_id}): {outcome}"]
        got = parse_user(wrapper.find(q(NS_USERS, "user")))
        return [f"SOAP: acknowledged user {user.acked_id}: {p}" for p in user_problems(user, got)]

    def check_unacked_user(user):
        wrapper, outcome = read(NS_USERS, "GetUser", [("username", user.username)])
        if wrapper is None:
            if "UserNotFoundFault" in outcome:
                return []
            return [f"SOAP: unacknowledged user {user.username}: {outcome}"]
        got = parse_user(wrapper.find(q(NS_USERS, "user")))
        user.acked_id = -got["id"]  # committed without acknowledgement (kept negative)
        return [f"SOAP: unacknowledged user {user.username}, committed: {p}"
                for p in user_problems(user, got)]

    def check_order(order):
        wrapper, outcome = read(NS_ORDERS, "GetOrder", [("id", order.acked_id)])
        if wrapper is None:
            return [f"SOAP: acknowledged order {order.acked_id} ({order.reference}): {outcome}"]
        got = parse_order(wrapper.find(q(NS_ORDERS, "order")))
        problems = [f"SOAP: order {order.acked_id} ({order.reference}): {p}"
                    for p in order_problems(order, got, run.customer_id)]
        if got["id"] != order.acked_id or got["placedAt"] != order.acked["placedAt"]:
            problems.append(f"SOAP: order {order.acked_id} differs from its acknowledgement: "
                            f"{got} != {order.acked}")
        return problems

    with ThreadPoolExecutor(VERIFY_THREADS) as pool:
        checks = [pool.submit(check_acked_user, u) for u in acked_users]
        checks += [pool.submit(check_unacked_user, u) for u in unacked_users]
        checks += [pool.submit(check_order, o) for o in run.orders]
        for check in checks:
            problems += check.result()

    expected_stock = {sku: INITIAL_STOCK for sku in PRODUCTS}
    for order in run.orders:
        for sku, quantity in order.lines:
            expected_stock[sku] -= quantity
    for sku in PRODUCTS:
        wrapper, outcome = read(NS_CATALOG, "GetProduct", [("sku", sku)])
        stock = wrapper and int(wrapper.find(q(NS_CATALOG, "product")).findtext(
            q(NS_CATALOG, "stock")))
        if stock != expected_stock[sku]:
            problems.append(f"SOAP: stock of {sku} is {stock or outcome}, expected "
                            f"{expected_stock[sku]} (initial minus every order's quantity)")
    wrapper, outcome = read(NS_ORDERS, "ListOrders",
                            [("customerId", run.customer_id), ("pageSize", 1)])
    total = wrapper and int(wrapper.findtext(q(NS_ORDERS, "totalCount")))
    if total != len(run.orders):
        problems.append(f"SOAP: ListOrders totalCount {total or outcome} != "
                        f"{len(run.orders)} clientReferences sent (one order each)")

    assert server.stop() == 0, "server did not exit 0 after SIGTERM:\n" + server.log_text()
    panics = [line for line in log if "panicked" in line]
    if panics:
        problems.append(f"server log: {panics[:5]}")

    # --- directly in the database file, read-only, server stopped ---
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"DB: integrity_check {integrity[:10]}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"DB: foreign_key_check {fk[:10]}")

        users = {
            username: {"id": id_, "email": email, "displayName": display_name,
                       "status": status, "email_key": email_key, "roles": set()}
            for id_, username, email, email_key, display_name, status in conn.execute(
                "SELECT id, username, email, email_key, display_name, status FROM users")
        }
        by_id = {row["id"]: row for row in users.values()}
        for user_id, role in conn.execute("SELECT user_id, role FROM user_roles"):
            if user_id in by_id:
                by_id[user_id]["roles"].add(role)
            else:
                problems.append(f"DB: role {role} of user {user_id}, who does not exist")
        sent = {u.username: u for u in run.users}
        for user in run.users:
            row = users.get(user.username)
            if row is None:
                if user.acked_id is not None and user.acked_id > 0:
                    problems.append(f"DB: acknowledged user {user.username} "
                                    f"(id {user.acked_id}) is missing")
                continue
            expected = {"id": abs(user.acked_id) if user.acked_id else row["id"],
                        "email": user.email, "email_key": user.email.lower(),
                        "displayName": user.display_name, "status": "active",
                        "roles": set(user.roles)}
            if user.acked_id is None:
                problems.append(f"DB: user {user.username} exists but GetUser did not find it")
            if row != expected:
                problems.append(f"DB: user {user.username}: {row} != {expected}")
        strangers = set(users) - set(sent) - {CUSTOMER, admin.username}
        if strangers:
            problems.append(f"DB: users nobody created: {sorted(strangers)[:10]}")

        duplicates = conn.execute(
            "SELECT customer_id, client_reference, count(*) FROM orders "
            "GROUP BY customer_id, client_reference HAVING count(*) > 1").fetchall()
        if duplicates:
            problems.append(f"DB: clientReferences with more than one order: {duplicates[:10]}")

        skus = dict(conn.execute("SELECT id, sku FROM products"))
        orders = {}
        for row in conn.execute(
                "SELECT id, customer_id, status, client_reference, currency, total, ship_name, "
                "ship_street, ship_city, ship_postal_code, ship_country FROM orders"):
            orders[row[0]] = {"row": row, "lines": []}
        for order_id, line_no, product_id, quantity, unit_price in conn.execute(
                "SELECT order_id, line_no, product_id, quantity, unit_price FROM order_lines "
                "ORDER BY order_id, line_no"):
            orders[order_id]["lines"].append((line_no, skus[product_id], quantity, unit_price))
        by_reference = {}
        for order_id, order in orders.items():
            (_, customer_id, status, reference, currency, total, *address) = order["row"]
            lines = order["lines"]
            by_reference.setdefault((customer_id, reference), []).append(order_id)
            if not lines:
                problems.append(f"DB: order {order_id} ({reference}) has no lines")
            if [line[0] for line in lines] != list(range(1, len(lines) + 1)):
                problems.append(f"DB: order {order_id} has line numbers {[l[0] for l in lines]}")
            if total != sum(line[2] * line[3] for line in lines):
                problems.append(f"DB: order {order_id} ({reference}): total {total} != sum of "
                                f"its lines {lines}")
            if (customer_id, currency, tuple(address)) != (
                    run.customer_id, CURRENCY, tuple(v for _, v in ADDRESS)):
                problems.append(f"DB: order {order_id}: {order['row']}")
        for order in run.orders:
            ids = by_reference.pop((run.customer_id, order.reference), [])
            if ids != [order.acked_id]:
                problems.append(f"DB: clientReference {order.reference} has orders {ids}, "
                                f"acknowledged {order.acked_id} ({order.attempts})")
                continue
            lines = [(sku, quantity, price) for _, sku, quantity, price in
                     orders[order.acked_id]["lines"]]
            expected = [(sku, quantity, PRODUCTS[sku][1]) for sku, quantity in order.lines]
            if lines != expected:
                problems.append(f"DB: order {order.acked_id} ({order.reference}): lines "
                                f"{lines} != sent {expected}")
        if by_reference:
            problems.append(f"DB: orders with a clientReference never sent: "
                            f"{list(by_reference.items())[:10]}")

        taken = Counter()
        for order in orders.values():
            if order["row"][2] != "cancelled":
                for _, sku, quantity, _ in order["lines"]:
                    taken[sku] += quantity
        for sku, stock in conn.execute("SELECT sku, stock FROM products"):
            if stock != INITIAL_STOCK - taken[sku] or stock != expected_stock[sku]:
                problems.append(f"DB: stock of {sku} is {stock}; initial minus non-cancelled "
                                f"orders = {INITIAL_STOCK - taken[sku]}, minus every "
                                f"clientReference sent = {expected_stock[sku]}")
    finally:
        conn.close()

    committed_unacked_users = sum(1 for u in unacked_users if u.acked_id is not None)
    summary = (
        f"total: users {len(acked_users)} acknowledged, {len(unacked_users)} not "
        f"({committed_unacked_users} of them committed anyway); orders {len(run.orders)} "
        f"clientReferences, {sum(len(o.attempts) for o in run.orders)} attempts, "
        f"{sum(o.recovered for o in run.orders)} retries found the order a killed process had "
        f"committed; {len(orders)} orders in the database; {len(problems)} problems; "
        f"{time.monotonic() - t0:.1f} s"
    )
    with capsys.disabled():
        print(summary)
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)\n" + \
        server.log_text(40)
