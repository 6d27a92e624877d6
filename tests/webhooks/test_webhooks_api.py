"""The webhook operations of the GraphQL API: ADMIN only, the secret shown once, clear refusals."""

import sys
from pathlib import Path

import pytest
from webhook_support import NOWHERE, import_rows

from graphsvc.schema import schema
from graphsvc.schema.context import Context
from graphsvc.webhooks.hooks import add_webhook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_graph import ADMIN, INTEGRATION, REP_ANN, STRATEGIST, codes, data_of, execute

pytestmark = pytest.mark.db

ADD = """mutation($url: String!, $events: [String!]!) {
  addWebhook(url: $url, events: $events) { id url events active secret }
}"""
LIST = "query { webhooks { id url events active secret } }"
LOG = """query($id: ID!, $first: Int, $after: String) {
  webhookDeliveries(webhookId: $id, first: $first, after: $after) {
    id event status attempts lastStatusCode lastAttemptAt lastError nextAttemptAt payload
  }
}"""
REMOVE = "mutation($id: ID!) { removeWebhook(id: $id) }"
REDELIVER = "mutation($id: ID!) { redeliver(deliveryId: $id) { id status attempts } }"


async def _add(db, url=NOWHERE, events=("lead.status_changed",)):
    return await execute(db, ADD, ADMIN, url=url, events=list(events))


@pytest.mark.parametrize(
    "caller", [STRATEGIST, REP_ANN, INTEGRATION, None], ids=["strategist", "rep", "integration", "none"]
)
async def test_only_admin_may_touch_webhooks(empty_db, caller):
    operations = [
        (ADD, {"url": "https://example.com/hook", "events": ["routing.decided"]}),
        (LIST, {}),
        (LOG, {"id": "wh-x"}),
        (REMOVE, {"id": "wh-x"}),
        (REDELIVER, {"id": "d-x"}),
    ]
    for query, variables in operations:
        result = await execute(empty_db, query, caller, **variables)
        assert codes(result) == ["FORBIDDEN"], (query, result)
        assert "may not manage webhooks" in result.errors[0].message
    assert (await empty_db.read("admin/node_counts")) == []  # nothing was written


async def test_the_secret_is_shown_once_and_the_log_pages_newest_first(empty_db):
    db = empty_db
    # Loopback is refused without the setting; the context carries it from GRAPHSVC_WEBHOOK_ALLOW_PRIVATE.
    result = await _add(db)
    assert codes(result) == ["INVALID_INPUT"]
    assert f"webhook url {NOWHERE!r} resolves to 127.0.0.1, which is loopback" in result.errors[0].message

    async def run(query, **variables):
        context = Context(db, ADMIN, webhook_allow_private=True)
        answer = await schema.execute(query, variable_values=variables, context_value=context)
        assert answer.errors is None, answer.errors
        return answer.data

    added = (await run(ADD, url=NOWHERE, events=["lead.status_changed", "lead.status_changed"]))["addWebhook"]
    assert added["url"] == NOWHERE and added["events"] == ["lead.status_changed"] and added["active"] is True
    assert len(added["secret"]) == 64
    listed = (await data_of(db, LIST))["webhooks"]
    assert listed == [{**added, "secret": None}]

    await import_rows(db, {"leads": [{"id": f"l-{i}"} for i in range(3)]})
    for status in ("MQL", "NURTURE"):
        await import_rows(db, {"leads": [{"id": f"l-{i}", "status": status} for i in range(3)]})
    everything = (await data_of(db, LOG, id=added["id"], first=10))["webhookDeliveries"]
    assert len(everything) == 6
    assert {(d["status"], d["attempts"], d["lastStatusCode"], d["lastAttemptAt"]) for d in everything} == {
        ("PENDING", 0, None, None)
    }
    # Newest first: the NURTURE moves, then the MQL ones.
    assert [d["payload"]["data"]["status"] for d in everything] == ["NURTURE"] * 3 + ["MQL"] * 3
    pages, after = [], None
    while True:
        page = (await data_of(db, LOG, id=added["id"], first=4, after=after))["webhookDeliveries"]
        if not page:
            break
        pages.append([d["id"] for d in page])
        after = page[-1]["id"]
    assert pages == [[d["id"] for d in everything[:4]], [d["id"] for d in everything[4:]]]

    redelivered = (await data_of(db, REDELIVER, id=everything[0]["id"]))["redeliver"]
    assert redelivered == {"id": everything[0]["id"], "status": "PENDING", "attempts": 0}
    assert (await data_of(db, REMOVE, id=added["id"]))["removeWebhook"] is True
    assert (await data_of(db, LIST))["webhooks"][0]["active"] is False
    assert {d["status"] for d in (await data_of(db, LOG, id=added["id"], first=10))["webhookDeliveries"]} == {
        "CANCELLED"
    }
    removed = await execute(db, REDELIVER, ADMIN, id=everything[0]["id"])
    assert codes(removed) == ["INVALID_INPUT"] and "was removed" in removed.errors[0].message


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("https://example.com/hook", [], "webhook events must name at least one of routing.decided"),
        ("https://example.com/hook", ["routing.decided", "lead.created"], "webhook events: unknown 'lead.created'"),
        ("ftp://example.com/hook", ["routing.decided"], "webhook url 'ftp://example.com/hook' must be http or https"),
        ("http://169.254.169.254/", ["routing.decided"], "resolves to 169.254.169.254, which is link-local"),
        ("http://10.0.0.7:8080/x", ["routing.decided"], "webhook url 'http://10.0.0.7:8080/x' resolves to 10.0.0.7"),
    ],
)
async def test_bad_webhooks_are_refused_naming_what_is_wrong(empty_db, url, events, message):
    result = await _add(empty_db, url, events)
    assert codes(result) == ["INVALID_INPUT"]
    assert message in result.errors[0].message
    assert (await data_of(empty_db, LIST))["webhooks"] == []


async def test_unknown_ids_are_not_found_and_a_foreign_cursor_is_invalid(empty_db):
    assert codes(await execute(empty_db, LOG, ADMIN, id="wh-none")) == ["NOT_FOUND"]
    assert codes(await execute(empty_db, REMOVE, ADMIN, id="wh-none")) == ["NOT_FOUND"]
    assert codes(await execute(empty_db, REDELIVER, ADMIN, id="d-none")) == ["NOT_FOUND"]
    hook = await add_webhook(empty_db, NOWHERE, ["routing.decided"], allow_private=True)
    result = await execute(empty_db, LOG, ADMIN, id=hook.id, after="evt-x:wh-y")
    assert codes(result) == ["INVALID_INPUT"]
    assert result.errors[0].message == f"after: 'evt-x:wh-y' is not a delivery of webhook {hook.id!r}"
