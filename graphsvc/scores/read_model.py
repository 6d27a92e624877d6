"""The engagement read model: each account's engagements kept in time buckets, for windows at any moment.

An account's windowed figures (SPEC §7, §10: windowed engagement own and rolled up, the previous
window's, engaged people, committee coverage) otherwise need the subtree's persons and every
engagement of two windows read row by row. The read model keeps, per account and per bucket of
:data:`BUCKET_DAYS` days, ``(:EngagementDays {account_id, bucket, entries})``: the engagements of
the account's own contacts and matched leads as text, one JSON line ``[person id, epoch
milliseconds, undecayed points under the scoring model]`` each. One statement then reads an
account's subtree with the buckets that overlap both windows; the figures are computed at read
from the exact times, so they are exact at any ``as_of`` (a bucket cut by a window's bound is
filtered entry by entry), decay is applied at read, and the role weights are the current ones
(read with the persons): a changed buying role needs no rewrite.

Written by :func:`write_read_model` (the whole-graph recompute) and kept current by the importer,
which appends each new engagement to its account's bucket (:func:`append_steps`). What the buckets
cannot follow is detected at read, and such an account (its whole subtree) is computed live
instead (:mod:`graphsvc.scores.subtrees`), so a read is always exact:

* never written by a recompute (``Account.read_model_at`` missing), or written before the scoring
  model in force was saved (points are stored);
* a person moved between accounts (a lead's new match, a contact's new account) after its
  engagements were bucketed: each person records the account its engagements are kept under
  (``days_account``), and a person at an account with another one recorded, or an entry in a
  bucket of a person no longer at the account, makes it stale;
* an engagement imported again with other values, or appended with the points of a scoring model
  replaced meanwhile (the importer marks its accounts stale);
* a hierarchy cycle (an account twice in a subtree).

The next ``graphsvc recompute`` rewrites the buckets that changed and every stamp. A recompute racing an import can
lose the import's appends (it rewrites from what it read), as it can for the stored sums.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np

from graphsvc.algorithms.coverage import CommitteeCoverage
from graphsvc.algorithms.roles import role_weight
from graphsvc.algorithms.snapshot import GraphSnapshot
from graphsvc.scores.documents import DocumentsInForce
from graphsvc.scores.recompute import ROLL_UP_DELTA, committee_assignment
from graphsvc.store.database import Database

__all__ = [
    "BUCKET_DAYS",
    "AccountWindows",
    "OwnLevelColumns",
    "append_steps",
    "bucket_of",
    "own_level_buckets",
    "read_account_windows",
    "read_own_level_columns",
    "read_own_levels",
    "write_read_model",
]

# 30 days: a 90-day window and the one before it read 7 buckets; a recompute writes few nodes.
BUCKET_DAYS = 30
_MS_PER_BUCKET = BUCKET_DAYS * 86_400_000
_SECONDS_PER_DAY = 86_400.0
# Accounts whose buckets one recompute transaction rewrites; rows of the other writes.
_WRITE_ACCOUNTS = 500
_WRITE_ROWS = 5000


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _entries_text(entries: Iterable[tuple[str, int, float]]) -> str:
    """Bucket entries as stored: one JSON array ``[person, ms, points]`` per line.

    Text rather than lists: appending is string concatenation, and a read decodes one string per
    bucket (``json.loads``) instead of the driver converting every list element.
    """
    return "".join(json.dumps(entry) + "\n" for entry in entries)


def bucket_of(ms: int) -> int:
    """The bucket of a moment in epoch milliseconds."""
    return ms // _MS_PER_BUCKET


@dataclass(frozen=True)
class AccountWindows:
    """One account's figures over the window ending at ``as_of`` and the one before it.

    ``engagement_level`` and ``rolled_up_level`` are the windowed engagement, own and with the
    subsidiaries' (δ per level); ``previous_level`` the own one of the previous window measured
    at its end; ``coverage`` the committee coverage in the window.
    """

    account: Mapping[str, Any]
    contacts: int
    matched_leads: int
    engaged_contacts: int
    engaged_matched_leads: int
    engagement_level: float
    rolled_up_level: float
    previous_level: float
    coverage: CommitteeCoverage


# -- writing -----------------------------------------------------------------------------------


def _bucket_rows(
    accounts: np.ndarray, times_ms: np.ndarray, persons: Sequence[str], points: np.ndarray, account_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """Rows of ``read_model/create_days`` by account id, from one entry per engagement."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not times_ms.size:
        return rows
    buckets = times_ms // _MS_PER_BUCKET
    order = np.lexsort((times_ms, buckets, accounts))
    keys = np.stack([accounts[order], buckets[order]], axis=1)
    starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
    for start, end in zip(starts.tolist(), [*starts[1:].tolist(), order.size], strict=True):
        chosen = order[start:end]
        account_id = account_ids[int(accounts[chosen[0]])]
        who = [persons[i] for i in chosen.tolist()]
        entries = zip(who, times_ms[chosen].tolist(), points[chosen].tolist(), strict=True)
        rows[account_id].append(
            {"account_id": account_id, "bucket": int(buckets[chosen[0]]), "entries": _entries_text(entries)}
        )
    return rows


async def write_read_model(db: Database, snapshot: GraphSnapshot, times_ms: np.ndarray, written_at: datetime) -> int:
    """Rewrite every account's buckets from a whole-graph snapshot; returns the buckets written.

    ``times_ms`` are the snapshot's engagement times in epoch milliseconds (as stored);
    ``written_at`` is the stamp compared with the scoring model's save time: take it before the
    documents in force were read. Only accounts whose buckets changed are rewritten (a digest of
    them is kept on the account), in batches, each in one transaction (delete, create, stamp), so
    a reader sees an account either before or after; the others only take the new stamp.
    """
    person_account = snapshot.person_account[snapshot.engagement_person]
    kept = person_account >= 0
    engagement_persons = [snapshot.person_ids[i] for i in snapshot.engagement_person[kept].tolist()]
    rows = _bucket_rows(
        person_account[kept],
        np.asarray(times_ms, dtype=np.int64)[kept],
        engagement_persons,
        snapshot.engagement_points[kept],
        snapshot.account_ids,
    )
    has_engagements = np.zeros(len(snapshot.person_ids), dtype=bool)
    has_engagements[snapshot.engagement_person] = True
    person_rows: dict[bool, list[dict[str, str]]] = {True: [], False: []}  # by is contact
    for i, a, is_contact in zip(
        np.flatnonzero(has_engagements).tolist(),
        snapshot.person_account[has_engagements].tolist(),
        snapshot.person_is_contact[has_engagements].tolist(),
        strict=True,
    ):
        person_rows[is_contact].append(
            {"id": snapshot.person_ids[i], "account_id": snapshot.account_ids[a] if a >= 0 else ""}
        )
    stamp = _ms(written_at)
    [stored] = await db.read("read_model/digests")
    digests = {account_id: digest for account_id, digest in stored["digests"]}
    changed = []
    for account_id in snapshot.account_ids:
        digest = hashlib.sha256(json.dumps(rows.get(account_id, [])).encode()).hexdigest()
        if digests.get(account_id) != digest:
            changed.append({"id": account_id, "digest": digest})
    written = 0
    for start in range(0, len(changed), _WRITE_ACCOUNTS):
        batch = changed[start : start + _WRITE_ACCOUNTS]
        ids = [row["id"] for row in batch]
        buckets = [row for account_id in ids for row in rows.get(account_id, ())]
        await db.write_many(
            [
                ("read_model/delete_days", {"ids": ids}),
                ("read_model/create_days", {"rows": buckets}),
                ("read_model/set_digests", {"rows": batch, "at": stamp}),
            ]
        )
        written += len(buckets)
    # Accounts whose buckets are unchanged only take the new stamp.
    for start in range(0, len(snapshot.account_ids), _WRITE_ROWS):
        await db.write("read_model/stamp_accounts", ids=snapshot.account_ids[start : start + _WRITE_ROWS], at=stamp)
    for name, is_contact in (("read_model/contact_accounts", True), ("read_model/lead_accounts", False)):
        for start in range(0, len(person_rows[is_contact]), _WRITE_ROWS):
            await db.write(name, rows=person_rows[is_contact][start : start + _WRITE_ROWS])
    return written


def append_steps(
    added: Iterable[tuple[str, str | None, int, float]], stale_accounts: Iterable[str], points_from: datetime
) -> list[tuple[str, dict[str, Any]]]:
    """Statements that add engagements ``(person id, its account id, epoch ms, points)`` to the buckets.

    For the importer's transaction. A person's first bucketed engagement records its account;
    an account already recorded stays (a moved person then makes its accounts stale at read).
    ``stale_accounts`` lose their stamp: something the buckets cannot follow happened to them; so
    do the accounts appended to when a scoring model was saved after ``points_from``, the moment
    the documents the points were computed with were read. Accounts appended to lose their digest,
    so the next recompute rewrites them.
    """
    by_bucket: dict[tuple[str, int], list[tuple[str, int, float]]] = defaultdict(list)
    persons: dict[str, str] = {}
    for person_id, account_id, at_ms, points in added:
        persons.setdefault(person_id, account_id or "")
        if account_id is not None:
            by_bucket[(account_id, bucket_of(at_ms))].append((person_id, at_ms, points))
    rows = {
        key: {"account_id": key[0], "bucket": key[1], "entries": _entries_text(entries)}
        for key, entries in by_bucket.items()
    }
    steps: list[tuple[str, dict[str, Any]]] = []
    if rows:
        steps.append(("read_model/append_days", {"rows": list(rows.values())}))
        steps.append(
            (
                "read_model/stale_after_model",
                {"ids": sorted({row["account_id"] for row in rows.values()}), "since": _ms(points_from)},
            )
        )
    if persons:
        rows_of_persons = [{"id": person_id, "account_id": account_id} for person_id, account_id in persons.items()]
        steps.append(("read_model/person_accounts", {"rows": rows_of_persons}))
    stale = sorted(set(stale_accounts))
    if stale:
        steps.append(("read_model/mark_stale", {"ids": stale}))
    return steps


# -- reading -----------------------------------------------------------------------------------


@dataclass
class _Member:
    """One account of a subtree as read: its persons and bucket entries."""

    distance: int
    account: dict[str, Any]
    persons: dict[str, tuple[bool, float]]  # id → (is contact, w(p))
    roles: dict[str, list[str]]  # contact id → roles
    entries: list[tuple[str, float, float]]  # (person, epoch seconds, points)


def _member(row: Mapping[str, Any], documents: DocumentsInForce) -> _Member | None:
    """The row of one subtree account, or None when its buckets cannot be trusted."""
    written, saved = row["written_at"], row["model_saved_at"]
    return _trusted(row["distance"], row["account"], written, saved, row["persons"], row["buckets"], documents)


def _trusted(
    distance: int,
    account: dict[str, Any],
    written: int | None,
    saved: int | None,
    persons_held: Iterable[Sequence[Any]],
    buckets: Iterable[str],
    documents: DocumentsInForce,
) -> _Member | None:
    """One account as read (persons as ``[id, is contact, roles, days_account]``, bucket texts),
    or None when its buckets cannot be trusted (module docstring)."""
    if written is None or (saved is not None and written < saved):
        return None
    account_id = account["id"]
    rules = documents.roles
    persons: dict[str, tuple[bool, float]] = {}
    roles: dict[str, list[str]] = {}
    for person_id, is_contact, held, days_account in persons_held:
        if days_account not in (None, account_id):
            return None  # moved here with engagements kept under another account
        persons[person_id] = (is_contact, role_weight(held, rules.propagation_weights, rules.no_role_weight))
        if is_contact:
            roles[person_id] = list(held)
    entries = []
    for text in buckets:
        for person_id, at_ms, base in json.loads("[" + text.rstrip("\n").replace("\n", ",") + "]"):
            if person_id not in persons:
                return None  # moved away after its engagements were kept here
            entries.append((person_id, at_ms / 1000.0, base))
    return _Member(distance, account, persons, roles, entries)


def _window(member: _Member, now: float, window_days: float, half_life_days: float) -> tuple[float, set[str]]:
    """Own windowed engagement at ``now`` (epoch seconds) and the persons engaged in the window.

    The same arithmetic as :func:`graphsvc.algorithms.snapshot.recompute`: in the window means
    ``now − W < t ≤ now``; points decay by ``0.5^(age/h)``; engaged means positive points.
    """
    start = now - window_days * _SECONDS_PER_DAY
    per_person: dict[str, float] = defaultdict(float)
    engaged = set()
    for person_id, at, base in member.entries:
        if start < at <= now:
            per_person[person_id] += base * 0.5 ** (max(now - at, 0.0) / _SECONDS_PER_DAY / half_life_days)
            if base > 0:
                engaged.add(person_id)
    level = sum(member.persons[person_id][1] * points for person_id, points in per_person.items())
    return level, engaged


def _coverage(
    documents: DocumentsInForce, member: _Member, engaged: set[str], template: str | None
) -> CommitteeCoverage:
    """Committee coverage as :func:`graphsvc.scores.current.account_coverages` measures it."""
    committees, chosen = committee_assignment(documents, [member.account], template)
    return CommitteeCoverage.of_contacts(committees[int(chosen[0])], member.roles, engaged)


def _bucket_range(as_of: datetime, span: timedelta) -> dict[str, int]:
    """The buckets that overlap ``(as_of − span, as_of]``."""
    return {
        "first_bucket": bucket_of(math.floor((as_of - span).timestamp() * 1000)),
        "last_bucket": bucket_of(math.ceil(as_of.timestamp() * 1000)),
    }


@dataclass(frozen=True)
class OwnLevelColumns:
    """Every account's bucket entries of a range of buckets as numpy columns: the input of each
    account's own windowed engagement at any moment whose windows the range covers
    (:meth:`levels`), kept by data version between requests (:mod:`graphsvc.store.versioned`).

    Entries, in time order, point at their (account, person) pair; ``served`` is False for an
    account the read model cannot serve (module docstring).
    """

    account_ids: tuple[str, ...]
    served: np.ndarray  # per account
    pair_account: np.ndarray  # per pair: its account's index
    pair_weight: np.ndarray  # per pair: the person's w(p)
    entry_pair: np.ndarray  # per entry
    entry_at: np.ndarray  # epoch seconds
    entry_base: np.ndarray  # undecayed points

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each account's index in :attr:`account_ids`."""
        return {account_id: i for i, account_id in enumerate(self.account_ids)}

    def level_arrays(self, as_of: datetime, window_days: float, half_life_days: float) -> tuple[np.ndarray, np.ndarray]:
        """Each account's own windowed engagement at ``as_of`` and the previous window's (at its
        end), aligned with :attr:`account_ids` (meaningless where not :attr:`served`).

        The arithmetic of :func:`_window` over arrays: in the window means ``now − W < t ≤ now``,
        points decay by ``0.5^(age/h)`` and are summed per person, then weighted by w(p) and summed
        per account (entries are kept in time order, so each window is a slice; numpy's power and
        summation order may differ from :func:`_window`'s in the last bits).
        """
        columns = []
        for end in (as_of, as_of - timedelta(days=window_days)):
            now = end.timestamp()
            start = now - window_days * _SECONDS_PER_DAY
            inside = slice(*np.searchsorted(self.entry_at, [start, now], side="right").tolist())
            ages = np.maximum(now - self.entry_at[inside], 0.0) / _SECONDS_PER_DAY / half_life_days
            points = self.entry_base[inside] * 0.5**ages
            per_pair = np.bincount(self.entry_pair[inside], weights=points, minlength=self.pair_account.size)
            columns.append(
                np.bincount(self.pair_account, weights=self.pair_weight * per_pair, minlength=len(self.account_ids))
            )
        return columns[0], columns[1]

    def levels(
        self, as_of: datetime, window_days: float, half_life_days: float
    ) -> dict[str, tuple[float, float] | None]:
        """:meth:`level_arrays` by account id; None for an account the read model cannot serve."""
        current, previous = (column.tolist() for column in self.level_arrays(as_of, window_days, half_life_days))
        return {
            account_id: (current[i], previous[i]) if served else None
            for i, (account_id, served) in enumerate(zip(self.account_ids, self.served.tolist(), strict=True))
        }


async def read_own_level_columns(
    db: Database, documents: DocumentsInForce, first_bucket: int, last_bucket: int
) -> OwnLevelColumns:
    """The :class:`OwnLevelColumns` of buckets ``first_bucket..last_bucket``: four statements, each
    one record of columns (stamps, persons, their roles, the buckets), whatever the number of
    accounts. CPU-bound after the reads (decoding every entry), done in a worker thread."""
    [stamps] = await db.read("read_model/stamps") or [{"model_saved_at": None, "ids": [], "written": []}]
    [persons] = await db.read("read_model/all_persons")
    [roles] = await db.read("scores/graph_roles")
    [buckets] = await db.read("read_model/all_buckets", first_bucket=first_bucket, last_bucket=last_bucket)

    def columns() -> OwnLevelColumns:
        held: dict[str, list[str]] = defaultdict(list)
        for person_id, role, _ in roles["roles"]:
            held[person_id].append(role)
        members: dict[str, list[list[Any]]] = defaultdict(list)
        for person_id, account_id, is_contact, kept in zip(
            persons["ids"], persons["accounts"], persons["contacts"], persons["kept"], strict=True
        ):
            members[account_id].append([person_id, is_contact, held.get(person_id, []), kept])
        texts: dict[str, list[str]] = defaultdict(list)
        for account_id, text in zip(buckets["accounts"], buckets["entries"], strict=True):
            texts[account_id].append(text)
        saved = stamps["model_saved_at"]
        served: list[bool] = []
        pair_account: list[int] = []
        pair_weight: list[float] = []
        entry_pair: list[int] = []
        entry_at: list[float] = []
        entry_base: list[float] = []
        for index, (account_id, written) in enumerate(zip(stamps["ids"], stamps["written"], strict=True)):
            member = _trusted(
                0, {"id": account_id}, None if written < 0 else written, saved,
                members.get(account_id, ()), texts.get(account_id, ()), documents,
            )  # fmt: skip
            served.append(member is not None)
            if member is None:
                continue
            pairs = {}
            for person_id, (_, weight) in member.persons.items():
                pairs[person_id] = len(pair_account)
                pair_account.append(index)
                pair_weight.append(weight)
            for person_id, at, base in member.entries:
                entry_pair.append(pairs[person_id])
                entry_at.append(at)
                entry_base.append(base)
        at = np.array(entry_at, dtype=np.float64)
        order = np.argsort(at, kind="stable")
        return OwnLevelColumns(
            tuple(stamps["ids"]),
            np.array(served, dtype=bool),
            np.array(pair_account, dtype=np.int64),
            np.array(pair_weight, dtype=np.float64),
            np.array(entry_pair, dtype=np.int64)[order],
            at[order],
            np.array(entry_base, dtype=np.float64)[order],
        )

    return await asyncio.to_thread(columns)


def own_level_buckets(as_of: datetime, window_days: float) -> tuple[int, int]:
    """The buckets :func:`read_own_level_columns` reads for the levels at ``as_of`` (both windows)."""
    found = _bucket_range(as_of, timedelta(days=2 * window_days))
    return found["first_bucket"], found["last_bucket"]


async def read_own_levels(
    db: Database, documents: DocumentsInForce, as_of: datetime, window_days: float
) -> dict[str, tuple[float, float] | None]:
    """Every account's own windowed engagement at ``as_of`` and the previous window's (at its end).

    For ranking all accounts at once (the surge of target recommendations): the columns of
    :func:`read_own_level_columns` and :meth:`OwnLevelColumns.levels`, where
    :func:`read_account_windows` reads subtree by subtree. None for an account the read model
    cannot serve (module docstring): compute those live.
    """
    columns = await read_own_level_columns(db, documents, *own_level_buckets(as_of, window_days))
    return await asyncio.to_thread(columns.levels, as_of, window_days, documents.scoring.decay_half_life_days)


async def read_account_windows(
    db: Database,
    account_ids: Sequence[str],
    documents: DocumentsInForce,
    as_of: datetime,
    window_days: float,
    *,
    template: str | None = None,
) -> dict[str, AccountWindows | None]:
    """The windowed figures of ``account_ids`` at ``as_of`` from the read model; one statement.

    Unknown ids are left out; None for an account the read model cannot serve (module docstring):
    compute those live. The figures are computed in a worker thread, off the event loop.
    """
    window = timedelta(days=window_days)
    rows = await db.read(
        "read_model/account_windows", ids=list(dict.fromkeys(account_ids)), **_bucket_range(as_of, 2 * window)
    )

    def windows() -> dict[str, AccountWindows | None]:
        subtrees: dict[str, list[_Member | None]] = defaultdict(list)
        seen: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            top, account_id = row["top_id"], row["account"]["id"]
            if account_id in seen[top]:
                subtrees[top].append(None)  # a hierarchy cycle: the live path reports it
            seen[top].add(account_id)
            subtrees[top].append(_member(row, documents))

        half_life = documents.scoring.decay_half_life_days
        now, before = as_of.timestamp(), (as_of - window).timestamp()
        found: dict[str, AccountWindows | None] = {}
        for top, members in subtrees.items():
            if any(member is None for member in members):
                found[top] = None
                continue
            own = next(member for member in members if member and member.distance == 0)
            level, engaged = _window(own, now, window_days, half_life)
            previous, _ = _window(own, before, window_days, half_life)
            rolled = level + sum(
                ROLL_UP_DELTA**member.distance * _window(member, now, window_days, half_life)[0]
                for member in members
                if member and member.distance > 0
            )
            contacts = {person for person, (is_contact, _) in own.persons.items() if is_contact}
            found[top] = AccountWindows(
                account=own.account,
                contacts=len(contacts),
                matched_leads=len(own.persons) - len(contacts),
                engaged_contacts=len(engaged & contacts),
                engaged_matched_leads=len(engaged - contacts),
                engagement_level=level,
                rolled_up_level=rolled,
                previous_level=previous,
                coverage=_coverage(documents, own, engaged, template),
            )
        return found

    return await asyncio.to_thread(windows)
