"""Browser: the read-only Rules view shows each kind's document in force, with its body, and its history."""

import json

import pytest
from dashboard_browser import dashboard_page, demo_server, graphql, open_view, screenshot
from playwright.sync_api import Page, expect

from graphsvc.documents import DocumentKind

pytestmark = pytest.mark.db

VERSIONS = "query($kind: String!) { documents(kind: $kind) { version active savedAt document } }"
SET = "mutation($kind: String!, $document: JSON!) { setDocument(kind: $kind, document: $document) { version } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


def rows(page: Page) -> list[tuple[int, bool, bool]]:
    """(version, in force, chosen) of each history row, top to bottom."""
    found = page.evaluate(
        """() => [...document.querySelectorAll('table.versions tbody tr')].map((row) =>
             [Number(row.dataset.version), row.dataset.active === 'true', row.getAttribute('aria-selected') === 'true'])"""
    )
    return [tuple(row) for row in found]


def shown_document(page: Page, kind: str, version: int) -> dict:
    body = page.locator(f'pre.document[data-kind="{kind}"][data-version="{version}"]')
    body.wait_for()
    return json.loads(body.inner_text())


def test_a_fresh_demo_shows_each_shipped_default_as_version_1_with_its_body(server, page, tmp_path):
    open_view(page, server, "rules")
    for kind in DocumentKind:
        page.click(f'nav.kinds a[data-kind="{kind}"]')
        expect(page.locator(f'pre.document[data-kind="{kind}"]')).to_be_visible()
        [listed] = graphql(server, VERSIONS, kind=str(kind))["documents"]
        assert (listed["version"], listed["active"]) == (1, True)
        assert rows(page) == [(1, True, True)], kind
        assert shown_document(page, str(kind), 1) == listed["document"], kind
        assert listed["document"]["version"] == 1 and len(listed["document"]) > 1, kind
        if kind == DocumentKind.SCORING:
            screenshot(page, "rules", tmp_path)


def test_a_new_version_is_shown_in_force_and_the_older_one_stays_readable(server, page):
    [shipped] = graphql(server, VERSIONS, kind="routing")["documents"]
    changed = {key: value for key, value in shipped["document"].items() if key != "version"}
    changed["escalation_depth"] = 3
    assert graphql(server, SET, kind="routing", document=changed)["setDocument"]["version"] == 2

    open_view(page, server, "rules/routing")
    expect(page.locator('pre.document[data-kind="routing"][data-version="2"]')).to_be_visible()
    assert rows(page) == [(2, True, True), (1, False, False)]
    assert shown_document(page, "routing", 2)["escalation_depth"] == 3
    expect(page.locator(".document-versions h3").nth(1)).to_have_text("routing version 2 in force")

    page.click('table.versions tr[data-version="1"] button')
    assert shown_document(page, "routing", 1) == shipped["document"]
    assert rows(page) == [(2, True, False), (1, False, True)]
    expect(page.locator(".document-versions h3").nth(1)).to_have_text("routing version 1 not in force")
