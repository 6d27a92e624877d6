"""Lookalikes, target recommendations and set_target on the tiny graph of scorecard_graph.py.

W (software, 200-999 staff, US, aws, salesforce: mass 3+2+1+1+1+1 = 9) is the only customer at AS_OF.

    account  fit (ICP)   lookalike to W                    surge (60-day windows)            priority
    P        100         identical → 1                     (26.7 − 17.1) / 20 = 0.48         50 + 30 + 9.6 = 89.6
    Q        100         industry only: 3 / 9 = 1/3        24 from 0: 24 / 20 → 1            50 + 10 + 20  = 80
    T2        50         nothing shared → 0                0                                 25
    N          0         nothing shared → 0                0                                 0
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from scorecard_graph import AS_OF, ICP_MODEL, WINDOW, at, engagement, load_scorecard_graph

from graphsvc.algorithms.lookalike import Lookalike
from graphsvc.errors import InvalidInput, NotFound
from graphsvc.ingest.importer import Importer
from graphsvc.scorecards.targets import account_lookalikes, lookalikes_of_accounts, set_target, target_recommendations
from graphsvc.scores.documents import save_document
from graphsvc.scores.recompute import recompute_graph
from graphsvc.store import Database
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db

P_SHARED = (
    "industry=software",
    "employees=200-999",
    "country=us",
    "region=na",
    "technology=aws",
    "technology=salesforce",
)


@pytest.fixture
async def graph(empty_db, embedded):
    await load_scorecard_graph(empty_db, embedded)
    return empty_db


async def test_recommendations_by_hand(graph):
    ranked = await target_recommendations(graph, capacities=[1, 1, 1], window_days=WINDOW, as_of=AS_OF)
    assert [(r.account_id, r.tier) for r in ranked] == [("P", 1), ("Q", 2), ("T2", 3)]
    p, q, t2 = ranked
    assert (p.priority, p.fit, p.lookalike, p.surge) == pytest.approx((89.6, 100.0, 1.0, 0.48))
    assert (q.priority, q.lookalike, q.surge) == pytest.approx((80.0, 1 / 3, 1.0))
    assert (t2.priority, t2.lookalike, t2.surge) == pytest.approx((25.0, 0.0, 0.0))
    assert p.reasons == (
        "ICP fit 100/100: industry software (+100)",
        "looks like won customer Wco (1.00): " + ", ".join(P_SHARED),
        "engagement surge: 26.7 points in the last 60 days against 17.1 in the 60 days before",
        "already a target account (tier 1)",
    )
    assert (p.customer_id, p.shared_attributes, p.is_target, p.current_tier) == ("W", P_SHARED, True, 1)


async def test_customers_are_never_recommended_and_first_cuts_the_list(graph):
    ranked = await target_recommendations(graph, window_days=WINDOW, as_of=AS_OF)
    assert [r.account_id for r in ranked] == ["P", "Q", "T2", "N"]
    assert {r.tier for r in ranked} == {1}  # default capacities: 10 in tier 1
    assert [r.account_id for r in await target_recommendations(graph, first=2, as_of=AS_OF)] == ["P", "Q"]


async def test_before_the_first_win_there_is_no_customer_to_look_like(graph):
    # o4 was won at −150: at −160 W is a prospect like the others.
    ranked = await target_recommendations(graph, window_days=WINDOW, as_of=AS_OF - timedelta(days=160))
    assert "W" in {r.account_id for r in ranked}
    assert {r.lookalike for r in ranked} == {0.0}


async def test_lookalikes_of_an_account(graph):
    assert await account_lookalikes(graph, "P", first=5, as_of=AS_OF) == [
        Lookalike("W", pytest.approx(1.0), P_SHARED),
        Lookalike("Q", pytest.approx(1 / 3), ("industry=software",)),
    ]
    assert [m.account_id for m in await account_lookalikes(graph, "P", first=1)] == ["W"]
    with pytest.raises(NotFound):
        await account_lookalikes(graph, "nobody")
    before = graph.round_trips
    many = await lookalikes_of_accounts(graph, ["P", "T2", "nobody", "P"], first=5, as_of=AS_OF)
    assert graph.round_trips - before == 1  # one read for any number of accounts
    assert set(many) == {"P", "T2"} and many["P"] == await account_lookalikes(graph, "P", first=5, as_of=AS_OF)
    assert many["T2"] == []  # T2 shares nothing with anyone


async def _target(db, account_id):
    return (await db.read("accounts/by_ids", ids=[account_id]))[0]["account"]


async def test_set_target_accepts_a_recommendation(graph):
    await set_target(graph, "N", True, 3)
    assert (await _target(graph, "N"))["is_target"] is True and (await _target(graph, "N"))["tier"] == 3
    await set_target(graph, "N", True)  # keeps the tier
    assert (await _target(graph, "N"))["tier"] == 3
    await set_target(graph, "N", False)  # drops it
    account = await _target(graph, "N")
    assert account["is_target"] is False and account.get("tier") is None
    for account_id, is_target, tier in (("N", True, 4), ("N", False, 2), ("N", True, True)):
        with pytest.raises(InvalidInput):
            await set_target(graph, account_id, is_target, tier)
    with pytest.raises(NotFound):
        await set_target(graph, "nobody", True, 1)


async def test_the_next_recommendations_read_every_kind_of_write_from_this_process_or_another(graph, embedded):
    """What targeting keeps by data version is read again after each write: the answer always equals
    the live one, and shows the write."""

    async def ranked():
        kept = await target_recommendations(graph, capacities=[2, 2, 2], window_days=WINDOW, as_of=AS_OF)
        live = await target_recommendations(graph, capacities=[2, 2, 2], window_days=WINDOW, as_of=AS_OF, live=True)
        assert [(r.account_id, r.tier, r.reasons) for r in kept] == [(r.account_id, r.tier, r.reasons) for r in live]
        return {r.account_id: r for r in kept}

    before = await ranked()
    assert before["T2"].surge == 0.0 and not before["N"].is_target and "Q" in before
    # An engagement imported (surge), a mutation (setTarget), an opportunity won (customers), a
    # document saved (ICP fit), then an account changed and a recompute run by another process.
    await Importer(graph).import_rows("engagements", [(1, engagement("e-new", "c6", "demo_request", 0))])
    assert (await ranked())["T2"].surge > 0
    await set_target(graph, "N", True, 3)
    assert (await ranked())["N"].is_target
    won = {"id": "o-new", "account_id": "Q", "amount": 1, "status": "WON", "created_at": at(-20), "closed_at": at(-1)}
    await Importer(graph).import_rows("opportunities", [(1, won)])
    assert "Q" not in await ranked()
    await save_document(graph, "icp", {**ICP_MODEL, "version": 202, "attributes": [
        {"field": "industry", "weight": 100, "choices": {"finance": 10}}]})  # fmt: skip
    assert (await ranked())["N"].fit == 100.0
    info = embedded.status()
    other = Database.connect(str(info["bolt_uri"]), ROOT_USER, embedded.password(), DATABASE_NAME)
    try:
        await Importer(other).import_rows("accounts", [(1, {"id": "T2", "name": "Tco", "industry": "finance"})])
        assert (await ranked())["T2"].fit == 100.0
        await recompute_graph(other, AS_OF)
        assert (await ranked())["T2"].fit == 100.0
    finally:
        await other.close()
