"""Property: after any sequence of writes, the read model answers exactly as the live computation.

Each example builds a small graph (a tree A ← B ← C and a lone D; contacts at each, leads matched
by domain and one unmatched), recomputes, then applies a random sequence of writes: new
engagements (past, at the moment, in the future), engagements imported again (same or changed
values), buying roles set by hand, contacts moved between accounts, a new scoring model, a
recompute at some moment. After every write, scorecards and coverage of every account at a random
moment ("now" moving along the engagements) and window equal the live computation from the
engagements (:func:`graphsvc.scorecards.account.account_scorecards` with ``live=True`` and the
subtree fast path); so do the strategist's figures read from stored values: every account's target
recommendation (surge from the read model's own windowed engagement) and the program scorecard
(engaged people from the stored last positive engagement), each against its ``live=True``.
"""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from test_read_model import assert_same_scorecards

from graphsvc.ingest.importer import Importer
from graphsvc.scorecards.account import account_scorecards
from graphsvc.scorecards.program import program_scorecard, read_target_figures
from graphsvc.scorecards.targets import target_recommendations
from graphsvc.scores.current import account_coverages
from graphsvc.scores.documents import documents_in_force, save_document
from graphsvc.scores.read_model import read_account_windows, read_own_levels
from graphsvc.scores.recompute import recompute_graph
from graphsvc.scores.subtrees import subtree_scores

pytestmark = pytest.mark.db

BASE = datetime(2026, 11, 1, tzinfo=UTC)
ACCOUNTS = ["A", "B", "C", "D"]
CONTACTS = ["c1", "c2", "c3", "c4"]
PERSONS = [*CONTACTS, "l1", "l2", "l3"]
ROLES = ["CHAMPION", "ECONOMIC_BUYER", "DECISION_MAKER", "END_USER", "BLOCKER"]
KINDS = [("demo_request", None), ("web_visit", "pricing"), ("web_visit", "careers"), ("unsubscribe", None)]

SCORING_MODEL = {
    "version": 301,
    "thresholds": {"mql": 100, "abm": 50},
    "decay_half_life_days": 30,
    "demographic": {"weight": 40, "attributes": [{"field": "seniority", "weight": 100, "choices": {"vp": 10}}]},
    "behavioral": {
        "weight": 60,
        "attributes": [
            {"event": "demo_request", "weight": 40, "choices": {"*": 10}},
            {"event": "web_visit", "weight": 30, "choices": {"pricing": 10, "careers": -5, "*": 2}},
            {"event": "unsubscribe", "weight": 30, "choices": {"*": -10}},
        ],
    },
}

GRAPH = {
    "accounts": [
        {"id": "A", "name": "Alpha", "domain": "alpha.example", "industry": "software", "is_target": True},
        {"id": "B", "name": "Beta", "domain": "beta.example", "parent_id": "A"},
        {"id": "C", "name": "Gamma", "domain": "gamma.example", "parent_id": "B"},
        {"id": "D", "name": "Delta", "domain": "delta.example", "is_target": True},
    ],
    "contacts": [
        {"id": "c1", "account_id": "A", "roles": "CHAMPION"},
        {"id": "c2", "account_id": "B"},
        {"id": "c3", "account_id": "C", "roles": "ECONOMIC_BUYER"},
        {"id": "c4", "account_id": "D"},
    ],
    "leads": [
        {"id": "l1", "email": "ann@alpha.example"},
        {"id": "l2", "email": "bob@delta.example"},
        {"id": "l3", "email": "cy@gmail.com"},
    ],
}

# Days from BASE: engagements between 200 days before and 10 after; moments a bit wider.
days = st.floats(min_value=-200, max_value=10, allow_nan=False).map(lambda d: round(d, 3))
engagement = st.tuples(st.sampled_from(PERSONS), st.sampled_from(KINDS), days)

write = st.one_of(
    st.tuples(st.just("engage"), st.lists(engagement, min_size=1, max_size=4)),
    st.tuples(st.just("again"), st.integers(min_value=0), st.booleans(), engagement),
    st.tuples(st.just("role"), st.sampled_from(CONTACTS), st.sampled_from(ROLES)),
    st.tuples(st.just("move"), st.sampled_from(CONTACTS), st.sampled_from(ACCOUNTS)),
    st.tuples(st.just("model"), st.sampled_from([10, 30, 45])),
    st.tuples(st.just("recompute"), days),
)


def _row(engagement_id: str, item: tuple) -> dict:
    person, (kind, detail), offset = item
    row = {"id": engagement_id, "person_id": person, "type": kind, "occurred_at": (BASE + timedelta(days=offset))}
    row["occurred_at"] = row["occurred_at"].isoformat()
    return row if detail is None else {**row, "detail": detail}


async def _import(importer: Importer, kind: str, rows: list[dict]) -> None:
    report = await importer.import_rows(kind, enumerate(rows, start=1))
    assert report.errors == [], report.errors


async def _apply(db, importer: Importer, step: tuple, engagements: list[dict]) -> None:
    action = step[0]
    if action == "engage":
        rows = [_row(f"e{len(engagements) + i}", item) for i, item in enumerate(step[1])]
        await _import(importer, "engagements", rows)
        engagements.extend(rows)
    elif action == "again":
        _, index, changed, item = step
        old = engagements[index % len(engagements)]
        row = _row(old["id"], item) if changed else old
        await _import(importer, "engagements", [row])
        engagements[index % len(engagements)] = row
    elif action == "role":
        await db.write("api/set_buying_role", id=step[1], role=step[2])
    elif action == "move":
        await _import(importer, "contacts", [{"id": step[1], "account_id": step[2]}])
    elif action == "model":
        await save_document(db, "scoring", {**SCORING_MODEL, "version": 302 + step[1], "decay_half_life_days": step[1]})
    else:
        await recompute_graph(db, BASE + timedelta(days=step[1]))


async def _assert_equals_live(db, moment: datetime, window: int) -> None:
    documents = await documents_in_force(db)
    found = await read_account_windows(db, ACCOUNTS, documents, moment, window)
    event(f"accounts the read model served: {sum(windows is not None for windows in found.values())} of 4")
    cards = await account_scorecards(db, ACCOUNTS, window, moment, documents=documents)
    live = await account_scorecards(db, ACCOUNTS, window, moment, documents=documents, live=True)
    assert_same_scorecards(cards, live)
    coverages = await account_coverages(db, ACCOUNTS, documents, moment, window_days=window)
    exact = await subtree_scores(db, ACCOUNTS, moment, window_days=window, documents=documents)
    for account_id in ACCOUNTS:
        assert coverages[account_id] == exact.committee_coverage(account_id), account_id
    await _assert_strategist_equals_live(db, documents, moment, window)


async def _assert_strategist_equals_live(db, documents, moment: datetime, window: int) -> None:
    levels = await read_own_levels(db, documents, moment, window)
    event(f"accounts whose surge the read model served: {sum(found is not None for found in levels.values())} of 4")
    ranked = await target_recommendations(db, first=None, window_days=window, as_of=moment)
    live = await target_recommendations(db, first=None, window_days=window, as_of=moment, live=True)
    assert [r.account_id for r in ranked] == [r.account_id for r in live]
    for found, expected in zip(ranked, live, strict=True):
        assert (found.tier, found.reasons) == (expected.tier, expected.reasons), found.account_id
        for name in ("priority", "fit", "lookalike", "surge"):
            assert getattr(found, name) == pytest.approx(getattr(expected, name), rel=1e-9, abs=1e-9), name
    _, _, rest = await read_target_figures(db, documents, moment, window)
    event(f"targets the stored figures served: {2 - len(rest)} of 2")
    program = await program_scorecard(db, window, moment)
    expected = await program_scorecard(db, window, moment, live=True)
    assert program.keys() == expected.keys()
    for part in program:
        if part == "abm":
            for name, value in expected["abm"].items():
                found = program["abm"][name]
                if isinstance(value, float):
                    assert found == pytest.approx(value, rel=1e-9, abs=1e-9), name
                else:
                    assert found == value, name
        else:
            assert program[part] == expected[part], part


@settings(
    max_examples=200,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    initial=st.lists(engagement, min_size=1, max_size=8),
    steps=st.lists(write, min_size=1, max_size=6),
    data=st.data(),
)
async def test_the_read_model_equals_the_live_computation_after_any_writes(db, initial, steps, data):
    await db.write("admin/delete_all")
    await save_document(db, "scoring", SCORING_MODEL)
    importer = Importer(db)
    for kind, rows in GRAPH.items():
        await _import(importer, kind, rows)
    engagements = [_row(f"e{i}", item) for i, item in enumerate(initial)]
    await _import(importer, "engagements", engagements)
    await recompute_graph(db, BASE)
    for step in steps:
        await _apply(db, importer, step, engagements)
        moment = BASE + timedelta(days=data.draw(st.floats(min_value=-120, max_value=200), label="moment"))
        await _assert_equals_live(db, moment, data.draw(st.sampled_from([1, 30, 90]), label="window"))
