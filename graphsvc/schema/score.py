"""Scores in the API: account scores with their explanation, committee coverage, lead scores,
and the mutations that change the scoring model or rescore everything.

Every score is computed on demand at ``asOf`` (default now) by the same functions the
whole-graph recompute uses: accounts through :func:`graphsvc.scores.subtrees.subtree_scores`
(batched per request: one read of the subtrees of every account on the page), persons through
:func:`graphsvc.algorithms.scoring.score_lead` over their engagements.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.algorithms import grading
from graphsvc.algorithms.coverage import CommitteeCoverage
from graphsvc.algorithms.scoring import LeadScore as LeadScoreRecord
from graphsvc.algorithms.scoring import score_lead
from graphsvc.algorithms.snapshot import Recomputed
from graphsvc.errors import NotFound
from graphsvc.schema.context import Context
from graphsvc.schema.permissions import CanRecompute, CanSetScoringModel, visible_accounts
from graphsvc.scores.documents import documents_in_force, save_document
from graphsvc.scores.recompute import recompute_graph
from graphsvc.scores.subtrees import subtree_scores

if TYPE_CHECKING:
    from graphsvc.schema.contact import Contact

__all__ = [
    "AccountScore",
    "Coverage",
    "Interest",
    "LeadScore",
    "NurtureObjective",
    "RoleCoverage",
    "ScoreContribution",
    "ScoreMutation",
    "account_coverage",
    "account_score",
    "person_score",
    "utc",
]

Interest = strawberry.enum(grading.Interest, description="How much behavioral interest a lead shows (SPEC §3).")
NurtureObjective = strawberry.enum(grading.NurtureObjective, description="What nurturing should fix (SPEC §3).")


def utc(moment: datetime | None) -> datetime | None:
    """A DateTime argument in UTC; one without an offset is read as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@strawberry.type(description="One part of an account score: a person, its points, role weight and path up.")
class ScoreContribution:
    source_id: strawberry.ID
    kind: str
    points: float
    weight: float
    path: list[strawberry.ID]


@strawberry.type(description="An account's engagement score (SPEC §6) at one moment.")
class AccountScore:
    engagement: float = strawberry.field(description="E(a): own, role-weighted, decayed points.")
    rolled_up: float = strawberry.field(description="R(a): including subsidiaries, δ = 0.5 per level.")
    fit: float = strawberry.field(description="ICP fit 0..100.")
    total: float = strawberry.field(description="0.5·fit + 0.5·min(100, R(a)).")

    account_id: strawberry.Private[str]
    result: strawberry.Private[Recomputed]

    @strawberry.field(
        description="The largest contributions, by absolute points; for a REP only those whose path runs through "
        "accounts it owns."
    )
    async def contributions(self, info: Info[Context, None], first: int | None = 10) -> list[ScoreContribution]:
        limit = max(0, 10 if first is None else first)
        caller = info.context.caller
        if caller is None or caller.owner_scope is None:
            found = self.result.contributions(self.account_id, limit)
        else:
            # A subsidiary owned by another rep still counts in the totals, but its people stay hidden.
            found = self.result.contributions(self.account_id, None)
            accounts = sorted({step for c in found for step in c.path[1:]})
            records = await visible_accounts(info.context, accounts)
            visible = {account for account, record in zip(accounts, records, strict=True) if record is not None}
            found = [c for c in found if visible.issuperset(c.path[1:])][:limit]
        return [
            ScoreContribution(
                source_id=strawberry.ID(c.source_id),
                kind=c.kind,
                points=c.points,
                weight=c.weight,
                path=[strawberry.ID(step) for step in c.path],
            )
            for c in found
        ]


@strawberry.type(description="One buying role at one account.")
class RoleCoverage:
    role: str
    required: bool
    weight: float
    known: bool
    engaged: bool

    contact_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="Contacts at the account holding the role.")
    async def contacts(
        self, info: Info[Context, None]
    ) -> list[Annotated[Contact, strawberry.lazy("graphsvc.schema.contact")]]:
        from graphsvc.schema.contact import contacts_of

        return [contact for contact in await contacts_of(info.context, list(self.contact_ids)) if contact]


@strawberry.type(description="How well an account's buying committee is covered (SPEC §7).")
class Coverage:
    template: str
    coverage: float
    engaged_coverage: float
    engaged_contacts: int
    single_threaded: bool
    missing_roles: list[str]
    unengaged_roles: list[str]
    roles: list[RoleCoverage]

    @classmethod
    def from_record(cls, record: CommitteeCoverage) -> Coverage:
        return cls(
            template=record.template,
            coverage=record.coverage,
            engaged_coverage=record.engaged_coverage,
            engaged_contacts=record.engaged_contacts,
            single_threaded=record.single_threaded,
            missing_roles=list(record.missing_roles),
            unengaged_roles=list(record.unengaged_roles),
            roles=[
                RoleCoverage(
                    role=seat.role,
                    required=seat.required,
                    weight=seat.weight,
                    known=seat.known,
                    engaged=seat.engaged,
                    contact_ids=seat.contacts,
                )
                for seat in record.roles
            ],
        )


@strawberry.type(description="A lead's or contact's score: fit and behaviour, grade and nurture (SPEC §3).")
class LeadScore:
    demographic: float
    behavioral: float
    total: float
    fit: float
    completeness: float
    interest: Interest
    grade: str
    nurture_objectives: list[NurtureObjective]
    disqualified: bool

    @classmethod
    def from_record(cls, record: LeadScoreRecord) -> LeadScore:
        return cls(
            demographic=record.demographic,
            behavioral=record.behavioral,
            total=record.total,
            fit=record.fit,
            completeness=record.completeness,
            interest=record.interest,
            grade=str(record.grade),
            nurture_objectives=list(record.nurture_objectives),
            disqualified=record.disqualified,
        )


# -- loaders: one batch per request and set of arguments ---------------------------------------


def _loader(context: Context, key: Hashable, load: Any) -> DataLoader[str, Any]:
    """The request's loader for ``key`` (e.g. one ``asOf``), created on first use."""
    loaders = context.loaders.__dict__.setdefault("_score_loaders", {})
    if key not in loaders:
        loaders[key] = DataLoader(load_fn=load)
    return loaders[key]


async def _subtree_result(
    context: Context, account_id: str, as_of: datetime | None, window_days: float = 90.0, template: str | None = None
) -> Recomputed:
    moment = utc(as_of) or context.now

    async def load(ids: list[str]) -> list[Recomputed]:
        result = await subtree_scores(context.db, ids, moment, window_days=window_days, template=template)
        return [result] * len(ids)

    return await _loader(context, ("subtrees", moment, window_days, template), load).load(account_id)


async def account_score(context: Context, account_id: str, as_of: datetime | None) -> AccountScore:
    """The score of one (existing) account at ``as_of``."""
    result = await _subtree_result(context, account_id, as_of)
    score = result.score(account_id)
    return AccountScore(
        engagement=score.engagement,
        rolled_up=score.rolled_up,
        fit=score.fit,
        total=score.total,
        account_id=account_id,
        result=result,
    )


async def account_coverage(
    context: Context, account_id: str, template: str | None, window_days: int, as_of: datetime | None
) -> Coverage:
    """The committee coverage of one (existing) account."""
    result = await _subtree_result(context, account_id, as_of, float(window_days), template)
    return Coverage.from_record(result.committee_coverage(account_id))


async def person_score(context: Context, person_id: str, as_of: datetime | None) -> LeadScore:
    """The score of one (existing) contact or lead at ``as_of``."""
    moment = utc(as_of) or context.now

    async def load(ids: list[str]) -> list[LeadScoreRecord | None]:
        documents = await documents_in_force(context.db)
        rows = {row["id"]: row for row in await context.db.read("scores/person_engagements", ids=ids)}
        scores: list[LeadScoreRecord | None] = []
        for person in ids:
            row = rows.get(person)
            if row is None:
                scores.append(None)
                continue
            engagements = [
                {**e, "occurred_at": datetime.fromtimestamp(e["at"] / 1000.0, UTC)}
                for e in row["engagements"]
                if e["at"] is not None
            ]
            scores.append(score_lead(documents.scoring, row["person"], row["account"], engagements, moment))
        return scores

    record = await _loader(context, ("persons", moment), load).load(person_id)
    if record is None:
        # The person was read a moment ago by its own loader; only a concurrent delete gets here.
        raise NotFound(f"no contact or lead with id {person_id!r}")
    return LeadScore.from_record(record)


@strawberry.type
class ScoreMutation:
    @strawberry.mutation(
        description="Validate a scoring model and make it the one in force; returns the model in force. An invalid "
        "model is rejected with every violation listed by path (extensions.violations) and the old one stays.",
        permission_classes=[CanSetScoringModel],
    )
    async def set_scoring_model(self, info: Info[Context, None], model: JSON) -> JSON:
        document = await save_document(info.context.db, "scoring", model)
        return document.model_dump(mode="json")

    @strawberry.mutation(
        description="Rescore everything at asOf (default now): match leads, infer roles, score persons and "
        "accounts, write back. Returns the number of accounts updated.",
        permission_classes=[CanRecompute],
    )
    async def recompute(self, info: Info[Context, None], as_of: datetime | None = strawberry.UNSET) -> int:
        moment = utc(as_of) if isinstance(as_of, datetime) else None
        report = await recompute_graph(info.context.db, moment)
        return report.accounts
