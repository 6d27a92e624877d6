"""``graphsvc export``'s rows on the hand graph (tests/hand_graph.py): figures checked by hand, the
change times that ``--changed-since`` reads, pages read one at a time, and the command itself."""

import asyncio
import csv
import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from conftest import GUARD
from hand_graph import AS_OF, at, load_hand_graph

from graphsvc.auth import Caller, Role
from graphsvc.export import ACCOUNT_FIELDS, LEAD_FIELDS, export_rows
from graphsvc.ingest.importer import Importer
from graphsvc.schema import schema
from graphsvc.schema.context import Context
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db

DEFAULT_COMMITTEE = ["ECONOMIC_BUYER", "DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR", "INFLUENCER", "END_USER"]


async def _graph(db):
    """The hand graph, G owned by u1 with a domain, and lead l1 from that domain (no engagements)."""
    importer = await load_hand_graph(db)
    extras = {
        "users": [{"id": "u1", "name": "Ann", "role": "AE"}],
        "accounts": [{"id": "G", "name": "Grandchild Soft", "owner_id": "u1", "domain": "gsoft.com"}],
        "leads": [
            {
                "id": "l1",
                "email": "ceo@gsoft.com",
                "first_name": "Eve",
                "seniority": "c_level",
                "industry": "software",
                "created_at": at(40),
            }
        ],
    }
    for kind, items in extras.items():
        report = await importer.import_rows(kind, enumerate(items, start=1))
        assert report.errors == [], report.errors
    return importer


async def _export(db, kind, now=AS_OF, since=None, page_size=500):
    return [row async for row in export_rows(db, kind, now, since, page_size)]


async def test_account_and_lead_rows_hold_the_hand_computed_figures(empty_db):
    await _graph(empty_db)
    await recompute_graph(empty_db, AS_OF)

    accounts = await _export(empty_db, "accounts", page_size=3)  # two pages: C G R, then S
    assert [row["id"] for row in accounts] == ["C", "G", "R", "S"]
    assert all(tuple(row) == ACCOUNT_FIELDS for row in accounts)
    g = accounts[1]
    # E(G) = 1.3 × 12 = 15.6, R(G) = 15.6, fit 100 (software), total 0.5·100 + 0.5·15.6 = 57.8.
    assert g["score_engagement"] == pytest.approx(15.6)
    assert g["score_rolled_up"] == pytest.approx(15.6)
    assert g["score_fit"] == pytest.approx(100.0)
    assert g["score_total"] == pytest.approx(57.8)
    # Only the CHAMPION (weight 0.20) is known and engaged (30 days before, inside 90).
    assert (g["committee"], g["coverage"], g["engaged_coverage"]) == ("default", pytest.approx(0.2), pytest.approx(0.2))
    assert (g["engaged_contacts"], g["single_threaded"]) == (1, True)
    assert g["missing_roles"] == [role for role in DEFAULT_COMMITTEE if role != "CHAMPION"]
    assert g["unengaged_roles"] == []
    assert (g["owner_id"], g["parent_id"], g["is_target"], g["tier"]) == ("u1", "C", False, None)
    r = accounts[2]
    # R(R) = −3.375 + 0.5 × (25.8 + 0) = 9.525; retail fit 50; total 25 + 4.7625.
    assert (r["score_rolled_up"], r["score_total"]) == (pytest.approx(9.525), pytest.approx(29.7625))
    assert r["is_target"] is True
    for row in accounts:
        # The recompute at AS_OF evaluated the stages: a stage entered then, or none.
        assert row["stage_since"] == (AS_OF.isoformat() if row["stage"] else None), row

    (lead,) = await _export(empty_db, "leads")
    assert tuple(lead) == LEAD_FIELDS
    # seniority c_level 40×50/100×10/10 = 20, industry software 20: demographic 40 = the whole weight
    # (fit 1.0), both fields present (completeness 1.0), no engagement: interest LOW, grade D.
    assert (lead["score_demographic"], lead["score_behavioral"], lead["score_total"]) == (40.0, 0.0, 40.0)
    assert (lead["score_fit"], lead["score_completeness"]) == (1.0, 1.0)
    assert (lead["interest"], lead["grade"], lead["disqualified"]) == ("LOW", "D", False)
    assert lead["nurture_objectives"] == ["INCREASE_INTEREST"]
    assert (lead["account_id"], lead["match_method"], lead["account_owner_id"]) == ("G", "DOMAIN", "u1")
    assert (lead["status"], lead["name"], lead["email"]) == ("NEW", "Eve", "ceo@gsoft.com")


async def test_changed_since_keeps_what_changed_after_the_moment(empty_db):
    importer = await _graph(empty_db)
    everything = await _export(empty_db, "accounts")
    assert all(row["changed_at"] is not None for row in everything)
    moment = datetime.now(UTC)
    assert await _export(empty_db, "accounts", since=moment) == []

    # The same rows again change nothing.
    again = await importer.import_rows("accounts", enumerate([{"id": "S", "name": "Sibling Retail"}], start=1))
    assert again.errors == []
    assert await _export(empty_db, "accounts", since=moment) == []

    # A new engagement at G moves the sums of G and its ancestors C and R; S keeps its time.
    engagement = [{"id": "e9", "person_id": "p1", "type": "demo_request", "occurred_at": at(1)}]
    assert (await importer.import_rows("engagements", enumerate(engagement, start=1))).errors == []
    changed = await _export(empty_db, "accounts", since=moment)
    assert [row["id"] for row in changed] == ["C", "G", "R"]
    assert all(datetime.fromisoformat(row["changed_at"]) >= moment for row in changed)

    # A new value of a field: that account only. Leads: a new field value too.
    later = datetime.now(UTC)
    renamed = [{"id": "S", "name": "Sibling Retail Group"}]
    assert (await importer.import_rows("accounts", enumerate(renamed, start=1))).errors == []
    assert [row["id"] for row in await _export(empty_db, "accounts", since=later)] == ["S"]
    assert await _export(empty_db, "leads", since=later) == []
    retitled = [{"id": "l1", "title": "CEO"}]
    assert (await importer.import_rows("leads", enumerate(retitled, start=1))).errors == []
    assert [row["id"] for row in await _export(empty_db, "leads", since=later)] == ["l1"]


async def test_a_page_is_yielded_before_the_pages_after_the_next_are_read(empty_db, monkeypatch):
    await _graph(empty_db)
    pages: list[str] = []
    read = empty_db.read

    async def counting(name, **params):
        if name == "export/account_page":
            pages.append(params["after"])
        return await read(name, **params)

    monkeypatch.setattr(empty_db, "read", counting)
    rows = export_rows(empty_db, "accounts", AS_OF, page_size=1)
    first = await anext(rows)
    assert (first["id"], pages) == ("C", ["", "C"])  # the first page, and the next read ahead
    assert [row["id"] async for row in rows] == ["G", "R", "S"]
    assert pages == ["", "C", "G", "R", "S"]  # one account a page, and an empty page


def _graphsvc(embedded, *args):
    """Run ``graphsvc ARGS`` against the session's server, as a separate process."""
    env = {
        **os.environ,
        "GRAPHSVC_NEO4J_URI": str(embedded.status()["bolt_uri"]),
        "GRAPHSVC_NEO4J_USER": ROOT_USER,
        "GRAPHSVC_NEO4J_PASSWORD": embedded.password(),
        "GRAPHSVC_NEO4J_DATABASE": DATABASE_NAME,
    }
    return subprocess.run(
        [sys.executable, "-m", "graphsvc", *args], env=env, capture_output=True, text=True, timeout=GUARD
    )


async def test_the_command_writes_ndjson_and_csv_with_the_figures_now(embedded, empty_db, tmp_path):
    before = datetime.now(UTC)
    await _graph(empty_db)
    await recompute_graph(empty_db, AS_OF)

    ndjson = await asyncio.to_thread(_graphsvc, embedded, "export", "accounts", "--format", "ndjson", "--json")
    assert ndjson.returncode == 0, ndjson.stderr
    rows = [json.loads(line) for line in ndjson.stdout.splitlines()]
    summary = json.loads(ndjson.stderr.strip().splitlines()[-1])  # the summary goes to stderr beside the data
    assert (summary["kind"], summary["rows"], summary["total"]) == ("accounts", 4, 4)
    assert [row["id"] for row in rows] == ["C", "G", "R", "S"]
    g = rows[1]
    # The stored sums read at the export's moment: E(G) = 15.6 at AS_OF, halved every 30 days since.
    days = (datetime.fromisoformat(summary["as_of"]) - AS_OF).total_seconds() / 86_400
    assert g["score_engagement"] == pytest.approx(15.6 * 0.5 ** (days / 30), rel=1e-6)
    assert g["score_total"] == pytest.approx(50 + 0.5 * 15.6 * 0.5 ** (days / 30), rel=1e-6)
    assert (g["coverage"], g["missing_roles"], g["owner_id"]) == (
        0.2,
        DEFAULT_COMMITTEE[:2] + DEFAULT_COMMITTEE[3:],
        "u1",
    )

    out = tmp_path / "accounts.csv"
    written = await asyncio.to_thread(_graphsvc, embedded, "export", "accounts", "--output", str(out))
    assert written.returncode == 0, written.stderr
    assert written.stdout.startswith("export accounts: 4 rows in ")
    with out.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    assert tuple(table[0]) == ACCOUNT_FIELDS
    by_id = {line[0]: dict(zip(ACCOUNT_FIELDS, line, strict=True)) for line in table[1:]}
    assert list(by_id) == ["C", "G", "R", "S"]
    assert by_id["G"]["missing_roles"] == "ECONOMIC_BUYER;DECISION_MAKER;TECHNICAL_EVALUATOR;INFLUENCER;END_USER"
    assert (by_id["G"]["single_threaded"], by_id["G"]["tier"], by_id["R"]["is_target"]) == ("true", "", "true")

    # --changed-since: everything changed since before the load, nothing after now.
    for since, expected in ((before, ["l1"]), (datetime.now(UTC), [])):
        leads = await asyncio.to_thread(
            _graphsvc, embedded, "export", "leads", "--format", "csv", "--changed-since", since.isoformat()
        )
        assert leads.returncode == 0, leads.stderr
        assert [line.split(",")[0] for line in leads.stdout.splitlines()] == ["id", *expected]


_API_QUERY = """
{
  a0: account(id: "C") { ...figures } a1: account(id: "G") { ...figures }
  a2: account(id: "R") { ...figures } a3: account(id: "S") { ...figures }
  lead(id: "l1") {
    id status match { account { id owner { id } } method confidence }
    score { demographic behavioral fit total completeness interest grade disqualified nurtureObjectives }
  }
}
fragment figures on Account {
  id name domain isTarget tier stage owner { id } parent { id } stageHistory { stage at }
  score { engagement rolledUp fit total }
  coverage { template coverage engagedCoverage engagedContacts singleThreaded missingRoles unengagedRoles }
}
"""


async def test_the_rows_hold_what_the_api_answers_at_the_same_moment(empty_db):
    await _graph(empty_db)
    engagement = [{"id": "e9", "person_id": "l1", "type": "demo_request", "occurred_at": at(-1)}]
    await recompute_graph(empty_db)  # now: the API's scores come from the stored sums, as the export's
    assert (await Importer(empty_db).import_rows("engagements", enumerate(engagement, start=1))).errors == []
    context = Context(empty_db, Caller(Role.ADMIN, name="admin"))
    moment = context.now
    result = await schema.execute(_API_QUERY, context_value=context)
    assert result.errors is None, result.errors
    api = result.data

    accounts = await _export(empty_db, "accounts", now=moment)
    for index, row in enumerate(accounts):
        answer = api[f"a{index}"]
        score, coverage, history = answer["score"], answer["coverage"], answer["stageHistory"]
        assert row == {
            "id": answer["id"],
            "name": answer["name"],
            "domain": answer["domain"],
            "is_target": answer["isTarget"],
            "tier": answer["tier"],
            "owner_id": answer["owner"] and answer["owner"]["id"],
            "parent_id": answer["parent"] and answer["parent"]["id"],
            "stage": answer["stage"],
            "stage_since": history[-1]["at"] if answer["stage"] else None,
            "score_engagement": score["engagement"],
            "score_rolled_up": score["rolledUp"],
            "score_fit": score["fit"],
            "score_total": score["total"],
            "committee": coverage["template"],
            "coverage": coverage["coverage"],
            "engaged_coverage": coverage["engagedCoverage"],
            "engaged_contacts": coverage["engagedContacts"],
            "single_threaded": coverage["singleThreaded"],
            "missing_roles": coverage["missingRoles"],
            "unengaged_roles": coverage["unengagedRoles"],
            "changed_at": row["changed_at"],
        }, row["id"]

    (lead,) = await _export(empty_db, "leads", now=moment)
    answer = api["lead"]
    score, match = answer["score"], answer["match"]
    assert lead["score_behavioral"] > 0  # the new demo request counts, on both sides
    assert {key: value for key, value in lead.items() if key not in ("email", "name", "company", "title")} == {
        "id": answer["id"],
        "status": answer["status"],
        "score_demographic": score["demographic"],
        "score_behavioral": score["behavioral"],
        "score_fit": score["fit"],
        "score_total": score["total"],
        "score_completeness": score["completeness"],
        "interest": score["interest"],
        "grade": score["grade"],
        "disqualified": score["disqualified"],
        "nurture_objectives": score["nurtureObjectives"],
        "account_id": match["account"]["id"],
        "match_method": match["method"],
        "match_confidence": match["confidence"],
        "account_owner_id": match["account"]["owner"]["id"],
        "changed_at": lead["changed_at"],
    }
