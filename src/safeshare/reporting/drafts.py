"""Drafts of the online public report: the answers given so far, kept between form steps.

Why a table and not the cookie: the session cookie is signed, not encrypted, so anything in
it is readable by whoever holds the device. Why encrypted: the answers include the account
of what happened and contact details. Design (split knowledge):

- a draft's answers are one AES-256-GCM ciphertext in `report_drafts`, bound to the draft's
  random id as associated data;
- the 256-bit key exists only in the reporter's session cookie (with the draft id), never
  in the database, so the database or a backup alone cannot read a draft, and the cookie
  alone holds no answers;
- a draft expires `DRAFT_IDLE` after its last save, expired rows are purged whenever a
  draft is started, and a draft is deleted as soon as its report is sent or the reporter
  deletes it. When the cookie is gone (a private window closed) the ciphertext is already
  unreadable: abandoning a draft shreds it.

The vault's keys are not used: drafts are not reports, reading one's own draft is not an
audited disclosure, and vault key rotation must not strand a draft mid-journey.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from safeshare.db.base import Base, utcnow
from safeshare.errors import InvalidInputError

DRAFT_IDLE = timedelta(hours=2)
MAX_DRAFT_BYTES = 64 * 1024  # every answer at its maximum length fits well within this
_KEY_BYTES = 32
_NONCE_BYTES = 12
_AAD_PREFIX = b"safeshare/report-draft/v1\x00"

Answers = dict[str, str]


class ReportDraft(Base):
    """One reporter's unfinished answers: ciphertext only; the key is in their session."""

    __tablename__ = "report_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(64), unique=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)


@dataclass(frozen=True)
class DraftHandle:
    """What the reporter's session holds: the draft's id and its key (URL-safe base64)."""

    draft_id: str
    key: str

    def to_session(self) -> dict[str, str]:
        return {"id": self.draft_id, "key": self.key}

    @classmethod
    def from_session(cls, value: Any) -> DraftHandle | None:
        """The handle stored in a session, or None if absent or not well formed."""
        if not isinstance(value, dict):
            return None
        draft_id, key = value.get("id"), value.get("key")
        if not isinstance(draft_id, str) or not isinstance(key, str) or len(draft_id) > 64:
            return None
        return cls(draft_id=draft_id, key=key)

    def _key_bytes(self) -> bytes | None:
        try:
            raw = base64.urlsafe_b64decode(self.key.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None
        return raw if len(raw) == _KEY_BYTES else None


def _seal(handle: DraftHandle, answers: Answers) -> bytes:
    plaintext = json.dumps(answers, ensure_ascii=False, sort_keys=True).encode("utf-8")
    if len(plaintext) > MAX_DRAFT_BYTES:
        raise InvalidInputError("These answers are too long to save")
    key = handle._key_bytes()
    assert key is not None  # handles are only made here, with a valid key
    nonce = os.urandom(_NONCE_BYTES)
    aad = _AAD_PREFIX + handle.draft_id.encode("ascii")
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(handle: DraftHandle, blob: bytes) -> Answers | None:
    key = handle._key_bytes()
    if key is None or len(blob) < _NONCE_BYTES + 16:
        return None
    aad = _AAD_PREFIX + handle.draft_id.encode("ascii", "replace")
    try:
        plaintext = AESGCM(key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], aad)
    except InvalidTag:
        return None
    data = json.loads(plaintext.decode("utf-8"))
    if not isinstance(data, dict):
        return None
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


def _live_row(session: Session, handle: DraftHandle, now: datetime) -> ReportDraft | None:
    return session.scalars(
        select(ReportDraft).where(
            ReportDraft.public_id == handle.draft_id, ReportDraft.expires_at > now
        )
    ).one_or_none()


def purge_expired_drafts(session: Session, *, now: datetime | None = None) -> int:
    """Delete every draft past its expiry; returns how many went."""
    result = session.execute(delete(ReportDraft).where(ReportDraft.expires_at <= (now or utcnow())))
    return int(getattr(result, "rowcount", 0) or 0)


def start_draft(
    session: Session,
    *,
    answers: Answers,
    now: datetime | None = None,
    idle: timedelta = DRAFT_IDLE,
) -> DraftHandle:
    """Store `answers` as a new draft under a fresh random key; purges expired drafts first."""
    now = now or utcnow()
    purge_expired_drafts(session, now=now)
    handle = DraftHandle(
        draft_id=secrets.token_urlsafe(32),
        key=base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=_KEY_BYTES * 8)).decode(),
    )
    session.add(
        ReportDraft(
            public_id=handle.draft_id,
            ciphertext=_seal(handle, answers),
            created_at=now,
            updated_at=now,
            expires_at=now + idle,
        )
    )
    session.flush()
    return handle


def load_draft(
    session: Session, *, handle: DraftHandle, now: datetime | None = None
) -> Answers | None:
    """The draft's answers, or None if it expired, was deleted or the key does not open it."""
    row = _live_row(session, handle, now or utcnow())
    return None if row is None else _open(handle, row.ciphertext)


def save_draft(
    session: Session,
    *,
    handle: DraftHandle,
    answers: Answers,
    now: datetime | None = None,
    idle: timedelta = DRAFT_IDLE,
) -> bool:
    """Replace the draft's answers and extend its life; False if it no longer exists."""
    now = now or utcnow()
    row = _live_row(session, handle, now)
    if row is None or _open(handle, row.ciphertext) is None:
        return False
    row.ciphertext = _seal(handle, answers)
    row.updated_at, row.expires_at = now, now + idle
    session.flush()
    return True


def discard_draft(session: Session, *, handle: DraftHandle) -> None:
    """Delete the draft now (report sent, or the reporter asked)."""
    session.execute(delete(ReportDraft).where(ReportDraft.public_id == handle.draft_id))
    session.flush()
