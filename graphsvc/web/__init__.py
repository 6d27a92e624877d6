"""The built-in dashboard: a static page served at ``/`` that uses only the public GraphQL API.

No build step: ``static/`` holds the ES modules as written, and ``static/vendor/`` the browser
builds of the npm packages pinned in ``package.json`` (copied there by ``vendor.sh``), so the page
works without internet and what is served is what is reviewed.
"""

from __future__ import annotations

from importlib.resources import files

from starlette.staticfiles import StaticFiles

__all__ = ["dashboard"]


def dashboard() -> StaticFiles:
    """The dashboard's files, ``index.html`` answering ``/``."""
    return StaticFiles(directory=str(files("graphsvc.web") / "static"), html=True)
