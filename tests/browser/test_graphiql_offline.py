"""Browser: the GraphiQL page at /graphql works with no internet.

Every request the page makes to a host other than the server's loopback address is aborted, as
on a machine without internet; the page must still load whole (its scripts and styles come from
graphsvc), run a query with the API key typed into its headers editor, and run a subscription
over its WebSocket (the key travels in ``connection_init``). A CSP violation or a failed request
fails the test too.
"""

import csv
import json
from importlib.resources import files
from urllib.parse import urlsplit

import pytest
from dashboard_browser import dashboard_page, demo_server, graphql, until_subscribed
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.db

KEY = "graphiql-admin-key-0123456789"
ACCOUNT = "acc-00013"
NEW_LEADS = "{ accounts(first: 100) { edges { node { leads(status: NEW, first: 1) { edges { node { id } } } } } } }"
ROUTE = "mutation($id: ID!) { routeLead(leadId: $id) { id } }"


def _name_in_the_demo_data(account_id: str) -> str:
    with (files("graphsvc.seeds") / "demo" / "accounts.csv").open(encoding="utf-8") as handle:
        return next(row["name"] for row in csv.DictReader(handle) if row["id"] == account_id)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with demo_server(tmp_path_factory, env={"GRAPHSVC_API_KEYS": json.dumps({KEY: {"role": "ADMIN"}})}) as server:
        yield server


class Offline:
    """What the page asked of the internet (aborted), and what failed or was refused on the way."""

    def __init__(self, page: Page) -> None:
        self.aborted: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        page.context.route("**/*", self._route)
        page.on("requestfailed", lambda request: self.failed.append(f"{request.url}: {request.failure}"))
        page.on("response", self._answered)
        # A CSP violation is reported on the console.
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))

    def _route(self, route) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.aborted.append(route.request.url)
            route.abort("internetdisconnected")

    def _answered(self, response) -> None:
        # The page asks for the schema as it opens, before a key is typed: the API refuses that (401, by design).
        refused = response.status == 401 and urlsplit(response.url).path == "/graphql"
        if response.status >= 400 and not refused:
            self.failed.append(f"{response.url}: {response.status}")

    def assert_nothing_missing(self) -> None:
        assert self.aborted == [], f"the page asked the internet for {self.aborted}"
        assert self.failed == [], f"requests failed: {self.failed}"
        # Chromium logs each refusal as "Failed to load resource: ... 401"; nothing else may reach the console.
        assert [text for text in self.console_errors if "status of 401" not in text] == [], self.console_errors


@pytest.fixture
def page(tmp_path_factory):
    with dashboard_page(tmp_path_factory) as page:
        yield page


def type_into(page: Page, editor: str, text: str) -> None:
    """Type ``text`` into one of GraphiQL's editors as a person would, replacing what it held."""
    page.locator(f"{editor} .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    # CodeMirror closes brackets and quotes as they are typed: what it holds must be what was meant.
    held = page.evaluate(f"document.querySelector('{editor} .CodeMirror').CodeMirror.getValue()")
    assert held == text


def open_graphiql(page: Page, server) -> Offline:
    offline = Offline(page)
    offline.page_headers = page.goto(f"{server.url}/graphql").headers
    expect(page.locator(".graphiql-query-editor .CodeMirror")).to_be_visible()
    type_into(
        page, ".graphiql-editor-tool .graphiql-editor:not(.hidden)", json.dumps({"Authorization": f"Bearer {KEY}"})
    )
    return offline


def test_the_page_runs_a_query_with_no_internet(server, page):
    offline = open_graphiql(page, server)
    type_into(page, ".graphiql-query-editor", f'{{ account(id: "{ACCOUNT}") {{ name }} }}')
    page.locator(".graphiql-execute-button").click()

    expect(page.locator(".graphiql-response")).to_contain_text(f'"name": "{_name_in_the_demo_data(ACCOUNT)}"')
    offline.assert_nothing_missing()
    policy = offline.page_headers["content-security-policy"]
    assert policy.startswith("default-src 'self';") and "frame-ancestors 'none'" in policy


def test_the_page_runs_a_subscription_over_its_websocket(server, page):
    offline = open_graphiql(page, server)
    type_into(page, ".graphiql-query-editor", "subscription { routingDecisions { id } }")
    with page.expect_websocket() as opened:
        page.locator(".graphiql-execute-button").click()
    assert opened.value.url == f"ws://127.0.0.1:{server.port}/graphql"

    # The decision is routed once the server has registered the page's subscription (a subscriber
    # hears only what follows).
    until_subscribed(server, KEY)
    accounts = graphql(server, NEW_LEADS, key=KEY)["accounts"]["edges"]
    lead = next(edge["node"]["id"] for account in accounts for edge in account["node"]["leads"]["edges"])
    decision = graphql(server, ROUTE, key=KEY, id=lead)["routeLead"]["id"]

    expect(page.locator(".graphiql-response")).to_contain_text(f'"id": "{decision}"')
    offline.assert_nothing_missing()
