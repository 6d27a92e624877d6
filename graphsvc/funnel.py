"""The one funnel of SPEC §8: account stages and lead statuses, as pure definitions.

Account stages, lowest first: TARGET → AWARE → ENGAGED → MQA → OPPORTUNITY → CUSTOMER. An account
is at the highest stage whose rule holds; when no rule holds it is not in the funnel (``None``).
The rules are configuration (the ``stages`` of the routing document, :class:`~graphsvc.documents.
RoutingRules`); each is a list of conditions on :class:`StageInput` values that recompute stores
on the account (see :mod:`graphsvc.stages`, which evaluates and records them).

Lead statuses and the moves allowed between them (:data:`LEAD_TRANSITIONS`)::

    NEW          → MQL, NURTURE, DISQUALIFIED
    MQL          → SAL, NURTURE, RECYCLED, DISQUALIFIED     (marketing-qualified, sent to sales)
    SAL          → SQL, RECYCLED, DISQUALIFIED              (accepted by sales)
    SQL          → OPPORTUNITY, RECYCLED, DISQUALIFIED
    OPPORTUNITY  → WON, LOST
    LOST         → RECYCLED
    NURTURE      → MQL, DISQUALIFIED
    RECYCLED     → MQL, NURTURE, DISQUALIFIED
    WON, DISQUALIFIED: final

``setLeadStatus`` makes only these moves and refuses any other with INVALID_INPUT. Routing moves a
lead to MQL (routed, or scored past the MQL threshold), NURTURE or DISQUALIFIED; accepting a
routing makes it SAL; rejecting it or missing the SLA after the last escalation makes it
RECYCLED. A move of routing's that the table does not allow leaves the status as it is (a lead
sales already work on is not sent back to MQL by routing it again). Every move is recorded in the
lead's status history (:mod:`graphsvc.lifecycle`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Protocol

from graphsvc.ingest.records import AccountStage, LeadStatus

__all__ = [
    "FUNNEL",
    "LEAD_TRANSITIONS",
    "AccountStage",
    "LeadStatus",
    "StageInput",
    "account_stage",
    "at_or_beyond",
    "can_move",
    "moves_into",
]


FUNNEL: tuple[AccountStage, ...] = tuple(AccountStage)
"""The stages in funnel order, lowest first."""


class StageInput(StrEnum):
    """What a stage condition can test, each read from the account as stored by recompute.

    ``windowed_engagement`` (``score_windowed``: own role-weighted decayed points in the window),
    ``rolled_windowed_engagement`` (``score_rolled_windowed``: the same rolled up over
    subsidiaries), ``engaged_coverage``, ``coverage``, ``engaged_contacts``, ``fit``
    (``score_*`` of the same names), ``is_target`` (1 or 0), and the account's own
    ``open_opportunities`` and ``won_opportunities``. A value never stored counts as 0.
    """

    WINDOWED_ENGAGEMENT = "windowed_engagement"
    ROLLED_WINDOWED_ENGAGEMENT = "rolled_windowed_engagement"
    ENGAGED_COVERAGE = "engaged_coverage"
    COVERAGE = "coverage"
    ENGAGED_CONTACTS = "engaged_contacts"
    FIT = "fit"
    IS_TARGET = "is_target"
    OPEN_OPPORTUNITIES = "open_opportunities"
    WON_OPPORTUNITIES = "won_opportunities"


class StageCondition(Protocol):
    """One condition of a stage rule (the routing document's model satisfies it)."""

    input: StageInput

    def holds(self, value: float) -> bool: ...


def account_stage(
    rules: Mapping[AccountStage, Iterable[StageCondition]], inputs: Mapping[str, float | None]
) -> AccountStage | None:
    """Return the highest stage whose conditions all hold, or ``None`` (not in the funnel).

    Parameters
    ----------
    rules
        Conditions per stage; a stage without a rule is never reached.
    inputs
        :class:`StageInput` values of one account; missing or ``None`` values count as 0.

    >>> from graphsvc.documents import default_document
    >>> stages = default_document("routing").stages
    >>> account_stage(stages, {"is_target": 1, "windowed_engagement": 25.0})
    <AccountStage.ENGAGED: 'ENGAGED'>
    >>> account_stage(stages, {"windowed_engagement": -3.0}) is None
    True
    """
    for stage in reversed(FUNNEL):
        conditions = rules.get(stage)
        if conditions is not None and all(
            condition.holds(float(inputs.get(condition.input) or 0.0)) for condition in conditions
        ):
            return stage
    return None


def at_or_beyond(stage: AccountStage | str | None, floor: AccountStage) -> bool:
    """Tell whether ``stage`` is ``floor`` or later in the funnel (``None`` is before every stage).

    >>> at_or_beyond("OPPORTUNITY", AccountStage.MQA), at_or_beyond(None, AccountStage.TARGET)
    (True, False)
    """
    return stage is not None and FUNNEL.index(AccountStage(stage)) >= FUNNEL.index(floor)


LEAD_TRANSITIONS: Mapping[LeadStatus, frozenset[LeadStatus]] = {
    LeadStatus.NEW: frozenset({LeadStatus.MQL, LeadStatus.NURTURE, LeadStatus.DISQUALIFIED}),
    LeadStatus.MQL: frozenset({LeadStatus.SAL, LeadStatus.NURTURE, LeadStatus.RECYCLED, LeadStatus.DISQUALIFIED}),
    LeadStatus.SAL: frozenset({LeadStatus.SQL, LeadStatus.RECYCLED, LeadStatus.DISQUALIFIED}),
    LeadStatus.SQL: frozenset({LeadStatus.OPPORTUNITY, LeadStatus.RECYCLED, LeadStatus.DISQUALIFIED}),
    LeadStatus.OPPORTUNITY: frozenset({LeadStatus.WON, LeadStatus.LOST}),
    LeadStatus.WON: frozenset(),
    LeadStatus.LOST: frozenset({LeadStatus.RECYCLED}),
    LeadStatus.NURTURE: frozenset({LeadStatus.MQL, LeadStatus.DISQUALIFIED}),
    LeadStatus.RECYCLED: frozenset({LeadStatus.MQL, LeadStatus.NURTURE, LeadStatus.DISQUALIFIED}),
    LeadStatus.DISQUALIFIED: frozenset(),
}
"""Allowed moves of a lead's status (see the module docstring)."""


def can_move(current: LeadStatus | str | None, target: LeadStatus | str) -> bool:
    """Tell whether a lead may move from ``current`` (``None``: NEW) to ``target``.

    >>> can_move("MQL", "SAL"), can_move("SAL", "MQL"), can_move(None, "NURTURE")
    (True, False, True)
    """
    return LeadStatus(target) in LEAD_TRANSITIONS[LeadStatus(current or LeadStatus.NEW)]


def moves_into(target: LeadStatus | str) -> list[str]:
    """The statuses from which a lead may move to ``target``, itself included (for Cypher's ``IN``).

    >>> moves_into("SAL")
    ['MQL', 'SAL']
    """
    target = LeadStatus(target)
    return [str(status) for status in LeadStatus if status == target or target in LEAD_TRANSITIONS[status]]
