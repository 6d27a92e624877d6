"""Scores of some accounts at any moment, computed from their subtrees on demand.

An account's engagement, roll-up and coverage depend only on its own persons and its
subsidiaries (SPEC §1: recomputation partitions by account tree), so the API reads just the
subtrees of the accounts it is asked about and runs the same array fast path as the
whole-graph recompute over them. That makes every ``asOf`` exact, including moments before later
engagements, and keeps one code path for every score.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.snapshot import GraphSnapshot, Recomputed
from graphsvc.scores.documents import documents_in_force
from graphsvc.scores.recompute import engagement_points_by_pair, score_snapshot
from graphsvc.store.database import Database

__all__ = ["subtree_scores"]


async def subtree_scores(
    db: Database,
    account_ids: Sequence[str],
    as_of: datetime | None = None,
    *,
    window_days: float = 90.0,
    template: str | None = None,
) -> Recomputed:
    """Scores and coverage of ``account_ids`` (and their subsidiaries) at ``as_of`` (default now).

    Unknown ids are simply absent from the result's ``snapshot.account_index``.
    """
    as_of = as_of or datetime.now(UTC)
    documents = await documents_in_force(db)
    accounts = await db.read("scores/subtree_accounts", ids=list(account_ids))
    members = {row["account"]["id"] for row in accounts}
    ids = sorted(members)
    persons = await db.read("scores/subtree_persons", ids=ids)
    engagements = await db.read("scores/subtree_engagements", ids=ids)

    model = documents.scoring
    points = engagement_points_by_pair(model, engagements)
    snapshot = GraphSnapshot.from_records(
        # A requested account's parent lies outside the subtrees: it is a root here.
        [
            (
                row["account"]["id"],
                row["parent_id"] if row["parent_id"] in members else None,
                account_fit(documents.icp, row["account"])[0],
            )
            for row in accounts
        ],
        [(row["id"], row["account_id"], row["is_contact"], row["roles"]) for row in persons],
        [(row["person_id"], points[(row["type"], row["detail"])], row["at"] / 1000.0) for row in engagements],
    )
    return score_snapshot(
        documents, snapshot, [row["account"] for row in accounts], as_of, window_days=window_days, template=template
    )
