"""Referrals: an officer refers a victim (by the reporting feature's report id) to a service,
with consent; the receiving organisation's advocates accept or decline and record outcomes.

Isolation: every advocate-side function selects by the advocate's organisation id, so one
organisation can neither see nor act on another's referrals; a foreign referral is reported as
not found, which reveals nothing about it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.auth.permissions import Permission
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.reporting.service import consents_for_policy, meet_referral_right
from safeshare.support.access import Actor, require_permission
from safeshare.support.directory import get_service_or_raise
from safeshare.support.errors import (
    ConsentRequiredError,
    DuplicateReferralError,
    InvalidSupportInputError,
    ReferralNotFoundError,
    ReferralStateError,
    SupportPermissionError,
)
from safeshare.support.models import SupportReferral
from safeshare.support.schemas import ReferralCreate, ReferralRead
from safeshare.support.vocabulary import (
    CONTACT_OUTCOMES,
    FINAL_OUTCOMES,
    OPEN_STATUSES,
    DeclineReason,
    ReferralOutcome,
    ReferralStatus,
    WithdrawalReason,
)

CREATED = EventKind.SUPPORT_REFERRAL_CREATED
UPDATED = EventKind.SUPPORT_REFERRAL_UPDATED
VICTIM_SUPPORT = "victim_support"  # the consent purpose (reporting's ConsentPurpose value)
CONSENT_WITHDRAWN = EventKind.CONSENT_WITHDRAWN  # published by reporting


ConsentCheck = Callable[[Session, int], bool]
"""Does the victim of this report consent, now, to referral to support (`victim_support`)?"""


def victim_support_consent(session: Session, report_id: int) -> bool:
    """The reporting feature's answer (through its service module, never its tables)."""
    return any(
        consent["purpose"] == VICTIM_SUPPORT and not consent["withdrawn"]
        for consent in consents_for_policy(session, report_id)
    )


def _publish(session: Session, actor: Actor, kind: EventKind, referral: SupportReferral) -> None:
    """Tell subscribers (the ledger) about a referral: references and codes only."""
    data: dict[str, object] = {
        "referral_id": referral.id,
        "report_id": referral.report_id,
        "service_id": referral.service_id,
        "organisation_id": referral.organisation_id,
        "status": referral.status,
    }
    for name in ("decision_id", "decline_reason", "outcome", "withdrawal_reason"):
        if getattr(referral, name) is not None:
            data[name] = getattr(referral, name)
    publish(session, DomainEvent(kind=kind, actor=actor.username, data=data))


def referral_read(referral: SupportReferral) -> ReferralRead:
    """The referral as pages and the API show it."""
    return ReferralRead.model_validate(
        {
            **{
                column.key: getattr(referral, column.key)
                for column in SupportReferral.__table__.columns
            },
            "service_name": referral.service.name,
        }
    )


# --- the referring side ----------------------------------------------------------------------


def create_referral(
    session: Session,
    *,
    actor: Actor,
    data: ReferralCreate,
    has_victim_support_consent: ConsentCheck = victim_support_consent,
    decision_id: int | None = None,
    shared_categories: Sequence[str] = (),
    now: datetime | None = None,
) -> SupportReferral:
    """Refer a victim to a service; refused without `victim_support` consent.

    Several referrals for one report may be open at once (to different services).
    `decision_id` and `shared_categories` record the Firewall decision that allowed it and
    what it disclosed (see `sharing.refer_report`, the path the web layer takes).
    """
    require_permission(actor, Permission.REFERRAL_RECORD, "refer victims to support")
    service = get_service_or_raise(session, service_id=data.service_id)
    if not service.is_active:
        raise InvalidSupportInputError("This service is not taking referrals.", field="service_id")
    if not has_victim_support_consent(session, data.report_id):
        raise ConsentRequiredError(
            "The victim has not agreed to be referred to support services, so no referral was "
            "made. Ask them, and record their consent, before referring."
        )
    require_no_open_referral(session, report_id=data.report_id, service_id=service.id)
    referral = SupportReferral(
        report_id=data.report_id,
        service_id=service.id,
        organisation_id=service.organisation_id,
        referred_by_user_id=actor.user_id,
        needs=[str(need) for need in dict.fromkeys(data.needs)],
        language=data.language or None,
        has_nrpf=data.has_nrpf,
        decision_id=decision_id,
        shared_categories=[str(category) for category in dict.fromkeys(shared_categories)],
        status=ReferralStatus.pending,
        created_at=now or utcnow(),
    )
    session.add(referral)
    session.flush()
    _publish(session, actor, CREATED, referral)
    # Victims' Code Right 4 (referral to support) is met by this referral.
    meet_referral_right(
        session,
        report_id=referral.report_id,
        referral_id=referral.id,
        at=referral.created_at,
        by=actor.username,
    )
    return referral


def require_no_open_referral(session: Session, *, report_id: int, service_id: int) -> None:
    """Refuse a second open referral of one report to one service."""
    is_duplicate = session.scalar(
        select(
            exists().where(
                SupportReferral.report_id == report_id,
                SupportReferral.service_id == service_id,
                SupportReferral.status.in_(OPEN_STATUSES),
            )
        )
    )
    if is_duplicate:
        raise DuplicateReferralError("This report already has an open referral to this service.")


def referral_for_decision(session: Session, *, decision_id: int) -> SupportReferral | None:
    """The referral a Firewall decision allowed, if one was made."""
    return session.scalar(
        select(SupportReferral).where(SupportReferral.decision_id == decision_id).limit(1)
    )


def list_referrals_for_report(session: Session, *, report_id: int) -> list[SupportReferral]:
    """Every referral made for a report, oldest first (the officer's view of the case)."""
    return list(
        session.scalars(
            select(SupportReferral)
            .where(SupportReferral.report_id == report_id)
            .order_by(SupportReferral.created_at, SupportReferral.id)
        )
    )


def first_referral_at(session: Session, *, report_id: int) -> datetime | None:
    """When the victim was first referred to support: the Victims' Code right 4 clock stops."""
    return session.scalar(
        select(func.min(SupportReferral.created_at)).where(SupportReferral.report_id == report_id)
    )


def withdraw_referral(
    session: Session, *, actor: Actor, referral_id: int, now: datetime | None = None
) -> SupportReferral:
    """The referrer's side withdraws an open referral (made in error, victim moved on...)."""
    require_permission(actor, Permission.REFERRAL_RECORD, "withdraw referrals")
    referral = _locked(session, referral_id=referral_id, organisation_id=None)
    _require_status(referral, OPEN_STATUSES, "withdrawn")
    _close(referral, now, status=ReferralStatus.withdrawn)
    referral.withdrawal_reason = WithdrawalReason.by_referrer
    session.flush()
    _publish(session, actor, UPDATED, referral)
    return referral


def withdraw_referrals_for_report(
    session: Session, *, report_id: int, by: str, now: datetime | None = None
) -> int:
    """The victim withdrew `victim_support` consent: close open referrals, erase shared details.

    `by` is who recorded the withdrawal. No rights check: this only ever reduces what is
    shared. Finished referrals stay as records (for performance figures) but lose the needs,
    language and NRPF fields too. Returns the number of referrals closed.
    """
    actor = Actor.system(by)
    closed = 0
    for referral in session.scalars(
        select(SupportReferral)
        .where(SupportReferral.report_id == report_id)
        .with_for_update(of=SupportReferral)
    ):
        referral.needs, referral.language, referral.has_nrpf = [], None, None
        if referral.status in OPEN_STATUSES:
            _close(referral, now, status=ReferralStatus.withdrawn)
            referral.withdrawal_reason = WithdrawalReason.consent_withdrawn
            closed += 1
        session.flush()
        _publish(session, actor, UPDATED, referral)
    return closed


def on_consent_withdrawn(session: Session, event: DomainEvent) -> None:
    """`safeshare.events` handler: reporting's `consent.withdrawn` for `victim_support`, with
    no such consent left in force, withdraws the report's referrals in the same transaction."""
    if event.kind != CONSENT_WITHDRAWN or event.data.get("purpose") != VICTIM_SUPPORT:
        return
    report_id = int(event.data["report_id"])
    if not victim_support_consent(session, report_id):
        withdraw_referrals_for_report(session, report_id=report_id, by=event.actor)


def subscribe_to_events() -> None:
    """Register the consent-withdrawal handler (idempotent); call once at startup."""
    events.subscribe(on_consent_withdrawn)


def unsubscribe_from_events() -> None:
    events.unsubscribe(on_consent_withdrawn)


# --- the receiving organisation's side -------------------------------------------------------


def list_referrals_for_organisation(
    session: Session,
    *,
    organisation_id: int,
    statuses: Collection[ReferralStatus] | None = None,
) -> list[SupportReferral]:
    """One organisation's referrals, newest first: the advocate's inbox."""
    statement = select(SupportReferral).where(SupportReferral.organisation_id == organisation_id)
    if statuses is not None:
        statement = statement.where(SupportReferral.status.in_(statuses))
    return list(
        session.scalars(
            statement.order_by(SupportReferral.created_at.desc(), SupportReferral.id.desc())
        )
    )


def get_referral_for_organisation(
    session: Session, *, referral_id: int, organisation_id: int
) -> SupportReferral | None:
    """A referral if it was made to that organisation, else None (whether or not it exists)."""
    return session.scalar(
        select(SupportReferral).where(
            SupportReferral.id == referral_id, SupportReferral.organisation_id == organisation_id
        )
    )


def get_referral_for_organisation_or_raise(
    session: Session, *, actor: Actor, referral_id: int
) -> SupportReferral:
    """The advocate's own organisation's referral; any other is reported as not found."""
    if actor.role != Role.advocate or actor.organisation_id is None:
        raise SupportPermissionError("Only advocates of the receiving organisation may do this.")
    referral = get_referral_for_organisation(
        session, referral_id=referral_id, organisation_id=actor.organisation_id
    )
    if referral is None:
        raise ReferralNotFoundError("There is no such referral.")
    return referral


def accept_referral(
    session: Session, *, actor: Actor, referral_id: int, now: datetime | None = None
) -> SupportReferral:
    """The receiving organisation takes the referral on."""
    referral = _advocate_referral(session, actor, referral_id)
    _require_status(referral, {ReferralStatus.pending}, "accepted")
    referral.status = ReferralStatus.accepted
    referral.responded_at = now or utcnow()
    session.flush()
    _publish(session, actor, UPDATED, referral)
    return referral


def decline_referral(
    session: Session,
    *,
    actor: Actor,
    referral_id: int,
    reason: DeclineReason,
    now: datetime | None = None,
) -> SupportReferral:
    """The receiving organisation cannot take the referral, and says why (a reason code)."""
    referral = _advocate_referral(session, actor, referral_id)
    _require_status(referral, {ReferralStatus.pending}, "declined")
    _close(referral, now, status=ReferralStatus.declined)
    referral.responded_at = referral.closed_at
    referral.decline_reason = reason
    session.flush()
    _publish(session, actor, UPDATED, referral)
    return referral


def record_outcome(
    session: Session,
    *,
    actor: Actor,
    referral_id: int,
    outcome: ReferralOutcome,
    occurred_at: datetime | None = None,
    now: datetime | None = None,
) -> SupportReferral:
    """Record what happened with an accepted referral; contact outcomes stop the first-contact
    clock (at `occurred_at`, default now) and final outcomes close the referral."""
    referral = _advocate_referral(session, actor, referral_id)
    _require_status(referral, {ReferralStatus.accepted}, "given an outcome")
    now = now or utcnow()
    occurred_at = occurred_at or now
    if not referral.created_at <= occurred_at <= now:
        raise InvalidSupportInputError(
            "The time must be between the referral and now.", field="occurred_at"
        )
    referral.outcome = outcome
    if outcome in CONTACT_OUTCOMES and referral.first_contact_at is None:
        referral.first_contact_at = occurred_at
    if outcome in FINAL_OUTCOMES:
        _close(referral, now, status=ReferralStatus.closed)
    session.flush()
    _publish(session, actor, UPDATED, referral)
    return referral


def _advocate_referral(session: Session, actor: Actor, referral_id: int) -> SupportReferral:
    if actor.role != Role.advocate or actor.organisation_id is None:
        raise SupportPermissionError("Only advocates of the receiving organisation may do this.")
    return _locked(session, referral_id=referral_id, organisation_id=actor.organisation_id)


def _locked(session: Session, *, referral_id: int, organisation_id: int | None) -> SupportReferral:
    """The referral, row-locked against a concurrent change, limited to one organisation's."""
    statement = select(SupportReferral).where(SupportReferral.id == referral_id)
    if organisation_id is not None:
        statement = statement.where(SupportReferral.organisation_id == organisation_id)
    referral = session.scalar(statement.with_for_update(of=SupportReferral))
    if referral is None:
        raise ReferralNotFoundError("There is no such referral.")
    return referral


def _require_status(
    referral: SupportReferral, allowed: Collection[ReferralStatus], step: str
) -> None:
    if referral.status not in allowed:
        raise ReferralStateError(f"A {referral.status} referral cannot be {step}.")


def _close(referral: SupportReferral, now: datetime | None, *, status: ReferralStatus) -> None:
    referral.status = status
    referral.closed_at = now or utcnow()
