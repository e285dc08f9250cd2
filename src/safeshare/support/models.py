"""Support tables: services, capacity history, areas, referrals, directory releases.

List-valued attributes (languages, communities, service types, areas) are JSON arrays: the
search runs over an in-memory index (see `search.py`), so they never need SQL predicates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safeshare.auth.models import Organisation
from safeshare.db.base import Base, utcnow


class SupportService(Base):
    """One service an organisation offers (a refuge, an advocacy service, a helpline...)."""

    __tablename__ = "support_services"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name", name="uq_support_services_organisation_name"),
        CheckConstraint(
            "units >= 0 AND bedspaces >= 0 AND nrpf_units >= 0 AND nrpf_bedspaces >= 0",
            name="capacity_non_negative",
        ),
        CheckConstraint(
            "nrpf_units <= units AND nrpf_bedspaces <= bedspaces", name="nrpf_within_capacity"
        ),
        CheckConstraint(
            "vacant_units >= 0 AND vacant_bedspaces >= 0 "
            "AND vacant_nrpf_units >= 0 AND vacant_nrpf_bedspaces >= 0",
            name="vacancies_non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    communities: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    oisc_level: Mapped[int | None] = mapped_column()
    has_nrpf_support: Mapped[bool] = mapped_column(default=False)
    areas_covered: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_area_wide: Mapped[bool] = mapped_column(default=False)
    referral_method: Mapped[str] = mapped_column(String(32))
    referral_contact: Mapped[str] = mapped_column(String(200), default="")
    opening_hours: Mapped[str] = mapped_column(String(500), default="")
    # Refuge capacity; the NRPF figures are the ringfenced part of the totals.
    units: Mapped[int] = mapped_column(default=0)
    bedspaces: Mapped[int] = mapped_column(default=0)
    nrpf_units: Mapped[int] = mapped_column(default=0)
    nrpf_bedspaces: Mapped[int] = mapped_column(default=0)
    # Current vacancies, general (not ringfenced) and NRPF-ringfenced, as last reported.
    vacant_units: Mapped[int] = mapped_column(default=0)
    vacant_bedspaces: Mapped[int] = mapped_column(default=0)
    vacant_nrpf_units: Mapped[int] = mapped_column(default=0)
    vacant_nrpf_bedspaces: Mapped[int] = mapped_column(default=0)
    vacancies_updated_at: Mapped[datetime | None] = mapped_column()
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined", innerjoin=True)


class SupportCapacityUpdate(Base):
    """One vacancy report by an advocate: the history behind the service's current figures."""

    __tablename__ = "support_capacity_updates"
    __table_args__ = (
        Index("ix_support_capacity_updates_service_recorded", "service_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("support_services.id", ondelete="CASCADE"))
    vacant_units: Mapped[int] = mapped_column()
    vacant_bedspaces: Mapped[int] = mapped_column()
    vacant_nrpf_units: Mapped[int] = mapped_column()
    vacant_nrpf_bedspaces: Mapped[int] = mapped_column()
    updated_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportArea(Base):
    """A locality of the force area; `neighbours` (area codes) define distance by hops."""

    __tablename__ = "support_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    neighbours: Mapped[list[str]] = mapped_column(JSON, default=list)


class SupportDirectoryState(Base):
    """A single row whose `revision` changes with every directory write.

    Each process caches its search index under the revision it was built from; a random
    token rather than a counter, so a rolled-back write can never be mistaken for a later one.
    """

    __tablename__ = "support_directory_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupportReferral(Base):
    """A referral of a victim (by report id, from the reporting feature) to one service.

    It holds no personal data beyond what the referral needs to be matched (needs, language,
    NRPF); those are erased when the victim withdraws consent.
    """

    __tablename__ = "support_referrals"
    __table_args__ = (
        Index("ix_support_referrals_organisation_status", "organisation_id", "status"),
        Index("ix_support_referrals_service_created", "service_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: reports belong to another feature and migration branch (STYLE.md).
    report_id: Mapped[int] = mapped_column(index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("support_services.id"))
    # Copied from the service so isolation by organisation is one indexed predicate.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    referred_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(64))
    has_nrpf: Mapped[bool | None] = mapped_column()
    # The Firewall decision that allowed the referral (the policy feature's id, no foreign
    # key: another migration branch) and the data categories it disclosed to the service.
    decision_id: Mapped[int | None] = mapped_column(index=True)
    shared_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16))
    decline_reason: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column()
    first_contact_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[SupportService] = relationship(lazy="joined", innerjoin=True)


class SupportDirectoryRelease(Base):
    """A versioned publication of the directory to officers, with the PCC's change summary.

    `snapshot` keeps each service's published fields (not vacancies), so an officer can be
    shown exactly what changed since the version they last acknowledged.
    """

    __tablename__ = "support_directory_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    change_summary: Mapped[str] = mapped_column(Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)  # large; on demand
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class SupportReleaseAcknowledgement(Base):
    """An officer's confirmation that they have read a directory release."""

    __tablename__ = "support_release_acknowledgements"
    __table_args__ = (
        UniqueConstraint(
            "release_id", "user_id", name="uq_support_release_acknowledgements_release_user"
        ),
        Index("ix_support_release_acknowledgements_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey(
            "support_directory_releases.id",
            ondelete="CASCADE",
            # The conventional name would exceed PostgreSQL's 63-character identifiers.
            name="fk_support_release_acknowledgements_release_id",
        )
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)
