"""Canary: a unique immigration status must surface only through an audited vault read.

Service-level half of the issue's canary test (pages, API routes and exports are checked
once the web layer exists): every reporting service, every event, every log line and every
database row is searched for the string.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.events import DomainEvent
from safeshare.reporting import service, victims_code
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.schemas import (
    AnonymousReturn,
    ConsentGrant,
    ReportQuery,
    SealedDetails,
    UpdateCreate,
)
from safeshare.reporting.vocabulary import ConsentMethod, KeyDecision, SealedField
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
    tables_mentioning,
)

CANARY = "CANARY-status-5d1c0b8e-overstayed"


def test_canary_appears_only_through_an_audited_read(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    published: list[DomainEvent],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    details = SealedDetails(immigration_status=CANARY, account=f"My status is {CANARY}")
    org = make_organisation(db_session)
    payloads_and_actors = [
        (PublicReportFactory(details=details), Actor.public()),
        (OfficerReportFactory(details=details), officer()),
        (ThirdPartyReportFactory(details=details), advocate(org)),
        (AnonymousReportFactory(details=details), Actor.public()),
    ]
    outputs: list[str] = []
    receipts = []
    for payload, actor in payloads_and_actors:
        receipt = service.create_report(
            db_session, payload=payload, actor=actor, provider=provider, config=config
        )
        receipts.append(receipt)
        outputs.append(receipt.model_dump_json())
    anonymous = receipts[-1]
    for receipt in receipts:
        rid = receipt.report_id
        outputs.append(
            service.add_update(
                db_session,
                report_id=rid,
                payload=UpdateCreate(
                    text=f"Update about {CANARY}", key_decision=KeyDecision.arrest
                ),
                actor=officer(),
                provider=provider,
                config=config,
            ).model_dump_json()
        )
        outputs.append(
            service.record_consent(
                db_session,
                report_id=rid,
                grant=ConsentGrant(purpose="share_with_agency", agency_name="Refuge"),
                method=ConsentMethod.officer_in_person,
                actor=officer(),
                config=config,
            ).model_dump_json()
        )
        outputs.append(repr(service.consents_for_policy(db_session, rid)))
        outputs.append(
            service.get_report_or_raise(
                db_session, report_id=rid, actor=officer()
            ).model_dump_json()
        )
    service.submit_anonymous_return(
        db_session,
        payload=AnonymousReturn(
            reference=anonymous.reference,
            passphrase=PASSPHRASE,
            information=f"More: {CANARY}",
            consents=[ConsentGrant(purpose="police_contact")],
        ),
        provider=provider,
        config=config,
    )
    for actor in (officer(), advocate(org), Actor(username="boss", role=Role.supervisor)):
        outputs.append(
            service.search_reports(
                db_session, query=ReportQuery(), actor=actor, config=config
            ).model_dump_json()
        )
    outputs.append(
        victims_code.supervisor_dashboard(
            db_session, config=config, now=datetime(2030, 1, 1, tzinfo=UTC)
        ).model_dump_json()
    )
    db_session.flush()

    assert not [o for o in outputs if CANARY in o]
    assert CANARY not in repr(published)
    assert CANARY not in caplog.text
    assert tables_mentioning(db_session, CANARY) == []

    # The one way in: an authorised role, a reason, and an audit event that omits the value.
    assign_to(db_session, receipts[0].report_id)
    published.clear()
    revealed = service.reveal_sealed_fields(
        db_session,
        report_id=receipts[0].report_id,
        fields=[SealedField.immigration_status],
        actor=officer(),
        reason="Referral to immigration adviser",
        provider=provider,
        config=config,
    )
    assert revealed[SealedField.immigration_status] == CANARY
    assert [e.kind for e in published] == ["vault.read"]
    assert CANARY not in repr(published)
