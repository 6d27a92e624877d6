"""The Account type, the queries that find accounts and the mutation that chooses target accounts."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from graphsvc.errors import InvalidInput, NotFound
from graphsvc.ranges import stored_float, stored_int
from graphsvc.schema import contact, lead
from graphsvc.schema.arguments import given, window
from graphsvc.schema.context import Context
from graphsvc.schema.engagement import Engagement, engagement_timeline
from graphsvc.schema.enums import AccountStage, LeadStatus, parse_enum
from graphsvc.schema.pagination import (
    Connection,
    SortKey,
    count_statement,
    decode_seek_cursor,
    encode_seek_cursor,
    page_size,
    page_window,
    seek_orders,
    seek_page,
    slice_connection,
)
from graphsvc.schema.permissions import CanChooseTargets, CanRead, visible_account, visible_accounts
from graphsvc.schema.score import AccountScore, Coverage, account_coverage, account_score
from graphsvc.schema.scorecard import AccountScorecard, Lookalike, account_scorecard, lookalikes_of
from graphsvc.schema.user import User
from graphsvc.scorecards.targets import set_target
from graphsvc.store.database import Record

if TYPE_CHECKING:
    from graphsvc.schema.contact import Contact
    from graphsvc.schema.lead import Lead

__all__ = ["ACCOUNT_ORDERS", "Account", "AccountMutation", "AccountQuery", "accounts_of"]

NumberT = TypeVar("NumberT", int, float)

ENGAGED_WINDOW_DAYS = 90  # SPEC §7's default window for "engaged"

# The sort orders `accounts(orderBy:)` accepts, each both ways: statements composed from the fragments in
# cypher/lists/ (graphsvc.schema.pagination.seek_orders), never a formatted ORDER BY; pages are read by seek
# cursors (graphsvc.schema.pagination.seek_page), ties in id order, accounts without the key last (by id).
# Score and coverage are the figures stored on the account (score_total, score_coverage), engagementChange
# the windowed engagement's change against the previous window (score_engagement_change; none when the
# previous window had none): as the last recompute left them, coverage as the last write to the account's
# contacts or their roles did when it came later (graphsvc.scores.structure.store_coverages).
_LOWEST, _HIGHEST = -sys.float_info.max, sys.float_info.max  # below / above every stored number
ACCOUNT_KEYS = (
    SortKey("name", "name", str, lowest="", highest=None, always_known=True),
    SortKey("employees", "employees", int, lowest=-(2**63), highest=2**63 - 1),
    SortKey("score", "score_total", float, lowest=_LOWEST, highest=_HIGHEST),
    SortKey("coverage", "score_coverage", float, lowest=_LOWEST, highest=_HIGHEST),
    SortKey("engagementChange", "score_engagement_change", float, lowest=_LOWEST, highest=_HIGHEST),
)
ACCOUNT_ORDER_NAMES = (
    "name",
    "-name",
    "employees",
    "-employees",
    "score",
    "-score",
    "coverage",
    "-coverage",
    "-engagementChange",
)
ACCOUNT_ORDERS = seek_orders(
    "accounts", "lists/accounts_all", "lists/account_filters", ACCOUNT_KEYS, ACCOUNT_ORDER_NAMES
)
# With ownerId, or for a REP (its own accounts), a page starts from that user's few accounts ($owner) and
# sorts them.
OWNED_ACCOUNT_ORDERS = seek_orders(
    "owned_accounts", "lists/accounts_owned", "lists/account_filters", ACCOUNT_KEYS, ACCOUNT_ORDER_NAMES
)
ACCOUNT_COUNT = count_statement("accounts", "lists/accounts_all", "lists/account_filters")


@strawberry.type(description="One move of an account in the funnel.")
class StageChange:
    stage: AccountStage | None = strawberry.field(description="The stage entered; null when it left the funnel.")
    previous: AccountStage | None = strawberry.field(description="The stage left; null when it entered the funnel.")
    at: datetime


@strawberry.type(description="A company: a customer, prospect or target, possibly part of a corporate tree.")
class Account:
    id: strawberry.ID
    name: str
    domain: str | None
    industry: str | None
    employees: int | None
    annual_revenue: float | None
    country: str | None
    is_target: bool
    tier: int | None
    stage: AccountStage | None

    record: strawberry.Private[Record]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Account:
        """The account of an ``api/accounts_by_ids`` record."""
        return cls(
            id=strawberry.ID(record["id"]),
            name=record["name"],
            domain=record["domain"],
            industry=record["industry"],
            employees=stored_int(record["employees"]),
            annual_revenue=stored_float(record["annual_revenue"]),
            country=record["country"],
            is_target=bool(record["is_target"]),
            tier=stored_int(record["tier"]),
            stage=parse_enum(AccountStage, record["stage"]),
            record=record,
        )

    @strawberry.field(
        description="Every move of the account between funnel stages, oldest first (days in stage and velocity "
        "come from these)."
    )
    async def stage_history(self, info: Info[Context, None]) -> list[StageChange]:
        changes = await info.context.loaders.stage_history.load(self.record["id"])
        return [StageChange(stage=c.stage, previous=c.previous, at=c.at) for c in changes]

    @strawberry.field(description="The account executive who owns the account.")
    async def owner(self, info: Info[Context, None]) -> User | None:
        if self.record["owner_id"] is None:
            return None
        record = await info.context.loaders.user.load(self.record["owner_id"])
        return User.from_record(record) if record is not None else None

    @strawberry.field(description="The direct parent company (SUBSIDIARY_OF); null for a top-level account.")
    async def parent(self, info: Info[Context, None]) -> Account | None:
        return _account(await visible_account(info.context, self.record["parent_id"]))

    @strawberry.field(description="The top of the account's corporate tree; null for a top-level account.")
    async def ultimate_parent(self, info: Info[Context, None]) -> Account | None:
        top_id = await info.context.loaders.ultimate_parent.load(self.record["id"])
        return _account(await visible_account(info.context, top_id))

    @strawberry.field(
        description="The account's engagement score at asOf (default now, from the sums kept on the account), with "
        "its explanation."
    )
    def score(self, info: Info[Context, None], as_of: datetime | None = strawberry.UNSET) -> AccountScore:
        return account_score(info.context, self.record["id"], given(as_of))

    @strawberry.field(
        description="Buying-committee coverage over the windowDays before asOf; template defaults to the one the "
        "account's segment selects (else `default`)."
    )
    async def coverage(
        self,
        info: Info[Context, None],
        template: str | None = strawberry.UNSET,
        window_days: int | None = 90,
        as_of: datetime | None = strawberry.UNSET,
    ) -> Coverage:
        return await account_coverage(
            info.context, self.record["id"], given(template), window(window_days), given(as_of)
        )

    @strawberry.field(description="The account's scorecard over the windowDays before asOf (default now).")
    async def scorecard(
        self, info: Info[Context, None], window_days: int | None = 90, as_of: datetime | None = strawberry.UNSET
    ) -> AccountScorecard:
        return await account_scorecard(info.context, self.record["id"], window(window_days), given(as_of))

    @strawberry.field(
        description="Accounts most like this one (weighted Jaccard over firmographics and technographics)."
    )
    async def lookalikes(self, info: Info[Context, None], first: int | None = 10) -> list[Lookalike]:
        return await lookalikes_of(
            info.context,
            self.record["id"],
            max(0, min(10 if first is None else first, info.context.limits.max_page_size)),
        )

    @strawberry.field(description="Direct subsidiaries, by name.")
    async def children(
        self, info: Info[Context, None], first: int | None = strawberry.UNSET, after: str | None = strawberry.UNSET
    ) -> Connection[Account]:
        context = info.context
        window = page_window(info, given(first), given(after), context.limits)
        return await slice_connection(
            context.loaders,
            "api/child_pages",
            self.record["id"],
            window,
            lambda ids: accounts_of(context, ids),
            visible_to=context.caller.owner_scope if context.caller else None,
        )

    @strawberry.field(
        description="People at the account, by last and first name; `role` keeps holders of one buying role; "
        "`engaged` keeps those with (true) or without (false) a positive-point engagement in the last "
        f"{ENGAGED_WINDOW_DAYS} days (SPEC §7), as the last recompute and the imports since recorded it."
    )
    async def contacts(
        self,
        info: Info[Context, None],
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        role: str | None = strawberry.UNSET,
        engaged: bool | None = strawberry.UNSET,
    ) -> Connection[Annotated[Contact, strawberry.lazy("graphsvc.schema.contact")]]:
        role_name = given(role)
        context = info.context
        window = page_window(info, given(first), given(after), context.limits)
        return await slice_connection(
            context.loaders,
            "api/contact_pages",
            self.record["id"],
            window,
            contact.contacts_of_page,
            role=contact.buying_role(role_name) if role_name is not None else None,
            engaged=given(engaged),
            # The request's one "now" keeps every account of a page on the same loader (one statement).
            engaged_since=(context.now - timedelta(days=ENGAGED_WINDOW_DAYS)).isoformat(),
        )

    @strawberry.field(
        description="What the people at the account (its contacts and matched leads) did, newest first (equal "
        "times by id); windowDays (1 to 3650) keeps the last so many days."
    )
    async def engagements(
        self,
        info: Info[Context, None],
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        window_days: int | None = strawberry.UNSET,
    ) -> Connection[Engagement]:
        return await engagement_timeline(
            info, "api/account_engagement_pages", self.record["id"], given(first), given(after), given(window_days)
        )

    @strawberry.field(description="Leads matched to the account (MATCHED_TO), newest first.")
    async def leads(
        self,
        info: Info[Context, None],
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        status: LeadStatus | None = strawberry.UNSET,
    ) -> Connection[Annotated[Lead, strawberry.lazy("graphsvc.schema.lead")]]:
        context = info.context
        window = page_window(info, given(first), given(after), context.limits)
        lead_status = given(status)
        return await slice_connection(
            context.loaders,
            "api/lead_pages",
            self.record["id"],
            window,
            lambda ids: lead.leads_of(context, ids),
            status=lead_status.value if lead_status else None,
        )


def _account(record: Record | None) -> Account | None:
    return Account.from_record(record) if record is not None else None


async def accounts_of(context: Context, account_ids: list[str]) -> list[Account | None]:
    """The accounts of ``account_ids`` in order; None where unknown or hidden from the caller."""
    return [_account(record) for record in await visible_accounts(context, account_ids)]


@strawberry.type
class AccountQuery:
    @strawberry.field(
        description="One account by id; null when there is none or the caller may not see it.",
        permission_classes=[CanRead],
    )
    async def account(self, info: Info[Context, None], id: strawberry.ID) -> Account | None:
        return _account(await visible_account(info.context, str(id)))

    @strawberry.field(
        description='Accounts, filtered; orderBy is one of "name" (default), "-name", "employees", "-employees", '
        '"score", "-score", "coverage", "-coverage", "-engagementChange" (ties by id; accounts without the key '
        "last). search: a case-insensitive prefix of a word of the name or of the domain. Score, coverage, "
        "singleThreaded, missingRole and engagementChange read the figures stored on the account: score and "
        "engagementChange as the last recompute left them, coverage, singleThreaded and missingRole as the last "
        "recompute or write to the account's contacts or their roles did (an account without them is left out "
        "by a filter on them).",
        permission_classes=[CanRead],
    )
    async def accounts(
        self,
        info: Info[Context, None],
        first: int | None = strawberry.UNSET,
        after: str | None = strawberry.UNSET,
        is_target: bool | None = strawberry.UNSET,
        stage: AccountStage | None = strawberry.UNSET,
        owner_id: strawberry.ID | None = strawberry.UNSET,
        order_by: str | None = strawberry.UNSET,
        search: str | None = strawberry.UNSET,
        tier: int | None = strawberry.UNSET,
        industry: str | None = strawberry.UNSET,
        min_score: float | None = strawberry.UNSET,
        max_coverage: float | None = strawberry.UNSET,
        single_threaded: bool | None = strawberry.UNSET,
        missing_role: str | None = strawberry.UNSET,
    ) -> Connection[Account]:
        context = info.context
        order = given(order_by) or "name"
        if order not in ACCOUNT_ORDERS:
            raise InvalidInput(f"unknown orderBy {order!r}; expected one of {', '.join(ACCOUNT_ORDERS)}")
        size = page_size(given(first), context.limits)
        cursor = given(after)
        position = decode_seek_cursor(cursor, ACCOUNT_ORDERS[order]) if cursor is not None else None
        account_stage, owner = given(stage), given(owner_id)
        role = given(missing_role)
        filters = {
            "is_target": given(is_target),
            "stage": account_stage.value if account_stage else None,
            "owner_id": str(owner) if owner is not None else None,
            "visible_to": context.caller.owner_scope if context.caller else None,
            "search": _text("search", given(search)),
            "tier": _within("tier", given(tier), 1, 3),
            "industry": _text("industry", given(industry)),
            "min_score": _within("minScore", given(min_score), 0.0, 100.0),
            "max_coverage": _within("maxCoverage", given(max_coverage), 0.0, 1.0),
            "single_threaded": given(single_threaded),
            "missing_role": contact.buying_role(role) if role is not None else None,
        }
        filters["missing_role_templates"] = (
            await _templates_requiring(context, filters["missing_role"]) if role is not None else []
        )
        anchor = filters["owner_id"] or filters["visible_to"]
        if anchor is None:
            page = await seek_page(context.db, ACCOUNT_ORDERS[order], position, size, **filters)
        else:
            page = await seek_page(context.db, OWNED_ACCOUNT_ORDERS[order], position, size, owner=anchor, **filters)

        async def count() -> int:
            # Unfiltered, a bare count (answered from the type's record count) instead of a scan.
            if all(value is None for name, value in filters.items() if name != "missing_role_templates"):
                return (await context.db.read("api/account_count_all"))[0]["total"]
            return (await context.db.read(ACCOUNT_COUNT, **filters))[0]["total"]

        return Connection.from_edges(
            [encode_seek_cursor(order, row["key"], row["id"]) for row in page.rows],
            await accounts_of(context, [row["id"] for row in page.rows]),
            page.has_next_page,
            position is not None,
            count,
        )


def _text(argument: str, value: str | None) -> str | None:
    """A text filter as the statements compare it: trimmed and lower-case; blank is refused."""
    if value is None:
        return None
    if not value.strip():
        raise InvalidInput(f"{argument} must not be blank; omit it to keep every account")
    return value.strip().lower()


def _within(argument: str, value: NumberT | None, low: NumberT, high: NumberT) -> NumberT | None:
    """A number filter between ``low`` and ``high`` (inclusive); outside is refused."""
    if value is not None and not low <= value <= high:  # NaN fails too
        raise InvalidInput(f"{argument} must be between {low} and {high}, got {value}")
    return value


async def _templates_requiring(context: Context, role: str) -> list[str]:
    """The committee templates in force in which ``role`` is required (where it can be missing)."""
    documents = await context.loaders.documents()
    return [
        template.name
        for template in documents.committees.templates
        if any(seat.role == role and seat.required for seat in template.roles)
    ]


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Mark an account as a target account (tier 1-3; omitted keeps the stored tier) or not "
        "(which drops its tier).",
        permission_classes=[CanChooseTargets],
    )
    async def set_target(
        self, info: Info[Context, None], account_id: strawberry.ID, is_target: bool, tier: int | None = strawberry.UNSET
    ) -> Account:
        tier_value = given(tier)
        if tier_value is not None and not 1 <= tier_value <= 3:
            raise InvalidInput(f"tier must be 1, 2 or 3, got {tier_value}")
        if tier_value is not None and not is_target:
            raise InvalidInput("only a target account has a tier; pass isTarget: true or omit tier")
        context = info.context
        try:
            # The target flag breaks ties in lead matching: leads are matched again in the same transaction.
            await set_target(context.db, str(account_id), is_target, tier_value, context.now)
        except NotFound:
            raise NotFound(f"no account with id {str(account_id)!r}") from None
        context.loaders.forget(context.loaders.account, str(account_id))
        record = await context.loaders.account.load(str(account_id))
        if record is None:
            raise NotFound(f"no account with id {str(account_id)!r}")
        return Account.from_record(record)
