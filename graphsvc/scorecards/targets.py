"""Target accounts for strategists (SPEC §10): lookalikes, ranked recommendations, setting targets.

The account–attribute matrix (:class:`~graphsvc.algorithms.lookalike.AttributeMatrix`) is built
from one read of every account; customers are the accounts with an opportunity won by
``as_of``. Recommendations rank every account that is not a customer (target accounts included,
marked as such, so a strategist sees their suggested tier too) by
:func:`graphsvc.algorithms.targeting.rank_targets`: ICP fit from the model in force, lookalike
score against the won customers, and the surge of each account's own windowed engagement from
the previous window to this one (the account scorecard's engagement level, from the same
:func:`~graphsvc.scores.subtrees.subtree_scores`). Accepting one is :func:`set_target` (the API's
``setTarget``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.lookalike import AttributeMatrix, Lookalike, account_attributes
from graphsvc.algorithms.scoring import to_utc
from graphsvc.algorithms.targeting import (
    DEFAULT_CAPACITIES,
    PriorityWeights,
    TargetCandidate,
    TargetRecommendation,
    rank_targets,
)
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.scorecards.account import DEFAULT_WINDOW_DAYS, window_moment
from graphsvc.scores.documents import documents_in_force
from graphsvc.scores.subtrees import subtree_scores
from graphsvc.store.database import Database

__all__ = [
    "AccountProfiles",
    "account_lookalikes",
    "lookalikes_of_accounts",
    "read_account_profiles",
    "set_target",
    "target_recommendations",
]

_TIERS = (1, 2, 3)


@dataclass(frozen=True)
class AccountProfiles:
    """Every account's record, which of them are customers, and the attribute matrix over them."""

    records: dict[str, dict[str, Any]]
    customers: frozenset[str]
    matrix: AttributeMatrix


async def read_account_profiles(db: Database, as_of: datetime | None = None) -> AccountProfiles:
    """Read every account once and build the account–attribute matrix."""
    moment = to_utc(as_of) if as_of is not None else datetime.now(UTC)
    rows = await db.read("targets/accounts", as_of=moment.isoformat())
    records = {row["account"]["id"]: row["account"] for row in rows}
    customers = frozenset(row["account"]["id"] for row in rows if row["customer"])
    matrix = AttributeMatrix.from_profiles({account_id: account_attributes(r) for account_id, r in records.items()})
    return AccountProfiles(records, customers, matrix)


async def account_lookalikes(
    db: Database, account_id: str, first: int = 10, as_of: datetime | None = None
) -> list[Lookalike]:
    """The ``first`` accounts most like ``account_id``, with the attributes they share.

    Raises
    ------
    NotFound
        No account has that id.
    """
    found = await lookalikes_of_accounts(db, [account_id], first, as_of)
    if account_id not in found:
        raise NotFound(f"no account {account_id!r}")
    return found[account_id]


async def lookalikes_of_accounts(
    db: Database, account_ids: Sequence[str], first: int = 10, as_of: datetime | None = None
) -> dict[str, list[Lookalike]]:
    """The lookalikes of many accounts from one read (for a DataLoader); unknown ids are left out."""
    profiles = await read_account_profiles(db, as_of)
    return {
        account_id: profiles.matrix.lookalikes(account_id, first)
        for account_id in dict.fromkeys(account_ids)
        if account_id in profiles.records
    }


async def target_recommendations(
    db: Database,
    *,
    first: int | None = None,
    capacities: Sequence[int] = DEFAULT_CAPACITIES,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: datetime | str | None = None,
    weights: PriorityWeights | None = None,
) -> list[TargetRecommendation]:
    """Non-customer accounts ranked for targeting, tiered by ``capacities``, best first.

    Parameters
    ----------
    first
        Return at most this many (None: every tiered account).
    capacities
        Accounts per tier, tier 1 first (1 to 3 numbers).
    window_days, as_of
        The engagement window whose surge counts, ending at ``as_of`` (default now).
    weights
        The priority blend (default 0.5 fit, 0.3 lookalike, 0.2 surge).
    """
    as_of = window_moment(as_of, window_days)
    if first is not None and first < 0:
        raise InvalidInput(f"first must be at least 0, got {first}")
    documents = await documents_in_force(db)
    profiles = await read_account_profiles(db, as_of)
    candidates_ids = sorted(set(profiles.records) - profiles.customers)
    nearest = profiles.matrix.similarity_to_customers(profiles.customers)
    current = await subtree_scores(db, candidates_ids, as_of, window_days=window_days)
    previous = await subtree_scores(db, candidates_ids, as_of - timedelta(days=window_days), window_days=window_days)

    def level(result: Any, account_id: str) -> float:
        return float(result.windowed[result.snapshot.account_index[account_id]])

    candidates = []
    for account_id in candidates_ids:
        record = profiles.records[account_id]
        fit, contributions = account_fit(documents.icp, record)
        similar = nearest[account_id]
        customer = profiles.records.get(similar.customer_id) if similar.customer_id else None
        candidates.append(
            TargetCandidate(
                account_id,
                fit=fit,
                lookalike=similar.similarity,
                current=level(current, account_id),
                previous=level(previous, account_id),
                name=record.get("name"),
                fit_contributions=contributions,
                customer_id=similar.customer_id,
                customer_name=customer and customer.get("name"),
                shared_attributes=similar.shared_attributes,
                window_days=window_days,
                is_target=bool(record.get("is_target")),
                current_tier=record.get("tier"),
            )
        )
    ranked = rank_targets(candidates, capacities, weights)
    return ranked if first is None else ranked[:first]


async def set_target(db: Database, account_id: str, is_target: bool, tier: int | None = None) -> None:
    """Make an account a target (keeping its tier unless ``tier`` is given) or not (dropping its tier).

    Raises
    ------
    InvalidInput
        A tier other than 1, 2 or 3, or a tier for an account that is not a target.
    NotFound
        No account has that id.
    """
    if tier is not None and (isinstance(tier, bool) or tier not in _TIERS):
        raise InvalidInput(f"tier must be 1, 2 or 3, got {tier!r}")
    if tier is not None and not is_target:
        raise InvalidInput("only a target account has a tier")
    if not await db.write("api/set_target", id=account_id, is_target=is_target, tier=tier):
        raise NotFound(f"no account {account_id!r}")
