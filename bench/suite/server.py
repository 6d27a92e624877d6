"""The real server under load: ``graphsvc serve`` in a child process, and py-spy beside it when asked.

Started as the tests start it (:mod:`graphsvc.testing`): a free loopback port, its own data directory,
one worker; here also no API keys (open mode, loopback only) and the SLA sweep off, so that only the
load talks to the database.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType

import httpx

from graphsvc import testing

__all__ = ["Profiler", "ServeProcess"]


class ServeProcess(testing.ServeProcess):
    """``graphsvc serve`` on ``data_dir`` (see :class:`graphsvc.testing.ServeProcess`): open mode on loopback, the
    SLA sweep and the per-client rate limit off (the load generator is one client); a context manager that waits
    until it is ready and stops it."""

    def __init__(self, data_dir: Path, heap: str, log: Path) -> None:
        environment = {
            "GRAPHSVC_SLA_SWEEP_SECONDS": "0",
            "GRAPHSVC_API_KEYS": "",
            "GRAPHSVC_RATE_LIMIT_PER_SECOND": "0",
        }
        super().__init__(data_dir, "--host", "127.0.0.1", env=environment, log=log, heap=heap, start_timeout=180.0)

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
            [
                str(spy),
                "record",
                "--pid",
                str(self.pid),
                "--format",
                "raw",
                "--rate",
                "100",
                "--nonblocking",
                "--output",
                str(self.out),
            ],
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
