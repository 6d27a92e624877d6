"""Progress of the long commands (import, generate, recompute, export) that tells the truth.

Each task counts what it has done, knows its total when one can be had up front, and shows the
rate and the time left: a live tqdm bar on a terminal, otherwise (piped to a file, under a service
manager) one line every few seconds, formatted by tqdm's own meter so both say the same. When a
task ends it leaves a :class:`TaskSummary`; the command prints it and, with ``--json``, all of them
as one document.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

__all__ = ["Progress", "Task", "TaskSummary", "data_lines"]

_KNOWN_TOTAL = "{desc}: {n_fmt}/{total_fmt} {unit} ({percentage:.0f}%), {rate_fmt}, {remaining} left"
_NO_TOTAL = "{desc}: {n_fmt} {unit}, {rate_fmt}"
_CHUNK = 1 << 20


def data_lines(path: Path) -> int:
    """Lines of a CSV (less its header) or NDJSON file that may hold a row: a cheap total up front.

    Counts line breaks in binary chunks (about a second per GB). Blank lines and quoted line breaks
    count too, so the total can run a little high; the task's summary gives the rows really read.
    """
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    lines += last != b"\n"  # a last line without its line break
    return max(0, lines - 1) if path.suffix.lower() == ".csv" else lines


@dataclass(frozen=True)
class TaskSummary:
    """What one task did: units done, its total when known, seconds and rate."""

    name: str
    done: int
    total: int | None
    seconds: float
    unit: str

    @property
    def rate(self) -> float | None:
        return self.done / self.seconds if self.seconds > 0 else None

    def line(self) -> str:
        rate = f", {self.rate:,.0f} {self.unit}/s" if self.rate is not None else ""
        return f"{self.name}: {self.done:,} {self.unit} in {self.seconds:.1f} s{rate}"

    def as_dict(self) -> dict[str, object]:
        rate = self.rate
        return {
            "name": self.name,
            self.unit: self.done,
            "total": self.total,
            "seconds": round(self.seconds, 3),
            f"{self.unit}_per_s": None if rate is None else round(rate, 1),
        }


class Task:
    """One counted piece of work: :meth:`update` adds to what is done, :meth:`reach` sets it."""

    def __init__(self, name: str, total: int | None, unit: str, stream: TextIO, live: bool, every: float) -> None:
        self.name, self.total, self.unit = name, total, unit
        self.done = 0
        self._stream, self._every = stream, every
        self._started = self._logged = time.monotonic()
        self._bar = tqdm(total=total, desc=name, unit=f" {unit}", file=stream, leave=False) if live else None
        if self._bar is None:
            self._log()  # the total, before the first row

    def update(self, count: int) -> None:
        if not count:
            return
        self.done += count
        if self._bar is not None:
            self._bar.update(count)
        elif time.monotonic() - self._logged >= self._every:
            self._log()

    def reach(self, done: int) -> None:
        self.update(done - self.done)

    def extend(self, count: int) -> None:
        """Add ``count`` to the total: work learned of on the way."""
        self.total = (self.total or 0) + count
        if self._bar is not None:
            self._bar.total = self.total
            self._bar.refresh()

    def close(self) -> TaskSummary:
        if self._bar is not None:
            self._bar.close()
        return TaskSummary(self.name, self.done, self.total, time.monotonic() - self._started, self.unit)

    def _log(self) -> None:
        self._logged = now = time.monotonic()
        meter = tqdm.format_meter(
            self.done,
            self.total,
            now - self._started,
            prefix=self.name,
            unit=self.unit,
            bar_format=_KNOWN_TOTAL if self.total else _NO_TOTAL,
        )
        print(meter, file=self._stream, flush=True)


class Progress:
    """Progress of one command's tasks.

    Parameters
    ----------
    stream
        Where progress goes (standard error: standard output carries the command's results).
    live
        A live bar (default: when ``stream`` is a terminal); otherwise log lines.
    every
        Seconds between log lines (0: at every update).
    """

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None, every: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.every = every
        self.summaries: list[TaskSummary] = []

    @contextmanager
    def task(self, name: str, total: int | None = None, unit: str = "rows") -> Iterator[Task]:
        """A task; its summary is appended to :attr:`summaries` when the block ends, also on error."""
        task = Task(name, total, unit, self.stream, self.live, self.every)
        try:
            yield task
        finally:
            self.summaries.append(task.close())
