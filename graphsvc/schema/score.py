"""Scores in the API: account scores with their explanation, committee coverage, lead scores,
and the mutations that change the scoring model or rescore everything.

Where each number comes from (every read batched per request: one set of statements for all
the accounts of a page):

* ``Account.score`` without ``asOf``: ``engagement``, ``rolledUp``, ``fit`` and ``total`` *now*
  from the decayed sums stored on the account (:func:`graphsvc.scores.current.current_account_scores`,
  one statement); see that module for what the sums follow and what waits for a recompute.
* ``Account.score(asOf:)`` and every ``contributions``: exact at the moment, from the accounts'
  subtrees (:func:`graphsvc.scores.subtrees.subtree_scores`), read only when asked for.
* ``Account.coverage``: from the account's own contacts, their roles and their engagements in
  the window (:func:`graphsvc.scores.current.account_coverages`), exact at any ``asOf``.
* persons: :func:`graphsvc.scores.persons.person_scores`, from their engagements.
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
from graphsvc.algorithms.snapshot import Recomputed
from graphsvc.errors import NotFound
from graphsvc.schema.context import Context
from graphsvc.schema.permissions import CanRecompute, CanSetScoringModel, visible_accounts
from graphsvc.scores.current import AccountScoreNow, account_coverages, current_account_scores
from graphsvc.scores.documents import save_document
from graphsvc.scores.persons import person_scores
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

# The contact module is above this one (a contact shows its score): its type is resolved when used.
_CONTACT = strawberry.LazyType("Contact", "graphsvc.schema.contact")

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


@strawberry.type(
    description="An account's engagement score (SPEC §6) at one moment. Without asOf the figures are now's, from "
    "the decayed sums kept on the account (a change of buying role by import, match, hierarchy or a past-dated "
    "recompute shows after the next recompute); with asOf, and for contributions, computed from the engagements."
)
class AccountScore:
    account_id: strawberry.Private[str]
    as_of: strawberry.Private[datetime | None]  # None: now, from the stored sums

    @strawberry.field(description="E(a): own, role-weighted, decayed points.")
    async def engagement(self, info: Info[Context, None]) -> float:
        return (await self._figures(info.context)).engagement

    @strawberry.field(description="R(a): including subsidiaries, δ = 0.5 per level.")
    async def rolled_up(self, info: Info[Context, None]) -> float:
        return (await self._figures(info.context)).rolled_up

    @strawberry.field(description="ICP fit 0..100.")
    async def fit(self, info: Info[Context, None]) -> float:
        return (await self._figures(info.context)).fit

    @strawberry.field(description="0.5·fit + 0.5·min(100, R(a)).")
    async def total(self, info: Info[Context, None]) -> float:
        return (await self._figures(info.context)).total

    async def _figures(self, context: Context) -> AccountScoreNow:
        if self.as_of is None:
            stored = await _stored_score(context, self.account_id)
            if stored is not None:
                return stored
        # A past moment, or sums that cannot be trusted (see current_account_scores): the subtree.
        score = (await _subtree_result(context, self.account_id, self.as_of)).score(self.account_id)
        return AccountScoreNow(score.engagement, score.rolled_up, score.fit, score.total)

    @strawberry.field(
        description="The largest contributions, by absolute points; for a REP only those whose path runs through "
        "accounts it owns."
    )
    async def contributions(self, info: Info[Context, None], first: int | None = 10) -> list[ScoreContribution]:
        limit = max(0, 10 if first is None else first)
        caller = info.context.caller
        result = await _subtree_result(info.context, self.account_id, self.as_of)
        if caller is None or caller.owner_scope is None:
            found = result.contributions(self.account_id, limit)
        else:
            # A subsidiary owned by another rep still counts in the totals, but its people stay hidden.
            found = result.contributions(self.account_id, None)
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
        records = await info.context.loaders.contact.load_many(list(self.contact_ids))
        contact = _CONTACT.resolve_type()
        return [contact.from_record(record) for record in records if record is not None]


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
        documents = await context.loaders.documents()
        result = await subtree_scores(
            context.db, ids, moment, window_days=window_days, template=template, documents=documents
        )
        return [result] * len(ids)

    return await _loader(context, ("subtrees", moment, window_days, template), load).load(account_id)


async def _stored_score(context: Context, account_id: str) -> AccountScoreNow | None:
    """The account's score now from its stored sums; None when they cannot be trusted."""

    async def load(ids: list[str]) -> list[AccountScoreNow | None]:
        documents = await context.loaders.documents()
        found = await current_account_scores(context.db, ids, documents, context.now)
        return [found.get(account) for account in ids]

    return await _loader(context, ("stored",), load).load(account_id)


def account_score(context: Context, account_id: str, as_of: datetime | None) -> AccountScore:
    """The score of one (existing) account at ``as_of`` (None: now); its figures are read when asked for."""
    return AccountScore(account_id=account_id, as_of=utc(as_of))


async def account_coverage(
    context: Context, account_id: str, template: str | None, window_days: int, as_of: datetime | None
) -> Coverage:
    """The committee coverage of one (existing) account."""
    moment = utc(as_of) or context.now

    async def load(ids: list[str]) -> list[CommitteeCoverage | None]:
        documents = await context.loaders.documents()
        found = await account_coverages(
            context.db, ids, documents, moment, window_days=float(window_days), template=template
        )
        return [found.get(account) for account in ids]

    record = await _loader(context, ("coverage", moment, window_days, template), load).load(account_id)
    if record is None:
        raise NotFound(f"no account with id {account_id!r}")
    return Coverage.from_record(record)


async def person_score(context: Context, person_id: str, as_of: datetime | None) -> LeadScore:
    """The score of one (existing) contact or lead at ``as_of``."""
    moment = utc(as_of) or context.now

    async def load(ids: list[str]) -> list[LeadScoreRecord | None]:
        return await person_scores(context.db, ids, await context.loaders.documents(), moment)

    record = await _loader(context, ("persons", moment), load).load(person_id)
    if record is None:
        # The person was read a moment ago by its own loader; only a concurrent delete gets here.
        raise NotFound(f"no contact or lead with id {person_id!r}")
    return LeadScore.from_record(record)


@strawberry.type
class ScoreMutation:
    @strawberry.mutation(
        description="Validate a scoring model, make it the one in force and rescore everything with it (a "
        "recompute); returns the model in force. An invalid model is rejected with every violation listed by path "
        "(extensions.violations) and the old one stays.",
        permission_classes=[CanSetScoringModel],
    )
    async def set_scoring_model(self, info: Info[Context, None], model: JSON) -> JSON:
        document = await save_document(info.context.db, "scoring", model)
        # Every stored sum was computed with the points of the model before: all are rescored.
        await recompute_graph(info.context.db)
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
