"""Scores and coverage now, from stored values and small reads instead of whole subtrees.

A stored sum ``S = Σ points·2^((t−EPOCH)/h)`` read at ``as_of`` is ``S·2^(−(as_of−EPOCH)/h)``:
exact for every engagement up to ``as_of``. For an ``as_of`` before a person's or account's
latest engagement, compute from the engagements instead (:func:`graphsvc.scores.subtrees.subtree_scores`).

:func:`current_account_scores` serves ``E``, ``R``, fit and total of many accounts *now* from
the sums that :mod:`graphsvc.scores.recompute` writes, :mod:`graphsvc.scores.incremental` keeps
current on every imported engagement (behavioural points are linear and uncapped, SPEC §3 and §6,
so the decayed sums are exact) and :mod:`graphsvc.scores.structure` keeps exact when a write
changes a buying role, a lead's match, a contact's account or the hierarchy; the fit is computed
from the account's fields with the ICP model in force, so it follows both. What the sums do not
follow: a recompute run with ``--as-of`` in the past leaves out the engagements after that moment
that were already stored.

Two cases are detected, and such accounts are left for the caller to compute from their
subtrees: an account never scored by a recompute, and one scored before the scoring model or
role rules in force were saved.

:func:`account_coverages` measures committee coverage (SPEC §7) at any moment from the engagement
read model (:mod:`graphsvc.scores.read_model`), or, for accounts it cannot serve, from the
account's own contacts, their roles and the kinds of their engagements inside the window: exact,
and a small read either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphsvc.algorithms.coverage import CommitteeCoverage
from graphsvc.algorithms.fit import account_fit
from graphsvc.algorithms.propagation import account_total
from graphsvc.algorithms.scoring import LeadScore, engagement_points, lead_profile, lead_score
from graphsvc.scores.documents import DocumentsInForce
from graphsvc.scores.read_model import read_account_windows
from graphsvc.scores.recompute import ENGAGEMENT_WINDOW_DAYS, committee_assignment, decay_scale
from graphsvc.scores.subtrees import Read
from graphsvc.store.database import Database

__all__ = [
    "AccountScoreNow",
    "LiveCoverage",
    "account_coverages",
    "account_score_at",
    "behavioral_at",
    "current_account_scores",
    "lead_score_at",
]


def behavioral_at(decay_sum: float | None, half_life_days: float, as_of: datetime | None = None) -> float:
    """A stored decayed sum read at ``as_of`` (default now)."""
    if not decay_sum:
        return 0.0
    return decay_sum / decay_scale(as_of or datetime.now(UTC), half_life_days)


def lead_score_at(
    documents: DocumentsInForce,
    person: Mapping[str, Any],
    account: Mapping[str, Any] | None,
    as_of: datetime | None = None,
) -> LeadScore:
    """A contact's or lead's score at ``as_of`` from its record (with ``score_decay_sum``)."""
    model = documents.scoring
    behavioral = behavioral_at(person.get("score_decay_sum"), model.decay_half_life_days, as_of)
    return lead_score(model, lead_profile(model, person, account), behavioral)


@dataclass(frozen=True)
class AccountScoreNow:
    """E(a), R(a), fit and total of one account at a moment."""

    engagement: float
    rolled_up: float
    fit: float
    total: float


def account_score_at(
    documents: DocumentsInForce, account: Mapping[str, Any], as_of: datetime | None = None
) -> AccountScoreNow:
    """An account's score at ``as_of`` from its record (with the ``score_*`` sums and fit)."""
    half_life = documents.scoring.decay_half_life_days
    engagement = behavioral_at(account.get("score_engagement_sum"), half_life, as_of)
    rolled_up = behavioral_at(account.get("score_rolled_sum"), half_life, as_of)
    fit = float(account.get("score_fit") or 0.0)
    return AccountScoreNow(engagement, rolled_up, fit, account_total(fit, rolled_up))


async def current_account_scores(
    db: Database, account_ids: Sequence[str], documents: DocumentsInForce, now: datetime | None = None
) -> dict[str, AccountScoreNow | None]:
    """``E``, ``R``, fit and total of ``account_ids`` now, from the stored sums; one statement.

    Unknown ids are left out. None for an account whose sums cannot be trusted: never scored by
    a recompute, or scored before the scoring model or role rules in force were saved; compute
    those from their subtrees (:func:`graphsvc.scores.subtrees.subtree_scores`). The module
    docstring lists what the sums do not follow.
    """
    now = now or datetime.now(UTC)
    rows = await db.read("scores/stored_account_sums", ids=list(dict.fromkeys(account_ids)))
    scores: dict[str, AccountScoreNow | None] = {}
    for row in rows:
        account = row["account"]
        scored, models = row["scored_at"], row["models_saved_at"]
        if scored is None or (models is not None and scored < models):
            scores[account["id"]] = None
            continue
        stored = {
            "score_engagement_sum": row["engagement_sum"],
            "score_rolled_sum": row["rolled_sum"],
            # The fit follows the account's fields and the ICP model in force.
            "score_fit": account_fit(documents.icp, account)[0],
        }
        scores[account["id"]] = account_score_at(documents, stored, now)
    return scores


async def account_coverages(
    db: Database,
    account_ids: Sequence[str],
    documents: DocumentsInForce,
    as_of: datetime,
    *,
    window_days: float = 90.0,
    template: str | None = None,
) -> dict[str, CommitteeCoverage]:
    """Committee coverage (SPEC §7) of ``account_ids`` at ``as_of`` (unknown ids left out).

    From the engagement read model (:mod:`graphsvc.scores.read_model`, one statement); accounts it
    cannot serve take one statement more: each account's contacts, their roles and the distinct
    ``(type, detail)`` of their engagements in the window ``(as_of − window_days, as_of]``; an
    engagement kind with positive points under the scoring model in force makes its contact
    engaged. Same numbers as :meth:`~graphsvc.algorithms.snapshot.Recomputed.committee_coverage`
    (tested), without reading engagements outside the window.

    Raises
    ------
    InvalidInput
        ``template`` names no committee template.
    """
    ids = list(dict.fromkeys(account_ids))
    served = await read_account_windows(db, ids, documents, as_of, window_days, template=template)
    found = {account_id: windows.coverage for account_id, windows in served.items() if windows is not None}
    rest = [account_id for account_id in ids if account_id not in found]
    if rest:
        live = await live_coverages(db.read, rest, documents, as_of, window_days, template)
        found.update({account_id: account.coverage for account_id, account in live.items()})
    return found


@dataclass(frozen=True)
class LiveCoverage:
    """An account's coverage read from its own contacts, with every role they hold (not only seats)."""

    coverage: CommitteeCoverage
    known_roles: frozenset[str]
    engaged_roles: frozenset[str]


async def live_coverages(
    read: Read,
    account_ids: Sequence[str],
    documents: DocumentsInForce,
    as_of: datetime,
    window_days: float = ENGAGEMENT_WINDOW_DAYS,
    template: str | None = None,
) -> dict[str, LiveCoverage]:
    """Coverage of ``account_ids`` at ``as_of`` from their contacts, roles and windowed engagement kinds.

    One statement through ``read`` (``Database.read``, or ``Transaction.run`` inside a write);
    unknown ids are left out. ``known_roles`` and ``engaged_roles`` are every role the account's
    contacts (its engaged contacts) hold, as the recompute stores them.
    """
    now_s = as_of.timestamp()
    rows = await read(
        "scores/committee_contacts",
        ids=list(account_ids),
        # The fast path's bounds in epoch milliseconds: start < t ≤ as_of.
        since_ms=(now_s - window_days * 86_400.0) * 1000.0,
        until_ms=now_s * 1000.0,
    )
    committees, chosen = committee_assignment(documents, [row["account"] for row in rows], template)
    model = documents.scoring
    positive: dict[tuple[Any, Any], bool] = {}

    def engaged(kinds: Sequence[Sequence[Any]]) -> bool:
        for kind in kinds:
            key = (kind[0], kind[1])
            if key not in positive:
                positive[key] = engagement_points(model, *key) > 0
            if positive[key]:
                return True
        return False

    found = {}
    for row, index in zip(rows, chosen.tolist(), strict=True):
        roles_of = {contact["id"]: contact["roles"] for contact in row["contacts"]}
        engaged_ids = {contact["id"] for contact in row["contacts"] if engaged(contact["kinds"])}
        found[row["account"]["id"]] = LiveCoverage(
            CommitteeCoverage.of_contacts(committees[index], roles_of, engaged_ids),
            frozenset(role for roles in roles_of.values() for role in roles),
            frozenset(role for contact in engaged_ids for role in roles_of[contact]),
        )
    return found
