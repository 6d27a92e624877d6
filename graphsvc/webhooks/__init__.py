"""Outbound webhooks: changes reported to HTTP receivers, signed, at least once.

- :mod:`~graphsvc.webhooks.events` — event names and payloads, and the outbox written with each change;
- :mod:`~graphsvc.webhooks.hooks` — webhooks and their delivery log in the graph;
- :mod:`~graphsvc.webhooks.delivery` — the worker ``serve`` runs: claims, signs, sends, retries;
- :mod:`~graphsvc.webhooks.targets` — the URLs a webhook may call (no private addresses).
"""

__all__: list[str] = []
