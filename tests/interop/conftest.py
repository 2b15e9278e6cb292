"""Fixtures for the interop suites.

`server` (below) is shared by every suite in this folder: zeep (test_zeep_*.py), suds
(test_suds.py), PHP's SoapClient (test_php.py runs php/client_test.php) and node-soap
(test_node.py runs node/client_test.js). The rest of this module is zeep's.

One real `soapstone serve` process is started per test session, on a free port
and with a fresh SQLite database, and stopped with SIGTERM at the end (its exit
code must be 0). zeep loads the WSDL each service publishes and talks to it over
both bindings: every test that takes the `soap` fixture (or `service`) runs once
over SOAP 1.1 and once over SOAP 1.2.

Per service (UserService, CatalogService, OrderService):
- `zeep_client(name)`: the zeep Client built from that service's `?wsdl`;
- `zeep_service(name, version)`: the proxy for its SOAP 1.1 or 1.2 binding;
- `soap.service(name)`: the proxy of the SOAP version the test instance runs over.
`client`, `soap11_service`, `soap12_service`, `soap.proxy` and `service` are the
UserService ones.
"""

import os
import queue
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from zeep import Client
from zeep.plugins import HistoryPlugin
from zeep.proxy import ServiceProxy
from zeep.transports import Transport

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "soapstone"

STARTUP_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 10

# Service name -> target namespace of its WSDL. Each is served at
# /services/<name>, its WSDL at /services/<name>?wsdl, with the bindings
# {ns}<name>Soap11Binding and {ns}<name>Soap12Binding.
WSDL_NS = {
    "UserService": "http://soapstone.dev/wsdl/users/v1",
    "CatalogService": "http://soapstone.dev/wsdl/catalog/v1",
    "OrderService": "http://soapstone.dev/wsdl/orders/v1",
}
SOAP_VERSIONS = ("1.1", "1.2")

_LISTENING = re.compile(r"listening on (http://\S+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class ServerProcess:
    base_url: str  # e.g. http://127.0.0.1:41234
    process: subprocess.Popen
    log: list  # every stderr line seen so far


def _pump(stream, lines, q):
    """Drain the server's stderr so it can never block on a full pipe."""
    for raw in stream:
        line = _ANSI.sub("", raw.rstrip("\n"))
        lines.append(line)
        q.put(line)
    q.put(None)  # EOF: the process closed stderr (it is exiting)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    binary = Path(os.environ.get("SOAPSTONE_BIN", DEFAULT_BIN))
    if not binary.is_file():
        pytest.fail(f"server binary not found: {binary} (build it or set SOAPSTONE_BIN)")

    db = tmp_path_factory.mktemp("soapstone") / "db.sqlite"
    proc = subprocess.Popen(
        [str(binary), "serve", "--listen", "127.0.0.1:0", "--db", str(db)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    log, lines = [], queue.Queue()
    threading.Thread(target=_pump, args=(proc.stderr, log, lines), daemon=True).start()

    base_url = None
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while base_url is None:
        remaining = deadline - time.monotonic()
        try:
            line = lines.get(timeout=max(remaining, 0))
        except queue.Empty:
            proc.kill()
            proc.wait()
            pytest.fail(
                f"server did not log 'listening on http://...' within {STARTUP_TIMEOUT_S} s:\n"
                + "\n".join(log)
            )
        if line is None:
            rc = proc.wait()
            pytest.fail(f"server exited with {rc} before listening:\n" + "\n".join(log))
        match = _LISTENING.search(line)
        if match:
            base_url = match.group(1).rstrip("/")

    yield ServerProcess(base_url=base_url, process=proc, log=log)

    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(
            f"server did not stop within {SHUTDOWN_TIMEOUT_S} s of SIGTERM:\n" + "\n".join(log)
        )
    assert rc == 0, f"server exited with {rc} after SIGTERM:\n" + "\n".join(log)


@pytest.fixture(scope="session")
def service_urls(server):
    """Service name -> its endpoint URL."""
    return {name: f"{server.base_url}/services/{name}" for name in WSDL_NS}


@pytest.fixture(scope="session")
def history():
    """The last request/response zeep exchanged (with any service), to look at the wire."""
    return HistoryPlugin()


@pytest.fixture(scope="session")
def zeep_client(service_urls, history):
    """Factory: the zeep Client of one service, built from the WSDL the server
    serves (no WSDL cache), once per session."""
    clients = {}

    def get(name: str) -> Client:
        if name not in WSDL_NS:
            raise KeyError(f"unknown service {name!r}; known: {sorted(WSDL_NS)}")
        if name not in clients:
            clients[name] = Client(
                service_urls[name] + "?wsdl", transport=Transport(cache=None), plugins=[history]
            )
        return clients[name]

    return get


@pytest.fixture(scope="session")
def zeep_service(zeep_client, service_urls):
    """Factory: the proxy for one service's SOAP 1.1 or 1.2 binding, at its endpoint."""
    proxies = {}

    def get(name: str, version: str) -> ServiceProxy:
        if version not in SOAP_VERSIONS:
            raise ValueError(f"unknown SOAP version {version!r}")
        key = (name, version)
        if key not in proxies:
            suffix = "Soap11Binding" if version == "1.1" else "Soap12Binding"
            binding = f"{{{WSDL_NS[name]}}}{name}{suffix}"
            proxies[key] = zeep_client(name).create_service(binding, service_urls[name])
        return proxies[key]

    return get


# --- UserService shorthands (used by test_zeep_users.py) --------------------


@pytest.fixture(scope="session")
def service_url(service_urls):
    return service_urls["UserService"]


@pytest.fixture(scope="session")
def client(zeep_client) -> Client:
    return zeep_client("UserService")


@pytest.fixture(scope="session")
def soap11_service(zeep_service) -> ServiceProxy:
    return zeep_service("UserService", "1.1")


@pytest.fixture(scope="session")
def soap12_service(zeep_service) -> ServiceProxy:
    return zeep_service("UserService", "1.2")


# --- the SOAP version under test ----------------------------------------------


@dataclass
class Soap:
    """One SOAP version under test: its proxies and what the wire should show."""

    version: str
    envelope_ns: str
    content_type: str
    # fault.code as zeep reports it for a fault caused by the request: zeep gives
    # the Code (1.2 Code/Value) text verbatim, i.e. the server's prefixed QName.
    client_fault_code: str
    _factory: Callable[[str, str], ServiceProxy] = field(repr=False)

    def service(self, name: str) -> ServiceProxy:
        """The proxy of service `name` for this SOAP version."""
        return self._factory(name, self.version)

    @property
    def proxy(self) -> ServiceProxy:
        """The UserService proxy for this SOAP version."""
        return self.service("UserService")


@pytest.fixture(params=SOAP_VERSIONS, ids=["soap11", "soap12"])
def soap(request, zeep_service) -> Soap:
    if request.param == "1.1":
        return Soap(
            version="1.1",
            envelope_ns="http://schemas.xmlsoap.org/soap/envelope/",
            content_type="text/xml; charset=utf-8",
            client_fault_code="soap:Client",
            _factory=zeep_service,
        )
    return Soap(
        version="1.2",
        envelope_ns="http://www.w3.org/2003/05/soap-envelope",
        content_type="application/soap+xml; charset=utf-8",
        client_fault_code="env:Sender",
        _factory=zeep_service,
    )


@pytest.fixture
def service(soap) -> ServiceProxy:
    """The UserService proxy of the SOAP version this test instance runs over."""
    return soap.proxy
