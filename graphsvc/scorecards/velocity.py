"""Funnel velocity from the stage history (SPEC §8, §10): stage at a moment, MQA→opportunity, days between stages.

Stage evaluation (:mod:`graphsvc.stages`) records every move of an account as
``(Account)-[:IN_STAGE]->(StageChange {stage, previous, at})``. From that history:

* the stage at ``as_of`` is the ``stage`` of the last change at or before it (None when the
  account had not entered the funnel yet, or had left it); an account with no history at all is
  at the stage stored on it (``Account.stage``, since ``Account.stage_since``), which is how
  stages set before history was kept still show;
* **MQA→opportunity conversion**: of the accounts that reached MQA by ``as_of``, the share that
  reached OPPORTUNITY or CUSTOMER after their first MQA;
* **days to advance** from each stage: from an account's first entry into the stage to its
  first later move to any stage beyond it (accounts may skip stages), median over accounts.

Examples
--------
>>> day = 86_400_000
>>> history = {"acme": [("TARGET", 0), ("MQA", 10 * day), ("OPPORTUNITY", 40 * day)],
...            "beta": [("TARGET", 0), ("MQA", 20 * day)]}
>>> mqa_to_opportunity(history, as_of_ms=50 * day)
{'mqa_accounts': 2, 'converted': 1, 'rate': 0.5}
>>> median_days_to_advance(history, as_of_ms=50 * day)["TARGET"]
{'median_days': 15.0, 'accounts': 2}
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.funnel import FUNNEL, AccountStage, at_or_beyond
from graphsvc.store.database import Database

__all__ = [
    "StageRecord",
    "median_days_to_advance",
    "mqa_to_opportunity",
    "read_stage_records",
    "stage_record",
]

_MS_PER_DAY = 86_400_000

# (stage or None, epoch milliseconds), as stored in StageChange nodes.
Change = tuple[str | None, int]


def _ordered(changes: Sequence[Change]) -> list[Change]:
    # Ties in time (one evaluation never makes two) fall back to funnel order, so results are stable.
    return sorted(changes, key=lambda change: (change[1], -1 if change[0] is None else FUNNEL.index(change[0])))


@dataclass(frozen=True)
class StageRecord:
    """An account's name, stored stage and stage history."""

    account_id: str
    name: str | None
    stage: AccountStage | None
    stage_since_ms: int | None
    changes: tuple[Change, ...]

    def stage_at(self, as_of_ms: int) -> tuple[AccountStage | None, int | None]:
        """The stage at ``as_of_ms`` and since when (epoch milliseconds), per the module docstring."""
        if not self.changes:
            if self.stage is not None and (self.stage_since_ms is None or self.stage_since_ms <= as_of_ms):
                return self.stage, self.stage_since_ms
            return None, None
        past = [change for change in _ordered(self.changes) if change[1] <= as_of_ms]
        if not past or past[-1][0] is None:
            return None, None
        return AccountStage(past[-1][0]), past[-1][1]


def stage_record(row: Mapping[str, Any]) -> StageRecord:
    """The :class:`StageRecord` of a row of ``scorecards/stages`` (or a statement returning its columns)."""
    return StageRecord(
        row["account_id"],
        row["name"],
        AccountStage(row["stage"]) if row["stage"] else None,
        row["stage_since"],
        tuple((change["stage"], change["at"]) for change in row["changes"]),
    )


async def read_stage_records(db: Database, account_ids: Sequence[str]) -> dict[str, StageRecord]:
    """The :class:`StageRecord` of each account in ``account_ids`` that exists."""
    return {row["account_id"]: stage_record(row) for row in await db.read("scorecards/stages", ids=list(account_ids))}


def _first_entries(changes: Sequence[Change], as_of_ms: int) -> list[Change]:
    return [change for change in _ordered(changes) if change[1] <= as_of_ms and change[0] is not None]


def mqa_to_opportunity(histories: Mapping[str, Sequence[Change]], as_of_ms: int) -> dict[str, Any]:
    """Accounts that reached MQA by ``as_of_ms``, how many went on to an opportunity, and the rate."""
    reached = converted = 0
    for changes in histories.values():
        entries = _first_entries(changes, as_of_ms)
        mqa = next((at for stage, at in entries if stage == AccountStage.MQA), None)
        if mqa is None:
            continue
        reached += 1
        converted += any(at >= mqa and at_or_beyond(stage, AccountStage.OPPORTUNITY) for stage, at in entries)
    return {"mqa_accounts": reached, "converted": converted, "rate": converted / reached if reached else None}


def median_days_to_advance(histories: Mapping[str, Sequence[Change]], as_of_ms: int) -> dict[str, dict[str, Any]]:
    """Per stage (but the last), the median days from first entering it to first moving beyond it."""
    days: dict[AccountStage, list[float]] = {stage: [] for stage in FUNNEL[:-1]}
    for changes in histories.values():
        entries = _first_entries(changes, as_of_ms)
        for stage in days:
            entered = next((i for i, (reached, _) in enumerate(entries) if reached == stage), None)
            if entered is None:
                continue
            start = entries[entered][1]
            beyond = next(
                (at for reached, at in entries[entered + 1 :] if FUNNEL.index(reached) > FUNNEL.index(stage)), None
            )
            if beyond is not None:
                days[stage].append((beyond - start) / _MS_PER_DAY)
    return {
        str(stage): {"median_days": statistics.median(values) if values else None, "accounts": len(values)}
        for stage, values in days.items()
    }
