"""Each subject access bundle produced: for whom, how their identity was verified, which
fields were exempted and why, and the hash of what was released."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeshare.db.base import Base, utcnow


class SubjectAccessRecord(Base):
    __tablename__ = "subject_access_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: reports belong to another feature and migration branch (STYLE.md).
    report_ref: Mapped[str] = mapped_column(String(20), index=True)
    verification_note: Mapped[str] = mapped_column(Text)
    # {"sealed.immigration_status": "reason", ...}: each exempted field and why.
    exemptions: Mapped[dict[str, str]] = mapped_column(JSON)
    bundle_sha256: Mapped[str] = mapped_column(String(64))
    produced_by: Mapped[str] = mapped_column(String(64))
    produced_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rectification(Base):
    """A sealed field corrected at the person's request: which field, why, by whom. The old
    and new values are not kept here (they are sealed; the vault holds the new one)."""

    __tablename__ = "subject_rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_ref: Mapped[str] = mapped_column(String(20), index=True)
    field: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    rectified_by: Mapped[str] = mapped_column(String(64))
    rectified_at: Mapped[datetime] = mapped_column(default=utcnow)
