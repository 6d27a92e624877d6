"""Target accounts for strategists (SPEC §10): lookalikes, ranked recommendations, setting targets.

The account–attribute matrix (:class:`~graphsvc.algorithms.lookalike.AttributeMatrix`) is built
from one read of every account; customers are the accounts with an opportunity won by
``as_of``. Recommendations rank every account that is not a customer (target accounts included,
marked as such, so a strategist sees their suggested tier too) by
:func:`graphsvc.algorithms.targeting.rank_targets`: ICP fit from the model in force, lookalike
score against the won customers, and the surge of each account's own windowed engagement from
the previous window to this one (the account scorecard's engagement level). The levels come from
the engagement read model, every account at once from its columns
(:func:`~graphsvc.scores.read_model.read_own_level_columns`: its buckets, decayed at read, exact at
any moment); an account it cannot serve is computed live from its subtree
(:func:`~graphsvc.scores.subtrees.score_subtrees`, both windows from one read). Accepting one is
:func:`set_target` (the API's ``setTarget``).

What is read of the graph is kept per process by data version (:mod:`graphsvc.store.versioned`):
the account records with their won opportunities' closing dates (customers are picked at
``as_of`` from them), and the read model's columns of the buckets the windows overlap; the
account–attribute matrix and what is computed from it (lookalikes, similarity to the customers,
every account's ICP fit) are built once per data version and shared by every request. Any write
that changes data replaces the version, so the next request reads again, and none can see a
stale value; what depends on the moment (customers, the decayed windows) is computed at each
request. The computations run in a worker thread (:func:`asyncio.to_thread`), never on the event
loop, so other requests keep being served.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.lookalike import AttributeMatrix, CustomerSimilarity, Lookalike, account_attributes
from graphsvc.algorithms.scoring import Contribution, to_utc
from graphsvc.algorithms.targeting import (
    DEFAULT_CAPACITIES,
    CandidateColumns,
    PriorityWeights,
    TargetCandidate,
    TargetRecommendation,
    rank_targets,
)
from graphsvc.documents import IcpModel
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.scorecards.account import DEFAULT_WINDOW_DAYS, window_moment
from graphsvc.scores.documents import DocumentsInForce, documents_in_force
from graphsvc.scores.read_model import OwnLevelColumns, own_level_buckets, read_own_level_columns
from graphsvc.scores.structure import TreeWatch
from graphsvc.scores.subtrees import read_subtrees, score_subtrees
from graphsvc.store.database import Database, Record, Transaction
from graphsvc.store.versioned import VersionedCache

__all__ = [
    "AccountProfiles",
    "AccountRecords",
    "SharedSimilarity",
    "account_lookalikes",
    "lookalikes_of_accounts",
    "read_account_profiles",
    "set_target",
    "target_recommendations",
]

_TIERS = (1, 2, 3)


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


class AccountRecords:
    """Every account's record and when each of its won opportunities closed (None: no date): what
    targeting reads of the accounts, the same at any moment. Kept by data version
    (:data:`_account_records`), with the similarity data built from it on first use."""

    def __init__(self, records: dict[str, dict[str, Any]], won: dict[str, tuple[datetime | None, ...]]) -> None:
        self.records = records
        self.won = won
        self._similarity: SharedSimilarity | None = None
        self._lock = threading.Lock()

    def customers(self, as_of: datetime) -> frozenset[str]:
        """The accounts with an opportunity won by ``as_of``."""
        return frozenset(i for i, closed in self.won.items() if any(at is None or at <= as_of for at in closed))

    def similarity(self) -> SharedSimilarity:
        """The similarity data over these accounts, built once (CPU-bound: call it from a worker thread)."""
        with self._lock:
            if self._similarity is None:
                self._similarity = SharedSimilarity(self.records)
            return self._similarity


async def _read_account_records(db: Database) -> AccountRecords:
    rows = await db.read("targets/accounts")
    won: dict[str, tuple[datetime | None, ...]] = {}
    for row in rows:
        closed = [at.to_native() for at in row["won_closed_at"]] + ([None] if row["won_undated"] else [])
        if closed:
            won[row["account"]["id"]] = tuple(closed)
    return AccountRecords({row["account"]["id"]: row["account"] for row in rows}, won)


# Every account's records and similarity data by data version: the current one, and a few that
# requests still read.
_account_records: VersionedCache[AccountRecords] = VersionedCache(size=4)
# The read model's columns by data version and range of buckets, with the documents they were read with.
_level_columns: VersionedCache[tuple[DocumentsInForce, OwnLevelColumns]] = VersionedCache(size=4)


@dataclass(frozen=True)
class AccountProfiles:
    """Every account's record and which of them are customers at a moment."""

    records: dict[str, dict[str, Any]]
    customers: frozenset[str]
    source: AccountRecords

    def similarity(self) -> SharedSimilarity:
        """The shared similarity data over these accounts (built once per data version: call it from a
        worker thread)."""
        return self.source.similarity()


async def read_account_profiles(db: Database, as_of: datetime | None = None) -> AccountProfiles:
    """Every account, and the customers at ``as_of`` (default now): one read per data version."""
    moment = to_utc(as_of) if as_of is not None else datetime.now(UTC)
    source = await _account_records.get(db, "accounts", lambda: _read_account_records(db))
    return AccountProfiles(source.records, source.customers(moment), source)


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
    current, previous = await _engagement_levels(db, documents, candidates_ids, as_of, window_days, live)

    def recommend() -> list[TargetRecommendation]:
        similarity = profiles.similarity()
        nearest = similarity.similarity_to_customers(profiles.customers)
        fits = similarity.fits(documents.icp)

        def candidate(row: int) -> TargetCandidate:
            account_id = candidates_ids[row]
            record = profiles.records[account_id]
            fit, contributions = fits[account_id]
            similar = nearest[account_id]
            customer = profiles.records.get(similar.customer_id) if similar.customer_id else None
            return TargetCandidate(
                account_id,
                fit=fit,
                lookalike=similar.similarity,
                current=float(current[row]),
                previous=float(previous[row]),
                name=record.get("name"),
                fit_contributions=contributions,
                customer_id=similar.customer_id,
                customer_name=customer and customer.get("name"),
                shared_attributes=similar.shared_attributes,
                window_days=window_days,
                is_target=bool(record.get("is_target")),
                current_tier=record.get("tier"),
            )

        def column(values: list[float]) -> np.ndarray:
            return np.array(values, dtype=np.float64)

        columns = CandidateColumns(
            candidates_ids,
            column([fits[i][0] for i in candidates_ids]),
            column([nearest[i].similarity for i in candidates_ids]),
            current,
            previous,
            candidate,
        )
        return rank_targets(columns, capacities, weights, first=first)

    return await asyncio.to_thread(recommend)


async def _engagement_levels(
    db: Database,
    documents: DocumentsInForce,
    account_ids: Sequence[str],
    as_of: datetime,
    window_days: int,
    live: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Each account's own windowed engagement at ``as_of`` and the previous window's, aligned with
    ``account_ids``.

    From the read model's columns (:func:`~graphsvc.scores.read_model.read_own_level_columns`,
    kept by data version and range of buckets, so a request at a moment whose buckets are kept
    reads only the data version); the accounts it cannot serve, and all with ``live``, from their
    subtrees, both windows from one read.
    """
    current, previous = np.zeros(len(account_ids)), np.zeros(len(account_ids))
    served = np.zeros(len(account_ids), dtype=bool)
    if not live:
        buckets = own_level_buckets(as_of, window_days)

        async def build() -> tuple[DocumentsInForce, OwnLevelColumns]:
            # The documents the columns are built with, read after the data version.
            in_force = await documents_in_force(db)
            return in_force, await read_own_level_columns(db, in_force, *buckets)

        in_force, columns = await _level_columns.get(db, buckets, build)

        def stored() -> None:
            known = [i for i, account_id in enumerate(account_ids) if account_id in columns.positions]
            positions = np.array([columns.positions[account_ids[i]] for i in known], dtype=np.int64)
            now, before = columns.level_arrays(as_of, window_days, in_force.scoring.decay_half_life_days)
            current[known], previous[known] = now[positions], before[positions]
            served[known] = columns.served[positions]

        await asyncio.to_thread(stored)
    rest = [account_id for account_id, kept in zip(account_ids, served.tolist(), strict=True) if not kept]
    if rest:
        subtrees = await read_subtrees(db.read, rest)

        def score() -> None:
            rows = [i for i, kept in enumerate(served.tolist()) if not kept]
            for end, column in ((as_of, current), (as_of - timedelta(days=window_days), previous)):
                result = score_subtrees(documents, subtrees, end, window_days=window_days)
                column[rows] = [float(result.windowed[result.snapshot.account_index[i]]) for i in rest]

        await asyncio.to_thread(score)
    return current, previous


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
