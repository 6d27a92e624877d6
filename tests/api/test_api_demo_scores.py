"""On the demo set: what ``recompute`` writes is what the API answers for the same moment."""

from datetime import UTC, datetime

import pytest
from api_graph import data_of

from graphsvc.demo import load_demo
from graphsvc.scores.recompute import recompute_graph

pytestmark = pytest.mark.db


async def test_recompute_on_the_demo_set_agrees_with_the_api(empty_db):
    await load_demo(empty_db)
    as_of = datetime.now(UTC).replace(microsecond=0)
    report = await recompute_graph(empty_db, as_of)
    assert report.accounts == 200 and report.persons == 3000 and report.engagements == 20000
    assert report.matched_leads > 500  # most demo leads carry a corporate domain or a known company

    stored = {row["account"]["id"]: row["account"] for row in await empty_db.read("scores/accounts_written")}
    assert sum(account["score_rolled_up"] > 0 for account in stored.values()) > 100
    query = """query($t: DateTime) { accounts(first: 100) { edges { node { id
        score(asOf: $t) { engagement rolledUp fit total }
        coverage(asOf: $t) { coverage engagedCoverage engagedContacts } } } } }"""
    data = await data_of(empty_db, query, t=as_of.isoformat())
    answered = {edge["node"]["id"]: edge["node"] for edge in data["accounts"]["edges"]}
    compared = 0
    for account_id, node in answered.items():
        account = stored[account_id]
        assert node["score"]["engagement"] == pytest.approx(account["score_engagement"], abs=1e-9)
        assert node["score"]["rolledUp"] == pytest.approx(account["score_rolled_up"], abs=1e-9)
        assert node["score"]["fit"] == pytest.approx(account["score_fit"])
        assert node["score"]["total"] == pytest.approx(account["score_total"], abs=1e-9)
        assert node["coverage"]["coverage"] == pytest.approx(account["score_coverage"])
        assert node["coverage"]["engagedCoverage"] == pytest.approx(account["score_engaged_coverage"])
        assert node["coverage"]["engagedContacts"] == account["score_engaged_contacts"]
        compared += 1
    assert compared == 100
