"""The delivery worker against a real HTTP receiver and the real database, in this process.

The receiver (``receiver.py``) answers 204, or 500 while it "fails", or nothing while it "hangs".
Retry waits and timeouts are shortened through the settings; every wait is on a condition.
"""

import asyncio
import json
from contextlib import asynccontextmanager

import pytest
from conftest import GUARD
from receiver import ReceiverServer
from webhook_support import deliveries, import_rows

from graphsvc.config import Settings
from graphsvc.webhooks.delivery import delivery_loop
from graphsvc.webhooks.hooks import add_webhook, read_delivery, redeliver

pytestmark = pytest.mark.db

FAST = {
    "webhook_poll_seconds": 0.05,
    "webhook_timeout_seconds": 0.5,
    "webhook_retry_base_seconds": 0.05,
    "webhook_retry_max_delay_seconds": 0.2,
    "webhook_retry_seconds": 600,
    "webhook_allow_private": True,
}


def _settings(**overrides):
    return Settings(_env_file=None, **{**FAST, **overrides})


@pytest.fixture
def receiver():
    with ReceiverServer() as running:
        yield running


@asynccontextmanager
async def _workers(db, count=1, **overrides):
    """``count`` delivery loops on ``db``, as ``count`` serve processes would run them."""
    tasks = [asyncio.create_task(delivery_loop(db, _settings(**overrides))) for _ in range(count)]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _until(check, guard=GUARD):
    """Wait until the (async) ``check`` returns something true; return it."""
    async with asyncio.timeout(guard):
        while not (result := await check()):
            await asyncio.sleep(0.02)
    return result


async def _status_changes(db, *statuses, prefix="l"):
    """One lead per status, imported NEW and then moved to it: one lead.status_changed event each."""
    ids = [f"{prefix}-{i}" for i in range(len(statuses))]
    await import_rows(db, {"leads": [{"id": lead_id} for lead_id in ids]})
    await import_rows(db, {"leads": [{"id": i, "status": s} for i, s in zip(ids, statuses, strict=True)]})


def _settled(db, hook_id, count, status="DELIVERED"):
    async def check():
        found = await deliveries(db, hook_id)
        return found if len(found) == count and all(d.status == status for d in found) else None

    return check


async def test_events_arrive_signed_once_per_event_and_webhook_with_stable_ids(empty_db, receiver):
    db = empty_db
    first = await add_webhook(db, receiver.url, ["lead.status_changed"], allow_private=True)
    second = await add_webhook(db, receiver.url + "2", ["lead.status_changed"], allow_private=True)
    await _status_changes(db, "MQL", "NURTURE", "DISQUALIFIED")
    async with _workers(db):
        logs = {hook.id: await _until(_settled(db, hook.id, 3)) for hook in (first, second)}

    requests = receiver.requests()
    assert len(requests) == 6  # 3 events × 2 webhooks, once each
    secrets = {"/hook": first.secret, "/hook2": second.secret}
    for request in requests:
        assert request.signed_with(secrets[request.path])
        assert not request.signed_with(secrets["/hook2" if request.path == "/hook" else "/hook"])
        assert request.headers["content-type"] == "application/json"
        assert request.headers["x-graphsvc-event"] == "lead.status_changed"
    # The body is the stored payload byte for byte; the delivery header names the delivery.
    for hook, path in ((first, "/hook"), (second, "/hook2")):
        sent = {r.headers["x-graphsvc-delivery"]: r for r in requests if r.path == path}
        assert set(sent) == {d.id for d in logs[hook.id]}
        for delivery in logs[hook.id]:
            assert json.loads(sent[delivery.id].body) == delivery.payload
            assert (delivery.attempts, delivery.last_status_code, delivery.last_error) == (1, 204, None)
            assert delivery.last_attempt_at is not None and delivery.next_attempt_at is None
    # Each webhook got every event once, under the same event ids.
    assert sorted(receiver.delivered_ids("/hook")) == sorted(receiver.delivered_ids("/hook2"))
    assert len(set(receiver.delivered_ids("/hook"))) == 3
    assert sorted({r.payload["data"]["status"] for r in requests}) == ["DISQUALIFIED", "MQL", "NURTURE"]


async def test_a_receiver_outage_is_retried_until_it_recovers(empty_db, receiver):
    db = empty_db
    hook = await add_webhook(db, receiver.url, ["lead.status_changed"], allow_private=True)
    receiver.fail()
    await _status_changes(db, "MQL")
    async with _workers(db):
        [failing] = await _until(_settled(db, hook.id, 1, "PENDING"))
        await _until(lambda: _recorded_attempts(db, failing.id, 3))
        during = (await read_delivery(db, failing.id))[0]
        assert (during.status, during.last_status_code, during.last_error) == ("PENDING", 500, "HTTP 500")
        assert during.next_attempt_at is not None
        receiver.recover()
        [delivered] = await _until(_settled(db, hook.id, 1))

    assert receiver.delivered_ids() == [delivered.payload["id"]]  # once, after the outage
    assert delivered.attempts == len(receiver.requests()) >= 4
    assert {r.payload["id"] for r in receiver.requests()} == {delivered.payload["id"]}  # one id on every retry
    assert (delivered.last_status_code, delivered.last_error) == (204, None)


async def _recorded_attempts(db, delivery_id, at_least):
    return (await read_delivery(db, delivery_id))[0].attempts >= at_least


async def test_a_hanging_receiver_times_out_and_gets_the_event_once_it_answers(empty_db, receiver):
    db = empty_db
    hook = await add_webhook(db, receiver.url, ["lead.status_changed"], allow_private=True)
    receiver.hang()
    await _status_changes(db, "MQL")
    async with _workers(db):
        [waiting] = await _until(_settled(db, hook.id, 1, "PENDING"))
        await _until(lambda: _recorded_attempts(db, waiting.id, 1))
        timed_out = (await read_delivery(db, waiting.id))[0]
        assert (timed_out.last_status_code, timed_out.last_error) == (None, "no answer within 0.5 s")
        receiver.recover()
        [delivered] = await _until(_settled(db, hook.id, 1))
    assert receiver.delivered_ids() == [delivered.payload["id"]]
    assert all(r.answered is None for r in receiver.requests()[:-1])  # the hung ones were never answered


async def test_a_delivery_fails_after_its_retry_window_and_redeliver_sends_it_again(empty_db, receiver):
    db = empty_db
    hook = await add_webhook(db, receiver.url, ["lead.status_changed"], allow_private=True)
    receiver.fail()
    await _status_changes(db, "MQL")
    async with _workers(db, webhook_retry_seconds=0):  # no retry fits in the window
        [failed] = await _until(_settled(db, hook.id, 1, "FAILED"))
        assert (failed.attempts, failed.last_status_code, failed.next_attempt_at) == (1, 500, None)
        receiver.recover()
        again = await redeliver(db, failed.id)
        assert (again.status, again.attempts) == ("PENDING", 1)
        [delivered] = await _until(_settled(db, hook.id, 1))
    assert delivered.attempts == 2
    assert receiver.delivered_ids() == [failed.payload["id"]]


async def test_several_workers_on_one_database_deliver_each_event_once_between_them(empty_db, receiver):
    db = empty_db
    hook = await add_webhook(db, receiver.url, ["lead.status_changed"], allow_private=True)
    await _status_changes(db, *["MQL"] * 20)
    async with _workers(db, count=3):
        await _until(_settled(db, hook.id, 20))
    ids = receiver.delivered_ids()
    assert len(ids) == len(set(ids)) == 20
    assert len(receiver.requests()) == 20


async def test_a_target_that_resolves_to_a_private_address_at_delivery_time_is_not_called(empty_db, receiver):
    db = empty_db
    # Added while private addresses were allowed (or while its name resolved elsewhere).
    hook = await add_webhook(db, receiver.url, ["lead.status_changed"], allow_private=True)
    await _status_changes(db, "MQL")
    async with _workers(db, webhook_allow_private=False):
        [refused] = await _until(_settled(db, hook.id, 1, "PENDING"))
        await _until(lambda: _recorded_attempts(db, refused.id, 1))
    refused = (await read_delivery(db, refused.id))[0]
    assert refused.last_status_code is None
    assert f"webhook url {receiver.url!r} resolves to 127.0.0.1, which is loopback" in refused.last_error
    assert receiver.requests() == []
