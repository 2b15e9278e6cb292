"""PHP's own SoapClient (ext-soap) drives every operation of every service over SOAP 1.1
and 1.2: tests/interop/php/client_test.php, run against the session's server.

The script authenticates as the admin (credentials from `client_script_env`, conftest.py):
every client sends a hand-written wsse:Security UsernameToken header (ext-soap has no
WS-Security), and the script checks a PasswordDigest it computes itself and that a wrong
password is a wsse:FailedAuthentication fault.

php-cli, php-soap and php-xml are Debian packages that tests/interop/run.sh installs; a
machine without them fails this test (it is never skipped).
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from _client_script import run_client_script

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "php" / "client_test.php"


def find_php():
    binary = shutil.which("php")
    if binary is None:
        pytest.fail("php not found: install php-cli php-soap php-xml (tests/interop/run.sh does)")
    probe = subprocess.run(
        [binary, "-r", 'exit(class_exists("SoapClient") && class_exists("DOMDocument") ? 0 : 1);'],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        pytest.fail(
            "php has no SoapClient or DOMDocument: install php-soap php-xml "
            f"(tests/interop/run.sh does)\n{probe.stdout}{probe.stderr}"
        )
    return binary


def test_php_soapclient_calls_every_operation_over_soap11_and_soap12(server, client_script_env):
    php = find_php()
    passed = run_client_script(
        [php, "-d", "soap.wsdl_cache_enabled=0", str(SCRIPT), server.base_url],
        cwd=HERE / "php",
        label="PHP SoapClient",
        env=client_script_env,
    )
    assert passed >= 49
