"""Versioned configuration documents through the API: documents, setDocument, activateDocument.

The graph is tests/hand_graph.py (scoring and ICP models saved as version 101, the other kinds the
shipped defaults). A change in force is followed by a full recompute: what is stored right after it
must be what another full recompute gives, and not what was stored before.
"""

import copy
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from api_graph import ADMIN, INTEGRATION, REP_ANN, STRATEGIST, codes, data_of, execute, run_cypher
from hand_graph import load_hand_graph

from graphsvc.documents import DocumentKind, default_document
from graphsvc.scores.recompute import recompute_graph

pytestmark = pytest.mark.db

VERSIONS = "query($kind: String!) { documents(kind: $kind) { kind version active savedAt document } }"
SET = """mutation($kind: String!, $document: JSON!) {
  setDocument(kind: $kind, document: $document) { kind version active savedAt document } }"""
ACTIVATE = """mutation($kind: String!, $version: Int!) {
  activateDocument(kind: $kind, version: $version) { kind version active document } }"""

# What recompute stores. When and by which write is left out: a rollback records stage moves anew.
_STORED = {
    "accounts": "MATCH (a:Account) RETURN a.id AS id, properties(a) AS props",
    "contacts": "MATCH (c:Contact) RETURN c.id AS id, properties(c) AS props",
    "roles": "MATCH (p)-[h:HAS_ROLE]->(r:BuyingRole) RETURN p.id + ' ' + r.id AS id, properties(h) AS props",
}
_WRITE_TIMES = {"scored_at", "read_model_at", "read_model_digest", "changed_at", "stage_since", "stage_lock"}


async def stored_figures(embedded) -> dict[str, dict[str, Any]]:
    figures = {}
    for what, text in _STORED.items():
        for row in await run_cypher(embedded, text):
            figures[f"{what} {row['id']}"] = {
                key: value for key, value in row["props"].items() if key not in _WRITE_TIMES
            }
    return figures


def differences(first: dict[str, dict[str, Any]], second: dict[str, dict[str, Any]]) -> list[tuple]:
    """Where two sets of stored figures differ; numbers equal to a millionth are the same (two
    recomputes seconds apart decay a little apart)."""

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, float) and isinstance(b, float):
            return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
        if isinstance(a, str) and isinstance(b, str) and a[:1] in "[{" and a != b:
            return same(json.loads(a), json.loads(b))  # score_contributions is JSON text
        return a == b

    found = []
    for key in sorted(first.keys() | second.keys()):
        one, other = first.get(key, {}), second.get(key, {})
        found += [
            (key, name, one.get(name), other.get(name))
            for name in sorted(one.keys() | other.keys())
            if not same(one.get(name), other.get(name))
        ]
    return found


def _scoring(document: dict) -> None:
    attribute = next(a for a in document["behavioral"]["attributes"] if a["event"] == "web_visit")
    attribute["choices"]["pricing"] = 4  # p2's visit at C is worth 4 points a visit, not 10


def _icp(document: dict) -> None:
    document["attributes"][0]["choices"]["retail"] = 9  # R and S fit better


def _committees(document: dict) -> None:
    default = next(t for t in document["templates"] if t["name"] == "default")
    next(r for r in default["roles"] if r["role"] == "CHAMPION")["weight"] = 0.5  # G's coverage grows


def _roles(document: dict) -> None:
    document["propagation_weights"]["CHAMPION"] = 2.0  # p1 at G weighs more


def _routing(document: dict) -> None:
    document["stages"]["AWARE"] = [{"input": "windowed_engagement", "above": 1000}]  # nobody is aware any more


CHANGES: dict[str, Callable[[dict], None]] = {
    "scoring": _scoring,
    "icp": _icp,
    "committees": _committees,
    "roles": _roles,
    "routing": _routing,
}


@pytest.fixture
async def hand_graph(empty_db):
    await load_hand_graph(empty_db)
    await recompute_graph(empty_db)
    return empty_db


async def versions(db, kind: str) -> list[dict]:
    return (await data_of(db, VERSIONS, kind=kind))["documents"]


async def test_a_fresh_database_lists_each_shipped_default_as_version_1_with_its_body(empty_db):
    for kind in DocumentKind:
        listed = await versions(empty_db, str(kind))
        assert [(v["kind"], v["version"], v["active"]) for v in listed] == [(str(kind), 1, True)], kind
        assert listed[0]["document"] == default_document(kind).model_dump(mode="json"), kind
        assert listed[0]["savedAt"]
    # Listed once, recorded once: the second look shows the same single version.
    assert await versions(empty_db, "scoring") == await versions(empty_db, "scoring")


@pytest.mark.parametrize("kind", sorted(CHANGES))
async def test_setting_a_document_puts_it_in_force_and_stores_what_a_full_recompute_gives(hand_graph, embedded, kind):
    db = hand_graph
    before = await stored_figures(embedded)
    [in_force] = [v for v in await versions(db, kind) if v["active"]]
    document = copy.deepcopy(in_force["document"])
    del document["version"]  # the next number is given
    CHANGES[kind](document)

    saved = (await data_of(db, SET, kind=kind, document=document))["setDocument"]

    assert saved["version"] == in_force["version"] + 1 and saved["active"] is True
    assert saved["document"]["version"] == saved["version"]
    listed = await versions(db, kind)
    assert [(v["version"], v["active"]) for v in listed][:2] == [(saved["version"], True), (in_force["version"], False)]
    after = await stored_figures(embedded)
    assert differences(after, before), f"changing the {kind} document changed no stored figure"
    await recompute_graph(db)
    assert differences(after, await stored_figures(embedded)) == []


async def test_activating_an_older_version_rolls_back_and_the_figures_follow(hand_graph, embedded):
    db = hand_graph
    before = await stored_figures(embedded)
    routing = copy.deepcopy(default_document("routing").model_dump(mode="json"))
    del routing["version"]
    _routing(routing)
    assert (await data_of(db, SET, kind="routing", document=routing))["setDocument"]["version"] == 2
    changed = await stored_figures(embedded)
    assert differences(changed, before)

    back = (await data_of(db, ACTIVATE, kind="routing", version=1))["activateDocument"]

    assert (back["version"], back["active"]) == (1, True)
    assert back["document"] == default_document("routing").model_dump(mode="json")
    assert [(v["version"], v["active"]) for v in await versions(db, "routing")] == [(2, False), (1, True)]
    rolled_back = await stored_figures(embedded)
    assert differences(rolled_back, before) == []
    await recompute_graph(db)
    assert differences(rolled_back, await stored_figures(embedded)) == []

    forward = (await data_of(db, ACTIVATE, kind="routing", version=2))["activateDocument"]
    assert (forward["version"], forward["active"]) == (2, True)
    assert differences(await stored_figures(embedded), changed) == []


async def test_an_invalid_document_lists_every_violation_and_the_one_in_force_stays(hand_graph, embedded):
    db = hand_graph
    before = await stored_figures(embedded)
    listed = await versions(db, "committees")
    broken = copy.deepcopy(listed[0]["document"])
    broken["templates"][0]["name"] = "everyone"  # no template named default any more
    broken["templates"][1]["roles"][0]["weight"] = "heavy"
    broken["templates"][2]["segment"] = {"employees": ["500-100"]}

    result = await execute(db, SET, kind="committees", document=broken)

    assert codes(result) == ["DOCUMENT_INVALID"] and result.data is None
    violations = {(v["path"], v["message"]) for v in result.errors[0].extensions["violations"]}
    assert {path for path, _ in violations} == {
        "templates",
        "templates[1].roles[0].weight",
        'templates[2].segment.employees["500-100"]',
    }, violations
    assert await versions(db, "committees") == listed
    assert differences(await stored_figures(embedded), before) == []


async def test_unknown_kinds_and_versions_are_refused_by_name(hand_graph):
    db = hand_graph
    for text, variables in [
        (VERSIONS, {"kind": "pricing"}),
        (SET, {"kind": "pricing", "document": {"version": 2}}),
        (ACTIVATE, {"kind": "pricing", "version": 1}),
    ]:
        result = await execute(db, text, **variables)
        assert codes(result) == ["INVALID_INPUT"]
        assert result.errors[0].message == (
            "unknown document kind 'pricing'; the kinds are scoring, icp, committees, roles, routing"
        )
    result = await execute(db, ACTIVATE, kind="scoring", version=7)
    assert codes(result) == ["NOT_FOUND"]
    assert result.errors[0].message == "no scoring document version 7; the versions are 101, 1"


async def test_a_version_number_taken_by_another_body_is_refused(hand_graph):
    db = hand_graph
    document = {**default_document("routing").model_dump(mode="json"), "escalation_depth": 5}
    result = await execute(db, SET, kind="routing", document=document)  # version 1 is the shipped default
    assert codes(result) == ["INVALID_INPUT"]
    assert result.errors[0].message == "routing version 1 already exists with other content; raise the version"
    assert [(v["version"], v["active"]) for v in await versions(db, "routing")] == [(1, True)]


@pytest.mark.parametrize(
    "caller", [STRATEGIST, REP_ANN, INTEGRATION, None], ids=["strategist", "rep", "integration", "none"]
)
async def test_only_admins_read_and_change_documents(empty_db, caller):
    for text, variables in [
        (VERSIONS, {"kind": "scoring"}),
        (SET, {"kind": "routing", "document": {"version": 2}}),
        (ACTIVATE, {"kind": "scoring", "version": 1}),
    ]:
        result = await execute(empty_db, text, caller, **variables)
        assert codes(result) == ["FORBIDDEN"] and result.data is None
        assert result.errors[0].message == "this API key may not read or change configuration documents"
    assert codes(await execute(empty_db, VERSIONS, ADMIN, kind="scoring")) == []


async def test_between_a_roll_back_and_its_recompute_reads_do_not_serve_figures_of_the_other_version(hand_graph):
    # Stored scores are trusted when scored after the documents in force came into force: a version
    # saved long ago and put back in force must count from its activation, not its saving.
    db = hand_graph
    query = '{ account(id: "C") { score { engagement total } } contact(id: "p2") { score { total } } }'

    async def scores() -> list[float]:
        data = await data_of(db, query)
        return [
            data["account"]["score"]["engagement"],
            data["account"]["score"]["total"],
            data["contact"]["score"]["total"],
        ]

    first = await scores()
    model = copy.deepcopy((await versions(db, "scoring"))[0]["document"])
    del model["version"]
    _scoring(model)
    await data_of(db, SET, kind="scoring", document=model)
    assert await scores() != pytest.approx(first, rel=1e-3)

    await db.write("documents/activate_version", id="scoring:101")  # in force, not yet recomputed

    during = await scores()
    await recompute_graph(db)
    assert during == pytest.approx(await scores(), rel=1e-6)
    assert during == pytest.approx(first, rel=1e-6)


async def test_a_version_beyond_a_graphql_int_is_refused_by_path(hand_graph):
    # The answer's version is an Int: a larger one was stored, then failed the answer as INTERNAL.
    document = {**default_document("routing").model_dump(mode="json"), "version": 2**31}
    result = await execute(hand_graph, SET, kind="routing", document=document)
    assert codes(result) == ["DOCUMENT_INVALID"]
    assert result.errors[0].extensions["violations"] == [
        {"path": "version", "message": "Input should be less than or equal to 2147483647"}
    ]
    assert [(v["version"], v["active"]) for v in await versions(hand_graph, "routing")] == [(1, True)]


async def test_set_scoring_model_is_set_document_for_scoring(hand_graph):
    model = copy.deepcopy((await versions(hand_graph, "scoring"))[0]["document"])
    del model["version"]
    _scoring(model)
    answer = (await data_of(hand_graph, "mutation($m: JSON!) { setScoringModel(model: $m) }", m=model))[
        "setScoringModel"
    ]
    assert answer == {**model, "version": 102}
    assert [(v["version"], v["active"]) for v in await versions(hand_graph, "scoring")] == [
        (102, True),
        (101, False),
        (1, False),
    ]
