"""Walking the app's routes, for the OpenAPI document, the 405 `Allow` header and the tests.

Its own module so that `web/errors.py` and the API routes can use it without importing the
app, which imports them (and every route module) in turn.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def iter_routes(app: FastAPI) -> Iterator[BaseRoute]:
    """Every route the app serves, looking inside included routers (FastAPI nests them)."""
    pending: list[BaseRoute] = list(app.routes)
    while pending:
        route = pending.pop(0)
        included: APIRouter | None = getattr(route, "original_router", None)
        if included is not None:
            pending.extend(included.routes)
        else:
            yield route


def iter_api_routes(app: FastAPI) -> Iterator[APIRoute]:
    """The routes FastAPI describes (JSON API and page routes alike)."""
    return (route for route in iter_routes(app) if isinstance(route, APIRoute))
