"""Scores now from the stored sums, and coverage from the account's own contacts, against the
exact subtree path at the same moment, on the hand graph of tests/hand_graph.py."""

from datetime import UTC, datetime, timedelta

import pytest
from hand_graph import AS_OF, SCORING_MODEL, load_hand_graph

from graphsvc.scores.current import account_coverages, current_account_scores
from graphsvc.scores.documents import documents_in_force, save_document
from graphsvc.scores.recompute import recompute_graph
from graphsvc.scores.structure import rescore_trees
from graphsvc.scores.subtrees import subtree_scores

pytestmark = pytest.mark.db

ACCOUNTS = ["R", "C", "G", "S"]
# The subtree path reads engagement times in whole milliseconds, the importer adds their points
# with microseconds (and takes a replaced one back with milliseconds): one millisecond of decay at
# a 30-day half-life is 2.7e-10 of the points.
CLOSE = {"rel": 1e-8, "abs": 1e-7}


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


async def assert_stored_equals_subtree(db) -> None:
    documents = await documents_in_force(db)
    now = datetime.now(UTC)
    stored = await current_account_scores(db, [*ACCOUNTS, "nobody"], documents, now)
    exact = await subtree_scores(db, ACCOUNTS, now, documents=documents)
    assert set(stored) == set(ACCOUNTS)
    for account_id in ACCOUNTS:
        score, expected = stored[account_id], exact.score(account_id)
        assert score is not None, account_id
        assert score.engagement == pytest.approx(expected.engagement, **CLOSE), account_id
        assert score.rolled_up == pytest.approx(expected.rolled_up, **CLOSE), account_id
        assert score.fit == pytest.approx(expected.fit), account_id
        assert score.total == pytest.approx(expected.total, **CLOSE), account_id


async def test_stored_scores_equal_the_subtree_after_a_recompute_and_after_imports(empty_db):
    importer = await load_hand_graph(empty_db)
    await recompute_graph(empty_db)
    await assert_stored_equals_subtree(empty_db)

    # New engagements arrive through the importer only: positive, negative, at every level.
    rows = [
        {"id": "n1", "person_id": "p1", "type": "demo_request", "occurred_at": ago(1)},
        {"id": "n2", "person_id": "p3", "type": "unsubscribe", "occurred_at": ago(2)},
        {"id": "n3", "person_id": "p4", "type": "web_visit", "detail": "pricing", "occurred_at": ago(0.01)},
    ]
    report = await importer.import_rows("engagements", enumerate(rows, start=1))
    assert report.errors == []
    await assert_stored_equals_subtree(empty_db)
    # The import moved the sums: R(G) now holds the new demo request (1.3 × 24, one day old).
    stored = await current_account_scores(empty_db, ["G"], await documents_in_force(empty_db))
    assert stored["G"].rolled_up > 1.3 * 24 * 0.5 ** (1 / 30) * 0.99

    # An engagement imported again with other values takes its old contribution back.
    again = [{**rows[0], "type": "web_visit", "detail": "careers"}]
    assert (await importer.import_rows("engagements", enumerate(again, start=1))).errors == []
    await assert_stored_equals_subtree(empty_db)


async def test_sums_never_recomputed_or_older_than_the_model_are_not_served(empty_db):
    await load_hand_graph(empty_db)
    documents = await documents_in_force(empty_db)
    assert await current_account_scores(empty_db, ACCOUNTS, documents) == dict.fromkeys(ACCOUNTS)

    await recompute_graph(empty_db)
    assert None not in (await current_account_scores(empty_db, ACCOUNTS, documents)).values()

    await save_document(empty_db, "scoring", {**SCORING_MODEL, "version": 202, "decay_half_life_days": 10})
    documents = await documents_in_force(empty_db)
    assert await current_account_scores(empty_db, ACCOUNTS, documents) == dict.fromkeys(ACCOUNTS)
    await recompute_graph(empty_db)
    await assert_stored_equals_subtree(empty_db)


async def test_rescoring_a_tree_follows_a_new_buying_role(empty_db):
    await load_hand_graph(empty_db)
    await recompute_graph(empty_db)
    # p2 at C had no role (weight 1.0); as DECISION_MAKER it weighs 1.5 in E(C), R(C) and R(R).
    await empty_db.write("api/set_buying_role", id="p2", role="DECISION_MAKER")
    documents = await documents_in_force(empty_db)
    before = await current_account_scores(empty_db, ["C"], documents)
    exact = (await subtree_scores(empty_db, ["C"], datetime.now(UTC), documents=documents)).score("C")
    assert before["C"].engagement == pytest.approx(exact.engagement / 1.5)  # stale until rescored

    async def rescore(*ids: str) -> list[str]:
        return await empty_db.transaction("rescore", lambda tx: rescore_trees(tx, ids, documents))

    assert sorted(await rescore("G")) == sorted(ACCOUNTS)  # the whole tree of G, from its top R
    await assert_stored_equals_subtree(empty_db)
    assert await rescore("nobody") == []


@pytest.mark.parametrize(
    ("moment", "window", "template"),
    [(None, 90, None), (AS_OF, 90, None), (AS_OF, 20, None), (AS_OF, 45, "default"), (AS_OF, 1, None)],
)
async def test_coverage_from_own_contacts_equals_the_subtree(empty_db, moment, window, template):
    importer = await load_hand_graph(empty_db)
    # More contacts at G: an engaged one without a role, a second CHAMPION never engaged, and a
    # DECISION_MAKER whose only engagement is negative (so not engaged); a lead never counts.
    rows = {
        "contacts": [
            {"id": "p5", "account_id": "G"},
            {"id": "p6", "account_id": "G", "roles": "CHAMPION"},
            {"id": "p7", "account_id": "G", "roles": "DECISION_MAKER"},
        ],
        "engagements": [
            {"id": "e5", "person_id": "p5", "type": "web_visit", "detail": "blog", "occurred_at": AS_OF.isoformat()},
            {"id": "e7", "person_id": "p7", "type": "unsubscribe", "occurred_at": AS_OF.isoformat()},
        ],
    }
    for kind, items in rows.items():
        assert (await importer.import_rows(kind, enumerate(items, start=1))).errors == []
    documents = await documents_in_force(empty_db)
    as_of = moment or datetime.now(UTC)
    found = await account_coverages(empty_db, ACCOUNTS, documents, as_of, window_days=window, template=template)
    exact = await subtree_scores(empty_db, ACCOUNTS, as_of, window_days=window, template=template, documents=documents)
    assert set(found) == set(ACCOUNTS)
    for account_id in ACCOUNTS:
        assert found[account_id] == exact.committee_coverage(account_id), account_id
    if (moment, window) == (AS_OF, 90):  # hand-checked: p1 and p5 engaged, CHAMPION engaged
        g = found["G"]
        assert (g.coverage, g.engaged_coverage, g.engaged_contacts) == (pytest.approx(0.45), pytest.approx(0.2), 2)
