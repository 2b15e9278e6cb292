"""The node-soap client (npm package `soap`, pinned in node/package.json and
node/package-lock.json) drives every operation of every service over SOAP 1.1 and 1.2:
tests/interop/node/client_test.js, run against the session's server.

The script authenticates as the admin (credentials from `client_script_env`, conftest.py) with
node-soap's own WSSecurity (PasswordText; one check uses PasswordDigest, one a wrong password).

node and npm must be installed (tests/interop/run.sh installs them when missing); a machine
without them fails this test (it is never skipped). node_modules is installed with `npm ci`
when it is missing.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from _client_script import run_client_script

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
SCRIPT = NODE_DIR / "client_test.js"
NPM_CI_TIMEOUT_S = 600


def find_node():
    binary = shutil.which("node")
    npm = shutil.which("npm")
    if binary is None or npm is None:
        pytest.fail("node or npm not found: install nodejs npm (tests/interop/run.sh does)")
    if not (NODE_DIR / "node_modules" / "soap" / "package.json").is_file():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT_S,
        )
        if done.returncode != 0:
            pytest.fail(f"npm ci failed in {NODE_DIR}:\n{done.stdout}{done.stderr}")
    return binary


def test_node_soap_calls_every_operation_over_soap11_and_soap12(server, client_script_env):
    node = find_node()
    passed = run_client_script(
        [node, str(SCRIPT), server.base_url], cwd=NODE_DIR, label="node-soap", env=client_script_env
    )
    assert passed >= 49
