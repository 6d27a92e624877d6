"""Lead grade and nurture objectives (SPEC §3 "Grade and nurture").

The grade rules are checked in the spec's order, E, D, C, B, then A, and together they leave no
lead ungraded. Write ``thin`` for completeness < 0.5 and ``low`` for LOW interest:

- E takes ``low and thin``; D takes ``low xor thin``. What reaches C has neither: interest is
  MEDIUM or HIGH and completeness ≥ 0.5.
- C takes fit < 0.5. What reaches B has fit ≥ 0.5.
- B takes MEDIUM interest. What is left has fit ≥ 0.5, HIGH interest and completeness ≥ 0.5,
  which is exactly A.

So every lead gets one of A..E; there is no "ungraded" outcome. A disqualified lead is graded
like any other; disqualification is reported beside the grade.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "Grade",
    "Interest",
    "NurtureObjective",
    "fit_ratio",
    "grade",
    "interest_level",
    "nurture_objectives",
]

_HALF = 0.5


class Interest(StrEnum):
    """Interest level from behavioral points against the behavioral weight."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class Grade(StrEnum):
    """Lead grade; E is a "suspect" (low interest, thin profile)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"


class NurtureObjective(StrEnum):
    """What a nurture program must improve before the lead is worth sales' time."""

    COMPLETE_PROFILE = "COMPLETE_PROFILE"
    INCREASE_INTEREST = "INCREASE_INTEREST"
    CONFIRM_FIT = "CONFIRM_FIT"


def fit_ratio(demographic_points: float, demographic_weight: float) -> float:
    """Return fit = demographic points / demographic weight, clipped to 0..1.

    >>> fit_ratio(16.0, 40.0), fit_ratio(-20.0, 40.0), fit_ratio(50.0, 40.0)
    (0.4, 0.0, 1.0)
    """
    return min(1.0, max(0.0, demographic_points / demographic_weight))


def interest_level(behavioral_points: float, behavioral_weight: float) -> Interest:
    """Return LOW below 1/3 of the behavioral weight, MEDIUM below the weight, else HIGH.

    >>> [interest_level(p, 60.0).value for p in (19.9, 20.0, 59.9, 60.0)]
    ['LOW', 'MEDIUM', 'MEDIUM', 'HIGH']
    """
    if behavioral_points < behavioral_weight / 3:
        return Interest.LOW
    if behavioral_points < behavioral_weight:
        return Interest.MEDIUM
    return Interest.HIGH


def grade(fit: float, completeness: float, interest: Interest) -> Grade:
    """Return the grade A..E of SPEC §3, rules checked in the order E, D, C, B, A.

    Parameters
    ----------
    fit, completeness
        Ratios in 0..1.
    interest
        The interest level.

    >>> grade(0.9, 0.2, Interest.LOW).value, grade(0.9, 1.0, Interest.HIGH).value
    ('E', 'A')
    """
    low = interest is Interest.LOW
    thin = completeness < _HALF
    if low and thin:
        return Grade.E
    if low or thin:  # exactly one of the two, since not both
        return Grade.D
    if fit < _HALF:
        return Grade.C
    if interest is Interest.MEDIUM:
        return Grade.B
    return Grade.A  # fit ≥ 0.5, HIGH interest, completeness ≥ 0.5: the only case left


def nurture_objectives(fit: float, completeness: float, interest: Interest) -> tuple[NurtureObjective, ...]:
    """List each deficiency: thin profile, interest not HIGH, fit below 0.5 (in that order).

    >>> [o.value for o in nurture_objectives(0.2, 0.0, Interest.LOW)]
    ['COMPLETE_PROFILE', 'INCREASE_INTEREST', 'CONFIRM_FIT']
    """
    objectives = []
    if completeness < _HALF:
        objectives.append(NurtureObjective.COMPLETE_PROFILE)
    if interest is not Interest.HIGH:
        objectives.append(NurtureObjective.INCREASE_INTEREST)
    if fit < _HALF:
        objectives.append(NurtureObjective.CONFIRM_FIT)
    return tuple(objectives)
