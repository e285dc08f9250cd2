"""Referrals against the reporting feature's real consents (through its service module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ConsentGrant
from safeshare.reporting.vocabulary import ConsentMethod, ConsentPurpose
from safeshare.support import service
from safeshare.support.errors import ConsentRequiredError
from safeshare.vault.keys import InMemoryKeyProvider
from tests.factories.reporting import create_public_report, officer, reporting_config
from tests.factories.support import ReferralCreateFactory, make_world

CONFIG = reporting_config()


@pytest.fixture
def withdrawal_handler() -> Iterator[None]:
    service.subscribe_to_events()
    yield
    service.unsubscribe_from_events()


def test_consent_given_then_withdrawn_through_reporting(
    db_session: Session, withdrawal_handler: None
) -> None:
    world = make_world(db_session)
    report_id = create_public_report(
        db_session, provider=InMemoryKeyProvider(), config=CONFIG
    ).report_id
    data = ReferralCreateFactory(report_id=report_id, service_id=world.service().id)

    with pytest.raises(ConsentRequiredError):
        service.create_referral(db_session, actor=world.officer, data=data)

    consent = reporting.record_consent(
        db_session,
        report_id=report_id,
        grant=ConsentGrant(purpose=ConsentPurpose.victim_support),
        method=ConsentMethod.officer_in_person,
        actor=officer(),
        config=CONFIG,
    )
    referral = service.create_referral(db_session, actor=world.officer, data=data)
    assert referral.status == "pending"

    reporting.withdraw_consent(
        db_session,
        report_id=report_id,
        consent_id=consent.id,
        method=ConsentMethod.officer_in_person,
        actor=officer(),
        config=CONFIG,
    )
    assert (referral.status, referral.withdrawal_reason, referral.has_nrpf) == (
        "withdrawn",
        "consent_withdrawn",
        None,
    )
    with pytest.raises(ConsentRequiredError):
        service.create_referral(db_session, actor=world.officer, data=data)
