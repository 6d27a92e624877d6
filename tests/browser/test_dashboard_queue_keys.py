"""Browser: a rep signed in with a REP key gets live queue updates.

Browsers cannot set headers on a WebSocket, so the page sends its key in graphql-ws's
``connection_init`` payload; the server must accept it there and scope the subscription to the
rep. Without that, the page would fall back to reloading every 30 seconds ("not live").
"""

import csv
import json
from collections import Counter
from importlib.resources import files

import pytest
from dashboard_browser import dashboard_page, demo_server, graphql, open_signed_in, until_subscribed
from playwright.sync_api import expect

pytestmark = pytest.mark.db


def _owner_of_most_targets() -> str:
    with (files("graphsvc.seeds") / "demo" / "accounts.csv").open(encoding="utf-8") as handle:
        owners = Counter(
            row["owner_id"] for row in csv.DictReader(handle) if row["is_target"] == "true" and row["owner_id"]
        )
    return owners.most_common(1)[0][0]


REP = _owner_of_most_targets()
ADMIN_KEY = "admin-key-for-the-queue-keys-test"
REP_KEY = "rep-key-for-the-queue-keys-test"
KEYS = {ADMIN_KEY: {"role": "ADMIN", "name": "ops"}, REP_KEY: {"role": "REP", "user_id": REP, "name": "rep"}}
REP_LEADS = """
query($owner: ID!) { accounts(isTarget: true, ownerId: $owner, first: 100) { edges { node {
  leads(first: 50) { edges { node { id status score { total } } } }
} } } }
"""
ROUTE = "mutation($id: ID!) { routeLead(leadId: $id) { id status assignee { id } } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory, env={"GRAPHSVC_API_KEYS": json.dumps(KEYS)}) as server:
        yield server


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


def test_a_rep_key_gets_a_live_queue_and_hears_a_new_decision(server, page):
    open_signed_in(page, server, "queue", REP_KEY)
    expect(page.locator("[data-feed]")).to_have_attribute("data-feed", "live")
    until_subscribed(server, ADMIN_KEY)

    accounts = graphql(server, REP_LEADS, key=ADMIN_KEY, owner=REP)["accounts"]["edges"]
    leads = [lead["node"] for account in accounts for lead in account["node"]["leads"]["edges"]]
    for lead in sorted((lead for lead in leads if lead["status"] == "NEW"), key=lambda lead: -lead["score"]["total"]):
        decision = graphql(server, ROUTE, key=ADMIN_KEY, id=lead["id"])["routeLead"]
        if decision["status"] == "PENDING" and decision["assignee"] == {"id": REP}:
            break
    else:
        raise AssertionError(f"no lead of {REP}'s target accounts was assigned to {REP}")

    expect(page.locator(f'[data-news="{decision["id"]}"]')).to_be_visible()
    expect(page.locator(f'tr[data-decision="{decision["id"]}"]')).to_have_count(1)
