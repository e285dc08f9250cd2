"""API identity check and the OpenAPI document, for signed-in API clients only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from safeshare.auth.permissions import Actor
from safeshare.web.access import SIGNED_IN

router = APIRouter(prefix="/api/v1")


class Me(BaseModel):
    username: str
    display_name: str
    role: str
    organisation_id: int | None


@router.get("/me")
def me(principal: Annotated[Actor, Depends(SIGNED_IN)]) -> Me:
    return Me(
        username=principal.username,
        display_name=principal.display_name,
        role=str(principal.role),
        organisation_id=principal.organisation_id,
    )


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _principal: Annotated[Actor, Depends(SIGNED_IN)]) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema
