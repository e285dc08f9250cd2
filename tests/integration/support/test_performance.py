"""Performance for a period from the database: the cohort, first-contact times, suppression."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.redaction.small_counts import DisclosurePolicy
from safeshare.redaction.tables import WITHHELD
from safeshare.support import service
from safeshare.support.performance import DEFAULT_POLICY, ServicePerformance
from safeshare.support.vocabulary import DeclineReason, ReferralOutcome
from tests.factories.support import ReferralCreateFactory, consent_given, make_world

START = datetime(2025, 1, 1, tzinfo=UTC)


def test_figures_for_one_period(db_session: Session) -> None:
    world = make_world(db_session)
    target = world.service()
    for hours in range(1, 13):  # twelve referrals contacted after 1..12 hours
        created = START + timedelta(days=hours)
        referral = service.create_referral(
            db_session,
            actor=world.officer,
            data=ReferralCreateFactory(service_id=target.id),
            has_victim_support_consent=consent_given,
            now=created,
        )
        service.accept_referral(
            db_session, actor=world.advocate_a, referral_id=referral.id, now=created
        )
        service.record_outcome(
            db_session,
            actor=world.advocate_a,
            referral_id=referral.id,
            outcome=ReferralOutcome.engaged,
            occurred_at=created + timedelta(hours=hours),
            now=created + timedelta(days=1),
        )
    declined = service.create_referral(
        db_session,
        actor=world.officer,
        data=ReferralCreateFactory(service_id=target.id),
        has_victim_support_consent=consent_given,
        now=START + timedelta(days=20),
    )
    service.decline_referral(
        db_session,
        actor=world.advocate_a,
        referral_id=declined.id,
        reason=DeclineReason.no_capacity,
    )
    service.create_referral(  # outside the period
        db_session,
        actor=world.officer,
        data=ReferralCreateFactory(service_id=target.id),
        has_victim_support_consent=consent_given,
        now=START - timedelta(seconds=1),
    )

    def figures(actor: Actor, policy: DisclosurePolicy = DEFAULT_POLICY) -> ServicePerformance:
        return service.service_performance(
            db_session,
            actor=actor,
            service_id=target.id,
            period_start=START,
            period_end=START + timedelta(days=31),
            policy=policy,
        )

    own = figures(world.advocate_a)
    assert (own.received.value, own.accepted.value, own.declined.value) == (13, 12, 1)
    assert own.declined_by_reason[DeclineReason.no_capacity].value == 1
    assert own.outcomes[ReferralOutcome.engaged].value == 12
    assert own.time_to_first_contact_median == timedelta(hours=6.5)
    assert own.time_to_first_contact_p90 == timedelta(hours=11)

    pcc = figures(world.pcc)
    assert (pcc.received.value, pcc.declined.value) == (13, None)
    assert pcc.accepted.is_suppressed  # else 13 - 12 would give the one declined away
    # One label for both hidden parts, so 13 cannot be read as "under 10 + at least 10".
    assert str(pcc.declined) == str(pcc.accepted) == WITHHELD
    assert pcc.time_to_first_contact_median == timedelta(hours=6.5)

    strict = figures(world.officer, DisclosurePolicy(threshold=20))
    assert str(strict.received) == WITHHELD
    assert strict.time_to_first_contact_p90 is None
