"""Reports and what hangs off them: updates, consents and Victims' Code right items.

Nothing sensitive is stored here: sealed answers and update texts live only as vault
ciphertext under the report's `public_id`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safeshare.db.base import Base, utcnow


class Report(Base):
    """One report of a crime, on any pathway. Only unsealed fields are columns."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The vault subject: random, so ciphertext is bound to nothing guessable or reused.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    pathway: Mapped[str] = mapped_column(String(20), index=True)
    crime_type: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(30), index=True)
    occurred_from: Mapped[date | None] = mapped_column()
    occurred_to: Mapped[date | None] = mapped_column()
    reported_at: Mapped[datetime] = mapped_column(index=True)
    area: Mapped[str | None] = mapped_column(String(100), index=True)
    has_enhanced_rights: Mapped[bool] = mapped_column(default=False)
    has_identity: Mapped[bool] = mapped_column(default=False)
    # Coarse monitoring answers: None = not asked, "declined" = prefer not to say.
    sex: Mapped[str | None] = mapped_column(String(20))
    age_band: Mapped[str | None] = mapped_column(String(20))
    ethnicity_group: Mapped[str | None] = mapped_column(String(20))
    nationality_group: Mapped[str | None] = mapped_column(String(20))
    # Issue 19, asked on staff forms and the public form. The status category is for
    # statistics alone: never shown against a person, as the sealed status it summarises is not.
    disability: Mapped[str | None] = mapped_column(String(30))
    religion: Mapped[str | None] = mapped_column(String(30))
    sexual_orientation: Mapped[str | None] = mapped_column(String(30))
    preferred_language: Mapped[str | None] = mapped_column(String(30))
    immigration_status_category: Mapped[str | None] = mapped_column(String(30))
    # ImmigrationAbuse: the perpetrator used status or deportation threats to control. None =
    # not asked. Counted in statistics; erased with the monitoring answers.
    immigration_abuse: Mapped[str | None] = mapped_column(String(20))
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    submitted_by_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    # Anonymous pathway only: argon2 hash of the passphrase, and brute-force throttling.
    passphrase_hash: Mapped[str | None] = mapped_column(String(255))
    failed_passphrase_attempts: Mapped[int] = mapped_column(default=0)
    passphrase_locked_until: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column()
    erased_by: Mapped[str | None] = mapped_column(String(64))
    # Least privilege for sealed fields: the officer and team working the case read them;
    # anyone else needs an approved or break-glass grant (reporting/sealed_access.py).
    assigned_to: Mapped[str | None] = mapped_column(String(64), index=True)
    assigned_team: Mapped[str | None] = mapped_column(String(100), index=True)

    updates: Mapped[list[ReportUpdate]] = relationship(
        back_populates="report", order_by="ReportUpdate.id", cascade="all, delete-orphan"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="report", order_by="Consent.id", cascade="all, delete-orphan"
    )
    rights: Mapped[list[RightItem]] = relationship(
        back_populates="report", order_by="RightItem.id", cascade="all, delete-orphan"
    )
    facts: Mapped[list[ReportFact]] = relationship(
        back_populates="report", order_by="ReportFact.version", cascade="all, delete-orphan"
    )


class ReportUpdate(Base):
    """Something added to a report: by an officer, or by the victim returning anonymously.

    Any text is sealed in the vault as field `update.<public_id>`; here only its facts.
    """

    __tablename__ = "report_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    key_decision: Mapped[str | None] = mapped_column(String(40))
    new_status: Mapped[str | None] = mapped_column(String(30))
    has_text: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))

    report: Mapped[Report] = relationship(back_populates="updates")


class Consent(Base):
    """One consent for one purpose: when, how and by whom it was taken, and any withdrawal."""

    __tablename__ = "report_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    agency_name: Mapped[str | None] = mapped_column(String(200))
    # Salts the agency name's hash in ledger entries; cleared with the name on erasure.
    agency_salt: Mapped[str | None] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawal_method: Mapped[str | None] = mapped_column(String(40))

    report: Mapped[Report] = relationship(back_populates="consents")


class ReportFact(Base):
    """One fact about the report's subject that the Firewall reads (role, crime types,
    regularisation support, suspicion, age), added by an allowed role from a named source.

    Append-only: a later entry for the same fact supersedes an earlier one and `version`
    counts the report's entries, so a decision can name exactly the entries it used.
    """

    __tablename__ = "report_facts"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()
    fact: Mapped[str] = mapped_column(String(40))
    value: Mapped[Any] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_role: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="facts")


class RightItem(Base):
    """A Victims' Code right owed on a report, with its due date where the Code sets one.

    Right 6 gets one item per key decision (`trigger` "key_decision:<kind>").
    """

    __tablename__ = "victims_code_rights"
    __table_args__ = (Index("ix_victims_code_rights_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    right: Mapped[int] = mapped_column()
    trigger: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    triggered_at: Mapped[datetime | None] = mapped_column()
    due_on: Mapped[date | None] = mapped_column()
    met_at: Mapped[datetime | None] = mapped_column()
    met_by: Mapped[str | None] = mapped_column(String(64))
    delivery_method: Mapped[str | None] = mapped_column(String(40))
    not_applicable_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    report: Mapped[Report] = relationship(back_populates="rights")


class SealedAccessGrant(Base):
    """Access to one report's sealed fields for someone not assigned to it.

    `kind` "approval": requested with a reason code, decided by a supervisor. "break_glass":
    active at once for a short time, and the disclosure officer is alerted.
    """

    __tablename__ = "sealed_access_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()


class SealedReadRecord(Base):
    """One sealed read by one user: counted for the per-user rate limit and volume alerts."""

    __tablename__ = "sealed_read_records"
    __table_args__ = (Index("ix_sealed_read_records_username_read_at", "username", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccessAlert(Base):
    """Something the disclosure officer and supervisors must look at: break-glass, volumes."""

    __tablename__ = "access_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    username: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


# Drafts of the public form live with their service; imported here so `load_all_models`
# (migrations, autogenerate) knows the table.
from safeshare.reporting.drafts import ReportDraft as ReportDraft  # noqa: E402
