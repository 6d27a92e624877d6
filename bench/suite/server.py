"""The real server under load: ``graphsvc serve`` in a child process, and py-spy beside it when asked.

Like ``tests/conftest.py``'s ``ServeProcess``: a free loopback port, its own data directory, no API
keys (open mode, loopback only), the SLA sweep off so that only the load talks to the database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx

__all__ = ["Profiler", "ServeProcess"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """``graphsvc serve`` on ``data_dir``; a context manager that waits until it is ready and stops it."""

    def __init__(self, data_dir: Path, heap: str, log: Path) -> None:
        self.data_dir = data_dir
        self.heap = heap
        self.log = log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ServeProcess:
        environment = {
            **os.environ,
            "GRAPHSVC_DATA_DIR": str(self.data_dir),
            "GRAPHSVC_EMBEDDED_HEAP": self.heap,
            "GRAPHSVC_SLA_SWEEP_SECONDS": "0",
        }
        for name in ("GRAPHSVC_NEO4J_URI", "GRAPHSVC_API_KEYS"):
            environment.pop(name, None)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            # One worker: /metrics then counts every statement the server sends.
            [sys.executable, "-m", "graphsvc", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "1"],
            env=environment,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _wait_ready(self, timeout: float = 180.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"graphsvc serve exited {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"graphsvc serve not ready after {timeout:.0f} s; see {self.log}")

    def graphql(self, query: str, **variables: object) -> dict:
        """One GraphQL request from this process (set-up and checks, never the timed load)."""
        response = httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=120)
        response.raise_for_status()
        return response.json()

    def db_totals(self) -> tuple[int, float]:
        """Statements the server has sent and seconds spent in them, from ``/metrics``."""
        found = {}
        for line in httpx.get(f"{self.url}/metrics", timeout=10).text.splitlines():
            for name in ("graphsvc_db_statements_total", "graphsvc_db_seconds_total"):
                if line.startswith(name + " "):
                    found[name] = float(line.split()[-1])
        if len(found) != 2:
            raise RuntimeError("/metrics lacks graphsvc_db_statements_total or graphsvc_db_seconds_total")
        return int(found["graphsvc_db_statements_total"]), found["graphsvc_db_seconds_total"]

    def stop(self) -> None:
        """SIGTERM, then wait; the embedded database stops with the server."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Profiler:
    """``py-spy record`` of one process while a block runs, as collapsed stacks in ``out``.

    Sampling at 100 Hz from outside the process costs the server little; without py-spy (or
    without ptrace permission) the block runs unprofiled and :attr:`path` stays None.
    :func:`suite.profiles.summarise` turns the stacks into the hottest functions.
    """

    def __init__(self, pid: int, out: Path, enabled: bool = True) -> None:
        self.pid = pid
        self.out = out
        self.enabled = enabled
        self.path: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Profiler:
        if not self.enabled:
            return self
        spy = Path(sys.executable).with_name("py-spy")
        if not spy.exists():
            return self
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            [str(spy), "record", "--pid", str(self.pid), "--format", "raw", "--rate", "100",
             "--nonblocking", "--output", str(self.out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self.path = self.out if self.out.exists() else None
