"""The documents in force, cached per process and never stale; and what one routeLead costs in statements.

A saved document takes effect on the next read, whether this process saved it, another graphsvc
instance did (simulated by writing ``documents/activate`` directly, as that instance would), or
the database was emptied; an unchanged one is not parsed again.
"""

import hashlib
import json

import pytest
from routing_graph import SCORING_MODEL, T0, load_sales_graph

import graphsvc.scores.documents as documents_module
from graphsvc.auth import Caller, Role
from graphsvc.documents import default_document
from graphsvc.routing.decisions import RoutingRule
from graphsvc.routing.engine import route, route_lead
from graphsvc.schema import schema
from graphsvc.schema.context import Context
from graphsvc.scores.documents import documents_from_rows, documents_in_force, save_document

pytestmark = pytest.mark.db

ADMIN = Caller(Role.ADMIN, name="admin")


@pytest.fixture
def parses(monkeypatch):
    """Counts the stored documents parsed (defaults are parsed once per process elsewhere)."""
    calls = []
    load = documents_module.load_document

    def counting(kind, data):
        calls.append((str(kind), data["version"]))
        return load(kind, data)

    monkeypatch.setattr(documents_module, "load_document", counting)
    return calls


def _model(version: int, abm: float) -> dict:
    return {**SCORING_MODEL, "version": version, "thresholds": {"mql": 100, "abm": abm}}


async def _activate_as_another_instance(db, kind: str, document: dict) -> None:
    body = json.dumps(document, sort_keys=True)
    digest = hashlib.sha256(body.encode()).hexdigest()
    await db.write("documents/activate", kind=kind, version=document["version"], body=body, digest=digest)


async def test_an_unchanged_document_is_parsed_once(empty_db, parses):
    await save_document(empty_db, "scoring", _model(9101, 42))
    parses.clear()  # saving validates the document; reading is what is counted
    first = await documents_in_force(empty_db)
    second = await documents_in_force(empty_db)
    assert first.scoring.thresholds.abm == 42
    assert second.scoring is first.scoring
    assert parses == [("scoring", 9101)]


async def test_a_document_saved_here_takes_effect_on_the_next_read(empty_db):
    await save_document(empty_db, "scoring", _model(9201, 42))
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 42
    await save_document(empty_db, "scoring", _model(9202, 37))
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 37


async def test_a_document_saved_by_another_instance_takes_effect_on_the_next_read(empty_db):
    await save_document(empty_db, "scoring", _model(9301, 42))
    assert (await documents_in_force(empty_db)).scoring.version == 9301
    await _activate_as_another_instance(empty_db, "scoring", _model(9302, 33))
    in_force = (await documents_in_force(empty_db)).scoring
    assert (in_force.version, in_force.thresholds.abm) == (9302, 33)


async def test_the_same_version_with_another_body_in_a_new_database_is_read_afresh(empty_db):
    # Same id (scoring:9401) before and after the database is emptied: the stamp is the body's
    # digest, so the other body cannot be mistaken for the one parsed before.
    await save_document(empty_db, "scoring", _model(9401, 42))
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 42
    await empty_db.write("admin/delete_all")
    assert (await documents_in_force(empty_db)).scoring == default_document("scoring")
    await save_document(empty_db, "scoring", _model(9401, 31))
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 31


async def test_a_document_saved_before_digests_is_stamped_by_id_and_save_time(empty_db, parses):
    body = json.dumps(_model(9501, 44), sort_keys=True)
    await empty_db.write("documents/activate", kind="scoring", version=9501, body=body, digest=None)
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 44
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 44
    assert parses == [("scoring", 9501)]
    body = json.dumps(_model(9501, 39), sort_keys=True)  # saved again: a new save time
    await empty_db.write("documents/activate", kind="scoring", version=9501, body=body, digest=None)
    assert (await documents_in_force(empty_db)).scoring.thresholds.abm == 39


def test_a_body_left_out_for_a_stamp_no_longer_held_asks_for_a_new_read():
    assert documents_from_rows([{"kind": "scoring", "stamp": "never-seen", "body": None}]) is None
    assert documents_from_rows([]).scoring == default_document("scoring")


async def test_a_new_scoring_model_takes_effect_on_the_next_routing(empty_db):
    await load_sales_graph(empty_db)
    assert (await route_lead(empty_db, "l-45", now=T0)).rule is RoutingRule.ABM_NURTURE  # 45 < 50
    await _activate_as_another_instance(empty_db, "scoring", _model(202, 45))
    decision = await route_lead(empty_db, "l-45", now=T0)  # nurtured, so decided again
    assert (decision.rule, decision.threshold, decision.assignee_id) == (RoutingRule.ABM_THRESHOLD, 45.0, "u-ann")
    assert decision.scoring_version == 202


async def test_routing_a_lead_costs_four_statements_and_returns_the_lead_as_stored(empty_db):
    await load_sales_graph(empty_db)
    before = empty_db.round_trips
    routed = await route(empty_db, "l-55", now=T0)
    # One transaction: routing/lock_leads, routing/lead_facts, routing/record_decisions and
    # webhooks/record_events (the outbox: it writes nothing while no webhook wants the events).
    assert empty_db.round_trips - before == 4
    stored = (await empty_db.read("routing/lead_facts", ids=["l-55"], known_documents=[]))[0]
    assert routed.lead.lead["status"] == stored["lead"]["status"] == "MQL"


async def test_route_lead_through_the_api_reads_the_lead_once(empty_db):
    await load_sales_graph(empty_db)
    query = "mutation($id: ID!) { routeLead(leadId: $id) { id status lead { id status name company } } }"
    before = empty_db.round_trips
    result = await schema.execute(query, variable_values={"id": "l-45"}, context_value=Context(empty_db, ADMIN))
    assert result.errors is None, result.errors
    assert empty_db.round_trips - before == 4  # the answer's lead comes from the routing's own read
    answered = result.data["routeLead"]["lead"]
    read = await schema.execute(
        '{ lead(id: "l-45") { id status name company } }', context_value=Context(empty_db, ADMIN)
    )
    assert answered == read.data["lead"] and answered["status"] == "NURTURE"


async def test_route_lead_through_the_api_answers_the_assignee_as_stored(empty_db):
    await load_sales_graph(empty_db)
    fields = "id name email role active capacity openAssignments"
    query = f"mutation($id: ID!) {{ routeLead(leadId: $id) {{ id assignee {{ {fields} }} lead {{ id status }} }} }}"
    before = empty_db.round_trips
    result = await schema.execute(query, variable_values={"id": "l-55"}, context_value=Context(empty_db, ADMIN))
    assert result.errors is None, result.errors
    assert empty_db.round_trips - before == 4  # no read for the assignee either
    answered = result.data["routeLead"]
    assert answered["assignee"]["id"] == "u-ann" and answered["assignee"]["openAssignments"] == 1
    read = await schema.execute(
        f'{{ lead(id: "l-55") {{ routing {{ id assignee {{ {fields} }} }} }} }}', context_value=Context(empty_db, ADMIN)
    )
    assert read.data["lead"]["routing"] == {"id": answered["id"], "assignee": answered["assignee"]}
