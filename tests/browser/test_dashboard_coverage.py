"""Browser: the coverage heatmap shows every target account's buying committee as the API answers it."""

import pytest
from dashboard_browser import dashboard_page, demo_server, graphql, number, open_view, screenshot, shown

pytestmark = pytest.mark.db

TARGET_COVERAGE = """
query { accounts(isTarget: true, first: 100) {
  totalCount
  edges { node { id name coverage {
    singleThreaded engagedContacts engagedCoverage
    roles { role known engaged contacts { name } }
  } } }
} }
"""

# Every row of the heatmap as the page shows it, read in one round trip.
READ_HEATMAP = """() => [...document.querySelectorAll('table.heatmap tbody tr')].map((row) => ({
  id: row.dataset.account,
  singleThreaded: row.dataset.singleThreaded === 'true',
  engagedContacts: row.querySelector('[data-metric="engaged-contacts"]').textContent,
  engagedCoverage: row.querySelector('[data-metric="engaged-coverage"]').textContent,
  cells: Object.fromEntries([...row.querySelectorAll('td[data-role]')].map(
    (cell) => [cell.dataset.role, [cell.dataset.state, cell.textContent.trim()]])),
}))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


def expected_state(role: dict) -> str:
    if role["engaged"]:
        return "engaged"
    return "known" if role["known"] else "missing"


def test_heatmap_shows_each_target_accounts_roles_as_the_api_does(server, page, tmp_path):
    targets = graphql(server, TARGET_COVERAGE)["accounts"]
    accounts = [edge["node"] for edge in targets["edges"]]
    assert targets["totalCount"] == len(accounts) > 0

    open_view(page, server, "coverage")
    page.locator("table.heatmap tbody tr").first.wait_for()
    rows = page.evaluate(READ_HEATMAP)

    assert sorted(row["id"] for row in rows) == sorted(account["id"] for account in accounts)
    by_id = {row["id"]: row for row in rows}
    for account in accounts:
        row, coverage = by_id[account["id"]], account["coverage"]
        assert row["singleThreaded"] is coverage["singleThreaded"], account["name"]
        assert number(row["engagedContacts"]) == coverage["engagedContacts"], account["name"]
        assert number(row["engagedCoverage"]) == shown(100 * coverage["engagedCoverage"]), account["name"]
        # Columns of roles another segment's template lists are marked as not in this one.
        in_template = {role: cell for role, cell in row["cells"].items() if cell[0] != "not-in-template"}
        assert in_template == {
            role["role"]: [expected_state(role), str(len(role["contacts"]) or "")] for role in coverage["roles"]
        }, account["name"]

    # Single-threaded accounts come first, and the summary counts them.
    single = {account["id"] for account in accounts if account["coverage"]["singleThreaded"]}
    assert {row["id"] for row in rows[: len(single)]} == single
    summary = page.locator('[data-metric="summary"]').inner_text()
    assert summary.startswith(f"{len(single)} of {len(accounts)} target accounts are single-threaded")
    screenshot(page, "coverage", tmp_path)

    page.check('input[name="single-only"]')
    assert sorted(row["id"] for row in page.evaluate(READ_HEATMAP)) == sorted(single)
