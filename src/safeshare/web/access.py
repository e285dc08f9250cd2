"""The one mechanism that declares who may use each route, and resolves who is asking.

Every route depends on exactly one `Access` instance: `PUBLIC` or `requires(*roles)`.
A test walks the app's routes and fails on any route without one. Page routes use the
signed session cookie; `/api/` routes use bearer tokens only (so they need no CSRF check).
Unsafe-method page requests are CSRF-checked here, so no form post can skip it.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from safeshare.auth import service as auth_service
from safeshare.auth.roles import ALL_ROLES, Role
from safeshare.auth.service import Principal
from safeshare.web.concurrency import in_thread, slots

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
API_PREFIX = "/api/"


class NotAuthenticatedError(Exception):
    """No valid session or token: pages redirect to sign-in, the API answers 401."""


class ForbiddenError(Exception):
    """Signed in, but the route is not declared for this role."""


class CsrfError(Exception):
    """A form post without the session's CSRF token."""


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed once when the handler returns without error.

    Takes a database slot first (see `web.concurrency`), then the connection in a worker
    thread; commit, rollback and close run in worker threads too, never on the event loop.
    The commit happens before the response is sent: a 201 means the decision is stored.
    """
    async with slots(request).database:
        session: Session = request.app.state.runtime.sessions()
        try:
            await in_thread(session.connection)
            yield session
        except BaseException:
            with anyio.CancelScope(shield=True):
                await in_thread(_end, session, commit=False)
            raise
        await in_thread(_end, session, commit=True)


def _end(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close, in one trip to a worker thread."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db, scope="function")]


def is_api_request(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    expected = request.session.get("csrf")
    form = await request.form()
    supplied = form.get(CSRF_FIELD)
    if (
        not isinstance(expected, str)
        or not isinstance(supplied, str)
        or not hmac.compare_digest(expected.encode(), supplied.encode())
    ):
        raise CsrfError


def _principal_from_request(request: Request, db: Session) -> Principal | None:
    if is_api_request(request):
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = auth_service.user_for_token(db, token=token.strip())
        return Principal.of(user) if user is not None else None
    user_id = request.session.get("uid")
    epoch = request.session.get("epoch")
    if not isinstance(user_id, int) or not isinstance(epoch, int):
        return None
    principal = auth_service.principal_for_session(db, user_id=user_id, session_epoch=epoch)
    if principal is None:
        request.session.pop("uid", None)
        request.session.pop("epoch", None)
    return principal


class Access:
    """A route's declaration: public, or the set of roles allowed."""

    def __init__(self, roles: frozenset[Role] | None) -> None:
        self.roles = roles

    @property
    def is_public(self) -> bool:
        return self.roles is None

    def __repr__(self) -> str:
        if self.roles is None:
            return "Access(public)"
        return f"Access({', '.join(sorted(self.roles))})"

    async def __call__(self, request: Request, db: DbSession) -> Principal | None:
        principal = await in_thread(_principal_from_request, request, db)
        request.state.principal = principal
        if self.roles is not None:
            if principal is None:
                raise NotAuthenticatedError
            if principal.role not in self.roles:
                raise ForbiddenError
        if request.method in UNSAFE_METHODS and not is_api_request(request):
            await check_csrf(request)
        return principal


PUBLIC = Access(None)


def requires(*roles: Role) -> Access:
    """Declare the roles that may use a route (at least one)."""
    if not roles:
        raise ValueError("declare at least one role, or use PUBLIC")
    return Access(frozenset(roles))


SIGNED_IN = Access(ALL_ROLES)
