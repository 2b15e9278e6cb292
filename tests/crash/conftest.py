"""Fixtures for the crash (kill -9) suite.

`soapstone` gives a factory of real `soapstone serve` processes: each one listens on a free
loopback port (`--listen 127.0.0.1:0`) and uses the database file it is given, so the same file
can be served by one process after another. A process is stopped with `kill9()` (SIGKILL, no
chance to clean up) or `stop()` (SIGTERM, graceful). Every process still running at the end of
the test is killed.

Every operation needs credentials: `bootstrap_admin(db)` creates the admin account on a new
database file with the `soapstone user add` CLI (before the first `serve` on it) and returns its
credentials; the test sends them as a WS-Security UsernameToken. The CLI and every server get
SOAPSTONE_SECRET_KEY (a fixed test key).

The binary is $SOAPSTONE_BIN, by default target/debug/soapstone. It is hard-linked (or copied)
once per test into the test's temporary directory, so a rebuild of target/ during the run cannot
mix two builds.

Deliberately self-contained: nothing is imported from tests/interop.
"""

import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "soapstone"

STARTUP_TIMEOUT_S = 20
SHUTDOWN_TIMEOUT_S = 10
CLI_TIMEOUT_S = 60

# The test credentials (the same as tests/interop's, kept here so that this suite stays
# self-contained). SECRET_KEY: 64 hex characters (32 bytes), for the CLI and `serve`.
ADMIN_USER = "admin"
ADMIN_PASSWORD = "soapstone-admin"
SECRET_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


def server_env() -> dict:
    return {**os.environ, "SOAPSTONE_SECRET_KEY": SECRET_KEY}

_LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXPECTED_FAULT = re.compile(
    r"client fault operation=|response failed classification=Status code: 500"
)


def _pump(stream, lines, q):
    """Drains the server's stderr so it can never block on a full pipe."""
    for raw in stream:
        line = _ANSI.sub("", raw.rstrip("\n"))
        lines.append(line)
        q.put(line)
    q.put(None)  # EOF: the process closed stderr (it is exiting)


class ServerProcess:
    """One `soapstone serve` process on `db`."""

    def __init__(self, binary: Path, db: Path, log: list):
        self.binary = binary
        self.db = db
        self.log = log  # stderr lines of every process on this database, in order
        self.process = None
        self.port = None

    def start(self) -> "ServerProcess":
        self.log.append(f"---- start {self.binary.name} serve --db {self.db}")
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--listen", "127.0.0.1:0", "--db", str(self.db)],
            env=server_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        lines = queue.Queue()
        threading.Thread(
            target=_pump, args=(self.process.stderr, self.log, lines), daemon=True
        ).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while self.port is None:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0))
            except queue.Empty:
                self.kill9()
                pytest.fail(
                    f"server did not log 'listening on http://127.0.0.1:PORT' within "
                    f"{STARTUP_TIMEOUT_S} s:\n" + self.log_text()
                )
            if line is None:
                rc = self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
                pytest.fail(f"server exited with {rc} before listening:\n" + self.log_text())
            match = _LISTENING.search(line)
            if match:
                self.port = int(match.group(1))
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        """SIGKILL: the process dies wherever it is, with no cleanup at all."""
        if self.running:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
            self.log.append(f"---- killed with SIGKILL (rc {self.process.returncode})")

    def stop(self) -> int:
        """SIGTERM and wait; returns the exit code (SIGKILL if it does not stop in time)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            rc = self.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill9()
            pytest.fail(
                f"server did not stop within {SHUTDOWN_TIMEOUT_S} s of SIGTERM:\n"
                + self.log_text()
            )
        self.log.append(f"---- stopped with SIGTERM (rc {rc})")
        return rc

    def log_text(self, last: int = 80) -> str:
        """The last lines of the log, without the two lines each expected fault adds."""
        lines = [line for line in self.log if not _EXPECTED_FAULT.search(line)]
        return "\n".join(lines[-last:])


@pytest.fixture
def soapstone_binary(tmp_path) -> Path:
    source = Path(os.environ.get("SOAPSTONE_BIN", DEFAULT_BIN))
    if not source.is_file():
        pytest.fail(f"server binary not found: {source} (build it or set SOAPSTONE_BIN)")
    copy = tmp_path / "bin" / "soapstone"
    copy.parent.mkdir()
    try:
        # A hard link pins this build: cargo and the linkers replace the file, never rewrite it.
        os.link(source, copy)
    except OSError:
        shutil.copy2(source, copy)
    return copy


@pytest.fixture
def bootstrap_admin(soapstone_binary):
    """`bootstrap_admin(db)`: creates the admin (role admin, password ADMIN_PASSWORD) on the
    database file `db` with `soapstone user add`, before any server runs on it; returns its
    credentials."""

    def bootstrap(db: Path) -> Credentials:
        argv = [str(soapstone_binary), "user", "add", "--db", str(db), "--role", "admin",
                ADMIN_USER]
        try:
            done = subprocess.run(
                argv,
                input=ADMIN_PASSWORD + "\n",
                env=server_env(),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=CLI_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{' '.join(argv)} did not finish within {CLI_TIMEOUT_S} s")
        if done.returncode != 0:
            pytest.fail(f"{' '.join(argv)} exited with {done.returncode}:\n"
                        f"{done.stdout}{done.stderr}")
        return Credentials(ADMIN_USER, ADMIN_PASSWORD)

    return bootstrap


@pytest.fixture
def soapstone(soapstone_binary):
    """`soapstone(db, log)` starts a server on `db`, appending its stderr to `log`."""
    started = []

    def start(db: Path, log: list) -> ServerProcess:
        server = ServerProcess(soapstone_binary, db, log)
        started.append(server)
        return server.start()

    yield start

    for server in started:
        if server.running:
            server.kill9()
