"""What the dashboard's browser tests share: a demo server, a headless Chromium page, the API.

Each test module starts its own ``graphsvc serve --demo`` (a ServeProcess on a free port and its
own data directory) and drives Debian's Chromium through Playwright's Python client; Playwright's
own browsers are never downloaded. Numbers on the page are compared with the API's answers to the
same question, read by the test over HTTP.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import GUARD, ServeProcess
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOT_HEIGHT = 1600
VIEWPORT = {"width": 1360, "height": 900}
# Playwright waits this long (ms) for text to appear; a view may read many accounts' committees,
# and the program scorecard takes seconds on a loaded two-core machine.
PATIENCE_MS = 60_000
expect.set_options(timeout=PATIENCE_MS)


@contextmanager
def demo_server(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None) -> Iterator[ServeProcess]:
    """``graphsvc serve --demo`` with its own data directory, stopped afterwards."""
    server = ServeProcess(tmp_path_factory.mktemp("dashboard") / "data", "--demo", env=env)
    try:
        server.wait_ready(timeout=300)
        yield server
    finally:
        server.stop()


@contextmanager
def dashboard_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """A page in a headless Chromium with a fresh profile (user data directory)."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(PATIENCE_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            yield page
        finally:
            context.close()
        # An exception in the page's scripts fails the module even when the checks passed.
        assert errors == [], f"errors in the page: {errors}"


def open_view(page: Page, server: ServeProcess, view: str) -> None:
    """Load the dashboard afresh at ``#/<view>`` (a new hash alone would not reload the page)."""
    page.goto("about:blank")
    page.goto(f"{server.url}/#/{view}")


def open_signed_in(page: Page, server: ServeProcess, view: str, key: str) -> None:
    """Open a view with an API key already in the tab, as after signing in."""
    page.goto(f"{server.url}/healthz")
    page.evaluate("(key) => sessionStorage.setItem('graphsvc.apiKey', key)", key)
    open_view(page, server, view)


def graphql(server: ServeProcess, query: str, key: str | None = None, **variables: object) -> dict:
    """The data of an API answer; any error fails the test."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.post(
        f"{server.url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=120
    )
    response.raise_for_status()
    answer = response.json()
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


def until_subscribed(server: ServeProcess, key: str | None = None, at_least: int = 1) -> None:
    """Wait until the server holds ``at_least`` routing subscriptions (its ``/metrics`` gauge says so).

    A subscriber hears only decisions made after the server registered it: a page that has sent
    its ``subscribe`` message may not be registered yet.
    """
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    deadline = time.monotonic() + GUARD
    while True:
        text = httpx.get(f"{server.url}/metrics", headers=headers, timeout=120).text
        found = re.search(r"^graphsvc_routing_subscribers (\S+)$", text, re.MULTILINE)
        assert found, "the server exports no graphsvc_routing_subscribers gauge"
        if float(found.group(1)) >= at_least:
            return
        assert time.monotonic() < deadline, f"no routing subscriber registered within {GUARD} s"
        time.sleep(0.05)


def number(text: str) -> float:
    """The number a cell shows: "1,234", "25.0%", "$651,704,000", "-3.5"."""
    found = numbers(text)
    assert found, f"no number in {text!r}"
    return found[0]


def numbers(text: str) -> list[float]:
    """Every number in a text such as "3 (42.9%)", in order."""
    return [float(found.replace(",", "")) for found in re.findall(r"-?[\d,]*\.?\d+", text)]


def label(value: str | None) -> str:
    """An enum value as the page words it (format.js): "END_USER" → "End user", "MQA" → "MQA"."""
    if value is None:
        return "—"
    words = " ".join(word if word in {"ABM", "MQA", "MQL", "SAL", "SQL"} else word.lower() for word in value.split("_"))
    return words[0].upper() + words[1:]


def shown(expected: float | None, digits: int = 1, later: float | None = None) -> object:
    """What a cell showing ``expected`` to ``digits`` decimals must parse to (— for None).

    A figure that moves with time (a decayed score) is read from the API before the page read it
    (``expected``) and after (``later``): the cell shows a value between the two, rounded.
    """
    if expected is None:
        return None
    later = expected if later is None else later
    return pytest.approx((expected + later) / 2, abs=0.5 * 10**-digits + abs(later - expected) / 2 + 1e-9)


def cell_value(page: Page, selector: str) -> float | None:
    """The number in the cell ``selector`` finds, None for a dash."""
    text = page.locator(selector).inner_text().strip()
    return None if text == "—" else number(text)


def screenshot(page: Page, view: str, scratch: Path) -> Path:
    """Save a screenshot of the view as ``<view>.png``.

    It goes to docs/screenshots/ (the README's pictures) when ``GRAPHSVC_SCREENSHOTS=update``, else to
    ``scratch``, so an ordinary test run leaves the repository as it was.
    """
    updating = os.environ.get("GRAPHSVC_SCREENSHOTS") == "update"
    path = (SCREENSHOTS if updating else scratch) / f"{view}.png"
    # The top of a long view tells what it is; the whole of it would weigh a megabyte.
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_HEIGHT)
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})
    if updating:
        assert path.stat().st_size < 300_000, f"{path.name} is {path.stat().st_size} bytes: keep README pictures small"
    return path
