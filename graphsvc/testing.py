"""``graphsvc serve`` in a child process, as the tests and the benchmarks start it.

One way for both: a free loopback port, its own data directory, the embedded database (never a
``GRAPHSVC_NEO4J_URI`` of the environment), one worker process unless the arguments say
``--workers`` (so ``/metrics`` counts the whole server), output to a log file. Needs the ``test`` extra
(httpx).
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

__all__ = ["ServeProcess", "free_port"]


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """``graphsvc serve ARGS`` on ``data_dir``; as a context manager it waits until ready and stops it.

    Parameters
    ----------
    data_dir
        The embedded database's directory.
    args
        More ``serve`` options (``--demo``, ``--workers 2``, ...).
    env
        Environment variables set over this process's.
    log
        Where its output goes; default ``serve-PORT.log`` beside ``data_dir``.
    heap, start_timeout
        ``GRAPHSVC_EMBEDDED_HEAP`` and ``GRAPHSVC_EMBEDDED_START_TIMEOUT``.
    """

    def __init__(
        self,
        data_dir: Path,
        *args: str,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        heap: str = "1g",
        start_timeout: float = 600.0,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.start_timeout = start_timeout
        environment = {
            **os.environ,
            "GRAPHSVC_DATA_DIR": str(data_dir),
            "GRAPHSVC_EMBEDDED_HEAP": heap,
            "GRAPHSVC_EMBEDDED_START_TIMEOUT": str(start_timeout),
            **(env or {}),
        }
        environment.pop("GRAPHSVC_NEO4J_URI", None)
        self.log = log or data_dir.parent / f"serve-{self.port}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        workers = () if "--workers" in args else ("--workers", "1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graphsvc", "serve", "--port", str(self.port), *workers, *args],
            env=environment,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def __enter__(self) -> ServeProcess:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until ``/readyz`` answers 200 (default bound: the database's start timeout).

        Raises
        ------
        RuntimeError
            The process exited, or was not ready in time; the message carries its log's tail.
        """
        deadline = time.monotonic() + (self.start_timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"graphsvc serve exited {self.process.returncode}:\n{self._log_tail()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"graphsvc serve not ready in time:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def graphql(self, query: str, timeout: float = 120.0, **variables: object) -> dict:
        """One GraphQL request; raises on an HTTP error status."""
        response = httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def stop(self, timeout: float = 600.0) -> bool:
        """SIGTERM, as a service manager stops it (SIGKILL after ``timeout``); True when it shut down cleanly."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return False
        # uvicorn re-raises the signal after a graceful shutdown, so -SIGTERM is a clean exit.
        return self.process.returncode in (0, -signal.SIGTERM)
