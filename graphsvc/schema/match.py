"""Lead-to-account matches: the AccountMatch and MatchCandidates types and the matchAccount query."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from graphsvc.algorithms.matching import MatchResult, match_lead
from graphsvc.errors import InvalidInput
from graphsvc.schema.arguments import given
from graphsvc.schema.context import Context
from graphsvc.schema.enums import MatchMethod
from graphsvc.schema.permissions import CanRead, visible_accounts
from graphsvc.scores.recompute import account_index, read_accounts
from graphsvc.store.database import Record

if TYPE_CHECKING:
    from graphsvc.schema.account import Account

__all__ = ["AccountMatch", "MatchCandidates", "MatchQuery"]

# The account module is above this one (through Lead.match): its type is resolved when used.
_ACCOUNT = strawberry.LazyType("Account", "graphsvc.schema.account")


@strawberry.type(description="An account matched to a lead: by domain, name, fuzzy name or by hand (SPEC §4).")
class AccountMatch:
    account: Annotated[Account, strawberry.lazy("graphsvc.schema.account")]
    method: MatchMethod
    confidence: float

    record: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> AccountMatch:
        """The match of ``{"account": account record, "method": MatchMethod, "confidence": float}``."""
        return cls(
            account=_ACCOUNT.resolve_type().from_record(record["account"]),
            method=record["method"],
            confidence=float(record["confidence"] or 0.0),
            record=record,
        )


@strawberry.type(description="Accounts a lead's email, company or website points to, best first.")
class MatchCandidates:
    best: AccountMatch | None = strawberry.field(description="The match, when its confidence reaches 0.8.")
    candidates: list[AccountMatch]

    record: strawberry.Private[MatchResult]

    @classmethod
    def from_record(cls, record: MatchResult, accounts: dict[str, Record]) -> MatchCandidates:
        """The candidates of a matching result whose accounts are in ``accounts`` (those the caller sees)."""
        candidates = [
            AccountMatch.from_record(
                {"account": accounts[match.account_id], "method": match.method, "confidence": match.confidence}
            )
            for match in record.candidates
            if match.account_id in accounts
        ]
        best = record.best
        return cls(
            best=next(
                (candidate for candidate in candidates if best and candidate.account.id == best.account_id), None
            ),
            candidates=candidates,
            record=record,
        )


@strawberry.type
class MatchQuery:
    @strawberry.field(
        description="Which account a lead with this email, company name or website belongs to (SPEC §4), without "
        "storing anything; at most the maximum page size of candidates.",
        permission_classes=[CanRead],
    )
    async def match_account(
        self,
        info: Info[Context, None],
        email: str | None = strawberry.UNSET,
        company: str | None = strawberry.UNSET,
        website: str | None = strawberry.UNSET,
    ) -> MatchCandidates:
        clues = {"email": given(email), "company": given(company), "website": given(website)}
        if not any(clues.values()):
            raise InvalidInput("give an email, a company or a website to match")
        context = info.context
        # The index is built per request, so a match always sees the accounts as they are now.
        result = match_lead(account_index(await read_accounts(context.db)), **clues)
        shown = [match.account_id for match in result.candidates[: context.limits.max_page_size]]
        records = await visible_accounts(context, shown)
        return MatchCandidates.from_record(result, {record["id"]: record for record in records if record is not None})
