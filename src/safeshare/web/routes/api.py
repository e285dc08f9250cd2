"""API identity check, step-up tokens, the OpenAPI document for API clients, and its
reference page for signed-in staff (server-rendered: the CSP allows no inline script, and no
CDN is used)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.errors import AuthenticationError
from safeshare.auth.permissions import Actor, Permission
from safeshare.web.access import require
from safeshare.web.concurrency import HashingSlot, in_thread
from safeshare.web.deps import SIGNED_IN, DbSession, SignedInActor
from safeshare.web.openapi import api_schema, describe_operations, problems
from safeshare.web.pages import Pages
from safeshare.web.ratelimit import attempt_throttle, client_key
from safeshare.web.routing import iter_routes

router = APIRouter()
CONTRACT_READERS = require(Permission.API_CONTRACT_READ)
PAGES = Pages("api", "api_flash")


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


class StepUpRequest(BaseModel):
    password: str = Field(min_length=1, max_length=1024)
    code: str = Field(default="", max_length=40)


class StepUpToken(BaseModel):
    token: str
    scope: str
    expires_at: datetime


class TooManyAttemptsError(AuthenticationError):
    code = "too_many_attempts"
    status = 429


@router.post("/api/v1/step-up", responses=problems(401, 429))
async def step_up(
    request: Request,
    _hashing: HashingSlot,
    db: DbSession,
    principal: SignedInActor,
    body: StepUpRequest,
) -> StepUpToken:
    """Re-authenticate (password, and TOTP code if enrolled) for a `sealed-read` token that
    lasts `step_up_seconds` (15 minutes by default). Failures slow down like sign-in."""
    throttle = attempt_throttle(request, "login", db)
    subject, client = principal.username, client_key(request)
    verdict = await in_thread(throttle.check, subject=subject, client=client)
    if verdict.wait is not None:
        raise TooManyAttemptsError(f"Too many attempts. Wait {max(1, math.ceil(verdict.wait))} s")
    try:
        user = await in_thread(
            auth_service.authenticate, db, username=principal.username, password=body.password
        )
        if mfa.is_enrolled(user) and not await in_thread(
            mfa.verify_second_factor, db, user_id=user.id, code=body.code
        ):
            raise AuthenticationError("Enter your correct password and current code")
    except AuthenticationError:
        # Keep the count and the recorded failure: the error would roll them back.
        await in_thread(throttle.failed, subject=subject, client=client)
        await in_thread(db.commit)
        raise
    await in_thread(throttle.succeeded, subject=subject, client=client)
    lifetime = timedelta(seconds=request.app.state.settings.step_up_seconds)
    token, expires_at = auth_service.issue_step_up_token(
        db, user_id=user.id, lifetime=lifetime, actor=principal.username
    )
    return StepUpToken(token=token, scope=auth_service.SEALED_READ_SCOPE, expires_at=expires_at)


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
    return PAGES.page(
        request, "docs.html", {"info": schema["info"], "operations": describe_operations(schema)}
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
