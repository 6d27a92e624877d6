"""Target accounts for strategists (SPEC §10): lookalikes, ranked recommendations, setting targets.

The account–attribute matrix (:class:`~graphsvc.algorithms.lookalike.AttributeMatrix`) is built
from one read of every account; customers are the accounts with an opportunity won by
``as_of``. Recommendations rank every account that is not a customer (target accounts included,
marked as such, so a strategist sees their suggested tier too) by
:func:`graphsvc.algorithms.targeting.rank_targets`: ICP fit from the model in force, lookalike
score against the won customers, and the surge of each account's own windowed engagement from
the previous window to this one (the account scorecard's engagement level). The levels come from
the engagement read model, every account at once in four statements
(:func:`~graphsvc.scores.read_model.read_own_levels`: its buckets, decayed at read, exact at any
moment); an account it cannot serve is computed live from its subtree
(:func:`~graphsvc.scores.subtrees.score_subtrees`, both windows from one read). Accepting one is
:func:`set_target` (the API's ``setTarget``).

The matrix and what is computed from it (lookalikes, similarity to the customers, every
account's ICP fit) are built once
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
from graphsvc.algorithms.scoring import Contribution, to_utc
from graphsvc.algorithms.targeting import (
    DEFAULT_CAPACITIES,
    PriorityWeights,
    TargetCandidate,
    TargetRecommendation,
    rank_targets,
)
from graphsvc.documents import IcpModel
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.scorecards.account import DEFAULT_WINDOW_DAYS, window_moment
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.scores.read_model import read_own_levels
from graphsvc.scores.structure import TreeWatch
from graphsvc.scores.subtrees import read_subtrees, score_subtrees
from graphsvc.store.database import Database, Record, Transaction

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

# Lookalike lists kept per data version (by account and page size); ICP models whose fits are kept.
_LOOKALIKES_PER_VERSION = 4096
_FITS_PER_VERSION = 2

Fit = tuple[float, tuple[Contribution, ...]]


class SharedSimilarity:
    """The account–attribute matrix of one data version and the results computed from it, memoised,
    with every account's ICP fit under the models it was asked for.

    Thread-safe: the memos are ``lru_cache``s (and a lock), and two threads computing one entry get
    equal results. The lists and mappings they return are shared: read them, never change them.
    """

    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self.records = records
        self.matrix = AttributeMatrix.from_profiles({i: account_attributes(r) for i, r in records.items()})
        self.lookalikes = lru_cache(maxsize=_LOOKALIKES_PER_VERSION)(self.matrix.lookalikes)
        self.similarity_to_customers = lru_cache(maxsize=8)(self._similarity_to_customers)
        # ICP models are not hashable: kept by identity (the parsed documents are cached by stamp),
        # with the model itself so its id cannot be reused while its fits are kept.
        self._fits: OrderedDict[int, tuple[IcpModel, dict[str, Fit]]] = OrderedDict()
        self._fits_lock = threading.Lock()

    def _similarity_to_customers(self, customers: frozenset[str]) -> dict[str, CustomerSimilarity]:
        return self.matrix.similarity_to_customers(customers)

    def fits(self, icp: IcpModel) -> dict[str, Fit]:
        """Every account's ICP fit and its contributions under ``icp``."""
        with self._fits_lock:
            if (kept := self._fits.get(id(icp))) is not None and kept[0] is icp:
                return kept[1]
        computed = {account_id: account_fit(icp, record) for account_id, record in self.records.items()}
        with self._fits_lock:
            self._fits[id(icp)] = (icp, computed)
            while len(self._fits) > _FITS_PER_VERSION:
                self._fits.popitem(last=False)
        return computed


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
    built = SharedSimilarity(records)
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
    db: Database,
    account_ids: Sequence[str],
    first: int = 10,
    as_of: datetime | None = None,
    *,
    profiles: AccountProfiles | None = None,
) -> dict[str, list[Lookalike]]:
    """The lookalikes of many accounts from one read (for a DataLoader); unknown ids are left out.

    ``profiles``: the accounts as read already (one read serves a whole request).
    """
    profiles = profiles or await read_account_profiles(db, as_of)
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
    live: bool = False,
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
    live
        Compute every engagement level from the engagements (the reference the read model is
        tested against).
    """
    as_of = window_moment(as_of, window_days)
    if first is not None and first < 0:
        raise InvalidInput(f"first must be at least 0, got {first}")
    documents = await documents_in_force(db)
    profiles = await read_account_profiles(db, as_of)
    candidates_ids = sorted(set(profiles.records) - profiles.customers)
    levels = await _engagement_levels(db, documents, candidates_ids, as_of, window_days, live)

    def recommend() -> list[TargetRecommendation]:
        similarity = profiles.similarity()
        nearest = similarity.similarity_to_customers(profiles.customers)
        fits = similarity.fits(documents.icp)
        candidates = []
        for account_id in candidates_ids:
            record = profiles.records[account_id]
            fit, contributions = fits[account_id]
            similar = nearest[account_id]
            customer = profiles.records.get(similar.customer_id) if similar.customer_id else None
            current, previous = levels[account_id]
            candidates.append(
                TargetCandidate(
                    account_id,
                    fit=fit,
                    lookalike=similar.similarity,
                    current=current,
                    previous=previous,
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


async def _engagement_levels(
    db: Database,
    documents: DocumentsInForce,
    account_ids: Sequence[str],
    as_of: datetime,
    window_days: int,
    live: bool,
) -> dict[str, tuple[float, float]]:
    """Each account's own windowed engagement at ``as_of`` and the previous window's.

    From the read model (:func:`~graphsvc.scores.read_model.read_own_levels`); the accounts it
    cannot serve, and all with ``live``, from their subtrees, both windows from one read.
    """
    levels: dict[str, tuple[float, float]] = {}
    if not live:
        stored = await read_own_levels(db, documents, as_of, window_days)
        levels = {i: found for i in account_ids if (found := stored.get(i)) is not None}
    rest = [account_id for account_id in account_ids if account_id not in levels]
    if rest:
        subtrees = await read_subtrees(db.read, rest)

        def score() -> dict[str, tuple[float, float]]:
            current = score_subtrees(documents, subtrees, as_of, window_days=window_days)
            previous = score_subtrees(documents, subtrees, as_of - timedelta(days=window_days), window_days=window_days)
            return {
                account_id: tuple(
                    float(result.windowed[result.snapshot.account_index[account_id]]) for result in (current, previous)
                )
                for account_id in rest
            }

        levels.update(await asyncio.to_thread(score))
    return levels


async def set_target(
    db: Database, account_id: str, is_target: bool, tier: int | None = None, at: datetime | None = None
) -> None:
    """Make an account a target (keeping its tier unless ``tier`` is given) or not (dropping its tier).

    ``at`` (default now) is the account's change time. The target flag breaks ties in lead
    matching, so leads are matched again in the same transaction, and the trees of those whose
    match changed rescored (:class:`~graphsvc.scores.structure.TreeWatch`).

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
    documents = await documents_in_force(db)
    moment = (at or datetime.now(UTC)).isoformat()

    async def work(tx: Transaction) -> list[Record]:
        watch = await TreeWatch.before(tx, accounts=[account_id])
        found = await tx.run("api/set_target", id=account_id, is_target=is_target, tier=tier, at=moment)
        await watch.settle(tx, documents)
        return found

    if not await db.transaction("setTarget", work):
        raise NotFound(f"no account {account_id!r}")
