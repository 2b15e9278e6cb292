"""A gSOAP 2.8 C++ client, generated from the WSDLs the session's server serves, calls one
operation of each service over SOAP 1.1 and over SOAP 1.2: tests/interop/gsoap/.

gsoap/build.sh runs wsdl2h over the four services' `?wsdl` into one header, soapcpp2 (proxy
classes per binding) and g++ (with the gSOAP wsse plugin), once per session, in a temporary
directory; gsoap/client_test.cpp is the client. It authenticates as the admin (credentials from
`client_script_env`, conftest.py) with the plugin's UsernameToken (PasswordText, and
PasswordDigest with the digest secret), checks the values it gets back, a UserNotFoundFault
with its detail and a wrong password's wsse:FailedAuthentication, and prints one line per check
(run by `_client_script.run_client_script`).

The SOAP 1.2 proxies are stock: they send gSOAP's default action for `soapActionRequired=
"false"`, `{targetNamespace}/{portType}/{operation}`. gsoap, libgsoap-dev, g++, pkg-config,
libssl-dev and zlib1g-dev are Debian packages that tests/interop/run.sh installs; a machine
without them fails these tests (they are never skipped).

docs/clients/gsoap.md, the C++ quickstart, quotes these very files: the last test checks that
each of its code blocks is one of them (or a part of one), word for word.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from _client_script import run_client_script

HERE = Path(__file__).resolve().parent
GSOAP_DIR = HERE / "gsoap"
BUILD_SCRIPT = GSOAP_DIR / "build.sh"
REPO_ROOT = HERE.parents[1]
PAGE = REPO_ROOT / "docs" / "clients" / "gsoap.md"
BUILD_TIMEOUT_S = 600
CHECKS_PER_VERSION = 10
TOOLS = ("wsdl2h", "soapcpp2", "g++", "pkg-config")


def require_gsoap():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing and subprocess.run(
        ["pkg-config", "--exists", "gsoapssl++", "openssl", "zlib"], capture_output=True
    ).returncode != 0:
        missing.append("the gsoapssl++, openssl and zlib pkg-config modules")
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: install gsoap libgsoap-dev g++ pkg-config "
            "libssl-dev zlib1g-dev (tests/interop/run.sh does)"
        )


@pytest.fixture(scope="session")
def gsoap_client(server, tmp_path_factory) -> Path:
    """The client binary, built once per session from the server's WSDLs."""
    require_gsoap()
    build = tmp_path_factory.mktemp("gsoap")
    try:
        done = subprocess.run(
            ["bash", str(BUILD_SCRIPT), server.base_url, str(build)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=BUILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{BUILD_SCRIPT} did not finish within {BUILD_TIMEOUT_S} s")
    if done.returncode != 0:
        pytest.fail(f"{BUILD_SCRIPT} exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    return build / "client_test"


@pytest.mark.parametrize("version", ["1.1", "1.2"], ids=["soap11", "soap12"])
def test_gsoap_proxies_call_each_service(server, gsoap_client, client_script_env, version):
    passed = run_client_script(
        [str(gsoap_client), server.base_url, version],
        cwd=gsoap_client.parent,
        label=f"gSOAP client (SOAP {version})",
        env=client_script_env,
    )
    assert passed == CHECKS_PER_VERSION


# A fenced block of the page, right after the comment saying what it quotes.
_QUOTE = re.compile(r"<!-- (file|excerpt): (\S+) -->\n```[a-z]*\n(.*?)^```$", re.S | re.M)


def test_gsoap_quickstart_page_quotes_the_files_the_test_builds():
    page = PAGE.read_text(encoding="utf-8")
    quotes = _QUOTE.findall(page)
    assert len(quotes) == page.count("\n```") // 2, (
        f"{PAGE}: every code block must follow <!-- file: PATH --> or <!-- excerpt: PATH -->"
    )
    whole = set()
    for kind, path, block in quotes:
        text = (REPO_ROOT / path).read_text(encoding="utf-8")
        if kind == "file":
            assert block == text, f"{PAGE}: the block quoting {path} differs from the file"
            whole.add(path)
        else:
            assert ("\n" + text).find("\n" + block) >= 0, (
                f"{PAGE}: an excerpt of {path} is not in the file:\n{block}"
            )
    sources = {str(p.relative_to(REPO_ROOT)) for p in GSOAP_DIR.iterdir() if p.is_file()}
    assert whole == sources, f"{PAGE} must quote each of {sorted(sources)} whole"
