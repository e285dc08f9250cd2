"""Anonymous reporters coming back with reference and passphrase: add, consent, throttled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.events import DomainEvent
from safeshare.reporting import service
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import AnonymousReturn, ConsentGrant, ReportReceipt
from safeshare.reporting.vocabulary import SealedField
from safeshare.vault.keys import KeyProvider
from tests.factories.reporting import (
    PASSPHRASE,
    AnonymousReportFactory,
    assign_to,
    create_public_report,
    officer,
)

NOW = datetime(2024, 6, 3, 12, tzinfo=UTC)


@pytest.fixture
def receipt(db_session: Session, provider: KeyProvider, config: ReportingConfig) -> ReportReceipt:
    return service.create_report(
        db_session,
        payload=AnonymousReportFactory(consents=[ConsentGrant(purpose="regularisation_support")]),
        actor=Actor.public(),
        provider=provider,
        config=config,
        now=NOW,
    )


def _verify(
    session: Session, config: ReportingConfig, reference: str, passphrase: str, at: datetime
) -> int | None:
    return service.verify_anonymous_reporter(
        session, reference=reference, passphrase=passphrase, config=config, now=at
    )


def test_return_adds_information_contact_and_consent(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    receipt: ReportReceipt,
    published: list[DomainEvent],
) -> None:
    published.clear()
    result = service.submit_anonymous_return(
        db_session,
        payload=AnonymousReturn(
            reference=receipt.reference,
            passphrase=f"  {PASSPHRASE} ",
            information="He has come back to the house.",
            contact_details="Text 07700 900456",
            safe_contact="Weekdays 10-12 only",
            consents=[ConsentGrant(purpose="police_contact")],
            withdraw_purposes=["regularisation_support"],
        ),
        provider=provider,
        config=config,
        now=NOW + timedelta(days=2),
    )
    assert result is not None and result.reference == receipt.reference
    report = db_session.get_one(Report, receipt.report_id)
    assert report.has_identity  # contact details given
    update = report.updates[0]
    assert (update.kind, update.created_by, update.has_text) == (
        "victim_information",
        "public",
        True,
    )
    assert [(c.purpose, c.method, c.withdrawn_at is None) for c in report.consents] == [
        ("regularisation_support", "anonymous_online", False),
        ("police_contact", "anonymous_return", True),
    ]
    assert service.consents_for_policy(db_session, report.id) == [
        {"purpose": "regularisation_support", "withdrawn": True}
    ]
    assert [e.kind for e in published] == [
        "report.update_added",
        "consent.withdrawn",
        "consent.recorded",
    ]
    assert all(e.actor == "public" for e in published)
    assert "07700" not in repr(published) and "come back" not in repr(published)
    assign_to(db_session, report.id)
    revealed = service.reveal_sealed_fields(
        db_session,
        report_id=report.id,
        fields=[SealedField.contact_details, SealedField.safe_contact],
        actor=officer(),
        reason="Victim asked to be contacted",
        provider=provider,
        config=config,
    )
    assert revealed[SealedField.safe_contact] == "Weekdays 10-12 only"


def test_wrong_passphrase_or_reference_returns_none(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    public = create_public_report(db_session, provider=provider, config=config)
    assert _verify(db_session, config, receipt.reference, "wrong horse battery staple", NOW) is None
    assert _verify(db_session, config, "SS-00000-00000", PASSPHRASE, NOW) is None
    assert _verify(db_session, config, "not a reference", PASSPHRASE, NOW) is None
    # Only anonymous reports can be returned to with a passphrase.
    assert _verify(db_session, config, public.reference, PASSPHRASE, NOW) is None
    payload = AnonymousReturn(
        reference=receipt.reference, passphrase="wrong horse battery staple", information="x"
    )
    assert (
        service.submit_anonymous_return(
            db_session, payload=payload, provider=provider, config=config
        )
        is None
    )
    assert db_session.get_one(Report, receipt.report_id).updates == []


def test_failures_never_lock_the_reporter_out(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    """Finding 3: knowing a reference no longer lets anyone lock its reporter out."""
    for _ in range(20):
        assert _verify(db_session, config, receipt.reference, "guess guess guess", NOW) is None
    assert _verify(db_session, config, receipt.reference, PASSPHRASE, NOW) == receipt.report_id


def test_stronger_argon2_costs_rehash_on_next_success(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    stronger = config.model_copy(
        update={"argon2": config.argon2.model_copy(update={"time_cost": 2})}
    )
    before = db_session.get_one(Report, receipt.report_id).passphrase_hash
    assert _verify(db_session, stronger, receipt.reference, PASSPHRASE, NOW) == receipt.report_id
    after = db_session.get_one(Report, receipt.report_id).passphrase_hash
    assert after != before and after is not None and "t=2" in after
