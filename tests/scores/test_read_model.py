"""The engagement read model against the live computation, after each kind of write, on the hand graph.

Hand graph (tests/hand_graph.py): G under C under R, S under R; contacts p1 in G, p2 in C, p3 in R,
p4 in S. "Served" means the read model answered for the account; either way the answer must
equal the live computation from the engagements.
"""

from datetime import UTC, datetime, timedelta

import pytest
from hand_graph import AS_OF, SCORING_MODEL, at, load_hand_graph

from graphsvc.scorecards.account import account_scorecards
from graphsvc.scores.current import account_coverages
from graphsvc.scores.documents import documents_in_force, save_document
from graphsvc.scores.read_model import read_account_windows
from graphsvc.scores.recompute import recompute_graph
from graphsvc.scores.subtrees import subtree_scores

pytestmark = pytest.mark.db

ACCOUNTS = ["R", "C", "G", "S"]
MOMENTS = [AS_OF + timedelta(days=days) for days in (-100, -60, -30, -29.9, -1, 0, 1, 50)]


async def served(db) -> dict[str, bool]:
    """Per account, whether the read model can answer for it (at AS_OF; the moment does not matter)."""
    documents = await documents_in_force(db)
    found = await read_account_windows(db, ACCOUNTS, documents, AS_OF, 90)
    return {account_id: found[account_id] is not None for account_id in ACCOUNTS}


def assert_same_scorecards(served_cards, live_cards) -> None:
    assert served_cards.keys() == live_cards.keys()
    for account_id, card in served_cards.items():
        expected = live_cards[account_id].as_dict()
        for name, value in card.as_dict().items():
            if isinstance(value, float):
                assert value == pytest.approx(expected[name], rel=1e-9, abs=1e-9), (account_id, name)
            else:
                assert value == expected[name], (account_id, name)


async def assert_equals_live(db, moments=MOMENTS, windows=(1, 30, 90)) -> None:
    documents = await documents_in_force(db)
    for moment in [*moments, datetime.now(UTC)]:
        for window in windows:
            cards = await account_scorecards(db, ACCOUNTS, window, moment, documents=documents)
            live = await account_scorecards(db, ACCOUNTS, window, moment, documents=documents, live=True)
            assert_same_scorecards(cards, live)
            coverages = await account_coverages(db, ACCOUNTS, documents, moment, window_days=window)
            exact = await subtree_scores(db, ACCOUNTS, moment, window_days=window, documents=documents)
            for account_id in ACCOUNTS:
                assert coverages[account_id] == exact.committee_coverage(account_id), (account_id, moment, window)


async def test_never_recomputed_is_read_live_then_served_after_a_recompute(empty_db):
    await load_hand_graph(empty_db)
    assert not any((await served(empty_db)).values())
    await assert_equals_live(empty_db, windows=(30,))
    await recompute_graph(empty_db, AS_OF)
    assert all((await served(empty_db)).values())
    await assert_equals_live(empty_db)


async def test_imported_engagements_are_served_at_once(empty_db):
    importer = await load_hand_graph(empty_db)
    await recompute_graph(empty_db, AS_OF)
    rows = [
        {"id": "n1", "person_id": "p1", "type": "demo_request", "occurred_at": at(1)},
        {"id": "n2", "person_id": "p3", "type": "unsubscribe", "occurred_at": at(2)},
        {"id": "n3", "person_id": "p4", "type": "web_visit", "detail": "pricing", "occurred_at": at(-3)},  # future
        {"id": "n4", "person_id": "p4", "type": "web_visit", "detail": "pricing", "occurred_at": at(29.5)},
    ]
    assert (await importer.import_rows("engagements", enumerate(rows, start=1))).errors == []
    assert all((await served(empty_db)).values())
    await assert_equals_live(empty_db)
    # The same rows again change nothing; a changed one makes its accounts stale, still exact.
    assert (await importer.import_rows("engagements", enumerate(rows, start=1))).errors == []
    assert all((await served(empty_db)).values())
    changed = [{**rows[0], "type": "web_visit", "detail": "careers"}]
    assert (await importer.import_rows("engagements", enumerate(changed, start=1))).errors == []
    assert await served(empty_db) == {"R": False, "C": False, "G": False, "S": True}  # G, and C and R above it
    await assert_equals_live(empty_db)
    await recompute_graph(empty_db, AS_OF)
    assert all((await served(empty_db)).values())
    await assert_equals_live(empty_db)


async def test_a_new_buying_role_is_served_with_its_new_weight(empty_db):
    await load_hand_graph(empty_db)
    await recompute_graph(empty_db, AS_OF)
    before = (await account_scorecards(empty_db, ["C"], 90, AS_OF))["C"]
    await empty_db.write("api/set_buying_role", id="p2", role="DECISION_MAKER")
    assert all((await served(empty_db)).values())
    after = (await account_scorecards(empty_db, ["C"], 90, AS_OF))["C"]
    assert after.engagement_level == pytest.approx(1.5 * before.engagement_level)
    await assert_equals_live(empty_db)


async def test_a_moved_contact_makes_both_accounts_stale_until_a_recompute(empty_db):
    importer = await load_hand_graph(empty_db)
    await recompute_graph(empty_db, AS_OF)
    moved = [{"id": "p1", "account_id": "S", "roles": "CHAMPION", "seniority": "vp"}]
    assert (await importer.import_rows("contacts", enumerate(moved, start=1))).errors == []
    # G lost p1's engagements, S gained them; C and R hold G in their subtrees.
    assert await served(empty_db) == {"R": False, "C": False, "G": False, "S": False}
    await assert_equals_live(empty_db)
    await recompute_graph(empty_db, AS_OF)
    assert all((await served(empty_db)).values())
    await assert_equals_live(empty_db)


async def test_a_new_scoring_model_is_read_live_until_a_recompute(empty_db):
    await load_hand_graph(empty_db)
    await recompute_graph(empty_db, AS_OF)
    await save_document(empty_db, "scoring", {**SCORING_MODEL, "version": 202, "decay_half_life_days": 10})
    assert not any((await served(empty_db)).values())
    await assert_equals_live(empty_db)
    await recompute_graph(empty_db, AS_OF)
    assert all((await served(empty_db)).values())
    await assert_equals_live(empty_db)


async def test_an_import_started_before_a_new_model_appends_points_of_the_model_in_force(empty_db):
    importer = await load_hand_graph(empty_db)  # its documents are read: the first model
    visits = {"event": "web_visit", "weight": 100, "choices": {"pricing": 4, "*": 2}}
    behavioral = {**SCORING_MODEL["behavioral"], "attributes": [visits]}
    await save_document(empty_db, "scoring", {**SCORING_MODEL, "version": 203, "behavioral": behavioral})
    await recompute_graph(empty_db, AS_OF)
    rows = [{"id": "n1", "person_id": "p1", "type": "web_visit", "detail": "pricing", "occurred_at": at(1)}]
    assert (await importer.import_rows("engagements", enumerate(rows, start=1))).errors == []
    await assert_equals_live(empty_db)


async def test_a_recompute_rewrites_accounts_whose_buckets_changed_since_the_last_one(empty_db):
    importer = await load_hand_graph(empty_db)
    await recompute_graph(empty_db, AS_OF)
    # Appended to G, then moved to p4 at S: G's true buckets are again those of the recompute.
    rows = [{"id": "n1", "person_id": "p1", "type": "demo_request", "occurred_at": at(1)}]
    assert (await importer.import_rows("engagements", enumerate(rows, start=1))).errors == []
    moved = [{**rows[0], "person_id": "p4"}]
    assert (await importer.import_rows("engagements", enumerate(moved, start=1))).errors == []
    await recompute_graph(empty_db, AS_OF)
    assert all((await served(empty_db)).values())
    await assert_equals_live(empty_db)
