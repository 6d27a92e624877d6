"""Arguments the contract declares without a default: ``UNSET`` in Python, read as None."""

from __future__ import annotations

from typing import TypeVar

from strawberry import UNSET

__all__ = ["given"]

T = TypeVar("T")


def given(value: T | None) -> T | None:
    """The argument's value, or None when the query left it out.

    Optional arguments default to ``UNSET`` rather than None so the served schema prints them
    without ``= null``, exactly as the contract does.
    """
    return None if value is UNSET else value
