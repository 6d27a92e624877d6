"""Prometheus metrics of the API: GraphQL operations by name, and the database calls behind them.

Exposed at ``/metrics``:

- ``graphsvc_graphql_operations_total{operation, type, outcome}`` (outcome ``ok`` or ``error``);
- ``graphsvc_graphql_operation_seconds{operation}``, a histogram of operation latency;
- ``graphsvc_graphql_kept_answers_total``: the queries among them answered with a kept answer
  (:mod:`graphsvc.schema.answers`), without running resolvers;
- ``graphsvc_db_statements_total`` and ``graphsvc_db_seconds_total``: statements sent to the
  database and the time spent in them (their ratio is the mean statement latency);
- ``graphsvc_routing_subscribers``: routing subscriptions open in this process.

Operation names come from clients, so at most :data:`MAX_OPERATION_NAMES` distinct names get a
series of their own; later ones, and anonymous operations, are counted as ``other`` and
``anonymous``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graphsvc.routing import events
from graphsvc.store.database import Database

__all__ = ["MAX_OPERATION_NAMES", "ApiMetrics", "OperationMetrics"]

MAX_OPERATION_NAMES = 200


class _DatabaseCollector(Collector):
    """Reads the store's own counters, and the open subscriptions, at scrape time."""

    def __init__(self, database: Callable[[], Database | None]) -> None:
        self._database = database

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "graphsvc_routing_subscribers",
            "Routing subscriptions open in this process.",
            value=events.subscriber_count(),
        )
        db = self._database()
        if db is None:
            return
        yield CounterMetricFamily("graphsvc_db_statements", "Statements sent to the database.", value=db.round_trips)
        yield CounterMetricFamily("graphsvc_db_seconds", "Seconds spent in database calls.", value=db.seconds)


class ApiMetrics:
    """The metrics of one application, in their own registry.

    Parameters
    ----------
    database
        Returns the open store, or None before the application has started.
    """

    def __init__(self, database: Callable[[], Database | None]) -> None:
        self.registry = CollectorRegistry()
        self.operations = Counter(
            "graphsvc_graphql_operations",
            "GraphQL operations served.",
            ["operation", "type", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "graphsvc_graphql_operation_seconds",
            "Time to serve a GraphQL operation.",
            ["operation"],
            registry=self.registry,
        )
        self.kept_answers = Counter(
            "graphsvc_graphql_kept_answers",
            "GraphQL queries answered with an answer kept under the data version, without running resolvers.",
            registry=self.registry,
        )
        self.registry.register(_DatabaseCollector(database))
        self._names: set[str] = set()

    def observe(self, execution_context: ExecutionContext, seconds: float) -> None:
        """Count one finished operation."""
        name = self._label(execution_context.operation_name)
        try:
            kind = execution_context.operation_type.value
        except RuntimeError:  # the document did not parse
            kind = "unknown"
        result = execution_context.result
        outcome = "error" if result is None or getattr(result, "errors", None) else "ok"
        self.operations.labels(name, kind, outcome).inc()
        self.latency.labels(name).observe(seconds)

    def observe_kept(self, operation_name: str | None, seconds: float) -> None:
        """Count one query answered with a kept answer (always a query, always without errors)."""
        name = self._label(operation_name)
        self.operations.labels(name, "query", "ok").inc()
        self.latency.labels(name).observe(seconds)
        self.kept_answers.inc()

    def _label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name not in self._names and len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name


class OperationMetrics(SchemaExtension):
    """Times every operation and hands it to the request's :class:`ApiMetrics`, when there is one."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        metrics = getattr(self.execution_context.context, "metrics", None)
        if metrics is not None:
            metrics.observe(self.execution_context, time.perf_counter() - started)
