"""Sign in and sign out."""

from __future__ import annotations

import asyncio
import math
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.errors import AuthenticationError
from safeshare.auth.permissions import Actor
from safeshare.web.access import (
    PUBLIC,
    SIGNED_IN,
    DbSession,
    begin_second_factor,
    safe_next,
    start_session,
)
from safeshare.web.concurrency import HashingSlot, in_thread
from safeshare.web.forms import form_values, validate_form
from safeshare.web.oidc import provider_logout_url
from safeshare.web.pages import Pages
from safeshare.web.ratelimit import attempt_throttle, client_key, wait_message

router = APIRouter()
PAGES = Pages("", "auth_flash")  # login.html, at the template root


class LoginForm(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


LOGIN_MESSAGES = {"username": "Enter your username", "password": "Enter your password"}


@router.get("/login")
def login_page(
    request: Request,
    principal: Annotated[Actor | None, Depends(PUBLIC)],
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next_path), status_code=303)
    return PAGES.page(
        request,
        "login.html",
        {"next": safe_next(next_path), "errors": {}, "sso_provider": _sso_provider(request)},
    )


def _sso_provider(request: Request) -> str | None:
    """The provider's name for the "Sign in with ..." button, when SSO is set up."""
    config = request.app.state.settings.oidc
    return str(config.provider_name) if config.enabled else None


@router.post("/login")
async def login_submit(
    request: Request,
    _hashing: HashingSlot,
    db: DbSession,
    _principal: Annotated[Actor | None, Depends(PUBLIC)],
) -> Response:
    form = await request.form()
    values = form_values(form)
    next_path = safe_next(str(values.pop("next", "")))
    data, errors = validate_form(LoginForm, values, LOGIN_MESSAGES)
    status = 400
    headers: dict[str, str] = {}
    if data is not None:
        throttle = attempt_throttle(request, "login", db)
        subject, client = data.username.strip().lower(), client_key(request)
        verdict = await in_thread(throttle.check, subject=subject, client=client)
        if verdict.wait is not None:
            # Only this client is held back on this name; the owner elsewhere is not.
            wait = max(1, math.ceil(verdict.wait))
            errors, status = {"username": wait_message(wait)}, 429
            headers["Retry-After"] = str(wait)
        else:
            if verdict.pause:
                await asyncio.sleep(verdict.pause)
            try:
                # argon2 in a worker thread: the event loop keeps serving everyone else.
                user = await in_thread(
                    auth_service.authenticate,
                    db,
                    username=data.username,
                    password=data.password,
                )
            except AuthenticationError as exc:
                await in_thread(throttle.failed, subject=subject, client=client)
                errors = {"username": exc.message}
            else:
                await in_thread(throttle.succeeded, subject=subject, client=client)
                if mfa.requires_mfa(user):  # password only half-way: the code is next
                    return begin_second_factor(request, user, next_path)
                start_session(request, db, user_id=user.id, epoch=user.session_epoch)
                return RedirectResponse(next_path, status_code=303)
    response = PAGES.page(
        request,
        "login.html",
        {
            "next": next_path,
            "errors": errors,
            "username": str(values.get("username", ""))[:64],
            "sso_provider": _sso_provider(request),
        },
        status_code=status if errors else 200,
    )
    response.headers.update(headers)
    return response


@router.post("/logout")
async def logout(
    request: Request,
    db: DbSession,
    principal: Annotated[Actor, Depends(SIGNED_IN)],
) -> Response:
    # Ends every session of this user, so a copied cookie stops working too (shared devices).
    await in_thread(auth_service.end_sessions, db, user_id=principal.account_id)
    provider_logout = await provider_logout_url(request)
    request.session.clear()
    return RedirectResponse(provider_logout or "/login?signed_out=1", status_code=303)
