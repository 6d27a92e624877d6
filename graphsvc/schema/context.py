"""The per-request GraphQL context: the store, the caller, the request's DataLoaders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from strawberry.fastapi import BaseContext

from graphsvc.auth import Caller
from graphsvc.schema.limits import DEFAULT_LIMITS, ApiLimits
from graphsvc.schema.loaders import Loaders
from graphsvc.schema.metrics import ApiMetrics
from graphsvc.store.database import Database

__all__ = ["Context"]


class Context(BaseContext):
    """Built once per request; resolvers reach the store and the caller through it.

    Parameters
    ----------
    db
        The store.
    caller
        Who is asking; None only for the unauthenticated GraphiQL page, which runs no operation.
    limits
        Page sizes and other bounds.
    import_batch_size
        Rows per transaction for ``importRecords``.
    request_id
        Correlates masked errors with the log; generated when omitted.
    metrics
        Where operations are counted; None outside the application (tests).
    webhook_allow_private
        ``addWebhook`` accepts targets at private addresses (``GRAPHSVC_WEBHOOK_ALLOW_PRIVATE``).
    """

    def __init__(
        self,
        db: Database,
        caller: Caller | None,
        *,
        limits: ApiLimits = DEFAULT_LIMITS,
        import_batch_size: int = 5000,
        request_id: str | None = None,
        metrics: ApiMetrics | None = None,
        webhook_allow_private: bool = False,
    ) -> None:
        super().__init__()
        self.db = db
        self.caller = caller
        self.limits = limits
        self.import_batch_size = import_batch_size
        self.request_id = request_id or uuid.uuid4().hex
        self.metrics = metrics
        self.webhook_allow_private = webhook_allow_private
        self.loaders = Loaders(db)
        # One moment per request: every score in one answer is computed at the same "now".
        self.now = datetime.now(UTC)
