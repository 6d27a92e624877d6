"""Whole-graph recomputation: match leads, infer roles, score every person and account, write back.

The graph is read once into plain rows, the array fast path
(:func:`graphsvc.algorithms.snapshot.recompute`) computes every account's engagement, roll-up and
coverage, each person is graded by :func:`graphsvc.algorithms.scoring.lead_score`, and the results
are written back in ``UNWIND`` batches.

Stored engagement is kept as *decayed sums against a fixed epoch* (SPEC §6, issue hint):
``Σ points·2^((t−EPOCH)/h)``. A sum is independent of when it is read: multiplying it by
``2^(−(as_of−EPOCH)/h)`` gives the decayed value at ``as_of`` (for engagements up to ``as_of``).
That lets a new engagement add to the sums of exactly its person, account and ancestors
(:mod:`graphsvc.scores.incremental`) instead of rescoring the graph. Changing the half-life,
role weights or the scoring model needs a full recompute.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.matching import AccountIndex, match_lead
from graphsvc.algorithms.roles import resolve_roles
from graphsvc.algorithms.scoring import engagement_points, lead_profile, lead_score
from graphsvc.algorithms.snapshot import GraphSnapshot, Recomputed, recompute
from graphsvc.errors import InvalidInput
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.stages import evaluate_stages
from graphsvc.store.database import Database

__all__ = [
    "ROLL_UP_DELTA",
    "SCORE_EPOCH",
    "GraphRows",
    "RecomputeReport",
    "account_index",
    "committee_assignment",
    "decay_scale",
    "engagement_points_by_pair",
    "read_accounts",
    "read_graph",
    "recompute_graph",
    "score_snapshot",
]

log = logging.getLogger(__name__)

# Decayed sums are kept against this moment; see the module docstring.
SCORE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
# δ of the roll-up R(a) = E(a) + δ·Σ R(children) (SPEC §6).
ROLL_UP_DELTA = 0.5
_WRITE_BATCH = 5000
_CONTRIBUTIONS_KEPT = 10


def decay_scale(moment: datetime, half_life_days: float) -> float:
    """``2^((moment − EPOCH)/h)``: turns a value decayed to ``moment`` into an epoch sum."""
    return 2.0 ** ((moment - SCORE_EPOCH).total_seconds() / 86_400.0 / half_life_days)


@dataclass
class GraphRows:
    """The graph as read for scoring: accounts, persons (contacts then leads), engagements."""

    accounts: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    leads: list[dict[str, Any]]
    engagements: list[dict[str, Any]]


async def read_accounts(db: Database) -> list[dict[str, Any]]:
    """Every account with its parent id and contact count."""
    return await db.read("scores/accounts")


async def read_graph(db: Database) -> GraphRows:
    """Read everything scoring needs, one statement per kind."""
    return GraphRows(
        accounts=await read_accounts(db),
        contacts=await db.read("scores/contacts"),
        leads=await db.read("scores/leads"),
        engagements=await db.read("scores/engagements"),
    )


@dataclass
class RecomputeReport:
    """What a recompute did and how long each phase took."""

    as_of: datetime
    accounts: int = 0
    persons: int = 0
    engagements: int = 0
    matched_leads: int = 0
    stage_changes: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


async def recompute_graph(db: Database, as_of: datetime | None = None) -> RecomputeReport:
    """Rescore the whole graph at ``as_of`` (default now) and write the results back.

    Steps: match every lead without a MANUAL match (SPEC §4); infer roles from titles for
    persons without explicit roles (§5); score persons (§3), accounts and coverage (§6–§7).
    """
    as_of = as_of or datetime.now(UTC)
    report = RecomputeReport(as_of)
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[phase] = round(now - clock, 3)
        clock = now

    documents = await documents_in_force(db)
    rows = await read_graph(db)
    lap("read")

    matches = _match_leads(rows)
    roles = _resolve_roles(rows, documents)
    lap("match")

    snapshot, persons = _snapshot(rows, matches, roles, documents)
    account_records = {row["account"]["id"]: row["account"] for row in rows.accounts}
    result = score_snapshot(documents, snapshot, [account_records[a] for a in snapshot.account_ids], as_of)
    model = documents.scoring
    lap("compute")

    scale = decay_scale(as_of, model.decay_half_life_days)
    person_rows = _person_rows(result, persons, account_records, documents, scale)
    account_rows = _account_rows(result, scale)
    lap("grade")

    stamp = as_of.isoformat()
    await _write(db, "scores/match_leads", [_match_row(lead, match, stamp) for lead, match in matches.items()])
    await _write(db, "scores/inferred_roles", [{"id": pid, **role} for pid, role in roles.items()])
    await _write(db, "scores/write_persons", person_rows, as_of=stamp)
    await _write(db, "scores/write_accounts", account_rows, as_of=stamp)
    lap("write")

    # Stages read the scores just written (SPEC §8); only changes are recorded.
    report.stage_changes = len((await evaluate_stages(db, None, as_of)).changed)
    lap("stages")

    report.accounts = len(snapshot.account_ids)
    report.persons = len(snapshot.person_ids)
    report.engagements = len(snapshot.engagement_person)
    report.matched_leads = sum(1 for match in matches.values() if match is not None)
    log.info("recomputed %d accounts, %d persons at %s: %s", report.accounts, report.persons, stamp, report.seconds)
    return report


# -- steps ------------------------------------------------------------------------------------


def score_snapshot(
    documents: DocumentsInForce,
    snapshot: GraphSnapshot,
    accounts: Sequence[dict[str, Any]],
    as_of: datetime,
    *,
    window_days: float = 90.0,
    template: str | None = None,
) -> Recomputed:
    """The fast path over ``snapshot`` with the documents in force (``accounts`` in snapshot order).

    The one place that turns documents into the algorithm's parameters, for the whole-graph
    recompute and for the API's subtrees alike.
    """
    committees, account_committee = committee_assignment(documents, accounts, template)
    return recompute(
        snapshot,
        as_of,
        committee=committees,
        account_committee=account_committee,
        role_weights=documents.roles.propagation_weights,
        no_role_weight=documents.roles.no_role_weight,
        half_life_days=documents.scoring.decay_half_life_days,
        delta=ROLL_UP_DELTA,
        window_days=window_days,
    )


def committee_assignment(
    documents: DocumentsInForce, accounts: Sequence[dict[str, Any]], template: str | None = None
) -> tuple[tuple[Any, ...], np.ndarray]:
    """The committee templates and, per account, the index of the one its coverage uses.

    ``template`` names one template for every account; otherwise each account gets the first
    segment template that claims it, else ``default`` (SPEC §7). The document's templates serve
    coverage directly: they fit the algorithms' ``Committee`` protocol.
    """
    committees = tuple(documents.committees.templates)
    by_name = {committee.name: i for i, committee in enumerate(committees)}
    if template is not None:
        if template not in by_name:
            raise InvalidInput(f"no committee template named {template!r}; templates: {', '.join(by_name)}")
        chosen = by_name[template]
        return committees, np.full(len(accounts), chosen, dtype=np.int64)
    return committees, np.array(
        [by_name[documents.committees.template_for(account).name] for account in accounts], dtype=np.int64
    )


def account_index(accounts: Iterable[dict[str, Any]]) -> AccountIndex:
    """Accounts (rows of :func:`read_accounts`) indexed for matching; ties go to more contacts."""
    return AccountIndex({**row["account"], "contact_count": row["contact_count"]} for row in accounts)


def _match_leads(rows: GraphRows) -> dict[str, Any]:
    """The new automatic match (or None) of every lead that has no MANUAL match."""
    index = account_index(rows.accounts)
    matches = {}
    for row in rows.leads:
        if row["match_method"] == "MANUAL":
            continue
        lead = row["person"]
        matches[lead["id"]] = match_lead(
            index, email=lead.get("email"), company=lead.get("company"), website=lead.get("website")
        ).best
    return matches


def _match_row(lead_id: str, match: Any, stamp: str) -> dict[str, Any]:
    if match is None:
        return {"id": lead_id, "account_id": None, "method": None, "confidence": None, "at": stamp}
    return {
        "id": lead_id,
        "account_id": match.account_id,
        "method": str(match.method),
        "confidence": match.confidence,
        "at": stamp,
    }


def _resolve_roles(rows: GraphRows, documents: DocumentsInForce) -> dict[str, dict[str, Any]]:
    """The inferred role (or None) of every person without explicit roles."""
    inferred = {}
    for row in rows.contacts + rows.leads:
        if row["explicit_roles"]:
            continue
        roles = resolve_roles((), row["person"].get("title"), documents.roles)
        inferred[row["person"]["id"]] = (
            {"role": roles[0].role, "confidence": roles[0].confidence} if roles else {"role": None, "confidence": None}
        )
    return inferred


def _snapshot(
    rows: GraphRows,
    matches: dict[str, Any],
    inferred: dict[str, dict[str, Any]],
    documents: DocumentsInForce,
) -> tuple[GraphSnapshot, list[dict[str, Any]]]:
    """The array snapshot, and the person records in snapshot order."""
    icp = documents.icp
    accounts = [(row["account"]["id"], row["parent_id"], account_fit(icp, row["account"])[0]) for row in rows.accounts]
    persons: list[dict[str, Any]] = []
    person_rows = []
    for row, is_contact in [(row, True) for row in rows.contacts] + [(row, False) for row in rows.leads]:
        person = row["person"]
        account_id = row["account_id"]
        if not is_contact and person["id"] in matches:
            match = matches[person["id"]]
            account_id = match.account_id if match is not None else None
        roles = row["explicit_roles"] or [r for r in [inferred.get(person["id"], {}).get("role")] if r]
        persons.append({**person, "_account_id": account_id, "_roles": roles, "_is_contact": is_contact})
        person_rows.append((person["id"], account_id, is_contact, roles))
    model = documents.scoring
    points = engagement_points_by_pair(model, rows.engagements)
    engagements = (
        (row["person_id"], points[(row["type"], row["detail"])], row["at"] / 1000.0) for row in rows.engagements
    )
    return GraphSnapshot.from_records(accounts, person_rows, engagements), persons


def engagement_points_by_pair(model: Any, engagements: Iterable[dict[str, Any]]) -> dict[tuple[Any, Any], float]:
    """Undecayed points per distinct (type, detail): the model is evaluated once per pair."""
    pairs = {(row["type"], row["detail"]) for row in engagements}
    return {pair: engagement_points(model, *pair) for pair in pairs}


def _person_rows(
    result: Recomputed,
    persons: Sequence[dict[str, Any]],
    accounts: dict[str, dict[str, Any]],
    documents: DocumentsInForce,
    scale: float,
) -> list[dict[str, Any]]:
    model = documents.scoring
    rows = []
    for i, person in enumerate(persons):
        account = accounts.get(person["_account_id"]) if person["_account_id"] else None
        behavioral = float(result.person_points[i])
        score = lead_score(model, lead_profile(model, person, account), behavioral)
        rows.append(
            {
                "id": person["id"],
                "props": {
                    "score_total": score.total,
                    "score_demographic": score.demographic,
                    "score_behavioral": score.behavioral,
                    "score_fit": score.fit,
                    "score_completeness": score.completeness,
                    "score_interest": str(score.interest),
                    "score_grade": str(score.grade),
                    "score_objectives": [str(objective) for objective in score.nurture_objectives],
                    "score_disqualified": score.disqualified,
                    "score_decay_sum": behavioral * scale,
                },
            }
        )
    return rows


def _account_rows(result: Recomputed, scale: float) -> list[dict[str, Any]]:
    snapshot = result.snapshot
    names = snapshot.role_names
    rows = []
    for a, account_id in enumerate(snapshot.account_ids):
        contributions = result.contributions(account_id, _CONTRIBUTIONS_KEPT) if result.rolled_up[a] else []
        rows.append(
            {
                "id": account_id,
                "props": {
                    "score_engagement": float(result.engagement[a]),
                    "score_rolled_up": float(result.rolled_up[a]),
                    "score_fit": float(snapshot.account_fit[a]),
                    "score_total": float(result.total[a]),
                    "score_engagement_sum": float(result.engagement[a]) * scale,
                    "score_rolled_sum": float(result.rolled_up[a]) * scale,
                    "score_windowed": float(result.windowed[a]),
                    "score_rolled_windowed": float(result.rolled_up_windowed[a]),
                    "score_coverage": float(result.coverage[a]),
                    "score_engaged_coverage": float(result.engaged_coverage[a]),
                    "score_engaged_contacts": int(result.engaged_contacts[a]),
                    "score_known_roles": _roles(names, int(result.known_roles[a])),
                    "score_engaged_roles": _roles(names, int(result.engaged_roles[a])),
                    "score_committee": result.committees[int(result.account_committee[a])].name,
                    "score_contributions": json.dumps(
                        [
                            {
                                "source_id": c.source_id,
                                "kind": c.kind,
                                "points": c.points,
                                "weight": c.weight,
                                "path": list(c.path),
                            }
                            for c in contributions
                        ]
                    ),
                },
            }
        )
    return rows


def _roles(names: Sequence[str], mask: int) -> list[str]:
    return [name for bit, name in enumerate(names) if mask >> bit & 1]


async def _write(db: Database, name: str, rows: list[dict[str, Any]], **params: Any) -> None:
    for start in range(0, len(rows), _WRITE_BATCH):
        await db.write(name, rows=rows[start : start + _WRITE_BATCH], **params)
