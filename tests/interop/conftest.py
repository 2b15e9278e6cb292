"""Fixtures for the zeep interop suite.

One real `soapstone serve` process is started per test session, on a free port
and with a fresh SQLite database, and stopped with SIGTERM at the end (its exit
code must be 0). zeep loads the WSDL the server publishes and talks to it over
both bindings: every test that takes the `service` fixture runs once over
SOAP 1.1 and once over SOAP 1.2.
"""

import os
import queue
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from zeep import Client
from zeep.plugins import HistoryPlugin
from zeep.proxy import ServiceProxy
from zeep.transports import Transport

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "soapstone"

STARTUP_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 10

WSDL_NS = "http://soapstone.dev/wsdl/users/v1"
SERVICE_PATH = "/services/UserService"

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
def service_url(server):
    return server.base_url + SERVICE_PATH


@pytest.fixture(scope="session")
def history():
    """The last request/response zeep exchanged, to look at the wire."""
    return HistoryPlugin()


@pytest.fixture(scope="session")
def client(service_url, history):
    """A zeep client built from the WSDL the server serves (no WSDL cache)."""
    return Client(service_url + "?wsdl", transport=Transport(cache=None), plugins=[history])


@pytest.fixture(scope="session")
def soap11_service(client, service_url) -> ServiceProxy:
    return client.create_service(f"{{{WSDL_NS}}}UserServiceSoap11Binding", service_url)


@pytest.fixture(scope="session")
def soap12_service(client, service_url) -> ServiceProxy:
    return client.create_service(f"{{{WSDL_NS}}}UserServiceSoap12Binding", service_url)


@dataclass
class Soap:
    """One SOAP version under test: its proxy and what the wire should show."""

    version: str
    proxy: ServiceProxy
    envelope_ns: str
    content_type: str
    # fault.code as zeep reports it for a fault caused by the request: zeep gives
    # the Code (1.2 Code/Value) text verbatim, i.e. the server's prefixed QName.
    client_fault_code: str


@pytest.fixture(params=["1.1", "1.2"], ids=["soap11", "soap12"])
def soap(request) -> Soap:
    if request.param == "1.1":
        return Soap(
            version="1.1",
            proxy=request.getfixturevalue("soap11_service"),
            envelope_ns="http://schemas.xmlsoap.org/soap/envelope/",
            content_type="text/xml; charset=utf-8",
            client_fault_code="soap:Client",
        )
    return Soap(
        version="1.2",
        proxy=request.getfixturevalue("soap12_service"),
        envelope_ns="http://www.w3.org/2003/05/soap-envelope",
        content_type="application/soap+xml; charset=utf-8",
        client_fault_code="env:Sender",
    )


@pytest.fixture
def service(soap) -> ServiceProxy:
    """The UserService proxy of the SOAP version this test instance runs over."""
    return soap.proxy
