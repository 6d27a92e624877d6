"""Lead routing (SPEC §9): the path, the rule and the assignee for one lead.

1. A disqualified lead (status DISQUALIFIED, or a demographic choice at priority −10) is never
   routed: the decision is UNASSIGNED with the reason and the lead becomes DISQUALIFIED.
2. The lead's account is its ``MATCHED_TO`` account (matched at import and by recompute, §4).
3. ABM path, the account is a target: the lead is routed when its score ≥ ``thresholds.abm``, or
   when the account is at MQA or beyond and the score is positive; otherwise it is nurtured.
   The assignee is the account owner if active, else the active owner of the nearest ancestor
   account (an ancestor whose owner is inactive is passed over), else the next member of the
   ABM pool by round robin. Owners take their accounts' leads whatever their capacity;
   capacity limits the round robin only.
4. Traditional path, every other lead: score ≥ ``thresholds.mql`` → the next member of the
   traditional pool; below it → NURTURE with the lead's nurture objectives.

A routed lead becomes MQL (so does one that met its threshold but found nobody to take it); a
nurtured one NURTURE; both only where the funnel allows the move (:mod:`graphsvc.funnel`). The
score is the lead's score now from its stored decayed sums (:func:`~graphsvc.scores.current.
lead_score_at`), compared at 6 decimals so that a sum decayed and read back to 99.9999999999
counts as the 100 it is. Thresholds come from the scoring model in force, pools and SLA hours
from the routing document; every decision records both versions, so changing either affects
new decisions only.

A lead has at most one open (PENDING) decision: routing a lead that has one returns that
decision. With ``dry_run`` nothing is written and the round robin does not move.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.algorithms.scoring import to_utc
from graphsvc.errors import DatabaseError, NotFound
from graphsvc.funnel import AccountStage, LeadStatus, at_or_beyond, moves_into
from graphsvc.lifecycle import ROUTING, StatusChange, status_events
from graphsvc.routing import events
from graphsvc.routing.decisions import (
    AssignedBy,
    DecisionStatus,
    RoutingDecision,
    RoutingPath,
    RoutingRule,
    new_id,
    read_decisions,
)
from graphsvc.routing.round_robin import Pick, pool_from_rows, read_pool
from graphsvc.scores.current import lead_score_at
from graphsvc.scores.documents import DocumentsInForce, documents_from_rows, documents_in_force, known_documents
from graphsvc.store.database import Database, Transaction
from graphsvc.webhooks.events import WebhookEvent, record_events, routing_event

__all__ = [
    "SCORE_DECIMALS",
    "LeadFacts",
    "Owner",
    "RoutedLead",
    "RoutingPlan",
    "decision_from_plan",
    "plan_routing",
    "read_lead_facts",
    "route",
    "route_lead",
]

SCORE_DECIMALS = 6
# Routings decided and written in one transaction at most: enough for every client of a busy
# process, few enough that one transaction stays short.
_BATCH_LIMIT = 64
_DISQUALIFYING_PRIORITY = -10


@dataclass(frozen=True)
class Owner:
    """A user owning the lead's account (distance 0) or one of its ancestors (distance ≥ 1)."""

    id: str
    name: str | None
    active: bool
    account_id: str
    account_name: str | None
    distance: int

    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name else self.id


@dataclass(frozen=True)
class LeadFacts:
    """What routing decides on for one lead (``routing/lead_facts``)."""

    lead: dict[str, Any]
    account: dict[str, Any] | None
    match_method: str | None
    match_confidence: float | None
    owner: Owner | None
    ancestor_owners: tuple[Owner, ...]
    open_decision_id: str | None

    @property
    def id(self) -> str:
        return self.lead["id"]

    @property
    def status(self) -> LeadStatus:
        return LeadStatus(self.lead.get("status") or LeadStatus.NEW)


async def read_lead_facts(db: Database, lead_ids: Iterable[str]) -> dict[str, LeadFacts]:
    """Routing facts of each lead in ``lead_ids`` that exists, by lead id."""
    return _facts_by_lead(await db.read("routing/lead_facts", ids=list(lead_ids), known_documents=known_documents()))


def _facts_by_lead(rows: Iterable[dict[str, Any]]) -> dict[str, LeadFacts]:
    facts: dict[str, LeadFacts] = {}
    for row in rows:
        account = row["account"]
        owner = row["owner"]
        lead_id = row["lead"]["id"]
        if lead_id in facts:  # an account with two owners: the first one read stands
            continue
        facts[lead_id] = LeadFacts(
            lead=row["lead"],
            account=account,
            match_method=row["match_method"],
            match_confidence=row["match_confidence"],
            owner=None if owner is None else _owner(owner, account, 0),
            ancestor_owners=tuple(
                sorted(
                    (
                        _owner(a, {"id": a["account_id"], "name": a["account_name"]}, a["distance"])
                        for a in row["ancestor_owners"]
                    ),
                    key=lambda o: (o.distance, o.account_id),
                )
            ),
            open_decision_id=row["open_decision_id"],
        )
    return facts


def _owner(user: dict[str, Any], account: dict[str, Any], distance: int) -> Owner:
    active = user.get("active") is not False  # a user imported without `active` counts as active
    return Owner(user["id"], user.get("name"), active, account["id"], account.get("name"), distance)


def _account_label(account: dict[str, Any]) -> str:
    return f"{account['name']} ({account['id']})" if account.get("name") else account["id"]


@dataclass(frozen=True)
class RoutingPlan:
    """What the rules say for a lead, before a pool (if any) names the assignee."""

    lead_id: str
    path: RoutingPath | None
    rule: RoutingRule
    threshold: float | None
    score: float
    reasons: tuple[str, ...]
    lead_status: LeadStatus
    account_id: str | None = None
    assignee: Owner | None = None
    assigned_by: AssignedBy | None = None
    pool: str | None = None
    nurture_objectives: tuple[str, ...] = ()


def plan_routing(facts: LeadFacts, documents: DocumentsInForce, now: datetime) -> RoutingPlan:
    """Apply the routing rules (module docstring, 1–4) to one lead at ``now``."""
    score = lead_score_at(documents, facts.lead, facts.account, now)
    value = round(score.total, SCORE_DECIMALS)
    thresholds = documents.scoring.thresholds
    account = facts.account
    common: dict[str, Any] = {"lead_id": facts.id, "score": value, "account_id": account and account["id"]}
    objectives = tuple(str(objective) for objective in score.nurture_objectives)
    nurture_reason = (f"nurture objectives: {', '.join(objectives)}",) if objectives else ()

    if facts.status is LeadStatus.DISQUALIFIED or score.disqualified:
        why = (
            "the lead's status is DISQUALIFIED"
            if facts.status is LeadStatus.DISQUALIFIED
            else f"disqualified by {_disqualifying_choices(score, documents)}"
        )
        return RoutingPlan(
            path=None,
            rule=RoutingRule.DISQUALIFIED,
            threshold=None,
            reasons=(why, "disqualified leads are never routed"),
            lead_status=LeadStatus.DISQUALIFIED,
            **common,
        )

    if account is not None and account.get("is_target"):
        stage = account.get("stage")
        reasons = [
            f"matched to target account {_account_label(account)} by {facts.match_method}"
            f" ({float(facts.match_confidence or 0):.2f})"
        ]
        if value >= thresholds.abm:
            rule, threshold = RoutingRule.ABM_THRESHOLD, thresholds.abm
            reasons.append(f"lead score {value:g} ≥ ABM threshold {thresholds.abm:g}")
        elif at_or_beyond(stage, AccountStage.MQA) and value > 0:
            rule, threshold = RoutingRule.ABM_ACCOUNT_STAGE, 0.0
            reasons.append(f"account is at stage {stage} and the lead score {value:g} is positive")
        else:
            why_not = (
                "and is not positive"
                if at_or_beyond(stage, AccountStage.MQA)
                else f"and account stage {stage or 'none'} is before MQA"
            )
            reasons.append(f"lead score {value:g} < ABM threshold {thresholds.abm:g} {why_not}")
            return RoutingPlan(
                path=RoutingPath.ABM,
                rule=RoutingRule.ABM_NURTURE,
                threshold=thresholds.abm,
                reasons=(*reasons, "nurture", *nurture_reason),
                lead_status=LeadStatus.NURTURE,
                nurture_objectives=objectives,
                **common,
            )
        assignee, how, found = _account_assignee(facts, account, documents.routing.abm.pool)
        return RoutingPlan(
            path=RoutingPath.ABM,
            rule=rule,
            threshold=threshold,
            reasons=(*reasons, *found),
            lead_status=LeadStatus.MQL,
            assignee=assignee,
            assigned_by=how,
            pool=None if assignee else documents.routing.abm.pool,
            **common,
        )

    where = (
        "not matched to an account"
        if account is None
        else f"matched to {_account_label(account)} by {facts.match_method}, not a target account"
    )
    if value >= thresholds.mql:
        return RoutingPlan(
            path=RoutingPath.TRADITIONAL,
            rule=RoutingRule.MQL_THRESHOLD,
            threshold=thresholds.mql,
            reasons=(where, f"lead score {value:g} ≥ MQL threshold {thresholds.mql:g}"),
            lead_status=LeadStatus.MQL,
            pool=documents.routing.traditional.pool,
            **common,
        )
    return RoutingPlan(
        path=RoutingPath.TRADITIONAL,
        rule=RoutingRule.NURTURE,
        threshold=thresholds.mql,
        reasons=(where, f"lead score {value:g} < MQL threshold {thresholds.mql:g}: nurture", *nurture_reason),
        lead_status=LeadStatus.NURTURE,
        nurture_objectives=objectives,
        **common,
    )


def _disqualifying_choices(score: Any, documents: DocumentsInForce) -> str:
    """The demographic choices at priority −10 behind a disqualification, e.g. ``seniority = student``."""
    priorities = {
        (attribute.field, key): priority
        for attribute in documents.scoring.demographic.attributes
        for key, priority in attribute.choices.items()
    }
    found = [
        f"{c.path[1]} = {c.path[2]}"
        for c in score.contributions
        if c.kind == "field" and priorities.get((c.path[1], c.path[2])) == _DISQUALIFYING_PRIORITY
    ]
    return f"{', '.join(found)} (priority {_DISQUALIFYING_PRIORITY})"


def _account_assignee(
    facts: LeadFacts, account: dict[str, Any], pool: str
) -> tuple[Owner | None, AssignedBy | None, list[str]]:
    """The account owner if active, else the nearest active owner up the hierarchy, with reasons."""
    owner = facts.owner
    if owner is not None and owner.active:
        return owner, AssignedBy.ACCOUNT_OWNER, [f"assigned to the account owner {owner.label()}"]
    reasons = [
        f"account owner {owner.label()} is inactive" if owner else f"account {_account_label(account)} has no owner"
    ]
    for ancestor in facts.ancestor_owners:
        where = f"owner of {ancestor.account_name or ancestor.account_id} ({ancestor.account_id})"
        if ancestor.active:
            levels = "1 level" if ancestor.distance == 1 else f"{ancestor.distance} levels"
            reasons.append(f"assigned to {ancestor.label()}, {where}, {levels} up the account hierarchy")
            return ancestor, AssignedBy.ANCESTOR_OWNER, reasons
        reasons.append(f"{ancestor.label()}, {where}, is inactive")
    reasons.append(f"no active owner up the account hierarchy: round robin in pool {pool}")
    return None, None, reasons


def decision_from_plan(
    plan: RoutingPlan, documents: DocumentsInForce, now: datetime, pick: Pick | None, *, dry_run: bool = False
) -> RoutingDecision:
    """The decision a plan makes once its pool (if any) has named the assignee."""
    member = pick.member if pick else None
    assignee_id = plan.assignee.id if plan.assignee else member and member.id
    sla_hours = (documents.routing.abm if plan.path is RoutingPath.ABM else documents.routing.traditional).sla_hours
    return RoutingDecision(
        id=new_id(),
        lead_id=plan.lead_id,
        path=plan.path,
        rule=plan.rule,
        threshold=plan.threshold,
        score=plan.score,
        status=DecisionStatus.PENDING if assignee_id else DecisionStatus.UNASSIGNED,
        reasons=plan.reasons + (pick.reasons if pick else ()),
        decided_at=now,
        sla_due_at=now + timedelta(hours=sla_hours) if assignee_id else None,
        assignee_id=assignee_id,
        assigned_by=plan.assigned_by or (AssignedBy.POOL if member else None),
        account_id=plan.account_id,
        pool=pick.pool if member and pick else None,
        pool_slot=pick.claim.version + 1 if member and pick and pick.claim else None,
        nurture_objectives=plan.nurture_objectives,
        config_version=documents.routing.version,
        scoring_version=documents.scoring.version,
        dry_run=dry_run,
    )


@dataclass(frozen=True)
class RoutedLead:
    """A routing's decision, and the lead's facts as they stand after it.

    ``lead`` is None when they are not known without another read (the routing lost a race to a
    concurrent one); otherwise its ``lead`` record carries the status the decision left.
    ``assignee`` is the assigned user as stored with a new decision (with its open assignments,
    fields of ``api/users_by_ids``); None otherwise.
    """

    decision: RoutingDecision
    lead: LeadFacts | None
    assignee: dict[str, Any] | None = None


async def route_lead(db: Database, lead_id: str, dry_run: bool = False, now: datetime | None = None) -> RoutingDecision:
    """Route one lead (SPEC §9) and store the decision unless ``dry_run``.

    Parameters
    ----------
    db
        The store.
    lead_id
        The lead to route.
    dry_run
        Decide without writing anything (the round robin does not move either).
    now
        The decision time (default now); scores are read at this moment.

    Returns
    -------
    RoutingDecision
        The new decision, or the lead's open PENDING decision when it has one (not a dry run).

    Raises
    ------
    NotFound
        No lead has that id.
    """
    return (await route(db, lead_id, dry_run, now)).decision


async def route(db: Database, lead_id: str, dry_run: bool = False, now: datetime | None = None) -> RoutedLead:
    """:func:`route_lead`, also returning the lead as it stands after the decision.

    A dry run reads ``routing/lead_facts`` (the lead, its account, owners, open decision and the
    documents in force in one read) and, for a pool, ``routing/pool``. A real routing joins the
    Database's batch (:class:`_Batcher`): the routings asked for while a batch is being written
    are decided together, in the order asked, and written in one transaction.
    """
    now = to_utc(now) if now else datetime.now(UTC)
    if not dry_run:
        return await _batcher(db).route(lead_id, now)
    rows = await db.read("routing/lead_facts", ids=[lead_id], known_documents=known_documents())
    facts = _facts_by_lead(rows).get(lead_id)
    if facts is None:
        raise NotFound(f"no lead {lead_id!r}")
    documents = documents_from_rows(rows[0]["documents"]) or await documents_in_force(db)
    plan = plan_routing(facts, documents, now)
    pick = (await read_pool(db, plan.pool)).next_member() if plan.pool else None
    return RoutedLead(decision_from_plan(plan, documents, now, pick, dry_run=True), facts)


@dataclass
class _Request:
    """One caller's routing waiting for its batch."""

    lead_id: str
    now: datetime
    answer: asyncio.Future[RoutedLead]


@dataclass
class _Outcome:
    """What a batch made of one request: a stored decision, the lead's open decision, or an error."""

    routed: RoutedLead | None = None
    open_decision_id: str | None = None
    lead: LeadFacts | None = None  # with the open decision
    error: Exception | None = None


class _Batcher:
    """Group commit of one Database's routings.

    The embedded store writes one transaction at a time, so routings one by one queue on commits.
    Here the routings asked for while a batch is in flight wait together; the next batch (at most
    ``_BATCH_LIMIT``) locks its leads and pools, reads them once, decides in memory in the
    order asked — each decision seeing the rotation and open assignments the ones before it left,
    so the same decisions as one routing after another — and writes them in the same transaction.
    A lead asked for twice waits for the next batch, which reads the first decision as stored.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.waiting: list[_Request] = []
        self.draining: asyncio.Task[None] | None = None

    async def route(self, lead_id: str, now: datetime) -> RoutedLead:
        loop = asyncio.get_running_loop()
        request = _Request(lead_id, now, loop.create_future())
        self.waiting.append(request)
        if self.draining is None or self.draining.done() or self.draining.get_loop() is not loop:
            self.draining = loop.create_task(self._drain())
        return await request.answer

    async def _drain(self) -> None:
        while self.waiting:
            batch: list[_Request] = []
            later: list[_Request] = []
            for request in self.waiting:
                if request.answer.done():  # its caller gave up
                    continue
                if len(batch) >= _BATCH_LIMIT or any(r.lead_id == request.lead_id for r in batch):
                    later.append(request)
                else:
                    batch.append(request)
            self.waiting = later
            if not batch:  # every caller waiting gave up
                return
            try:
                await self._settle(batch)
            except Exception as exc:  # the batch's transaction failed: no routing in it was stored
                for request in batch:
                    _answer(request, error=exc)

    async def _settle(self, batch: list[_Request]) -> None:
        outcomes = await self.db.transaction("routing/batch", lambda tx: _route_batch(tx, self.db, batch))
        open_ids = [o.open_decision_id for o in outcomes if o.open_decision_id]
        open_decisions: dict[str, RoutingDecision] = {}
        try:
            if open_ids:
                open_decisions = {d.id: d for d in await read_decisions(self.db, open_ids)}
        except Exception as exc:  # only the routings answered by an open decision lack their answer
            for outcome in outcomes:
                if outcome.open_decision_id:
                    outcome.error = exc
        for request, outcome in zip(batch, outcomes, strict=True):
            if outcome.routed is not None:
                events.publish(outcome.routed.decision)
                _answer(request, outcome.routed)
            elif outcome.open_decision_id in open_decisions:
                _answer(request, RoutedLead(open_decisions[outcome.open_decision_id], outcome.lead))
            else:
                _answer(request, error=outcome.error or NotFound(f"no routing decision {outcome.open_decision_id!r}"))


def _answer(request: _Request, routed: RoutedLead | None = None, error: Exception | None = None) -> None:
    if request.answer.done():  # its caller gave up meanwhile
        return
    if routed is not None:
        request.answer.set_result(routed)
    else:
        request.answer.set_exception(error or DatabaseError(f"routing lead {request.lead_id} gave no answer"))


_batchers: weakref.WeakKeyDictionary[Database, _Batcher] = weakref.WeakKeyDictionary()


def _batcher(db: Database) -> _Batcher:
    if (batcher := _batchers.get(db)) is None:
        batcher = _batchers[db] = _Batcher(db)
    return batcher


def _status_reason(decision: RoutingDecision) -> str:
    return f"routing rule {decision.rule}"


async def _route_batch(tx: Transaction, db: Database, batch: list[_Request]) -> list[_Outcome]:
    """Decide and store the routings of ``batch`` in one transaction (see :class:`_Batcher`).

    Statements: ``routing/lock_leads``, ``routing/lead_facts``, then for the pools the batch assigns
    from ``routing/lock_pools`` and ``routing/pool`` each, ``routing/record_decisions`` (the
    decisions and the pools' new rotations) and ``webhooks/record_events`` (their webhook events).
    """
    ids = [request.lead_id for request in batch]
    lock = new_id()
    await tx.run("routing/lock_leads", ids=ids, lock=lock)
    rows = await tx.run("routing/lead_facts", ids=ids, known_documents=known_documents())
    facts = _facts_by_lead(rows)
    if not facts:
        return [_Outcome(error=NotFound(f"no lead {lead_id!r}")) for lead_id in ids]
    documents = documents_from_rows(rows[0]["documents"]) or await documents_in_force(db)
    plans = {
        request.lead_id: plan_routing(facts[request.lead_id], documents, request.now)
        for request in batch
        if request.lead_id in facts and not facts[request.lead_id].open_decision_id
    }
    names = list(dict.fromkeys(plan.pool for plan in plans.values() if plan.pool))
    if names:
        await tx.run("routing/lock_pools", pools=names, lock=lock)
    pools = {name: pool_from_rows(name, await tx.run("routing/pool", pool=name)) for name in names}
    read_versions = {name: pool.version for name, pool in pools.items()}
    outcomes: list[_Outcome] = []
    decided: list[tuple[int, RoutingDecision, RoutingPlan]] = []  # with the request's place in the batch
    for index, request in enumerate(batch):
        lead = facts.get(request.lead_id)
        if lead is None:
            outcomes.append(_Outcome(error=NotFound(f"no lead {request.lead_id!r}")))
            continue
        if lead.open_decision_id:
            outcomes.append(_Outcome(open_decision_id=lead.open_decision_id, lead=lead))
            continue
        plan = plans[request.lead_id]
        pick = None
        if plan.pool:
            pick = pools[plan.pool].next_member()
            pools[plan.pool] = pools[plan.pool].after(pick)
        decision = decision_from_plan(plan, documents, request.now, pick)
        if decision.assignee_id:  # one more open assignment, whatever pool the assignee is in
            pools = {name: pool.assigned(decision.assignee_id) for name, pool in pools.items()}
        decided.append((index, decision, plan))
        outcomes.append(_Outcome())  # filled once stored
    if not decided:
        return outcomes
    moved = [pool.rotation() for name, pool in pools.items() if pool.version != read_versions[name]]
    stored = await tx.run(
        "routing/record_decisions",
        pools=moved,
        decisions=[
            {
                "id": decision.id,
                "lead_id": decision.lead_id,
                "assignee_id": decision.assignee_id,
                "props": decision.properties(),
                "decided_at": decision.decided_at.isoformat(),
                "sla_due_at": decision.sla_due_at and decision.sla_due_at.isoformat(),
                "lead_status": str(plan.lead_status),
                "lead_from": moves_into(plan.lead_status),
                "status_reason": _status_reason(decision),
                "status_by": ROUTING,
            }
            for _, decision, plan in decided
        ],
    )
    by_decision = {row["id"]: row for row in stored}
    if len(by_decision) != len(decided):
        missing = [d.lead_id for _, d, _ in decided if d.id not in by_decision]
        raise DatabaseError(f"routing/record_decisions stored no decision for leads {', '.join(missing)}")
    # routing/record_decisions wrote the status history of the leads it moved; their events go with the decisions'.
    moves = [
        StatusChange(
            decision.lead_id,
            by_decision[decision.id]["lead_status"],
            str(facts[decision.lead_id].status),
            decision.decided_at,
            ROUTING,
            _status_reason(decision),
            decision.id,
        )
        for _, decision, _ in decided
    ]
    await record_events(
        tx, [routing_event(WebhookEvent.ROUTING_DECIDED, d) for _, d, _ in decided] + status_events(moves)
    )
    # The assignees are read once the whole batch is stored: each answer counts the open
    # assignments up to its own decision, as one routing after another would.
    later: Counter[str] = Counter()
    for index, decision, _ in reversed(decided):
        row = by_decision[decision.id]
        assignee = row["assignee"]
        if assignee is not None:
            assignee = {**assignee, "open_assignments": assignee["open_assignments"] - later[assignee["id"]]}
            later[assignee["id"]] += 1
        lead = facts[decision.lead_id]
        lead = replace(lead, lead={**lead.lead, "status": row["lead_status"]})
        outcomes[index] = _Outcome(routed=RoutedLead(decision, lead, assignee))
    return outcomes
