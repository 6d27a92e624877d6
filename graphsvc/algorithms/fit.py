"""Account fit against the ideal customer profile (SPEC §6).

``fit(a) = clip(Σ w_attr/100 × priority/10 × 100, 0, 100)`` over the account's fields: the ICP
model is the demographic structure with a section weight of 100, scored by the same
:func:`graphsvc.algorithms.scoring.profile_score`. Numeric fields match bands, list fields
(technologies) their best item; a missing field gives 0.
"""

from __future__ import annotations

from typing import Any

from graphsvc.algorithms.scoring import Contribution, profile_score
from graphsvc.documents import IcpModel

__all__ = ["ICP_SCALE", "account_fit"]

ICP_SCALE = 100.0


def account_fit(icp_model: IcpModel, account: Any) -> tuple[float, tuple[Contribution, ...]]:
    """Return an account's ICP fit in 0..100 and the contribution of each matched field.

    Parameters
    ----------
    icp_model
        The ICP model in force.
    account
        The account record (mapping or object) with fields such as ``industry``,
        ``employees``, ``annual_revenue``, ``country``, ``technologies``.

    Returns
    -------
    tuple
        ``(fit, contributions)``; contributions carry the unclipped points of each field, with
        paths like ``("icp", "employees", "1000-4999")``.
    """
    profile = profile_score("icp", ICP_SCALE, icp_model.attributes, account)
    return min(ICP_SCALE, max(0.0, profile.points)), profile.contributions
