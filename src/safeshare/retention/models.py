"""Holds on a report's records (legal holds, restrictions of processing), and what retention
has done to each record (so a review is flagged once and a deletion leaves a tombstone
naming its schedule)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safeshare.db.base import Base, utcnow


class HoldKind(StrEnum):
    # Retention deletes and shreds nothing tied to the report (reviews still fall due).
    legal_hold = "legal_hold"
    # UK GDPR Art.18 / DPA 2018 s.47(2): the record takes part in no new share decision.
    restriction = "restriction"


HOLD_NAMES = {HoldKind.legal_hold: "Legal hold", HoldKind.restriction: "Restriction of processing"}


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


class RetentionRecord(Base):
    """One action retention took on one record: the record's reference, never its content."""

    __tablename__ = "retention_records"
    __table_args__ = (UniqueConstraint("record_type", "record_key", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_key: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    report_ref: Mapped[str | None] = mapped_column(String(20), index=True)
    schedule_sha256: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column()
    acted_at: Mapped[datetime] = mapped_column(index=True)
    acted_by: Mapped[str] = mapped_column(String(64))
