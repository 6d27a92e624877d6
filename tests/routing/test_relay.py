"""The shared channel (SPEC §1): subscribers of one graphsvc process hear the routing decisions
another process stores, through the database, once each."""

import asyncio
import os
import subprocess
import sys

import pytest
from conftest import GUARD
from routing_graph import T0, load_sales_graph

from graphsvc.routing import events
from graphsvc.routing.decisions import DecisionStatus, read_decision
from graphsvc.routing.sla import accept_decision
from graphsvc.store.embedded import DATABASE_NAME, ROOT_USER

pytestmark = pytest.mark.db


async def _nothing_more(feed: events.DecisionFeed, seconds: float) -> bool:
    waiting = asyncio.ensure_future(anext(feed))
    await asyncio.sleep(seconds)
    heard = waiting.done()
    waiting.cancel()
    return not heard


async def test_a_decision_another_process_stores_reaches_subscribers_here_once(embedded, empty_db):
    await load_sales_graph(empty_db)
    everything, anns, cats = events.subscribe(), events.subscribe("u-ann"), events.subscribe("u-cat")
    relay = asyncio.ensure_future(events.relay_loop(empty_db, interval_seconds=0.1))
    try:
        # Another process, as another graphsvc instance would, routes a lead on the same database.
        environment = {
            **os.environ,
            "GRAPHSVC_NEO4J_URI": str(embedded.status()["bolt_uri"]),
            "GRAPHSVC_NEO4J_USER": ROOT_USER,
            "GRAPHSVC_NEO4J_PASSWORD": embedded.password(),
            "GRAPHSVC_NEO4J_DATABASE": DATABASE_NAME,
        }
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "graphsvc", "route", "l-55"],
            env=environment,
            check=True,
            capture_output=True,
        )
        heard = await asyncio.wait_for(anext(everything), GUARD)
        assert heard.lead_id == "l-55" and heard.assignee_id == "u-ann" and heard.status is DecisionStatus.PENDING
        assert heard == await read_decision(empty_db, heard.id)
        assert await asyncio.wait_for(anext(anns), GUARD) == heard
        assert await _nothing_more(cats, 0.5)  # not Cat's

        # Accepted here: published here at once, and the relay, seeing it in the database, does not repeat it.
        accepted = await accept_decision(empty_db, heard.id)
        assert await asyncio.wait_for(anext(everything), GUARD) == accepted
        assert await _nothing_more(everything, 1.0)  # ten relay passes
    finally:
        relay.cancel()
        for feed in (everything, anns, cats):
            feed.close()


async def test_without_subscribers_the_relay_reads_nothing(empty_db):
    await load_sales_graph(empty_db)
    before = empty_db.round_trips
    assert await events.relay_changes(empty_db, since=T0) == 0
    assert empty_db.round_trips == before
