"""Signed-in sessions on the server side: list one's own, end one (ASVS 3.3.4).

The signed cookie still carries the session; this table adds a random session id to it so
a single session can be ended from another device, which a cookie alone cannot do.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from safeshare.auth.models import User, UserSession
from safeshare.auth.passwords import hash_token
from safeshare.db.base import utcnow
from safeshare.errors import NotFoundError
from safeshare.events import DomainEvent, EventKind, publish

_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip


def device_label(user_agent: str) -> str:
    """A short, coarse description ("Firefox on Linux"): enough to recognise, no fingerprint."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if re.search(re.escape(mark), user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def open_session(session: Session, *, user_id: int, epoch: int, label: str, since: datetime) -> str:
    """A new session id for the cookie; sessions older than `since` are cleared away."""
    session.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.created_at < since)
    )
    sid = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user_id, sid_hash=hash_token(sid), epoch=epoch, label=label))
    session.flush()
    return sid


def current(session: Session, *, sid: str, user: User) -> UserSession | None:
    """The live session row for this cookie's id, or None (ended, or from an old epoch)."""
    row = session.scalar(select(UserSession).where(UserSession.sid_hash == hash_token(sid)))
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    return row if row.epoch == user.session_epoch else None


def live_sessions(session: Session, *, user: User, since: datetime) -> list[UserSession]:
    """The user's sessions that can still be used, newest first."""
    return list(
        session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.ended_at.is_(None),
                UserSession.epoch == user.session_epoch,
                UserSession.created_at >= since,
            )
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        )
    )


def end_session(session: Session, *, user_id: int, session_id: int, actor: str) -> None:
    """End one of the user's own sessions (a lost phone, a shared computer); recorded."""
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user_id:
        raise NotFoundError("No such session")
    if row.ended_at is None:
        row.ended_at = utcnow()
        session.flush()
        publish(
            session,
            DomainEvent(
                kind=EventKind.AUTH_SESSION_ENDED,
                actor=actor,
                data={"user_id": user_id, "session_id": session_id},
            ),
        )
