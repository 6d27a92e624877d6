"""Relay cursor connections: ``edges { cursor node }``, ``pageInfo`` and ``totalCount`` on every list.

Cursors are opaque strings that encode a position in the list's order; ``after`` resumes just
past one. ``first`` defaults to :attr:`ApiLimits.default_page_size` and is capped at
:attr:`ApiLimits.max_page_size` (larger values are served as the cap, not refused). A page is
read with ``SKIP``/``LIMIT``, so a write between two requests can shift later items by one.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from graphsvc.errors import InvalidInput
from graphsvc.schema.limits import ApiLimits
from graphsvc.schema.loaders import Loaders

__all__ = ["Connection", "Edge", "PageInfo", "PageWindow", "decode_cursor", "encode_cursor", "slice_connection"]

NodeT = TypeVar("NodeT")

_CURSOR_PREFIX = "graphsvc:"


def encode_cursor(position: int) -> str:
    """The opaque cursor of the item at ``position`` (0-based) in a list."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The position a cursor made by :func:`encode_cursor` stands for.

    Raises
    ------
    InvalidInput
        The cursor was not made by graphsvc.
    """
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        position = int(text.removeprefix(_CURSOR_PREFIX)) if text.startswith(_CURSOR_PREFIX) else -1
    except (UnicodeError, ValueError, binascii.Error):
        position = -1
    if position < 0:
        raise InvalidInput(f"invalid cursor {cursor!r}: pass a cursor from an edge or pageInfo")
    return position


@dataclass(frozen=True)
class PageWindow:
    """Which slice of a list a connection asks for: ``SKIP offset LIMIT size``."""

    offset: int
    size: int

    @classmethod
    def of(cls, first: int | None, after: str | None, limits: ApiLimits) -> PageWindow:
        """The window of ``first`` items after the cursor ``after``; ``first`` is capped.

        Raises
        ------
        InvalidInput
            ``first`` is negative or ``after`` is not a graphsvc cursor.
        """
        if first is not None and first < 0:
            raise InvalidInput(f"first must not be negative, got {first}")
        size = limits.default_page_size if first is None else min(first, limits.max_page_size)
        offset = 0 if after is None else decode_cursor(after) + 1
        return cls(offset, size)


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One item of a list and its cursor.")
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type(description="A page of a list (Relay cursor connection).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds (counted by the database, only when asked).")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def from_page(
        cls,
        nodes: Sequence[NodeT | None],
        window: PageWindow,
        has_next_page: bool,
        count: Callable[[], Awaitable[int]],
    ) -> Connection[NodeT]:
        """A connection of ``nodes`` found at ``window``; ``count`` counts the whole list.

        A None node (gone since the page was read) is left out; the others keep their positions.
        """
        edges = [
            Edge(cursor=encode_cursor(window.offset + index), node=node)
            for index, node in enumerate(nodes)
            if node is not None
        ]
        page_info = PageInfo(
            has_next_page=has_next_page,
            has_previous_page=window.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return cls(edges=edges, page_info=page_info, count=count)


async def slice_connection(
    loaders: Loaders,
    statement: str,
    parent_id: str,
    window: PageWindow,
    nodes: Callable[[list[str]], Awaitable[Sequence[NodeT | None]]],
    **filters: object,
) -> Connection[NodeT]:
    """One page of a per-parent list (an account's children, contacts, leads), read in batches.

    ``statement`` returns, per parent id, a page of item ids and the whole list's size (see
    ``cypher/api/*_pages``); ``nodes`` turns the ids into nodes through the request's loaders.
    """
    part = await loaders.slices(statement, skip=window.offset, limit=window.size, **filters).load(parent_id)

    async def count() -> int:
        return part.total

    return Connection.from_page(await nodes(part.ids), window, window.offset + len(part.ids) < part.total, count)
