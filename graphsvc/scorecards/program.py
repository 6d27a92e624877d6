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

Filters: ``tier`` and ``owner_id`` narrow target accounts, and leads through the account they are
matched to; ``industry`` (the segment) narrows target accounts by their industry and leads by
their account's industry, else their own.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from graphsvc.funnel import FUNNEL, AccountStage, LeadStatus, at_or_beyond
from graphsvc.routing.metrics import sla_metrics
from graphsvc.scorecards.account import DEFAULT_WINDOW_DAYS, AccountScorecard, account_scorecards, window_moment
from graphsvc.scorecards.velocity import median_days_to_advance, mqa_to_opportunity, read_stage_records
from graphsvc.store.database import Database

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
    rows = await db.read(
        "scorecards/lead_funnel",
        as_of=as_of.isoformat(),
        since=(as_of - timedelta(days=window_days)).isoformat(),
        tier=tier,
        owner_id=owner_id,
        industry=_segment(industry),
    )
    return lead_funnel(rows)


def _segment(industry: str | None) -> str | None:
    return industry.strip().lower() if industry and industry.strip() else None


async def target_account_ids(
    db: Database, *, tier: int | None = None, owner_id: str | None = None, industry: str | None = None
) -> list[str]:
    """Ids of the target accounts, narrowed by tier, owner and segment, sorted."""
    rows = await db.read("scorecards/target_accounts", tier=tier, owner_id=owner_id, industry=_segment(industry))
    return sorted(row["id"] for row in rows)


def abm_funnel(
    scorecards: Mapping[str, AccountScorecard], histories: Mapping[str, Any], as_of: datetime
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
) -> dict[str, Any]:
    """The program scorecard at ``as_of`` (default now) over a window of ``window_days``.

    Returns
    -------
    dict
        JSON-ready: ``window_days``, ``as_of``, ``filters``, ``traditional``, ``abm``, ``sla``
        (module docstring).
    """
    program, _ = await program_and_account_scorecards(
        db, window_days, as_of, tier=tier, owner_id=owner_id, industry=industry
    )
    return program


async def program_and_account_scorecards(
    db: Database,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: datetime | str | None = None,
    *,
    tier: int | None = None,
    owner_id: str | None = None,
    industry: str | None = None,
) -> tuple[dict[str, Any], dict[str, AccountScorecard]]:
    """The program scorecard and the scorecards of the target accounts it was built from."""
    as_of = window_moment(as_of, window_days)
    traditional = await read_lead_funnel(db, as_of, window_days, tier=tier, owner_id=owner_id, industry=industry)
    targets = await target_account_ids(db, tier=tier, owner_id=owner_id, industry=industry)
    scorecards: dict[str, AccountScorecard] = {}
    histories: dict[str, Any] = {}
    for start in range(0, len(targets), _BATCH):
        batch = targets[start : start + _BATCH]
        scorecards.update(await account_scorecards(db, batch, window_days, as_of))
        histories.update({i: record.changes for i, record in (await read_stage_records(db, batch)).items()})
    sla = await sla_metrics(
        db, as_of - timedelta(days=window_days), as_of, tier=tier, owner_id=owner_id, industry=_segment(industry)
    )
    program = {
        "window_days": window_days,
        "as_of": as_of.isoformat(),
        "filters": {"tier": tier, "owner_id": owner_id, "industry": _segment(industry)},
        "traditional": traditional,
        "abm": abm_funnel(scorecards, histories, as_of),
        "sla": sla,
    }
    return program, scorecards
