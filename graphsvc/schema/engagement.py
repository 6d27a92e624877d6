"""Activity timelines: the engagements of a contact, a lead or everyone at an account, newest first.

Each list is read by seek cursors (the cursor carries the time and id of its row, so a new
engagement never shifts a later page), for a whole page of parents in one statement per list
(:meth:`~graphsvc.schema.loaders.Loaders.slices`); ``totalCount`` is counted by the same statement.
Each engagement carries the undecayed points the scoring model in force gives it. The statements
reach engagements from their people (``PERFORMED``), never by label, so no index on
``Engagement.occurred_at`` would serve them and none is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import strawberry
from strawberry.types import Info

from graphsvc.algorithms.scoring import engagement_points
from graphsvc.ranges import stored_time
from graphsvc.schema.arguments import window
from graphsvc.schema.context import Context
from graphsvc.schema.loaders import ListSlice
from graphsvc.schema.pagination import (
    Connection,
    SeekKey,
    decode_seek_cursor,
    encode_seek_cursor,
    page_size,
    page_window,
)
from graphsvc.schema.permissions import sees_person_at
from graphsvc.store.database import Record

__all__ = ["Engagement", "engagement_timeline", "person_timeline"]

# Newest first, equal times by id; the key is the time in epoch milliseconds.
TIMELINE = SeekKey("-occurredAt", int)


@strawberry.type(description="Something a contact or lead did: a web visit, a download, a demo request.")
class Engagement:
    id: strawberry.ID
    person_id: strawberry.ID = strawberry.field(description="The contact or lead who engaged.")
    type: str
    detail: str | None
    campaign: str | None
    occurred_at: datetime
    points: float = strawberry.field(description="The scoring model's points for it, before decay.")


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def engagement_timeline(
    info: Info[Context, None],
    statement: str,
    parent_id: str | None,
    first: int | None,
    after: str | None,
    window_days: int | None = None,
) -> Connection[Engagement]:
    """One page of the timeline ``statement`` reads for ``parent_id`` (see ``cypher/api/*_engagement_pages``).

    ``parent_id`` None reads nothing: an empty timeline. ``window_days`` keeps the engagements of
    the last so many days before the request's now.

    Raises
    ------
    InvalidInput
        ``first`` is negative, ``after`` is not a cursor of a timeline, or ``window_days`` is out of range.
    """
    context = info.context
    # The page's size only: a timeline's cursor is a seek cursor, not a position.
    size = page_window(info, first, None, context.limits).size
    position = decode_seek_cursor(after, TIMELINE) if after is not None else None
    until = context.now
    since = until - timedelta(days=window(window_days)) if window_days is not None else None
    if parent_id is None:
        part = ListSlice([], 0)
    else:
        part = await context.loaders.slices(
            statement,
            # One row past the page tells whether another page follows; a count alone reads no row.
            limit=0 if size == 0 < page_size(first, context.limits) else size + 1,
            after_ms=position[0] if position else None,
            after_id=position[1] if position else None,
            since_ms=_millis(since) if since else None,
            until_ms=_millis(until),
        ).load(parent_id)
    rows: list[dict[str, Any]] = part.items[:size]
    model = (await context.loaders.documents()).scoring if rows else None  # a count alone reads no model
    # A time outside the supported range (not written by graphsvc's importer) leaves its row out, not the read.
    nodes = [
        Engagement(
            id=strawberry.ID(row["id"]),
            person_id=strawberry.ID(row["person_id"]),
            type=row["type"],
            detail=row["detail"],
            campaign=row["campaign"],
            occurred_at=occurred_at,
            points=engagement_points(model, row["type"], row["detail"]),
        )
        if (occurred_at := stored_time(row["at"])) is not None
        else None
        for row in rows
    ]
    return Connection.from_edges(
        [encode_seek_cursor(TIMELINE.name, row["at"], row["id"]) for row in rows],
        nodes,
        len(part.items) > size,
        position is not None,
        lambda: part.total,
    )


async def person_timeline(
    info: Info[Context, None], statement: str, person: Record, first: int | None, after: str | None
) -> Connection[Engagement]:
    """The timeline of a contact or lead record; empty for a caller who may not see the person.

    A REP reaches a lead routed to it whatever the lead's account (``RoutingDecision.lead``), but
    sees the activity only of the people at its own accounts.
    """
    visible = await sees_person_at(info.context, person["account_id"])
    return await engagement_timeline(info, statement, person["id"] if visible else None, first, after)
