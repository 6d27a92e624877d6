"""The program scorecard (SPEC §10): the traditional lead funnel beside the ABM funnel, and team SLAs.

**Traditional** (leads that exist at ``as_of``): a lead counts at every stage it has reached,
read from its status history (:mod:`graphsvc.lifecycle`) up to ``as_of``, not from today's
status: a lead that was SAL and is RECYCLED now counts as a SAL. Each status a lead held says
which stages of the main path NEW → MQL → SAL → SQL → OPPORTUNITY → WON it had reached
(:data:`REACHED`): LOST means OPPORTUNITY, RECYCLED means MQL, NURTURE and DISQUALIFIED nothing
past NEW. A lead without any history (stored before history was kept) counts by its stored
status. A lead was *sent to sales* when a routing decision assigned it to someone by ``as_of``,
or it reached SAL (sales accepted it), and sending makes it an MQL too, so every count is at
most the one before it. Each conversion rate is a stage's count over the previous stage's (None
when that is 0). ``new_leads`` counts leads created in the window; ``by_status`` counts today's
statuses. **Lead velocity** (``median_days_to_advance``), per status of the main path but WON:
the median over leads of the days from first entering it (NEW: the lead's creation) to its first
later move to a status that reached further (:func:`lead_days_to_advance`), from history only.

**ABM** (target accounts): how many are at each stage at ``as_of`` (``NONE``: not in the
funnel); the share engaged, i.e. at the ENGAGED stage or beyond at ``as_of`` (the stage rule,
windowed engagement of 20 points by default, not merely one click: ``accounts_with_engaged_people``
counts those with at least one engaged person, as in the account scorecard); mean coverage and
engaged coverage; MQA→opportunity conversion and the median days from each stage to the next
(:mod:`graphsvc.scorecards.velocity`).

**SLA**: :func:`graphsvc.routing.metrics.sla_metrics` over the decisions made in the window
about the leads the filters keep (through the account each lead is matched to, as above).

**How it is read.** The ABM side reads stored figures, one statement for every target account
(:func:`read_target_figures`): an account's engaged people are those whose stored last positive
engagement (``last_engaged_at``, kept by the recompute and by every import) falls in the window,
which is exact when it is not after ``as_of``; coverage reads the contacts' current roles; the
stage at ``as_of`` comes from the stage history. An account whose stored times cannot be trusted
(its read model is stale: never recomputed, a scoring model saved since, an engagement imported
again with other values, a person moved in with engagements kept elsewhere) or with a person
engaged after ``as_of`` (a past ``as_of``, or an engagement dated in the future) is computed live by
:func:`~graphsvc.scorecards.account.account_scorecards`. ``live=True`` computes every target live
(the reference the stored path is tested against).

Both funnels are kept per process by data version (:mod:`graphsvc.store.versioned`), window and
filters, and reused at a later moment while nothing dated in between changes them
(:class:`_Funnels`); ``new_leads`` is counted again.

Filters: ``tier`` and ``owner_id`` narrow target accounts, and leads through the account they are
matched to; ``industry`` (the segment) narrows target accounts by their industry and leads by
their account's industry, else their own.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np

from graphsvc.algorithms.coverage import CommitteeCoverage, window_ms
from graphsvc.funnel import FUNNEL, AccountStage, LeadStatus, at_or_beyond
from graphsvc.routing.metrics import sla_metrics
from graphsvc.scorecards.account import DEFAULT_WINDOW_DAYS, AccountScorecard, account_scorecards, window_moment
from graphsvc.scorecards.velocity import (
    Change,
    median_days_to_advance,
    mqa_to_opportunity,
    read_stage_records,
    stage_record,
)
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.scores.recompute import committee_assignment
from graphsvc.store.database import Database
from graphsvc.store.versioned import VersionedCache

__all__ = [
    "CONVERSIONS",
    "LEAD_STAGES",
    "REACHED",
    "abm_funnel",
    "lead_days_to_advance",
    "lead_funnel",
    "program_and_account_scorecards",
    "program_scorecard",
    "read_lead_funnel",
    "read_target_figures",
    "target_account_ids",
]

LEAD_STAGES = ("leads", "mqls", "sent_to_sales", "sals", "sqls", "opportunities", "won")
"""The traditional funnel's stages, top first."""

_S = LeadStatus
REACHED: Mapping[str, frozenset[LeadStatus]] = {
    "mqls": frozenset({_S.MQL, _S.SAL, _S.SQL, _S.OPPORTUNITY, _S.WON, _S.LOST, _S.RECYCLED}),
    "sals": frozenset({_S.SAL, _S.SQL, _S.OPPORTUNITY, _S.WON, _S.LOST}),
    "sqls": frozenset({_S.SQL, _S.OPPORTUNITY, _S.WON, _S.LOST}),
    "opportunities": frozenset({_S.OPPORTUNITY, _S.WON, _S.LOST}),
    "won": frozenset({_S.WON}),
}
"""Statuses of the leads that have reached each stage (see the module docstring)."""

CONVERSIONS = (
    ("lead_to_mql", "leads", "mqls"),
    ("mql_to_sent", "mqls", "sent_to_sales"),
    ("sent_to_sal", "sent_to_sales", "sals"),
    ("sal_to_sql", "sals", "sqls"),
    ("sql_to_opportunity", "sqls", "opportunities"),
    ("opportunity_to_won", "opportunities", "won"),
)
"""Each stage-to-stage conversion rate: (name, from stage, to stage)."""

# Target accounts scored per batch, so one statement's UNWIND list stays moderate.
_BATCH = 1000


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


_MS_PER_DAY = 86_400_000
_ADVANCING = (_S.NEW, _S.MQL, _S.SAL, _S.SQL, _S.OPPORTUNITY)
"""The statuses lead velocity is measured from: the main path but its end."""


def _reach(status: LeadStatus | str) -> int:
    """How far along the main path a lead at ``status`` has come: 0 (NEW) to 5 (WON)."""
    stages = ("mqls", "sals", "sqls", "opportunities", "won")
    return max((i + 1 for i, stage in enumerate(stages) if LeadStatus(status) in REACHED[stage]), default=0)


def _held(row: Mapping[str, Any]) -> set[LeadStatus]:
    """Every status the lead held by ``as_of``: from its history, or its stored status without one."""
    if not row["moved"]:
        return {LeadStatus(row["status"])}
    return {LeadStatus(change["status"]) for change in row["changes"]}


def lead_funnel(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The traditional funnel from rows of ``scorecards/lead_funnel``, one per lead (module docstring).

    >>> day = 86_400_000
    >>> funnel = lead_funnel([
    ...     {"status": "RECYCLED", "sent_to_sales": True, "new": True, "created_at": 0, "moved": True,
    ...      "changes": [{"status": "MQL", "previous": "NEW", "at": 2 * day},
    ...                  {"status": "SAL", "previous": "MQL", "at": 3 * day},
    ...                  {"status": "RECYCLED", "previous": "SAL", "at": 9 * day}]},
    ...     {"status": "NEW", "sent_to_sales": False, "new": False, "created_at": 0, "moved": False, "changes": []}])
    >>> funnel["sals"], funnel["conversion"]["lead_to_mql"], funnel["median_days_to_advance"]["MQL"]
    (1, 0.5, {'median_days': 1.0, 'leads': 1})
    """
    rows = list(rows)
    counts = dict.fromkeys(LEAD_STAGES, 0)
    by_status: Counter[str] = Counter()
    new = 0
    for row in rows:
        held = _held(row)
        sent = bool(row["sent_to_sales"]) or bool(held & REACHED["sals"])
        by_status[str(LeadStatus(row["status"]))] += 1
        new += 1 if row["new"] else 0
        counts["leads"] += 1
        counts["mqls"] += 1 if sent or held & REACHED["mqls"] else 0
        counts["sent_to_sales"] += 1 if sent else 0
        for stage in ("sals", "sqls", "opportunities", "won"):
            counts[stage] += 1 if held & REACHED[stage] else 0
    conversion = {name: _rate(counts[to], counts[start]) for name, start, to in CONVERSIONS}
    return {
        **counts,
        "new_leads": new,
        "by_status": {str(status): by_status.get(str(status), 0) for status in LeadStatus},
        "conversion": conversion,
        "median_days_to_advance": lead_days_to_advance(rows),
    }


def lead_days_to_advance(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per status of :data:`_ADVANCING`, the median days from first entering it to the first later move
    to a status that reached further, over the leads with a history (``leads``: how many moved on).

    NEW is entered when the lead is created, unless the lead arrived with another status (an entry
    without ``previous``: it was never NEW here). Ties in time keep the order the history lists them in.

    >>> day = 86_400_000
    >>> changes = [{"status": "MQL", "previous": "NEW", "at": 4 * day},
    ...            {"status": "NURTURE", "previous": "MQL", "at": 5 * day},
    ...            {"status": "MQL", "previous": "NURTURE", "at": 7 * day},
    ...            {"status": "SQL", "previous": "MQL", "at": 10 * day}]
    >>> lead_days_to_advance([{"created_at": 0, "moved": True, "changes": changes}])["MQL"]
    {'median_days': 6.0, 'leads': 1}
    """
    days: dict[LeadStatus, list[float]] = {status: [] for status in _ADVANCING}
    for row in rows:
        if not row["moved"]:
            continue
        entries = sorted(
            ((change["at"], LeadStatus(change["status"])) for change in row["changes"]), key=lambda e: e[0]
        )
        arrived = any(change.get("previous") is None for change in row["changes"])
        if row["created_at"] is not None and not arrived:
            entries.insert(0, (row["created_at"], _S.NEW))
        for status, values in days.items():
            entered = next((i for i, (_, held) in enumerate(entries) if held == status), None)
            if entered is None:
                continue
            start = entries[entered][0]
            onward = next((at for at, held in entries[entered + 1 :] if _reach(held) > _reach(status)), None)
            if onward is not None:
                values.append((onward - start) / _MS_PER_DAY)
    return {
        str(status): {"median_days": statistics.median(values) if values else None, "leads": len(values)}
        for status, values in days.items()
    }


async def read_lead_funnel(
    db: Database,
    as_of: datetime,
    window_days: int,
    *,
    tier: int | None = None,
    owner_id: str | None = None,
    industry: str | None = None,
) -> dict[str, Any]:
    """The traditional funnel of the leads that exist at ``as_of``, narrowed by the filters."""
    return (await _read_lead_funnel(db, as_of, window_days, tier, owner_id, industry))[0]


async def _read_lead_funnel(
    db: Database, as_of: datetime, window_days: int, tier: int | None, owner_id: str | None, industry: str | None
) -> tuple[dict[str, Any], np.ndarray | None]:
    """The funnel at ``as_of``, and when no lead has anything dated after ``as_of`` (it is the same
    at any later moment but for ``new_leads``) the creation times of its leads in epoch
    milliseconds, sorted (None otherwise)."""
    rows = await db.read(
        "scorecards/lead_funnel",
        as_of=as_of.isoformat(),
        since=(as_of - timedelta(days=window_days)).isoformat(),
        tier=tier,
        owner_id=owner_id,
        industry=_segment(industry),
    )

    def funnel() -> tuple[dict[str, Any], np.ndarray | None]:
        existing = [row for row in rows if row["exists"]]
        settled = all(
            row["exists"] and len(row["changes"]) == row["history_size"] and not row["sent_later"] for row in rows
        )
        created = np.sort(np.array([row["created_at"] for row in existing if row["created_at"] is not None], np.int64))
        return lead_funnel(existing), created if settled else None

    return await asyncio.to_thread(funnel)


def _segment(industry: str | None) -> str | None:
    return industry.strip().lower() if industry and industry.strip() else None


async def target_account_ids(
    db: Database, *, tier: int | None = None, owner_id: str | None = None, industry: str | None = None
) -> list[str]:
    """Ids of the target accounts, narrowed by tier, owner and segment, sorted."""
    rows = await db.read("scorecards/target_accounts", tier=tier, owner_id=owner_id, industry=_segment(industry))
    return sorted(row["id"] for row in rows)


class TargetFigures(Protocol):
    """What the ABM side reads of one target account (an :class:`AccountScorecard` has it all)."""

    @property
    def stage(self) -> AccountStage | None: ...
    @property
    def engaged_leads(self) -> int: ...
    @property
    def coverage(self) -> float: ...
    @property
    def engaged_coverage(self) -> float: ...
    @property
    def open_opportunities(self) -> int: ...
    @property
    def pipeline_amount(self) -> float: ...


@dataclass(frozen=True)
class StoredTargetFigures:
    """One target account's ABM figures at a moment, from stored values (:func:`read_target_figures`)."""

    stage: AccountStage | None
    engaged_leads: int
    coverage: float
    engaged_coverage: float
    open_opportunities: int
    pipeline_amount: float


def abm_funnel(
    scorecards: Mapping[str, TargetFigures], histories: Mapping[str, Any], as_of: datetime
) -> dict[str, Any]:
    """The ABM side from the target accounts' scorecards and stage histories."""
    cards = list(scorecards.values())
    count = len(cards)
    engaged = sum(1 for card in cards if at_or_beyond(card.stage, AccountStage.ENGAGED))
    stages = Counter("NONE" if card.stage is None else str(card.stage) for card in cards)
    as_of_ms = round(as_of.timestamp() * 1000)
    return {
        "target_accounts": count,
        "by_stage": {**{str(stage): stages.get(str(stage), 0) for stage in FUNNEL}, "NONE": stages.get("NONE", 0)},
        "engaged_accounts": engaged,
        "percent_engaged": 100.0 * engaged / count if count else 0.0,
        "accounts_with_engaged_people": sum(1 for card in cards if card.engaged_leads > 0),
        "mean_coverage": sum(card.coverage for card in cards) / count if count else None,
        "mean_engaged_coverage": sum(card.engaged_coverage for card in cards) / count if count else None,
        "open_opportunities": sum(card.open_opportunities for card in cards),
        "pipeline_amount": sum(card.pipeline_amount for card in cards),
        "mqa_to_opportunity": mqa_to_opportunity(histories, as_of_ms),
        "median_days_to_advance": median_days_to_advance(histories, as_of_ms),
    }


async def program_scorecard(
    db: Database,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: datetime | str | None = None,
    *,
    tier: int | None = None,
    owner_id: str | None = None,
    industry: str | None = None,
    live: bool = False,
) -> dict[str, Any]:
    """The program scorecard at ``as_of`` (default now) over a window of ``window_days``.

    Five statements whatever the number of target accounts (the data version, documents, the lead
    funnel, the target accounts' stored figures, the SLA decisions), plus the live computation of
    the targets the stored figures cannot serve (module docstring); two (the data version and the
    SLA decisions) when both funnels kept for this data version, window and filters serve
    ``as_of`` (:class:`_Funnels`). ``live`` computes every target live.

    Returns
    -------
    dict
        JSON-ready: ``window_days``, ``as_of``, ``filters``, ``traditional``, ``abm``, ``sla``
        (module docstring).
    """
    if live:
        program, _ = await program_and_account_scorecards(
            db, window_days, as_of, tier=tier, owner_id=owner_id, industry=industry, live=True
        )
        return program
    as_of = window_moment(as_of, window_days)
    filters = (tier, owner_id, _segment(industry))

    async def build() -> _Funnels:
        return await _funnels(db, window_days, as_of, *filters)

    funnels = await _settled_funnels.get(db, (window_days, *filters), build, valid=lambda kept: kept.serves(as_of))
    if not funnels.serves(as_of):  # built for another moment by a concurrent request
        funnels = await build()
    traditional, abm = funnels.at(as_of)
    return await _program(db, window_days, as_of, traditional, abm, *filters)


def _ms(moment: datetime) -> int:
    """Whole epoch milliseconds of ``moment`` (floor), in integer arithmetic."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Funnels:
    """Both funnels at ``as_of``, and what tells whether they are the same at a later moment.

    ``created_ms``: the leads' creation times when no lead has anything dated after ``as_of``
    (None otherwise); ``abm_settled``: no target is computed live and none has a stage change, a
    stored stage or an opportunity dated after ``as_of``; ``engaged_from_ms``: the earliest last
    engagement of the people counted engaged (None: nobody), who stay engaged while the window
    starts at or before it.
    """

    as_of: datetime
    window_days: int
    traditional: dict[str, Any]
    abm: dict[str, Any]
    created_ms: np.ndarray | None
    abm_settled: bool
    engaged_from_ms: int | None

    def serves(self, moment: datetime) -> bool:
        """Whether :meth:`at` gives the figures at ``moment`` (what computing them again would)."""
        if moment == self.as_of:
            return True
        if moment < self.as_of or self.created_ms is None or not self.abm_settled:
            return False
        since_ms = _ms(moment - timedelta(days=self.window_days))
        if np.any(self.created_ms == since_ms):  # created within the millisecond of the window's start
            return False
        first_ms, _ = window_ms(moment.timestamp(), self.window_days)
        return self.engaged_from_ms is None or first_ms <= self.engaged_from_ms

    def at(self, moment: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        """The traditional and ABM sides at ``moment`` (one :meth:`serves`)."""
        if moment == self.as_of or self.created_ms is None:
            return self.traditional, self.abm
        since_ms = _ms(moment - timedelta(days=self.window_days))
        new = int(self.created_ms.size - np.searchsorted(self.created_ms, since_ms, side="right"))
        return {**self.traditional, "new_leads": new}, self.abm


# Both funnels by data version, window and filters: requests at later moments reuse them while
# nothing dated between changes them (_Funnels.serves).
_settled_funnels: VersionedCache[_Funnels] = VersionedCache(size=8)


async def _funnels(
    db: Database, window_days: int, as_of: datetime, tier: int | None, owner_id: str | None, industry: str | None
) -> _Funnels:
    """Both funnels at ``as_of``: the lead funnel, the target accounts' stored figures, and the live
    computation of the targets the stored figures cannot serve (module docstring)."""
    traditional, created_ms = await _read_lead_funnel(db, as_of, window_days, tier, owner_id, industry)
    documents = await documents_in_force(db)
    stored, histories, rest, settled = await _read_target_figures(
        db, documents, as_of, window_days, tier, owner_id, industry
    )
    figures: dict[str, TargetFigures] = dict(stored)
    for start in range(0, len(rest), _BATCH):
        batch = rest[start : start + _BATCH]
        figures.update(await account_scorecards(db, batch, window_days, as_of, documents=documents))
    abm = await asyncio.to_thread(abm_funnel, figures, histories, as_of)
    return _Funnels(as_of, window_days, traditional, abm, created_ms, settled.abm and not rest, settled.engaged_from_ms)


async def _program(
    db: Database,
    window_days: int,
    as_of: datetime,
    traditional: dict[str, Any],
    abm: dict[str, Any],
    tier: int | None,
    owner_id: str | None,
    industry: str | None,
) -> dict[str, Any]:
    """The scorecard from its parts, with the SLA figures of the window."""
    sla = await sla_metrics(
        db, as_of - timedelta(days=window_days), as_of, tier=tier, owner_id=owner_id, industry=_segment(industry)
    )
    return {
        "window_days": window_days,
        "as_of": as_of.isoformat(),
        "filters": {"tier": tier, "owner_id": owner_id, "industry": _segment(industry)},
        "traditional": traditional,
        "abm": abm,
        "sla": sla,
    }


async def read_target_figures(
    db: Database,
    documents: DocumentsInForce,
    as_of: datetime,
    window_days: int,
    *,
    tier: int | None = None,
    owner_id: str | None = None,
    industry: str | None = None,
) -> tuple[dict[str, StoredTargetFigures], dict[str, tuple[Change, ...]], list[str]]:
    """The ABM figures of the target accounts at ``as_of`` from stored values; one statement.

    Returns the figures by account, every target's stage history, and the ids of the targets the
    stored values cannot serve (module docstring), sorted: compute those live.
    """
    return (await _read_target_figures(db, documents, as_of, window_days, tier, owner_id, industry))[:3]


@dataclass(frozen=True)
class _AbmSettled:
    """Whether the stored figures stay as they are after ``as_of`` (see :class:`_Funnels`)."""

    abm: bool
    engaged_from_ms: int | None


async def _read_target_figures(
    db: Database,
    documents: DocumentsInForce,
    as_of: datetime,
    window_days: int,
    tier: int | None,
    owner_id: str | None,
    industry: str | None,
) -> tuple[dict[str, StoredTargetFigures], dict[str, tuple[Change, ...]], list[str], _AbmSettled]:
    first_ms, last_ms = window_ms(as_of.timestamp(), window_days)
    rows = await db.read(
        "scorecards/target_figures",
        as_of=as_of.isoformat(),
        since_ms=first_ms,
        until_ms=last_ms,
        tier=tier,
        owner_id=owner_id,
        industry=_segment(industry),
    )
    as_of_ms = round(as_of.timestamp() * 1000)

    def figures() -> tuple[dict[str, StoredTargetFigures], dict[str, tuple[Change, ...]], list[str], _AbmSettled]:
        committees, chosen = committee_assignment(documents, [row["account"] for row in rows])
        found, histories, rest = {}, {}, []
        settled = True
        engaged_from = [row["earliest_engaged"] for row in rows if row["earliest_engaged"] is not None]
        for row, index in zip(rows, chosen.tolist(), strict=True):
            account_id = row["account_id"]
            record = stage_record(row)
            histories[account_id] = record.changes
            settled = settled and not (
                row["later_opportunities"]
                or any(at > as_of_ms for _, at in record.changes)
                or (row["stage_since"] is not None and row["stage_since"] > as_of_ms)
            )
            written, saved, latest = row["written_at"], row["model_saved_at"], row["latest_engaged"]
            if (
                written is None
                or (saved is not None and written < saved)
                or (latest is not None and latest > last_ms)
                or row["moved"]
            ):
                rest.append(account_id)
                continue
            coverage = CommitteeCoverage.of_roles(
                committees[index],
                (role for roles in row["known_roles"] for role in roles),
                (role for roles in row["engaged_roles"] for role in roles),
                len(row["engaged_roles"]),
            )
            found[account_id] = StoredTargetFigures(
                stage=record.stage_at(as_of_ms)[0],
                engaged_leads=row["engaged_people"],
                coverage=coverage.coverage,
                engaged_coverage=coverage.engaged_coverage,
                open_opportunities=int(row["opportunities"]),
                pipeline_amount=float(row["amount"] or 0.0),
            )
        return found, histories, sorted(rest), _AbmSettled(settled, min(engaged_from, default=None))

    return await asyncio.to_thread(figures)


async def program_and_account_scorecards(
    db: Database,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: datetime | str | None = None,
    *,
    tier: int | None = None,
    owner_id: str | None = None,
    industry: str | None = None,
    live: bool = False,
) -> tuple[dict[str, Any], dict[str, AccountScorecard]]:
    """The program scorecard and the scorecards of the target accounts it was built from.

    ``live``: every account scorecard computed from the engagements (the reference).
    """
    as_of = window_moment(as_of, window_days)
    traditional = await read_lead_funnel(db, as_of, window_days, tier=tier, owner_id=owner_id, industry=industry)
    targets = await target_account_ids(db, tier=tier, owner_id=owner_id, industry=industry)
    scorecards: dict[str, AccountScorecard] = {}
    histories: dict[str, Any] = {}
    for start in range(0, len(targets), _BATCH):
        batch = targets[start : start + _BATCH]
        scorecards.update(await account_scorecards(db, batch, window_days, as_of, live=live))
        histories.update({i: record.changes for i, record in (await read_stage_records(db, batch)).items()})
    abm = await asyncio.to_thread(abm_funnel, scorecards, histories, as_of)
    program = await _program(db, window_days, as_of, traditional, abm, tier, owner_id, industry)
    return program, scorecards
