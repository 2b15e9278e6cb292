"""Fixtures for the interop suites.

`server` (below) is shared by every suite in this folder: zeep (test_zeep_*.py), suds
(test_suds.py), PHP's SoapClient (test_php.py runs php/client_test.php) and node-soap
(test_node.py runs node/client_test.js). The rest of this module is zeep's.

One real `soapstone serve` process is started per test session, on a free port
and with a fresh SQLite database (with SOAPSTONE_TEST_DB=postgres: a fresh
PostgreSQL database in the cluster at SOAPSTONE_TEST_PG, a superuser's
postgres://user@host:port URL, made and dropped with psql), and stopped with
SIGTERM at the end (its exit code must be 0); it accepts X.509 signed requests (`signing_pki`) and signs its
responses to them. `tls_server` and `mtls_server` are two more, over HTTPS
(`tls_pki`), started only for test_zeep_tls.py. Before each starts, the `soapstone user` CLI creates the admin
account on that database (user id 1; password ADMIN_PASSWORD, PasswordDigest
secret DIGEST_SECRET, sealed under SECRET_KEY, which `serve` gets too). zeep
loads the WSDL each service publishes and talks to it over both bindings: every
test that takes the `soap` fixture (or `service`) runs once over SOAP 1.1 and
once over SOAP 1.2.

Every operation needs credentials. Every zeep client below sends a WS-Security
UsernameToken (PasswordText) of the admin by default (`admin_wsse()`); tests that
need no credentials or other ones get their proxies from `zeep_service_as` /
`soap.service_as(name, wsse)`. The credentials live here only: the other suites
get them through the `admin` fixture (and the PHP and node-soap scripts through
the environment, `client_script_env`). `clerk` is a second staff user (role clerk, with a
password), made by the admin once per session, for the suites that call as someone else.

Per service (UserService, CatalogService, OrderService, AuthService):
- `zeep_client(name)`: the zeep Client built from that service's `?wsdl`;
- `zeep_service(name, version)`: the proxy for its SOAP 1.1 or 1.2 binding;
- `soap.service(name)`: the proxy of the SOAP version the test instance runs over;
- `zeep_service_as(name, version, wsse)` / `soap.service_as(name, wsse)`: the same
  with other credentials (`wsse=None`: none at all).
`client`, `soap11_service`, `soap12_service`, `soap.proxy` and `service` are the
UserService ones.
"""

import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import pytest
from zeep import Client
from zeep.plugins import HistoryPlugin
from zeep.proxy import ServiceProxy
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "soapstone"

STARTUP_TIMEOUT_S = 30
SHUTDOWN_TIMEOUT_S = 10
BOOTSTRAP_TIMEOUT_S = 60

# The test credentials, in this one place. The admin account is created by the CLI before
# `serve` starts (user id 1); SECRET_KEY (64 hex characters, 32 bytes) seals digest secrets
# and must be given to both the CLI and `serve`.
ADMIN_USER = "admin"
ADMIN_PASSWORD = "soapstone-admin"
DIGEST_SECRET = "soapstone-digest"
SECRET_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
ADMIN_ID = 1


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    digest_secret: Optional[str] = None
    user_id: Optional[int] = None


ADMIN = Credentials(ADMIN_USER, ADMIN_PASSWORD, DIGEST_SECRET, ADMIN_ID)


def admin_wsse() -> UsernameToken:
    """The UsernameToken (PasswordText) every zeep client sends unless told otherwise."""
    return UsernameToken(ADMIN_USER, ADMIN_PASSWORD)


def server_env() -> dict:
    """The environment of the `soapstone` CLI and of `serve`: ours plus the secret key."""
    return {**os.environ, "SOAPSTONE_SECRET_KEY": SECRET_KEY}


# Service name -> target namespace of its WSDL. Each is served at
# /services/<name>, its WSDL at /services/<name>?wsdl, with the bindings
# {ns}<name>Soap11Binding and {ns}<name>Soap12Binding.
WSDL_NS = {
    "UserService": "http://soapstone.dev/wsdl/users/v1",
    "CatalogService": "http://soapstone.dev/wsdl/catalog/v1",
    "OrderService": "http://soapstone.dev/wsdl/orders/v1",
    "AuthService": "http://soapstone.dev/wsdl/auth/v1",
}
SOAP_VERSIONS = ("1.1", "1.2")

_LISTENING = re.compile(r"listening on (https?://\S+)")
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


def _cli(binary: Path, args: list, stdin: str, env: dict) -> None:
    """Runs one `soapstone` CLI command to completion; fails the session unless it exits 0."""
    argv = [str(binary), *args]
    try:
        done = subprocess.run(
            argv,
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=BOOTSTRAP_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(argv)} did not finish within {BOOTSTRAP_TIMEOUT_S} s")
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(argv)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )


def bootstrap(binary: Path, db: str, env: dict) -> None:
    """Creates the admin (user id 1) with its password and digest secret, before `serve`, in
    the database `db` (a SQLite path or a PostgreSQL URL)."""
    _cli(binary, ["user", "add", "--db", db, "--role", "admin", ADMIN_USER],
         ADMIN_PASSWORD + "\n", env)
    _cli(binary, ["user", "digest-secret", "--db", db, ADMIN_USER], DIGEST_SECRET + "\n", env)


def _with_dbname(url: str, name: str) -> str:
    """`url` (postgres://user@host:port[/db][?query]) naming the database `name` instead."""
    head, sep, query = url.partition("?")
    authority = head.find("://") + 3
    slash = head.find("/", authority)
    base = head if slash < 0 else head[:slash]
    return f"{base}/{name}{sep}{query}"


def _psql(cluster: str, sql: str) -> None:
    """Runs `sql` on the maintenance database of the cluster; fails the session on error."""
    psql = shutil.which("psql")
    if psql is None:
        pytest.fail("psql not found: SOAPSTONE_TEST_DB=postgres needs it (Debian postgresql-client)")
    done = subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", _with_dbname(cluster, "postgres"),
         "-c", sql],
        capture_output=True, text=True, timeout=BOOTSTRAP_TIMEOUT_S,
    )
    if done.returncode != 0:
        pytest.fail(f"psql {sql!r} on {cluster} exited with {done.returncode}:\n{done.stderr}")


def _database(folder: Path):
    """The `--db` value of a fresh database and a function that drops it (a no-op for
    SQLite, whose file goes with `folder`)."""
    backend = os.environ.get("SOAPSTONE_TEST_DB", "sqlite") or "sqlite"
    if backend == "sqlite":
        return str(folder / "db.sqlite"), lambda: None
    if backend != "postgres":
        pytest.fail(f"SOAPSTONE_TEST_DB={backend}: expected sqlite or postgres")
    cluster = os.environ.get("SOAPSTONE_TEST_PG")
    if not cluster:
        pytest.fail("SOAPSTONE_TEST_DB=postgres needs SOAPSTONE_TEST_PG, the postgres:// URL "
                    "of a superuser of a PostgreSQL cluster (scripts/test.sh starts one)")
    name = f"interop_{os.getpid()}_{time.time_ns()}_{folder.name.replace('-', '_')}".lower()[:63]
    _psql(cluster, f"CREATE DATABASE {name}")
    return _with_dbname(cluster, name), lambda: _psql(
        cluster, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )


@pytest.fixture(scope="session")
def admin() -> Credentials:
    """The admin's credentials (user id 1): username, password and digest secret."""
    return ADMIN


@pytest.fixture(scope="session")
def client_script_env() -> dict:
    """The environment of the PHP and node-soap scripts: who to authenticate as."""
    return {
        "SOAPSTONE_USERNAME": ADMIN_USER,
        "SOAPSTONE_PASSWORD": ADMIN_PASSWORD,
        "SOAPSTONE_DIGEST_SECRET": DIGEST_SECRET,
    }


@dataclass
class SigningPki:
    """A CA the server trusts for X.509 message signatures, and certificates it issued."""

    ca: Path
    admin_cert: Path  # subject CN=admin: signs as the admin
    admin_key: Path
    stranger_cert: Path  # issued by another CA
    stranger_key: Path
    server_cert: Path  # the server signs its responses to signed requests with it
    server_key: Path


def _openssl(cwd: Path, *args: str) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _issue(cwd: Path, ca: str, name: str, cn: str, extensions: Optional[str] = None) -> None:
    _openssl(cwd, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
             "-out", f"{name}.csr", "-subj", f"/CN={cn}")
    extra = []
    if extensions:
        (cwd / f"{name}.ext").write_text(extensions + "\n")
        extra = ["-extfile", f"{name}.ext"]
    _openssl(cwd, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey",
             f"{ca}.key", "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", *extra)


def _new_ca(cwd: Path, name: str) -> None:
    _openssl(cwd, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
             "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN=Soapstone test {name}")


@pytest.fixture(scope="session")
def signing_pki(tmp_path_factory) -> SigningPki:
    d = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other-ca"):
        _new_ca(d, ca)
    _issue(d, "ca", "admin", ADMIN_USER)
    _issue(d, "other-ca", "stranger", ADMIN_USER)
    _issue(d, "ca", "server", "soapstone-server")
    return SigningPki(d / "ca.pem", d / "admin.pem", d / "admin.key", d / "stranger.pem",
                      d / "stranger.key", d / "server.pem", d / "server.key")


@dataclass
class TlsPki:
    """A CA, the HTTPS server's certificate (for IP 127.0.0.1) and a client certificate
    whose subject CN is the admin, all issued by that CA."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


@pytest.fixture(scope="session")
def tls_pki(tmp_path_factory) -> TlsPki:
    d = tmp_path_factory.mktemp("tls")
    _new_ca(d, "ca")
    _issue(d, "ca", "server", "127.0.0.1", extensions="subjectAltName=IP:127.0.0.1")
    _issue(d, "ca", "client", ADMIN_USER)
    return TlsPki(d / "ca.pem", d / "server.pem", d / "server.key", d / "client.pem",
                  d / "client.key")


def _serve(tmp_path_factory, *args: str):
    """Runs `soapstone serve` with `args` on a fresh bootstrapped database until the
    generator is closed; yields the running ServerProcess. Its exit code after SIGTERM
    must be 0."""
    binary = Path(os.environ.get("SOAPSTONE_BIN", DEFAULT_BIN))
    if not binary.is_file():
        pytest.fail(f"server binary not found: {binary} (build it or set SOAPSTONE_BIN)")

    db, drop_database = _database(tmp_path_factory.mktemp("soapstone"))
    try:
        yield from _serve_on(binary, db, *args)
    finally:
        drop_database()


def _serve_on(binary: Path, db: str, *args: str):
    """`_serve` on the new database `db`."""
    env = server_env()
    bootstrap(binary, db, env)
    # Every suite shares one admin and sends it wrong passwords on purpose, all from
    # 127.0.0.1: throttling (tested in tests/credentials.rs) would refuse the suites' later
    # calls, so it is off here.
    proc = subprocess.Popen(
        [str(binary), "serve", "--listen", "127.0.0.1:0", "--db", db,
         "--auth-failure-limit", "0", *args],
        env=env,
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
                f"server did not log 'listening on http(s)://...' within {STARTUP_TIMEOUT_S} s:\n"
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
def server(tmp_path_factory, signing_pki):
    """The server every suite talks to, over HTTP. It accepts X.509 signed requests from
    certificates of `signing_pki.ca` and signs its responses to them."""
    yield from _serve(
        tmp_path_factory,
        "--signature-ca", str(signing_pki.ca),
        "--signature-cert", str(signing_pki.server_cert),
        "--signature-key", str(signing_pki.server_key),
    )


def _https(tls_pki) -> list:
    return ["--tls-cert", str(tls_pki.server_cert), "--tls-key", str(tls_pki.server_key)]


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory, tls_pki):
    """A server over HTTPS (no client certificates)."""
    yield from _serve(tmp_path_factory, *_https(tls_pki))


@pytest.fixture(scope="session")
def mtls_server(tmp_path_factory, tls_pki):
    """A server over HTTPS that requires client certificates of `tls_pki.ca`."""
    yield from _serve(tmp_path_factory, *_https(tls_pki), "--tls-client-ca", str(tls_pki.ca))


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
    serves (no WSDL cache), once per session. It authenticates as the admin
    (UsernameToken, PasswordText)."""
    clients = {}

    def get(name: str) -> Client:
        if name not in WSDL_NS:
            raise KeyError(f"unknown service {name!r}; known: {sorted(WSDL_NS)}")
        if name not in clients:
            clients[name] = Client(
                service_urls[name] + "?wsdl",
                wsse=admin_wsse(),
                transport=Transport(cache=None),
                plugins=[history],
            )
        return clients[name]

    return get


def _binding(name: str, version: str) -> str:
    if version not in SOAP_VERSIONS:
        raise ValueError(f"unknown SOAP version {version!r}")
    suffix = "Soap11Binding" if version == "1.1" else "Soap12Binding"
    return f"{{{WSDL_NS[name]}}}{name}{suffix}"


@pytest.fixture(scope="session")
def zeep_service(zeep_client, service_urls):
    """Factory: the proxy for one service's SOAP 1.1 or 1.2 binding, at its endpoint
    (authenticated as the admin)."""
    proxies = {}

    def get(name: str, version: str) -> ServiceProxy:
        key = (name, version)
        if key not in proxies:
            proxies[key] = zeep_client(name).create_service(
                _binding(name, version), service_urls[name]
            )
        return proxies[key]

    return get


@pytest.fixture(scope="session")
def zeep_service_as(zeep_client, service_urls, history):
    """Factory: `(name, version, wsse)` -> a proxy of that binding whose client sends `wsse`
    (a zeep.wsse UsernameToken, or None for no WS-Security header at all) instead of the
    admin's UsernameToken. It shares the parsed WSDL, transport and history of
    `zeep_client(name)`; a SessionToken goes in per call, `_soapheaders={"token": ...}`."""

    def get(name: str, version: str, wsse=None) -> ServiceProxy:
        base = zeep_client(name)
        client = Client(base.wsdl, wsse=wsse, transport=base.transport, plugins=[history])
        return client.create_service(_binding(name, version), service_urls[name])

    return get


@pytest.fixture(scope="session")
def clerk(zeep_service) -> Credentials:
    """A staff user that is not the admin: a clerk (role `clerk`, who may write the catalog)
    with a password, created once per session by the admin through UserService."""
    username = f"clerk-{uuid.uuid4().hex[:16]}"
    password = f"pw-{uuid.uuid4().hex}"
    user = zeep_service("UserService", "1.1").CreateUser(
        username=username, email=f"{username}@example.com", role=["clerk"], password=password
    )
    return Credentials(username, password, user_id=user.id)


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
    _factory_as: Callable[..., ServiceProxy] = field(repr=False)

    def service(self, name: str) -> ServiceProxy:
        """The proxy of service `name` for this SOAP version (authenticated as the admin)."""
        return self._factory(name, self.version)

    def service_as(self, name: str, wsse=None) -> ServiceProxy:
        """The proxy of service `name` for this SOAP version sending `wsse` (None: no
        WS-Security header) instead of the admin's UsernameToken."""
        return self._factory_as(name, self.version, wsse)

    @property
    def proxy(self) -> ServiceProxy:
        """The UserService proxy for this SOAP version."""
        return self.service("UserService")


@pytest.fixture(params=SOAP_VERSIONS, ids=["soap11", "soap12"])
def soap(request, zeep_service, zeep_service_as) -> Soap:
    if request.param == "1.1":
        return Soap(
            version="1.1",
            envelope_ns="http://schemas.xmlsoap.org/soap/envelope/",
            content_type="text/xml; charset=utf-8",
            client_fault_code="soap:Client",
            _factory=zeep_service,
            _factory_as=zeep_service_as,
        )
    return Soap(
        version="1.2",
        envelope_ns="http://www.w3.org/2003/05/soap-envelope",
        content_type="application/soap+xml; charset=utf-8",
        client_fault_code="env:Sender",
        _factory=zeep_service,
        _factory_as=zeep_service_as,
    )


@pytest.fixture
def service(soap) -> ServiceProxy:
    """The UserService proxy of the SOAP version this test instance runs over."""
    return soap.proxy


# --- per-service shorthands of the SOAP version under test (zeep suites) ------------------


@pytest.fixture
def users(soap):
    return soap.service("UserService")


@pytest.fixture
def catalog(soap):
    return soap.service("CatalogService")


@pytest.fixture
def orders(soap):
    return soap.service("OrderService")


@pytest.fixture
def auth(soap):
    """AuthService as the admin (UsernameToken, PasswordText)."""
    return soap.service("AuthService")


@pytest.fixture(scope="session")
def catalog_client(zeep_client):
    return zeep_client("CatalogService")


@pytest.fixture(scope="session")
def orders_client(zeep_client):
    return zeep_client("OrderService")


@pytest.fixture(scope="session")
def auth_client(zeep_client):
    return zeep_client("AuthService")
