"""API identity check, the OpenAPI document for API clients, and its reference page for
signed-in staff (server-rendered: the CSP allows no inline script, and no CDN is used)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.web.access import SIGNED_IN, require
from safeshare.web.openapi import api_schema, describe_operations
from safeshare.web.routing import iter_routes
from safeshare.web.templating import render

router = APIRouter()
CONTRACT_READERS = require(Permission.API_CONTRACT_READ)


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    organisation_id: int | None


@router.get("/api/v1/me")
def me(principal: Annotated[Actor, Depends(SIGNED_IN)]) -> Me:
    return Me(
        username=principal.username,
        display_name=principal.display_name,
        role=str(principal.role),
        organisation_id=principal.organisation_id,
    )


@router.get("/api/v1/openapi.json", include_in_schema=False)
def openapi(
    request: Request, _principal: Annotated[Actor, Depends(CONTRACT_READERS)]
) -> dict[str, Any]:
    """The API contract (the `/api/` routes only, never the HTML pages)."""
    return _schema(request)


def _schema(request: Request) -> dict[str, Any]:
    return api_schema(request.app, iter_routes(request.app))


@router.get("/api-docs", include_in_schema=False)
def api_docs(request: Request, _principal: Annotated[Actor, Depends(CONTRACT_READERS)]) -> Response:
    """The API reference for staff who build or check integrations."""
    schema = _schema(request)
    return render(
        request,
        "api/docs.html",
        {"info": schema["info"], "operations": describe_operations(schema)},
    )


@router.get("/api-docs/openapi.json", include_in_schema=False)
def api_docs_download(
    request: Request, _principal: Annotated[Actor, Depends(CONTRACT_READERS)]
) -> JSONResponse:
    """The same document for a signed-in browser (the /api/ copy needs a bearer token)."""
    return JSONResponse(
        _schema(request),
        headers={"Content-Disposition": 'attachment; filename="safeshare-openapi.json"'},
    )
