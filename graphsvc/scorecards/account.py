"""The account scorecard (SPEC §10): people, engagement and its change, coverage, stage, pipeline.

For a window of ``W`` days ending at ``as_of`` (default 90 days ending now), per account:

``leads_associated``
    the account's people: its contacts and the leads matched to it (``contacts`` and
    ``matched_leads`` apart). Subsidiaries' people are not counted here.
``engaged_leads``, ``percent_engaged``
    those with a positive-point engagement in the window (``as_of − W < t ≤ as_of``, the
    coverage window of SPEC §7), and their share of ``leads_associated`` in percent (0 when the
    account has nobody).
``engagement_level``
    the windowed engagement: role-weighted, decayed points of the account's people in the window
    (what the ENGAGED stage reads); ``rolled_up_engagement_level`` adds subsidiaries with ``δ``.
``previous_engagement_level``, ``engagement_change``
    the same level for the previous window (``as_of − 2W < t ≤ as_of − W``, measured at its own
    end ``as_of − W``), and ``(level − previous) / |previous|`` as a fraction; None when the
    previous level is 0 (nothing to compare with).
``coverage``, ``engaged_coverage``
    of the account's buying committee (SPEC §7) in the window.
``stage``, ``days_in_stage``
    the stage at ``as_of`` from the stage history (:mod:`graphsvc.scorecards.velocity`) and the
    whole days since the account entered it (None when unknown).
``open_opportunities``, ``pipeline_amount``
    opportunities created by ``as_of`` and not closed by then, and their total amount.

Everything that happens in time (engagements, stage changes, opportunities) is read as it stood at
``as_of``, so a scorecard for a past moment can be reproduced; associations (who works at or is
matched to the account, buying roles) are the graph's current ones, which it keeps no history of.

The windowed figures come from the engagement read model (:mod:`graphsvc.scores.read_model`): one
statement reads each account's subtree with its engagement buckets of both windows. An account
the read model cannot serve (never recomputed, a model or an association changed since) is
computed live, with the same code as the API's account scores: the array fast path
(:func:`graphsvc.scores.subtrees.score_subtrees`) over the accounts' subtrees, run once for each
window over ONE read of the subtrees with the engagements of both windows (``t > as_of − 2W``).
Both are exact at any ``as_of``, and tested equal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from graphsvc.algorithms.coverage import window_start
from graphsvc.algorithms.scoring import to_utc
from graphsvc.algorithms.snapshot import Recomputed
from graphsvc.errors import InvalidInput
from graphsvc.funnel import AccountStage
from graphsvc.ranges import stored_time
from graphsvc.scorecards.velocity import stage_record
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.scores.read_model import AccountWindows, read_account_windows
from graphsvc.scores.subtrees import read_subtrees, score_subtrees
from graphsvc.store.database import Database

__all__ = ["DEFAULT_WINDOW_DAYS", "AccountScorecard", "account_scorecards", "engaged_persons", "window_moment"]

DEFAULT_WINDOW_DAYS = 90
_MS_PER_DAY = 86_400_000


@dataclass(frozen=True)
class AccountScorecard:
    """One account's scorecard; see the module docstring for each figure."""

    account_id: str
    name: str | None
    as_of: datetime
    window_days: int
    contacts: int
    matched_leads: int
    leads_associated: int
    engaged_contacts: int
    engaged_matched_leads: int
    engaged_leads: int
    percent_engaged: float
    engagement_level: float
    rolled_up_engagement_level: float
    previous_engagement_level: float
    engagement_change: float | None
    coverage: float
    engaged_coverage: float
    stage: AccountStage | None
    stage_since: datetime | None
    days_in_stage: int | None
    open_opportunities: int
    pipeline_amount: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO-8601 strings, the stage as its name."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["stage"] = None if self.stage is None else str(self.stage)
        data["stage_since"] = None if self.stage_since is None else self.stage_since.isoformat()
        return data


def window_moment(as_of: datetime | str | None, window_days: int) -> datetime:
    """``as_of`` as aware UTC (default now), after checking the window is a whole number of days ≥ 1."""
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise InvalidInput(f"the window must be a whole number of days, at least 1; got {window_days!r}")
    return to_utc(as_of) if as_of is not None else datetime.now(UTC)


def engaged_persons(result: Recomputed) -> np.ndarray:
    """Per person of ``result``'s snapshot, whether it has a positive-point engagement in the window.

    The definition of an engaged contact in SPEC §7, applied to contacts and leads alike.
    """
    snapshot = result.snapshot
    when = snapshot.engagement_time
    hit = (when <= result.as_of) & (when > window_start(result.as_of, result.window_days))
    hit &= snapshot.engagement_points > 0
    engaged = np.zeros(len(snapshot.person_ids), dtype=bool)
    engaged[snapshot.engagement_person[hit]] = True
    return engaged


def _count_by_account(result: Recomputed, persons: np.ndarray) -> np.ndarray:
    account = result.snapshot.person_account
    chosen = persons & (account >= 0)
    return np.bincount(account[chosen], minlength=len(result.snapshot.account_ids))


def _live_windows(current: Recomputed, previous: Recomputed, ids: Iterable[str]) -> dict[str, AccountWindows]:
    """The windowed figures of ``ids`` from the fast path's results for both windows."""
    snapshot = current.snapshot
    is_contact = snapshot.person_is_contact
    engaged = engaged_persons(current)
    counts = {
        name: _count_by_account(current, chosen)
        for name, chosen in (
            ("contacts", is_contact),
            ("leads", ~is_contact),
            ("engaged_contacts", engaged & is_contact),
            ("engaged_leads", engaged & ~is_contact),
        )
    }
    found = {}
    for account_id in ids:
        if account_id not in snapshot.account_index:
            continue
        a = snapshot.account_index[account_id]
        found[account_id] = AccountWindows(
            account={},
            contacts=int(counts["contacts"][a]),
            matched_leads=int(counts["leads"][a]),
            engaged_contacts=int(counts["engaged_contacts"][a]),
            engaged_matched_leads=int(counts["engaged_leads"][a]),
            engagement_level=float(current.windowed[a]),
            rolled_up_level=float(current.rolled_up_windowed[a]),
            previous_level=float(previous.windowed[previous.snapshot.account_index[account_id]]),
            coverage=current.committee_coverage(account_id),
        )
    return found


async def account_scorecards(
    db: Database,
    account_ids: Iterable[str],
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: datetime | str | None = None,
    *,
    documents: DocumentsInForce | None = None,
    live: bool = False,
) -> dict[str, AccountScorecard]:
    """The scorecards of many accounts at once (unknown ids are left out).

    The windowed figures come from the read model (:mod:`graphsvc.scores.read_model`, one
    statement), exact at any ``as_of``; accounts it cannot serve, and every account with
    ``live``, are computed from their subtrees (three statements more). Then the stage history
    and open opportunities in one: two or three statements with the documents in force, whatever
    the number of accounts, so a DataLoader can batch a whole page.

    Parameters
    ----------
    db
        The store.
    account_ids
        Accounts to score.
    window_days
        Length of the window, whole days ≥ 1.
    as_of
        End of the window (default now).
    documents
        The documents in force, when the caller has read them already.
    live
        Compute every figure from the engagements (the reference the read model is tested against).
    """
    as_of = window_moment(as_of, window_days)
    ids = list(dict.fromkeys(account_ids))
    if not ids:
        return {}
    documents = documents or await documents_in_force(db)
    windows: dict[str, AccountWindows] = {}
    if not live:
        stored = await read_account_windows(db, ids, documents, as_of, window_days)
        windows = {account_id: found for account_id, found in stored.items() if found is not None}
    rest = [account_id for account_id in ids if account_id not in windows]
    if rest:
        window = timedelta(days=window_days)
        rows = await read_subtrees(db.read, rest, since=as_of - 2 * window, until=as_of)

        def live_windows() -> dict[str, AccountWindows]:  # CPU-bound: in a worker thread
            current = score_subtrees(documents, rows, as_of, window_days=window_days)
            previous = score_subtrees(documents, rows, as_of - window, window_days=window_days)
            return _live_windows(current, previous, rest)

        windows.update(await asyncio.to_thread(live_windows))
    pipeline = {
        row["account_id"]: row
        for row in await db.read("scorecards/stages_and_pipeline", ids=ids, as_of=as_of.isoformat())
    }
    stages = {account_id: stage_record(row) for account_id, row in pipeline.items()}
    as_of_ms = round(as_of.timestamp() * 1000)

    scorecards = {}
    for account_id in ids:
        if account_id not in windows or account_id not in stages:
            continue
        figures = windows[account_id]
        level, before = figures.engagement_level, figures.previous_level
        people = figures.contacts + figures.matched_leads
        engaged_people = figures.engaged_contacts + figures.engaged_matched_leads
        stage, since_ms = stages[account_id].stage_at(as_of_ms)
        opportunities = pipeline[account_id]
        scorecards[account_id] = AccountScorecard(
            account_id=account_id,
            name=stages[account_id].name,
            as_of=as_of,
            window_days=window_days,
            contacts=figures.contacts,
            matched_leads=figures.matched_leads,
            leads_associated=people,
            engaged_contacts=figures.engaged_contacts,
            engaged_matched_leads=figures.engaged_matched_leads,
            engaged_leads=engaged_people,
            percent_engaged=100.0 * engaged_people / people if people else 0.0,
            engagement_level=level,
            rolled_up_engagement_level=figures.rolled_up_level,
            previous_engagement_level=before,
            engagement_change=(level - before) / abs(before) if before else None,
            coverage=figures.coverage.coverage,
            engaged_coverage=figures.coverage.engaged_coverage,
            stage=stage,
            stage_since=stored_time(since_ms),
            days_in_stage=None if since_ms is None else (as_of_ms - since_ms) // _MS_PER_DAY,
            open_opportunities=int(opportunities["opportunities"]),
            pipeline_amount=float(opportunities.get("amount") or 0.0),
        )
    return scorecards
