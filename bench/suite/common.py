"""What every measure shares: scales, the machine and versions, percentiles, timing."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "BENCH_DIR",
    "DATA_ROOT",
    "SCALES",
    "Scale",
    "StatementTimer",
    "latency_summary",
    "machine",
    "now_iso",
    "peak_rss_mib",
    "percentiles",
    "versions",
]

BENCH_DIR = Path(__file__).resolve().parent.parent
DATA_ROOT = BENCH_DIR / ".data"  # git-ignored: generated CSV and built databases


@dataclass(frozen=True)
class Scale:
    """One data scale: ``graphsvc generate`` arguments and the totals they give.

    ``contacts + leads`` per account is 10, so persons are ten times the accounts (the generator's
    default 10 + 5 would give fifteen); contacts stay twice the leads, as in its default.
    """

    name: str
    accounts: int
    contacts_per_account: float = 6.67
    leads_per_account: float = 3.33
    engagements_per_account: float = 100.0
    database: bool = True  # False: compute only, no database (L)

    @property
    def persons(self) -> int:
        return round(self.contacts_per_account * self.accounts) + round(self.leads_per_account * self.accounts)

    @property
    def engagements(self) -> int:
        return round(self.engagements_per_account * self.accounts)

    def generate_arguments(self) -> dict[str, Any]:
        """Keyword arguments of :func:`graphsvc.datagen.generate` besides the directory and seed."""
        return {
            "accounts": self.accounts,
            "contacts_per_account": self.contacts_per_account,
            "leads_per_account": self.leads_per_account,
            "engagements_per_account": self.engagements_per_account,
        }


SCALES = {
    "S": Scale("S", 1_000),
    "M": Scale("M", 10_000),
    "L": Scale("L", 100_000, database=False),
}


def now_iso() -> str:
    """The current time, UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _memory_gib() -> float:
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return float("nan")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, kernel and the load when the run started (others share the machine)."""
    return {
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "cpu": _cpu_model(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    """Versions of Python and of the packages whose speed the figures depend on."""
    found = {"python": platform.python_version()}
    for package in (
        "graphsvc",
        "neo4j",
        "neo4j-rust-ext",
        "arcadedb-embedded",
        "numpy",
        "scipy",
        "networkx",
        "strawberry-graphql",
        "uvicorn",
        "httpx",
    ):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def percentiles(samples: Sequence[float], points: Sequence[float] = (50, 95, 99)) -> dict[str, float]:
    """``p50``, ``p95``, ... of ``samples`` (linear interpolation), NaN for no samples."""
    if not samples:
        return {f"p{p:g}": float("nan") for p in points}
    values = np.percentile(np.asarray(samples, dtype=np.float64), points)
    return {f"p{p:g}": float(v) for p, v in zip(points, values, strict=True)}


def latency_summary(seconds: Sequence[float]) -> dict[str, Any]:
    """Count, mean, max and p50/p95/p99 of latencies given in seconds, reported in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    summary: dict[str, Any] = {f"{name}_ms": round(v, 2) for name, v in percentiles(ms).items()}
    summary["count"] = len(ms)
    summary["mean_ms"] = round(float(np.mean(ms)), 2) if ms else float("nan")
    summary["max_ms"] = round(max(ms), 2) if ms else float("nan")
    return summary


def peak_rss_mib() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class StatementTimer:
    """Times every statement graphsvc's :class:`Database` runs in this process, while in the block.

    Wraps ``Database._execute`` (the one place every call passes), so a whole-graph recompute can
    say which statement took how long; the wrapper is removed on exit.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}

    def __enter__(self) -> StatementTimer:
        from graphsvc.store.database import Database

        self._original = Database._execute
        original = self._original
        timings = self.seconds

        async def timed(db: Database, label: str, work: Any, **options: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(db, label, work, **options)
            finally:
                timings.setdefault(label, []).append(time.perf_counter() - started)

        Database._execute = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc_info: object) -> None:
        from graphsvc.store.database import Database

        Database._execute = self._original  # type: ignore[method-assign]

    def slowest(self, top: int = 8) -> list[dict[str, Any]]:
        """The statements with the longest single call: name, calls, longest and total seconds."""
        ranked = sorted(self.seconds.items(), key=lambda item: max(item[1]), reverse=True)[:top]
        return [
            {"statement": name, "calls": len(times), "max_s": round(max(times), 3), "total_s": round(sum(times), 3)}
            for name, times in ranked
        ]
