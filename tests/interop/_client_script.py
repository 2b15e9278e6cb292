"""Runs a third-party client's test script against the running server and checks its result.

The PHP and node-soap suites are scripts in their own language (php/client_test.php,
node/client_test.js): they take the server's base URL as their argument and the credentials
from the environment (SOAPSTONE_USERNAME, SOAPSTONE_PASSWORD, SOAPSTONE_DIGEST_SECRET: the
`client_script_env` fixture), print one line per check ("ok - ..." or "FAIL - ...") and
finally exactly "N passed, M failed", and exit non-zero when a check failed. This helper runs
one of them and turns that into one pytest assertion; `run_bounded` runs any command the same
way (bounded in time, its output shown), also for test_quickstarts.py.
"""

import os
import re
import subprocess

SCRIPT_TIMEOUT_S = 300
_SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def run_bounded(argv, cwd, label, env=None):
    """Runs `argv` in `cwd` with our environment plus `env`, for at most SCRIPT_TIMEOUT_S;
    prints its output (pytest shows it when the test fails, and with -s / -rA) and returns
    the CompletedProcess. A run that does not finish in time is an AssertionError."""
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=SCRIPT_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as timeout:
        raise AssertionError(
            f"{label} did not finish within {SCRIPT_TIMEOUT_S} s:\n{timeout.stdout or ''}"
        ) from None
    print(done.stdout)
    if done.stderr:
        print(done.stderr)
    return done


def run_client_script(argv, cwd, label, env=None):
    """Runs `argv` in `cwd` with our environment plus `env`; returns the number passed."""
    done = run_bounded(argv, cwd, label, env)

    lines = done.stdout.strip().splitlines()
    summary = _SUMMARY.match(lines[-1]) if lines else None
    failures = [line for line in lines if line.startswith("FAIL")]
    assert summary, f"{label}: no 'N passed, M failed' line (exit {done.returncode}):\n" + (
        done.stdout + done.stderr
    )
    passed, failed = int(summary.group(1)), int(summary.group(2))
    assert failed == 0 and not failures, f"{label}: {failed} check(s) failed:\n" + "\n".join(failures)
    assert done.returncode == 0, f"{label} exited with {done.returncode}:\n{done.stderr}"
    assert passed > 0, f"{label} ran no check"
    return passed
