"""The import contract: one validated record type per kind, with the columns of SPEC §11.

Cells arrive as CSV strings or JSON values. Rules shared by every kind:

* an empty cell is a missing value, and a missing value never overwrites a stored one;
* lists are ``;``-separated in CSV, JSON arrays (or the same string) in NDJSON;
* booleans are ``true``/``false`` (JSON booleans or those words), never numbers or yes/no;
* integers and numbers are never booleans; integers fit GraphQL's ``Int`` (32 bits), amounts and
  pool weights are finite and bounded, so every stored value reads back through the API;
* times are ISO-8601 strings, read as UTC when they carry no offset, and lie in the range of
  :mod:`graphsvc.ranges`; times of events (engagements, lead creation, opportunities, stage changes) may not lie
  in the future;
* columns outside the contract are ignored, and the importer says so once per file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

from graphsvc.ranges import EARLIEST, LATEST, MAX_INT, in_range

__all__ = [
    "KINDS",
    "RECORD_TYPES",
    "AccountRecord",
    "AccountStage",
    "ContactRecord",
    "EngagementRecord",
    "FieldError",
    "ImportRecord",
    "LeadRecord",
    "LeadStatus",
    "LeadStatusChangeRecord",
    "OpportunityRecord",
    "StageChangeRecord",
    "UserRecord",
    "validate_row",
]

# Clock skew allowed on event times before they count as "in the future".
_FUTURE_TOLERANCE = timedelta(minutes=5)
# Amounts (revenue, deals) and pool weights: finite, and small enough that sums stay finite.
MAX_AMOUNT = 1e15
MAX_POOL_WEIGHT = 1000.0


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _lower(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.lower() if isinstance(value, str) else value


def _domain(value: Any) -> Any:
    value = _lower(value)
    return value.removeprefix("www.") if isinstance(value, str) else value


def _split_list(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, str):
        return [item.strip() for item in value.split(";") if item.strip()]
    return value


def _utc(value: Any) -> Any:
    value = _blank_to_none(value)
    if value is None or isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO-8601 time: {value!r}") from None
    else:
        raise ValueError(f"not an ISO-8601 time: {value!r}")
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment is not None and not in_range(moment):
        raise ValueError(f"lies outside {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} (UTC): {value!r}")
    return moment


def _number(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, bool):
        raise ValueError(f"is a boolean, not a number: {value!r}")
    return value


def _flag(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return value


def _optional(inner: Any, before: Any = _blank_to_none) -> Any:
    """An optional cell: blank means missing, constraints apply to present values."""
    return Annotated[inner | None, BeforeValidator(before), Field(default=None)]


Text = _optional(Annotated[str, Field(max_length=1000)])
LowerText = _optional(Annotated[str, Field(max_length=1000)], _lower)
Domain = _optional(Annotated[str, Field(max_length=253)], _domain)
Id = Annotated[str, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=200, pattern=r"^\S+$")]
OptionalId = _optional(Annotated[str, Field(max_length=200, pattern=r"^\S+$")])
TextList = _optional(Annotated[list[Annotated[str, Field(max_length=200)]], Field(max_length=200)], _split_list)
Time = _optional(datetime, _utc)
Count = _optional(Annotated[int, Field(ge=0, le=MAX_INT)], _number)
Amount = _optional(Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)], _number)
Flag = _optional(bool, _flag)


class AccountStage(StrEnum):
    """An account's stage in the shared funnel, lowest first (SPEC §8, :mod:`graphsvc.funnel`)."""

    TARGET = "TARGET"
    AWARE = "AWARE"
    ENGAGED = "ENGAGED"
    MQA = "MQA"
    OPPORTUNITY = "OPPORTUNITY"
    CUSTOMER = "CUSTOMER"


class LeadStatus(StrEnum):
    NEW = "NEW"
    MQL = "MQL"
    SAL = "SAL"
    SQL = "SQL"
    OPPORTUNITY = "OPPORTUNITY"
    WON = "WON"
    LOST = "LOST"
    NURTURE = "NURTURE"
    RECYCLED = "RECYCLED"
    DISQUALIFIED = "DISQUALIFIED"


class UserRole(StrEnum):
    AE = "AE"
    BDR = "BDR"
    SDR = "SDR"
    MANAGER = "MANAGER"
    MARKETING = "MARKETING"


class OpportunityStatus(StrEnum):
    OPEN = "OPEN"
    WON = "WON"
    LOST = "LOST"


def _upper(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.upper() if isinstance(value, str) else value


class ImportRecord(BaseModel):
    """Base of every record: an id, strict about types, silent about unknown columns."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: ClassVar[str]
    # Fields stored as relationships, not properties.
    references: ClassVar[tuple[str, ...]] = ()
    # Event times that may not lie in the future.
    event_times: ClassVar[tuple[str, ...]] = ()

    id: Id

    @field_validator("*", mode="after")
    @classmethod
    def _not_in_future(cls, value: Any, info: Any) -> Any:
        future = isinstance(value, datetime) and value > datetime.now(UTC) + _FUTURE_TOLERANCE
        if future and info.field_name in cls.event_times:
            raise ValueError(f"lies in the future: {value.isoformat()}")
        return value

    def row(self) -> dict[str, Any]:
        """The record as a Cypher ``$rows`` item.

        ``props`` holds the plain properties that are present (``SET n += r.props`` leaves the
        others alone); references and times sit beside it, times as ISO-8601 strings for
        ``datetime()`` in Cypher.
        """
        values = self.model_dump(mode="json", exclude_none=True)
        times = {name for name, field in type(self).model_fields.items() if _is_time(field.annotation)}
        lifted = set(self.references) | times | {"id"}
        row = {key: values.get(key) for key in lifted}
        row["props"] = {key: value for key, value in values.items() if key not in lifted}
        return row


def _is_time(annotation: Any) -> bool:
    return annotation is datetime or datetime in getattr(annotation, "__args__", ())


class AccountRecord(ImportRecord):
    kind = "accounts"
    references = ("parent_id", "owner_id")

    name: Annotated[str, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=1000)]
    domain: Domain
    domains: TextList
    industry: Text
    employees: Count
    annual_revenue: Amount
    country: Text
    parent_id: OptionalId
    owner_id: OptionalId
    is_target: Flag
    tier: _optional(Annotated[int, Field(ge=1, le=3)], _number)
    technologies: TextList

    @field_validator("domains", mode="after")
    @classmethod
    def _lower_domains(cls, value: list[str] | None) -> list[str] | None:
        return [_domain(item) for item in value] if value else value


class UserRecord(ImportRecord):
    kind = "users"
    references = ("manager_id", "pools")

    name: Annotated[str, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=1000)]
    email: Text
    role: Annotated[UserRole, BeforeValidator(_upper)]
    active: Flag
    capacity: Count
    manager_id: OptionalId
    pools: TextList

    @field_validator("pools", mode="after")
    @classmethod
    def _pool_items(cls, value: list[str] | None) -> list[str] | None:
        for item in value or []:
            name, _, weight = item.partition(":")
            if not name or (weight and not _pool_weight(weight)):
                raise ValueError(
                    f"pool item {item!r} is not name or name:weight with a weight above 0, at most {MAX_POOL_WEIGHT:g}"
                )
        return value

    def memberships(self) -> list[dict[str, Any]]:
        """Pool memberships as ``{pool, weight}``; weight 1 when not given."""
        result = []
        for item in self.pools or []:
            name, _, weight = item.partition(":")
            result.append({"pool": name.strip().lower(), "weight": float(weight) if weight else 1.0})
        return result


def _pool_weight(text: str) -> bool:
    try:
        return 0 < float(text) <= MAX_POOL_WEIGHT  # False for nan; inf is above the bound
    except ValueError:
        return False


class ContactRecord(ImportRecord):
    kind = "contacts"
    references = ("account_id", "roles")

    account_id: OptionalId
    email: LowerText
    first_name: Text
    last_name: Text
    title: Text
    seniority: LowerText
    department: Text
    roles: TextList

    @field_validator("roles", mode="after")
    @classmethod
    def _upper_roles(cls, value: list[str] | None) -> list[str] | None:
        return [role.upper() for role in value] if value else value


class LeadRecord(ImportRecord):
    kind = "leads"
    event_times = ("created_at",)

    email: LowerText
    first_name: Text
    last_name: Text
    company: Text
    website: Text
    title: Text
    seniority: LowerText
    industry: Text
    country: Text
    source: Text
    created_at: Time
    status: _optional(LeadStatus, _upper)


class EngagementRecord(ImportRecord):
    kind = "engagements"
    references = ("person_id",)
    event_times = ("occurred_at",)

    person_id: Id
    type: Annotated[str, BeforeValidator(_lower), Field(min_length=1, max_length=100)]
    detail: LowerText
    occurred_at: Annotated[datetime, BeforeValidator(_utc)]
    campaign: Text


class OpportunityRecord(ImportRecord):
    kind = "opportunities"
    references = ("account_id",)
    event_times = ("created_at", "closed_at")

    account_id: Id
    name: Text
    amount: Amount
    status: _optional(OpportunityStatus, _upper)
    created_at: Time
    closed_at: Time


class StageChangeRecord(ImportRecord):
    """One past move of an account in the funnel (a ``StageChange``): a history kept elsewhere.

    ``stage`` blank means the account left the funnel, ``previous`` blank that it entered it;
    a row that does not move (``stage`` equal to ``previous``) is refused. A change is an event
    as a whole: importing it again replaces its stage, previous stage and time.
    """

    kind = "stage_changes"
    references = ("account_id",)
    event_times = ("at",)

    account_id: Id
    stage: _optional(AccountStage, _upper)
    previous: _optional(AccountStage, _upper)
    at: Annotated[datetime, BeforeValidator(_utc)]

    @model_validator(mode="after")
    def _moves(self) -> StageChangeRecord:
        if self.stage == self.previous:
            # Named in the message: the row, not one field, is wrong (and a blank field is not "required").
            raise ValueError(f"stage and previous are both {self.stage or 'blank'}: a change must move the account")
        return self


class LeadStatusChangeRecord(ImportRecord):
    """One past move of a lead's status (a ``LeadStatusChange``): a history kept elsewhere, e.g. a
    CRM's lifecycle-stage history.

    ``previous`` blank means the lead arrived with ``status``; ``by`` blank records it as ``import``.
    A row that does not move (``status`` equal to ``previous``) is refused. A move is an event as a
    whole: importing it again replaces it. Imported moves are the past: they send no webhook.
    """

    kind = "lead_status_changes"
    references = ("lead_id",)
    event_times = ("at",)

    lead_id: Id
    status: Annotated[LeadStatus, BeforeValidator(_upper)]
    previous: _optional(LeadStatus, _upper)
    at: Annotated[datetime, BeforeValidator(_utc)]
    reason: Text
    by: Text

    @model_validator(mode="after")
    def _moves(self) -> LeadStatusChangeRecord:
        if self.status == self.previous:
            raise ValueError(f"status and previous are both {self.status}: a change must move the lead")
        return self


# Import order: a kind only references kinds before it.
RECORD_TYPES: dict[str, type[ImportRecord]] = {
    record.kind: record
    for record in (
        UserRecord,
        AccountRecord,
        ContactRecord,
        LeadRecord,
        OpportunityRecord,
        EngagementRecord,
        StageChangeRecord,
        LeadStatusChangeRecord,
    )
}
KINDS: tuple[str, ...] = tuple(RECORD_TYPES)


FieldError = tuple[str | None, str]


def validate_row(kind: str, row: dict[str, Any]) -> tuple[ImportRecord | None, list[FieldError]]:
    """Validate one row of ``kind``; returns the record, or None and every (field, reason)."""
    try:
        return RECORD_TYPES[kind].model_validate(row), []
    except ValidationError as exc:
        errors: list[FieldError] = []
        for error in exc.errors(include_url=False, include_input=False):
            field = str(error["loc"][0]) if error["loc"] else None
            message = error["msg"].removeprefix("Value error, ")
            value = row.get(field) if field is not None else None
            if error["type"] in ("string_too_long", "too_long") and isinstance(value, str):
                message = f"is too long: {len(value)} characters, at most {error['ctx']['max_length']}"
            if field is not None and _blank_to_none(row.get(field)) is None:
                message = "is required"
            errors.append((field, message))
        return None, errors
