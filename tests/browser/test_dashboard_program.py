"""Browser: the program view, behind API keys, shows the funnels, SLAs, stages and target
recommendations the API answers, and accepts a recommendation through setTarget."""

import json

import pytest
from dashboard_browser import (
    cell_value,
    dashboard_page,
    demo_server,
    graphql,
    open_signed_in,
    open_view,
    screenshot,
    shown,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.db

STRATEGIST_KEY = "strategist-key-for-the-dashboard-test"
KEYS = {STRATEGIST_KEY: {"role": "STRATEGIST", "name": "dashboard-test"}}

STAGES = ["TARGET", "AWARE", "ENGAGED", "MQA", "OPPORTUNITY", "CUSTOMER"]
ADVANCING_FROM = {"leads": "NEW", "mqls": "MQL", "sals": "SAL", "sqls": "SQL", "opportunities": "OPPORTUNITY"}
LEAD_STAGES = ["leads", "mqls", "sent_to_sales", "sals", "sqls", "opportunities", "won"]
CONVERSION_INTO = {
    "mqls": "lead_to_mql",
    "sent_to_sales": "mql_to_sent",
    "sals": "sent_to_sal",
    "sqls": "sal_to_sql",
    "opportunities": "sql_to_opportunity",
    "won": "opportunity_to_won",
}
PROGRAM = "query($days: Int!) { programScorecard(windowDays: $days) { traditional abm sla } }"
STAGE_COUNTS = (
    "query { "
    + " ".join(
        f"all_{stage}: accounts(stage: {stage}) {{ totalCount }} targets_{stage}: accounts(stage: {stage}, isTarget: true) {{ totalCount }}"
        for stage in STAGES
    )
    + " }"
)
TARGET_TIERS = "query { accounts(isTarget: true, first: 100) { totalCount edges { node { stage tier } } } }"
RECOMMENDATIONS = """
query { targetAccounts(first: 10, tierCapacities: [10, 50, 500]) {
  account { id name isTarget tier } priority fit lookalike surge tier reasons
} }
"""
ACCOUNT = "query($id: ID!) { account(id: $id) { isTarget tier } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory, env={"GRAPHSVC_API_KEYS": json.dumps(KEYS)}) as server:
        yield server


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


def ask(server, query, **variables):
    return graphql(server, query, key=STRATEGIST_KEY, **variables)


def open_as_strategist(page, server, view):
    open_signed_in(page, server, view, STRATEGIST_KEY)


def test_the_page_asks_for_a_key_and_sends_it_as_a_bearer_token(server, page):
    page.goto(f"{server.url}/healthz")
    page.evaluate("() => sessionStorage.clear()")
    open_view(page, server, "program")
    page.locator("input[name=api-key]").fill("not-a-key-the-server-knows")
    page.get_by_role("button", name="Use key").click()
    expect(page.get_by_role("alert")).to_contain_text("did not accept that key")

    sent = []
    page.on(
        "request",
        lambda request: sent.append(request.headers.get("authorization")) if "/graphql" in request.url else None,
    )
    page.locator("input[name=api-key]").fill(STRATEGIST_KEY)
    page.get_by_role("button", name="Use key").click()
    expect(page.locator('[data-funnel="traditional"]')).to_be_visible()
    assert sent and set(sent) == {f"Bearer {STRATEGIST_KEY}"}


@pytest.mark.parametrize("days", [90, 30])
def test_funnels_and_figures_are_the_program_scorecards(server, page, days):
    open_as_strategist(page, server, "program")
    page.locator("select[name=window-days]").select_option(str(days))
    scorecard = ask(server, PROGRAM, days=days)["programScorecard"]
    traditional, abm = scorecard["traditional"], scorecard["abm"]
    expect(page.locator(f'[data-window-days="{days}"] [data-funnel="traditional"]')).to_be_visible()

    for stage in LEAD_STAGES:
        row = f'[data-funnel="traditional"] tr[data-stage="{stage}"]'
        assert cell_value(page, f"{row} [data-metric=count]") == traditional[stage], stage
        if stage in CONVERSION_INTO:
            rate = traditional["conversion"][CONVERSION_INTO[stage]]
            assert cell_value(page, f"{row} [data-metric=conversion]") == shown(rate and 100 * rate), stage
        if stage in ADVANCING_FROM:  # lead velocity beside the accounts'
            median = traditional["median_days_to_advance"][ADVANCING_FROM[stage]]["median_days"]
            assert cell_value(page, f"{row} [data-metric=median-days]") == shown(median), stage
    for i, stage in enumerate(STAGES):
        row = f'[data-funnel="abm"] tr[data-stage="{stage}"]'
        assert cell_value(page, f"{row} [data-metric=count]") == abm["by_stage"][stage], stage
        assert cell_value(page, f"{row} [data-metric=reached]") == sum(abm["by_stage"][s] for s in STAGES[i:]), stage
        if stage != "CUSTOMER":
            median = abm["median_days_to_advance"][stage]["median_days"]
            # the demo's stage history gives every stage a velocity figure, never a dash
            assert median is not None and cell_value(page, f"{row} [data-metric=median-days]") == shown(median), stage

    figures = {  # shown to one decimal, but counts and money to none
        "target-accounts": (abm["target_accounts"], 0),
        "percent-engaged": (abm["percent_engaged"], 1),
        "mean-coverage": (100 * abm["mean_coverage"], 1),
        "mean-engaged-coverage": (100 * abm["mean_engaged_coverage"], 1),
        "pipeline": (abm["pipeline_amount"], 0),
    }
    for metric, (expected, digits) in figures.items():
        assert cell_value(page, f".figures [data-metric={metric}] .value") == shown(expected, digits), metric
    rate = abm["mqa_to_opportunity"]["rate"]
    assert cell_value(page, ".figures [data-metric=mqa-to-opportunity] .value") == shown(rate and 100 * rate)

    sla = scorecard["sla"]
    for path, figures in [
        ("ABM", sla["by_path"]["ABM"]),
        ("TRADITIONAL", sla["by_path"]["TRADITIONAL"]),
        ("total", sla["total"]),
    ]:
        row = f'[data-section=sla] tr[data-path="{path}"]'
        for metric in ("assignments", "pending", "overdue", "escalations", "rejections", "recycles"):
            assert cell_value(page, f"{row} [data-metric={metric}]") == figures[metric], (path, metric)
        share = figures["share_accepted_within_sla"]
        assert cell_value(page, f"{row} [data-metric=share_accepted_within_sla]") == shown(share and 100 * share)
        assert cell_value(page, f"{row} [data-metric=median_hours_to_accept]") == shown(
            figures["median_hours_to_accept"]
        )


def test_accounts_by_stage_and_tier_are_the_apis_counts(server, page, tmp_path):
    open_as_strategist(page, server, "program")
    counts = ask(server, STAGE_COUNTS)
    targets = ask(server, TARGET_TIERS)["accounts"]
    assert targets["totalCount"] == len(targets["edges"])
    table = page.locator("[data-section=stages] table")
    expect(table).to_be_visible()

    for stage in STAGES:
        row = f'[data-section=stages] tr[data-stage="{stage}"]'
        assert cell_value(page, f"{row} [data-metric=accounts]") == counts[f"all_{stage}"]["totalCount"], stage
        assert cell_value(page, f"{row} [data-metric=targets]") == counts[f"targets_{stage}"]["totalCount"], stage
        for tier in (1, 2, 3):
            expected = sum(
                1 for edge in targets["edges"] if edge["node"]["stage"] == stage and edge["node"]["tier"] == tier
            )
            assert cell_value(page, f"{row} [data-metric=tier-{tier}]") == expected, (stage, tier)
    assert cell_value(page, '[data-section=stages] tr[data-stage="all"] [data-metric=targets]') == targets["totalCount"]
    expect(page.locator("[data-section=targets] tbody tr").first).to_be_visible()
    screenshot(page, "program", tmp_path)


def test_recommendations_are_the_apis_and_one_can_be_accepted(server, page):
    open_as_strategist(page, server, "program")
    recommendations = ask(server, RECOMMENDATIONS)["targetAccounts"]
    rows = page.locator("[data-section=targets] tbody tr")
    expect(rows).to_have_count(len(recommendations))
    assert rows.evaluate_all("(rows) => rows.map((row) => row.dataset.account)") == [
        r["account"]["id"] for r in recommendations
    ]
    for recommendation in recommendations:
        row = f'[data-section=targets] tr[data-account="{recommendation["account"]["id"]}"]'
        for metric in ("priority", "fit", "lookalike", "surge"):
            assert cell_value(page, f"{row} [data-metric={metric}]") == shown(recommendation[metric], 2), metric
        assert cell_value(page, f"{row} [data-metric=tier]") == recommendation["tier"]
        assert page.locator(f"{row} .reasons li").all_inner_texts() == recommendation["reasons"]

    pick = next(r for r in recommendations if not (r["account"]["isTarget"] and r["account"]["tier"] == r["tier"]))
    row = page.locator(f'[data-section=targets] tr[data-account="{pick["account"]["id"]}"]')
    row.get_by_role("button", name=f"Make tier {pick['tier']} target").click()
    expect(row.locator(".done")).to_have_text("accepted")
    assert ask(server, ACCOUNT, id=pick["account"]["id"])["account"] == {"isTarget": True, "tier": pick["tier"]}
