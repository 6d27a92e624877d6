"""Scorecards, lookalikes, target recommendations and lead planning in the API (SPEC §10).

Each resolver calls the one function in :mod:`graphsvc.scorecards` that owns the figure; account
scorecards are batched per request (one set of statements for a whole page of accounts).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.algorithms.lookalike import Lookalike as LookalikeRecord
from graphsvc.algorithms.targeting import MAX_TIER_CAPACITY, check_capacities
from graphsvc.algorithms.targeting import TargetRecommendation as TargetRecord
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.schema.arguments import given, window
from graphsvc.schema.context import Context
from graphsvc.schema.enums import AccountStage, parse_enum
from graphsvc.schema.permissions import CanReadProgram, visible_account, visible_accounts
from graphsvc.schema.score import utc
from graphsvc.scorecards.account import AccountScorecard as ScorecardRecord
from graphsvc.scorecards.account import account_scorecards
from graphsvc.scorecards.planning import lead_plan
from graphsvc.scorecards.program import program_scorecard
from graphsvc.scorecards.targets import (
    AccountProfiles,
    lookalikes_of_accounts,
    read_account_profiles,
    target_recommendations,
)

if TYPE_CHECKING:
    from graphsvc.schema.account import Account

__all__ = [
    "AccountScorecard",
    "LeadPlan",
    "Lookalike",
    "ProgramScorecard",
    "ScorecardQuery",
    "TargetRecommendation",
    "account_scorecard",
    "lookalikes_of",
]

# The account module is above this one (an account shows its scorecard): its type is resolved when used.
_ACCOUNT = strawberry.LazyType("Account", "graphsvc.schema.account")

# Tier 1, 2 and 3 sizes when the query names none (the contract's default).
DEFAULT_TIER_CAPACITIES = [10, 50, 500]

_Account = Annotated["Account", strawberry.lazy("graphsvc.schema.account")]


async def _account(context: Context, account_id: str) -> Account | None:
    record = await visible_account(context, account_id)
    return _ACCOUNT.resolve_type().from_record(record) if record is not None else None


@strawberry.type(description="One account's figures over a window (SPEC §10): people, engagement, coverage, stage.")
class AccountScorecard:
    window_days: int
    leads_associated: int
    engaged_leads: int
    percent_engaged: float
    engagement_level: float
    engagement_change: float | None = strawberry.field(
        description="Against the previous window, as a fraction; null when the previous window had none."
    )
    coverage: float
    engaged_coverage: float
    stage: AccountStage | None
    days_in_stage: int | None
    open_opportunities: int
    pipeline_amount: float

    @classmethod
    def from_record(cls, record: ScorecardRecord) -> AccountScorecard:
        return cls(
            window_days=record.window_days,
            leads_associated=record.leads_associated,
            engaged_leads=record.engaged_leads,
            percent_engaged=record.percent_engaged,
            engagement_level=record.engagement_level,
            engagement_change=record.engagement_change,
            coverage=record.coverage,
            engaged_coverage=record.engaged_coverage,
            stage=parse_enum(AccountStage, record.stage and str(record.stage)),
            days_in_stage=record.days_in_stage,
            open_opportunities=record.open_opportunities,
            pipeline_amount=record.pipeline_amount,
        )


async def account_scorecard(
    context: Context, account_id: str, window_days: int, as_of: datetime | None
) -> AccountScorecard:
    """The scorecard of one (existing) account, batched with the others of the request."""
    moment = utc(as_of) or context.now

    async def load(ids: list[str]) -> list[ScorecardRecord | None]:
        documents = await context.loaders.documents()
        found = await account_scorecards(context.db, ids, window_days, moment, documents=documents)
        return [found.get(account_id) for account_id in ids]

    record = await context.loaders.keyed(("scorecard", window_days, moment), load).load(account_id)
    if record is None:
        raise InvalidInput(f"no scorecard for account {account_id!r}")
    return AccountScorecard.from_record(record)


@strawberry.type(description="An account like another one, and the attributes they share.")
class Lookalike:
    similarity: float
    shared_attributes: list[str]

    account_id: strawberry.Private[str]

    @strawberry.field
    async def account(self, info: Info[Context, None]) -> _Account:
        account = await _account(info.context, self.account_id)
        assert account is not None  # lookalikes_of keeps only accounts the caller sees
        return account


async def lookalikes_of(context: Context, account_id: str, first: int) -> list[Lookalike]:
    """The accounts most like ``account_id`` that the caller may see, batched with the others of the request.

    One read of the accounts per request, whatever the nesting (each level is a batch of its own);
    the similarity data itself is shared across requests.
    """

    async def load(ids: list[str]) -> list[list[LookalikeRecord]]:
        profiles: AccountProfiles = await context.loaders.once(
            "account_profiles", lambda: read_account_profiles(context.db)
        )
        found = await lookalikes_of_accounts(context.db, ids, first, profiles=profiles)
        return [found[i] if i in found else NotFound(f"no account {i!r}") for i in ids]

    records: list[LookalikeRecord] = await context.loaders.keyed(("lookalikes", first), load).load(account_id)
    visible = await visible_accounts(context, [record.account_id for record in records])
    return [
        Lookalike(similarity=r.similarity, shared_attributes=list(r.shared_attributes), account_id=r.account_id)
        for r, record in zip(records, visible, strict=True)
        if record is not None
    ]


@strawberry.type(description="A non-customer account recommended as a target, with its tier and reasons.")
class TargetRecommendation:
    priority: float
    fit: float
    lookalike: float
    surge: float
    tier: int
    reasons: list[str]

    account_id: strawberry.Private[str]

    @classmethod
    def from_record(cls, record: TargetRecord) -> TargetRecommendation:
        return cls(
            priority=record.priority,
            fit=record.fit,
            lookalike=record.lookalike,
            surge=record.surge,
            tier=record.tier,
            reasons=list(record.reasons),
            account_id=record.account_id,
        )

    @strawberry.field
    async def account(self, info: Info[Context, None]) -> _Account:
        account = await _account(info.context, self.account_id)
        assert account is not None  # only strategists and admins, who see every account, ask
        return account


@strawberry.type(description="The traditional lead funnel beside the ABM funnel, and the team's SLA figures.")
class ProgramScorecard:
    window_days: int
    traditional: JSON
    abm: JSON
    sla: JSON


@strawberry.type(description="What a revenue goal needs at each stage (reverse waterfall).")
class LeadPlan:
    won_deals: int
    opportunities: int
    sqls: int
    mqls: int
    inquiries: int
    accounts: int | None
    rates: JSON = strawberry.field(description="Each conversion rate used and whether it was given or measured.")


@strawberry.type
class ScorecardQuery:
    @strawberry.field(
        description="Non-customer accounts ranked by ICP fit, lookalike similarity to won customers and engagement "
        "surge, tiered 1/2/3 by tierCapacities.",
        permission_classes=[CanReadProgram],
    )
    async def target_accounts(
        self,
        info: Info[Context, None],
        first: int | None = 50,
        tier_capacities: list[int] | None = DEFAULT_TIER_CAPACITIES,
    ) -> list[TargetRecommendation]:
        capacities = list(DEFAULT_TIER_CAPACITIES if tier_capacities is None else tier_capacities)
        check_capacities(capacities, "tierCapacities", MAX_TIER_CAPACITY)
        limit = min(50 if first is None else first, info.context.limits.max_page_size)
        records = await target_recommendations(info.context.db, first=limit, capacities=capacities)
        return [TargetRecommendation.from_record(record) for record in records]

    @strawberry.field(
        description="The program scorecard: traditional and ABM funnels side by side, and team SLA metrics.",
        permission_classes=[CanReadProgram],
    )
    async def program_scorecard(
        self, info: Info[Context, None], window_days: int | None = 90, as_of: datetime | None = strawberry.UNSET
    ) -> ProgramScorecard:
        days = window(window_days)
        data = await program_scorecard(info.context.db, days, utc(given(as_of)) or info.context.now)
        return ProgramScorecard(window_days=days, traditional=data["traditional"], abm=data["abm"], sla=data["sla"])

    @strawberry.field(
        description="Reverse waterfall from a revenue goal; conversion rates not given are measured from the graph.",
        permission_classes=[CanReadProgram],
    )
    async def lead_plan(
        self,
        info: Info[Context, None],
        revenue_goal: float,
        average_deal_size: float,
        win_rate: float | None = strawberry.UNSET,
        sql_to_opportunity: float | None = strawberry.UNSET,
        mql_to_sql: float | None = strawberry.UNSET,
        inquiry_to_mql: float | None = strawberry.UNSET,
    ) -> LeadPlan:
        plan = await lead_plan(
            info.context.db,
            revenue_goal,
            average_deal_size,
            win_rate=given(win_rate),
            sql_to_opportunity=given(sql_to_opportunity),
            mql_to_sql=given(mql_to_sql),
            inquiry_to_mql=given(inquiry_to_mql),
            as_of=info.context.now,
        )
        return LeadPlan(
            won_deals=plan.won_deals,
            opportunities=plan.opportunities,
            sqls=plan.sqls,
            mqls=plan.mqls,
            inquiries=plan.inquiries,
            accounts=plan.accounts,
            rates=plan.as_dict()["rates"],
        )
