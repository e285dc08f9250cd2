"""Referral life cycle: consent present, absent and withdrawn; outcomes; events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.events import DomainEvent
from safeshare.support import service
from safeshare.support.errors import (
    ConsentRequiredError,
    DuplicateReferralError,
    InvalidSupportInputError,
    ReferralStateError,
    SupportPermissionError,
)
from safeshare.support.models import SupportReferral, SupportService
from safeshare.support.vocabulary import DeclineReason, ReferralOutcome, ReferralStatus
from tests.factories.support import (
    ReferralCreateFactory,
    SupportWorld,
    consent_given,
    consent_refused,
    make_world,
)


@pytest.fixture
def published() -> Iterator[list[DomainEvent]]:
    seen: list[DomainEvent] = []

    def record(_session: Session, event: DomainEvent) -> None:
        seen.append(event)

    events.subscribe(record)
    yield seen
    events.unsubscribe(record)


def refer(world: SupportWorld, to: SupportService, **fields: object) -> SupportReferral:
    return service.create_referral(
        world.session,
        actor=world.officer,
        data=ReferralCreateFactory(service_id=to.id, **fields),
        has_victim_support_consent=consent_given,
    )


def test_with_consent_the_referral_runs_to_an_outcome(
    db_session: Session, published: list[DomainEvent]
) -> None:
    world = make_world(db_session)
    service_row = world.service()
    published.clear()  # setting up the directory is recorded too (directory.*)
    referral = refer(world, service_row)
    assert (referral.status, referral.organisation_id) == (ReferralStatus.pending, world.org_a.id)

    service.accept_referral(db_session, actor=world.advocate_a, referral_id=referral.id)
    contacted = referral.created_at + timedelta(hours=5)
    service.record_outcome(
        db_session,
        actor=world.advocate_a,
        referral_id=referral.id,
        outcome=ReferralOutcome.first_contact_made,
        occurred_at=contacted,
        now=contacted + timedelta(hours=1),
    )
    assert referral.status == ReferralStatus.accepted
    service.record_outcome(
        db_session,
        actor=world.advocate_a,
        referral_id=referral.id,
        outcome=ReferralOutcome.engaged,
        now=contacted + timedelta(days=2),
    )
    read = service.referral_read(referral)
    assert (read.status, read.outcome, read.service_name) == (
        "closed",
        "engaged",
        referral.service.name,
    )
    assert read.time_to_first_contact == timedelta(hours=5)  # the later outcome keeps the clock

    assert [e.kind for e in published] == [
        "support.referral_created",
        "support.referral_updated",
        "support.referral_updated",
        "support.referral_updated",
    ]
    assert published[0].actor == world.officer.username
    assert set(published[0].data) == {
        "referral_id",
        "report_id",
        "service_id",
        "organisation_id",
        "status",
    }
    assert published[-1].data["outcome"] == "engaged"


def test_without_consent_no_referral_is_made(
    db_session: Session, published: list[DomainEvent]
) -> None:
    world = make_world(db_session)
    with pytest.raises(ConsentRequiredError, match="not agreed"):
        service.create_referral(
            db_session,
            actor=world.officer,
            data=ReferralCreateFactory(service_id=world.service().id),
            has_victim_support_consent=consent_refused,
        )
    assert db_session.scalar(select(func.count()).select_from(SupportReferral)) == 0
    assert [e for e in published if e.kind.startswith("support.")] == []


def test_withdrawn_consent_closes_open_referrals_and_erases_what_was_shared(
    db_session: Session,
) -> None:
    world = make_world(db_session)
    open_one = refer(world, world.service(), report_id=7)
    finished = refer(world, world.service(organisation_id=world.org_b.id), report_id=7)
    service.decline_referral(
        db_session,
        actor=world.advocate_b,
        referral_id=finished.id,
        reason=DeclineReason.outside_area,
    )
    other_report = refer(world, world.service(), report_id=8)

    assert service.withdraw_referrals_for_report(db_session, report_id=7, by="pc.jones") == 1
    assert (open_one.status, open_one.withdrawal_reason) == ("withdrawn", "consent_withdrawn")
    assert finished.status == "declined"  # kept for the figures...
    for referral in (open_one, finished):  # ...but what the victim shared is gone
        assert (referral.needs, referral.language, referral.has_nrpf) == ([], None, None)
    assert other_report.language == "Spanish"
    with pytest.raises(ReferralStateError):
        service.accept_referral(db_session, actor=world.advocate_a, referral_id=open_one.id)


def test_several_referrals_in_parallel_but_not_twice_to_one_service(db_session: Session) -> None:
    world = make_world(db_session)
    first, second = world.service(), world.service(organisation_id=world.org_b.id)
    refer(world, first, report_id=1)
    refer(world, second, report_id=1)
    with pytest.raises(DuplicateReferralError):
        refer(world, first, report_id=1)
    assert len(service.list_referrals_for_report(db_session, report_id=1)) == 2
    assert service.first_referral_at(db_session, report_id=1) is not None
    assert service.first_referral_at(db_session, report_id=2) is None


def test_declined_with_a_reason_code(db_session: Session) -> None:
    world = make_world(db_session)
    referral = refer(world, world.service())
    service.decline_referral(
        db_session,
        actor=world.advocate_a,
        referral_id=referral.id,
        reason=DeclineReason.no_capacity,
    )
    assert (referral.status, referral.decline_reason) == ("declined", "no_capacity")
    assert referral.responded_at == referral.closed_at
    with pytest.raises(ReferralStateError):
        service.record_outcome(
            db_session,
            actor=world.advocate_a,
            referral_id=referral.id,
            outcome=ReferralOutcome.engaged,
        )


def test_outcomes_need_an_accepted_referral_and_a_plausible_time(db_session: Session) -> None:
    world = make_world(db_session)
    referral = refer(world, world.service())
    with pytest.raises(ReferralStateError):
        service.record_outcome(
            db_session,
            actor=world.advocate_a,
            referral_id=referral.id,
            outcome=ReferralOutcome.engaged,
        )
    service.accept_referral(db_session, actor=world.advocate_a, referral_id=referral.id)
    with pytest.raises(InvalidSupportInputError):
        service.record_outcome(
            db_session,
            actor=world.advocate_a,
            referral_id=referral.id,
            outcome=ReferralOutcome.first_contact_made,
            occurred_at=referral.created_at - timedelta(minutes=1),
        )
    service.record_outcome(
        db_session,
        actor=world.advocate_a,
        referral_id=referral.id,
        outcome=ReferralOutcome.unreachable,
    )
    assert (referral.status, referral.first_contact_at) == ("closed", None)


def test_referrer_side_rules(db_session: Session) -> None:
    world = make_world(db_session)
    target = world.service()
    with pytest.raises(SupportPermissionError):
        service.create_referral(
            db_session,
            actor=world.advocate_a,
            data=ReferralCreateFactory(service_id=target.id),
            has_victim_support_consent=consent_given,
        )
    referral = refer(world, target)
    service.withdraw_referral(db_session, actor=world.officer, referral_id=referral.id)
    assert (referral.status, referral.withdrawal_reason) == ("withdrawn", "by_referrer")
    inactive = world.service(is_active=False)
    with pytest.raises(InvalidSupportInputError):
        refer(world, inactive)
