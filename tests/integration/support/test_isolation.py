"""Advocate isolation, enforced in the services: one organisation can neither see nor act on
another organisation's referrals, capacity or full performance figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from safeshare.db.base import utcnow
from safeshare.support import service
from safeshare.support.errors import ReferralNotFoundError, SupportPermissionError
from safeshare.support.schemas import Vacancies
from safeshare.support.vocabulary import DeclineReason, ReferralOutcome
from tests.factories.support import (
    ReferralCreateFactory,
    RefugeCreateFactory,
    SupportWorld,
    consent_given,
    make_world,
)


def two_referrals(world: SupportWorld) -> tuple[int, int]:
    ids = []
    for organisation in (world.org_a, world.org_b):
        target = world.service(organisation_id=organisation.id)
        ids.append(
            service.create_referral(
                world.session,
                actor=world.officer,
                data=ReferralCreateFactory(service_id=target.id),
                has_victim_support_consent=consent_given,
            ).id
        )
    return ids[0], ids[1]


def test_each_organisation_lists_and_reads_only_its_own(db_session: Session) -> None:
    world = make_world(db_session)
    mine, theirs = two_referrals(world)
    listed = service.list_referrals_for_organisation(db_session, organisation_id=world.org_a.id)
    assert [r.id for r in listed] == [mine]
    org_a = world.org_a.id
    assert (
        service.get_referral_for_organisation(db_session, referral_id=theirs, organisation_id=org_a)
        is None
    )
    assert (
        service.get_referral_for_organisation(db_session, referral_id=mine, organisation_id=org_a)
        is not None
    )


ACTIONS: dict[str, Callable[..., object]] = {
    "accept": lambda s, actor, rid: service.accept_referral(s, actor=actor, referral_id=rid),
    "decline": lambda s, actor, rid: service.decline_referral(
        s, actor=actor, referral_id=rid, reason=DeclineReason.other
    ),
    "outcome": lambda s, actor, rid: service.record_outcome(
        s, actor=actor, referral_id=rid, outcome=ReferralOutcome.engaged
    ),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_another_organisations_referral_is_not_found(db_session: Session, action: str) -> None:
    world = make_world(db_session)
    _, theirs = two_referrals(world)
    with pytest.raises(ReferralNotFoundError):
        ACTIONS[action](db_session, world.advocate_a, theirs)
    with pytest.raises(SupportPermissionError):  # and police staff cannot act for the service
        ACTIONS[action](db_session, world.officer, theirs)


def test_capacity_of_another_organisations_refuge_is_refused(db_session: Session) -> None:
    world = make_world(db_session)
    refuge = world.service(RefugeCreateFactory, organisation_id=world.org_b.id)
    with pytest.raises(SupportPermissionError):
        service.update_capacity(
            db_session, actor=world.advocate_a, service_id=refuge.id, vacancies=Vacancies()
        )


def test_performance_in_full_only_for_the_services_own_advocates(db_session: Session) -> None:
    world = make_world(db_session)
    two_referrals(world)
    start, end = utcnow() - timedelta(days=1), utcnow() + timedelta(days=1)
    mine = service.directory_performance(
        db_session, actor=world.advocate_a, period_start=start, period_end=end
    )
    assert [(p.service_id, p.is_exact, p.received.value) for p in mine] == [
        (s.id, True, 1) for s in service.list_services(db_session, organisation_id=world.org_a.id)
    ]
    theirs = service.list_services(db_session, organisation_id=world.org_b.id)[0]
    with pytest.raises(SupportPermissionError):
        service.service_performance(
            db_session,
            actor=world.advocate_a,
            service_id=theirs.id,
            period_start=start,
            period_end=end,
        )
    for_pcc = service.service_performance(
        db_session, actor=world.pcc, service_id=theirs.id, period_start=start, period_end=end
    )
    assert (for_pcc.is_exact, str(for_pcc.received)) == (False, "[c]")  # withheld
