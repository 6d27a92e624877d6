"""Row validation of the import contract (pure, no database)."""

from datetime import UTC, datetime

import pytest

from graphsvc.ingest.records import validate_row


def test_account_cells_are_parsed_and_normalised():
    record, errors = validate_row(
        "accounts",
        {
            "id": "a1",
            "name": "Acme",
            "domain": "WWW.Acme.com",
            "domains": "acme.de; ACME.fr",
            "employees": "12",
            "is_target": "true",
            "tier": "2",
            "technologies": "aws;slack",
            "color": "ignored",
        },
    )
    assert errors == []
    row = record.row()
    assert row["id"] == "a1" and row["parent_id"] is None
    assert row["props"] == {
        "name": "Acme",
        "domain": "acme.com",
        "domains": ["acme.de", "acme.fr"],
        "employees": 12,
        "is_target": True,
        "tier": 2,
        "technologies": ["aws", "slack"],
    }


def test_every_bad_field_is_named():
    record, errors = validate_row(
        "accounts", {"id": "", "name": "", "employees": "-1", "tier": "9", "is_target": "maybe"}
    )
    assert record is None
    assert {field for field, _ in errors} == {"id", "name", "employees", "tier", "is_target"}
    assert ("id", "is required") in errors


@pytest.mark.parametrize(
    ("cells", "field", "fragment"),
    [
        ({"occurred_at": "2026-13-01"}, "occurred_at", "not an ISO-8601 time"),
        ({"occurred_at": "2099-01-01T00:00:00Z"}, "occurred_at", "lies in the future"),
        ({"occurred_at": ""}, "occurred_at", "is required"),
        ({"occurred_at": "2026-01-01T00:00:00Z", "person_id": ""}, "person_id", "is required"),
        ({"occurred_at": "2026-01-01T00:00:00Z", "type": "x" * 101}, "type", "at most 100"),
    ],
)
def test_engagement_errors(cells, field, fragment):
    row = {"id": "e1", "person_id": "p1", "type": "web_visit", **cells}
    record, errors = validate_row("engagements", row)
    assert record is None
    assert any(name == field and fragment in message for name, message in errors), errors


def test_times_without_offset_are_utc_and_cross_as_iso_strings():
    record, errors = validate_row(
        "engagements",
        {"id": "e1", "person_id": "p", "type": "Web_Visit", "detail": "Pricing", "occurred_at": "2026-01-01T10:00:00"},
    )
    assert errors == []
    assert record.occurred_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert record.row() == {
        "id": "e1",
        "person_id": "p",
        "occurred_at": "2026-01-01T10:00:00Z",
        "props": {"type": "web_visit", "detail": "pricing"},
    }


def test_pools_parse_to_weighted_memberships():
    record, errors = validate_row("users", {"id": "u1", "name": "U", "role": "ae", "pools": "BDR:2;ae"})
    assert errors == []
    assert record.memberships() == [{"pool": "bdr", "weight": 2.0}, {"pool": "ae", "weight": 1.0}]
    _, errors = validate_row("users", {"id": "u1", "name": "U", "role": "AE", "pools": "bdr:-2"})
    assert errors and errors[0][0] == "pools"


def test_json_values_are_accepted_as_well_as_strings():
    record, errors = validate_row(
        "accounts", {"id": "a1", "name": "A", "domains": ["a.com", "b.com"], "employees": 5, "is_target": False}
    )
    assert errors == []
    assert record.domains == ["a.com", "b.com"] and record.employees == 5 and record.is_target is False


@pytest.mark.parametrize(
    "occurred_at",
    [
        "0001-01-01T00:00:00+14:00",  # year 0 in UTC
        "9999-12-31T23:00:00-14:00",  # year 10000 in UTC
        "1969-12-31T23:59:59Z",
        "0001-01-01T00:00:00",
    ],
)
def test_times_outside_the_supported_range_are_refused_naming_the_field(occurred_at):
    row = {"id": "e1", "person_id": "p1", "type": "web_visit", "occurred_at": occurred_at}
    record, errors = validate_row("engagements", row)
    assert record is None
    assert errors == [("occurred_at", f"lies outside 1970-01-01 to 2100-01-01 (UTC): {occurred_at!r}")]


@pytest.mark.parametrize(
    ("kind", "cells", "field"),
    [
        ("accounts", {"employees": True}, "employees"),
        ("accounts", {"employees": 1.5}, "employees"),
        ("accounts", {"employees": 2**31}, "employees"),
        ("accounts", {"tier": True}, "tier"),
        ("accounts", {"annual_revenue": False}, "annual_revenue"),
        ("accounts", {"annual_revenue": "1e308"}, "annual_revenue"),
        ("accounts", {"annual_revenue": "inf"}, "annual_revenue"),
        ("accounts", {"is_target": "yes"}, "is_target"),
        ("accounts", {"is_target": 1}, "is_target"),
        ("accounts", {"is_target": "1"}, "is_target"),
        ("users", {"active": "on"}, "active"),
        ("users", {"capacity": True}, "capacity"),
        ("users", {"pools": "bdr:inf"}, "pools"),
        ("users", {"pools": "bdr:1e308"}, "pools"),
        ("users", {"pools": "bdr:nan"}, "pools"),
        ("leads", {"created_at": 1767225600}, "created_at"),
        ("leads", {"created_at": True}, "created_at"),
    ],
)
def test_lenient_values_are_refused(kind, cells, field):
    base = {"accounts": {"name": "A"}, "users": {"name": "U", "role": "AE"}, "leads": {}}[kind]
    record, errors = validate_row(kind, {"id": "x1", **base, **cells})
    assert record is None
    assert [name for name, _ in errors] == [field], errors


def test_booleans_are_true_or_false_in_any_case_and_weights_up_to_the_bound():
    record, errors = validate_row("accounts", {"id": "a1", "name": "A", "is_target": "TRUE", "annual_revenue": "1e15"})
    assert errors == [] and record.is_target is True and record.annual_revenue == 1e15
    record, errors = validate_row(
        "users", {"id": "u1", "name": "U", "role": "AE", "active": "False", "pools": "a:1000"}
    )
    assert errors == [] and record.active is False and record.memberships() == [{"pool": "a", "weight": 1000.0}]
