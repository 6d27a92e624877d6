"""Scorecards, target accounts and lead planning in the graph (SPEC §10).

- :mod:`~graphsvc.scorecards.account` — account scorecards, batched for many accounts;
- :mod:`~graphsvc.scorecards.program` — the program scorecard: lead funnel, ABM funnel, team SLAs;
- :mod:`~graphsvc.scorecards.velocity` — stage at a moment and funnel velocity from stage history;
- :mod:`~graphsvc.scorecards.targets` — lookalikes, target recommendations, setting targets;
- :mod:`~graphsvc.scorecards.planning` — lead plans with rates given or measured from the graph;
- :mod:`~graphsvc.scorecards.report` — the scorecard CSV of ``graphsvc report scorecard``.
"""

__all__: list[str] = []
