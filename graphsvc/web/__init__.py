"""The built-in dashboard, a static page served at ``/`` that uses only the public GraphQL API, and the
GraphiQL page served at ``/graphql``.

No build step: ``static/`` holds the ES modules as written, and ``static/vendor/`` the browser
builds of the npm packages pinned in ``package.json`` (copied there by ``vendor.sh``), so both pages
work without internet and what is served is what is reviewed.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.staticfiles import StaticFiles

__all__ = ["GRAPHIQL_CSP", "dashboard", "graphiql_page"]

# The GraphiQL page loads, and talks to, nothing but graphsvc (connect-src 'self' covers its WebSocket);
# its stylesheet carries its fonts inline. Nothing may frame it.
GRAPHIQL_CSP = (
    "default-src 'self'; font-src 'self' data:; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def dashboard() -> StaticFiles:
    """The dashboard's files, ``index.html`` answering ``/``."""
    return StaticFiles(directory=str(files("graphsvc.web") / "static"), html=True)


@cache
def graphiql_page() -> str:
    """The GraphiQL page's HTML; its scripts and styles are the dashboard's files under ``vendor/``."""
    return (files("graphsvc.web") / "graphiql.html").read_text(encoding="utf-8")
