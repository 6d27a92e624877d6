"""Lead routing and team SLAs (SPEC §9).

- :mod:`~graphsvc.routing.engine` — ``route_lead``: path, rule and assignee of one lead;
- :mod:`~graphsvc.routing.round_robin` — smooth weighted round robin kept in the graph;
- :mod:`~graphsvc.routing.decisions` — the decision record, stored and read;
- :mod:`~graphsvc.routing.sla` — accept, reject, the SLA sweep that escalates and recycles;
- :mod:`~graphsvc.routing.events` — publication of every decision to subscribers;
- :mod:`~graphsvc.routing.metrics` — team SLA metrics by path;
- :mod:`~graphsvc.routing.backtest` — stored leads replayed through the rules in force.
"""

__all__: list[str] = []
