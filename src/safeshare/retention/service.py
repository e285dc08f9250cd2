"""The retention run: plan what the schedule says is due, then apply it (legal holds, in
`safeshare.holds`, keep deletions and shreds back).

Plain functions, keyword-only, session first; they flush and never commit. Every action
is published as a domain event (so it becomes a ledger entry) whose
data holds references only: record type, record key, report reference, the schedule's hash.
Ledger entries themselves are never removed, so `ledger verify` still passes after a run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.holds import service as holds
from safeshare.reporting import service as reporting
from safeshare.reporting.config import ReportingConfig
from safeshare.retention import records
from safeshare.retention.config import Schedule
from safeshare.retention.models import RetentionRecord
from safeshare.retention.vocabulary import RecordType, RetentionAction
from safeshare.vault import service as vault
from safeshare.vault.keys import KeyProvider

# Who the ledger and erasure records name for what the schedule did.
RETENTION_ACTOR = "system:retention"
ACTION_EVENTS: Mapping[RetentionAction, EventKind] = {
    RetentionAction.review: EventKind.RETENTION_REVIEW,
    RetentionAction.delete: EventKind.RETENTION_DELETE,
    RetentionAction.crypto_shred: EventKind.RETENTION_CRYPTO_SHRED,
}


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
    held = holds.held_references(session)
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
                    kind=ACTION_EVENTS[item.action],
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
            actor=Actor.system(RETENTION_ACTOR),
            reason=f"Retention schedule: report crypto-shredded, due {item.due_at:%Y-%m-%d}",
            provider=provider,
            config=config,
            now=now,
        )
        return True
    assert candidate.vault_subject is not None  # only reports and their sealed fields shred
    return vault.destroy_data_key(session, subject=candidate.vault_subject, actor=RETENTION_ACTOR)
