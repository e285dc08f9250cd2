"""Sign in and sign out."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from safeshare.auth import service as auth_service
from safeshare.auth.errors import AuthenticationError
from safeshare.auth.service import Principal
from safeshare.config import Settings
from safeshare.web.access import PUBLIC, SIGNED_IN, DbSession
from safeshare.web.concurrency import HashingSlot, in_thread
from safeshare.web.forms import error_list, form_values, validate_form
from safeshare.web.templating import render

router = APIRouter()


class LoginForm(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


LOGIN_MESSAGES = {"username": "Enter your username", "password": "Enter your password"}


def safe_next(target: str | None) -> str:
    """Only local paths: never redirect off-site after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/home"


@router.get("/login")
def login_page(
    request: Request,
    principal: Annotated[Principal | None, Depends(PUBLIC)],
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    if principal is not None:
        return RedirectResponse(safe_next(next_path), status_code=303)
    return render(request, "login.html", {"next": safe_next(next_path), "errors": {}})


@router.post("/login")
async def login_submit(
    request: Request,
    _hashing: HashingSlot,
    db: DbSession,
    _principal: Annotated[Principal | None, Depends(PUBLIC)],
) -> Response:
    form = await request.form()
    values = form_values(form)
    next_path = safe_next(str(values.pop("next", "")))
    data, errors = validate_form(LoginForm, values, LOGIN_MESSAGES)
    if data is not None:
        settings: Settings = request.app.state.settings
        try:
            # argon2 in a worker thread: the event loop keeps serving everyone else.
            user = await in_thread(
                auth_service.authenticate,
                db,
                username=data.username,
                password=data.password,
                max_failures=settings.login_max_failures,
                lockout=timedelta(minutes=settings.lockout_minutes),
            )
        except AuthenticationError as exc:
            errors = {"username": exc.message}
        else:
            request.session.clear()
            request.session.update({"uid": user.id, "epoch": user.session_epoch})
            return RedirectResponse(next_path, status_code=303)
    return render(
        request,
        "login.html",
        {
            "next": next_path,
            "errors": errors,
            "error_list": error_list(errors),
            "username": str(values.get("username", ""))[:64],
        },
        status_code=400 if errors else 200,
    )


@router.post("/logout")
def logout(
    request: Request,
    db: DbSession,
    principal: Annotated[Principal, Depends(SIGNED_IN)],
) -> Response:
    # Ends every session of this user, so a copied cookie stops working too (shared devices).
    auth_service.end_sessions(db, user_id=principal.user_id)
    request.session.clear()
    return RedirectResponse("/login?signed_out=1", status_code=303)
