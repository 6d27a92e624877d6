"""Arguments: ``UNSET`` read as None, and the ranges every moment and window argument must keep.

Scores are decayed sums kept against 2020-01-01 (``graphsvc.scores``), so a moment centuries away
overflows the arithmetic; moments and windows are checked here, once, at the API's edge.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TypeVar

import dateutil.parser
from strawberry import UNSET
from strawberry.schema.types.base_scalars import DateTimeDefinition, wrap_parser
from strawberry.types.scalar import ScalarDefinition

from graphsvc.errors import InvalidInput

__all__ = ["EARLIEST", "LATEST", "MAX_WINDOW_DAYS", "BoundedDateTime", "given", "window"]

T = TypeVar("T")

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
MAX_WINDOW_DAYS = 3650


def _moment(text: str) -> datetime:
    moment = dateutil.parser.isoparse(text)
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if not EARLIEST <= aware < LATEST:
        raise ValueError(f"a moment must lie from {EARLIEST:%Y-%m-%d} to before {LATEST:%Y-%m-%d}")
    return moment


# strawberry's DateTime, refusing moments outside the supported range as it refuses malformed ones.
BoundedDateTime: ScalarDefinition = dataclasses.replace(
    DateTimeDefinition, parse_value=wrap_parser(_moment, "DateTime")
)


def window(days: int | None, default: int = 90) -> int:
    """A ``windowDays`` argument: ``default`` when omitted, else whole days from 1 to ten years.

    Raises
    ------
    InvalidInput
        The window is shorter than a day or longer than :data:`MAX_WINDOW_DAYS`.
    """
    days = default if days is None else days
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise InvalidInput(f"windowDays must lie from 1 to {MAX_WINDOW_DAYS}, got {days}")
    return days


def given(value: T | None) -> T | None:
    """The argument's value, or None when the query left it out.

    Optional arguments default to ``UNSET`` rather than None so the served schema prints them
    without ``= null``, exactly as the contract does.
    """
    return None if value is UNSET else value
