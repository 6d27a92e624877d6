"""Scores of some accounts at any moment, computed from their subtrees on demand.

An account's engagement, roll-up and coverage depend only on its own persons and its
subsidiaries (SPEC §1: recomputation partitions by account tree), so the API reads just the
subtrees of the accounts it is asked about and runs the same array fast path as the
whole-graph recompute over them. That makes every ``asOf`` exact, including moments before later
engagements, and keeps one code path for every score.

``since`` narrows the engagements read to those after a moment: enough for figures that only
look inside windows (windowed engagement, engaged people, coverage), as the account scorecard
does for its two windows; ``E``, ``R`` and the totals of such a result count only those
engagements.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.snapshot import GraphSnapshot, Recomputed
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.scores.recompute import engagement_points_by_pair, score_snapshot
from graphsvc.store.database import Database, Record

__all__ = ["SubtreeRows", "read_subtrees", "score_subtrees", "subtree_scores", "subtree_snapshot"]

# Later than any engagement (year 2262): "no upper bound" for an integer comparison.
_NO_END_MS = 2**63 // 1_000_000

Read = Callable[..., Awaitable[list[Record]]]


@dataclass(frozen=True)
class SubtreeRows:
    """The rows of some accounts' subtrees: accounts (with parents), persons, engagements."""

    accounts: list[Record]
    persons: list[Record]
    engagements: list[Record]


async def read_subtrees(
    read: Read, account_ids: Sequence[str], *, since: datetime | None = None, until: datetime | None = None
) -> SubtreeRows:
    """Read the subtrees of ``account_ids`` with ``read`` (``Database.read`` or ``Transaction.run``).

    With ``since``, only engagements after it (and up to ``until``, default any time) are read.
    """
    accounts = await read("scores/subtree_accounts", ids=list(account_ids))
    ids = sorted({row["account"]["id"] for row in accounts})
    persons = await read("scores/subtree_persons", ids=ids)
    if since is None:
        engagements = await read("scores/subtree_engagements", ids=ids)
    else:
        # Whole milliseconds around the bounds: a superset; the fast path applies the exact bounds.
        engagements = await read(
            "scores/subtree_engagements_between",
            ids=ids,
            since_ms=math.floor(since.timestamp() * 1000) - 1,
            until_ms=_NO_END_MS if until is None else math.ceil(until.timestamp() * 1000) + 1,
        )
    return SubtreeRows(accounts, persons, engagements)


def subtree_snapshot(documents: DocumentsInForce, rows: SubtreeRows) -> GraphSnapshot:
    """The array snapshot of some subtrees; a requested account's parent outside them is a root here."""
    members = {row["account"]["id"] for row in rows.accounts}
    points = engagement_points_by_pair(documents.scoring, rows.engagements)
    return GraphSnapshot.from_records(
        [
            (
                row["account"]["id"],
                row["parent_id"] if row["parent_id"] in members else None,
                account_fit(documents.icp, row["account"])[0],
            )
            for row in rows.accounts
        ],
        [(row["id"], row["account_id"], row["is_contact"], row["roles"]) for row in rows.persons],
        [(row["person_id"], points[(row["type"], row["detail"])], row["at"] / 1000.0) for row in rows.engagements],
    )


async def subtree_scores(
    db: Database,
    account_ids: Sequence[str],
    as_of: datetime | None = None,
    *,
    window_days: float = 90.0,
    template: str | None = None,
    documents: DocumentsInForce | None = None,
) -> Recomputed:
    """Scores and coverage of ``account_ids`` (and their subsidiaries) at ``as_of`` (default now).

    Unknown ids are simply absent from the result's ``snapshot.account_index``. ``documents``
    saves reading the documents in force when the caller has them.
    """
    as_of = as_of or datetime.now(UTC)
    documents = documents or await documents_in_force(db)
    rows = await read_subtrees(db.read, account_ids)
    return score_subtrees(documents, rows, as_of, window_days=window_days, template=template)


def score_subtrees(
    documents: DocumentsInForce,
    rows: SubtreeRows,
    as_of: datetime,
    *,
    window_days: float = 90.0,
    template: str | None = None,
) -> Recomputed:
    """The fast path over rows of :func:`read_subtrees` at ``as_of``."""
    snapshot = subtree_snapshot(documents, rows)
    return score_snapshot(
        documents,
        snapshot,
        [row["account"] for row in rows.accounts],
        as_of,
        window_days=window_days,
        template=template,
    )
