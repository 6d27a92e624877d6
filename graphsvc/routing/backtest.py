"""Backtest: stored leads replayed through the rules in force, writing nothing (``graphsvc route --backtest``).

Every lead created since a moment is routed as a dry run, oldest first, at the time of the
backtest (its score and its account's stage now), with the routing and scoring documents in
force. Pools rotate in memory from their stored positions (:class:`~graphsvc.routing.round_robin.
PoolRotation`), so the replay spreads leads as live routing would. The report counts how many
leads would go down each path, by which rule, to whom, and how that differs from the first
decision stored for each lead (what actually happened).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from graphsvc.algorithms.scoring import to_utc
from graphsvc.routing.decisions import NURTURE_RULES, RoutingDecision, first_decisions
from graphsvc.routing.engine import decision_from_plan, plan_routing, read_lead_facts
from graphsvc.routing.round_robin import PoolRotation
from graphsvc.scores.documents import documents_in_force
from graphsvc.store.database import Database

__all__ = ["BacktestReport", "backtest", "difference", "format_backtest"]

_BATCH = 500
_NO_PATH = "none (disqualified)"


@dataclass(frozen=True)
class BacktestReport:
    """The dry-run decisions of a replay and the stored first decisions they are compared with."""

    since: datetime
    at: datetime
    routing_version: int
    scoring_version: int
    would: tuple[RoutingDecision, ...]
    actual: dict[str, RoutingDecision]

    @property
    def differences(self) -> Counter[str]:
        """How many leads fall in each comparison category (see :func:`difference`)."""
        return Counter(difference(d, self.actual.get(d.lead_id)) for d in self.would)


def difference(would: RoutingDecision, actual: RoutingDecision | None) -> str:
    """How a replayed decision compares with the stored one.

    One of ``"same"``, ``"no stored decision"``, ``"other path"``, ``"other rule"`` (same path,
    e.g. nurtured instead of routed) and ``"other assignee"``.
    """
    if actual is None:
        return "no stored decision"
    if would.path != actual.path:
        return "other path"
    if would.rule != actual.rule or (would.assignee_id is None) != (actual.assignee_id is None):
        return "other rule"
    if would.assignee_id != actual.assignee_id:
        return "other assignee"
    return "same"


async def backtest(db: Database, since: datetime, now: datetime | None = None) -> BacktestReport:
    """Replay the leads created at or after ``since`` through the rules in force at ``now``."""
    since, now = to_utc(since), to_utc(now) if now else datetime.now(UTC)
    documents = await documents_in_force(db)
    lead_ids = [row["id"] for row in await db.read("routing/leads_created_since", since=since.isoformat())]
    rotation = PoolRotation(db)
    would: list[RoutingDecision] = []
    actual: dict[str, RoutingDecision] = {}
    for start in range(0, len(lead_ids), _BATCH):
        batch = lead_ids[start : start + _BATCH]
        facts = await read_lead_facts(db, batch)
        for lead_id in batch:
            plan = plan_routing(facts[lead_id], documents, now)
            pick = await rotation.pick(plan.pool) if plan.pool else None
            would.append(decision_from_plan(plan, documents, now, pick, dry_run=True))
        actual.update(await first_decisions(db, batch))
    return BacktestReport(since, now, documents.routing.version, documents.scoring.version, tuple(would), actual)


def format_backtest(report: BacktestReport, assignees: int = 15) -> str:
    """A plain-text summary: by path and outcome, by rule, to whom, and against what happened."""
    lines = [
        f"backtest of {len(report.would)} leads created since {report.since.isoformat()}, "
        f"replayed at {report.at.isoformat()} (routing v{report.routing_version}, scoring v{report.scoring_version})",
        "",
        f"{'path':<22}{'leads':>7}{'assigned':>10}{'nurture':>9}{'unassigned':>12}",
    ]
    by_path: dict[str, list[RoutingDecision]] = {}
    for decision in report.would:
        by_path.setdefault(str(decision.path) if decision.path else _NO_PATH, []).append(decision)
    for path, decisions in sorted(by_path.items()):
        assigned = sum(d.assignee_id is not None for d in decisions)
        nurtured = sum(d.rule in NURTURE_RULES for d in decisions)
        lines.append(
            f"{path:<22}{len(decisions):>7}{assigned:>10}{nurtured:>9}{len(decisions) - assigned - nurtured:>12}"
        )
    lines += ["", "by rule: " + ", ".join(f"{rule} {n}" for rule, n in _ranked(d.rule for d in report.would))]
    how = _ranked(f"{d.path} via {d.assigned_by}" for d in report.would if d.assignee_id)
    lines.append("assigned via: " + (", ".join(f"{key} {n}" for key, n in how) or "nobody"))
    lines += ["", f"to whom (top {assignees}):"]
    to_whom = _ranked(d.assignee_id for d in report.would if d.assignee_id)
    lines += [f"  {user:<24}{n:>6}" for user, n in to_whom[:assignees]] or ["  nobody"]
    lines += ["", "against the stored decisions:"]
    lines.append("  " + ", ".join(f"{category} {n}" for category, n in _ranked(report.differences.elements())))
    changed = _ranked(
        f"{_outcome(report.actual[d.lead_id])} -> {_outcome(d)}"
        for d in report.would
        if difference(d, report.actual.get(d.lead_id)) not in ("same", "no stored decision")
    )
    lines += [f"  {n:>5}  {change}" for change, n in changed[:assignees]]
    return "\n".join(lines)


def _outcome(decision: RoutingDecision) -> str:
    where = decision.assignee_id or ("NURTURE" if decision.rule in NURTURE_RULES else "UNASSIGNED")
    return f"{decision.path or 'no path'} {decision.rule} {where}"


def _ranked(items: Iterable[object]) -> list[tuple[str, int]]:
    """Counts of ``items``, largest first, ties by name."""
    counts = Counter(str(item) for item in items)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
