"""Least privilege for sealed fields: who may read a report's sealed details, and how others ask.

Standing access: the officer the report is assigned to and their team; roles configured to
read every report (the disclosure officer) or unassigned ones (supervisors triaging). Anyone
else needs a grant: a request with a reason from a closed list that a supervisor approves,
or a short "break-glass" that is in force at once and alerts the disclosure officer and the
supervisors' dashboard. Every read is counted per user: a burst raises an alert, and past the
hourly limit reads are refused. Police see a 'by and for' organisation's report only without
the Firewall's protected categories (`ReportingConfig.third_party_police_fields`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.errors import NotFoundError
from safeshare.events import EventKind
from safeshare.reporting.access import publish_report_event, report_for
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import (
    GrantNotFoundError,
    GrantStateError,
    ReportingPermissionError,
    SealedAccessRequiredError,
    SealedReadRateLimitedError,
)
from safeshare.reporting.models import AccessAlert, Report, SealedAccessGrant, SealedReadRecord
from safeshare.reporting.schemas import AlertRead, GrantRead
from safeshare.reporting.vocabulary import (
    AccessReason,
    AlertKind,
    BreakGlassReason,
    GrantStatus,
    Pathway,
    SealedField,
)

HOUR = timedelta(hours=1)


def has_standing(report: Report, actor: Actor, config: ReportingConfig) -> bool:
    """Whether `actor` may read `report`'s sealed fields without a grant."""
    if actor.role is Role.advocate:
        return True  # `report_for` already limited advocates to their organisation's reports
    if actor.can(Permission.SEALED_READ_ANY_REPORT):
        return True
    if report.assigned_to is not None and report.assigned_to == actor.username:
        return True
    if actor.team and report.assigned_team == actor.team:
        return True
    return (
        report.assigned_to is None
        and report.assigned_team is None
        and actor.can(Permission.SEALED_READ_UNASSIGNED)
    )


def _grant_in_force(
    session: Session, *, report_id: int, username: str, now: datetime
) -> SealedAccessGrant | None:
    return session.scalar(
        select(SealedAccessGrant)
        .where(
            SealedAccessGrant.report_id == report_id,
            SealedAccessGrant.username == username,
            SealedAccessGrant.status.in_([GrantStatus.approved.value, GrantStatus.active.value]),
            SealedAccessGrant.expires_at > now,
        )
        .order_by(SealedAccessGrant.expires_at.desc())
        .limit(1)
    )


def may_read(
    session: Session,
    *,
    report: Report,
    actor: Actor,
    config: ReportingConfig,
    now: datetime | None = None,
) -> bool:
    """Whether `actor` may read `report`'s sealed fields now (standing access or a grant)."""
    if has_standing(report, actor, config):
        return True
    found = _grant_in_force(
        session, report_id=report.id, username=actor.username, now=now or utcnow()
    )
    return found is not None


def _raise_alert(
    session: Session,
    *,
    kind: AlertKind,
    actor: Actor,
    report: Report | None,
    reason_code: str | None,
    now: datetime,
) -> None:
    alert = AccessAlert(
        kind=kind.value,
        username=actor.username,
        report_id=report.id if report else None,
        reason_code=reason_code,
        raised_at=now,
    )
    session.add(alert)
    session.flush()
    if report is not None:
        publish_report_event(
            session,
            EventKind.ACCESS_ALERT,
            actor.username,
            report,
            alert_id=alert.id,
            alert=kind.value,
        )


def authorise_read(
    session: Session,
    *,
    report: Report,
    actor: Actor,
    fields: Sequence[SealedField],
    config: ReportingConfig,
    now: datetime | None = None,
) -> None:
    """Refuse a sealed read `actor` may not make; otherwise count it (rate limit, alerts).

    Called by every `reveal_*` service after `report_for` checked the role and visibility.
    """
    now = now or utcnow()
    is_police = actor.role is not Role.advocate
    if (
        is_police
        and report.pathway == Pathway.third_party.value
        and any(SealedField(f) not in config.third_party_police_fields for f in fields)
    ):
        raise ReportingPermissionError(
            "A support organisation's report never shares these details with police"
        )
    if not may_read(session, report=report, actor=actor, config=config, now=now):
        raise SealedAccessRequiredError(
            "This report is not assigned to you or your team. Ask a supervisor for access, "
            "or use emergency access if someone is at risk."
        )
    recent = session.scalar(
        select(func.count())
        .select_from(SealedReadRecord)
        .where(SealedReadRecord.username == actor.username, SealedReadRecord.read_at > now - HOUR)
    )
    recent = int(recent or 0)
    if recent >= config.sealed_reads_per_hour:
        raise SealedReadRateLimitedError(
            "You have read too many sealed records in the last hour. Try again later."
        )
    session.add(SealedReadRecord(username=actor.username, report_id=report.id, read_at=now))
    session.flush()
    if recent + 1 == config.sealed_read_alert_per_hour:
        _raise_alert(
            session,
            kind=AlertKind.unusual_volume,
            actor=actor,
            report=report,
            reason_code=None,
            now=now,
        )


def _grant_report(
    session: Session, *, report_id: int, actor: Actor, config: ReportingConfig
) -> Report:
    return report_for(
        session,
        report_id=report_id,
        actor=actor,
        permission=Permission.SEALED_ACCESS_REQUEST,
        allow_erased=False,
    )


def request_access(
    session: Session,
    *,
    report_id: int,
    actor: Actor,
    reason: AccessReason,
    config: ReportingConfig,
    now: datetime | None = None,
) -> GrantRead:
    """Ask a supervisor for access to a report's sealed fields, for a reason from the list."""
    report = _grant_report(session, report_id=report_id, actor=actor, config=config)
    now = now or utcnow()
    existing = session.scalar(
        select(SealedAccessGrant).where(
            SealedAccessGrant.report_id == report.id,
            SealedAccessGrant.username == actor.username,
            SealedAccessGrant.status == GrantStatus.pending.value,
        )
    )
    if existing is not None:
        return GrantRead.model_validate(existing)
    grant = _new_grant(
        session,
        report,
        actor,
        event=EventKind.ACCESS_REQUESTED,
        kind="approval",
        reason_code=AccessReason(reason).value,
        status=GrantStatus.pending,
        now=now,
    )
    return GrantRead.model_validate(grant)


def _new_grant(
    session: Session,
    report: Report,
    actor: Actor,
    *,
    event: EventKind,
    kind: str,
    reason_code: str,
    status: GrantStatus,
    now: datetime,
    expires_at: datetime | None = None,
) -> SealedAccessGrant:
    """Store a request or grant and record it (reason as a code, never free text)."""
    grant = SealedAccessGrant(
        report_id=report.id,
        username=actor.username,
        kind=kind,
        reason_code=reason_code,
        status=status.value,
        requested_at=now,
        expires_at=expires_at,
    )
    session.add(grant)
    session.flush()
    publish_report_event(
        session, event, actor.username, report, grant_id=grant.id, reason_code=reason_code
    )
    return grant


def decide_access(
    session: Session,
    *,
    grant_id: int,
    approve: bool,
    actor: Actor,
    config: ReportingConfig,
    now: datetime | None = None,
) -> GrantRead:
    """A supervisor approves (for `access_grant_hours`) or refuses someone else's request."""
    if not actor.can(Permission.ACCESS_APPROVE):
        raise ReportingPermissionError("Only a supervisor can decide access requests")
    grant = session.get(SealedAccessGrant, grant_id)
    if grant is None:
        raise GrantNotFoundError("That access request does not exist")
    if grant.username == actor.username:
        raise ReportingPermissionError("You cannot decide your own access request")
    if grant.status != GrantStatus.pending.value:
        raise GrantStateError("That access request has already been decided")
    now = now or utcnow()
    grant.status = (GrantStatus.approved if approve else GrantStatus.refused).value
    grant.decided_by = actor.username
    grant.decided_at = now
    grant.expires_at = now + timedelta(hours=config.access_grant_hours) if approve else None
    session.flush()
    report = session.get(Report, grant.report_id)
    assert report is not None  # the grant's foreign key cascades
    publish_report_event(
        session,
        EventKind.ACCESS_APPROVED if approve else EventKind.ACCESS_REFUSED,
        actor.username,
        report,
        grant_id=grant.id,
        requested_by=grant.username,
    )
    return GrantRead.model_validate(grant)


def break_glass(
    session: Session,
    *,
    report_id: int,
    actor: Actor,
    reason: BreakGlassReason,
    config: ReportingConfig,
    now: datetime | None = None,
) -> GrantRead:
    """Emergency access for `break_glass_minutes`, alerting the disclosure officer at once."""
    report = _grant_report(session, report_id=report_id, actor=actor, config=config)
    now = now or utcnow()
    grant = _new_grant(
        session,
        report,
        actor,
        event=EventKind.ACCESS_BREAK_GLASS,
        kind="break_glass",
        reason_code=BreakGlassReason(reason).value,
        status=GrantStatus.active,
        now=now,
        expires_at=now + timedelta(minutes=config.break_glass_minutes),
    )
    _raise_alert(
        session,
        kind=AlertKind.break_glass,
        actor=actor,
        report=report,
        reason_code=grant.reason_code,
        now=now,
    )
    return GrantRead.model_validate(grant)


def assign_report(
    session: Session,
    *,
    report_id: int,
    assigned_to: str | None,
    team: str | None,
    actor: Actor,
    config: ReportingConfig,
) -> None:
    """A supervisor assigns a report to an officer and/or team (whose members then read it)."""
    if not actor.can(Permission.ACCESS_APPROVE):
        raise ReportingPermissionError("Only a supervisor can assign reports")
    report = report_for(
        session,
        report_id=report_id,
        actor=actor,
        permission=Permission.ACCESS_APPROVE,
        allow_erased=True,
    )
    report.assigned_to = (assigned_to or "").strip().lower()[:64] or None
    report.assigned_team = (team or "").strip()[:100] or None
    session.flush()
    publish_report_event(
        session,
        EventKind.REPORT_ASSIGNED,
        actor.username,
        report,
        assigned_to=report.assigned_to,
        assigned_team=report.assigned_team,
    )


def grants_for(session: Session, *, report_id: int, username: str) -> list[GrantRead]:
    """`username`'s requests and grants for one report, newest first (for the report page)."""
    rows = session.scalars(
        select(SealedAccessGrant)
        .where(SealedAccessGrant.report_id == report_id, SealedAccessGrant.username == username)
        .order_by(SealedAccessGrant.id.desc())
    )
    return [GrantRead.model_validate(r) for r in rows]


def pending_requests(session: Session, *, actor: Actor, config: ReportingConfig) -> list[GrantRead]:
    """Requests awaiting a supervisor, oldest first (never the supervisor's own)."""
    if not actor.can(Permission.ACCESS_APPROVE):
        raise ReportingPermissionError("Only a supervisor can decide access requests")
    rows = session.scalars(
        select(SealedAccessGrant)
        .where(
            SealedAccessGrant.status == GrantStatus.pending.value,
            SealedAccessGrant.username != actor.username,
        )
        .order_by(SealedAccessGrant.id)
    )
    return [GrantRead.model_validate(r) for r in rows]


def open_alerts(session: Session, *, actor: Actor, limit: int = 100) -> list[AlertRead]:
    """Unacknowledged alerts, newest first, for the disclosure officer and supervisors."""
    if not actor.can(Permission.ACCESS_ALERTS_READ):
        raise ReportingPermissionError("You cannot see access alerts")
    rows = session.scalars(
        select(AccessAlert)
        .where(AccessAlert.acknowledged_at.is_(None))
        .order_by(AccessAlert.id.desc())
        .limit(limit)
    )
    return [AlertRead.model_validate(r) for r in rows]


def acknowledge_alert(session: Session, *, alert_id: int, actor: Actor) -> None:
    """The disclosure officer marks an alert as looked into."""
    if not actor.can(Permission.ACCESS_ALERT_ACKNOWLEDGE):
        raise ReportingPermissionError("Only the disclosure officer can acknowledge alerts")
    alert = session.get(AccessAlert, alert_id)
    if alert is None:
        raise NotFoundError("That alert does not exist")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by = actor.username
        session.flush()


def access_summary(
    session: Session, *, report_id: int, actor: Actor, config: ReportingConfig
) -> tuple[bool, list[GrantRead]]:
    """For the report page: whether `actor` may read its sealed fields now, and their grants."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError("That report does not exist")
    return (
        may_read(session, report=report, actor=actor, config=config),
        grants_for(session, report_id=report_id, username=actor.username),
    )
