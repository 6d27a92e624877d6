"""Versioned configuration documents: scoring model, ICP model, committee templates, role rules, routing.

Every document is a frozen pydantic model. Build one with :func:`load_document` (from a mapping),
:func:`parse_document` (from YAML or JSON text) or :func:`default_document` (the shipped seed in
``seeds/``). An invalid document is rejected as a whole by :class:`DocumentInvalid`, which lists
every violation at once as ``(path, message)`` pairs, e.g.
``("demographic.attributes[1].weight", "Input should be less than or equal to 100")``; an empty
path means the document as a whole.

Validation runs in two passes whose results are joined: pydantic checks each value (types,
ranges, unknown keys) and a rule pass over the raw input checks what spans several values
(weights totalling 100, duplicate keys, overlapping bands, roles outside the taxonomy). The rule
pass tolerates malformed values, so one bad value never hides another violation.

Choice keys
    Keys are matched case-insensitively: they are lower-cased at load, and two keys equal after
    lower-casing are a violation. ``"*"`` matches any present value that no other key matches.
    Keys of field attributes (demographic, ICP, committee segments) that read as numbers are
    numeric bands matched against numeric values: ``"1000-4999"`` (both ends included),
    ``"5000+"`` (5000 and more), ``"<50"``, ``"<=50"``, ``">5000"``, ``">=5000"`` and ``"42"``
    (that number only); numbers may use thousands commas and a ``k``/``m``/``b`` multiplier
    (``"10m-100m"``). Bands may share an end point (``"10m-100m"`` and ``"100m+"``): a value at
    the shared point belongs to the higher band. Any other overlap is a violation.

Field values
    A field holding a list (technologies) scores its best matching item. ``None``, blank strings
    and empty lists count as missing.

Where things live
    The role taxonomy and the propagation weights of SPEC §5 are in :class:`RoleRules`
    (``seeds/role_rules.yaml``) beside the title rules; :class:`CommitteeTemplates`
    (``seeds/committees.yaml``) only names roles and their coverage weights.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from graphsvc.errors import InvalidInput
from graphsvc.funnel import AccountStage, StageInput

__all__ = [
    "SEEDS_DIR",
    "Band",
    "BehavioralSection",
    "ChoiceTable",
    "CommitteeRole",
    "CommitteeTemplate",
    "CommitteeTemplates",
    "DemographicSection",
    "DocumentInvalid",
    "DocumentKind",
    "EventAttribute",
    "FieldAttribute",
    "IcpModel",
    "PathRules",
    "RoleRule",
    "RoleRules",
    "RoutingRules",
    "ScoringModel",
    "StageCondition",
    "Thresholds",
    "Violation",
    "default_document",
    "document_data",
    "document_kind",
    "field_value",
    "has_value",
    "load_document",
    "parse_band",
    "parse_document",
]

# The top-level seeds/ folder, installed as package data (see pyproject.toml).
SEEDS_DIR = files("graphsvc.seeds")

Violation = tuple[str, str]
"""A violation: (path in the document, message)."""


class DocumentKind(StrEnum):
    """The kinds of configuration document, each with its default seed file."""

    SCORING = "scoring"
    ICP = "icp"
    COMMITTEES = "committees"
    ROLES = "roles"
    ROUTING = "routing"


class DocumentInvalid(InvalidInput):
    """A document broke one or more rules; ``violations`` lists every one as (path, message)."""

    code = "DOCUMENT_INVALID"

    def __init__(self, kind: str, violations: Iterable[Violation]) -> None:
        self.kind = str(kind)
        self.violations: list[Violation] = list(violations)
        listed = "; ".join(f"{path or '(document)'}: {message}" for path, message in self.violations)
        super().__init__(f"invalid {self.kind} document: {listed}")


# --- values and choices -------------------------------------------------------------------------


def field_value(record: Any, name: str) -> Any:
    """Return field ``name`` of a record given as a mapping or an object; ``None`` when absent."""
    if record is None:
        return None
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def has_value(value: Any) -> bool:
    """Tell whether a field value counts as present (not None, blank or an empty list)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(has_value(item) for item in value)
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _choice_key(key: Any) -> str:
    """Normalise a choice key: YAML may hand over numbers or booleans as keys."""
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key).strip().lower()


_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[kmb]?"
_RANGE = re.compile(rf"^({_NUMBER})\s*-\s*({_NUMBER})$")
_AT_LEAST = re.compile(rf"^({_NUMBER})\s*\+$")
_COMPARE = re.compile(rf"^(<=|>=|<|>)\s*({_NUMBER})$")
_POINT = re.compile(rf"^({_NUMBER})$")
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9}


def _band_number(text: str) -> float:
    text = text.replace(",", "")
    if text[-1] in _MULTIPLIERS:
        return float(text[:-1]) * _MULTIPLIERS[text[-1]]
    return float(text)


@dataclass(frozen=True, slots=True)
class Band:
    """A numeric interval read from a choice key such as ``"1000-4999"`` or ``"<50"``."""

    low: float
    low_closed: bool
    high: float
    high_closed: bool

    def __contains__(self, value: float) -> bool:
        above = value > self.low or (self.low_closed and value == self.low)
        below = value < self.high or (self.high_closed and value == self.high)
        return above and below

    @property
    def empty(self) -> bool:
        """True when no number lies in the band (``"500-100"``)."""
        return self.low > self.high or (self.low == self.high and not (self.low_closed and self.high_closed))


def parse_band(key: str) -> Band | None:
    """Read a lower-case choice key as a numeric band; ``None`` when it is a plain label.

    >>> parse_band("1000-4999")
    Band(low=1000.0, low_closed=True, high=4999.0, high_closed=True)
    >>> parse_band("5000+").low, parse_band("<50").high, parse_band("software")
    (5000.0, 50.0, None)
    """
    if match := _RANGE.match(key):
        return Band(_band_number(match[1]), True, _band_number(match[2]), True)
    if match := _AT_LEAST.match(key):
        return Band(_band_number(match[1]), True, math.inf, False)
    if match := _COMPARE.match(key):
        number = _band_number(match[2])
        if match[1].startswith("<"):
            return Band(-math.inf, False, number, match[1] == "<=")
        return Band(number, match[1] == ">=", math.inf, False)
    if match := _POINT.match(key):
        number = _band_number(match[1])
        return Band(number, True, number, True)
    return None


class ChoiceTable:
    """Lower-case choice keys with their priorities, and the numeric bands among the keys.

    Parameters
    ----------
    choices
        Mapping of normalised (lower-case) key to priority.
    bands
        Whether keys that read as numbers are bands for numeric values (field attributes) or
        plain labels (engagement details).
    """

    __slots__ = ("_bands", "_exact")

    def __init__(self, choices: Mapping[str, int], *, bands: bool) -> None:
        self._exact = dict(choices)
        parsed = ((parse_band(key), key) for key in choices) if bands else ()
        self._bands = [(band, key) for band, key in parsed if band is not None]

    def match(self, value: Any) -> tuple[str, int] | None:
        """Return ``(key, priority)`` of the choice matching a present value, else ``None``.

        A list scores its best matching item. A number is looked up among the bands, other
        values by their lower-case text; ``"*"`` catches whatever else is present.
        """
        if isinstance(value, (list, tuple, set, frozenset)):
            found = [hit for item in value if has_value(item) and (hit := self.match(item))]
            return max(found, key=lambda hit: hit[1], default=None)
        if not has_value(value):
            return None
        key: str | None = None
        if _is_number(value):
            containing = [(band.low, band.low_closed, band_key) for band, band_key in self._bands if value in band]
            key = max(containing)[2] if containing else None
        if key is None and (text := _choice_key(value)) in self._exact:
            key = text
        if key is None and "*" in self._exact:
            key = "*"
        return None if key is None else (key, self._exact[key])


# --- pydantic building blocks -------------------------------------------------------------------


def _lower_keys(value: Any) -> Any:
    """Lower-case the keys of a choices mapping; collisions are reported by the rule pass."""
    if isinstance(value, Mapping):
        return {_choice_key(key): priority for key, priority in value.items()}
    return value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _lowered(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _role_name(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _check_role_name(value: str) -> str:
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", value):
        raise ValueError("a role name is letters, digits and underscores, starting with a letter")
    return value


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
    return value


Priority = Annotated[int, Field(strict=True, ge=-10, le=10)]
Percent = Annotated[float, Field(strict=True, ge=0, le=100)]
Version = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]  # the API answers it as a GraphQL Int
Choices = Annotated[dict[str, Priority], BeforeValidator(_lower_keys), Field(min_length=1)]
FieldName = Annotated[str, BeforeValidator(_stripped), Field(min_length=1)]
RoleName = Annotated[str, BeforeValidator(_role_name), AfterValidator(_check_role_name)]


class _Part(BaseModel):
    # Infinite and NaN numbers are refused everywhere: no rule means anything with them.
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class FieldAttribute(_Part):
    """A demographic or ICP attribute: a person or account field and its choices."""

    field: FieldName
    weight: Percent
    choices: Choices

    @functools.cached_property
    def _table(self) -> ChoiceTable:
        return ChoiceTable(self.choices, bands=True)

    def match(self, value: Any) -> tuple[str, int] | None:
        """Return ``(key, priority)`` of the choice a field value matches, else ``None``."""
        return self._table.match(value)


class EventAttribute(_Part):
    """A behavioral attribute: an engagement type and choices keyed by engagement detail."""

    event: Annotated[str, BeforeValidator(_lowered), Field(min_length=1)]
    weight: Percent
    choices: Choices

    @functools.cached_property
    def _table(self) -> ChoiceTable:
        return ChoiceTable(self.choices, bands=False)

    def match(self, detail: str | None) -> tuple[str, int] | None:
        """Return ``(key, priority)`` for an engagement detail: exact key first, then ``"*"``."""
        # An engagement without detail can only match "*" (a missing field value matches nothing).
        return self._table.match(detail if has_value(detail) else "*")


class Thresholds(_Part):
    """Lead score thresholds: MQL for the traditional path, ABM at target accounts."""

    mql: Annotated[float, Field(strict=True, ge=0)] = 100.0
    abm: Annotated[float, Field(strict=True, ge=0)] = 50.0


class DemographicSection(_Part):
    """Fit: person and account fields; at most half of the score."""

    weight: Annotated[float, Field(strict=True, gt=0, le=50)]
    attributes: Annotated[list[FieldAttribute], Field(min_length=1)]


class BehavioralSection(_Part):
    """Behaviour: engagement types, their details and decayed points."""

    weight: Annotated[float, Field(strict=True, gt=0, le=100)]
    attributes: Annotated[list[EventAttribute], Field(min_length=1)]


class _Document(_Part):
    """A top-level document: value checks by pydantic plus the cross-value rules of its kind."""

    @classmethod
    def rule_violations(cls, data: Any) -> list[Violation]:
        """Check the rules that span several values on raw (possibly malformed) input."""
        raise NotImplementedError

    @model_validator(mode="after")
    def _enforce_rules(self) -> _Document:
        # Direct model_validate() calls get the same rules; load_document reports them by path.
        if violations := type(self).rule_violations(self.model_dump()):
            listed = "; ".join(f"{path}: {message}" for path, message in violations)
            raise PydanticCustomError("document_rules", "{listed}", {"listed": listed})
        return self


# --- rule pass helpers (raw input) --------------------------------------------------------------


def _key_path(path: str, key: Any) -> str:
    key = str(key)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}" if path else key
    return f'{path}["{key}"]'


def _loc_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else _key_path(path, part)
    return path


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, list) else []


def _get(data: Any, key: str) -> Any:
    return data.get(key) if isinstance(data, Mapping) else None


def _weight_total(path: str, items: list[Any], total: float) -> list[Violation]:
    """Attribute weights must total ``total``; skipped when a weight is malformed (reported apart)."""
    weights = [_get(item, "weight") for item in items]
    if not items or not all(_is_number(weight) for weight in weights):
        return []
    found = sum(weights)
    if math.isclose(found, total, abs_tol=1e-9):
        return []
    return [(path, f"attribute weights total {found:g}; they must total exactly {total:g}")]


def _duplicates(path: str, items: list[Any], key: str, normalise: Any) -> list[Violation]:
    seen: dict[Any, int] = {}
    violations = []
    for index, item in enumerate(items):
        value = _get(item, key)
        if not isinstance(value, str):
            continue
        name = normalise(value)
        if name in seen:
            violations.append((f"{path}[{index}].{key}", f"duplicate of {path}[{seen[name]}].{key} ({value!r})"))
        else:
            seen[name] = index
    return violations


def _choice_violations(path: str, choices: Any, *, bands: bool) -> list[Violation]:
    """Keys equal ignoring case, empty bands and overlapping bands."""
    if not isinstance(choices, Mapping):
        return []
    violations = []
    first_spelling: dict[str, Any] = {}
    for key in choices:
        normal = _choice_key(key)
        if normal in first_spelling:
            violations.append((_key_path(path, key), f"same key as {first_spelling[normal]!r} ignoring case"))
        else:
            first_spelling[normal] = key
    if not bands:
        return violations
    parsed = [(key, band) for key in first_spelling if (band := parse_band(key)) is not None]
    for key, band in parsed:
        if band.empty:
            violations.append((_key_path(path, key), "empty band: no number lies in it"))
    live = [(key, band) for key, band in parsed if not band.empty]
    for index, (key, band) in enumerate(live):
        for other_key, other in live[:index]:
            low, high = max(band.low, other.low), min(band.high, other.high)
            # Bands may touch at one point (the higher band takes it) but not share a start.
            if low < high or (low == high and band.low == other.low and low in band and low in other):
                violations.append((_key_path(path, key), f"band overlaps band {other_key!r}"))
    return violations


def _field_section_violations(path: str, section: Any) -> list[Violation]:
    prefix = _key_path(path, "attributes")
    attributes = _list(section, "attributes")
    violations = _weight_total(prefix, attributes, 100)
    violations += _duplicates(prefix, attributes, "field", str.strip)
    for index, attribute in enumerate(attributes):
        violations += _choice_violations(f"{prefix}[{index}].choices", _get(attribute, "choices"), bands=True)
    return violations


# --- the documents ------------------------------------------------------------------------------


class ScoringModel(_Document):
    """Lead scoring model of SPEC §3: demographic fit plus decayed behavioral points."""

    version: Version
    thresholds: Thresholds = Thresholds()
    decay_half_life_days: Annotated[float, Field(strict=True, gt=0)] = 30.0
    demographic: DemographicSection
    behavioral: BehavioralSection

    @functools.cached_property
    def _events(self) -> dict[str, EventAttribute]:
        return {attribute.event: attribute for attribute in self.behavioral.attributes}

    def event_attribute(self, event_type: str | None) -> EventAttribute | None:
        """Return the behavioral attribute of an engagement type (case-insensitive), if any."""
        return self._events.get(event_type.strip().lower()) if isinstance(event_type, str) else None

    @classmethod
    def rule_violations(cls, data: Any) -> list[Violation]:
        """Section weights total 100; per section, attribute weights total 100, no duplicates."""
        violations = []
        demographic, behavioral = _get(data, "demographic"), _get(data, "behavioral")
        weights = (_get(demographic, "weight"), _get(behavioral, "weight"))
        if all(_is_number(weight) for weight in weights) and not math.isclose(sum(weights), 100, abs_tol=1e-9):
            violations.append(
                (
                    "behavioral.weight",
                    f"section weights total {sum(weights):g} "
                    f"(demographic {weights[0]:g} + behavioral {weights[1]:g}); they must total exactly 100",
                )
            )
        violations += _field_section_violations("demographic", demographic)
        events = _list(behavioral, "attributes")
        violations += _weight_total("behavioral.attributes", events, 100)
        violations += _duplicates("behavioral.attributes", events, "event", str.lower)
        for index, attribute in enumerate(events):
            violations += _choice_violations(
                f"behavioral.attributes[{index}].choices", _get(attribute, "choices"), bands=False
            )
        return violations


class IcpModel(_Document):
    """Ideal customer profile: the demographic structure over account fields.

    ``fit(a) = clip(Σ w_attr/100 × priority/10 × 100, 0, 100)``: the section weight is 100, so
    an account matching every attribute's priority-10 choice scores 100.
    """

    version: Version
    attributes: Annotated[list[FieldAttribute], Field(min_length=1)]

    @classmethod
    def rule_violations(cls, data: Any) -> list[Violation]:
        """Attribute weights total 100, fields are distinct, bands do not overlap."""
        return _field_section_violations("", data)


class CommitteeRole(_Part):
    """A role in a committee template; a role that is not required is tracked only."""

    role: RoleName
    weight: Annotated[float, Field(strict=True, ge=0)]
    required: bool = True


def _segment_values(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            field: [_choice_key(item) for item in (values if isinstance(values, list) else [values])]
            for field, values in value.items()
        }
    return value


class CommitteeTemplate(_Part):
    """A named buying-committee template, optionally limited to a segment of accounts.

    ``segment`` maps account fields to accepted values or bands: an account is in the segment
    when every listed field matches one of its values, e.g. ``{employees: "1000+",
    industry: [finance, healthcare]}``.
    """

    name: Annotated[str, BeforeValidator(_stripped), Field(min_length=1)]
    description: str = ""
    segment: Annotated[dict[str, list[str]], BeforeValidator(_segment_values)] = {}
    roles: Annotated[list[CommitteeRole], Field(min_length=1)]

    @functools.cached_property
    def _segment(self) -> dict[str, ChoiceTable]:
        return {field: ChoiceTable(dict.fromkeys(values, 1), bands=True) for field, values in self.segment.items()}

    def applies_to(self, account: Any) -> bool:
        """Tell whether an account is in this template's segment (no segment: every account)."""
        return all(table.match(field_value(account, field)) for field, table in self._segment.items())


class CommitteeTemplates(_Document):
    """Buying-committee templates of SPEC §7; the one named ``default`` is required."""

    version: Version
    templates: Annotated[list[CommitteeTemplate], Field(min_length=1)]

    def template(self, name: str) -> CommitteeTemplate:
        """Return the template called ``name``; raises ``KeyError`` when there is none."""
        for template in self.templates:
            if template.name == name:
                return template
        raise KeyError(name)

    def template_for(self, account: Any) -> CommitteeTemplate:
        """Return the first segment template (document order) the account is in, else ``default``."""
        for template in self.templates:
            if template.segment and template.applies_to(account):
                return template
        return self.template("default")

    @classmethod
    def rule_violations(cls, data: Any) -> list[Violation]:
        """Unique names, a ``default`` without segment, unique roles, positive required weights."""
        templates = _list(data, "templates")
        violations = _duplicates("templates", templates, "name", str.strip)
        names = [_get(template, "name") for template in templates]
        if isinstance(_get(data, "templates"), list) and "default" not in [
            name.strip() for name in names if isinstance(name, str)
        ]:
            violations.append(("templates", "a template named 'default' is required"))
        for index, template in enumerate(templates):
            path = f"templates[{index}]"
            name, segment = _get(template, "name"), _get(template, "segment")
            if isinstance(name, str) and name.strip() == "default" and segment:
                violations.append((f"{path}.segment", "the default template applies to every account"))
            if isinstance(segment, Mapping):
                for field, values in segment.items():
                    listed = values if isinstance(values, list) else [values]
                    violations += _choice_violations(
                        _key_path(f"{path}.segment", field), dict.fromkeys(listed, 1), bands=True
                    )
            roles = _list(template, "roles")
            violations += _duplicates(f"{path}.roles", roles, "role", _role_name)
            for role_index, role in enumerate(roles):
                weight = _get(role, "weight")
                if _get(role, "required") is not False and _is_number(weight) and weight <= 0:
                    violations.append((f"{path}.roles[{role_index}].weight", "a required role needs a positive weight"))
        return violations


class RoleRule(_Part):
    """Title rule: a title matching ``pattern`` (and not ``unless``) infers ``role``."""

    pattern: Annotated[str, AfterValidator(_check_regex), Field(min_length=1)]
    role: RoleName
    unless: Annotated[str | None, AfterValidator(_check_regex)] = None
    confidence: Annotated[float, Field(strict=True, gt=0, le=1)] = 0.7

    @functools.cached_property
    def _regexes(self) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
        return re.compile(self.pattern, re.IGNORECASE), re.compile(self.unless, re.IGNORECASE) if self.unless else None

    def matches(self, title: str) -> bool:
        """Tell whether a job title falls under this rule (case-insensitive search)."""
        pattern, unless = self._regexes
        return bool(pattern.search(title)) and not (unless and unless.search(title))


class RoleRules(_Document):
    """Buying-role taxonomy, propagation weights (SPEC §5) and ordered title rules.

    Rules are tried in order and the first match infers the role.
    """

    version: Version
    taxonomy: Annotated[list[RoleName], Field(min_length=1)]
    propagation_weights: dict[RoleName, Annotated[float, Field(strict=True, ge=0)]]
    no_role_weight: Annotated[float, Field(strict=True, ge=0)] = 1.0
    rules: list[RoleRule] = []

    @field_validator("taxonomy")
    @classmethod
    def _unique_taxonomy(cls, taxonomy: list[str]) -> list[str]:
        if len(set(taxonomy)) != len(taxonomy):
            raise ValueError("roles in the taxonomy must be distinct")
        return taxonomy

    @classmethod
    def rule_violations(cls, data: Any) -> list[Violation]:
        """Rule roles and weighted roles belong to the taxonomy; every role has a weight."""
        raw_taxonomy = _get(data, "taxonomy")
        if not isinstance(raw_taxonomy, list):
            return []
        taxonomy = {_role_name(role) for role in raw_taxonomy if isinstance(role, str)}
        violations = []
        for index, rule in enumerate(_list(data, "rules")):
            role = _get(rule, "role")
            if isinstance(role, str) and _role_name(role) not in taxonomy:
                violations.append((f"rules[{index}].role", f"{role!r} is not in the taxonomy"))
        weights = _get(data, "propagation_weights")
        violations += _choice_violations("propagation_weights", weights, bands=False)
        if isinstance(weights, Mapping):
            weighted = {_role_name(role) for role in weights if isinstance(role, str)}
            for role in weights:
                if isinstance(role, str) and _role_name(role) not in taxonomy:
                    violations.append((_key_path("propagation_weights", role), "role is not in the taxonomy"))
            for role in sorted(taxonomy - weighted):
                violations.append(("propagation_weights", f"role {role} has no propagation weight"))
        return violations


class StageCondition(_Part):
    """A condition of a stage rule: a stored account input at least (or above) a value."""

    input: StageInput
    at_least: Annotated[float, Field(strict=True)] | None = None
    above: Annotated[float, Field(strict=True)] | None = None

    def holds(self, value: float) -> bool:
        """Tell whether an account's input value meets the condition."""
        if self.at_least is not None:
            return value >= self.at_least
        return self.above is not None and value > self.above


class PathRules(_Part):
    """Where a routing path's round robin draws from and how long an assignee has to accept."""

    pool: Annotated[str, BeforeValidator(_lowered), Field(min_length=1)]
    sla_hours: Annotated[float, Field(strict=True, gt=0)]


class RoutingRules(_Document):
    """Lead routing and the account funnel of SPEC §8–§9.

    Score thresholds are not here: routing uses the scoring model's ``thresholds`` (``abm`` at
    target accounts, ``mql`` elsewhere). ``abm`` and ``traditional`` name each path's round-robin
    pool and SLA; an overdue assignment is escalated ``escalation_depth`` times, then the lead
    is recycled. ``stages`` maps each funnel stage to the conditions that must all hold for an
    account to be at it; an account is at the highest such stage.
    """

    version: Version
    abm: PathRules = PathRules(pool="ae", sla_hours=4)
    traditional: PathRules = PathRules(pool="bdr", sla_hours=24)
    escalation_depth: Annotated[int, Field(strict=True, ge=0, le=10)] = 2
    stages: dict[AccountStage, Annotated[list[StageCondition], Field(min_length=1)]]

    @classmethod
    def rule_violations(cls, data: Any) -> list[Violation]:
        """Each stage condition gives exactly one bound, ``at_least`` or ``above``."""
        violations = []
        stages = _get(data, "stages")
        for stage, conditions in stages.items() if isinstance(stages, Mapping) else ():
            for index, condition in enumerate(conditions if isinstance(conditions, list) else []):
                bounds = [key for key in ("at_least", "above") if _get(condition, key) is not None]
                if isinstance(condition, Mapping) and len(bounds) != 1:
                    violations.append(
                        (f"{_key_path('stages', stage)}[{index}]", "give exactly one of at_least and above")
                    )
        return violations


_MODELS: dict[DocumentKind, type[_Document]] = {
    DocumentKind.SCORING: ScoringModel,
    DocumentKind.ICP: IcpModel,
    DocumentKind.COMMITTEES: CommitteeTemplates,
    DocumentKind.ROLES: RoleRules,
    DocumentKind.ROUTING: RoutingRules,
}
_SEED_FILES = {
    DocumentKind.SCORING: "scoring_model.yaml",
    DocumentKind.ICP: "icp_model.yaml",
    DocumentKind.COMMITTEES: "committees.yaml",
    DocumentKind.ROLES: "role_rules.yaml",
    DocumentKind.ROUTING: "routing.yaml",
}


# --- loading ------------------------------------------------------------------------------------


def document_kind(kind: DocumentKind | str) -> DocumentKind:
    """The kind named ``kind``; raises :class:`~graphsvc.errors.InvalidInput` naming it and the kinds there are."""
    try:
        return DocumentKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in DocumentKind)
        raise InvalidInput(f"unknown document kind {kind!r}; the kinds are {known}") from None


def load_document(kind: DocumentKind | str, data: Any) -> Any:
    """Validate a mapping as a document of ``kind`` and return the frozen model.

    Parameters
    ----------
    kind
        ``"scoring"``, ``"icp"``, ``"committees"``, ``"roles"`` or ``"routing"``.
    data
        The document as plain data (parsed YAML or JSON).

    Returns
    -------
    ScoringModel | IcpModel | CommitteeTemplates | RoleRules | RoutingRules

    Raises
    ------
    DocumentInvalid
        With every violation found, value checks and rules alike.
    """
    kind = document_kind(kind)
    model = _MODELS[kind]
    try:
        document = model.model_validate(data)
        violations = []
    except ValidationError as exc:
        violations = [_violation(error) for error in exc.errors() if error["type"] != "document_rules"]
    # The rule pass reads the raw input: keys equal ignoring case are merged by validation, so
    # only the raw input still shows them.
    violations += model.rule_violations(data)
    if violations:
        raise DocumentInvalid(kind, violations)
    return document


def _violation(error: Any) -> Violation:
    """Turn a pydantic error into (path, message); a bad mapping key is said to be the key."""
    loc = tuple(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if "[key]" in loc:
        return _loc_path(tuple(part for part in loc if part != "[key]")), f"key: {message}"
    return _loc_path(loc), message


class _Yaml12Loader(yaml.SafeLoader):
    """Safe loader with YAML 1.2 booleans (a country key ``NO`` stays a string) and no duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key_node, deep=True) for key_node, _ in node.value]
        for index, key in enumerate(keys):
            if key in keys[:index]:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", node.value[index][0].start_mark
                )
        return super().construct_mapping(node, deep=deep)


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if duplicated := sorted({key for key in keys if keys.count(key) > 1}):
        raise ValueError(f"duplicate keys {duplicated}")
    return dict(pairs)


def document_data(kind: DocumentKind | str, text: str) -> Any:
    """Parse YAML or JSON text (JSON when it starts with ``{``) into plain data, not yet validated.

    Raises
    ------
    DocumentInvalid
        When the text does not parse (one violation at the empty path).
    """
    kind = document_kind(kind)
    try:
        if text.lstrip().startswith("{"):
            return json.loads(text, object_pairs_hook=_json_object)
        return yaml.load(text, Loader=_Yaml12Loader)  # a SafeLoader subclass: safe
    except (ValueError, yaml.YAMLError) as exc:
        raise DocumentInvalid(kind, [("", f"not valid YAML or JSON: {exc}")]) from None


def parse_document(kind: DocumentKind | str, text: str) -> Any:
    """Parse YAML or JSON text (:func:`document_data`) and load it as a document.

    Raises
    ------
    DocumentInvalid
        When the text does not parse (one violation at the empty path) or the document breaks rules.
    """
    return load_document(kind, document_data(kind, text))


@functools.cache
def default_document(kind: DocumentKind | str) -> Any:
    """Return the shipped default document of ``kind`` from ``seeds/`` (parsed once)."""
    kind = document_kind(kind)
    return parse_document(kind, (SEEDS_DIR / _SEED_FILES[kind]).read_text(encoding="utf-8"))
