"""Account lifecycle: deactivate and reactivate, change organisation, reset and change
passwords, list and revoke API tokens. Every change publishes an `auth.*` event, so it is a
ledger entry (by user id and codes, never passwords, codes or tokens).

Deactivation ends every session (the session epoch moves on) and revokes every token in the
same transaction, so nothing issued before keeps working.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safeshare.auth.errors import AuthenticationError
from safeshare.auth.models import ApiToken, Organisation, PasswordReset, User
from safeshare.auth.passwords import hash_password, hash_token, verify_password
from safeshare.auth.roles import Role
from safeshare.auth.service import check_password, get_user_or_raise, token_expiry
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError, NotFoundError
from safeshare.events import DomainEvent, EventKind, publish

RESET_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class TokenInfo:
    """A token as its owner and administrators see it: never the token itself."""

    id: int
    user_id: int
    label: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


def _record(session: Session, kind: EventKind, actor: str, **data: object) -> None:
    publish(session, DomainEvent(kind=kind, actor=actor, data=dict(data)))


def _revoke_all(session: Session, *, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def deactivate_user(session: Session, *, user_id: int, actor: str) -> User:
    """Stop an account now: sessions end and every API token is revoked."""
    user = get_user_or_raise(session, user_id=user_id)
    if user.username == actor:
        raise InvalidInputError("You cannot deactivate your own account", field="username")
    now = utcnow()
    user.is_active = False
    user.session_epoch += 1
    revoked = _revoke_all(session, user_id=user.id, now=now)
    session.flush()
    _record(
        session, EventKind.AUTH_USER_DEACTIVATED, actor, user_id=user.id, tokens_revoked=revoked
    )
    return user


def reactivate_user(session: Session, *, user_id: int, actor: str) -> User:
    """Let a deactivated account sign in again (its old tokens stay revoked)."""
    user = get_user_or_raise(session, user_id=user_id)
    user.is_active = True
    session.flush()
    _record(session, EventKind.AUTH_USER_REACTIVATED, actor, user_id=user.id)
    return user


def set_organisation(
    session: Session, *, user_id: int, organisation_id: int | None, actor: str
) -> User:
    """Move a user to another organisation; ends their sessions (what they see changes)."""
    user = get_user_or_raise(session, user_id=user_id)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise NotFoundError("No such organisation")
    if Role(user.role) is Role.advocate:
        org = session.get(Organisation, organisation_id) if organisation_id else None
        if org is None or org.kind != "support_org":
            raise InvalidInputError(
                "An advocate must belong to a support organisation", field="organisation"
            )
    previous = user.organisation_id
    user.organisation_id = organisation_id
    user.session_epoch += 1
    session.flush()
    session.refresh(user, ["organisation"])
    _record(
        session,
        EventKind.AUTH_ORGANISATION_CHANGED,
        actor,
        user_id=user.id,
        **{"from": previous, "to": organisation_id},
    )
    return user


def start_password_reset(session: Session, *, user_id: int, actor: str) -> str:
    """A one-time code (shown once to the administrator) that lets the user set a password.

    Earlier unused codes stop working; the account's sessions end at once.
    """
    user = get_user_or_raise(session, user_id=user_id)
    now = utcnow()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session="fetch")
    )
    code = secrets.token_urlsafe(24)
    session.add(
        PasswordReset(
            user_id=user.id,
            code_hash=hash_token(code),
            created_by=actor,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    user.session_epoch += 1
    session.flush()
    _record(session, EventKind.AUTH_PASSWORD_RESET_STARTED, actor, user_id=user.id)
    return code


def complete_password_reset(session: Session, *, code: str, new_password: str) -> User:
    """Set a new password with a one-time code; refuses used, expired or unknown codes alike."""
    now = utcnow()
    row = session.scalar(select(PasswordReset).where(PasswordReset.code_hash == hash_token(code)))
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise AuthenticationError("That reset code is not valid. Ask an administrator for another")
    user = get_user_or_raise(session, user_id=row.user_id)
    check_password(new_password, username=user.username, display_name=user.display_name)
    row.used_at = now
    user.password_hash = hash_password(new_password)
    user.session_epoch += 1
    session.flush()
    _record(session, EventKind.AUTH_PASSWORD_RESET_COMPLETED, user.username, user_id=user.id)
    return user


def change_password(
    session: Session, *, user_id: int, current_password: str, new_password: str
) -> User:
    """The signed-in user changes their own password (re-entering the current one)."""
    user = get_user_or_raise(session, user_id=user_id)
    if not verify_password(user.password_hash, current_password):
        raise InvalidInputError("Your current password is not right", field="current_password")
    check_password(new_password, username=user.username, display_name=user.display_name)
    user.password_hash = hash_password(new_password)
    user.session_epoch += 1
    session.flush()
    _record(session, EventKind.AUTH_PASSWORD_CHANGED, user.username, user_id=user.id)
    return user


def list_tokens(session: Session, *, user_id: int | None = None) -> list[TokenInfo]:
    """Tokens (of one user, or everyone's), newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return [
        TokenInfo(
            id=row.id,
            user_id=row.user_id,
            label=row.label,
            created_at=row.created_at,
            expires_at=token_expiry(row),
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )
        for row in session.scalars(query)
    ]


def revoke_token(session: Session, *, token_id: int, actor: str) -> None:
    """Stop one token now."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError("No such token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        _record(session, EventKind.AUTH_TOKEN_REVOKED, actor, user_id=row.user_id, token_id=row.id)
