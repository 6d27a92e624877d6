"""Scores at a moment, read from the stored decayed sums (see :mod:`graphsvc.scores.recompute`).

A stored sum ``S = Σ points·2^((t−EPOCH)/h)`` read at ``as_of`` is ``S·2^(−(as_of−EPOCH)/h)``:
exact for every engagement up to ``as_of``. For an ``as_of`` before a person's or account's
latest engagement, recompute from the engagements instead (``graphsvc recompute --as-of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphsvc.algorithms.propagation import account_total
from graphsvc.algorithms.scoring import LeadScore, lead_profile, lead_score
from graphsvc.scores.documents import DocumentsInForce
from graphsvc.scores.recompute import decay_scale

__all__ = ["AccountScoreNow", "account_score_at", "behavioral_at", "lead_score_at"]


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
