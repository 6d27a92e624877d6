"""The FastAPI application: GraphQL (and GraphiQL) at /graphql, /healthz, /readyz, Prometheus /metrics."""

from __future__ import annotations

import functools
import gc
import json
import logging
import multiprocessing
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import HTTPConnection
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ConnectionInitMessage
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from graphsvc.auth import (
    UNAUTHENTICATED_MESSAGE,
    WWW_AUTHENTICATE,
    ApiKeyGuard,
    ApiKeys,
    Caller,
    check_exposure,
)
from graphsvc.config import Settings, get_settings
from graphsvc.demo import load_demo
from graphsvc.duties import running_duties
from graphsvc.errors import DatabaseUnavailable
from graphsvc.ratelimit import TokenBuckets
from graphsvc.schema import create_schema
from graphsvc.schema.answers import KeptAnswers
from graphsvc.schema.context import Context
from graphsvc.schema.errors import failed
from graphsvc.schema.execution import until_disconnected
from graphsvc.schema.limits import DEFAULT_LIMITS, ApiLimits
from graphsvc.schema.metrics import ApiMetrics
from graphsvc.store import open_store
from graphsvc.store.connection import embedded_server
from graphsvc.store.embedded import EmbeddedServer, die_with_parent
from graphsvc.web import GRAPHIQL_CSP, dashboard, graphiql_page

__all__ = ["API_PATHS", "BodySizeLimit", "SecurityHeaders", "create_app", "worker_app"]

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def create_app(
    settings: Settings | None = None, *, demo: bool = False, limits: ApiLimits | None = None, worker: bool = False
) -> FastAPI:
    """Build the application; the store opens in its lifespan and closes on shutdown.

    Parameters
    ----------
    settings
        Configuration; read from the environment when omitted.
    demo
        Load the shipped demo data set when the database is empty.
    limits
        Page sizes, query depth, token, alias, cost, body size and time limits; when omitted the
        defaults, with the cost budget and the deadline from ``settings``.
    worker
        A worker process of ``graphsvc serve --workers``: its parent has started the embedded
        server (this process attaches to it) and applied the schema.

    Raises
    ------
    InvalidInput
        ``GRAPHSVC_API_KEYS`` is malformed, or no keys are configured and ``settings.host`` is not
        a loopback address.
    """
    settings = settings or get_settings()
    limits = limits or replace(
        DEFAULT_LIMITS, max_query_cost=settings.max_query_cost, request_seconds=settings.request_seconds
    )
    keys = ApiKeys.parse(settings.api_keys)
    check_exposure(keys, settings.host)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        attached: EmbeddedServer | None = None
        if worker and settings.embedded:
            attached = embedded_server(settings)
            attached.attach()
        try:
            async with open_store(settings, schema=not worker, server=attached) as db:
                if demo:
                    await load_demo(db)
                app.state.db = db
                async with running_duties(db, settings):
                    # What is alive once the application has started (modules, the schema, the driver)
                    # lives as long as the process: out of the collector's reach, a full collection walks
                    # only what requests left, instead of pausing every request for tens of milliseconds
                    # (Q2 at 16 clients: p99 86-90 -> 17-18 ms, 980 -> 1,175-1,248 requests/s).
                    gc.freeze()
                    yield
                app.state.db = None
        finally:
            if attached is not None:
                attached.stop()  # detaches: the parent's server runs on

    # No /docs, /redoc or /openapi.json: the API is GraphQL, described by its own (keyed) introspection.
    app = FastAPI(title="graphsvc", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = None
    metrics = ApiMetrics(lambda: app.state.db)

    # HTTPConnection, not Request: the same getter serves WebSocket subscriptions, which have no response.
    async def context_getter(connection: HTTPConnection, response: Response = None) -> Context:  # type: ignore[assignment]
        context = Context(
            connection.app.state.db,
            getattr(connection.state, "caller", None),
            limits=limits,
            import_batch_size=settings.import_batch_size,
            metrics=metrics,
            webhook_allow_private=settings.webhook_allow_private,
        )
        if response is not None:
            response.headers["X-Request-ID"] = context.request_id
        return context

    schema = create_schema(limits)
    app.include_router(
        _GraphQLRouter(
            schema,
            context_getter=context_getter,
            keys=keys,
            answers=KeptAnswers(schema, settings.answers_kept, limits.max_tokens),
        ),
        prefix="/graphql",
    )

    @app.get("/healthz")
    async def healthz() -> dict[str, str | int]:
        """The process is up; ``pid`` tells which worker process answered."""
        return {"status": "ok", "pid": os.getpid()}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """The database answers; 503 while it does not."""
        ready = await request.app.state.db.ping()
        return JSONResponse({"ready": ready}, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        """Prometheus text exposition of the API's and the database's counters."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # Mounted last: a mount at / would otherwise answer the paths above.
    app.mount("/", dashboard(), name="dashboard")

    # The last added runs first: an oversized body is refused before anything else reads it, and every
    # answer, refusals included, carries the security headers.
    rate = settings.rate_limit_per_second
    app.add_middleware(
        ApiKeyGuard,
        keys=keys,
        rate_limits=TokenBuckets(rate, settings.rate_limit_burst) if rate else None,
        allowed_origins=frozenset(settings.cors_origins),
    )
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    if settings.cors_origins:
        # Only the origins named may read answers from a browser; without any, browsers keep to same-origin.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders)
    return app


def worker_app() -> FastAPI:
    """The application of one worker process of ``graphsvc serve --workers`` (a uvicorn app factory).

    Settings come from the environment, which the parent has completed with its command-line options.
    """
    parent = multiprocessing.parent_process()
    if parent is not None:
        die_with_parent()  # a worker outlives neither its parent nor the database the parent runs
        if not parent.is_alive():
            raise SystemExit("graphsvc serve exited while this worker started")
    return create_app(get_settings(), worker=True)


# The API's own answers, which are never to be cached (the dashboard's static files may be).
API_PATHS = ("/graphql", "/healthz", "/readyz", "/metrics")


class SecurityHeaders:
    """ASGI middleware: every answer is ``nosniff`` and may not be framed; API answers are not stored."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", b"frame-ancestors 'none'"),
        ]
        if scope["path"].startswith(API_PATHS):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                message["headers"] = [*message.get("headers", ()), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodySizeLimit:
    """ASGI middleware: answers 413 to a request whose body exceeds ``max_bytes``.

    The body is read (up to the limit) before the application sees it, so a chunked upload
    without ``Content-Length`` is bounded too; GraphQL bodies are read whole anyway.
    """

    def __init__(self, app: App, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay(message, receive), send)
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay({"type": "http.request", "body": bytes(body), "more_body": False}, receive), send)

    async def _refuse(self, send: Send) -> None:
        detail = f"request body larger than {self.max_bytes} bytes".encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(detail)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": detail})


class _LegacyGraphQLWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The legacy ``graphql-ws`` protocol, closing a connection without a valid key with 4403 like
    ``graphql-transport-ws`` does (strawberry's own handler closes it with 1011, a server error)."""

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.view.connection_caller(self.context, message.get("payload")) is None:
            await self.send_message({"type": "connection_error", "payload": {"message": UNAUTHENTICATED_MESSAGE}})
            await self.websocket.close(code=4403, reason="Forbidden")
            return
        await super().handle_connection_init(message)


class _GraphQLRouter(GraphQLRouter):
    """strawberry's router, answering 400 rather than 500 to a body that is not UTF-8 or nests too deep to
    parse, refusing (401) to run any operation without a caller, authenticating WebSockets that
    bring their key in ``connection_init`` (see ApiKeyGuard), and serving graphsvc's own GraphiQL page."""

    graphql_ws_handler_class = _LegacyGraphQLWSHandler

    def __init__(self, *args: Any, keys: ApiKeys, answers: KeptAnswers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys = keys
        self.answers = answers

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        # Decided on the request as strawberry reads it: without a caller, only the GraphiQL page (no data).
        if (
            isinstance(request, Request)
            and getattr(request.state, "caller", None) is None
            and not self.should_render_graphql_ide(self.request_adapter_class(request))
        ):
            log.info("refused %s %s: missing or unknown API key", request.method, request.url.path)
            return JSONResponse(
                {"errors": [{"message": UNAUTHENTICATED_MESSAGE, "extensions": {"code": "UNAUTHENTICATED"}}]},
                status_code=401,
                headers={"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        return await super().run(request, context, root_value)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        # strawberry's page loads GraphiQL from a CDN; this one from graphsvc's own files, so it works offline.
        return HTMLResponse(graphiql_page(), headers={"Content-Security-Policy": GRAPHIQL_CSP})

    def connection_caller(self, context: Context, params: object) -> Caller | None:
        """The caller of a WebSocket: the upgrade request's key, else the ``connection_init`` payload's."""
        return context.caller or self.keys.authenticate_connection(params)

    async def on_ws_connect(self, context: Context) -> None:
        caller = self.connection_caller(context, context.connection_params)
        if caller is None:
            log.info("refused a WebSocket connection: missing or unknown API key in connection_init")
            raise ConnectionRejectionError({"message": UNAUTHENTICATED_MESSAGE})
        context.caller = caller

    async def execute_operation(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        # Work for a client that hung up is cancelled, not finished for nobody.
        return await until_disconnected(
            super().execute_operation(request, *args, **kwargs),
            request.receive,
            lambda: ExecutionResult(data=None, errors=[GraphQLError("client disconnected")]),
        )

    async def execute_single(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        # A timeless query asked again at the same data version is answered from memory (graphsvc.schema.answers).
        started = time.perf_counter()
        context, data = kwargs["context"], kwargs["request_data"]

        def kept(operation: str | None) -> None:
            if context.metrics is not None:
                context.metrics.observe_kept(operation, time.perf_counter() - started)

        answer = functools.partial(super().execute_single, request, *args, **kwargs)
        try:
            return await self.answers.answer(context.db, self.answers.key(context.caller, data), answer, kept)
        except DatabaseUnavailable as exc:  # reading the data version failed; the resolvers' own failures are answers
            return failed(exc, context)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except (UnicodeDecodeError, RecursionError) as exc:
            # strawberry turns a JSONDecodeError into "400 Unable to parse request body as JSON".
            raise json.JSONDecodeError(f"unreadable body: {type(exc).__name__}", "", 0) from exc


def _replay(first: Message, receive: Receive) -> Receive:
    """A ``receive`` that returns ``first`` once, then reads on from ``receive``."""
    pending = [first]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
