"""A real `swiftlet serve` process on loopback, started and stopped by the test fixtures."""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REGION = "us-east-1"
ACCOUNT_ID = "000000000000"
READY_DEADLINE_SECONDS = 20.0
STOP_DEADLINE_SECONDS = 10.0


def swiftlet_binary() -> str:
    """The binary under test, from $SWIFTLET_BIN; raises with a clear message when it is unusable."""
    path = os.environ.get("SWIFTLET_BIN")
    if not path:
        raise RuntimeError(
            "SWIFTLET_BIN is not set: point it at the swiftlet binary, "
            "e.g. SWIFTLET_BIN=$PWD/.build/debug/swiftlet (make e2e sets it)"
        )
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise RuntimeError(
            f"SWIFTLET_BIN={path} is not an executable file: build it with `swift build --product swiftlet`"
        )
    return path


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    """One `swiftlet serve` child process; its stderr goes to a file so failures can show it."""

    #: Every node started and not yet forgotten, so the failure report can print their logs.
    registry: list["Node"] = []

    def __init__(self, binary: str, data_dir: Path, log_path: Path, *, log_level: str = "debug"):
        self.binary = binary
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.log_level = log_level
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self._log_file = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, *extra: str, host: str = "127.0.0.1") -> list[str]:
        return [
            self.binary, "serve",
            "--host", host,
            "--port", str(self.port),
            "--data-dir", str(self.data_dir),
            "--region", REGION,
            "--account-id", ACCOUNT_ID,
            "--log-level", self.log_level,
            *extra,
        ]

    def start(self, *extra: str, wait: bool = True) -> "Node":
        """Starts the process on a fresh free port and, unless told not to, waits until /health answers 200."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self._log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command(*extra),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=self._log_file,
        )
        Node.registry.append(self)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, deadline_seconds: float = READY_DEADLINE_SECONDS) -> None:
        """Polls /health until it answers 200; fails if the process exits or the deadline passes."""
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"swiftlet exited with code {self.process.returncode} before becoming ready:\n{self.log_text()}"
                )
            if self.health_status(timeout=0.5) == 200:
                return
            time.sleep(0.02)
        raise AssertionError(f"swiftlet did not answer /health within {deadline_seconds}s:\n{self.log_text()}")

    def health_status(self, timeout: float = 5.0) -> int | None:
        """The status of GET /health, or None when nothing answers."""
        try:
            with urllib.request.urlopen(self.endpoint + "/health", timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, deadline_seconds: float = STOP_DEADLINE_SECONDS) -> int | None:
        """Sends `sig`, waits for the exit, kills after the deadline. Returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            try:
                self.process.send_signal(sig)
                self.process.wait(timeout=deadline_seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=deadline_seconds)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.process.returncode

    def kill(self) -> int | None:
        """SIGKILL: the node gets no chance to flush or clean up."""
        return self.stop(signal.SIGKILL)

    def restart(self) -> "Node":
        """Stops gracefully and starts again on the same data directory (on a new port)."""
        self.stop()
        return self.start()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""


@atexit.register
def _kill_leftover_nodes() -> None:
    """Last resort when the run is interrupted before fixtures tear down: no node outlives pytest."""
    for node in list(Node.registry):
        if node.is_running():
            node.kill()


def run_swiftlet(
    binary: str, *args: str, env: dict | None = None, timeout: float = 30.0
) -> subprocess.CompletedProcess:
    """Runs a swiftlet subcommand to completion and captures its output."""
    return subprocess.run(
        [binary, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
