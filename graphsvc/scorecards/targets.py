"""Target accounts for strategists (SPEC §10): lookalikes, ranked recommendations, setting targets.

The account–attribute matrix (:class:`~graphsvc.algorithms.lookalike.AttributeMatrix`) is built
from one read of every account; customers are the accounts with an opportunity won by
``as_of``. Recommendations rank every account that is not a customer (target accounts included,
marked as such, so a strategist sees their suggested tier too) by
:func:`graphsvc.algorithms.targeting.rank_targets`: ICP fit from the model in force, lookalike
score against the won customers, and the surge of each account's own windowed engagement from
the previous window to this one (the account scorecard's engagement level, from the same
:func:`~graphsvc.scores.subtrees.score_subtrees`, both windows from one read). Accepting one is
:func:`set_target` (the API's ``setTarget``).

The matrix and what is computed from it (lookalikes, similarity to the customers) are built once
per data version and shared by every request (:func:`shared_similarity`): the version is the
digest of the account records read, so any write that changes an account makes the next read
build a new one, and none can see a stale one. The computations run in a worker
thread (:func:`asyncio.to_thread`), never on the event loop, so other requests keep being served.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.lookalike import AttributeMatrix, CustomerSimilarity, Lookalike, account_attributes
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
from graphsvc.scores.subtrees import read_subtrees, score_subtrees
from graphsvc.store.database import Database

__all__ = [
    "MAX_SHARED_VERSIONS",
    "AccountProfiles",
    "SharedSimilarity",
    "account_lookalikes",
    "lookalikes_of_accounts",
    "read_account_profiles",
    "set_target",
    "target_recommendations",
]

_TIERS = (1, 2, 3)


MAX_SHARED_VERSIONS = 4
"""Data versions whose similarity data is kept: the current one, and a few that requests still read."""

# Lookalike lists kept per data version (by account and page size).
_LOOKALIKES_PER_VERSION = 4096


class SharedSimilarity:
    """The account–attribute matrix of one data version and the results computed from it, memoised.

    Thread-safe: the memos are ``lru_cache``s, and two threads computing one entry get equal results.
    The lists and mappings they return are shared: read them, never change them.
    """

    def __init__(self, matrix: AttributeMatrix) -> None:
        self.matrix = matrix
        self.lookalikes = lru_cache(maxsize=_LOOKALIKES_PER_VERSION)(matrix.lookalikes)
        self.similarity_to_customers = lru_cache(maxsize=8)(self._similarity_to_customers)

    def _similarity_to_customers(self, customers: frozenset[str]) -> dict[str, CustomerSimilarity]:
        return self.matrix.similarity_to_customers(customers)


# Shared similarity data by data version (the digest of the account records), least recently used first.
_shared: OrderedDict[str, SharedSimilarity] = OrderedDict()
_shared_lock = threading.Lock()  # worker threads look up and add versions


def _records_version(records: Mapping[str, Mapping[str, Any]]) -> str:
    digest = hashlib.sha256()
    for account_id in sorted(records):
        digest.update(repr(sorted(records[account_id].items())).encode())
    return digest.hexdigest()


def shared_similarity(records: Mapping[str, Mapping[str, Any]]) -> SharedSimilarity:
    """The similarity data of these account records, built only for a new data version.

    CPU-bound (a digest of every record, and building the matrix for a new version): call it from a
    worker thread, never on the event loop.
    """
    version = _records_version(records)
    with _shared_lock:
        if (shared := _shared.get(version)) is not None:
            _shared.move_to_end(version)
            return shared
    built = SharedSimilarity(
        AttributeMatrix.from_profiles({account_id: account_attributes(r) for account_id, r in records.items()})
    )
    with _shared_lock:
        shared = _shared.setdefault(version, built)  # another thread may have built it meanwhile
        _shared.move_to_end(version)
        while len(_shared) > MAX_SHARED_VERSIONS:
            _shared.popitem(last=False)
    return shared


@dataclass(frozen=True)
class AccountProfiles:
    """Every account's record and which of them are customers."""

    records: dict[str, dict[str, Any]]
    customers: frozenset[str]

    def similarity(self) -> SharedSimilarity:
        """The shared similarity data over these accounts (:func:`shared_similarity`: in a worker thread)."""
        return shared_similarity(self.records)


async def read_account_profiles(db: Database, as_of: datetime | None = None) -> AccountProfiles:
    """Read every account once (the statement's ``as_of`` decides who is a customer)."""
    moment = to_utc(as_of) if as_of is not None else datetime.now(UTC)
    rows = await db.read("targets/accounts", as_of=moment.isoformat())
    records = {row["account"]["id"]: row["account"] for row in rows}
    customers = frozenset(row["account"]["id"] for row in rows if row["customer"])
    return AccountProfiles(records, customers)


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
    wanted = [account_id for account_id in dict.fromkeys(account_ids) if account_id in profiles.records]

    def lookalikes() -> dict[str, list[Lookalike]]:
        similarity = profiles.similarity()
        return {account_id: similarity.lookalikes(account_id, first) for account_id in wanted}

    return await asyncio.to_thread(lookalikes)


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
    # Every engagement of their subtrees, read once: both windows are scored from the same rows.
    subtrees = await read_subtrees(db.read, candidates_ids)

    def level(result: Any, account_id: str) -> float:
        return float(result.windowed[result.snapshot.account_index[account_id]])

    def recommend() -> list[TargetRecommendation]:
        current = score_subtrees(documents, subtrees, as_of, window_days=window_days)
        previous = score_subtrees(documents, subtrees, as_of - timedelta(days=window_days), window_days=window_days)
        nearest = profiles.similarity().similarity_to_customers(profiles.customers)
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
        return rank_targets(candidates, capacities, weights)

    ranked = await asyncio.to_thread(recommend)
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
    if not await db.write(
        "api/set_target", id=account_id, is_target=is_target, tier=tier, at=datetime.now(UTC).isoformat()
    ):
        raise NotFound(f"no account {account_id!r}")
