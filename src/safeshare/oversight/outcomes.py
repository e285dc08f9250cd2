"""Outcomes after a share: for each disclosure to Immigration Enforcement, what followed and
when, on two tracks (Immigration Enforcement's action; the criminal case), and the list of
disclosures whose follow-up is overdue.

Outcomes attach to the Firewall's disclosure records by id (`policy.service.get_disclosure`).
Each recording publishes `oversight.outcome_recorded` with references only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission, demand
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.oversight.errors import (
    DisclosureNotFoundError,
    InvalidOutcomeError,
    NotImmigrationDisclosureError,
)
from safeshare.oversight.models import ShareOutcome
from safeshare.oversight.schemas import OutcomeCreate
from safeshare.oversight.statistics import (
    IMMIGRATION_ENFORCEMENT,
    TIMEZONE,
    AnySelect,
    latest_outcomes,
)
from safeshare.oversight.vocabulary import OutcomeTrack
from safeshare.policy import service as policy_service
from safeshare.policy.models import PolicyDisclosure


def _require(actor_role: Role | None) -> None:
    # Routes check the permission first; this is the second lock on the same door.
    demand(actor_role, Permission.OUTCOME_RECORD, "see or record outcomes")


@dataclass(frozen=True)
class DisclosureFollowUp:
    """One disclosure to Immigration Enforcement and everything recorded after it."""

    disclosure_id: int
    decision_id: int
    force: str
    report_ref: str | None
    categories: list[str]
    sent_at: datetime
    due_on: date
    outcomes: list[ShareOutcome]
    is_overdue: bool

    def latest(self, track: OutcomeTrack) -> ShareOutcome | None:
        found = [o for o in self.outcomes if o.track == track.value]
        return max(found, key=lambda o: (o.occurred_on, o.id)) if found else None


@dataclass(frozen=True)
class FollowUpRow:
    """A disclosure as the follow-up list shows it."""

    disclosure_id: int
    force: str
    report_ref: str | None
    sent_at: datetime
    days_since: int
    latest_immigration: str | None
    latest_case: str | None
    is_overdue: bool


@dataclass(frozen=True)
class FollowUpList:
    overdue: list[FollowUpRow]
    recent: list[FollowUpRow]
    follow_up_days: int


def _local(moment: datetime) -> date:
    return moment.astimezone(TIMEZONE).date()


def get_follow_up(
    session: Session,
    *,
    disclosure_id: int,
    actor_role: Role | None,
    follow_up_days: int,
    now: datetime | None = None,
) -> DisclosureFollowUp:
    """The disclosure and its outcomes, or `DisclosureNotFoundError`; only disclosures to
    Immigration Enforcement are followed up."""
    _require(actor_role)
    disclosure = policy_service.get_disclosure(session, disclosure_id=disclosure_id)
    if disclosure is None:
        raise DisclosureNotFoundError(f"no disclosure {disclosure_id}")
    if disclosure.agency != IMMIGRATION_ENFORCEMENT:
        raise NotImmigrationDisclosureError(
            "Outcomes are recorded for disclosures to Immigration Enforcement only"
        )
    outcomes = list(
        session.scalars(
            select(ShareOutcome)
            .where(ShareOutcome.disclosure_id == disclosure_id)
            .order_by(ShareOutcome.occurred_on, ShareOutcome.id)
        )
    )
    now = now or utcnow()
    return DisclosureFollowUp(
        disclosure_id=disclosure.id,
        decision_id=disclosure.decision_id,
        force=disclosure.force,
        report_ref=disclosure.report_ref,
        categories=list(disclosure.categories),
        sent_at=disclosure.sent_at,
        due_on=_local(disclosure.sent_at + timedelta(days=follow_up_days)),
        outcomes=outcomes,
        is_overdue=not outcomes and disclosure.sent_at < now - timedelta(days=follow_up_days),
    )


def record_outcome(
    session: Session,
    *,
    disclosure_id: int,
    data: OutcomeCreate,
    actor: str,
    actor_role: Role | None,
    now: datetime | None = None,
) -> ShareOutcome:
    """Record one thing that followed a disclosure, dated; publish it (references only)."""
    _require(actor_role)
    disclosure = policy_service.get_disclosure(session, disclosure_id=disclosure_id)
    if disclosure is None:
        raise DisclosureNotFoundError(f"no disclosure {disclosure_id}")
    if disclosure.agency != IMMIGRATION_ENFORCEMENT:
        raise NotImmigrationDisclosureError(
            "Outcomes are recorded for disclosures to Immigration Enforcement only"
        )
    now = now or utcnow()
    if data.occurred_on > _local(now):
        raise InvalidOutcomeError("The date must be today or in the past", field="occurred_on")
    if data.occurred_on < _local(disclosure.sent_at):
        raise InvalidOutcomeError(
            f"The date must be on or after the disclosure was sent "
            f"({_local(disclosure.sent_at):%d %B %Y})",
            field="occurred_on",
        )
    record = ShareOutcome(
        disclosure_id=disclosure.id,
        track=data.track.value,
        outcome=data.outcome,
        occurred_on=data.occurred_on,
        recorded_by=actor,
        recorded_at=now,
    )
    session.add(record)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.OVERSIGHT_OUTCOME_RECORDED,
            actor=actor,
            data={
                "outcome_id": record.id,
                "disclosure_id": disclosure.id,
                "decision_id": disclosure.decision_id,
                "track": record.track,
                "outcome": record.outcome,
                "occurred_on": record.occurred_on.isoformat(),
            },
        ),
    )
    return record


def follow_up_list(
    session: Session,
    *,
    actor_role: Role | None,
    follow_up_days: int,
    now: datetime | None = None,
    recent_limit: int = 50,
) -> FollowUpList:
    """Disclosures to Immigration Enforcement with no outcome after `follow_up_days` (oldest
    first), and the most recent disclosures with their latest outcomes."""
    _require(actor_role)
    now = now or utcnow()
    cutoff = now - timedelta(days=follow_up_days)
    immigration = latest_outcomes(OutcomeTrack.immigration)
    case_track = latest_outcomes(OutcomeTrack.case)
    recorded = exists().where(ShareOutcome.disclosure_id == PolicyDisclosure.id)
    base = (
        select(
            PolicyDisclosure.id,
            PolicyDisclosure.force,
            PolicyDisclosure.report_ref,
            PolicyDisclosure.sent_at,
            immigration.c.outcome,
            case_track.c.outcome,
            recorded,
        )
        .outerjoin(
            immigration,
            and_(immigration.c.disclosure_id == PolicyDisclosure.id, immigration.c.rank == 1),
        )
        .outerjoin(
            case_track,
            and_(case_track.c.disclosure_id == PolicyDisclosure.id, case_track.c.rank == 1),
        )
        .where(PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT)
    )

    def rows(statement: AnySelect) -> list[FollowUpRow]:
        found = []
        for ident, force, ref, sent_at, imm, crim, has_any in session.execute(statement):
            found.append(
                FollowUpRow(
                    disclosure_id=ident,
                    force=force,
                    report_ref=ref,
                    sent_at=sent_at,
                    days_since=(_local(now) - _local(sent_at)).days,
                    latest_immigration=imm,
                    latest_case=crim,
                    is_overdue=not has_any and sent_at < cutoff,
                )
            )
        return found

    overdue = rows(
        base.where(~recorded, PolicyDisclosure.sent_at < cutoff).order_by(
            PolicyDisclosure.sent_at, PolicyDisclosure.id
        )
    )
    recent = rows(
        base.order_by(PolicyDisclosure.sent_at.desc(), PolicyDisclosure.id.desc()).limit(
            recent_limit
        )
    )
    return FollowUpList(overdue=overdue, recent=recent, follow_up_days=follow_up_days)


def count_overdue(session: Session, *, follow_up_days: int, now: datetime | None = None) -> int:
    """How many disclosures to Immigration Enforcement are overdue a follow-up."""
    cutoff = (now or utcnow()) - timedelta(days=follow_up_days)
    recorded = exists().where(ShareOutcome.disclosure_id == PolicyDisclosure.id)
    return (
        session.scalar(
            select(func.count()).where(
                PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT,
                PolicyDisclosure.sent_at < cutoff,
                ~recorded,
            )
        )
        or 0
    )
