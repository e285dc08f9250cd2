"""Set, lift and list holds on a report's records, and ask whether one applies.

Plain functions, keyword-only, session first; they flush and never commit. Each change is
published as a domain event (a ledger entry) naming the report and the reason's hash only.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission, demand
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.holds.errors import LegalHoldLiftedError, LegalHoldNotFoundError
from safeshare.holds.models import LegalHold
from safeshare.holds.vocabulary import HoldKind
from safeshare.reporting import service as reporting


def _require_permission(actor_role: Role | None) -> None:
    demand(actor_role, Permission.HOLD_MANAGE, "set or lift legal holds or restrictions")


def _reason(text: str, field: str) -> str:
    reason = " ".join(text.split())
    if not reason or len(reason) > 2000:
        raise InvalidInputError("Enter the reason, in 2,000 characters or fewer", field=field)
    return reason


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def set_hold(
    session: Session,
    *,
    report_ref: str,
    reason: str,
    actor: str,
    actor_role: Role | None,
    kind: HoldKind = HoldKind.legal_hold,
    now: datetime | None = None,
) -> LegalHold:
    """Hold everything tied to a report until lifted: a legal hold stops retention deleting
    or shredding it; a restriction of processing keeps it out of every new share decision.
    The report must exist (erased ones can still be held: their references remain)."""
    _require_permission(actor_role)
    kind = HoldKind(kind)
    reason = _reason(reason, "reason")
    reference = report_ref.strip().upper()
    if reporting.find_report_id(session, reference=reference) is None:
        raise InvalidInputError("There is no report with that reference", field="report_ref")
    hold = LegalHold(
        kind=kind, report_ref=reference, reason=reason, set_by=actor, set_at=now or utcnow()
    )
    session.add(hold)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.RETENTION_HOLD_SET,
            actor=actor,
            data={
                "hold_id": hold.id,
                "kind": str(kind),
                "report_ref": reference,
                "reason_sha256": _sha256(reason),
            },
        ),
    )
    return hold


def lift_hold(
    session: Session,
    *,
    hold_id: int,
    reason: str,
    actor: str,
    actor_role: Role | None,
    now: datetime | None = None,
) -> LegalHold:
    """Lift a hold (recorded with its reason); the next retention run may act again."""
    _require_permission(actor_role)
    reason = _reason(reason, "lift_reason")
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise LegalHoldNotFoundError(f"There is no hold {hold_id}")
    if not hold.is_active:
        raise LegalHoldLiftedError(f"Hold {hold_id} has already been lifted")
    hold.lifted_by, hold.lifted_at, hold.lift_reason = actor, now or utcnow(), reason
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.RETENTION_HOLD_LIFTED,
            actor=actor,
            data={
                "hold_id": hold.id,
                "kind": hold.kind,
                "report_ref": hold.report_ref,
                "reason_sha256": _sha256(reason),
            },
        ),
    )
    return hold


def list_holds(session: Session, *, include_lifted: bool = False) -> list[LegalHold]:
    """Legal holds, newest first (active ones only unless `include_lifted`)."""
    query = select(LegalHold)
    if not include_lifted:
        query = query.where(LegalHold.lifted_at.is_(None))
    return list(session.scalars(query.order_by(LegalHold.set_at.desc(), LegalHold.id.desc())))


def held_references(session: Session, *, kind: HoldKind = HoldKind.legal_hold) -> frozenset[str]:
    """Report references under an active hold of `kind`."""
    query = select(LegalHold.report_ref).where(
        LegalHold.lifted_at.is_(None), LegalHold.kind == kind
    )
    return frozenset(session.scalars(query))


def is_restricted(session: Session, *, report_ref: str) -> bool:
    """Whether processing of the report's data is restricted (the Firewall then refuses
    every new share with the reason "processing restricted")."""
    return session.execute(_RESTRICTION, {"report_ref": report_ref}).first() is not None


# Built once: every decision on a report asks (a plain-column read, not an ORM load).
_HOLDS = LegalHold.__table__.c
_RESTRICTION = (
    select(_HOLDS.id)
    .where(
        _HOLDS.report_ref == bindparam("report_ref"),
        _HOLDS.kind == HoldKind.restriction.value,
        _HOLDS.lifted_at.is_(None),
    )
    .limit(1)
)
