"""Browser: the account list's filters and sortable columns show what the API answers for them, and the
coverage view links into the list."""

import pytest
from dashboard_browser import dashboard_page, demo_server, graphql, open_view, screenshot

pytestmark = pytest.mark.db

LIST = """query($o: String, $t: Boolean, $tier: Int, $single: Boolean, $missing: String, $search: String,
        $minScore: Float) {
    accounts(first: 25, orderBy: $o, isTarget: $t, tier: $tier, singleThreaded: $single, missingRole: $missing,
             search: $search, minScore: $minScore) {
        totalCount edges { node { id } } } }"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


def expected(server, **variables) -> tuple[list[str], int]:
    found = graphql(server, LIST, **variables)["accounts"]
    return [edge["node"]["id"] for edge in found["edges"]], found["totalCount"]


def shown_ids(page, ids: list[str], total: int) -> list[str]:
    """The rows the list shows, once they are ``ids`` under a pager counting ``total`` (what the API answers
    for the filters and order in force); a list that never gets there fails on the page's patience."""
    page.wait_for_function(
        """([ids, total]) => document.querySelector('.pager')?.textContent.includes(`${total.toLocaleString('en-US')} accounts`)
            && JSON.stringify([...document.querySelectorAll('table.accounts tbody tr')].map((row) => row.dataset.account))
               === JSON.stringify(ids)""",
        arg=[ids, total],
    )
    return page.eval_on_selector_all("table.accounts tbody tr", "(rows) => rows.map((row) => row.dataset.account)")


def test_sortable_columns_order_the_list_as_the_api_does(server, page):
    open_view(page, server, "accounts")
    assert shown_ids(page, *expected(server, o="name")) == expected(server, o="name")[0]
    page.click('th[data-sort="score"] button')  # best first
    assert shown_ids(page, *expected(server, o="-score")) == expected(server, o="-score")[0]
    assert page.get_attribute('th[data-sort="score"]', "aria-sort") == "descending"
    page.click('th[data-sort="score"] button')  # the other way round
    assert shown_ids(page, *expected(server, o="score")) == expected(server, o="score")[0]
    assert page.get_attribute('th[data-sort="score"]', "aria-sort") == "ascending"
    page.click('th[data-sort="coverage"] button')
    assert shown_ids(page, *expected(server, o="coverage")) == expected(server, o="coverage")[0]
    page.click('th[data-sort="engagementChange"] button')
    rising = expected(server, o="-engagementChange")
    assert shown_ids(page, *rising) == rising[0]
    assert page.locator('td[data-metric="engagement-change"]').count() == len(rising[0])
    assert "orderBy=-engagementChange" in page.evaluate("location.hash")


def test_filters_narrow_the_list_as_the_api_does(server, page, tmp_path):
    open_view(page, server, "accounts?orderBy=-score")
    page.check('input[name="targets-only"]')
    assert shown_ids(page, *expected(server, o="-score", t=True)) == expected(server, o="-score", t=True)[0]
    page.select_option('select[name="tier"]', "1")
    tier_one = expected(server, o="-score", t=True, tier=1)
    assert shown_ids(page, *tier_one) == tier_one[0]
    page.fill('input[name="min-score"]', "20")
    page.click('form.filters button[type="submit"]')
    scored = expected(server, o="-score", t=True, tier=1, minScore=20.0)
    assert shown_ids(page, *scored) == scored[0]
    screenshot(page, "accounts", tmp_path)
    page.click("form.filters >> text=Clear")
    everything = expected(server, o="-score")
    assert shown_ids(page, *everything) == everything[0]
    page.fill('input[name="search"]', "a")
    page.click('form.filters button[type="submit"]')
    searched = expected(server, o="-score", search="a")
    assert shown_ids(page, *searched) == searched[0]
    assert page.input_value('input[name="search"]') == "a"  # the form shows the filter in force


def test_the_coverage_view_links_into_the_filtered_list(server, page):
    open_view(page, server, "coverage")
    page.click('[data-link="single-threaded-list"]')
    single = expected(server, o="-score", t=True, single=True)
    assert shown_ids(page, *single) == single[0]
    assert page.input_value('select[name="single-threaded"]') == "true"

    open_view(page, server, "coverage")
    page.locator("table.heatmap th.role-name a").first.click()
    role = page.evaluate("new URLSearchParams(location.hash.split('?')[1]).get('missingRole')")
    missing = expected(server, o="-score", t=True, missing=role)
    assert shown_ids(page, *missing) == missing[0]
    assert page.input_value('select[name="missing-role"]') == role
