"""Account services: create and list users, sign in with lockout, issue and check API tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.errors import (
    AccountLockedError,
    AuthenticationError,
    UsernameTakenError,
    WeakPasswordError,
)
from safeshare.auth.models import ApiToken, Organisation, OrganisationKind, User
from safeshare.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    hash_token,
    needs_rehash,
    new_api_token,
    verify_password,
)
from safeshare.auth.roles import PRIVILEGED_ROLES, Role
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError, NotFoundError
from safeshare.events import DomainEvent, publish

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# How stale a token's `last_used_at` may get: writing it on every request serialised every
# request with one token on that row's lock (and made every API read a write on SQLite).
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is acting: what routes and services need to know about a signed-in user."""

    user_id: int
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    session_epoch: int = 0

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            organisation_id=user.organisation_id,
            session_epoch=user.session_epoch,
        )


def get_or_create_organisation(
    session: Session, *, name: str, kind: OrganisationKind
) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind.value)
        session.add(org)
        session.flush()
    return org


def get_organisation_by_name(session: Session, *, name: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.name == name))


def _require_support_organisation(session: Session, organisation_id: int | None) -> None:
    """Advocates act for one 'by and for' organisation; without one they would see no bounds."""
    org = session.get(Organisation, organisation_id) if organisation_id else None
    if org is None or org.kind != OrganisationKind.support_org.value:
        raise InvalidInputError(
            "An advocate must belong to a support organisation", field="organisation"
        )


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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
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
            kind="auth.user_created",
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
            kind="auth.role_changed",
            actor=actor,
            data={"user_id": user.id, "from": previous, "to": role.value},
        ),
    )
    return user


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
    max_failures: int,
    lockout: timedelta,
    now: datetime | None = None,
) -> User:
    """Check a password, counting failures and locking the account after `max_failures`."""
    now = now or utcnow()
    user = get_user_by_username(session, username=username)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)  # same work as a real check
        raise AccountLockedError(
            "This account is locked after too many failed sign-in attempts. Try again later."
        )
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= max_failures:
                user.locked_until = now + lockout
                user.failed_logins = 0
                publish(
                    session,
                    DomainEvent(
                        kind="auth.account_locked", actor="system", data={"user_id": user.id}
                    ),
                )
            session.flush()
        raise AuthenticationError("Enter a correct username and password")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    if Role(user.role) in PRIVILEGED_ROLES:
        publish(
            session,
            DomainEvent(
                kind="auth.sign_in",
                actor=user.username,
                data={"user_id": user.id, "role": user.role},
            ),
        )
    return user


def issue_token(session: Session, *, user_id: int, label: str = "") -> str:
    """Create an API token for a user and return it; only its hash is kept."""
    get_user_or_raise(session, user_id=user_id)
    token = new_api_token()
    session.add(ApiToken(user_id=user_id, token_hash=hash_token(token), label=label[:100]))
    session.flush()
    return token


def user_for_token(session: Session, *, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION:
        row.last_used_at = now
    return row.user


def principal_for_session(
    session: Session, *, user_id: int, session_epoch: int
) -> Principal | None:
    """The principal for a session cookie, or None if the account changed since sign-in."""
    user = get_user(session, user_id=user_id)
    if user is None or not user.is_active or user.session_epoch != session_epoch:
        return None
    return Principal.of(user)
