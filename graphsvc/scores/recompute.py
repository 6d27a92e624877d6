"""Whole-graph recomputation: match leads, infer roles, score every person and account, write back.

The graph is read **column by column**: a handful of statements each return one record holding
one list per field (``collect(...)``), and the engagements come in pages of persons, so no
statement returns a row per engagement and none runs for long (each page reads the
engagements of at most :data:`READ_PAGE` persons). The columns feed
:meth:`~graphsvc.algorithms.snapshot.GraphSnapshot.from_columns` directly; the array fast path
(:func:`graphsvc.algorithms.snapshot.recompute`) computes every account's engagement, roll-up
and coverage, each person is graded by :func:`graphsvc.algorithms.scoring.lead_score`, and the
results are written back in ``UNWIND`` batches.

What is written, and when:

* scores (``score_*``, ``scored_at``, ``last_engaged_at``) of every account and person, always;
* a lead's ``MATCHED_TO`` only when its match changed (account, method or confidence), so the
  match's ``at`` is when it last changed. Every lead without a MANUAL match is matched again on
  every recompute (accounts' names, domains and contact counts may have changed since), with
  :func:`~graphsvc.algorithms.matching.match_leads`: the same result as matching lead by lead,
  each distinct company name searched once. A MANUAL match is never touched;
* a person's inferred buying role only when it changed (or the person has explicit roles and
  still holds an inferred one);
* the engagement read model (:mod:`graphsvc.scores.read_model`), every account's buckets.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.matching import AccountIndex, Match, MatchMethod, match_leads
from graphsvc.algorithms.roles import resolve_roles
from graphsvc.algorithms.scoring import engagement_points, lead_profile, lead_score
from graphsvc.algorithms.snapshot import GraphSnapshot, Recomputed, recompute
from graphsvc.errors import DatabaseError, InvalidInput
from graphsvc.ranges import stored_time
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.stages import evaluate_stages
from graphsvc.store.database import Database

__all__ = [
    "PHASES",
    "READ_PAGE",
    "ROLL_UP_DELTA",
    "SCORE_EPOCH",
    "GraphColumns",
    "RecomputePlan",
    "RecomputeReport",
    "account_index",
    "automatic_matches",
    "changed_matches",
    "committee_assignment",
    "coverage_props",
    "decay_scale",
    "engagement_points_by_pair",
    "plan_recompute",
    "read_accounts",
    "read_columns",
    "recompute_graph",
    "score_snapshot",
]

log = logging.getLogger(__name__)

StoredMatch = tuple[str | None, str | None, float | None]  # a lead's stored (account id, method, confidence)

# Decayed sums are kept against this moment; see the module docstring.
SCORE_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
# δ of the roll-up R(a) = E(a) + δ·Σ R(children) (SPEC §6).
ROLL_UP_DELTA = 0.5
# Persons whose engagements one statement reads: about 100,000 engagements at the benchmark's
# density, a few seconds, far inside the statement timeout at any graph size.
READ_PAGE = 10_000
# The phases of a recompute, in order (the keys of RecomputeReport.seconds).
PHASES = ("read", "match", "compute", "grade", "write", "read model", "stages")
_WRITE_BATCH = 5000
_CONTRIBUTIONS_KEPT = 10
# Person properties every recompute reads: the title infers roles, the rest matches leads.
_PERSON_FIELDS = ("title", "email", "company", "website")
ENGAGEMENT_WINDOW_DAYS = 90.0  # the window of windowed engagement and coverage (SPEC §7 default)


def decay_scale(moment: datetime, half_life_days: float) -> float:
    """``2^((moment − EPOCH)/h)``: turns a value decayed to ``moment`` into an epoch sum."""
    return 2.0 ** ((moment - SCORE_EPOCH).total_seconds() / 86_400.0 / half_life_days)


async def read_accounts(db: Database) -> list[dict[str, Any]]:
    """Every account with its parent id and contact count (rows; for matching one lead at a time)."""
    return await db.read("scores/accounts")


@dataclass
class GraphColumns:
    """The graph as the recompute reads it: columns, in the order the store returned them.

    Attributes
    ----------
    accounts, account_parents
        Account records (the fields of ``scores/graph_accounts``) and each one's parent id.
    person_fields
        The person properties read: :data:`_PERSON_FIELDS` and the scoring model's demographic fields.
    contact_ids, contact_values, lead_ids, lead_values
        Ids, and per person the values of ``person_fields`` in that order.
    works_at
        Contact id → account id.
    matches
        Lead id → its stored match ``(account id, method, confidence)``.
    explicit_roles, inferred_roles
        Person id → roles assigned by CRM or by hand; person id → roles inferred from titles.
    engagement_persons, engagement_types, engagement_details, engagement_times
        One entry per engagement (details ``''`` when missing, times in epoch milliseconds).
    """

    accounts: list[dict[str, Any]]
    account_parents: list[str | None]
    person_fields: tuple[str, ...]
    contact_ids: list[str]
    contact_values: list[list[Any]]
    lead_ids: list[str]
    lead_values: list[list[Any]]
    works_at: dict[str, str]
    matches: dict[str, StoredMatch]
    explicit_roles: dict[str, list[str]]
    inferred_roles: dict[str, list[str]]
    engagement_persons: list[str] = field(default_factory=list)
    engagement_types: list[str] = field(default_factory=list)
    engagement_details: list[str] = field(default_factory=list)
    engagement_times: list[int] = field(default_factory=list)

    def person_records(self) -> list[dict[str, Any]]:
        """Contacts then leads as ``{"id": ..., field: value}`` records."""
        return [
            {"id": person_id, **dict(zip(self.person_fields, values, strict=True))}
            for ids, value_lists in ((self.contact_ids, self.contact_values), (self.lead_ids, self.lead_values))
            for person_id, values in zip(ids, value_lists, strict=True)
        ]


async def read_columns(db: Database, demographic_fields: Iterable[str] = (), page: int = READ_PAGE) -> GraphColumns:
    """Read everything scoring needs as columns: seven small statements and pages of engagements.

    Parameters
    ----------
    db
        The store.
    demographic_fields
        Person properties the scoring model reads, besides :data:`_PERSON_FIELDS`.
    page
        Persons per engagement statement.
    """
    fields = tuple(dict.fromkeys([*_PERSON_FIELDS, *demographic_fields]))
    [accounts] = await db.read("scores/graph_accounts")
    [contacts] = await db.read("scores/graph_contacts", fields=list(fields))
    [leads] = await db.read("scores/graph_leads", fields=list(fields))
    [works_at] = await db.read("scores/graph_works_at")
    [matches] = await db.read("scores/graph_matches")
    [roles] = await db.read("scores/graph_roles")
    explicit: dict[str, list[str]] = {}
    inferred: dict[str, list[str]] = {}
    for person_id, role, source in roles["roles"]:
        if source == "inferred":
            inferred.setdefault(person_id, []).append(role)
        elif source is not None:  # as in inferred_roles.cypher: a role without source is neither
            explicit.setdefault(person_id, []).append(role)
    columns = GraphColumns(
        accounts=[record for record, _ in accounts["accounts"]],
        account_parents=[parent for _, parent in accounts["accounts"]],
        person_fields=fields,
        contact_ids=contacts["ids"],
        contact_values=contacts["values"],
        lead_ids=leads["ids"],
        lead_values=leads["values"],
        works_at=_one_account_each(works_at["contacts"], works_at["accounts"]),
        matches={lead: (account, method, confidence) for lead, account, method, confidence in matches["matches"]},
        explicit_roles=explicit,
        inferred_roles=inferred,
    )
    for name, ids in (
        ("scores/graph_contact_engagements", columns.contact_ids),
        ("scores/graph_lead_engagements", columns.lead_ids),
    ):
        for start in range(0, len(ids), page):
            [found] = await db.read(name, ids=ids[start : start + page])
            if not len(found["persons"]) == len(found["types"]) == len(found["details"]) == len(found["times"]):
                raise DatabaseError(f"{name} returned columns of different lengths")
            columns.engagement_persons += found["persons"]
            columns.engagement_types += found["types"]
            columns.engagement_details += found["details"]
            columns.engagement_times += found["times"]
    return columns


@dataclass
class RecomputeReport:
    """What a recompute did and how long each phase took.

    ``matched_leads`` counts leads with an automatic match after the recompute;
    ``matches_changed`` and ``roles_changed`` the matches and inferred roles it rewrote.
    """

    as_of: datetime
    accounts: int = 0
    persons: int = 0
    engagements: int = 0
    matched_leads: int = 0
    matches_changed: int = 0
    roles_changed: int = 0
    stage_changes: int = 0
    read_model_buckets: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class RecomputePlan:
    """What a recompute at ``as_of`` writes, computed from the graph as read, nothing written yet.

    ``match_rows`` and ``role_rows`` hold only the matches and inferred roles that differ from the
    stored ones; the score rows cover every account and person. A graph whose stored figures are
    exact yields no match or role rows and score rows equal to what is stored (the property test
    ``tests/scores/test_stored_figures_property.py`` compares them).
    """

    as_of: datetime
    columns: GraphColumns
    snapshot: GraphSnapshot
    matches: dict[str, Match | None]
    match_rows: list[dict[str, Any]]
    role_rows: list[dict[str, Any]]
    contact_rows: list[dict[str, Any]]
    lead_rows: list[dict[str, Any]]
    account_rows: list[dict[str, Any]]


async def plan_recompute(
    db: Database,
    as_of: datetime,
    *,
    page: int = READ_PAGE,
    lap: Callable[[str], None] | None = None,
) -> RecomputePlan:
    """Read the graph and compute everything :func:`recompute_graph` writes at ``as_of``.

    ``lap`` is told the phases ``read``, ``match``, ``compute`` and ``grade`` as they end.
    """
    lap = lap or (lambda phase: None)
    documents = await documents_in_force(db)
    model = documents.scoring
    columns = await read_columns(db, [attribute.field for attribute in model.demographic.attributes], page)
    lap("read")

    persons = columns.person_records()
    matches = _match_leads(columns, persons[len(columns.contact_ids) :])
    roles = _infer_roles(columns, persons, documents)
    lap("match")

    snapshot = _snapshot(columns, persons, matches, roles, documents)
    result = score_snapshot(documents, snapshot, columns.accounts, as_of)
    # The previous window, measured at its own end (as the account scorecard's engagementChange).
    previous = score_snapshot(documents, snapshot, columns.accounts, as_of - timedelta(days=ENGAGEMENT_WINDOW_DAYS))
    lap("compute")

    scale = decay_scale(as_of, model.decay_half_life_days)
    contact_rows, lead_rows = _person_rows(
        result, persons, columns.accounts, documents, scale, len(columns.contact_ids)
    )
    plan = RecomputePlan(
        as_of=as_of,
        columns=columns,
        snapshot=snapshot,
        matches=matches,
        match_rows=changed_matches(columns.matches, matches, as_of.isoformat()),
        role_rows=_changed_roles(columns, roles),
        contact_rows=contact_rows,
        lead_rows=lead_rows,
        account_rows=_account_rows(result, previous.windowed, scale),
    )
    lap("grade")
    return plan


async def recompute_graph(
    db: Database,
    as_of: datetime | None = None,
    *,
    page: int = READ_PAGE,
    progress: Callable[[str], None] | None = None,
) -> RecomputeReport:
    """Rescore the whole graph at ``as_of`` (default now) and write the results back.

    Steps: match every lead without a MANUAL match (SPEC §4); infer roles from titles for
    persons without explicit roles (§5); score persons (§3), accounts and coverage (§6–§7);
    then account stages (§8). ``page`` is the number of persons per engagement read.
    ``progress`` is told the name of each of the :data:`PHASES` as it ends.
    """
    as_of = as_of or datetime.now(UTC)
    # The read model's stamp: taken before the documents are read, so a model saved meanwhile is later.
    read_model_at = datetime.now(UTC)
    report = RecomputeReport(as_of)
    clock = time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[phase] = round(now - clock, 3)
        clock = now
        if progress is not None:
            progress(phase)

    plan = await plan_recompute(db, as_of, page=page, lap=lap)
    stamp = as_of.isoformat()
    await _write(db, "scores/match_leads", plan.match_rows)
    await _write(db, "scores/inferred_roles", plan.role_rows)
    await _write(db, "scores/write_contacts", plan.contact_rows, as_of=stamp)
    await _write(db, "scores/write_leads", plan.lead_rows, as_of=stamp)
    await _write(db, "scores/write_accounts", plan.account_rows, as_of=stamp)
    lap("write")

    from graphsvc.scores.read_model import write_read_model  # it builds on this module

    snapshot = plan.snapshot
    report.read_model_buckets = await write_read_model(
        db, snapshot, np.asarray(plan.columns.engagement_times, dtype=np.int64), read_model_at
    )
    lap("read model")

    # Stages read the scores just written (SPEC §8); only changes are recorded.
    report.stage_changes = len((await evaluate_stages(db, None, as_of)).changed)
    lap("stages")

    report.accounts = len(snapshot.account_ids)
    report.persons = len(snapshot.person_ids)
    report.engagements = len(snapshot.engagement_person)
    report.matched_leads = sum(1 for match in plan.matches.values() if match is not None)
    report.matches_changed = len(plan.match_rows)
    report.roles_changed = len(plan.role_rows)
    log.info("recomputed %d accounts, %d persons at %s: %s", report.accounts, report.persons, stamp, report.seconds)
    return report


# -- steps ------------------------------------------------------------------------------------


def score_snapshot(
    documents: DocumentsInForce,
    snapshot: GraphSnapshot,
    accounts: Sequence[dict[str, Any]],
    as_of: datetime,
    *,
    window_days: float = ENGAGEMENT_WINDOW_DAYS,
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


def _one_account_each(contacts: Sequence[str], accounts: Sequence[str]) -> dict[str, str]:
    """Contact → account; one working at several (the importer moves the link, so none should)
    counts at the smallest account id, so every recompute agrees."""
    works_at: dict[str, str] = {}
    for contact, account in zip(contacts, accounts, strict=True):
        if contact not in works_at or account < works_at[contact]:
            works_at[contact] = account
    return works_at


def _match_leads(columns: GraphColumns, leads: Sequence[dict[str, Any]]) -> dict[str, Match | None]:
    """The automatic match (or None) of every lead that has no MANUAL match."""
    contacts_at: dict[str, int] = {}
    for account_id in columns.works_at.values():
        contacts_at[account_id] = contacts_at.get(account_id, 0) + 1
    index = AccountIndex({**record, "contact_count": contacts_at.get(record["id"], 0)} for record in columns.accounts)
    return automatic_matches(index, leads, columns.matches)


def automatic_matches(
    index: AccountIndex, leads: Sequence[Mapping[str, Any]], stored: Mapping[str, StoredMatch]
) -> dict[str, Match | None]:
    """The automatic match (or None) of each of ``leads`` (records with email, company, website)
    whose ``stored`` match is not MANUAL."""
    automatic = [lead for lead in leads if stored.get(lead["id"], (None, None, None))[1] != MatchMethod.MANUAL]
    found = match_leads(index, [(lead.get("email"), lead.get("company"), lead.get("website")) for lead in automatic])
    return {lead["id"]: result.best for lead, result in zip(automatic, found, strict=True)}


def changed_matches(
    stored: Mapping[str, StoredMatch], matches: Mapping[str, Match | None], stamp: str
) -> list[dict[str, Any]]:
    """Rows for ``scores/match_leads``: the leads whose match is not the ``stored`` one."""
    rows = []
    for lead_id, match in matches.items():
        new = (None, None, None) if match is None else (match.account_id, str(match.method), match.confidence)
        if new != stored.get(lead_id, (None, None, None)):
            rows.append({"id": lead_id, "account_id": new[0], "method": new[1], "confidence": new[2], "at": stamp})
    return rows


Inferred = tuple[str, float] | None  # a role inferred from a title, and its confidence


def _infer_roles(
    columns: GraphColumns, persons: Sequence[dict[str, Any]], documents: DocumentsInForce
) -> dict[str, Inferred]:
    """The role inferred from the title (or None) of every person without explicit roles."""
    by_title: dict[Any, Inferred] = {}
    inferred = {}
    for person in persons:
        if person["id"] in columns.explicit_roles:
            continue
        title = person.get("title")
        if title not in by_title:  # titles repeat: the rules run once per distinct title
            roles = resolve_roles((), title, documents.roles)
            by_title[title] = (roles[0].role, roles[0].confidence) if roles else None
        inferred[person["id"]] = by_title[title]
    return inferred


def _changed_roles(columns: GraphColumns, inferred: dict[str, Inferred]) -> list[dict[str, Any]]:
    """Rows for ``scores/inferred_roles``: persons whose stored inferred role is not the one inferred now.

    A person with explicit roles keeps no inferred one: a row for it removes what it still holds.
    """
    rows = [
        {"id": person_id, "role": None, "confidence": None}
        for person_id in columns.inferred_roles
        if person_id in columns.explicit_roles
    ]
    for person_id, role in inferred.items():
        if columns.inferred_roles.get(person_id, []) != ([role[0]] if role else []):
            rows.append({"id": person_id, "role": role and role[0], "confidence": role and role[1]})
    return rows


def _snapshot(
    columns: GraphColumns,
    persons: Sequence[dict[str, Any]],
    matches: dict[str, Match | None],
    inferred: dict[str, Inferred],
    documents: DocumentsInForce,
) -> GraphSnapshot:
    """The array snapshot, persons in the order of ``persons`` (contacts, then leads)."""
    contacts = len(columns.contact_ids)
    person_accounts: list[str | None] = []
    person_roles: list[list[str]] = []
    for i, person in enumerate(persons):
        person_id = person["id"]
        if i < contacts:
            person_accounts.append(columns.works_at.get(person_id))
        elif person_id in matches:
            match = matches[person_id]
            person_accounts.append(None if match is None else match.account_id)
        else:  # a MANUAL match sticks
            person_accounts.append(columns.matches[person_id][0])
        role = inferred.get(person_id)
        person_roles.append(columns.explicit_roles.get(person_id) or ([role[0]] if role else []))
    model = documents.scoring
    pairs = list(zip(columns.engagement_types, columns.engagement_details, strict=True))
    points = {pair: engagement_points(model, *pair) for pair in set(pairs)}  # once per distinct pair
    return GraphSnapshot.from_columns(
        account_ids=[record["id"] for record in columns.accounts],
        account_parents=columns.account_parents,
        account_fit=[account_fit(documents.icp, record)[0] for record in columns.accounts],
        person_ids=[person["id"] for person in persons],
        person_accounts=person_accounts,
        person_is_contact=[i < contacts for i in range(len(persons))],
        person_roles=person_roles,
        engagement_persons=columns.engagement_persons,
        engagement_points=np.fromiter(map(points.__getitem__, pairs), dtype=np.float64, count=len(pairs)),
        engagement_times=np.asarray(columns.engagement_times, dtype=np.float64) / 1000.0,
    )


def engagement_points_by_pair(model: Any, engagements: Iterable[dict[str, Any]]) -> dict[tuple[Any, Any], float]:
    """Undecayed points per distinct (type, detail): the model is evaluated once per pair."""
    pairs = {(row["type"], row["detail"]) for row in engagements}
    return {pair: engagement_points(model, *pair) for pair in pairs}


def _person_rows(
    result: Recomputed,
    persons: Sequence[dict[str, Any]],
    accounts: Sequence[dict[str, Any]],
    documents: DocumentsInForce,
    scale: float,
    contacts: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows for ``scores/write_contacts`` and ``scores/write_leads`` (persons in snapshot order)."""
    model = documents.scoring
    last_engaged = _last_engaged(result)
    person_account = result.snapshot.person_account.tolist()
    points = result.person_points.tolist()
    rows = []
    for i, person in enumerate(persons):
        account = accounts[person_account[i]] if person_account[i] >= 0 else None
        behavioral = points[i]
        score = lead_score(model, lead_profile(model, person, account), behavioral)
        rows.append(
            {
                "id": person["id"],
                "last_engaged_at": last_engaged.get(i),
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
    return rows[:contacts], rows[contacts:]


def _last_engaged(result: Recomputed) -> dict[int, str]:
    """ISO time of each person's latest engagement with positive points, as the importer keeps it.

    Every stored engagement counts, also one after ``as_of`` (as in an import): the program scorecard
    reads engaged people from it at any moment, trusting it only where it is not after that moment.
    """
    snapshot = result.snapshot
    positive = snapshot.engagement_points > 0
    latest = np.full(len(snapshot.person_ids), -np.inf)
    np.maximum.at(latest, snapshot.engagement_person[positive], snapshot.engagement_time[positive])
    engaged = np.flatnonzero(latest > -np.inf)
    moments = zip(engaged.tolist(), (stored_time(seconds * 1000) for seconds in latest[engaged].tolist()), strict=True)
    return {int(i): moment.isoformat() for i, moment in moments if moment is not None}


def _account_rows(result: Recomputed, previous_windowed: np.ndarray, scale: float) -> list[dict[str, Any]]:
    snapshot = result.snapshot
    before = previous_windowed.tolist()
    names = snapshot.role_names
    top = result.top_contributions(_CONTRIBUTIONS_KEPT)
    rows = []
    for a, account_id in enumerate(snapshot.account_ids):
        contributions = top[a] if result.rolled_up[a] else []
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
                    # (level - previous) / |previous|; None (the property removed) when the previous window had none
                    "score_engagement_change": (
                        (float(result.windowed[a]) - before[a]) / abs(before[a]) if before[a] else None
                    ),
                    **coverage_props(
                        result.committees[int(result.account_committee[a])].name,
                        float(result.coverage[a]),
                        float(result.engaged_coverage[a]),
                        int(result.engaged_contacts[a]),
                        _roles(names, int(result.known_roles[a])),
                        _roles(names, int(result.engaged_roles[a])),
                    ),
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


def coverage_props(
    committee: str,
    coverage: float,
    engaged_coverage: float,
    engaged_contacts: int,
    known_roles: Iterable[str],
    engaged_roles: Iterable[str],
) -> dict[str, Any]:
    """An account's stored coverage figures (roles sorted): the recompute's, and those a write keeps."""
    return {
        "score_coverage": coverage,
        "score_engaged_coverage": engaged_coverage,
        "score_engaged_contacts": engaged_contacts,
        "score_known_roles": sorted(known_roles),
        "score_engaged_roles": sorted(engaged_roles),
        "score_committee": committee,
    }


def _roles(names: Sequence[str], mask: int) -> list[str]:
    return [name for bit, name in enumerate(names) if mask >> bit & 1]


async def _write(db: Database, name: str, rows: list[dict[str, Any]], **params: Any) -> None:
    for start in range(0, len(rows), _WRITE_BATCH):
        await db.write(name, rows=rows[start : start + _WRITE_BATCH], **params)
