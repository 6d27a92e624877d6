"""Account stages in the graph (SPEC §8): evaluate the stage rules and record every change.

:func:`evaluate_stages` reads each account's stage inputs as recompute stored them, finds its
stage with :func:`graphsvc.funnel.account_stage` and the routing document's rules, and for each
account whose stage changed sets ``a.stage`` and ``a.stage_since`` and records
``(Account)-[:IN_STAGE]->(StageChange {id, stage, previous, at})`` — ``stage`` absent when the
account left the funnel, ``previous`` absent when it entered it. Each recorded move
queues ``account.stage_changed`` (and ``account.mqa``) webhook events in its transaction. Days in
stage are ``now - stage_since``; the history gives the time between any two stages (velocity).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graphsvc.algorithms.scoring import to_utc
from graphsvc.funnel import AccountStage, account_stage
from graphsvc.ranges import stored_time
from graphsvc.scores.documents import documents_in_force
from graphsvc.store.database import Database, Transaction
from graphsvc.webhooks.events import account_stage_events, record_events

__all__ = ["StageChange", "StageReport", "evaluate_stages", "stage_changes", "stage_histories", "stage_history"]

_WRITE_BATCH = 5000


@dataclass(frozen=True)
class StageChange:
    """One move of an account in the funnel."""

    id: str
    stage: AccountStage | None
    previous: AccountStage | None
    at: datetime


@dataclass
class StageReport:
    """What an evaluation did: accounts evaluated, and the moves recorded as (previous, stage)."""

    at: datetime
    evaluated: int = 0
    changed: dict[str, tuple[AccountStage | None, AccountStage | None]] = field(default_factory=dict)


async def evaluate_stages(
    db: Database, account_ids: Iterable[str] | None = None, as_of: datetime | None = None
) -> StageReport:
    """Re-evaluate the stage of the given accounts (default every account) and record changes.

    Parameters
    ----------
    db
        The store.
    account_ids
        Accounts to evaluate; None for all.
    as_of
        The time a change is recorded at (default now); call it with the ``as_of`` of the
        recompute whose scores it reads.
    """
    at = to_utc(as_of) if as_of else datetime.now(UTC)
    rules = (await documents_in_force(db)).routing.stages
    ids = None if account_ids is None else list(account_ids)
    report = StageReport(at)
    changes = []
    for row in await db.read("stages/inputs", ids=ids):
        report.evaluated += 1
        stage = account_stage(rules, row["inputs"])
        previous = AccountStage(row["stage"]) if row["stage"] else None
        if stage != previous:
            changes.append(
                {
                    "id": row["id"],
                    "stage": stage and str(stage),
                    "previous": previous and str(previous),
                    "change_id": f"sc-{uuid.uuid4().hex}",
                }
            )
            report.changed[row["id"]] = (previous, stage)
    for start in range(0, len(changes), _WRITE_BATCH):
        await db.transaction("stages/record_changes", _recorder(changes[start : start + _WRITE_BATCH], at))
    return report


def _recorder(rows: list[dict[str, Any]], at: datetime) -> Callable[[Transaction], Awaitable[None]]:
    """The transaction that records ``rows`` and queues their webhook events (the moves it did record)."""

    async def work(tx: Transaction) -> None:
        recorded = await tx.run("stages/record_changes", rows=rows, at=at.isoformat())
        await record_events(
            tx, [e for r in recorded for e in account_stage_events(r["id"], r["previous"], r["stage"], at)]
        )

    return work


def stage_changes(row: Mapping[str, Any]) -> list[StageChange]:
    """The changes of one row of ``stages/histories``, oldest first."""
    return [
        StageChange(
            change["id"],
            AccountStage(change["stage"]) if change["stage"] else None,
            AccountStage(change["previous"]) if change["previous"] else None,
            at,
        )
        for change in row["changes"]
        if (at := stored_time(change["at"])) is not None
    ]


async def stage_histories(db: Database, account_ids: Sequence[str]) -> dict[str, list[StageChange]]:
    """The stage changes of each of ``account_ids``, oldest first, in one read (no entry: none)."""
    return {row["id"]: stage_changes(row) for row in await db.read("stages/histories", ids=list(account_ids))}


async def stage_history(db: Database, account_id: str) -> list[StageChange]:
    """An account's stage changes, oldest first."""
    return (await stage_histories(db, [account_id])).get(account_id, [])
