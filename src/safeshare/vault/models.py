"""Per-subject data keys (wrapped) and the sealed values encrypted under them.

Other features never touch these tables; they call `safeshare.vault.service`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safeshare.db.base import Base, utcnow


class DataKey(Base):
    """One subject's AES-256 data key, stored only wrapped by a key-encryption key (KEK).

    Erasure nulls `wrapped_key` and `kek_id` and stamps `destroyed_at`: the row stays as a
    tombstone so a destroyed subject is never silently given a fresh key.
    """

    __tablename__ = "vault_data_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), unique=True)
    kek_id: Mapped[str | None] = mapped_column(String(64), index=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rewrapped_at: Mapped[datetime | None] = mapped_column()
    destroyed_at: Mapped[datetime | None] = mapped_column()


class SealedValue(Base):
    """One field's ciphertext; its associated data names the subject and the field."""

    __tablename__ = "vault_sealed_values"
    __table_args__ = (
        UniqueConstraint("data_key_id", "field", name="uq_vault_sealed_values_key_field"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    data_key_id: Mapped[int] = mapped_column(
        ForeignKey("vault_data_keys.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)
