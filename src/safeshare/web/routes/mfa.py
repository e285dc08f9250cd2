"""The second factor at sign-in (TOTP or a recovery code), first-time enrolment with a QR
code, and re-authentication before sensitive actions (step-up).

Between the password and the code the session holds only a pending marker (user id, epoch,
when), never a signed-in user; it expires after `PENDING_SECONDS`.
"""

from __future__ import annotations

import math
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.errors import AuthenticationError
from safeshare.auth.models import User
from safeshare.auth.permissions import Actor
from safeshare.errors import SafeShareError
from safeshare.web.access import (
    PENDING,
    PENDING_SECONDS,
    PUBLIC,
    SIGNED_IN,
    STEP_UP_CODE_PENDING,
    DbSession,
    mark_reauthenticated,
    safe_next,
    start_session,
)
from safeshare.web.concurrency import HashingSlot, in_thread
from safeshare.web.forms import form_values
from safeshare.web.pages import Pages
from safeshare.web.ratelimit import attempt_throttle, client_key, wait_message

router = APIRouter()
Public = Annotated[Actor | None, Depends(PUBLIC)]
SignedIn = Annotated[Actor, Depends(SIGNED_IN)]
PAGES = Pages("mfa", "mfa_flash")


def _pending(request: Request, db: DbSession) -> User | None:
    state = request.session.get(PENDING)
    if not isinstance(state, dict) or int(time.time()) - int(state.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = auth_service.get_user(db, user_id=int(state.get("uid", 0)))
    if user is None or not user.is_active or user.session_epoch != state.get("epoch"):
        return None
    return user


def _finish(request: Request, db: Session, user: User) -> Response:
    state = request.session.get(PENDING) or {}
    start_session(request, db, user_id=user.id, epoch=user.session_epoch)
    return RedirectResponse(safe_next(state.get("next")), status_code=303)


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    oidc = request.app.state.settings.oidc
    context.setdefault("sso_provider", oidc.provider_name if oidc.enabled else None)
    return PAGES.page(request, name, context, status_code=status)


@router.get("/login/code")
def code_page(request: Request, db: DbSession, _principal: Public) -> Response:
    """Ask for the 6-digit code (or a recovery code)."""
    if _pending(request, db) is None:
        return RedirectResponse("/login", status_code=303)
    return _page(request, "code.html", {})


@router.post("/login/code")
async def code_submit(request: Request, db: DbSession, _principal: Public) -> Response:
    user = _pending(request, db)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    code = str(form_values(await request.form()).get("code", ""))[:40]
    refused = await _refuse_code(request, db, user, code)
    if refused is not None:
        errors, status = refused
        return _page(request, "code.html", {"errors": errors}, status)
    return _finish(request, db, user)


async def _refuse_code(
    request: Request, db: Session, user: User, code: str
) -> tuple[dict[str, str], int] | None:
    """Check an authenticator or recovery code under the "mfa" throttle: None if accepted,
    else the form errors and status (429 while held back, 400 for a wrong code)."""
    throttle = attempt_throttle(request, "mfa", db)
    subject, client = f"mfa:{user.id}", client_key(request)
    verdict = await in_thread(throttle.check, subject=subject, client=client)
    if verdict.wait is not None:
        wait = max(1, math.ceil(verdict.wait))
        return {"code": wait_message(wait)}, 429
    if not await in_thread(mfa.verify_second_factor, db, user_id=user.id, code=code):
        await in_thread(throttle.failed, subject=subject, client=client)
        return {"code": "Enter the 6-digit code your app shows now, or a recovery code"}, 400
    await in_thread(throttle.succeeded, subject=subject, client=client)
    return None


def _enrol_page(request: Request, user: User, secret: str, errors: dict[str, str]) -> Response:
    uri = mfa.provisioning_uri(user, secret)
    return _page(
        request,
        "enrol.html",
        {"qr_svg": mfa.qr_svg(uri), "secret": secret, "errors": errors},
        400 if errors else 200,
    )


@router.get("/login/enrol")
def enrol_page(request: Request, db: DbSession, _principal: Public) -> Response:
    """First sign-in of an account that needs MFA: scan the QR code, then enter a code."""
    user = _pending(request, db)
    if user is None or mfa.is_enrolled(user):
        return RedirectResponse("/login", status_code=303)
    secret = mfa.begin_enrolment(db, user_id=user.id)
    return _enrol_page(request, user, secret, {})


@router.post("/login/enrol")
async def enrol_submit(request: Request, db: DbSession, _principal: Public) -> Response:
    user = _pending(request, db)
    if user is None or mfa.is_enrolled(user):
        return RedirectResponse("/login", status_code=303)
    code = str(form_values(await request.form()).get("code", ""))[:40]
    try:
        codes = mfa.confirm_enrolment(db, user_id=user.id, code=code)
    except SafeShareError as exc:
        secret = mfa.begin_enrolment(db, user_id=user.id)
        return _enrol_page(request, user, secret, {"code": exc.message})
    state = request.session.get(PENDING) or {}
    start_session(request, db, user_id=user.id, epoch=user.session_epoch)
    return _page(request, "recovery.html", {"codes": codes, "next": safe_next(state.get("next"))})


@router.get("/reauth")
def reauth_page(
    request: Request,
    _principal: SignedIn,
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    """Confirm it is still you before erasure, a regime change or reading sealed details."""
    return _page(request, "reauth.html", {"next": safe_next(next_path)})


@router.post("/reauth")
async def reauth_submit(
    request: Request, _hashing: HashingSlot, db: DbSession, principal: SignedIn
) -> Response:
    values = form_values(await request.form())
    next_path = safe_next(values.get("next"))
    throttle = attempt_throttle(request, "login", db)
    subject, client = principal.username, client_key(request)
    verdict = await in_thread(throttle.check, subject=subject, client=client)
    errors: dict[str, str] = {}
    if verdict.wait is not None:
        errors = {"password": "Too many attempts. Try again later."}
    else:
        try:
            # argon2 in a worker thread, within the hashing bound (see web.concurrency).
            user = await in_thread(
                auth_service.authenticate,
                db,
                username=principal.username,
                password=str(values.get("password", ""))[:1024],
            )
        except AuthenticationError:
            await in_thread(throttle.failed, subject=subject, client=client)
            errors = {"password": "Enter your correct password"}
        else:
            code = str(values.get("code", ""))[:40]
            if mfa.is_enrolled(user) and not await in_thread(
                mfa.verify_second_factor, db, user_id=user.id, code=code
            ):
                errors = {"code": "Enter the 6-digit code your app shows now"}
    if errors:
        return _page(request, "reauth.html", {"next": next_path, "errors": errors}, 400)
    mark_reauthenticated(request)
    return RedirectResponse(next_path, status_code=303)


def _step_up_owed(request: Request, db: Session, principal: Actor) -> tuple[User, str] | None:
    """The signed-in user and where to go next, if the provider step-up left them owing the
    SafeShare code within `PENDING_SECONDS`; else None."""
    state = request.session.get(STEP_UP_CODE_PENDING)
    if not isinstance(state, dict) or int(time.time()) - int(state.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(STEP_UP_CODE_PENDING, None)
        return None
    if state.get("uid") != principal.user_id:
        return None
    user = auth_service.get_user(db, user_id=principal.account_id)
    return (user, safe_next(state.get("next"))) if user is not None else None


@router.get("/reauth/code")
def reauth_code_page(request: Request, db: DbSession, principal: SignedIn) -> Response:
    """After confirming at the identity provider without its second factor: the code from
    the authenticator enrolled with SafeShare completes the step-up."""
    if _step_up_owed(request, db, principal) is None:
        return RedirectResponse("/reauth", status_code=303)
    return _page(request, "code.html", {"action": "/reauth/code"})


@router.post("/reauth/code")
async def reauth_code_submit(request: Request, db: DbSession, principal: SignedIn) -> Response:
    owed = _step_up_owed(request, db, principal)
    if owed is None:
        return RedirectResponse("/reauth", status_code=303)
    user, next_path = owed
    code = str(form_values(await request.form()).get("code", ""))[:40]
    refused = await _refuse_code(request, db, user, code)
    if refused is not None:
        errors, status = refused
        return _page(request, "code.html", {"errors": errors, "action": "/reauth/code"}, status)
    request.session.pop(STEP_UP_CODE_PENDING, None)
    mark_reauthenticated(request)
    return RedirectResponse(next_path, status_code=303)
