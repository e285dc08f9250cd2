"""Vault service on both back ends: sealing, audited reveal, tamper detection, rotation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent
from safeshare.vault import service as vault
from safeshare.vault.errors import (
    DataKeyDestroyedError,
    IntegrityError,
    KeyUnavailableError,
    ReasonRequiredError,
    RotationPendingError,
)
from safeshare.vault.keys import InMemoryKeyProvider, KeyProvider
from safeshare.vault.models import DataKey, SealedValue

A, B = "a" * 32, "b" * 32
REASON = "Checking interpreter needs"
NO_GRACE = timedelta(0)


def _seal(session: Session, provider: KeyProvider, subject: str, **values: str | None) -> None:
    vault.seal_values(session, provider=provider, subject=subject, values=values)


def _reveal(
    session: Session, provider: KeyProvider, subject: str, *fields: str
) -> dict[str, str | None]:
    return vault.reveal_values(
        session, provider=provider, subject=subject, fields=fields, actor="pc.jones", reason=REASON
    )


def _ciphertext(session: Session, subject: str, field: str) -> SealedValue:
    return session.scalars(
        select(SealedValue)
        .join(DataKey, SealedValue.data_key_id == DataKey.id)
        .where(DataKey.subject == subject, SealedValue.field == field)
    ).one()


def test_round_trip_with_one_audit_event_per_field(
    db_session: Session, provider: KeyProvider, published: list[DomainEvent]
) -> None:
    _seal(db_session, provider, A, name="Maria", language_needs="Spanish", address=None)
    assert b"Maria" not in _ciphertext(db_session, A, "name").ciphertext
    values = vault.reveal_values(
        db_session,
        provider=provider,
        subject=A,
        fields=["name", "address"],
        actor="pc.jones",
        reason=REASON,
        audit={"report_id": 7},
    )
    assert values == {"name": "Maria", "address": None}
    note = {k: published[0].data[k] for k in ("note_ref", "note_sha256")}
    assert [(e.kind, e.actor, e.data) for e in published] == [
        ("vault.read", "pc.jones", {"report_id": 7, "subject": A, "field": f, **note})
        for f in ("name", "address")
    ]
    # The reason is sealed under the subject; the entry holds its reference and salted hash.
    assert REASON not in repr(published)
    assert vault.open_note(db_session, provider=provider, **note) == REASON
    vault.destroy_data_key(db_session, subject=A, actor="admin")
    assert vault.open_note(db_session, provider=provider, **note) is None  # shredded with it


def test_unknown_subject_reads_as_nothing_but_is_still_audited(
    db_session: Session, provider: KeyProvider, published: list[DomainEvent]
) -> None:
    assert _reveal(db_session, provider, "c" * 32, "name") == {"name": None}
    assert len(published) == 1


def test_blank_or_none_clears_a_field(db_session: Session, provider: KeyProvider) -> None:
    _seal(db_session, provider, A, name="Maria", account="text")
    _seal(db_session, provider, A, name=None, account="  ")
    assert _reveal(db_session, provider, A, "name", "account") == {"name": None, "account": None}


def test_reason_is_required(db_session: Session, provider: KeyProvider) -> None:
    _seal(db_session, provider, A, name="Maria")
    with pytest.raises(ReasonRequiredError):
        vault.reveal_values(
            db_session, provider=provider, subject=A, fields=["name"], actor="x", reason="  "
        )


def test_oversized_value_is_refused(db_session: Session, provider: KeyProvider) -> None:
    with pytest.raises(InvalidInputError):
        vault.seal_values(
            db_session,
            provider=provider,
            subject=A,
            values={"account": "x" * 11},
            max_value_chars=10,
        )


def test_tampered_ciphertext_fails(db_session: Session, provider: KeyProvider) -> None:
    _seal(db_session, provider, A, name="Maria")
    row = _ciphertext(db_session, A, "name")
    row.ciphertext = row.ciphertext[:-1] + bytes([row.ciphertext[-1] ^ 1])
    db_session.flush()
    with pytest.raises(IntegrityError):
        _reveal(db_session, provider, A, "name")


def test_ciphertext_moved_to_another_field_or_report_fails(
    db_session: Session, provider: KeyProvider
) -> None:
    _seal(db_session, provider, A, name="Maria", address="1 Safe Street")
    _seal(db_session, provider, B, name="Ana")
    stolen = _ciphertext(db_session, A, "name").ciphertext
    _ciphertext(db_session, A, "address").ciphertext = stolen
    _ciphertext(db_session, B, "name").ciphertext = stolen
    db_session.flush()
    with pytest.raises(IntegrityError):
        _reveal(db_session, provider, A, "address")
    with pytest.raises(IntegrityError):
        _reveal(db_session, provider, B, "name")


def test_wrapped_data_key_moved_to_another_report_fails(
    db_session: Session, provider: KeyProvider
) -> None:
    _seal(db_session, provider, A, name="Maria")
    _seal(db_session, provider, B, name="Ana")
    key_a = db_session.scalars(select(DataKey).where(DataKey.subject == A)).one()
    db_session.execute(
        update(DataKey).where(DataKey.subject == B).values(wrapped_key=key_a.wrapped_key)
    )
    db_session.expire_all()
    with pytest.raises(IntegrityError):
        _reveal(db_session, provider, B, "name")


def test_another_key_provider_cannot_read(db_session: Session, provider: KeyProvider) -> None:
    _seal(db_session, provider, A, name="Maria")
    with pytest.raises(KeyUnavailableError):
        _reveal(db_session, InMemoryKeyProvider(), A, "name")


def test_rotation_rewraps_without_reencrypting_then_retires_after_commit(
    db_session: Session, provider: KeyProvider, published: list[DomainEvent]
) -> None:
    _seal(db_session, provider, A, name="Maria")
    _seal(db_session, provider, B, name="Ana")
    old_key = provider.current_key_id()
    before = _ciphertext(db_session, A, "name").ciphertext
    result = vault.rotate(db_session, provider=provider, actor="admin")
    assert result.key_id == provider.current_key_id() != old_key
    assert result.rewrapped >= 2
    assert _ciphertext(db_session, A, "name").ciphertext == before  # fields untouched
    assert vault.key_usage(db_session).get(old_key) is None
    assert _reveal(db_session, provider, A, "name") == {"name": "Maria"}
    # Destroying the old KEK before the re-wrap commits could strand every data key.
    with pytest.raises(RotationPendingError):
        vault.retire_unused_keys(db_session, provider=provider, actor="admin", grace=NO_GRACE)
    db_session.commit()
    # Within the grace period nothing is retired ...
    assert (
        vault.retire_unused_keys(
            db_session, provider=provider, actor="admin", grace=timedelta(minutes=5)
        )
        == []
    )
    # ... after it, the unused old key goes.
    assert vault.retire_unused_keys(
        db_session,
        provider=provider,
        actor="admin",
        grace=timedelta(minutes=5),
        now=utcnow() + timedelta(minutes=6),
    ) == [old_key]
    assert provider.key_ids() == {result.key_id}
    assert _reveal(db_session, provider, B, "name") == {"name": "Ana"}
    assert [
        e.kind for e in published if e.kind.startswith("vault.") and e.kind != "vault.read"
    ] == [
        "vault.rotated",
        "vault.key_retired",
    ]


def test_rollback_of_rotation_clears_the_pending_mark(
    db_session: Session, provider: KeyProvider
) -> None:
    _seal(db_session, provider, A, name="Maria")
    db_session.commit()
    old_key = provider.current_key_id()
    vault.rotate(db_session, provider=provider, actor="admin")
    db_session.rollback()
    # The data key is wrapped under the old KEK again, so it must not be retired.
    assert (
        vault.retire_unused_keys(db_session, provider=provider, actor="admin", grace=NO_GRACE) == []
    )
    assert old_key in provider.key_ids()
    assert _reveal(db_session, provider, A, "name") == {"name": "Maria"}


def test_destroyed_subject_cannot_be_read_or_resealed(
    db_session: Session, provider: KeyProvider, published: list[DomainEvent]
) -> None:
    _seal(db_session, provider, A, name="Maria")
    assert vault.destroy_data_key(db_session, subject=A, actor="admin")
    assert vault.is_destroyed(db_session, subject=A)
    assert not vault.destroy_data_key(db_session, subject=A, actor="admin")
    with pytest.raises(DataKeyDestroyedError):
        _reveal(db_session, provider, A, "name")
    with pytest.raises(DataKeyDestroyedError):
        _seal(db_session, provider, A, name="Maria again")
    assert [e.kind for e in published] == ["vault.shredded"]
    # Destroying a subject that never had a key leaves a tombstone too.
    assert vault.destroy_data_key(db_session, subject=B, actor="admin")
    with pytest.raises(DataKeyDestroyedError):
        _seal(db_session, provider, B, name="Ana")


class _UndatedKeys(InMemoryKeyProvider):
    """A provider that cannot say when a key was made (some KMSs)."""

    def key_created_at(self, key_id: str) -> datetime | None:
        return None


def test_retirement_waits_when_key_age_is_unknown(db_session: Session) -> None:
    undated = _UndatedKeys()
    old_key = undated.current_key_id()
    undated.add_key()
    grace = timedelta(seconds=30)
    assert vault.retire_unused_keys(db_session, provider=undated, actor="a", grace=grace) == []
    assert vault.retire_unused_keys(db_session, provider=undated, actor="a", grace=NO_GRACE) == [
        old_key
    ]
