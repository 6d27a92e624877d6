"""Bad scoring models (SPEC §3): each rule broken is refused with its path, and the model in force keeps scoring.

Every case goes through both doors: ``save_document`` (what the CLI and recompute use) and the
``setScoringModel`` mutation. After each refusal the model in force is still the last valid one,
and a lead's score computed through the API is exactly what it was.
"""

import copy
import math
from collections.abc import Callable
from typing import Any

import pytest
from reliability_support import ADMIN, codes, data_of, execute, import_rows, load_sales_graph

from graphsvc.documents import DocumentInvalid, default_document
from graphsvc.errors import InvalidInput
from graphsvc.scores.documents import documents_in_force, save_document

pytestmark = pytest.mark.db

SET_MODEL = "mutation($model: JSON!) { setScoringModel(model: $model) }"
SCORE = '{ lead(id: "l-sam") { score(asOf: "2026-11-01T00:00:00Z") { demographic behavioral total } } }'

Model = dict[str, Any]


def _valid(version: int) -> Model:
    model = default_document("scoring").model_dump(mode="json")
    model["version"] = version
    return model


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Model], Model]:
    def change(model: Model) -> Model:
        target = model
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return model

    return change


def _drop(path: tuple[Any, ...]) -> Callable[[Model], Model]:
    def change(model: Model) -> Model:
        target = model
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]
        return model

    return change


def _both(*changes: Callable[[Model], Model]) -> Callable[[Model], Model]:
    def change(model: Model) -> Model:
        for each in changes:
            model = each(model)
        return model

    return change


def _duplicate_first_event(model: Model) -> Model:
    model["behavioral"]["attributes"].append(copy.deepcopy(model["behavioral"]["attributes"][0]))
    return model


# One case per rule of SPEC §3 (and of the document's shape): the change and the path it must name.
VIOLATIONS: dict[str, tuple[Callable[[Model], Model], str]] = {
    "demographic weight above 50": (
        _both(_set(("demographic", "weight"), 60.0), _set(("behavioral", "weight"), 40.0)),
        "demographic.weight",
    ),
    "demographic weight zero": (
        _both(_set(("demographic", "weight"), 0), _set(("behavioral", "weight"), 100.0)),
        "demographic.weight",
    ),
    "section weights not totalling 100": (_set(("behavioral", "weight"), 70.0), "behavioral.weight"),
    "section weight as text": (_set(("demographic", "weight"), "40"), "demographic.weight"),
    "demographic attribute weights not totalling 100": (
        _set(("demographic", "attributes", 0, "weight"), 10.0),
        "demographic.attributes",
    ),
    "behavioral attribute weights not totalling 100": (
        _set(("behavioral", "attributes", 0, "weight"), 30.0),
        "behavioral.attributes",
    ),
    "negative attribute weight": (
        _set(("demographic", "attributes", 0, "weight"), -10.0),
        "demographic.attributes[0].weight",
    ),
    "priority above 10": (
        _set(("behavioral", "attributes", 0, "choices", "*"), 11),
        'behavioral.attributes[0].choices["*"]',
    ),
    "priority below -10": (
        _set(("demographic", "attributes", 0, "choices", "vp"), -11),
        "demographic.attributes[0].choices.vp",
    ),
    "fractional priority": (
        _set(("demographic", "attributes", 0, "choices", "vp"), 5.5),
        "demographic.attributes[0].choices.vp",
    ),
    "priority as text": (
        _set(("demographic", "attributes", 0, "choices", "vp"), "8"),
        "demographic.attributes[0].choices.vp",
    ),
    "no choices": (_set(("behavioral", "attributes", 0, "choices"), {}), "behavioral.attributes[0].choices"),
    "choices not a mapping": (
        _set(("demographic", "attributes", 0, "choices"), ["vp"]),
        "demographic.attributes[0].choices",
    ),
    "choice keys equal ignoring case": (
        _set(("behavioral", "attributes", 2, "choices", "PRICING"), 3),
        "behavioral.attributes[2].choices.PRICING",
    ),
    "demographic attribute without a field": (
        _drop(("demographic", "attributes", 0, "field")),
        "demographic.attributes[0].field",
    ),
    "blank field name": (_set(("demographic", "attributes", 0, "field"), "  "), "demographic.attributes[0].field"),
    "behavioral attribute without an event": (
        _drop(("behavioral", "attributes", 0, "event")),
        "behavioral.attributes[0].event",
    ),
    "the same event twice": (_duplicate_first_event, "behavioral.attributes[10].event"),
    "no attributes": (_set(("behavioral", "attributes"), []), "behavioral.attributes"),
    "missing section": (_drop(("behavioral",)), "behavioral"),
    "negative MQL threshold": (_set(("thresholds", "mql"), -1.0), "thresholds.mql"),
    "NaN ABM threshold": (_set(("thresholds", "abm"), math.nan), "thresholds.abm"),
    "zero half-life": (_set(("decay_half_life_days",), 0), "decay_half_life_days"),
    "unknown key": (_set(("colour",), "red"), "colour"),
    "version zero": (_set(("version",), 0), "version"),
    "version as text": (_set(("version",), "3"), "version"),
    # (A document without version is given the next one by setScoringModel and setDocument.)
    "null version": (_set(("version",), None), "version"),
    "not an object": (lambda model: [model], ""),
    "YAML text instead of an object": (lambda model: "version: 3\ndemographic: {}", ""),
}


@pytest.fixture(scope="module", autouse=True)
async def graph_with_model_v2(db, embedded):
    await load_sales_graph(db, embedded)
    engagement = {"id": "e-sam", "person_id": "l-sam", "type": "demo_request", "occurred_at": "2026-10-20T00:00:00Z"}
    await import_rows(db, {"engagements": [engagement]})
    model = _valid(2)
    model["thresholds"]["abm"] = 40.0
    await save_document(db, "scoring", model)


async def _in_force(db) -> tuple[int, dict[str, Any]]:
    scoring = (await documents_in_force(db)).scoring
    return scoring.version, await data_of(db, SCORE)


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
@pytest.mark.parametrize("door", ["save_document", "setScoringModel"])
async def test_a_broken_rule_is_refused_with_its_path_and_the_old_model_keeps_scoring(db, case, door):
    before = await _in_force(db)
    assert before[0] == 2 and before[1]["lead"]["score"]["behavioral"] > 0
    change, path = VIOLATIONS[case]
    broken = change(_valid(3))
    if door == "save_document":
        with pytest.raises(DocumentInvalid) as refused:
            await save_document(db, "scoring", broken)
        violations = refused.value.violations
    else:
        result = await execute(db, SET_MODEL, ADMIN, model=broken)
        assert result.data is None
        assert codes(result) == ["DOCUMENT_INVALID"], result.errors
        violations = [(v["path"], v["message"]) for v in result.errors[0].extensions["violations"]]
    assert path in [found for found, _ in violations], violations
    assert all(message for _, message in violations)
    assert await _in_force(db) == before


async def test_every_violation_of_one_model_is_listed_at_once(db):
    broken = _both(
        _set(("demographic", "weight"), 70.0),
        _set(("behavioral", "attributes", 0, "choices", "*"), 12),
        _drop(("demographic", "attributes", 1, "field")),
        _set(("thresholds", "mql"), -5),
    )(_valid(3))
    result = await execute(db, SET_MODEL, ADMIN, model=broken)
    paths = {violation["path"] for violation in result.errors[0].extensions["violations"]}
    assert {
        "demographic.weight",
        'behavioral.attributes[0].choices["*"]',
        "demographic.attributes[1].field",
        "thresholds.mql",
    } <= paths


async def test_a_version_beyond_64_bits_is_refused_with_its_path(db):
    before = await _in_force(db)
    result = await execute(db, SET_MODEL, ADMIN, model=_set(("version",), 10**30)(_valid(3)))
    assert codes(result) == ["DOCUMENT_INVALID"]
    assert [violation["path"] for violation in result.errors[0].extensions["violations"]] == ["version"]
    assert await _in_force(db) == before


async def test_any_integer_beyond_64_bits_is_invalid_input_at_the_store_not_an_internal_error(db):
    with pytest.raises(InvalidInput, match="integers must fit in 64 bits"):
        await db.read("documents/by_id", id=10**30)


@pytest.mark.parametrize(
    ("path", "where"),
    [(("thresholds", "mql"), "thresholds.mql"), (("decay_half_life_days",), "decay_half_life_days")],
)
async def test_infinite_numbers_are_refused(db, path, where):
    with pytest.raises(DocumentInvalid) as refused:
        await save_document(db, "scoring", _set(path, math.inf)(_valid(4)))
    assert [found for found, _ in refused.value.violations] == [where]


async def test_after_the_refusals_a_valid_model_still_takes_over(db):
    before = await _in_force(db)
    model = _valid(3)
    model["behavioral"]["attributes"][0]["choices"]["*"] = 5  # demo_request worth half as much
    assert (await data_of(db, SET_MODEL, ADMIN, model=model))["setScoringModel"]["version"] == 3
    version, score = await _in_force(db)
    assert version == 3
    assert score["lead"]["score"]["behavioral"] == pytest.approx(before[1]["lead"]["score"]["behavioral"] / 2)
