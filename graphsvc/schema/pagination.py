"""Relay cursor connections: ``edges { cursor node }``, ``pageInfo`` and ``totalCount`` on every list.

Cursors are opaque strings; ``after`` resumes just past one. ``first`` defaults to
:attr:`ApiLimits.default_page_size` and is capped at :attr:`ApiLimits.max_page_size` (larger values
are served as the cap, not refused).

Two kinds of cursor:

- position cursors (:func:`encode_cursor`): the per-parent lists (children, contacts, leads) and
  the queue are read with ``SKIP``/``LIMIT``, so a write between two requests can shift later
  items by one;
- seek cursors (:func:`encode_seek_cursor`): the top-level ``accounts`` and ``leads`` lists and
  the engagement timelines (:mod:`graphsvc.schema.engagement`). The cursor carries
  the sort key and id of its row, and the next page is the rows after ``(key, id)`` in the order
  ``key, id``, read as a range of the key's index in index order (:func:`seek_page`). A page
  costs the same at any depth, and writes elsewhere in the list never skip or repeat a row.
  The statements of each order of a top-level list are composed (:func:`seek_orders`) from the
  skeletons in ``cypher/lists/`` and the list's own fragments (its matches and filters).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from graphsvc.errors import InvalidInput
from graphsvc.schema.limits import ApiLimits
from graphsvc.schema.loaders import Loaders
from graphsvc.store.cypher import compose, fragment
from graphsvc.store.database import Database

__all__ = [
    "Connection",
    "Edge",
    "PageInfo",
    "PageWindow",
    "SeekKey",
    "SeekOrder",
    "SeekPage",
    "SortKey",
    "count_statement",
    "decode_cursor",
    "decode_seek_cursor",
    "encode_cursor",
    "encode_seek_cursor",
    "page_size",
    "page_window",
    "seek_orders",
    "seek_page",
    "slice_connection",
]

NodeT = TypeVar("NodeT")

_CURSOR_PREFIX = "graphsvc:"
_SEEK_PREFIX = "graphsvc-seek:"
# The last position a cursor may stand for: far beyond any list, below 2**31 with a page added.
MAX_POSITION = 10**9


def encode_cursor(position: int) -> str:
    """The opaque cursor of the item at ``position`` (0-based) in a list."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The position a cursor made by :func:`encode_cursor` stands for.

    Raises
    ------
    InvalidInput
        The cursor was not made by graphsvc, or stands for a position past :data:`MAX_POSITION`.
    """
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (UnicodeError, ValueError, binascii.Error):
        text = ""
    digits = text.removeprefix(_CURSOR_PREFIX) if text.startswith(_CURSOR_PREFIX) else ""
    # Digits only (int() would also take signs, spaces and underscores), and few enough that
    # SKIP position + page size stays a 32-bit integer for the database.
    if not (digits.isdigit() and digits.isascii()) or int(digits) > MAX_POSITION:
        raise InvalidInput(_invalid_cursor(cursor))
    return int(digits)


def _invalid_cursor(cursor: str, reason: str = "pass a cursor from an edge or pageInfo") -> str:
    return f"after: invalid cursor {cursor[:100]!r}: {reason}"


def encode_seek_cursor(order: str, key: str | int | None, row_id: str) -> str:
    """The opaque cursor of the row ``row_id`` whose sort key is ``key`` in the list ordered by ``order``."""
    text = _SEEK_PREFIX + json.dumps([order, key, row_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_seek_cursor(cursor: str, order: SeekOrder | SeekKey) -> tuple[str | int | None, str]:
    """The ``(key, id)`` a cursor made by :func:`encode_seek_cursor` for ``order`` stands for.

    Raises
    ------
    InvalidInput
        The cursor was not made by graphsvc, or was made for another order.
    """
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
        fields = json.loads(text.removeprefix(_SEEK_PREFIX)) if text.startswith(_SEEK_PREFIX) else None
    except (UnicodeError, ValueError, binascii.Error):
        fields = None
    if not (isinstance(fields, list) and len(fields) == 3 and isinstance(fields[2], str)):
        raise InvalidInput(_invalid_cursor(cursor))
    made_for, key, row_id = fields
    if made_for != order.name:
        raise InvalidInput(_invalid_cursor(cursor, f"it was made for orderBy {made_for!r}, not {order.name!r}"))
    if not (isinstance(key, order.key_type) and not isinstance(key, bool)) and not (key is None and order.unknown):
        raise InvalidInput(_invalid_cursor(cursor))
    if isinstance(order, SeekOrder) and order.moment and key is not None:
        try:
            datetime.fromisoformat(key)
        except ValueError:
            raise InvalidInput(_invalid_cursor(cursor)) from None
    return key, row_id


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
        offset = 0 if after is None else decode_cursor(after) + 1
        return cls(offset, page_size(first, limits))


def page_window(info: Info[Any, Any], first: int | None, after: str | None, limits: ApiLimits) -> PageWindow:
    """The window a connection field reads: none of its items when the field asks for ``totalCount`` alone.

    A page of 50 accounts each asking ``contacts { totalCount }`` then counts in the database and
    loads no contact. A selection through a fragment reads the page as usual.
    """
    window = PageWindow.of(first, after, limits)
    counting = all(
        isinstance(selection, SelectedField) and selection.name in ("totalCount", "__typename")
        for field in info.selected_fields
        for selection in field.selections
    )
    return PageWindow(window.offset, 0) if counting else window


def page_size(first: int | None, limits: ApiLimits) -> int:
    """How many items a page of ``first`` holds: the default when None, capped at the maximum.

    Raises
    ------
    InvalidInput
        ``first`` is negative.
    """
    if first is not None and first < 0:
        raise InvalidInput(f"first must not be negative, got {first}")
    return limits.default_page_size if first is None else min(first, limits.max_page_size)


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
    count: strawberry.Private[Callable[[], int | Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds (counted by the database, only when asked).")
    def total_count(self) -> int:
        # Sync: a per-parent list knows its size from its page's statement and answers at once; a
        # top-level list returns its count's coroutine, which the executor awaits.
        return self.count()  # type: ignore[return-value]

    @classmethod
    def from_page(
        cls,
        nodes: Sequence[NodeT | None],
        window: PageWindow,
        has_next_page: bool,
        count: Callable[[], int | Awaitable[int]],
    ) -> Connection[NodeT]:
        """A connection of ``nodes`` found at ``window``; ``count`` counts the whole list.

        A None node (gone since the page was read) is left out; the others keep their positions.
        """
        cursors = [encode_cursor(window.offset + index) for index in range(len(nodes))]
        return cls.from_edges(cursors, nodes, has_next_page, window.offset > 0, count)

    @classmethod
    def from_edges(
        cls,
        cursors: Sequence[str],
        nodes: Sequence[NodeT | None],
        has_next_page: bool,
        has_previous_page: bool,
        count: Callable[[], int | Awaitable[int]],
    ) -> Connection[NodeT]:
        """A connection of ``nodes`` and their ``cursors``; a None node (gone, or hidden) is left out."""
        edges = [
            Edge(cursor=cursor, node=node) for cursor, node in zip(cursors, nodes, strict=True) if node is not None
        ]
        page_info = PageInfo(
            has_next_page=has_next_page,
            has_previous_page=has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        )
        return cls(edges=edges, page_info=page_info, count=count)


async def slice_connection(
    loaders: Loaders,
    statement: str,
    parent_id: str,
    window: PageWindow,
    nodes: Callable[[list[Any]], Awaitable[Sequence[NodeT | None]]],
    **filters: object,
) -> Connection[NodeT]:
    """One page of a per-parent list (an account's children, contacts, leads), read in batches.

    ``statement`` returns, per parent id, a page of items (ids, or the items' records) and the
    whole list's size (see ``cypher/api/*_pages``); ``nodes`` turns the items into nodes.
    """
    part = await loaders.slices(statement, skip=window.offset, limit=window.size, **filters).load(parent_id)
    return Connection.from_page(
        await nodes(part.items), window, window.offset + len(part.items) < part.total, lambda: part.total
    )


@dataclass(frozen=True)
class SeekKey:
    """What a seek cursor of a list read by statements of its own (not :func:`seek_page`) must carry.

    Attributes
    ----------
    name
        The order's name (kept in its cursors).
    key_type
        The Python type of the sort key (a cursor with another type is refused).
    unknown
        Rows may lack a key (a cursor with a null key is accepted).
    """

    name: str
    key_type: type
    unknown: bool = False


@dataclass(frozen=True)
class SortKey:
    """A stored property a seek-paged list can be sorted by, both ways.

    Attributes
    ----------
    name
        The order's name ascending (``"-" + name`` is descending), as given to ``orderBy``.
    property
        The node's property (``n.<property>`` in the statements; a name from code, never input).
    key_type
        The Python type of the sort key in cursors (a cursor with another type is refused).
    lowest, highest
        A key below / above every stored one: the first page of the ascending / descending order
        reads the range from it (a range keeps ArcadeDB on the key's index, where ``IS NOT NULL``
        combined with the filters made it scan and sort: ~300 ms against ~20 ms at 10k accounts).
        None when there is no such value (no string is above every name): that first page then
        has a statement of its own.
    always_known
        Every row has the property (no statement for the rows without one).
    moment
        The property is a datetime: cursors carry it as ISO 8601 text (``key_type`` str), which the
        statements read back with ``datetime($key)``.
    """

    name: str
    property: str
    key_type: type
    lowest: str | int | float | None
    highest: str | int | float | None
    always_known: bool = False
    moment: bool = False


@dataclass(frozen=True)
class SeekOrder:
    """A sort order of a seek-paged list and the statements that read it (see :func:`seek_orders`).

    Every statement takes the list's filters; each returns rows of ``id`` and ``key``.

    Attributes
    ----------
    name
        The order's name, as given to ``orderBy`` (kept in its cursors).
    key_type
        The Python type of the sort key (a cursor with another type is refused).
    page
        Rows whose key is past ``$key`` (or equal with ``id > $id``), ``ORDER BY`` the key alone,
        ``LIMIT $limit``: ordering by the indexed key alone (not ``key, id``) is what lets ArcadeDB
        read the key's index in order and stop after ``$limit`` rows; the order of equal keys is
        then fixed here (see :func:`seek_page`).
    ties
        The first ``$limit`` rows whose key equals ``$key`` and ``id > $id``, ``ORDER BY id``.
    start
        The key ``page`` starts from on the first page (below or above every key).
    first
        The first page, when no ``start`` can express "from the start" (``None``: ``page`` from ``start``).
    unknown
        The rows without a key (always last, by id), ``id > $id``, ``LIMIT $limit``; ``None``
        when every row has a key.
    moment
        The key is a datetime in ISO 8601 text (a cursor with other text is refused).
    """

    name: str
    key_type: type
    page: str
    ties: str
    start: str | int | float | None = None
    first: str | None = None
    unknown: str | None = None
    moment: bool = False


# The statements of a list are composed (graphsvc.store.cypher.compose) from the skeletons in
# cypher/lists/ and the list's own fragments: how rows are matched, and its filters.
_PROPERTY = re.compile(r"[a-z][a-z0-9_]*")


def seek_orders(
    list_name: str, match: str, filters: str, keys: Sequence[SortKey], names: Sequence[str]
) -> dict[str, SeekOrder]:
    """The orders ``names`` (a key's name, or ``-`` and the name: descending) of a list, with statements composed.

    ``match`` and ``filters`` name fragments of ``cypher/`` (``MATCH`` of the rows as ``n``, and a
    condition on ``n`` and the list's parameters); every statement is named
    ``lists/<list_name>/<order>/<kind>`` (``-score``: ``score_desc``).
    """
    by_name = {key.name: key for key in keys}
    orders: dict[str, SeekOrder] = {}
    for name in names:
        descending = name.startswith("-")
        key = by_name[name.removeprefix("-")]
        if not _PROPERTY.fullmatch(key.property):
            raise ValueError(f"{key.property!r} is not a property name")
        prefix = f"lists/{list_name}/{key.name}{'_desc' if descending else ''}"
        slots = {"match": fragment(match), "filters": fragment(filters), "key": f"n.{key.property}"}
        keyed = {**slots, "returned": f"toString(n.{key.property})" if key.moment else f"n.{key.property}"}
        ranged = {**keyed, "param": "datetime($key)" if key.moment else "$key"}
        start = key.highest if descending else key.lowest
        orders[name] = SeekOrder(
            name,
            key.key_type,
            page=compose(f"{prefix}/page", f"lists/seek_after_{'desc' if descending else 'asc'}", **ranged),
            ties=compose(f"{prefix}/ties", "lists/seek_ties", **ranged),
            start=start,
            first=None
            if start is not None
            else compose(f"{prefix}/first", "lists/seek_first", **keyed, direction=" DESC" if descending else ""),
            unknown=None if key.always_known else compose(f"{prefix}/unknown", "lists/seek_unknown", **slots),
            moment=key.moment,
        )
    return orders


def count_statement(list_name: str, match: str, filters: str) -> str:
    """The statement counting the rows of a list that pass its filters (fragments as in :func:`seek_orders`)."""
    return compose(f"lists/{list_name}/count", "lists/count", match=fragment(match), filters=fragment(filters))


@dataclass(frozen=True)
class SeekPage:
    """The rows of one page (at most ``size``) and whether more follow."""

    rows: list[dict[str, Any]]
    has_next_page: bool


async def seek_page(
    db: Database,
    order: SeekOrder,
    after: tuple[str | int | None, str] | None,
    size: int,
    **filters: object,
) -> SeekPage:
    """The ``size`` rows after the cursor position ``after`` in ``order``, then by id; 1–3 statements.

    The page statement returns rows in key order but equal keys in no particular order, and its
    ``LIMIT`` can cut a run of equal keys anywhere. So: one row more than the page is read; when
    the last two rows share a key, that run of equal keys is read again in id order
    (``order.ties``, as many rows as the page reads: at least as many as the partial run) and
    replaces the partial run; every run of equal keys is then sorted by id. When the rows with a
    key run out, the rows without one follow (``order.unknown``). No row is skipped or repeated,
    whatever the ties, and the key order is the database's own (collation included).
    """
    want = size + 1
    key, after_id = after if after is not None else (order.start, "")
    rows: list[dict[str, Any]] = []
    if after is None or key is not None:
        if after is None and order.first is not None:
            rows = await db.read(order.first, limit=want, **filters)
        else:
            rows = await db.read(order.page, key=key, id=after_id, limit=want, **filters)
        if len(rows) == want > 1 and rows[-1]["key"] == rows[-2]["key"]:
            tail = rows[-1]["key"]
            ties = await db.read(order.ties, key=tail, id=after_id if tail == key else "", limit=want, **filters)
            rows = [row for row in rows if row["key"] != tail] + ties
        rows = [row for _, run in itertools.groupby(rows, key=lambda row: row["key"]) for row in sorted(run, key=_id)]
        after_id = ""
    if len(rows) < want and order.unknown is not None:
        rows += await db.read(order.unknown, id=after_id, limit=want - len(rows), **filters)
    return SeekPage(rows[:size], len(rows) > size)


def _id(row: dict[str, Any]) -> str:
    return row["id"]
