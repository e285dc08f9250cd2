"""Legal holds and the retention run: plan what the schedule says is due, then apply it.

Plain functions, keyword-only, session first; they flush and never commit. Every action
and every hold change is published as a domain event (so it becomes a ledger entry) whose
data holds references only: record type, record key, report reference, the schedule's hash.
Ledger entries themselves are never removed, so `ledger verify` still passes after a run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError, PermissionDeniedError
from safeshare.events import DomainEvent, publish
from safeshare.reporting import service as reporting
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.schemas import Actor
from safeshare.retention import records
from safeshare.retention.config import RecordType, RetentionAction, Schedule
from safeshare.retention.errors import LegalHoldLiftedError, LegalHoldNotFoundError
from safeshare.retention.models import HoldKind, LegalHold, RetentionRecord
from safeshare.vault import service as vault
from safeshare.vault.keys import KeyProvider

HOLD_ROLES = frozenset({Role.admin, Role.disclosure_officer})
# Who the ledger and erasure records name for what the schedule did.
RETENTION_ACTOR = "system:retention"


def _require_role(actor_role: Role) -> None:
    if actor_role not in HOLD_ROLES:
        raise PermissionDeniedError(
            f"the {actor_role} role may not set or lift legal holds or restrictions"
        )


def _reason(text: str, field: str) -> str:
    reason = " ".join(text.split())
    if not reason or len(reason) > 2000:
        raise InvalidInputError("Enter the reason, in 2,000 characters or fewer", field=field)
    return reason


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- legal holds -------------------------------------------------------------------------


def set_hold(
    session: Session,
    *,
    report_ref: str,
    reason: str,
    actor: str,
    actor_role: Role,
    kind: HoldKind = HoldKind.legal_hold,
    now: datetime | None = None,
) -> LegalHold:
    """Hold everything tied to a report until lifted: a legal hold stops retention deleting
    or shredding it; a restriction of processing keeps it out of every new share decision.
    The report must exist (erased ones can still be held: their references remain)."""
    _require_role(actor_role)
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
            kind="retention.hold_set",
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
    actor_role: Role,
    now: datetime | None = None,
) -> LegalHold:
    """Lift a hold (recorded with its reason); the next retention run may act again."""
    _require_role(actor_role)
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
            kind="retention.hold_lifted",
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
    query = select(LegalHold.id).where(
        LegalHold.report_ref == report_ref,
        LegalHold.kind == HoldKind.restriction,
        LegalHold.lifted_at.is_(None),
    )
    return session.scalars(query.limit(1)).first() is not None


# --- the run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """One action the schedule says is due, or is held back by a legal hold."""

    candidate: records.Candidate
    action: RetentionAction
    due_at: datetime
    is_held: bool

    @property
    def record_type(self) -> RecordType:
        return self.candidate.record_type

    @property
    def record_key(self) -> str:
        return self.candidate.record_key


def plan(session: Session, *, schedule: Schedule, as_of: datetime) -> list[DueItem]:
    """Every action due by `as_of` and not yet taken, in schedule order, oldest first.

    A review under a hold still falls due (a person looks at it); a deletion or shred under
    a hold is listed as held and not applied.
    """
    held = held_references(session)
    done = {
        (record_type, record_key, action)
        for record_type, record_key, action in session.execute(
            select(RetentionRecord.record_type, RetentionRecord.record_key, RetentionRecord.action)
        )
    }
    due: list[DueItem] = []
    for record_type in RecordType:
        rule = schedule.rule(record_type)
        for candidate in records.candidates(session, record_type, as_of - rule.period):
            if (record_type.value, candidate.record_key, rule.action.value) in done:
                continue
            is_held = (
                rule.action is not RetentionAction.review
                and candidate.report_ref is not None
                and candidate.report_ref in held
            )
            due.append(DueItem(candidate, rule.action, candidate.aged_from + rule.period, is_held))
    return due


@dataclass(frozen=True)
class RunResult:
    """What a run did: counts by (record type, action), and how many were held back."""

    applied: dict[tuple[str, str], int]
    held: int


def apply(
    session: Session,
    *,
    items: Sequence[DueItem],
    schedule: Schedule,
    provider: KeyProvider,
    config: ReportingConfig,
    now: datetime | None = None,
    progress: Callable[[DueItem], None] | None = None,
) -> RunResult:
    """Take each due action that is not held: record it, publish it (a ledger entry each),
    and for deletions and shreds do them (shreds through the vault's erasure)."""
    now = now or utcnow()
    applied: dict[tuple[str, str], int] = {}
    held = 0
    for item in items:
        if item.is_held:
            held += 1
        elif _act(session, item, provider=provider, config=config, now=now):
            session.add(
                RetentionRecord(
                    record_type=item.record_type.value,
                    record_key=item.record_key,
                    action=item.action.value,
                    report_ref=item.candidate.report_ref,
                    schedule_sha256=schedule.sha256,
                    due_at=item.due_at,
                    acted_at=now,
                    acted_by=RETENTION_ACTOR,
                )
            )
            session.flush()
            publish(
                session,
                DomainEvent(
                    kind=f"retention.{item.action.value}",
                    actor=RETENTION_ACTOR,
                    data={
                        "record_type": item.record_type.value,
                        "record_key": item.record_key,
                        "report_ref": item.candidate.report_ref,
                        "schedule_sha256": schedule.sha256,
                        "due_at": item.due_at.isoformat(),
                    },
                ),
            )
            key = (item.record_type.value, item.action.value)
            applied[key] = applied.get(key, 0) + 1
        if progress is not None:
            progress(item)
    return RunResult(applied, held)


def _act(
    session: Session,
    item: DueItem,
    *,
    provider: KeyProvider,
    config: ReportingConfig,
    now: datetime,
) -> bool:
    """Do the action; False when there was nothing left to do (already gone)."""
    candidate = item.candidate
    if item.action is RetentionAction.review:
        return True
    if item.action is RetentionAction.delete:
        return records.delete(session, candidate)
    if candidate.record_type is RecordType.report:
        reporting.erase_report(
            session,
            reference=candidate.record_key,
            actor=Actor(username=RETENTION_ACTOR, role=Role.admin),
            reason=f"Retention schedule: report crypto-shredded, due {item.due_at:%Y-%m-%d}",
            provider=provider,
            config=config,
            now=now,
        )
        return True
    assert candidate.vault_subject is not None  # only reports and their sealed fields shred
    return vault.destroy_data_key(session, subject=candidate.vault_subject, actor=RETENTION_ACTOR)
