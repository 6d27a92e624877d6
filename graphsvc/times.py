"""The range of times graphsvc works with, and reading stored times that may lie outside it.

Scores are decayed sums kept against 2020-01-01 (``graphsvc.scores``), so a moment centuries
away overflows the arithmetic, and Python's datetimes end at years 1 and 9999. Imported times
and moment arguments are therefore checked against one range; a stored time outside it (written
before that check, or by another tool) reads as unknown instead of failing the read.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["EARLIEST", "LATEST", "in_range", "stored_time"]

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_EARLIEST_MS = int(EARLIEST.timestamp() * 1000)
_LATEST_MS = int(LATEST.timestamp() * 1000)


def in_range(moment: datetime) -> bool:
    """True when ``moment`` (aware, any offset) lies from :data:`EARLIEST` to before :data:`LATEST`."""
    try:
        return EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:  # the offset moves it past year 1 or 9999
        return False


def stored_time(millis: int | float | None) -> datetime | None:
    """A stored time (epoch milliseconds, as ``.epochMillis`` returns it) in UTC; None outside the range."""
    if not isinstance(millis, int | float) or not _EARLIEST_MS <= millis < _LATEST_MS:
        return None
    return datetime.fromtimestamp(millis / 1000.0, UTC)
