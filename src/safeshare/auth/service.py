"""Account services: create and list users, sign in with lockout, issue and check API tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from safeshare.auth.errors import (
    AuthenticationError,
    UsernameTakenError,
    WeakPasswordError,
)
from safeshare.auth.models import ApiToken, Organisation, OrganisationKind, User
from safeshare.auth.password_policy import password_problem
from safeshare.auth.passwords import (
    hash_password,
    hash_token,
    needs_rehash,
    new_api_token,
    verify_password,
)
from safeshare.auth.permissions import Actor
from safeshare.auth.roles import PRIVILEGED_ROLES, Role
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError, NotFoundError
from safeshare.events import DomainEvent, EventKind, publish

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# How stale a token's `last_used_at` may get: writing it on every request serialised every
# request with one token on that row's lock (and made every API read a write on SQLite).
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


Principal = Actor
"""Old name of `safeshare.auth.permissions.Actor`, kept only so branches written before
issue 12 still import; new code imports `Actor`."""


def get_or_create_organisation(
    session: Session, *, name: str, kind: OrganisationKind
) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind.value)
        session.add(org)
        session.flush()
        publish(
            session,
            DomainEvent(
                kind=EventKind.AUTH_ORGANISATION_CREATED,
                actor="system",
                data={"organisation_id": org.id, "kind": org.kind},
            ),
        )
    return org


def get_organisation_by_name(session: Session, *, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name))


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


def _require_support_organisation(session: Session, organisation_id: int | None) -> None:
    """Advocates act for one 'by and for' organisation; without one they would see no bounds."""
    org = session.get(Organisation, organisation_id) if organisation_id else None
    if org is None or org.kind != OrganisationKind.support_org.value:
        raise InvalidInputError(
            "An advocate must belong to a support organisation", field="organisation"
        )


def check_password(password: str, *, username: str, display_name: str = "") -> None:
    """Refuse a password NIST SP 800-63B would (too short, common, breached, contextual)."""
    problem = password_problem(password, context=(username, *display_name.split()))
    if problem is not None:
        raise WeakPasswordError(problem, field="password")


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    organisation_id: int | None = None,
    team: str | None = None,
    actor: str = "system",
) -> User:
    """Create an account; advocates must belong to a support organisation."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise InvalidInputError(
            "Username must be 2 to 64 characters: lower-case letters, digits, '.', '_' or '-'",
            field="username",
        )
    check_password(password, username=username, display_name=display_name)
    if role is Role.advocate:
        _require_support_organisation(session, organisation_id)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UsernameTakenError("That username is already taken", field="username")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role.value,
        password_hash=hash_password(password),
        organisation_id=organisation_id,
        team=team,
    )
    session.add(user)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.AUTH_USER_CREATED,
            actor=actor,
            data={"user_id": user.id, "username": user.username, "role": role.value},
        ),
    )
    return user


def set_role(session: Session, *, user_id: int, role: Role, actor: str) -> User:
    """Change a user's role; ends their sessions and is recorded."""
    user = get_user_or_raise(session, user_id=user_id)
    if role is Role.advocate:
        _require_support_organisation(session, user.organisation_id)
    previous = user.role
    user.role = role.value
    user.session_epoch += 1
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.AUTH_ROLE_CHANGED,
            actor=actor,
            data={"user_id": user.id, "from": previous, "to": role.value},
        ),
    )
    return user


def record_unlock(session: Session, *, user_id: int, actor: str) -> None:
    """Record that an administrator cleared an account's sign-in delays."""
    get_user_or_raise(session, user_id=user_id).failed_logins = 0
    session.flush()
    publish(
        session, DomainEvent(kind=EventKind.AUTH_UNLOCKED, actor=actor, data={"user_id": user_id})
    )


def record_access_denied(
    session: Session, *, username: str, role: str, method: str, route: str, code: str
) -> None:
    """Record a refused request (ASVS 7.2.2): who, which route template, and why (a code)."""
    publish(
        session,
        DomainEvent(
            kind=EventKind.ACCESS_DENIED,
            actor=username,
            data={"role": role, "method": method, "route": route, "code": code},
        ),
    )


def end_sessions(session: Session, *, user_id: int) -> None:
    """Invalidate every signed session cookie issued to the user (sign-out)."""
    get_user_or_raise(session, user_id=user_id).session_epoch += 1
    session.flush()


def get_user(session: Session, *, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_or_raise(session: Session, *, user_id: int) -> User:
    user = get_user(session, user_id=user_id)
    if user is None:
        raise NotFoundError("No such user")
    return user


def get_user_by_username(session: Session, *, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime | None = None,
) -> User:
    """Check a password; every failure looks and takes the same (one hash check, known or not).

    No lockout here (anyone could lock anyone out): the web layer slows repeated failures
    with `auth.throttle`. Failures are recorded (`auth.sign_in_failed`) by user id only for
    known accounts: a typed unknown name may be a password or someone's name.
    """
    now = now or utcnow()
    user = get_user_by_username(session, username=username)
    stored = user.password_hash if user is not None and user.is_active else None
    # One call, whatever the account: the same argon2 work for unknown and inactive names.
    matched = verify_password(stored, password)
    if not matched or user is None:
        if user is not None:
            user.failed_logins += 1
            session.flush()
        publish(
            session,
            DomainEvent(
                kind=EventKind.AUTH_SIGN_IN_FAILED,
                actor="public",
                data={"user_id": user.id if user is not None else None},
            ),
        )
        raise AuthenticationError("Enter a correct username and password")
    user.failed_logins = 0
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    if Role(user.role) in PRIVILEGED_ROLES:
        publish(
            session,
            DomainEvent(
                kind=EventKind.AUTH_SIGN_IN,
                actor=user.username,
                data={"user_id": user.id, "role": user.role},
            ),
        )
    return user


TOKEN_LIFETIME = timedelta(days=90)


def issue_token(
    session: Session,
    *,
    user_id: int,
    label: str = "",
    lifetime: timedelta = TOKEN_LIFETIME,
    actor: str = "system",
) -> str:
    """Create a named API token that expires (default 90 days); only its hash is kept."""
    user = get_user_or_raise(session, user_id=user_id)
    if not user.is_active:
        raise InvalidInputError("That account is deactivated", field="username")
    token = new_api_token()
    row = ApiToken(
        user_id=user_id,
        token_hash=hash_token(token),
        label=label[:100],
        expires_at=utcnow() + lifetime,
    )
    session.add(row)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.AUTH_TOKEN_ISSUED,
            actor=actor,
            data={"user_id": user_id, "token_id": row.id, "expires_at": row.expires_at},
        ),
    )
    return token


SEALED_READ_SCOPE = "sealed-read"


def issue_step_up_token(
    session: Session, *, user_id: int, lifetime: timedelta, actor: str
) -> tuple[str, datetime]:
    """A short-lived token scoped to sealed reads, minted only after the caller re-entered
    their password (and code): a leaked long-lived API token alone reads no sealed data."""
    user = get_user_or_raise(session, user_id=user_id)
    if not user.is_active:
        raise InvalidInputError("That account is deactivated", field="username")
    token, expires_at = new_api_token(), utcnow() + lifetime
    row = ApiToken(
        user_id=user_id,
        token_hash=hash_token(token),
        label="step-up",
        scope=SEALED_READ_SCOPE,
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.AUTH_STEP_UP_TOKEN_ISSUED,
            actor=actor,
            data={"user_id": user_id, "token_id": row.id, "expires_at": expires_at},
        ),
    )
    return token, expires_at


class _TokenTimes(Protocol):
    """A token's times: its ORM row, or the plain row `bearer_principal` reads."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime | None: ...


def token_expiry(row: _TokenTimes) -> datetime:
    """When a token stops working; tokens made before expiry existed last `TOKEN_LIFETIME`."""
    return row.expires_at or row.created_at + TOKEN_LIFETIME


def token_use_due(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at `now` moves a last-used time (kept to `TOKEN_USE_RESOLUTION`)."""
    return last_used_at is None or now - last_used_at >= TOKEN_USE_RESOLUTION


def user_for_token(session: Session, *, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    row = live_token(session, token=token)
    return row.user if row is not None else None


def live_token(session: Session, *, token: str) -> ApiToken | None:
    """The unrevoked, unexpired token row of an active user, or None."""
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    now = utcnow()
    if row is None or not row.user.is_active or token_expiry(row) <= now:
        return None
    if token_use_due(row.last_used_at, now):
        row.last_used_at = now
    return row


# What `bearer_principal` reads: the token's own columns and, named as `Actor`'s fields,
# its user's. Built once from the tables (not the ORM classes), so a request runs it with
# no statement building and no ORM compilation: every API request asks.
_TOKENS, _USERS = ApiToken.__table__, User.__table__
_ACTOR_COLUMNS = (
    _USERS.c.id.label("user_id"),
    _USERS.c.username,
    _USERS.c.role,
    _USERS.c.organisation_id,
    _USERS.c.team,
    _USERS.c.display_name,
    _USERS.c.session_epoch,
)
_BEARER = (
    select(
        _TOKENS.c.id,
        _TOKENS.c.scope,
        _TOKENS.c.created_at,
        _TOKENS.c.expires_at,
        _TOKENS.c.last_used_at,
        *_ACTOR_COLUMNS,
    )
    .join_from(_TOKENS, _USERS, _USERS.c.id == _TOKENS.c.user_id)
    .where(
        _TOKENS.c.token_hash == bindparam("token_hash"),
        _TOKENS.c.revoked_at.is_(None),
        _USERS.c.is_active.is_(True),
    )
)
_NOTE_TOKEN_USE = (
    update(ApiToken)
    .where(
        _TOKENS.c.id == bindparam("token_id"),
        or_(_TOKENS.c.last_used_at.is_(None), _TOKENS.c.last_used_at < bindparam("now")),
    )
    .values(last_used_at=bindparam("now"))
    .execution_options(synchronize_session=False)
)


@dataclass(frozen=True, slots=True)
class Bearer:
    """Who a live bearer token speaks for, its scope, and whether to note this use."""

    actor: Actor
    scope: str
    token_id: int
    use_to_note: datetime | None  # the time to record as its last use, if it is due


def bearer_principal(session: Session, *, token: str) -> Bearer | None:
    """Who a live bearer token speaks for; None like `live_token`. Writes nothing.

    The same rules as `live_token` in one row of plain columns: every API request asks, and
    loading the token, its user and her organisation as ORM objects cost several times more.
    When the token's last-used time is due to move, the caller records it with
    `note_token_use` (the web app in its group commit: on SQLite, a write here waited in the
    busy handler behind other processes' group commits for seconds).
    """
    row = session.execute(_BEARER, {"token_hash": hash_token(token)}).one_or_none()
    if row is None:
        return None
    now = utcnow()
    if token_expiry(row) <= now:
        return None
    user = {column.key: getattr(row, column.key) for column in _ACTOR_COLUMNS}
    return Bearer(
        actor=Actor(**(user | {"role": Role(row.role)})),
        scope=row.scope,
        token_id=row.id,
        use_to_note=now if token_use_due(row.last_used_at, now) else None,
    )


def note_token_use(session: Session, *, token_id: int, at: datetime) -> None:
    """Record `at` as the token's last use (never moving it back)."""
    session.execute(_NOTE_TOKEN_USE, {"token_id": token_id, "now": at})


def principal_for_session(session: Session, *, user_id: int, session_epoch: int) -> Actor | None:
    """The principal for a session cookie, or None if the account changed since sign-in."""
    user = get_user(session, user_id=user_id)
    if user is None or not user.is_active or user.session_epoch != session_epoch:
        return None
    return Actor.of(user)
