"""Lead scoring of SPEC §3: demographic fit plus decayed behavioral points.

Every formula lives here once and is imported by routing, scorecards, account propagation, the
API and the vectorised fast path:

- :func:`attribute_points` — ``W_section × w_attr/100 × priority/10``;
- :func:`engagement_points` — the undecayed points of one engagement ``(type, detail)``;
- :func:`decay` — ``0.5 ** (age_days / half_life_days)``, 0 for engagements after ``as_of``;
- :func:`profile_score` — field attributes over person/account records (demographic, ICP).

Every score explains itself with :class:`Contribution` records: ``source_id`` (the field name or
the engagement id), ``kind``, ``points``, ``weight`` (the multiplier applied to the base points:
the decay factor of an engagement, 1 for a field, a role weight in account propagation) and
``path`` (where in the model the points came from, e.g. ``("behavioral", "web_visit", "*")``).

Records (persons, accounts, engagements) are mappings or objects; fields are read by name.
Datetimes may be aware datetimes, naive ones (taken as UTC) or ISO-8601 strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graphsvc.algorithms.grading import (
    Grade,
    Interest,
    NurtureObjective,
    fit_ratio,
    grade,
    interest_level,
    nurture_objectives,
)
from graphsvc.documents import FieldAttribute, ScoringModel, field_value, has_value

__all__ = [
    "DISQUALIFYING_PRIORITY",
    "Contribution",
    "LeadScore",
    "ProfileScore",
    "attribute_points",
    "behavioral_points",
    "days_since",
    "decay",
    "demographic_points",
    "engagement_points",
    "lead_profile",
    "lead_score",
    "profile_score",
    "score_lead",
    "to_utc",
]

DISQUALIFYING_PRIORITY = -10
_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Contribution:
    """One part of a score: where it came from, its points and the multiplier applied."""

    source_id: str
    kind: str
    points: float
    weight: float = 1.0
    path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfileScore:
    """Field attributes evaluated over records (the demographic section, the ICP model)."""

    points: float
    contributions: tuple[Contribution, ...]
    completeness: float
    disqualified: bool


@dataclass(frozen=True, slots=True)
class LeadScore:
    """A person's lead score with its grade, nurture objectives and explanation."""

    demographic: float
    behavioral: float
    total: float
    fit: float
    completeness: float
    interest: Interest
    grade: Grade
    nurture_objectives: tuple[NurtureObjective, ...]
    disqualified: bool
    contributions: tuple[Contribution, ...]


def attribute_points(section_weight: float, attribute_weight: float, priority: int) -> float:
    """Return the points of one matched choice: ``W_section × w_attr/100 × priority/10``.

    >>> attribute_points(60, 30, -5)
    -9.0
    """
    return section_weight * attribute_weight / 100 * priority / 10


def to_utc(moment: datetime | str) -> datetime:
    """Return an aware UTC datetime from a datetime (naive taken as UTC) or an ISO-8601 string."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def days_since(occurred_at: datetime | str, as_of: datetime | str) -> float:
    """Return the days from ``occurred_at`` to ``as_of`` (negative when it lies in the future)."""
    return (to_utc(as_of) - to_utc(occurred_at)).total_seconds() / _SECONDS_PER_DAY


def decay(age_days: float, half_life_days: float) -> float:
    """Return the decay factor ``0.5 ** (age / half_life)``; 0 for an engagement after ``as_of``.

    >>> decay(0, 30), decay(30, 30), decay(60, 30), decay(-1, 30)
    (1.0, 0.5, 0.25, 0.0)
    """
    if age_days < 0:
        return 0.0
    return 0.5 ** (age_days / half_life_days)


def _engagement_choice(model: ScoringModel, event_type: str | None, detail: str | None) -> tuple[float, str] | None:
    """Return (undecayed points, matched key) of an engagement, or None when nothing matches."""
    attribute = model.event_attribute(event_type)
    if attribute is None or (hit := attribute.match(detail)) is None:
        return None
    key, priority = hit
    return attribute_points(model.behavioral.weight, attribute.weight, priority), key


def engagement_points(model: ScoringModel, event_type: str | None, detail: str | None) -> float:
    """Return the undecayed points of one engagement (0.0 when its type or detail is not scored).

    Type and detail match case-insensitively; an exact detail key wins over ``"*"``.

    Parameters
    ----------
    model
        The scoring model in force.
    event_type, detail
        The engagement's ``type`` and ``detail``.
    """
    choice = _engagement_choice(model, event_type, detail)
    return 0.0 if choice is None else choice[0]


def _first_value(records: Sequence[Any], field: str) -> Any:
    for record in records:
        if has_value(value := field_value(record, field)):
            return value
    return None


def profile_score(
    section: str, section_weight: float, attributes: Sequence[FieldAttribute], *records: Any
) -> ProfileScore:
    """Score field attributes over records; each field is taken from the first record having it.

    Parameters
    ----------
    section
        Name used in contribution paths (``"demographic"``, ``"icp"``).
    section_weight
        ``W_section`` of the points formula (100 for the ICP model).
    attributes
        The section's field attributes.
    *records
        Records searched in order, e.g. the person, then its account (``None`` is skipped).

    Returns
    -------
    ProfileScore
        Points, one contribution per matched field, the share of fields with a value and
        whether a choice of priority -10 matched.
    """
    points = 0.0
    contributions = []
    present = 0
    disqualified = False
    for attribute in attributes:
        value = _first_value(records, attribute.field)
        if value is None:
            continue
        present += 1
        if (hit := attribute.match(value)) is None:
            continue
        key, priority = hit
        earned = attribute_points(section_weight, attribute.weight, priority)
        points += earned
        disqualified |= priority == DISQUALIFYING_PRIORITY
        contributions.append(Contribution(attribute.field, "field", earned, 1.0, (section, attribute.field, key)))
    return ProfileScore(points, tuple(contributions), present / len(attributes), disqualified)


def demographic_points(model: ScoringModel, person: Any, account: Any = None) -> tuple[float, tuple[Contribution, ...]]:
    """Return the demographic points of a person and their contributions.

    A field is looked up on the person, then on its account; a missing value gives 0.
    """
    profile = profile_score("demographic", model.demographic.weight, model.demographic.attributes, person, account)
    return profile.points, profile.contributions


def behavioral_points(
    model: ScoringModel, engagements: Iterable[Any], as_of: datetime | str
) -> tuple[float, tuple[Contribution, ...]]:
    """Return the decayed behavioral points of engagements at ``as_of`` and their contributions.

    Each engagement (fields ``type``, ``detail``, ``occurred_at`` and optionally ``id``) gives
    ``engagement_points × decay(age)``; points accumulate without cap, engagements after
    ``as_of`` count 0.

    Raises
    ------
    ValueError
        When an engagement has no ``occurred_at``.
    """
    points = 0.0
    contributions = []
    for engagement in engagements:
        event_type, detail = field_value(engagement, "type"), field_value(engagement, "detail")
        occurred_at = field_value(engagement, "occurred_at")
        if occurred_at is None:
            raise ValueError(f"engagement {field_value(engagement, 'id')!r} has no occurred_at")
        choice = _engagement_choice(model, event_type, detail)
        factor = decay(days_since(occurred_at, as_of), model.decay_half_life_days)
        if choice is None or factor == 0.0:
            continue
        base, key = choice
        source_id = field_value(engagement, "id") or f"{event_type}:{detail}"
        points += base * factor
        contributions.append(
            Contribution(
                str(source_id),
                "engagement",
                base * factor,
                factor,
                ("behavioral", str(event_type).lower(), key),
            )
        )
    return points, tuple(contributions)


def score_lead(
    model: ScoringModel,
    person: Any,
    account: Any,
    engagements: Iterable[Any],
    as_of: datetime | str,
) -> LeadScore:
    """Score a lead or contact: points, grade, nurture objectives and contributions.

    Parameters
    ----------
    model
        The scoring model in force.
    person
        The lead or contact record (fields such as ``seniority``, ``industry``).
    account
        Its account record, or ``None`` when unmatched.
    engagements
        The person's engagements.
    as_of
        Evaluation time.

    Returns
    -------
    LeadScore
        Contributions are sorted by absolute points, largest first.
    """
    behavioral, engagement_contributions = behavioral_points(model, engagements, as_of)
    return lead_score(model, lead_profile(model, person, account), behavioral, engagement_contributions)


def lead_profile(model: ScoringModel, person: Any, account: Any) -> ProfileScore:
    """The demographic section of ``model`` evaluated on a person and its account."""
    return profile_score("demographic", model.demographic.weight, model.demographic.attributes, person, account)


def lead_score(
    model: ScoringModel,
    profile: ProfileScore,
    behavioral: float,
    engagement_contributions: tuple[Contribution, ...] = (),
) -> LeadScore:
    """Grade a person from its demographic profile and behavioral points.

    The whole-graph recompute gets behavioral points for every person at once from the array
    fast path and grades each person here, so both paths share one grading rule.
    """
    fit = fit_ratio(profile.points, model.demographic.weight)
    interest = interest_level(behavioral, model.behavioral.weight)
    return LeadScore(
        demographic=profile.points,
        behavioral=behavioral,
        total=profile.points + behavioral,
        fit=fit,
        completeness=profile.completeness,
        interest=interest,
        grade=grade(fit, profile.completeness, interest),
        nurture_objectives=nurture_objectives(fit, profile.completeness, interest),
        disqualified=profile.disqualified,
        contributions=tuple(sorted(profile.contributions + engagement_contributions, key=lambda c: -abs(c.points))),
    )
