"""The one mechanism that declares who may use each route, and resolves who is asking.

Every route depends on exactly one `Access` instance: `PUBLIC`, `SIGNED_IN` or
`require(permission)`; which roles hold a permission is `safeshare.auth.permissions.GRANTS`.
A test walks the app's routes and fails on any route without one. Page routes use the
signed session cookie; `/api/` routes use bearer tokens only (so they need no CSRF check).
Unsafe-method page requests are CSRF-checked here, so no form post can skip it.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated

import anyio
from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth import sessions as auth_sessions
from safeshare.auth.models import User
from safeshare.auth.permissions import Actor, Permission, roles_with
from safeshare.auth.roles import ALL_ROLES, Role
from safeshare.db.base import utcnow
from safeshare.db.group_commit import GroupCommitter
from safeshare.errors import PermissionDeniedError
from safeshare.web.concurrency import in_database_thread, is_read_only, refuse_writes, slots

log = logging.getLogger(__name__)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
API_PREFIX = "/api/"


# Database ids are 32-bit on PostgreSQL (INTEGER) and 64-bit on SQLite: a bigger number in a
# path or query would overflow the driver (a 500). No id or count here comes near this.
MAX_INTEGER = 2**31 - 1


async def bounded_integers(request: Request) -> None:
    """App-wide: refuse out-of-range integers in the path (404) or id query parameters (422)
    before any handler binds them, so no route can forget (ASVS 5.1.4). Other integer query
    parameters declare their own bounds; free-text ones (phone numbers) are left alone.

    `async` though it never waits: FastAPI runs a plain `def` dependency in a worker thread,
    a round trip every request would pay for nothing."""
    declared = _declared_bounds(request)
    for name, value in request.path_params.items():
        if name not in declared and _too_big(value):
            raise HTTPException(404)
    for key, value in request.query_params.multi_items():
        if (key == "id" or key.endswith("_id")) and _too_big(value):
            raise HTTPException(422)


def _declared_bounds(request: Request) -> set[str]:
    """Path parameters whose route declares its own upper bound (and names it in a 422)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    names: set[str] = set()
    for param in getattr(dependant, "path_params", []):
        metadata = getattr(param.field_info, "metadata", [])
        if any(
            getattr(m, "le", None) is not None or getattr(m, "lt", None) is not None
            for m in metadata
        ):
            names.add(param.alias)
    return names


def _too_big(value: object) -> bool:
    if not isinstance(value, str):
        return False
    digits = value.strip().lstrip("+-").lstrip("0")
    return digits.isdigit() and (len(digits) > 10 or int(digits) > MAX_INTEGER)


class NotAuthenticatedError(Exception):
    """No valid session or token: pages redirect to sign-in, the API answers 401."""


class StepUpRequiredError(Exception):
    """A sensitive action needs the password (and code) entered again recently."""

    def __init__(self, back: str) -> None:
        super().__init__(back)
        self.back = back


class ForbiddenError(Exception):
    """Signed in, but the route is not declared for this role."""


class CsrfError(Exception):
    """A form post without the session's CSRF token."""


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed once when the handler returns without error.

    Takes a database slot first (see `web.concurrency`); the route's `Access` then takes the
    connection in a worker thread, in the same trip as its sign-in check (every route has
    one). Commit, rollback and close run in worker threads too, never on the event loop,
    unless nothing is left to end: a session whose transaction a handler already committed
    only gives back an idle connection. The commit happens before the response is sent.
    """
    async with slots(request).database:
        session: Session = request.app.state.runtime.sessions()
        try:
            yield session
        except BaseException:
            with anyio.CancelScope(shield=True):
                await in_database_thread(request, partial(_end, commit=False), session)
            raise
        if session.in_transaction():
            await in_database_thread(request, partial(_end, commit=True), session)
        else:
            session.close()  # an idle connection back to the pool: no round trip


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


def _connect_and_resolve(request: Request, db: Session) -> Actor | None:
    """The request's connection (taken here, off the event loop) and who is asking."""
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    if is_read_only(endpoint):
        refuse_writes(db.connection(execution_options=_AUTOCOMMIT))
    else:
        db.connection()
    return _principal_from_request(request, db)


# A read-only route's reads need no transaction: at READ COMMITTED each statement reads its
# own snapshot either way, and on PostgreSQL the BEGIN and COMMIT were two of a decision
# request's eight round trips.
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def _principal_from_request(request: Request, db: Session) -> Actor | None:
    if is_api_request(request):
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        found = auth_service.bearer_principal(db, token=token.strip())
        if found is None:
            request.state.token_scope = ""
            return None
        request.state.token_scope = found.scope
        if found.use_to_note is not None:
            _note_token_use(request, found.token_id, found.use_to_note)
        return found.actor
    user_id = request.session.get("uid")
    epoch = request.session.get("epoch")
    if not isinstance(user_id, int) or not isinstance(epoch, int):
        return None
    if not _session_is_fresh(request):
        request.session.clear()
        return None
    principal = auth_service.principal_for_session(db, user_id=user_id, session_epoch=epoch)
    sid = request.session.get("sid")
    user = auth_service.get_user(db, user_id=user_id) if principal is not None else None
    if (
        user is None
        or not isinstance(sid, str)
        or auth_sessions.current(db, sid=sid, user=user) is None
    ):
        request.session.pop("uid", None)
        request.session.pop("epoch", None)
        return None
    return principal


def _note_token_use(request: Request, token_id: int, at: datetime) -> None:
    notes: TokenUseNotes = request.app.state.token_uses
    notes.note(token_id, at)


class TokenUseNotes:
    """Records API tokens' last-used times in the group commit, without making anyone wait.

    Not in the request's own transaction: on SQLite that write took the write lock outside
    the group commits' queue (`db.writer_lock`) and slept in SQLite's busy handler behind
    the other workers' group commits, up to seconds for each request whose token's use was
    due (after a quiet minute, every request at the start of a burst). Nor does the request
    wait for it: a sign-in check must not hang on, or fail with, an unrelated batch. The
    time is a hint for whoever reviews tokens, so one lost in a crash costs nothing; each
    token's use is queued once per `TOKEN_USE_RESOLUTION` per process, not by every request
    that read the old time before the first note committed.
    """

    _MAX_REMEMBERED = 10_000

    def __init__(self, group_commit: GroupCommitter) -> None:
        self._group_commit = group_commit
        self._noted: dict[int, datetime] = {}
        self._lock = threading.Lock()

    def note(self, token_id: int, at: datetime) -> None:
        with self._lock:
            if not auth_service.token_use_due(self._noted.get(token_id), at):
                return
            if len(self._noted) >= self._MAX_REMEMBERED:
                self._noted.clear()  # a bound, not an eviction policy
            self._noted[token_id] = at
        record = partial(auth_service.note_token_use, token_id=token_id, at=at)
        self._group_commit.submit(record).add_done_callback(
            partial(self._forget_if_failed, token_id, at)
        )

    def _forget_if_failed(self, token_id: int, at: datetime, future: Future[None]) -> None:
        error = None if future.cancelled() else future.exception()
        if error is None:
            return
        log.warning("token use not recorded: %s", type(error).__name__)  # never the message
        with self._lock:
            if self._noted.get(token_id) == at:
                del self._noted[token_id]  # the next request tries again


# Refresh the last-seen time at most this often, so the cookie is not rewritten on every hit.
_SEEN_GRANULARITY = 30


def start_session(request: Request, db: Session, *, user_id: int, epoch: int) -> None:
    """A new signed-in session (after sign-in): a fresh cookie, timed from now, with a
    server-side row so the user can see and end it (`auth.sessions`)."""
    now = int(time.time())
    settings = request.app.state.settings
    sid = auth_sessions.open_session(
        db,
        user_id=user_id,
        epoch=epoch,
        label=auth_sessions.device_label(request.headers.get("user-agent", "")),
        since=utcnow() - timedelta(seconds=settings.session_max_age_seconds),
    )
    request.session.clear()
    request.session.update(
        {"uid": user_id, "epoch": epoch, "sid": sid, "iat": now, "seen": now, "auth_at": now}
    )


# Between the password and the code the session holds only this pending marker.
PENDING = "mfa_pending"
PENDING_SECONDS = 300
# After a step-up at an identity provider that did not confirm a second factor, for a role
# that needs one: the SafeShare authenticator code is still owed (`/reauth/code`).
STEP_UP_CODE_PENDING = "step_up_code_pending"


def safe_next(target: object) -> str:
    """A local path to go on to after sign-in, never another site (open redirect)."""
    text = str(target or "")
    if text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return text
    return "/home"


def begin_second_factor(request: Request, user: User, next_path: str) -> Response:
    """After a correct password for an account that needs MFA: ask for the code (or enrol)."""
    request.session.clear()
    request.session[PENDING] = {
        "uid": user.id,
        "epoch": user.session_epoch,
        "at": int(time.time()),
        "next": safe_next(next_path),
    }
    target = "/login/code" if mfa.is_enrolled(user) else "/login/enrol"
    return RedirectResponse(target, status_code=303)


def mark_reauthenticated(request: Request) -> None:
    """The user has just re-entered their password (and code): sensitive actions may proceed."""
    request.session["auth_at"] = int(time.time())


def recent_auth(request: Request) -> None:
    """Step-up for erasure, regime change and sealed reads (ASVS 4.3.x, 2.x re-authentication):
    a page session must have authenticated within `step_up_seconds`. API tokens are machine
    credentials with their own expiry and are not asked."""
    if is_api_request(request):
        return
    settings = request.app.state.settings
    at = request.session.get("auth_at")
    if not isinstance(at, int) or int(time.time()) - at > settings.step_up_seconds:
        path = request.url.path
        parts = path.split("/")
        back = "/".join(parts[:3]) if path.startswith("/reports/") else path
        raise StepUpRequiredError(back)


StepUp = Depends(recent_auth)


class StepUpTokenRequiredError(PermissionDeniedError):
    """API sealed reads need a short-lived `sealed-read` token (POST /api/v1/step-up)."""

    code = "step_up_required"


def sealed_read_scope(request: Request) -> None:
    """Step-up for the API (ASVS 3.7.1): sealed reads need a token minted minutes ago after
    re-entering the password, not the 90-day token an integration keeps on disk."""
    if not is_api_request(request):
        return
    if getattr(request.state, "token_scope", "") != auth_service.SEALED_READ_SCOPE:
        raise StepUpTokenRequiredError(
            "Sealed reads need a short-lived step-up token: POST /api/v1/step-up with your "
            "password (and code) and use the token it returns"
        )


def _session_is_fresh(request: Request) -> bool:
    """Idle and absolute timeouts (ASVS 3.3.1, 3.3.2): the cookie's signature stops tampering,
    these stop a stolen or forgotten session from living on."""
    settings = request.app.state.settings
    now = int(time.time())
    started, seen = request.session.get("iat"), request.session.get("seen")
    if not isinstance(started, int) or not isinstance(seen, int):
        return False
    if now - seen > settings.session_idle_timeout_seconds:
        return False
    if now - started > settings.session_max_age_seconds:
        return False
    if now - seen >= _SEEN_GRANULARITY:
        request.session["seen"] = now
    return True


class Access:
    """A route's declaration: public, any signed-in user, or the holders of one permission."""

    def __init__(self, roles: frozenset[Role] | None, permission: Permission | None = None) -> None:
        self.roles = roles
        self.permission = permission

    @property
    def is_public(self) -> bool:
        return self.roles is None

    def __repr__(self) -> str:
        if self.roles is None:
            return "Access(public)"
        if self.permission is not None:
            return f"Access({self.permission})"
        return "Access(signed in)"

    async def __call__(self, request: Request, db: DbSession) -> Actor | None:
        principal = await in_database_thread(request, _connect_and_resolve, request, db)
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


def require(permission: Permission) -> Access:
    """Declare the permission a route needs; the roles holding it come from `GRANTS`."""
    roles = roles_with(permission)
    if not roles:
        raise ValueError(f"no role holds {permission}: grant it in auth.permissions.GRANTS")
    return Access(roles, permission)


SIGNED_IN = Access(ALL_ROLES)
