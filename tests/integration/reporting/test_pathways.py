"""Each of the four reporting pathways, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent
from safeshare.reporting import service
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ReportingPermissionError
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import ConsentGrant, SealedDetails
from safeshare.reporting.vocabulary import CrimeType, Pathway, SealedField, VictimsCodeRight
from safeshare.vault.keys import KeyProvider
from tests.factories.reporting import (
    PASSPHRASE,
    AnonymousReportFactory,
    OfficerReportFactory,
    PublicReportFactory,
    ThirdPartyReportFactory,
    advocate,
    assign_to,
    make_organisation,
    officer,
)

REASON = "Arranging an interpreter"


def _row(session: Session, report_id: int) -> Report:
    return session.get_one(Report, report_id)


def test_public_online_report(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    published: list[DomainEvent],
) -> None:
    receipt = service.create_report(
        db_session,
        payload=PublicReportFactory(consents=[ConsentGrant(purpose="victim_support")]),
        actor=Actor.public(),
        provider=provider,
        config=config,
    )
    report = _row(db_session, receipt.report_id)
    assert receipt.pathway is Pathway.public_online
    assert report.reference == receipt.reference
    assert report.submitted_by is None and report.passphrase_hash is None
    assert report.has_identity
    assert report.consents[0].method == "public_online"
    assert report.consents[0].recorded_by == "public"
    assert len(report.rights) == 12
    assert [e.kind for e in published] == ["report.created", "consent.recorded"]
    assert published[0].actor == "public"


def test_public_pathway_ignores_who_is_signed_in(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    receipt = service.create_report(
        db_session, payload=PublicReportFactory(), actor=officer(), provider=provider, config=config
    )
    assert _row(db_session, receipt.report_id).submitted_by is None


def test_officer_report_records_officer_and_how_consent_was_given(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    receipt = service.create_report(
        db_session,
        payload=OfficerReportFactory(
            consent_method="officer_phone",
            consents=[ConsentGrant(purpose="police_contact")],
            crime_type=CrimeType.domestic_abuse,
        ),
        actor=officer("pc.khan"),
        provider=provider,
        config=config,
    )
    report = _row(db_session, receipt.report_id)
    assert report.submitted_by == "pc.khan"
    assert report.has_enhanced_rights  # domestic abuse victims have enhanced rights
    assert (report.consents[0].method, report.consents[0].recorded_by) == (
        "officer_phone",
        "pc.khan",
    )


@pytest.mark.parametrize("role", [None, Role.advocate, Role.pcc_analyst, Role.admin])
def test_officer_pathway_needs_an_intake_role(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, role: Role | None
) -> None:
    with pytest.raises(ReportingPermissionError):
        service.create_report(
            db_session,
            payload=OfficerReportFactory(),
            actor=Actor(username="someone", role=role, organisation_id=1),
            provider=provider,
            config=config,
        )


@pytest.mark.parametrize("with_identity", [True, False])
def test_third_party_report_by_advocate(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, with_identity: bool
) -> None:
    org = make_organisation(db_session)
    details = _details_for(with_identity)
    receipt = service.create_report(
        db_session,
        payload=ThirdPartyReportFactory(with_identity=with_identity, details=details),
        actor=advocate(org),
        provider=provider,
        config=config,
    )
    report = _row(db_session, receipt.report_id)
    assert report.pathway == "third_party"
    assert report.submitted_by_organisation_id == org
    assert report.has_identity is with_identity
    revealed = service.reveal_sealed_fields(
        db_session,
        report_id=report.id,
        fields=[SealedField.name, SealedField.language_needs],
        actor=advocate(org),
        reason=REASON,
        provider=provider,
        config=config,
    )
    assert revealed[SealedField.language_needs] == "Tigrinya"
    assert (revealed[SealedField.name] is not None) is with_identity


def _details_for(with_identity: bool) -> SealedDetails:
    if with_identity:
        return SealedDetails(name="Selam Example", language_needs="Tigrinya")
    return SealedDetails(language_needs="Tigrinya")


def test_third_party_needs_an_advocate_with_an_organisation(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    for actor in (officer(), Actor(username="adv", role=Role.advocate)):
        with pytest.raises(ReportingPermissionError):
            service.create_report(
                db_session,
                payload=ThirdPartyReportFactory(),
                actor=actor,
                provider=provider,
                config=config,
            )


def test_anonymous_report_gets_reference_and_hashed_passphrase(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    receipt = service.create_report(
        db_session,
        payload=AnonymousReportFactory(),
        actor=Actor.public(),
        provider=provider,
        config=config,
    )
    report = _row(db_session, receipt.report_id)
    assert not report.has_identity and report.submitted_by is None
    assert report.passphrase_hash is not None and report.passphrase_hash.startswith("$argon2id$")
    assert PASSPHRASE not in report.passphrase_hash
    found = service.verify_anonymous_reporter(
        db_session, reference=receipt.reference.lower(), passphrase=PASSPHRASE, config=config
    )
    assert found == report.id


def test_anonymous_passphrase_minimum_comes_from_config(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        service.create_report(
            db_session,
            payload=AnonymousReportFactory(passphrase="too short"),
            actor=Actor.public(),
            provider=provider,
            config=config,
        )
    assert caught.value.field == "passphrase"


def test_volunteered_immigration_status_is_sealed_not_stored(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    status = "Asylum claim refused 2022"
    receipt = service.create_report(
        db_session,
        payload=PublicReportFactory(details=SealedDetails(immigration_status=status)),
        actor=Actor.public(),
        provider=provider,
        config=config,
    )
    row = db_session.execute(select(Report.__table__).where(Report.id == receipt.report_id)).one()
    assert status not in repr(row)
    assign_to(db_session, receipt.report_id)
    revealed = service.reveal_sealed_fields(
        db_session,
        report_id=receipt.report_id,
        fields=[SealedField.immigration_status],
        actor=officer(),
        reason=REASON,
        provider=provider,
        config=config,
    )
    assert revealed == {SealedField.immigration_status: status}


def test_vulnerable_flag_gives_enhanced_rights_and_reported_at_is_kept(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    when = datetime(2024, 3, 4, 10, tzinfo=UTC)
    receipt = service.create_report(
        db_session,
        payload=PublicReportFactory(is_vulnerable_or_intimidated=True),
        actor=Actor.public(),
        provider=provider,
        config=config,
        now=when,
    )
    report = _row(db_session, receipt.report_id)
    assert report.has_enhanced_rights
    assert report.reported_at == when
    assert {r.right for r in report.rights} == {int(r) for r in VictimsCodeRight}
