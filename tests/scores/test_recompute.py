"""Whole-graph recompute and incremental updates against the real database, checked by hand.

The graph and the numbers expected of it are worked out in tests/hand_graph.py.
"""

from datetime import timedelta

import pytest
from hand_graph import AS_OF, HALF_LIFE, at, load_hand_graph

from graphsvc.scores.recompute import decay_scale, recompute_graph

pytestmark = pytest.mark.db


async def _accounts(db) -> dict[str, dict]:
    rows = await db.read("accounts/by_ids", ids=["R", "C", "G", "S"])
    return {row["account"]["id"]: row["account"] for row in rows}


async def _persons(db) -> dict[str, dict]:
    rows = await db.read("scores/persons_written")
    return {row["person"]["id"]: row["person"] for row in rows}


async def test_recompute_writes_the_hand_computed_scores(empty_db):
    await load_hand_graph(empty_db)
    report = await recompute_graph(empty_db, AS_OF)
    assert (report.accounts, report.persons, report.engagements) == (4, 4, 3)

    accounts = await _accounts(empty_db)
    expected = {  # E, R, fit, total
        "G": (15.6, 15.6, 100.0, 57.8),
        "C": (18.0, 25.8, 100.0, 62.9),
        "R": (-3.375, 9.525, 50.0, 29.7625),
        "S": (0.0, 0.0, 50.0, 25.0),
    }
    for account_id, (own, rolled, fit, total) in expected.items():
        account = accounts[account_id]
        assert account["score_engagement"] == pytest.approx(own), account_id
        assert account["score_rolled_up"] == pytest.approx(rolled), account_id
        assert account["score_fit"] == pytest.approx(fit), account_id
        assert account["score_total"] == pytest.approx(total), account_id

    grandchild = accounts["G"]
    assert grandchild["score_coverage"] == pytest.approx(0.2)
    assert grandchild["score_engaged_coverage"] == pytest.approx(0.2)
    assert grandchild["score_engaged_contacts"] == 1
    assert grandchild["score_engaged_roles"] == ["CHAMPION"]

    persons = await _persons(empty_db)
    # p1: vp 40×50/100×8/10 = 16, software from its account 40×50/100×10/10 = 20; behavioral 12.
    assert persons["p1"]["score_demographic"] == pytest.approx(36.0)
    assert persons["p1"]["score_behavioral"] == pytest.approx(12.0)
    assert persons["p1"]["score_total"] == pytest.approx(48.0)
    assert persons["p3"]["score_behavioral"] == pytest.approx(-2.25)


async def test_one_new_engagement_changes_exactly_its_person_account_and_ancestors(empty_db):
    importer = await load_hand_graph(empty_db)
    await recompute_graph(empty_db, AS_OF)
    before_accounts, before_persons = await _accounts(empty_db), await _persons(empty_db)

    # p1 at G requests another demo 10 days before as_of: 24 × 0.5^(10/30) points at as_of.
    report = await importer.import_rows(
        "engagements", [(1, {"id": "e4", "person_id": "p1", "type": "demo_request", "occurred_at": at(10)})]
    )
    assert report.imported == 1
    after_accounts, after_persons = await _accounts(empty_db), await _persons(empty_db)

    scale = decay_scale(AS_OF, HALF_LIFE)
    added = 24 * 0.5 ** (10 / 30)

    def at_as_of(record: dict, field: str) -> float:
        return record[field] / scale

    changed_persons = {p for p in before_persons if before_persons[p] != after_persons[p]}
    assert changed_persons == {"p1"}
    assert at_as_of(after_persons["p1"], "score_decay_sum") == pytest.approx(12 + added)

    changed = {
        (a, f)
        for a in before_accounts
        for f in ("score_engagement_sum", "score_rolled_sum")
        if before_accounts[a][f] != after_accounts[a][f]
    }
    assert changed == {
        ("G", "score_engagement_sum"),
        ("G", "score_rolled_sum"),
        ("C", "score_rolled_sum"),
        ("R", "score_rolled_sum"),
    }
    assert at_as_of(after_accounts["G"], "score_engagement_sum") == pytest.approx(15.6 + 1.3 * added)
    assert at_as_of(after_accounts["C"], "score_rolled_sum") == pytest.approx(25.8 + 0.5 * 1.3 * added)
    assert at_as_of(after_accounts["R"], "score_rolled_sum") == pytest.approx(9.525 + 0.25 * 1.3 * added)

    # The incremental sums are what a full recompute computes.
    await recompute_graph(empty_db, AS_OF)
    recomputed = await _accounts(empty_db)
    for account_id in before_accounts:
        for field in ("score_engagement_sum", "score_rolled_sum"):
            assert recomputed[account_id][field] == pytest.approx(after_accounts[account_id][field], rel=1e-9)


async def test_reimporting_an_engagement_with_other_values_replaces_its_contribution(empty_db):
    importer = await load_hand_graph(empty_db)
    await importer.import_rows(
        "engagements",
        [(1, {"id": "e1", "person_id": "p2", "type": "web_visit", "detail": "pricing", "occurred_at": at(30)})],
    )
    persons = await _persons(empty_db)
    scale = decay_scale(AS_OF, HALF_LIFE)
    # e1 moved from p1 to p2: p1 has nothing left, p2 has 18 (today) + 18 × 0.5 (one half-life ago).
    assert persons["p1"]["score_decay_sum"] / scale == pytest.approx(0.0, abs=1e-9)
    assert persons["p2"]["score_decay_sum"] / scale == pytest.approx(27.0)
    accounts = await _accounts(empty_db)
    assert accounts["G"]["score_engagement_sum"] / scale == pytest.approx(0.0, abs=1e-9)
    assert accounts["C"]["score_engagement_sum"] / scale == pytest.approx(27.0)
    assert accounts["R"]["score_rolled_sum"] / scale == pytest.approx(-3.375 + 0.5 * 27.0)


async def _matches(db) -> dict[str, tuple]:
    records, _, _ = await db._driver.execute_query(
        "MATCH (l:Lead)-[m:MATCHED_TO]->(a:Account) RETURN l.id AS id, a.id AS account, m.method AS method, "
        "m.confidence AS confidence, m.at AS at",
        database_=db.database,
    )
    return {r["id"]: (r["account"], r["method"], r["confidence"], r["at"]) for r in records}


async def _load_leads(db, importer) -> None:
    """Leads beside the hand graph: by domain (D), by name (C), unmatched, and one matched by hand (S)."""
    await importer.import_rows("accounts", [(1, {"id": "D", "name": "Dom Works", "domain": "dom.com"})])
    leads = [
        {"id": "l1", "email": "ann@dom.com", "title": "VP Finance"},
        {"id": "l2", "company": "Child Soft Inc"},
        {"id": "l3", "company": "Nothing Alike"},
        {"id": "l4", "company": "Child Soft"},
    ]
    assert (await importer.import_rows("leads", enumerate(leads, start=1))).errors == []
    engagements = [
        {"id": "e5", "person_id": "l1", "type": "demo_request", "occurred_at": at(30)},
        {"id": "e6", "person_id": "l4", "type": "web_visit", "detail": "pricing", "occurred_at": at(0)},
    ]
    assert (await importer.import_rows("engagements", enumerate(engagements, start=1))).errors == []
    await db._driver.execute_query(
        "MATCH (l:Lead {id: 'l4'})-[m:MATCHED_TO]->() DELETE m WITH DISTINCT 1 AS one "
        "MATCH (l:Lead {id: 'l4'}), (s:Account {id: 'S'}) "
        "CREATE (l)-[:MATCHED_TO {method: 'MANUAL', confidence: 1.0}]->(s)",
        database_=db.database,
    )


async def test_matches_and_roles_are_rewritten_only_when_they_change_and_manual_matches_stick(empty_db):
    importer = await load_hand_graph(empty_db)
    await _load_leads(empty_db, importer)
    imported = await _matches(empty_db)
    assert {lead: m[:3] for lead, m in imported.items()} == {
        "l1": ("D", "DOMAIN", 1.0),
        "l2": ("C", "NAME", 0.9),
        "l4": ("S", "MANUAL", 1.0),
    }

    # The import matched the new leads already, and inferred their roles: nothing to rewrite.
    report = await recompute_graph(empty_db, AS_OF)
    assert (report.matched_leads, report.matches_changed, report.roles_changed) == (2, 0, 0)
    assert await _matches(empty_db) == imported

    # C is renamed: "child soft" and "child software" are not alike enough (ratio 83), so l2 loses it,
    # in the import's own transaction (leads are matched again): the recompute has nothing to change.
    await importer.import_rows("accounts", [(1, {"id": "C", "name": "Child Software"})])
    after = await _matches(empty_db)
    assert after == {"l1": imported["l1"], "l4": imported["l4"]}
    report = await recompute_graph(empty_db, AS_OF)
    assert (report.matched_leads, report.matches_changed, report.roles_changed) == (1, 0, 0)
    after = await _matches(empty_db)
    assert after == {"l1": imported["l1"], "l4": imported["l4"]}  # l1's match keeps its time

    # The MANUAL match is l4's account: its engagement counts at S (pricing today, 18 points).
    accounts = await _accounts(empty_db)
    assert accounts["S"]["score_engagement"] == pytest.approx(18.0)


async def test_reading_in_pages_of_one_person_gives_the_same_scores(empty_db):
    importer = await load_hand_graph(empty_db)
    await _load_leads(empty_db, importer)

    async def stored() -> tuple[list, list]:
        accounts = await empty_db.read("scores/accounts_written")
        persons = await empty_db.read("scores/persons_written")
        return sorted(accounts, key=lambda r: r["account"]["id"]), sorted(persons, key=lambda r: r["person"]["id"])

    whole = await recompute_graph(empty_db, AS_OF)
    expected = await stored()
    paged = await recompute_graph(empty_db, AS_OF, page=1)
    assert (paged.persons, paged.engagements) == (whole.persons, whole.engagements) == (8, 5)
    assert await stored() == expected


async def test_recompute_stores_each_person_s_last_positive_engagement(empty_db):
    importer = await load_hand_graph(empty_db)
    await _load_leads(empty_db, importer)
    await recompute_graph(empty_db, AS_OF)
    persons = await _persons(empty_db)
    last = {person: record["last_engaged_at"] for person, record in persons.items()}
    # p3's only engagement (careers) has negative points; p4 and l2 have none.
    assert {person: moment and moment.to_native() for person, moment in last.items()} == {
        "p1": AS_OF - timedelta(days=30),
        "p2": AS_OF,
        "p3": None,
        "p4": None,
        "l1": AS_OF - timedelta(days=30),
        "l2": None,
        "l3": None,
        "l4": AS_OF,
    }
