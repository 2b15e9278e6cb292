"""The client quickstarts in docs/clients/ work exactly as their pages show them.

Each runnable page (zeep, PHP SoapClient, node-soap, JAX-WS wsimport) shows its code as
fenced blocks, each right after a marker line naming the file it shows:

    <!-- example: examples/zeep/quickstart.py -->

and the commands to run it as `sh` blocks after `<!-- run -->` (for JAX-WS also one after
`<!-- run: build -->`: wsimport and javac). The first test checks that every marked block is
byte for byte the file it names and that every file of the page's example folder is shown, so
the page cannot drift from the code. The others copy the page's example folder to a temporary
directory and run the page's own `sh` blocks there, against the session's server, with the
environment the pages document (SOAPSTONE_URL, SOAPSTONE_USERNAME, SOAPSTONE_PASSWORD: the
admin of conftest.py). Every quickstart calls GetUser over SOAP 1.1 and then over 1.2: its own
record, a missing user (typed UserNotFoundFault detail) and a wrong password
(wsse:FailedAuthentication); the output must be those three lines for each version.

The JAX-WS build (wsimport from the live ?wsdl, then javac) runs once per session; its
duration is printed (-s or -rA shows it). A missing tool (php with ext-soap, node with the
pinned node-soap, wsimport, javac, java) fails the test; it is never skipped.
tests/interop/run.sh installs them all.
"""

import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from _client_script import run_bounded
from conftest import REPO_ROOT
from test_node import NODE_DIR, find_node
from test_php import find_php

DOCS = REPO_ROOT / "docs" / "clients"
# Page -> its example folder (under docs/clients/examples/).
PAGES = {
    "zeep.md": "zeep",
    "php.md": "php",
    "node-soap.md": "node-soap",
    "jaxws.md": "jaxws",
}
# What following a page leaves in its example folder (a venv, npm install, the JAX-WS build):
# not example files, never copied (also in .gitignore).
LOCAL_INSTALLS = (
    ".venv",
    "__pycache__",
    "node_modules",
    "package.json",
    "package-lock.json",
    "build",
)

WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
_MARKER = re.compile(r"^<!--\s*(example|run)(?::\s*(\S+))?\s*-->$")
_FENCE = re.compile(r"^```(\S*)\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page and the marker line right above it (if any)."""

    kind: Optional[str]  # "example", "run" or None (no marker)
    arg: Optional[str]  # the example's path, or the run block's name ("build")
    language: str
    text: str  # the block's lines, each ending with a newline
    line: int  # where the block starts on the page (1-based)


def page_blocks(page: Path) -> list:
    """The fenced code blocks of `page`, in order."""
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks, i = [], 0
    while i < len(lines):
        fence = _FENCE.match(lines[i].rstrip("\n"))
        if not fence:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and lines[i].rstrip("\n") != "```":
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"{page.name}:{start + 1}: code block never closed"
        above = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        marker = _MARKER.match(above)
        kind, arg = (marker.group(1), marker.group(2)) if marker else (None, None)
        blocks.append(Block(kind, arg, fence.group(1), "".join(body), start + 1))
        i += 1
    return blocks


def run_blocks(page: str, name: Optional[str] = None) -> list:
    """The `sh` blocks of `page` marked `<!-- run -->` (or `<!-- run: NAME -->`)."""
    found = [b for b in page_blocks(DOCS / page) if b.kind == "run" and b.arg == name]
    assert found, f"{page} has no <!-- run{': ' + name if name else ''} --> block"
    for block in found:
        assert block.language == "sh", f"{page}:{block.line}: a run block must be ```sh"
    return found


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_page_shows_every_example_file_verbatim(page):
    folder = DOCS / "examples" / PAGES[page]
    shown = {}
    for block in page_blocks(DOCS / page):
        if block.kind != "example":
            continue
        path = DOCS / block.arg
        assert path.is_file(), f"{page}:{block.line}: {block.arg} does not exist"
        assert block.text == path.read_text(encoding="utf-8"), (
            f"{page}:{block.line}: the block differs from {block.arg}; the page must show the "
            "file exactly as it is"
        )
        shown[path.resolve()] = block.line
    files = {
        p.resolve()
        for p in folder.rglob("*")
        if p.is_file() and not set(p.relative_to(folder).parts) & set(LOCAL_INSTALLS)
    }
    assert files, f"{folder} has no example files"
    assert set(shown) == files, (
        f"{page} must show every file of {folder.relative_to(REPO_ROOT)}: "
        f"not shown {sorted(str(p) for p in files - set(shown))}, "
        f"not in the folder {sorted(str(p) for p in set(shown) - files)}"
    )


# --- running the pages' commands -------------------------------------------------------------


def expected_output(admin) -> list:
    """What every quickstart prints for one SOAP version when run as `admin`, as patterns of
    whole lines. The security code is the QName as the client reports it: `wsse:...` as sent,
    or resolved."""
    code = rf"(wsse:|\{{{re.escape(WSSE_NS)}\}})FailedAuthentication"
    return [
        rf"GetUser: id={admin.user_id} username={re.escape(admin.username)} roles=admin",
        r"UserNotFoundFault: username=nobody message=\S.*",
        rf"wrong password: {code}",
    ]


def run_shell(block: Block, cwd: Path, env: dict, label: str) -> str:
    """Runs a page's `sh` block in `cwd` (stopping at its first failing command); returns its
    standard output. Fails the test when it fails or does not finish in time."""
    done = run_bounded(["sh", "-e", "-c", block.text], cwd, label, env)
    assert done.returncode == 0, (
        f"{label} exited with {done.returncode}:\n{block.text}\n{done.stdout}{done.stderr}"
    )
    return done.stdout


def require(tool: str, install: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: install {install} (tests/interop/run.sh does)")
    return path


@pytest.fixture(scope="session")
def quickstart_env(server, admin):
    """The environment the pages document (added to ours), pointing at the session's server.
    The venv's python comes first on PATH (the zeep page runs `python`), and node finds the
    node-soap pinned in tests/interop/node (the page has the reader install it with npm)."""
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "NODE_PATH": str(NODE_DIR / "node_modules"),
        "SOAPSTONE_URL": server.base_url,
        "SOAPSTONE_USERNAME": admin.username,
        "SOAPSTONE_PASSWORD": admin.password,
    }


def example_copy(tmp_path_factory, page: str) -> Path:
    """A fresh copy of the page's example folder, where its commands run."""
    target = tmp_path_factory.mktemp(PAGES[page]) / PAGES[page]
    shutil.copytree(
        DOCS / "examples" / PAGES[page], target, ignore=shutil.ignore_patterns(*LOCAL_INSTALLS)
    )
    return target


@pytest.fixture(scope="session")
def jaxws_build(tmp_path_factory, quickstart_env):
    """The JAX-WS page's build block (wsimport from the live WSDL, javac), run once per
    session; the folder it built in."""
    require("wsimport", "jaxws (Debian; it brings libjaxws-java)")
    require("javac", "openjdk-17-jdk-headless")
    require("java", "openjdk-17-jdk-headless")
    folder = example_copy(tmp_path_factory, "jaxws.md")
    started = time.monotonic()
    for block in run_blocks("jaxws.md", "build"):
        run_shell(block, folder, quickstart_env, "the JAX-WS build (jaxws.md)")
    print(f"JAX-WS build (wsimport + javac): {time.monotonic() - started:.1f} s")
    return folder


def check_page_runs(page: str, folder: Path, env: dict, admin) -> None:
    """Runs the page's run blocks in `folder`; their output must be the quickstart's three
    lines for SOAP 1.1 and then for SOAP 1.2."""
    output = "".join(run_shell(b, folder, env, f"the commands of {page}") for b in run_blocks(page))
    lines = output.strip().splitlines()
    patterns = expected_output(admin) * 2
    assert len(lines) == len(patterns), f"{page}: expected {len(patterns)} lines, got:\n{output}"
    for line, pattern in zip(lines, patterns):
        assert re.fullmatch(pattern, line), f"{page}: {line!r} does not match {pattern!r}"


def test_the_zeep_quickstart_runs_as_written(tmp_path_factory, quickstart_env, admin):
    check_page_runs("zeep.md", example_copy(tmp_path_factory, "zeep.md"), quickstart_env, admin)


def test_the_php_quickstart_runs_as_written(tmp_path_factory, quickstart_env, admin):
    find_php()
    check_page_runs("php.md", example_copy(tmp_path_factory, "php.md"), quickstart_env, admin)


def test_the_node_soap_quickstart_runs_as_written(tmp_path_factory, quickstart_env, admin):
    find_node()
    folder = example_copy(tmp_path_factory, "node-soap.md")
    check_page_runs("node-soap.md", folder, quickstart_env, admin)


def test_the_jaxws_quickstart_runs_as_written(jaxws_build, quickstart_env, admin):
    check_page_runs("jaxws.md", jaxws_build, quickstart_env, admin)
