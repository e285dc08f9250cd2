"""API identity check and the OpenAPI document, for signed-in API clients only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from safeshare.auth.service import Principal
from safeshare.web.access import SIGNED_IN
from safeshare.web.openapi import api_schema

router = APIRouter(prefix="/api/v1")


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    organisation_id: int | None


@router.get("/me")
def me(principal: Annotated[Principal, Depends(SIGNED_IN)]) -> Me:
    return Me(
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role.value,
        organisation_id=principal.organisation_id,
    )


@router.get("/openapi.json", include_in_schema=False)
def openapi(
    request: Request, _principal: Annotated[Principal, Depends(SIGNED_IN)]
) -> dict[str, Any]:
    """The API contract (the `/api/` routes only, never the HTML pages)."""
    from safeshare.web.app import iter_routes  # the app imports this module

    return api_schema(request.app, iter_routes(request.app))
