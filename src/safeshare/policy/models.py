"""Persisted sharing decisions, the review queue, policy sets, each force's regime history,
and the disclosures actually sent under a decision."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safeshare.db.base import Base, utcnow
from safeshare.policy.schemas import Decision, Outcome, ShareRequest


class ReviewStatus(StrEnum):
    pending = "pending"
    decided = "decided"


class PolicySetRecord(Base):
    """The exact schema and policy texts behind a policy hash, so old decisions can be replayed."""

    __tablename__ = "policy_sets"

    policy_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    regime: Mapped[str] = mapped_column(String(64))
    source: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyDecision(Base):
    """One sharing decision: the request, the regime and hash that decided it, and why."""

    __tablename__ = "policy_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    force: Mapped[str] = mapped_column(String(200))
    regime: Mapped[str] = mapped_column(String(64))
    policy_hash: Mapped[str] = mapped_column(ForeignKey("policy_sets.policy_hash"))
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    # The exact facts decided on, as a free-standing contract request (`ShareRequest`).
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Where each fact came from in the case record ({"report_ref", "facts": {...}}), or
    # {"general_enquiry": true}; None for decisions made before they were bound to a record.
    fact_versions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    disclose: Mapped[list[str]] = mapped_column(JSON)
    withhold: Mapped[list[str]] = mapped_column(JSON)
    reasons: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # Per category: {"state": "disclose|review|withhold", "reason_ids": [...]}, for explanations.
    verdicts: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_referral_required: Mapped[bool] = mapped_column()
    is_enforcement_pause_required: Mapped[bool] = mapped_column()
    requested_by: Mapped[str] = mapped_column(String(64), index=True)
    requested_by_role: Mapped[str] = mapped_column(String(32))
    report_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    review: Mapped[PolicyReview | None] = relationship(back_populates="decision", uselist=False)

    @property
    def is_general_enquiry(self) -> bool:
        """Made without a report, so it could only be refused or sent to review."""
        return bool((self.fact_versions or {}).get("general_enquiry"))

    @property
    def settled_outcome(self) -> Outcome:
        """What the decision means now: a decided review gives its result (permit if the
        officer released anything, otherwise deny), so pages stop saying "must decide"."""
        review = self.review
        if self.outcome == Outcome.review and review is not None and not review.is_pending:
            return Outcome.permit if review.disclose else Outcome.deny
        return Outcome(self.outcome)

    def share_request(self) -> ShareRequest:
        """The request as it was decided, re-validated against the contract."""
        return ShareRequest.model_validate(self.request)

    def as_decision(self) -> Decision:
        """The decision in contract form, exactly as it was returned when made."""
        return Decision.model_validate(
            {
                "regime": self.regime,
                "policy_hash": self.policy_hash,
                "outcome": self.outcome,
                "disclose": self.disclose,
                "withhold": self.withhold,
                "reasons": self.reasons,
                "referral_required": self.is_referral_required,
                "enforcement_pause_required": self.is_enforcement_pause_required,
            }
        )


class PolicyReview(Base):
    """A `review` decision waiting for, or decided by, a disclosure officer."""

    __tablename__ = "policy_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("policy_decisions.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.pending, index=True)
    # The categories the officer rules on; the rest were withheld by policy outright.
    reviewable: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column()

    decision: Mapped[PolicyDecision] = relationship(back_populates="review", lazy="joined")
    rulings: Mapped[list[PolicyReviewRuling]] = relationship(
        back_populates="review",
        order_by="PolicyReviewRuling.id",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def is_pending(self) -> bool:
        return self.status == ReviewStatus.pending

    @property
    def disclose(self) -> list[str]:
        """Categories the officer released (empty while pending)."""
        return [r.category for r in self.rulings if r.is_disclosed]


class PolicyReviewRuling(Base):
    """A disclosure officer's decision on one category, with the written rationale."""

    __tablename__ = "policy_review_rulings"
    __table_args__ = (UniqueConstraint("review_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(
        ForeignKey("policy_reviews.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(32))
    is_disclosed: Mapped[bool] = mapped_column()
    rationale: Mapped[str] = mapped_column(Text)

    review: Mapped[PolicyReview] = relationship(back_populates="rulings")


class RegimeAssignment(Base):
    """One change of a force's active regime; the latest row is the active one."""

    __tablename__ = "policy_regime_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    force: Mapped[str] = mapped_column(String(200), index=True)
    regime: Mapped[str] = mapped_column(String(64))
    policy_hash: Mapped[str] = mapped_column(String(64))
    previous_regime: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyDisclosure(Base):
    """What a disclosure officer actually sent under a decision: which categories, to which
    agency, when and how. Oversight records what followed against `id`.

    `agency`, `purpose`, `regime`, `policy_hash` and `report_ref` are copied from the decision
    so the record stands on its own; `categories` is always a subset of what the decision
    (or its review) allowed.
    """

    __tablename__ = "policy_disclosures"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("policy_decisions.id"), index=True)
    force: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(32), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    regime: Mapped[str] = mapped_column(String(64))
    policy_hash: Mapped[str] = mapped_column(String(64))
    report_ref: Mapped[str | None] = mapped_column(String(100), index=True)
    categories: Mapped[list[str]] = mapped_column(JSON)
    # Who received it, and the onward-use condition that organisation was shown with it.
    # None only on disclosures recorded before both were required.
    recipient_organisation: Mapped[str | None] = mapped_column(String(200))
    onward_use_condition: Mapped[str | None] = mapped_column(Text)
    # `lawful_basis.LawfulBasis` and `ProcessingCondition` values; None only on disclosures
    # recorded before the basis was required.
    lawful_basis: Mapped[str | None] = mapped_column(String(48), index=True)
    processing_condition: Mapped[str | None] = mapped_column(String(48))
    method: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_by_role: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    decision: Mapped[PolicyDecision] = relationship(lazy="joined")
