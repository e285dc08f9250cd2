"""Who may touch which report, stated reasons, and report events: shared by the services."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.reporting.errors import (
    ReportErasedError,
    ReportingPermissionError,
    ReportNotFoundError,
)
from safeshare.reporting.models import Report

REASON_MIN_CHARS, REASON_MAX_CHARS = 5, 500


def publish_report_event(
    session: Session, kind: EventKind, actor: str, report: Report, **data: object
) -> None:
    """Publish `kind` about `report`; `data` must hold references and codes, never sealed text."""
    publish(
        session,
        DomainEvent(
            kind=kind,
            actor=actor,
            data={"report_id": report.id, "reference": report.reference, **data},
        ),
    )


def stated_reason(reason: str, *, field: str = "reason") -> str:
    """A reason someone typed, whitespace-collapsed, or a field error if too short or long."""
    reason = " ".join(reason.split())
    if not REASON_MIN_CHARS <= len(reason) <= REASON_MAX_CHARS:
        raise InvalidInputError(
            f"Give a reason of {REASON_MIN_CHARS} to {REASON_MAX_CHARS} characters", field=field
        )
    return reason


class Submitted(Protocol):
    """A `Report`, or a row of its columns that names who submitted it."""

    @property
    def submitted_by_organisation_id(self) -> int | None: ...


def can_see(report: Submitted, actor: Actor) -> bool:
    """Staff see every report; an advocate only those their own organisation submitted."""
    if actor.role is None:
        return False
    if actor.role is Role.advocate:
        return (
            actor.organisation_id is not None
            and report.submitted_by_organisation_id == actor.organisation_id
        )
    return True


def report_for(
    session: Session, *, report_id: int, actor: Actor, permission: Permission, allow_erased: bool
) -> Report:
    """The report if `actor` holds `permission` and may see it; hides existence otherwise."""
    if not actor.can(permission):
        raise ReportingPermissionError("You cannot do this")
    report = session.get(Report, report_id)
    if report is None or not can_see(report, actor):
        raise ReportNotFoundError("That report does not exist")
    if report.erased_at is not None and not allow_erased:
        raise ReportErasedError("That report has been erased")
    return report
