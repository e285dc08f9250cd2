"""Oversight tables: outcomes after a share, the recommendations tracker, and a narrow read
model of sharing decisions for statistics.

Ids of other features' rows (disclosures, decisions) are held without foreign keys: features
branch off the foundation migration independently (STYLE.md), as support does for reports.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safeshare.db.base import Base, utcnow


class ShareOutcome(Base):
    """One thing that followed a disclosure to Immigration Enforcement, with its date.

    A disclosure gathers several over time (support offered, then enforcement paused, say);
    statistics use the latest of each track. No free text: a note could name someone.
    """

    __tablename__ = "oversight_share_outcomes"
    __table_args__ = (
        Index("ix_oversight_share_outcomes_disclosure_track", "disclosure_id", "track"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column()  # policy_disclosures.id
    track: Mapped[str] = mapped_column(String(16))  # OutcomeTrack
    outcome: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column()
    # OutcomeSource: who told us. Rows from before 0019 hold "not_recorded".
    source: Mapped[str] = mapped_column(String(32), default="not_recorded")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Recommendation(Base):
    """An inspection recommendation, who it is for, and the response to it."""

    __tablename__ = "oversight_recommendations"
    __table_args__ = (UniqueConstraint("source", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))  # the inspection report's title
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    report_date: Mapped[date] = mapped_column()
    # No single statutory deadline: each recommendation has its own (DOMAIN.md, 8).
    response_due_on: Mapped[date] = mapped_column()
    response_text: Mapped[str | None] = mapped_column(Text)
    response_date: Mapped[date | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[str | None] = mapped_column(Text)
    # Set when someone approves the response for the public page; any later change to what
    # the page shows clears it, so nothing unapproved is ever published.
    published_at: Mapped[datetime | None] = mapped_column()
    published_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))

    def is_overdue(self, today: date) -> bool:
        """No response yet and the due date has passed."""
        return self.response_date is None and self.response_due_on < today


class ShareFact(Base):
    """One sharing decision as statistics need it: a few short columns, so a million rows
    aggregate in milliseconds, where the Firewall's own rows carry the request as JSON.

    Caught up from the Firewall's decisions and reviews before statistics are read
    (`rollups.sync_share_facts`); never written anywhere else.
    """

    __tablename__ = "oversight_share_facts"
    __table_args__ = (
        Index("ix_oversight_share_facts_requested_at", "requested_at"),
        Index("ix_oversight_share_facts_force_requested_at", "force", "requested_at"),
        Index("ix_oversight_share_facts_result", "result"),
        Index("ix_oversight_share_facts_report_ref", "report_ref"),
        # Time to decision reads reviewed requests in a period from the index alone.
        Index(
            "ix_oversight_share_facts_outcome_requested_at",
            "outcome",
            "requested_at",
            "force",
            "decision_seconds",
        ),
    )

    decision_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    force: Mapped[str] = mapped_column(String(200))
    regime: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # the policy's: permit, deny, review
    result: Mapped[str] = mapped_column(String(24))  # ShareResult, after any review
    agency: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32))
    report_ref: Mapped[str | None] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()  # None while awaiting review
    decision_seconds: Mapped[int | None] = mapped_column()


class ShareDaily(Base):
    """Share requests per local day and force, by one breakdown, kept in step with
    `ShareFact` by the same catch-up: a year's pages sum thousands of these rows, not a
    third of a million facts.

    `kind` says what the keys hold: "result" (regime, policy outcome, result), "agency"
    (agency, outcome, "") or "purpose" (purpose, outcome, "").
    """

    __tablename__ = "oversight_share_daily"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    force: Mapped[str] = mapped_column(String(200), primary_key=True)
    key1: Mapped[str] = mapped_column(String(64), primary_key=True)
    key2: Mapped[str] = mapped_column(String(24), primary_key=True)
    key3: Mapped[str] = mapped_column(String(24), primary_key=True)
    n: Mapped[int] = mapped_column()


class RightsDaily(Base):
    """Victims' Code items of reports made on a day (force's calendar), by right, by the
    report's share group (`ShareGroup`: whether Immigration Enforcement asked for or got the
    victim's data) and how they stand: `on_time`, `late`, `not_applicable` or `pending` (with
    its due date, so whether it is overdue is decided when read). Rebuilt a day at a time when
    its reports change, or when a request or share names one of them."""

    __tablename__ = "oversight_rights_daily"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    right: Mapped[int] = mapped_column()
    share_group: Mapped[str] = mapped_column(String(16))
    standing: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None] = mapped_column()
    n: Mapped[int] = mapped_column()


class RightsPeople(Base):
    """The same items by the victim's monitoring answers, crime type and pathway instead of
    by right, for intersectional compliance rates."""

    __tablename__ = "oversight_rights_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    sex: Mapped[str] = mapped_column(String(20))
    age_band: Mapped[str] = mapped_column(String(20))
    ethnicity_group: Mapped[str] = mapped_column(String(20))
    nationality_group: Mapped[str] = mapped_column(String(20))
    disability: Mapped[str] = mapped_column(String(30), server_default="not_asked")
    religion: Mapped[str] = mapped_column(String(30), server_default="not_asked")
    sexual_orientation: Mapped[str] = mapped_column(String(30), server_default="not_asked")
    preferred_language: Mapped[str] = mapped_column(String(30), server_default="not_asked")
    immigration_status_category: Mapped[str] = mapped_column(String(30), server_default="not_asked")
    crime_type: Mapped[str] = mapped_column(String(40))
    pathway: Mapped[str] = mapped_column(String(20))
    standing: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date | None] = mapped_column()
    n: Mapped[int] = mapped_column()


class CasesDaily(Base):
    """Reports made on a day by share group, crime type and where the case stands, rebuilt
    with `RightsDaily`: "what sharing did to the case" sums these, not every report with two
    correlated lookups each."""

    __tablename__ = "oversight_cases_daily"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    share_group: Mapped[str] = mapped_column(String(16))
    crime_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))
    n: Mapped[int] = mapped_column()


class DirtyReport(Base):
    """A report whose Victims' Code items, case or share group changed since the rollups last
    counted it (marked by reporting's and the Firewall's events, in the same transaction as
    the change, and by the decisions' catch-up for new requests naming it)."""

    __tablename__ = "oversight_dirty_reports"

    report_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class SyncState(Base):
    """How far a rollup has counted: the highest source id seen, and when it was built."""

    __tablename__ = "oversight_sync_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    high_id: Mapped[int] = mapped_column()
    built_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(Base):
    """One answer to "was it safe, was it helpful": from a victim at the end of the public
    journey, or from an advocate about one referral (issue 19, victim and sector voice).

    A victim's answer is linked to nothing, not even her report, and keeps only the day, so
    it cannot be traced back to her. An advocate's answer names the referral (one answer per
    referral, changed in place) by number only: no foreign key, so the retention run can
    delete an aged referral without touching the counts.
    """

    __tablename__ = "oversight_feedback"
    __table_args__ = (UniqueConstraint("referral_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    referral_id: Mapped[int | None] = mapped_column()
    felt_safe: Mapped[str | None] = mapped_column(String(16))
    was_helpful: Mapped[str | None] = mapped_column(String(16))
    given_on: Mapped[date] = mapped_column(index=True)
