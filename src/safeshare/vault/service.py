"""Seal, reveal (audited), destroy and rotate: every use of vault tables goes through here.

Erasure model. Destroying a subject's wrapped data key makes its ciphertext unreadable in
the live database and in any copy of the ciphertext alone. A full backup taken earlier
still holds the wrapped data key, and PostgreSQL keeps dead row versions until VACUUM,
so erasure is completed by `rotate` (re-wrap every live data key under a new KEK; no field
is re-encrypted) and then `retire_unused_keys` after that has committed, which destroys the
KEK those old copies need. Services flush and never commit (STYLE.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.vault import crypto
from safeshare.vault.errors import (
    DataKeyDestroyedError,
    IntegrityError,
    ReasonRequiredError,
    RotationPendingError,
)
from safeshare.vault.keys import KeyProvider, WrappedKey
from safeshare.vault.models import DataKey, SealedValue

__all__ = [
    "KeyProvider",
    "RotationResult",
    "destroy_data_key",
    "is_destroyed",
    "key_usage",
    "note_commitment",
    "open_note",
    "retire_unused_keys",
    "reveal_values",
    "rotate",
    "seal_note",
    "seal_values",
]

DEFAULT_MAX_VALUE_CHARS = 20_000
REASON_MIN_CHARS = 5
REASON_MAX_CHARS = 500
_REWRAP_BATCH = 500
_PENDING = "safeshare.vault.rotation_pending"


@dataclass(frozen=True)
class RotationResult:
    """Outcome of `rotate`: the new current KEK and how many data keys moved to it."""

    key_id: str
    rewrapped: int


def _data_key(session: Session, subject: str) -> DataKey | None:
    return session.scalars(select(DataKey).where(DataKey.subject == subject)).one_or_none()


def _live_data_key(session: Session, subject: str) -> DataKey | None:
    row = _data_key(session, subject)
    if row is not None and row.destroyed_at is not None:
        raise DataKeyDestroyedError("this record's sealed details have been erased")
    return row


def _plain_data_key(provider: KeyProvider, row: DataKey) -> bytes:
    assert row.wrapped_key is not None and row.kek_id is not None  # live rows only
    return provider.unwrap(WrappedKey(row.kek_id, row.wrapped_key), subject=row.subject)


def seal_values(
    session: Session,
    *,
    provider: KeyProvider,
    subject: str,
    values: Mapping[str, str | None],
    max_value_chars: int = DEFAULT_MAX_VALUE_CHARS,
) -> None:
    """Encrypt `values` for `subject` (creating its data key on first use); None clears a field.

    Blank strings count as None so "not given" is never stored as a ciphertext of nothing.
    """
    for name, value in values.items():
        crypto.field_aad(subject, name)  # validates names before anything is written
        if value is not None and len(value) > max_value_chars:
            raise InvalidInputError("This answer is too long", field=name)
    row = _live_data_key(session, subject)
    if row is None:
        data_key = crypto.new_key()
        wrapped = provider.wrap(data_key, subject=subject)
        row = DataKey(subject=subject, kek_id=wrapped.key_id, wrapped_key=wrapped.blob)
        session.add(row)
        session.flush()
    else:
        data_key = _plain_data_key(provider, row)
    existing = {
        sv.field: sv
        for sv in session.scalars(select(SealedValue).where(SealedValue.data_key_id == row.id))
    }
    for name, value in values.items():
        current = existing.get(name)
        if value is None or not value.strip():
            if current is not None:
                session.delete(current)
            continue
        ciphertext = crypto.encrypt(
            data_key, value.encode("utf-8"), aad=crypto.field_aad(subject, name)
        )
        if current is None:
            session.add(SealedValue(data_key_id=row.id, field=name, ciphertext=ciphertext))
        else:
            current.ciphertext = ciphertext
            current.sealed_at = utcnow()
    session.flush()


def note_commitment(salt: str, text: str) -> str:
    """SHA-256 over a random salt and the text: checkable while the salt is kept, and
    unguessable once it is destroyed (a bare hash of a short reason could be brute-forced)."""
    return hashlib.sha256(f"{salt}\n{text}".encode()).hexdigest()


def seal_note(
    session: Session, *, provider: KeyProvider, subject: str, text: str
) -> dict[str, str]:
    """Seal free text (a reason, a note) under `subject`; return what a ledger entry holds
    instead of it: a reference to the sealed note and a salted hash of its text.

    Sealed under a report's subject, the note is crypto-shredded with the report; the
    ledger entry, holding no text, stays as it was and verifies.
    """
    field = f"note.{uuid.uuid4().hex}"
    salt = secrets.token_hex(16)
    seal_values(session, provider=provider, subject=subject, values={field: f"{salt}\n{text}"})
    return {"note_ref": f"{subject}/{field}", "note_sha256": note_commitment(salt, text)}


def open_note(
    session: Session, *, provider: KeyProvider, note_ref: str, note_sha256: str
) -> str | None:
    """The text of a sealed note, checked against the ledger entry's `note_sha256`; None
    once shredded. For auditors reviewing why something was read or erased."""
    subject, _, field = note_ref.partition("/")
    row = _data_key(session, subject)
    if row is None or row.destroyed_at is not None:
        return None
    blob = session.scalar(
        select(SealedValue.ciphertext).where(
            SealedValue.data_key_id == row.id, SealedValue.field == field
        )
    )
    if blob is None:
        return None
    plain = crypto.decrypt(
        _plain_data_key(provider, row), blob, aad=crypto.field_aad(subject, field)
    ).decode()
    salt, _, text = plain.partition("\n")
    if not hmac.compare_digest(note_commitment(salt, text), note_sha256):
        raise IntegrityError("the sealed note does not match the ledger entry")
    return text


def reveal_values(
    session: Session,
    *,
    provider: KeyProvider,
    subject: str,
    fields: Sequence[str],
    actor: str,
    reason: str,
    audit: Mapping[str, Any] | None = None,
) -> dict[str, str | None]:
    """Decrypt `fields` of `subject`, publishing one `vault.read` event per field.

    The caller has already checked the actor's role; the vault insists on a stated reason
    and records it. Event data carries references (`audit`), never the values.
    """
    reason = " ".join(reason.split())
    if len(reason) < REASON_MIN_CHARS:
        raise ReasonRequiredError("Give a reason for viewing this information", field="reason")
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidInputError(
            f"Reason must be {REASON_MAX_CHARS} characters or fewer", field="reason"
        )
    row = _live_data_key(session, subject)
    stored: dict[str, bytes] = {}
    data_key = b""
    if row is not None:
        stored = {
            sv.field: sv.ciphertext
            for sv in session.scalars(
                select(SealedValue).where(
                    SealedValue.data_key_id == row.id, SealedValue.field.in_(list(fields))
                )
            )
        }
        if stored:
            data_key = _plain_data_key(provider, row)
    # The reason is free text (it may name the victim): sealed, and referenced by each entry.
    note = seal_note(session, provider=provider, subject=subject, text=reason)
    result: dict[str, str | None] = {}
    for name in fields:
        aad = crypto.field_aad(subject, name)
        blob = stored.get(name)
        result[name] = None if blob is None else crypto.decrypt(data_key, blob, aad=aad).decode()
        publish(
            session,
            DomainEvent(
                kind=EventKind.VAULT_READ,
                actor=actor,
                data={**(audit or {}), "subject": subject, "field": name, **note},
            ),
        )
    return result


def is_destroyed(session: Session, *, subject: str) -> bool:
    """Whether `subject`'s data key has been destroyed."""
    row = _data_key(session, subject)
    return row is not None and row.destroyed_at is not None


def destroy_data_key(session: Session, *, subject: str, actor: str) -> bool:
    """Crypto-shred `subject`: forget its wrapped data key and delete its ciphertexts.

    Returns False when it was already destroyed. A tombstone row remains so the subject
    can never be sealed again under a new key by accident.
    """
    row = _data_key(session, subject)
    if row is not None and row.destroyed_at is not None:
        return False
    if row is None:
        row = DataKey(subject=subject)
        session.add(row)
        session.flush()
    session.execute(delete(SealedValue).where(SealedValue.data_key_id == row.id))
    row.wrapped_key = None
    row.kek_id = None
    row.destroyed_at = utcnow()
    session.flush()
    publish(
        session, DomainEvent(kind=EventKind.VAULT_SHREDDED, actor=actor, data={"subject": subject})
    )
    return True


def _clear_pending_on_commit(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _clear_pending_on_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_PENDING, None)


def rotate(session: Session, *, provider: KeyProvider, actor: str) -> RotationResult:
    """Make a new KEK current and re-wrap every live data key under it (fields untouched).

    The old KEK stays in the provider: until this transaction commits, rows still need it.
    Call `retire_unused_keys` in a later unit of work to destroy it.
    """
    key_id = provider.add_key()
    rewrapped = 0
    last_id = 0
    while True:
        batch = list(
            session.scalars(
                select(DataKey)
                .where(
                    DataKey.id > last_id,
                    DataKey.wrapped_key.is_not(None),
                    DataKey.kek_id != key_id,
                )
                .order_by(DataKey.id)
                .limit(_REWRAP_BATCH)
            )
        )
        if not batch:
            break
        for row in batch:
            wrapped = provider.wrap(_plain_data_key(provider, row), subject=row.subject)
            row.kek_id, row.wrapped_key, row.rewrapped_at = wrapped.key_id, wrapped.blob, utcnow()
            rewrapped += 1
        last_id = batch[-1].id
        session.flush()
    session.info[_PENDING] = True
    if not event.contains(session, "after_commit", _clear_pending_on_commit):
        event.listen(session, "after_commit", _clear_pending_on_commit)
        event.listen(session, "after_soft_rollback", _clear_pending_on_rollback)
    publish(
        session,
        DomainEvent(
            kind=EventKind.VAULT_ROTATED,
            actor=actor,
            data={"key_id": key_id, "rewrapped": rewrapped},
        ),
    )
    return RotationResult(key_id=key_id, rewrapped=rewrapped)


def retire_unused_keys(
    session: Session,
    *,
    provider: KeyProvider,
    actor: str,
    grace: timedelta,
    now: datetime | None = None,
) -> list[str]:
    """Destroy every non-current KEK that no committed live data key uses; returns their ids.

    Refuses inside the transaction that re-wrapped (a rollback would strand data keys under
    a destroyed KEK) and until the current KEK is `grace` old, so requests that wrapped
    under the previous KEK just before rotation have committed and are counted.
    """
    if session.info.get(_PENDING):
        raise RotationPendingError("commit the rotation before retiring keys")
    current = provider.current_key_id()
    created = provider.key_created_at(current)
    # A provider that cannot say when the current key was made cannot prove the grace passed.
    if grace > timedelta(0) and (created is None or (now or utcnow()) - created < grace):
        return []
    in_use = set(
        session.scalars(
            select(DataKey.kek_id).where(DataKey.wrapped_key.is_not(None)).group_by(DataKey.kek_id)
        )
    )
    retired = sorted(k for k in provider.key_ids() if k != current and k not in in_use)
    for key_id in retired:
        provider.destroy_key(key_id)
        publish(
            session,
            DomainEvent(kind=EventKind.VAULT_KEY_RETIRED, actor=actor, data={"key_id": key_id}),
        )
    return retired


def key_usage(session: Session) -> dict[str, int]:
    """How many live data keys each KEK wraps (for `safeshare vault status` and checks)."""
    rows = session.execute(
        select(DataKey.kek_id, func.count())
        .where(DataKey.wrapped_key.is_not(None))
        .group_by(DataKey.kek_id)
    )
    return {str(kek_id): int(count) for kek_id, count in rows}
