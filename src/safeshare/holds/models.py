"""Holds on one report's records, set and lifted with reasons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeshare.db.base import Base, utcnow
from safeshare.holds.vocabulary import HoldKind


class LegalHold(Base):
    """A hold of one kind on everything tied to one report, until it is lifted."""

    __tablename__ = "retention_legal_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=HoldKind.legal_hold)
    # No foreign key: reports belong to another feature and migration branch (STYLE.md).
    report_ref: Mapped[str] = mapped_column(String(20), index=True)
    # Why (e.g. "civil claim notified"): may name people, so only its hash reaches the ledger.
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_by: Mapped[str | None] = mapped_column(String(64))
    lifted_at: Mapped[datetime | None] = mapped_column()
    lift_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None
