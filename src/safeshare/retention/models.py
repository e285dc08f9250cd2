"""What retention has done to each record (so a review is flagged once and a deletion
leaves a tombstone naming its schedule). Holds live in `safeshare.holds`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safeshare.db.base import Base


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
