"""Browser: My queue lists the open routing decisions with SLA countdowns, takes accept and reject,
and hears new decisions over the routingDecisions subscription."""

import re
from datetime import UTC, datetime

import pytest
from dashboard_browser import dashboard_page, demo_server, graphql, number, open_view, screenshot
from playwright.sync_api import expect

pytestmark = pytest.mark.db

TARGET_LEADS = """
query { accounts(isTarget: true, first: 100) { edges { node {
  leads(first: 20) { edges { node { id status score { total } } } }
} } } }
"""
ROUTE = "mutation($id: ID!) { routeLead(leadId: $id) { id status } }"
QUEUE = "query { myQueue(first: 100) { totalCount edges { node { id slaDueAt lead { id name } } } } }"
LEAD = "query($id: ID!) { lead(id: $id) { status routing { id status } } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


@pytest.fixture(scope="module")
def unrouted_leads(server):
    """Leads at target accounts, best score first: routing them puts them in an AE's queue."""
    accounts = graphql(server, TARGET_LEADS)["accounts"]["edges"]
    leads = [lead["node"] for account in accounts for lead in account["node"]["leads"]["edges"]]
    return iter(sorted((lead for lead in leads if lead["status"] == "NEW"), key=lambda lead: -lead["score"]["total"]))


def route(server, leads) -> dict:
    """Route the next lead that gets assigned to someone; its decision."""
    for lead in leads:
        decision = graphql(server, ROUTE, id=lead["id"])["routeLead"]
        if decision["status"] == "PENDING":
            return {**decision, "lead_id": lead["id"]}
    raise AssertionError("no lead left to route")


def minutes_left(text: str) -> int:
    """Minutes a countdown such as "3h 05m left" or "overdue 12m" shows (negative when overdue)."""
    hours = re.search(r"(\d+)h", text)
    minutes = int(hours.group(1)) * 60 + number(text.split("h")[-1]) if hours else number(text)
    return -minutes if text.startswith("overdue") else minutes


def row(page, decision_id: str):
    return page.locator(f'tr[data-decision="{decision_id}"]')


def test_queue_shows_the_open_decisions_soonest_due_first_with_countdowns(server, page, unrouted_leads, tmp_path):
    for _ in range(6):
        route(server, unrouted_leads)
    queue = graphql(server, QUEUE)["myQueue"]
    decisions = [edge["node"] for edge in queue["edges"]]

    open_view(page, server, "queue")
    expect(page.locator("table.queue tbody tr")).to_have_count(len(decisions))
    assert page.locator("[data-metric=open]").inner_text().startswith(f"{queue['totalCount']} open routing decisions")
    shown_ids = page.locator("table.queue tbody tr").evaluate_all("(rows) => rows.map((row) => row.dataset.decision)")
    assert shown_ids == [decision["id"] for decision in decisions]

    now = datetime.now(UTC)
    for decision in decisions:
        due = datetime.fromisoformat(decision["slaDueAt"])
        expected = (due - now).total_seconds() / 60
        countdown = row(page, decision["id"]).locator("[data-metric=sla]").inner_text()
        assert abs(minutes_left(countdown) - expected) <= 2, (countdown, decision["slaDueAt"])
    expect(page.locator("[data-feed]")).to_have_attribute("data-feed", "live")
    screenshot(page, "queue", tmp_path)


def test_accepting_a_decision_takes_it_off_the_queue_and_makes_the_lead_sal(server, page):
    decision = graphql(server, QUEUE)["myQueue"]["edges"][0]["node"]
    open_view(page, server, "queue")
    row(page, decision["id"]).get_by_role("button", name="Accept").click()

    expect(row(page, decision["id"])).to_have_count(0)
    assert decision["id"] not in {edge["node"]["id"] for edge in graphql(server, QUEUE)["myQueue"]["edges"]}
    lead = graphql(server, LEAD, id=decision["lead"]["id"])["lead"]
    assert lead == {"status": "SAL", "routing": {"id": decision["id"], "status": "ACCEPTED"}}


def test_rejecting_a_decision_with_a_reason_recycles_the_lead(server, page):
    decision = graphql(server, QUEUE)["myQueue"]["edges"][0]["node"]
    open_view(page, server, "queue")
    row(page, decision["id"]).get_by_role("button", name="Reject…").click()
    row(page, decision["id"]).locator("input[name=reason]").fill("not our territory")
    row(page, decision["id"]).get_by_role("button", name="Reject", exact=True).click()

    expect(row(page, decision["id"])).to_have_count(0)
    lead = graphql(server, LEAD, id=decision["lead"]["id"])["lead"]
    assert lead == {"status": "RECYCLED", "routing": {"id": decision["id"], "status": "REJECTED"}}


def test_a_new_decision_appears_without_reloading_the_page(server, page, unrouted_leads):
    open_view(page, server, "queue")
    expect(page.locator("[data-feed]")).to_have_attribute("data-feed", "live")
    decision = route(server, unrouted_leads)

    # Only a message from the subscription shows news; the queue then reloads with the decision in it.
    expect(page.locator(f'[data-news="{decision["id"]}"]')).to_be_visible()
    expect(row(page, decision["id"])).to_have_count(1)
