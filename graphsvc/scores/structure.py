"""Stored sums and coverage kept exact when a write changes who counts where, inside that write's transaction.

An engagement adds to the decayed sums of its person, its account and that account's ancestors
(:mod:`graphsvc.scores.incremental`), with the person's role weight and the account's place in its
tree at that moment. A write that changes one of those (a buying role: by hand, from the CRM or
inferred from a new title; a contact's account; a lead's match; an account's parent) leaves the
sums of the trees involved as they were, so the write rescores those trees in its own transaction:

* :class:`TreeWatch` reads, before the write, where its persons count (account, roles, whether
  they have engagements) and its accounts' parents and matching fields; after the write it reads
  them again and rescores every tree whose sums moved: the old and new account of a person with
  engagements whose account or roles changed, an account moved under another parent and its old
  parent;
* every account whose contacts or their roles the write changed (a contact added, moved, given or
  losing a role), and every watched account whose fields that choose its committee template
  changed (an account import, ``setTarget``), gets its coverage figures stored again
  (:func:`store_coverages`), as a recompute at that moment would store them, once a recompute
  has scored it;
* a write that changes what lead matching reads (an account's name, domains or target flag, or
  an account's contact count) matches every lead without a MANUAL match again
  (:func:`rematch_leads`), as a recompute would, and the trees of the leads whose match changed
  are rescored too.

:func:`rescore_trees` is the rescoring: the trees are locked, read and run through the same fast
path as the recompute (:mod:`graphsvc.scores.subtrees`), and their own and rolled-up sums written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graphsvc.scores.current import live_coverages
from graphsvc.scores.documents import DocumentsInForce
from graphsvc.scores.recompute import (
    account_index,
    automatic_matches,
    changed_matches,
    coverage_props,
    decay_scale,
)
from graphsvc.scores.subtrees import read_subtrees, score_subtrees
from graphsvc.store.database import Transaction

__all__ = ["TreeWatch", "rematch_leads", "rescore_trees", "store_coverages"]

_LEAD_FIELDS = ["email", "company", "website"]


@dataclass(frozen=True)
class _Placement:
    """Where a person counts: contact or lead, its accounts, its roles, whether it has engagements."""

    is_contact: bool
    accounts: tuple[str, ...]
    roles: tuple[str, ...]
    engaged: bool


@dataclass
class TreeWatch:
    """What a write may move, read before it; :meth:`settle` rescores what it moved.

    Create it with :meth:`before` inside the write's transaction, run the write's statements,
    then call :meth:`settle` in the same transaction.
    """

    persons: list[str]
    accounts: list[str]
    placements: dict[str, _Placement] = field(default_factory=dict)
    account_states: dict[str, tuple[Any, str | None, Any]] = field(default_factory=dict)

    @classmethod
    async def before(cls, tx: Transaction, persons: Iterable[str] = (), accounts: Iterable[str] = ()) -> TreeWatch:
        watch = cls(sorted(set(persons)), sorted(set(accounts)))
        watch.placements = await _placements(tx, watch.persons)
        watch.account_states = await _account_states(tx, watch.accounts)
        return watch

    async def settle(self, tx: Transaction, documents: DocumentsInForce) -> list[str]:
        """Rescore the trees the write moved (after lead matching again when it has to) and store the
        coverage of the accounts whose contacts or fields it changed; the rescored trees' account ids."""
        after = await _placements(tx, self.persons)
        moved: set[str] = set()
        covered: set[str] = set()  # accounts whose coverage the write may have changed
        rematch = False
        for person in self.persons:
            old, new = self.placements.get(person), after.get(person)
            if old == new:
                continue
            for placement in (old, new):
                if placement and placement.is_contact:  # only contacts hold committee seats
                    covered.update(placement.accounts)
            if (old and old.engaged) or (new and new.engaged):
                moved.update(old.accounts if old else ())
                moved.update(new.accounts if new else ())
            # A contact's account counts in lead matching (ties go to more contacts).
            was = old.accounts if old and old.is_contact else ()
            now = new.accounts if new and new.is_contact else ()
            rematch = rematch or was != now
        states = await _account_states(tx, self.accounts)
        for account_id, (matching, parent, segment) in states.items():
            old_state = self.account_states.get(account_id)
            if old_state is None or old_state[0] != matching:
                rematch = True
            if old_state is not None and old_state[2] != segment:  # the fields choose the committee template
                covered.add(account_id)
            if old_state is not None and old_state[1] != parent:
                moved.update(filter(None, (account_id, old_state[1])))
        if rematch:
            moved.update(await rematch_leads(tx))
        rescored = await rescore_trees(tx, sorted(moved), documents)
        await store_coverages(tx, sorted(covered), documents)
        return rescored


async def _placements(tx: Transaction, persons: Sequence[str]) -> dict[str, _Placement]:
    if not persons:
        return {}
    return {
        row["id"]: _Placement(
            row["is_contact"], tuple(sorted(row["accounts"])), tuple(sorted(row["roles"])), row["engaged"]
        )
        for row in await tx.run("scores/person_placements", ids=list(persons))
    }


async def _account_states(tx: Transaction, accounts: Sequence[str]) -> dict[str, tuple[Any, str | None, Any]]:
    if not accounts:
        return {}
    return {
        row["id"]: (row["matching"], row["parent_id"], row["segment"])
        for row in await tx.run("scores/account_placements", ids=list(accounts))
    }


async def rematch_leads(tx: Transaction, at: datetime | None = None) -> set[str]:
    """Match every lead without a MANUAL match again, as a recompute does; write the changed matches.

    Returns the accounts a lead was moved from or to. ``at`` (default now) is the changed matches' time.
    """
    [leads] = await tx.run("scores/graph_leads", fields=_LEAD_FIELDS)
    if not leads["ids"]:
        return set()
    [stored_rows] = await tx.run("scores/graph_matches")
    stored = {lead: (account, method, confidence) for lead, account, method, confidence in stored_rows["matches"]}
    index = account_index(await tx.run("scores/accounts"))
    records = [
        {"id": lead_id, **dict(zip(_LEAD_FIELDS, values, strict=True))}
        for lead_id, values in zip(leads["ids"], leads["values"], strict=True)
    ]
    rows = changed_matches(stored, automatic_matches(index, records, stored), (at or datetime.now(UTC)).isoformat())
    if rows:
        await tx.run("scores/match_leads", rows=rows)
    return {account for row in rows for account in (row["account_id"], stored.get(row["id"], (None,))[0]) if account}


async def rescore_trees(
    tx: Transaction, account_ids: Sequence[str], documents: DocumentsInForce, now: datetime | None = None
) -> list[str]:
    """Recompute the stored decayed sums of the whole corporate trees of ``account_ids`` at ``now``.

    It first touches every account of the trees, so a concurrent import's additions to their sums
    wait for it (Neo4j's write locks; the embedded store runs one write transaction at a time)
    instead of being overwritten, then reads the trees and writes ``score_engagement_sum`` and
    ``score_rolled_sum``. Other stored figures (``score_total``, windowed engagement, stage) keep
    their recompute's moment; coverage is stored by :func:`store_coverages`. Returns the ids of
    the accounts rewritten. ``now`` defaults to the moment the trees are locked: every engagement
    stored by then is in the sums.
    """
    if not account_ids:
        return []
    trees = await tx.run("scores/lock_account_trees", ids=list(account_ids))
    if not trees:
        return []
    moment = now or datetime.now(UTC)
    scale = decay_scale(moment, documents.scoring.decay_half_life_days)
    result = score_subtrees(documents, await read_subtrees(tx.run, sorted({row["top_id"] for row in trees})), moment)
    index = result.snapshot.account_index
    sums = [
        {
            "id": member,
            "engagement_sum": float(result.engagement[index[member]]) * scale,
            "rolled_sum": float(result.rolled_up[index[member]]) * scale,
        }
        for member in sorted(index)
    ]
    await tx.run("scores/write_account_sums", rows=sums)
    return [row["id"] for row in sums]


async def store_coverages(
    tx: Transaction, account_ids: Sequence[str], documents: DocumentsInForce, now: datetime | None = None
) -> None:
    """Store the coverage figures of ``account_ids`` at ``now`` (default now), as a recompute would.

    An account no recompute has scored yet (no ``scored_at``) is left without figures, as its score is.

    One statement reads the accounts' contacts, roles and windowed engagement kinds
    (:func:`~graphsvc.scores.current.live_coverages`), one writes the figures
    (:func:`~graphsvc.scores.recompute.coverage_props`): ``score_coverage``, ``score_known_roles``
    and ``score_committee`` follow the write exactly; the windowed ones (``score_engaged_*``) are
    those of ``now``.
    """
    if not account_ids:
        return
    found = await live_coverages(tx.run, account_ids, documents, now or datetime.now(UTC))
    rows = [
        {
            "id": account_id,
            "props": coverage_props(
                live.coverage.template,
                live.coverage.coverage,
                live.coverage.engaged_coverage,
                live.coverage.engaged_contacts,
                live.known_roles,
                live.engaged_roles,
            ),
        }
        for account_id, live in found.items()
    ]
    if rows:
        await tx.run("scores/write_account_coverage", rows=rows)
