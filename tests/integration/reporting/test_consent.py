"""Consent per purpose: recorded with when/how/who, withdrawn, and what the Firewall sees."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.events import DomainEvent
from safeshare.reporting import service
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ConsentStateError, ReportingPermissionError
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import ConsentGrant, ConsentRead, ReportReceipt
from safeshare.reporting.vocabulary import ConsentMethod, VictimsCodeRight
from safeshare.vault.keys import KeyProvider
from tests.factories.reporting import (
    ThirdPartyReportFactory,
    advocate,
    create_public_report,
    make_organisation,
    officer,
    staff,
)

# Thursday 28 March 2024: Good Friday and Easter Monday follow.
MAUNDY_THURSDAY = datetime(2024, 3, 28, 11, tzinfo=UTC)


@pytest.fixture
def receipt(db_session: Session, provider: KeyProvider, config: ReportingConfig) -> ReportReceipt:
    return create_public_report(db_session, provider=provider, config=config)


def _record(
    session: Session,
    config: ReportingConfig,
    report_id: int,
    grant: ConsentGrant,
    now: datetime | None = None,
) -> ConsentRead:
    return service.record_consent(
        session,
        report_id=report_id,
        grant=grant,
        method=ConsentMethod.officer_in_person,
        actor=officer(),
        config=config,
        now=now,
    )


def _referral(session: Session, report_id: int) -> tuple[str | None, date | None]:
    item = next(
        i
        for i in session.get_one(Report, report_id).rights
        if i.right == VictimsCodeRight.referral_to_support
    )
    return item.trigger, item.due_on


def test_record_then_withdraw_changes_the_next_policy_decision(
    db_session: Session,
    config: ReportingConfig,
    receipt: ReportReceipt,
    published: list[DomainEvent],
) -> None:
    rid = receipt.report_id
    assert service.consents_for_policy(db_session, rid) == []
    consent = _record(db_session, config, rid, ConsentGrant(purpose="victim_support"))
    assert (consent.method, consent.recorded_by, consent.is_active) == (
        "officer_in_person",
        "pc.jones",
        True,
    )
    assert service.consents_for_policy(db_session, rid) == [
        {"purpose": "victim_support", "withdrawn": False}
    ]
    withdrawn = service.withdraw_consent(
        db_session,
        report_id=rid,
        consent_id=consent.id,
        method=ConsentMethod.officer_phone,
        actor=officer("pc.khan"),
        config=config,
    )
    assert (withdrawn.withdrawn_by, withdrawn.withdrawal_method) == ("pc.khan", "officer_phone")
    assert service.consents_for_policy(db_session, rid) == [
        {"purpose": "victim_support", "withdrawn": True}
    ]
    assert [e.kind for e in published][-2:] == ["consent.recorded", "consent.withdrawn"]
    assert published[-1].data["purpose"] == "victim_support"
    # Given again later: in force again, and the history keeps both.
    _record(db_session, config, rid, ConsentGrant(purpose="victim_support"))
    assert service.consents_for_policy(db_session, rid) == [
        {"purpose": "victim_support", "withdrawn": False}
    ]
    assert len(db_session.get_one(Report, rid).consents) == 2


def test_policy_view_lists_only_purposes_the_firewall_knows(
    db_session: Session, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    rid = receipt.report_id
    for grant in (
        ConsentGrant(purpose="police_contact"),
        ConsentGrant(purpose="share_with_agency", agency_name="Refuge"),
        ConsentGrant(purpose="regularisation_support"),
    ):
        _record(db_session, config, rid, grant)
    assert service.consents_for_policy(db_session, rid) == [
        {"purpose": "regularisation_support", "withdrawn": False}
    ]


def test_recording_twice_is_idempotent(
    db_session: Session,
    config: ReportingConfig,
    receipt: ReportReceipt,
    published: list[DomainEvent],
) -> None:
    grant = ConsentGrant(purpose="share_with_agency", agency_name="Refuge")
    first = _record(db_session, config, receipt.report_id, grant)
    published.clear()
    again = _record(
        db_session,
        config,
        receipt.report_id,
        ConsentGrant(purpose="share_with_agency", agency_name="REFUGE"),
    )
    assert again.id == first.id and published == []
    other = _record(
        db_session,
        config,
        receipt.report_id,
        ConsentGrant(purpose="share_with_agency", agency_name="Local authority"),
    )
    assert other.id != first.id


def test_withdrawing_twice_is_refused(
    db_session: Session, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    consent = _record(db_session, config, receipt.report_id, ConsentGrant(purpose="police_contact"))

    def withdraw() -> None:
        service.withdraw_consent(
            db_session,
            report_id=receipt.report_id,
            consent_id=consent.id,
            method=ConsentMethod.officer_in_person,
            actor=officer(),
            config=config,
        )

    withdraw()
    with pytest.raises(ConsentStateError):
        withdraw()


def test_referral_clock_starts_with_consent_and_stops_on_withdrawal(
    db_session: Session, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    rid = receipt.report_id
    assert _referral(db_session, rid) == (None, None)  # no consent, nothing due
    consent = _record(
        db_session, config, rid, ConsentGrant(purpose="victim_support"), now=MAUNDY_THURSDAY
    )
    # 2 working days after Thu 28 March 2024, skipping Good Friday, the weekend and
    # Easter Monday: Tue 2 April is day 1, Wed 3 April day 2.
    assert _referral(db_session, rid) == ("consent:victim_support", date(2024, 4, 3))
    service.withdraw_consent(
        db_session,
        report_id=rid,
        consent_id=consent.id,
        method=ConsentMethod.officer_phone,
        actor=officer(),
        config=config,
    )
    assert _referral(db_session, rid) == (None, None)


def test_consent_at_intake_sets_the_referral_due_date(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    receipt = service.create_report(
        db_session,
        payload=ThirdPartyReportFactory(consents=[ConsentGrant(purpose="victim_support")]),
        actor=advocate(make_organisation(db_session)),
        provider=provider,
        config=config,
        now=datetime(2020, 12, 24, 15, tzinfo=UTC),
    )
    # Christmas Eve 2020: Christmas Day and Boxing Day (observed Mon 28) are skipped.
    assert _referral(db_session, receipt.report_id)[1] == date(2020, 12, 30)
    consent = db_session.get_one(Report, receipt.report_id).consents[0]
    assert consent.method == "third_party_advocate"


def test_who_may_record_consent(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    with pytest.raises(ReportingPermissionError):
        service.record_consent(
            db_session,
            report_id=receipt.report_id,
            grant=ConsentGrant(purpose="police_contact"),
            method=ConsentMethod.officer_in_person,
            actor=staff(Role.pcc_analyst),
            config=config,
        )
