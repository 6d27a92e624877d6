"""The FastAPI application: GraphQL at /graphql, health at /healthz, readiness at /readyz."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from strawberry.fastapi import GraphQLRouter

from graphsvc.config import Settings, get_settings
from graphsvc.demo import load_demo
from graphsvc.schema import schema
from graphsvc.schema.context import Context
from graphsvc.store import open_store

__all__ = ["create_app"]

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, demo: bool = False) -> FastAPI:
    """Build the application; the store opens in its lifespan and closes on shutdown.

    Parameters
    ----------
    settings
        Configuration; read from the environment when omitted.
    demo
        Load the shipped demo data set when the database is empty.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_store(settings) as db:
            if demo:
                await load_demo(db)
            app.state.db = db
            yield

    app = FastAPI(title="graphsvc", version="0.1.0", lifespan=lifespan)

    async def context_getter(request: Request) -> Context:
        return Context(request.app.state.db)

    app.include_router(GraphQLRouter(schema, context_getter=context_getter), prefix="/graphql")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """The database answers; 503 while it does not."""
        ready = await request.app.state.db.ping()
        return JSONResponse({"ready": ready}, status_code=200 if ready else 503)

    return app
