"""The ranges of values graphsvc accepts, and reading stored values that may lie outside them.

Scores are decayed sums kept against 2020-01-01 (``graphsvc.scores``), so a moment centuries
away overflows the arithmetic, and Python's datetimes end at years 1 and 9999; GraphQL's ``Int``
is 32 bits and its ``Float`` finite. Imported values and arguments are checked against these
ranges. A stored value outside them (written before the checks, or by another tool) reads as
unknown (None) instead of failing the read.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

__all__ = ["EARLIEST", "LATEST", "MAX_INT", "in_range", "stored_float", "stored_int", "stored_time"]

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_INT = 2**31 - 1
_EARLIEST_MS = int(EARLIEST.timestamp() * 1000)
_LATEST_MS = int(LATEST.timestamp() * 1000)


def in_range(moment: datetime) -> bool:
    """True when ``moment`` (aware, any offset) lies from :data:`EARLIEST` to before :data:`LATEST`."""
    try:
        return EARLIEST <= moment.astimezone(UTC) < LATEST
    except OverflowError:  # the offset moves it past year 1 or 9999
        return False


def stored_time(millis: object) -> datetime | None:
    """A stored time (epoch milliseconds, as ``.epochMillis`` returns it) in UTC; None outside the range."""
    if not _is_number(millis) or not _EARLIEST_MS <= millis < _LATEST_MS:  # type: ignore[operator]
        return None
    return datetime.fromtimestamp(millis / 1000.0, UTC)  # type: ignore[operator]


def stored_int(value: object) -> int | None:
    """A stored integer a GraphQL ``Int`` can answer; None for another value or type."""
    answerable = isinstance(value, int) and not isinstance(value, bool) and -MAX_INT - 1 <= value <= MAX_INT
    return value if answerable else None  # type: ignore[return-value]


def stored_float(value: object) -> float | None:
    """A stored number a GraphQL ``Float`` can answer (finite); None for another value or type."""
    return float(value) if _is_number(value) and math.isfinite(value) else None  # type: ignore[arg-type]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
