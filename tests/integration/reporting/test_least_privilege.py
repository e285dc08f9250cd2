"""Least privilege for sealed fields (issue 15, finding 1): assignment, grants, break-glass,
rate limits and alerts, and support organisations' reports behind the Firewall's categories."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent
from safeshare.reporting import sealed_access, service
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import (
    GrantStateError,
    ReportingPermissionError,
    SealedAccessRequiredError,
    SealedReadRateLimitedError,
)
from safeshare.reporting.models import AccessAlert, SealedAccessGrant
from safeshare.reporting.schemas import SealedDetails
from safeshare.reporting.vocabulary import AccessReason, BreakGlassReason, SealedField
from safeshare.vault.keys import KeyProvider
from tests.factories.reporting import (
    OfficerReportFactory,
    ThirdPartyReportFactory,
    advocate,
    assign_to,
    create_public_report,
    make_organisation,
    reporting_config,
)

REASON = "Contacting the victim about an arrest"
JONES = Actor(username="pc.jones", role=Role.officer, team="north")
SMITH = Actor(username="pc.smith", role=Role.officer, team="north")
BROWN = Actor(username="pc.brown", role=Role.officer, team="south")
SERGEANT = Actor(username="sgt.lee", role=Role.supervisor, team="south")


def _read(
    session: Session,
    report_id: int,
    actor: Actor,
    provider: KeyProvider,
    config: ReportingConfig,
    fields: tuple[SealedField, ...] = (SealedField.immigration_status,),
) -> dict[SealedField, str | None]:
    return service.reveal_sealed_fields(
        session,
        report_id=report_id,
        fields=list(fields),
        actor=actor,
        reason=REASON,
        provider=provider,
        config=config,
    )


def _officer_report(session: Session, provider: KeyProvider, config: ReportingConfig) -> int:
    receipt = service.create_report(
        session,
        payload=OfficerReportFactory(details=SealedDetails(immigration_status="Overstayer")),
        actor=JONES,
        provider=provider,
        config=config,
    )
    return receipt.report_id


def test_bulk_reads_by_an_unassigned_officer_are_refused(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    published: list[DomainEvent],
) -> None:
    """The attack: loop over every report reading immigration status. Now nothing leaks."""
    ids = [
        create_public_report(db_session, provider=provider, config=config).report_id
        for _ in range(5)
    ]
    published.clear()
    for report_id in ids:
        with pytest.raises(SealedAccessRequiredError):
            _read(db_session, report_id, BROWN, provider, config)
    assert not [e for e in published if e.kind == "vault.read"]


def test_the_taking_officer_and_their_team_read_others_do_not(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    report_id = _officer_report(db_session, provider, config)
    assert _read(db_session, report_id, JONES, provider, config) == {
        SealedField.immigration_status: "Overstayer"
    }
    assert _read(db_session, report_id, SMITH, provider, config)  # same team
    with pytest.raises(SealedAccessRequiredError):
        _read(db_session, report_id, BROWN, provider, config)
    with pytest.raises(SealedAccessRequiredError):  # assigned: no longer triage for supervisors
        _read(db_session, report_id, SERGEANT, provider, config)
    assign_to(db_session, report_id, "pc.brown")
    assert _read(db_session, report_id, BROWN, provider, config)
    with pytest.raises(SealedAccessRequiredError):  # reassigned away from Jones and his team
        _read(db_session, report_id, JONES, provider, config)


def test_supervisor_approval_grants_time_limited_access(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    published: list[DomainEvent],
) -> None:
    report_id = _officer_report(db_session, provider, config)
    grant = sealed_access.request_access(
        db_session,
        report_id=report_id,
        actor=BROWN,
        reason=AccessReason.safeguarding_risk,
        config=config,
    )
    assert grant.status == "pending"
    with pytest.raises(SealedAccessRequiredError):
        _read(db_session, report_id, BROWN, provider, config)
    with pytest.raises(ReportingPermissionError):  # an officer cannot approve
        sealed_access.decide_access(
            db_session, grant_id=grant.id, approve=True, actor=SMITH, config=config
        )
    pending = sealed_access.pending_requests(db_session, actor=SERGEANT, config=config)
    assert [g.id for g in pending] == [grant.id]
    decided = sealed_access.decide_access(
        db_session, grant_id=grant.id, approve=True, actor=SERGEANT, config=config
    )
    assert decided.expires_at is not None
    assert _read(db_session, report_id, BROWN, provider, config)
    with pytest.raises(GrantStateError):
        sealed_access.decide_access(
            db_session, grant_id=grant.id, approve=False, actor=SERGEANT, config=config
        )
    kinds = [e.kind for e in published]
    assert "access.requested" in kinds and "access.approved" in kinds
    # Once expired, the grant opens nothing.
    row = db_session.get_one(SealedAccessGrant, grant.id)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    with pytest.raises(SealedAccessRequiredError):
        _read(db_session, report_id, BROWN, provider, config)


def test_nobody_approves_their_own_request(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    report_id = _officer_report(db_session, provider, config)
    grant = sealed_access.request_access(
        db_session,
        report_id=report_id,
        actor=SERGEANT,
        reason=AccessReason.investigation_handover,
        config=config,
    )
    with pytest.raises(ReportingPermissionError):
        sealed_access.decide_access(
            db_session, grant_id=grant.id, approve=True, actor=SERGEANT, config=config
        )
    assert sealed_access.pending_requests(db_session, actor=SERGEANT, config=config) == []


def test_refused_request_opens_nothing(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    report_id = _officer_report(db_session, provider, config)
    grant = sealed_access.request_access(
        db_session,
        report_id=report_id,
        actor=BROWN,
        reason=AccessReason.victim_contact_request,
        config=config,
    )
    sealed_access.decide_access(
        db_session, grant_id=grant.id, approve=False, actor=SERGEANT, config=config
    )
    with pytest.raises(SealedAccessRequiredError):
        _read(db_session, report_id, BROWN, provider, config)


def test_break_glass_opens_at_once_and_alerts(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    published: list[DomainEvent],
) -> None:
    report_id = _officer_report(db_session, provider, config)
    grant = sealed_access.break_glass(
        db_session,
        report_id=report_id,
        actor=BROWN,
        reason=BreakGlassReason.immediate_risk_to_life,
        config=config,
    )
    assert grant.expires_at is not None
    assert grant.expires_at - grant.requested_at == timedelta(minutes=config.break_glass_minutes)
    assert _read(db_session, report_id, BROWN, provider, config)
    alerts = sealed_access.open_alerts(
        db_session, actor=Actor(username="dpo", role=Role.disclosure_officer)
    )
    assert [(a.kind, a.username, a.report_id) for a in alerts] == [
        ("break_glass", "pc.brown", report_id)
    ]
    assert sealed_access.open_alerts(db_session, actor=SERGEANT)  # on the supervisor dashboard
    assert {"access.break_glass", "access.alert"} <= {e.kind for e in published}
    with pytest.raises(ReportingPermissionError):
        sealed_access.open_alerts(db_session, actor=BROWN)
    sealed_access.acknowledge_alert(
        db_session,
        alert_id=alerts[0].id,
        actor=Actor(username="dpo", role=Role.disclosure_officer),
    )
    assert sealed_access.open_alerts(db_session, actor=SERGEANT) == []


def test_per_user_rate_limit_and_volume_alert(db_session: Session, provider: KeyProvider) -> None:
    config = reporting_config(sealed_reads_per_hour=3, sealed_read_alert_per_hour=2)
    dpo = Actor(username="dpo.bulk", role=Role.disclosure_officer)  # may read any report
    ids = [
        create_public_report(db_session, provider=provider, config=config).report_id
        for _ in range(4)
    ]
    for report_id in ids[:3]:
        _read(db_session, report_id, dpo, provider, config)
    alerts = db_session.scalars(select(AccessAlert).where(AccessAlert.username == "dpo.bulk"))
    assert [a.kind for a in alerts] == ["unusual_volume"]
    with pytest.raises(SealedReadRateLimitedError) as refused:
        _read(db_session, ids[3], dpo, provider, config)
    assert refused.value.status == 429
    # Another user is not held back by the first one's volume.
    other = Actor(username="dpo.other", role=Role.disclosure_officer)
    assert _read(db_session, ids[3], other, provider, config) is not None


def test_police_never_read_protected_categories_of_a_support_organisations_report(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    org = make_organisation(db_session)
    receipt = service.create_report(
        db_session,
        payload=ThirdPartyReportFactory(
            with_identity=True,
            details=SealedDetails(name="Ana", immigration_status="No visa", nationality="X"),
        ),
        actor=advocate(org),
        provider=provider,
        config=config,
    )
    assign_to(db_session, receipt.report_id, JONES.username)
    for field in (SealedField.immigration_status, SealedField.nationality):
        with pytest.raises(ReportingPermissionError):
            _read(db_session, receipt.report_id, JONES, provider, config, (field,))
    dpo = Actor(username="dpo", role=Role.disclosure_officer)
    with pytest.raises(ReportingPermissionError):
        _read(db_session, receipt.report_id, dpo, provider, config)
    assert _read(db_session, receipt.report_id, JONES, provider, config, (SealedField.name,)) == {
        SealedField.name: "Ana"
    }
    # The organisation that made it still reads its own report in full.
    assert _read(db_session, receipt.report_id, advocate(org), provider, config) == {
        SealedField.immigration_status: "No visa"
    }
