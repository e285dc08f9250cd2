"""Account pages: administrators manage users and tokens; anyone resets a password with a
one-time code; a signed-in user changes their own password.

Services do the work (`auth.service`, `auth.lifecycle`); each change is a ledger entry there.
A new account gets no password an administrator knows: it gets a one-time reset code.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from safeshare.auth import lifecycle, mfa
from safeshare.auth import service as auth_service
from safeshare.auth.passwords import generate_password
from safeshare.auth.permissions import Actor, Permission
from safeshare.auth.roles import ROLE_LABELS, Role
from safeshare.errors import SafeShareError
from safeshare.web.access import PUBLIC, SIGNED_IN, DbSession, require, start_session
from safeshare.web.forms import form_values
from safeshare.web.navigation import NavItem
from safeshare.web.pages import Pages
from safeshare.web.ratelimit import attempt_throttle

router = APIRouter()

Admin = Annotated[Actor, Depends(require(Permission.USER_ADMIN))]
SignedIn = Annotated[Actor, Depends(SIGNED_IN)]
Public = Annotated[Actor | None, Depends(PUBLIC)]
FLASH = "accounts_flash"

NAV_ITEMS: list[NavItem] = [NavItem("Users", "/admin/users", Permission.USER_ADMIN)]


PAGES = Pages("accounts", FLASH, {"role_labels": ROLE_LABELS})
_page = PAGES.page
_redirect = PAGES.redirect


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


def _organisation_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


# --- administrators ------------------------------------------------------------------------


def _users_page(
    request: Request,
    db: DbSession,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    code: str | None = None,
) -> Response:
    return _page(
        request,
        "users.html",
        {
            "users": auth_service.list_users(db),
            "organisations": auth_service.list_organisations(db),
            "values": values or {},
            "errors": errors or {},
            "code": code,
        },
        status_code=400 if errors else 200,
    )


@router.get("/admin/users")
def users_page(request: Request, db: DbSession, _principal: Admin) -> Response:
    """Every account, and a form to create one."""
    return _users_page(request, db)


@router.post("/admin/users")
async def create_user(request: Request, db: DbSession, principal: Admin) -> Response:
    """Create an account; the page shows a one-time code the new user sets a password with."""
    values = form_values(await request.form())
    role = _role(str(values.get("role", "")))
    if role is None:
        return _users_page(request, db, values=values, errors={"role": "Choose a role"})
    try:
        user = auth_service.create_user(
            db,
            username=str(values.get("username", ""))[:64],
            display_name=str(values.get("display_name", ""))[:200],
            role=role,
            password=generate_password() + generate_password(),  # never told to anyone
            organisation_id=_organisation_id(str(values.get("organisation_id", ""))),
            team=str(values.get("team", "")).strip()[:100] or None,
            actor=principal.username,
        )
        code = lifecycle.start_password_reset(db, user_id=user.id, actor=principal.username)
    except SafeShareError as exc:
        return _users_page(
            request, db, values=values, errors={exc.field or "username": exc.message}
        )
    return _users_page(request, db, code=code)


def _user_page(
    request: Request, db: DbSession, user_id: int, *, code: str | None = None
) -> Response:
    return _page(
        request,
        "user.html",
        {
            "user": auth_service.get_user_or_raise(db, user_id=user_id),
            "tokens": lifecycle.list_tokens(db, user_id=user_id),
            "organisations": auth_service.list_organisations(db),
            "roles": list(Role),
            "code": code,
        },
    )


@router.get("/admin/users/{user_id}")
def user_page(request: Request, db: DbSession, _principal: Admin, user_id: int) -> Response:
    """One account: its state, role, organisation and API tokens, with the actions on it."""
    return _user_page(request, db, user_id)


@router.post("/admin/users/{user_id}/deactivate")
def deactivate(request: Request, db: DbSession, principal: Admin, user_id: int) -> Response:
    """Deactivate now: sessions end and tokens are revoked."""
    lifecycle.deactivate_user(db, user_id=user_id, actor=principal.username)
    return _redirect(request, f"/admin/users/{user_id}", "Deactivated; sessions and tokens ended")


@router.post("/admin/users/{user_id}/reactivate")
def reactivate(request: Request, db: DbSession, principal: Admin, user_id: int) -> Response:
    """Let the account sign in again."""
    lifecycle.reactivate_user(db, user_id=user_id, actor=principal.username)
    return _redirect(request, f"/admin/users/{user_id}", "Reactivated")


@router.post("/admin/users/{user_id}/role")
async def change_role(request: Request, db: DbSession, principal: Admin, user_id: int) -> Response:
    """Change the role (ends the user's sessions)."""
    role = _role(str(form_values(await request.form()).get("role", "")))
    if role is None:
        return _redirect(request, f"/admin/users/{user_id}", "Choose a role")
    auth_service.set_role(db, user_id=user_id, role=role, actor=principal.username)
    return _redirect(request, f"/admin/users/{user_id}", "Role changed")


@router.post("/admin/users/{user_id}/organisation")
async def change_organisation(
    request: Request, db: DbSession, principal: Admin, user_id: int
) -> Response:
    """Move the user to another organisation (ends their sessions)."""
    value = str(form_values(await request.form()).get("organisation_id", ""))
    lifecycle.set_organisation(
        db, user_id=user_id, organisation_id=_organisation_id(value), actor=principal.username
    )
    return _redirect(request, f"/admin/users/{user_id}", "Organisation changed")


@router.post("/admin/users/{user_id}/reset-password")
def reset_password(request: Request, db: DbSession, principal: Admin, user_id: int) -> Response:
    """A one-time code, shown on this response only."""
    code = lifecycle.start_password_reset(db, user_id=user_id, actor=principal.username)
    return _user_page(request, db, user_id, code=code)


@router.post("/admin/users/{user_id}/unlock")
def unlock(request: Request, db: DbSession, principal: Admin, user_id: int) -> Response:
    """Clear sign-in delays on this account (after a guessing attack has been dealt with)."""
    user = auth_service.get_user_or_raise(db, user_id=user_id)
    attempt_throttle(request, "login").unlock(user.username)
    auth_service.record_unlock(db, user_id=user.id, actor=principal.username)
    return _redirect(request, f"/admin/users/{user_id}", "Sign-in delays cleared")


@router.post("/admin/users/{user_id}/reset-mfa")
def reset_mfa(request: Request, db: DbSession, principal: Admin, user_id: int) -> Response:
    """Clear a lost authenticator; the user enrols again at their next sign-in."""
    mfa.reset_mfa(db, user_id=user_id, actor=principal.username)
    return _redirect(request, f"/admin/users/{user_id}", "Multi-factor sign-in reset")


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def revoke(
    request: Request, db: DbSession, principal: Admin, user_id: int, token_id: int
) -> Response:
    """Revoke one API token now."""
    lifecycle.revoke_token(db, token_id=token_id, actor=principal.username)
    return _redirect(request, f"/admin/users/{user_id}", "Token revoked")


# --- everyone ------------------------------------------------------------------------------


@router.get("/reset-password")
def reset_page(request: Request, _principal: Public) -> Response:
    """Set a password with the one-time code an administrator gave you."""
    return _page(request, "reset.html", {})


@router.post("/reset-password")
async def reset_submit(request: Request, db: DbSession, _principal: Public) -> Response:
    values = form_values(await request.form())
    code, password = str(values.get("code", ""))[:100], str(values.get("password", ""))[:1024]
    if password != str(values.get("confirm", ""))[:1024]:
        errors = {"confirm": "The passwords do not match"}
        return _page(request, "reset.html", {"errors": errors}, status_code=400)
    try:
        lifecycle.complete_password_reset(db, code=code, new_password=password)
    except SafeShareError as exc:
        errors = {exc.field or "code": exc.message}
        return _page(request, "reset.html", {"errors": errors}, status_code=400)
    request.session.clear()
    return RedirectResponse("/login?password_set=1", status_code=303)


@router.get("/account/password")
def password_page(request: Request, _principal: SignedIn) -> Response:
    """Change your own password."""
    return _page(request, "password.html", {})


@router.post("/account/password")
async def password_submit(request: Request, db: DbSession, principal: SignedIn) -> Response:
    values = form_values(await request.form())
    new = str(values.get("password", ""))[:1024]
    if new != str(values.get("confirm", ""))[:1024]:
        errors = {"confirm": "The passwords do not match"}
        return _page(request, "password.html", {"errors": errors}, status_code=400)
    try:
        user = lifecycle.change_password(
            db,
            user_id=principal.account_id,
            current_password=str(values.get("current_password", ""))[:1024],
            new_password=new,
        )
    except SafeShareError as exc:
        errors = {exc.field or "password": exc.message}
        return _page(request, "password.html", {"errors": errors}, status_code=400)
    # Other sessions ended with the change; this one carries on under the new epoch.
    start_session(request, user_id=user.id, epoch=user.session_epoch)
    return _redirect(request, "/account/password", "Your password was changed")
