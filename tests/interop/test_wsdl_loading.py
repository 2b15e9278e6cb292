"""Every code generator and client still loads every WSDL the server serves, with the WS-Policy
assertions of each kind of address (README, "WS-Policy"): plain HTTP (`server`), HTTPS
(`tls_server`) and HTTPS requiring client certificates (`mtls_server`), in both views, `?wsdl`
and `?wsdl&soap=1.1`.

The `served` fixture fetches each service's two views and the schemas they import from a
server (over TLS with the test CA, and with the admin's client certificate for mTLS) into a
folder of its own, with only the schema locations changed to the local file names, so that
every tool reads the documents as served without needing the TLS settings of each: zeep, suds,
PHP's SoapClient and node-soap load each file and must show every operation of every binding
(or port) the file declares; gSOAP's wsdl2h reads each view's five WSDLs into one header and
soapcpp2 must make a proxy class for each binding; the JAX-WS RI's wsimport (through its
WsimportTool, `jaxws/WsimportEach.java`, in one JVM) must generate each service's class with
each port. A missing tool fails the test; it is never skipped (tests/interop/run.sh installs
them all).
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import suds.client
from lxml import etree
from zeep import Client
from zeep.transports import Transport

from _client_script import run_bounded
from test_gsoap import GSOAP_DIR, require_gsoap
from test_node import NODE_DIR, find_node
from test_php import find_php

HERE = Path(__file__).resolve().parent
WSIMPORT_EACH = HERE / "jaxws" / "WsimportEach.java"
JAXWS_TOOLS = Path("/usr/share/jaxws/lib/jaxws-tools.jar")

SERVICES = {
    "UserService": "/services/UserService",
    "CatalogService": "/services/CatalogService",
    "OrderService": "/services/OrderService",
    "AuthService": "/services/AuthService",
    "BenchService": "/bench",
}
VIEWS = {"wsdl": "?wsdl", "soap11": "?wsdl&soap=1.1"}
ADDRESSES = ("http", "https", "https-client-certificate")

WSDL = "http://schemas.xmlsoap.org/wsdl/"
_SCHEMA_LOCATION = re.compile(r'schemaLocation="[^"]*\?xsd=([A-Za-z0-9_.-]+)"')


@dataclass(frozen=True)
class Served:
    """The documents of one kind of address, fetched into `folder`: `<Service>.<view>.wsdl`
    for every service and view, and the schemas."""

    address: str
    folder: Path

    def wsdl(self, service: str, view: str) -> Path:
        return self.folder / f"{service}.{view}.wsdl"

    def view(self, view: str) -> list:
        return [self.wsdl(service, view) for service in SERVICES]

    @property
    def every_wsdl(self) -> list:
        return [self.wsdl(s, v) for s in SERVICES for v in VIEWS]


def localized(document: str) -> str:
    """`document` with its schema locations naming the schema files beside it."""
    return _SCHEMA_LOCATION.sub(r'schemaLocation="\1"', document)


def fetch_all(base_url: str, folder: Path, session: requests.Session) -> None:
    """Fetches every WSDL view of every service, and each schema they import, into `folder`."""
    schemas = set()
    for service, path in SERVICES.items():
        for view, query in VIEWS.items():
            reply = session.get(base_url + path + query, timeout=30)
            assert reply.status_code == 200, f"{path}{query}: {reply.status_code}"
            schemas.update(
                (path, name) for name in _SCHEMA_LOCATION.findall(reply.text)
            )
            (folder / f"{service}.{view}.wsdl").write_text(localized(reply.text), "utf-8")
    fetched = set()
    while schemas - fetched:
        path, name = sorted(schemas - fetched)[0]
        fetched.add((path, name))
        reply = session.get(f"{base_url}{path}?xsd={name}", timeout=30)
        assert reply.status_code == 200, f"{path}?xsd={name}: {reply.status_code}"
        schemas.update((path, imported) for imported in _SCHEMA_LOCATION.findall(reply.text))
        (folder / name).write_text(localized(reply.text), "utf-8")


@pytest.fixture(scope="module", params=ADDRESSES)
def served(request, tmp_path_factory, tls_pki) -> Served:
    session = requests.Session()
    session.trust_env = False
    if request.param == "http":
        server = request.getfixturevalue("server")
    elif request.param == "https":
        server = request.getfixturevalue("tls_server")
        session.verify = str(tls_pki.ca)
    else:
        server = request.getfixturevalue("mtls_server")
        session.verify = str(tls_pki.ca)
        session.cert = (str(tls_pki.client_cert), str(tls_pki.client_key))
    folder = tmp_path_factory.mktemp(f"served-{request.param}")
    fetch_all(server.base_url, folder, session)
    return Served(request.param, folder)


def bindings_of(wsdl: Path) -> dict:
    """Binding name -> the names of its operations, as the WSDL file declares them."""
    tree = etree.parse(str(wsdl))
    return {
        binding.get("name"): sorted(op.get("name") for op in binding.findall(f"{{{WSDL}}}operation"))
        for binding in tree.getroot().findall(f"{{{WSDL}}}binding")
    }


def ports_of(wsdl: Path) -> dict:
    """Port name -> the names of its binding's operations."""
    tree = etree.parse(str(wsdl))
    bindings = bindings_of(wsdl)
    return {
        port.get("name"): bindings[port.get("binding").split(":")[-1]]
        for port in tree.getroot().iter(f"{{{WSDL}}}port")
    }


def test_zeep_loads_every_wsdl(served):
    for wsdl in served.every_wsdl:
        client = Client(str(wsdl), transport=Transport(cache=None))
        loaded = {
            qname.split("}")[-1]: sorted(binding.all())
            for qname, binding in client.wsdl.bindings.items()
        }
        assert loaded == bindings_of(wsdl), f"{served.address} {wsdl.name}"


def test_suds_loads_every_wsdl(served):
    for wsdl in served.every_wsdl:
        client = suds.client.Client(wsdl.as_uri(), cache=None)
        loaded = {port.name: sorted(port.methods) for port in client.wsdl.services[0].ports}
        assert loaded == ports_of(wsdl), f"{served.address} {wsdl.name}"


PHP_LOADER = r"""
$loaded = [];
foreach (array_slice($argv, 1) as $path) {
    $client = new SoapClient($path, ['cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true]);
    $names = [];
    foreach ($client->__getFunctions() as $signature) {
        preg_match('/\s(\w+)\(/', $signature, $m);
        $names[$m[1]] = true;
    }
    $loaded[$path] = array_keys($names);
}
echo json_encode($loaded);
"""


def test_php_soapclient_loads_every_wsdl(served):
    php = find_php()
    paths = [str(p) for p in served.every_wsdl]
    done = run_bounded(
        [php, "-d", "soap.wsdl_cache_enabled=0", "-r", PHP_LOADER, *paths],
        served.folder,
        f"PHP SoapClient ({served.address})",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    loaded = json.loads(done.stdout)
    for path in paths:
        operations = {op for ops in bindings_of(Path(path)).values() for op in ops}
        assert sorted(loaded[path]) == sorted(operations), f"{served.address} {path}"


NODE_LOADER = r"""
const soap = require('soap');
(async () => {
    const loaded = {};
    for (const path of process.argv.slice(1)) {
        const client = await soap.createClientAsync(path);
        const ports = {};
        for (const service of Object.values(client.describe())) {
            for (const [port, operations] of Object.entries(service)) {
                ports[port] = Object.keys(operations).sort();
            }
        }
        loaded[path] = ports;
    }
    console.log(JSON.stringify(loaded));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def test_node_soap_loads_every_wsdl(served):
    node = find_node()
    paths = [str(p) for p in served.every_wsdl]
    done = run_bounded(
        [node, "-e", NODE_LOADER, *paths], NODE_DIR, f"node-soap ({served.address})"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    loaded = json.loads(done.stdout)
    for path in paths:
        assert loaded[path] == ports_of(Path(path)), f"{served.address} {path}"


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_gsoap_wsdl2h_and_soapcpp2_load_every_wsdl(served, view, tmp_path):
    require_gsoap()
    wsdls = served.view(view)
    header = tmp_path / "soapstone.h"
    for argv in (
        ["wsdl2h", "-Nsrv", "-t", str(GSOAP_DIR / "typemap.dat"), "-o", str(header),
         *map(str, wsdls)],
        ["soapcpp2", "-j", "-C", "-L", "-x", "-I/usr/share/gsoap/import", str(header)],
    ):
        done = run_bounded(argv, tmp_path, f"{argv[0]} ({served.address}, {view})")
        assert done.returncode == 0, done.stdout + done.stderr
    bindings = {binding for wsdl in wsdls for binding in bindings_of(wsdl)}
    proxies = {p.name[len("soap"):-len("Proxy.h")] for p in tmp_path.glob("soap*Proxy.h")}
    assert proxies == bindings, f"{served.address} {view}"


def test_jaxws_wsimport_loads_every_wsdl(served, tmp_path):
    java = shutil.which("java")
    if java is None or not JAXWS_TOOLS.is_file():
        pytest.fail(
            "java or the JAX-WS RI tools not found: install openjdk-17-jdk-headless jaxws "
            "(tests/interop/run.sh does)"
        )
    wsdls = served.every_wsdl
    done = run_bounded(
        [java, "-cp", str(JAXWS_TOOLS), str(WSIMPORT_EACH), str(tmp_path), *map(str, wsdls)],
        tmp_path,
        f"wsimport ({served.address})",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for index, wsdl in enumerate(wsdls, start=1):
        service = wsdl.name.split(".")[0]
        generated = list((tmp_path / str(index)).rglob(f"{service}.java"))
        assert len(generated) == 1, f"{served.address} {wsdl.name}: {generated}"
        text = generated[0].read_text("utf-8")
        ports = set(re.findall(r'@WebEndpoint\(name = "(\w+)"\)', text))
        assert ports == set(ports_of(wsdl)), f"{served.address} {wsdl.name}"
