"""Browser: the account list and the account view (score and its explanation, buying committee,
scorecard, corporate tree, leads and their routing, recent activity) show what the API answers."""

import csv
from datetime import datetime
from importlib.resources import files

import pytest
from dashboard_browser import (
    cell_value,
    dashboard_page,
    demo_server,
    graphql,
    label,
    number,
    numbers,
    open_view,
    screenshot,
    shown,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.db

ACCOUNT = """
query($id: ID!) { account(id: $id) {
  id name isTarget tier stage
  parent { id name } ultimateParent { id name }
  children(first: 100) { totalCount edges { node { id name } } }
  score { engagement rolledUp fit total contributions(first: 10) { sourceId kind points weight path } }
  coverage { coverage engagedCoverage engagedContacts roles { role known engaged contacts { name } } }
  scorecard {
    leadsAssociated engagedLeads percentEngaged engagementLevel engagementChange coverage engagedCoverage
    stage daysInStage openOpportunities pipelineAmount
  }
  leads(first: 50) { totalCount edges { node {
    id status score { total grade } routing { status path assignee { name } slaDueAt }
  } } }
} }
"""
TARGET_HISTORIES = (
    "{ accounts(isTarget: true, first: 100) { edges { node { id stageHistory { previous stage at } } } } }"
)
LEAD_COUNT = "query($id: ID!) { account(id: $id) { leads { totalCount } } }"
PERSON_NAME = {
    "contact": "query($id: ID!) { person: contact(id: $id) { name } }",
    "lead": "query($id: ID!) { person: lead(id: $id) { name } }",
    "account": "query($id: ID!) { person: account(id: $id) { name } }",
}
ACTIVITY = """
query($id: ID!) { account(id: $id) {
  engagements(first: 20, windowDays: 90) { totalCount edges { node { id personId type detail occurredAt points } } }
} }
"""
WHO = "query($id: ID!) { contact(id: $id) { name } lead(id: $id) { name } }"
ROUTE = "mutation($id: ID!) { routeLead(leadId: $id) { id } }"
ACCOUNT_PAGE = """
query($after: String) { accounts(first: 25, after: $after, orderBy: "name") {
  totalCount edges { node { id name } } pageInfo { endCursor }
} }
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


@pytest.fixture(scope="module")
def middle_account(server) -> str:
    """An account with a parent and a subsidiary (so the tree has three levels), the one of them with
    the most leads, with its best lead routed so the leads table shows a routing decision."""
    with (files("graphsvc.seeds") / "demo" / "accounts.csv").open(encoding="utf-8") as handle:
        parents = {row["id"]: row["parent_id"] for row in csv.DictReader(handle)}
    middles = {parent for parent in parents.values() if parent and parents[parent]}
    assert middles, "the demo set has no three-level corporate tree"
    chosen = max(sorted(middles), key=lambda i: graphql(server, LEAD_COUNT, id=i)["account"]["leads"]["totalCount"])
    leads = graphql(server, ACCOUNT, id=chosen)["account"]["leads"]["edges"]
    best = max(leads, key=lambda edge: edge["node"]["score"]["total"])
    graphql(server, ROUTE, id=best["node"]["id"])
    return chosen


def test_the_account_list_pages_through_the_accounts_by_name(server, page):
    first = graphql(server, ACCOUNT_PAGE)["accounts"]
    second = graphql(server, ACCOUNT_PAGE, after=first["pageInfo"]["endCursor"])["accounts"]
    open_view(page, server, "accounts")
    names = page.locator("table.accounts tbody tr td:first-child")
    expect(names).to_have_text([edge["node"]["name"] for edge in first["edges"]])
    assert f"{first['totalCount']} accounts" in page.locator(".pager").inner_text()

    page.get_by_role("button", name="Next").click()
    expect(names).to_have_text([edge["node"]["name"] for edge in second["edges"]])
    page.get_by_role("button", name="Previous").click()
    expect(names).to_have_text([edge["node"]["name"] for edge in first["edges"]])

    page.get_by_role("link", name=first["edges"][0]["node"]["name"], exact=True).click()
    expect(page.locator("h2")).to_have_text(first["edges"][0]["node"]["name"])


def test_score_and_its_explanation_are_the_apis(server, page, middle_account, tmp_path):
    account = graphql(server, ACCOUNT, id=middle_account)["account"]
    open_view(page, server, f"accounts/{middle_account}")
    expect(page.locator("h2")).to_have_text(account["name"])
    expect(page.locator("[data-section=score] [data-metric=total] .value")).to_be_visible()
    later = graphql(server, ACCOUNT, id=middle_account)["account"]["score"]
    assert page.locator("[data-metric=stage]").first.inner_text() == label(account["stage"])

    score = account["score"]
    for metric, key in [("total", "total"), ("fit", "fit"), ("engagement", "engagement"), ("rolled-up", "rolledUp")]:
        shows = shown(score[key], later=later[key])
        assert cell_value(page, f"[data-section=score] [data-metric={metric}] .value") == shows, metric
    rows = page.locator("[data-section=score] table.contributions tbody tr")
    expect(rows).to_have_count(len(score["contributions"]))
    assert rows.evaluate_all("(rows) => rows.map((row) => row.dataset.source)") == [
        c["sourceId"] for c in score["contributions"]
    ]
    moved = {c["sourceId"]: c["points"] for c in later["contributions"]}
    for contribution in score["contributions"]:
        row = f'[data-section=score] tr[data-source="{contribution["sourceId"]}"]'
        points = shown(contribution["points"], later=moved.get(contribution["sourceId"], contribution["points"]))
        assert cell_value(page, f"{row} [data-metric=points]") == points
        assert cell_value(page, f"{row} [data-metric=weight]") == shown(contribution["weight"])
        name = graphql(server, PERSON_NAME[contribution["kind"]], id=contribution["sourceId"])["person"]["name"]
        expect(page.locator(f"{row} td").first).to_contain_text(name)
    screenshot(page, "account", tmp_path)


def test_buying_committee_map_is_the_apis_coverage(server, page, middle_account):
    coverage = graphql(server, ACCOUNT, id=middle_account)["account"]["coverage"]
    open_view(page, server, f"accounts/{middle_account}")
    section = "[data-section=committee]"
    expect(page.locator(f"{section} .committee > li")).to_have_count(len(coverage["roles"]))

    for role in coverage["roles"]:
        card = page.locator(f'{section} li[data-role="{role["role"]}"]')
        state = "engaged" if role["engaged"] else "known" if role["known"] else "missing"
        expect(card).to_have_attribute("data-state", state)
        names = card.locator("li[data-contact] .name").all_inner_texts()
        assert names == [c["name"] for c in role["contacts"]], role["role"]
    assert cell_value(page, f"{section} [data-metric=coverage] .value") == shown(100 * coverage["coverage"])
    assert cell_value(page, f"{section} [data-metric=engaged-coverage] .value") == shown(
        100 * coverage["engagedCoverage"]
    )
    assert cell_value(page, f"{section} [data-metric=engaged-contacts] .value") == coverage["engagedContacts"]


def test_scorecard_is_the_apis(server, page, middle_account):
    card = graphql(server, ACCOUNT, id=middle_account)["account"]["scorecard"]
    open_view(page, server, f"accounts/{middle_account}")
    section = "[data-section=scorecard]"
    expect(page.locator(f"{section} dl")).to_be_visible()
    later = graphql(server, ACCOUNT, id=middle_account)["account"]["scorecard"]

    def values(metric):
        return numbers(page.locator(f"{section} [data-metric={metric}] dd").inner_text())

    def figure(key, scale=1):
        return shown(scale * card[key], later=scale * later[key])

    assert values("leads") == [card["leadsAssociated"]]
    assert values("engaged-leads") == [card["engagedLeads"], figure("percentEngaged")]
    change = card["engagementChange"]
    changed = [figure("engagementChange", 100)] if change is not None else []
    assert values("engagement") == [figure("engagementLevel"), *changed]
    assert values("coverage") == [figure("coverage", 100), figure("engagedCoverage", 100)]
    assert values("pipeline") == [card["openOpportunities"], shown(card["pipelineAmount"], 0)]
    days = f" for {card['daysInStage']} days" if card["daysInStage"] is not None else ""
    assert page.locator(f"{section} [data-metric=stage] dd").inner_text() == label(card["stage"]) + days


def test_stage_history_is_the_apis_newest_first(server, page):
    targets = graphql(server, TARGET_HISTORIES)["accounts"]["edges"]
    account = max((edge["node"] for edge in targets), key=lambda node: (len(node["stageHistory"]), node["id"]))
    history = account["stageHistory"]
    assert history, "no target account of the demo set has entered the funnel"
    open_view(page, server, f"accounts/{account['id']}")
    moves = page.locator("[data-section=scorecard] [data-metric=stage-history] li")
    expect(moves).to_have_count(len(history))
    assert moves.evaluate_all("(items) => items.map((item) => item.dataset.at)") == [m["at"] for m in reversed(history)]
    for item, move in zip(moves.all(), reversed(history), strict=True):
        assert (label(move["stage"]) if move["stage"] else "left the funnel") in item.inner_text()


def test_corporate_tree_links_parent_ultimate_parent_and_subsidiaries(server, page, middle_account):
    account = graphql(server, ACCOUNT, id=middle_account)["account"]
    open_view(page, server, f"accounts/{middle_account}")
    tree = "[data-section=hierarchy]"
    expect(page.locator(f"{tree} a[data-role=parent]")).to_have_text(account["parent"]["name"])
    children = [edge["node"]["name"] for edge in account["children"]["edges"]]
    expect(page.locator(f"{tree} a[data-role=child]")).to_have_text(children)
    assert number(page.locator(f"{tree} [data-metric=children]").inner_text()) == account["children"]["totalCount"]

    # One level down, the tree shows this account as parent and its parent as the ultimate parent.
    child = account["children"]["edges"][0]["node"]
    page.locator(f"{tree} a[data-role=child]", has_text=child["name"]).click()
    expect(page.locator("h2")).to_have_text(child["name"])
    expect(page.locator(f"{tree} a[data-role=parent]")).to_have_text(account["name"])
    expect(page.locator(f"{tree} a[data-role=ultimate-parent]")).to_have_text(account["ultimateParent"]["name"])


def test_leads_show_their_scores_and_routing(server, page, middle_account):
    leads = graphql(server, ACCOUNT, id=middle_account)["account"]["leads"]
    open_view(page, server, f"accounts/{middle_account}")
    section = "[data-section=leads]"
    expect(page.locator(f"{section} tbody tr")).to_have_count(len(leads["edges"]))
    later = {
        edge["node"]["id"]: edge["node"]
        for edge in graphql(server, ACCOUNT, id=middle_account)["account"]["leads"]["edges"]
    }
    assert number(page.locator(f"{section} [data-metric=lead-count]").inner_text()) == leads["totalCount"]

    routed = 0
    for edge in leads["edges"]:
        lead, row = edge["node"], f'{section} tr[data-lead="{edge["node"]["id"]}"]'
        assert page.locator(f"{row} [data-metric=status]").inner_text() == label(lead["status"])
        shows = shown(lead["score"]["total"], later=later[lead["id"]]["score"]["total"])
        assert cell_value(page, f"{row} [data-metric=score]") == shows
        assert page.locator(f"{row} [data-metric=grade]").inner_text() == lead["score"]["grade"]
        routing = lead["routing"]
        routing_text = page.locator(f"{row} [data-metric=routing]").inner_text()
        if routing is None:
            assert routing_text == "not routed"
            continue
        routed += 1
        assert routing_text == f"{label(routing['status'])} · {label(routing['path'])}"
        assignee = routing["assignee"]["name"] if routing["assignee"] else "—"
        assert page.locator(f"{row} [data-metric=assignee]").inner_text() == assignee
        if routing["slaDueAt"]:
            due = datetime.fromisoformat(routing["slaDueAt"])
            assert f"{due:%H:%M} UTC" in page.locator(f"{row} [data-metric=sla-due]").inner_text()
    assert routed >= 1


def test_recent_activity_is_the_apis_newest_first(server, page, middle_account):
    activity = graphql(server, ACTIVITY, id=middle_account)["account"]["engagements"]
    assert activity["edges"], "the demo account has no engagement in the last 90 days"
    open_view(page, server, f"accounts/{middle_account}")
    section = "[data-section=activity]"
    rows = page.locator(f"{section} tbody tr")
    expect(rows).to_have_count(len(activity["edges"]))
    assert rows.evaluate_all("(rows) => rows.map((row) => row.dataset.engagement)") == [
        edge["node"]["id"] for edge in activity["edges"]
    ]
    assert number(page.locator(f"{section} [data-metric=engagement-count]").inner_text()) == activity["totalCount"]

    for edge in activity["edges"]:
        engagement, row = edge["node"], f'{section} tr[data-engagement="{edge["node"]["id"]}"]'
        people = graphql(server, WHO, id=engagement["personId"])
        person = people["contact"] or people["lead"]
        assert page.locator(f"{row} [data-metric=who]").inner_text() == (person["name"] or engagement["personId"])
        detail = f" {engagement['detail']}" if engagement["detail"] else ""
        assert page.locator(f"{row} [data-metric=what]").inner_text() == label(engagement["type"]) + detail
        when = page.locator(f"{row} [data-metric=when]")
        assert when.get_attribute("data-at") == engagement["occurredAt"]
        assert f"{datetime.fromisoformat(engagement['occurredAt']):%H:%M} UTC" in when.inner_text()
        assert cell_value(page, f"{row} [data-metric=points]") == shown(engagement["points"])
