"""The retention run on both back ends, driven by a clock: it deletes and shreds exactly what
the schedule says, never what is under a legal hold, ledgers every action, and the ledger
still verifies afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError, PermissionDeniedError
from safeshare.events import DomainEvent
from safeshare.holds import service as holds
from safeshare.holds.errors import LegalHoldLiftedError
from safeshare.ledger import service as ledger
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.oversight.models import Feedback
from safeshare.reporting import service as reporting
from safeshare.reporting.drafts import ReportDraft, start_draft
from safeshare.reporting.models import Consent, Report
from safeshare.reporting.schemas import ConsentGrant, ReportReceipt
from safeshare.reporting.vocabulary import ConsentMethod
from safeshare.retention import service
from safeshare.retention.config import Schedule, load_schedule, parse_schedule
from safeshare.retention.errors import RetentionScheduleError
from safeshare.retention.models import RetentionRecord
from safeshare.retention.vocabulary import RecordType, RetentionAction
from safeshare.support.models import SupportReferral
from safeshare.vault import service as vault
from safeshare.vault.keys import InMemoryKeyProvider, KeyProvider
from tests.factories.oversight import support_service
from tests.factories.reporting import (
    PublicReportFactory,
    create_public_report,
    officer,
    reporting_config,
)

ORIGIN = "test.example/ledger"
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
SCHEDULE = """
report: {days: 2190, action: crypto_shred}
sealed_field: {days: 1000, action: review}
draft: {days: 1, action: delete}
decision: {days: 2190, action: review}
referral: {days: 1095, action: delete}
consent_record: {days: 30, action: delete}
user_account: {days: 36500, action: review}
ledger_reference: {days: 36500, action: review}
feedback: {days: 1095, action: delete}
"""


@dataclass
class Clock:
    """The time the test says it is; `advance` moves it on."""

    now: datetime = T0

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledgered() -> Iterator[None]:
    ledger.subscribe_to_events()
    try:
        yield
    finally:
        ledger.unsubscribe_from_events()


@pytest.fixture
def schedule() -> Schedule:
    return parse_schedule(SCHEDULE, source="test")


def _report(session: Session, provider: KeyProvider, now: datetime) -> ReportReceipt:
    return reporting.create_report(
        session,
        payload=PublicReportFactory(),
        actor=Actor.public(),
        provider=provider,
        config=reporting_config(),
        now=now,
    )


def _mine(items: list[service.DueItem], refs: set[str]) -> list[tuple[str, str, str, bool]]:
    return sorted(
        (i.record_type.value, i.record_key, i.action.value, i.is_held)
        for i in items
        if i.candidate.report_ref in refs or i.record_type is RecordType.draft
    )


def test_the_schedule_is_applied_exactly_and_holds_stop_deletion(
    db_session: Session,
    clock: Clock,
    schedule: Schedule,
    ledgered: None,
    published: list[DomainEvent],
) -> None:
    provider, config = InMemoryKeyProvider(), reporting_config()
    old = _report(db_session, provider, clock.now)
    held = _report(db_session, provider, clock.now)
    consent = reporting.record_consent(
        db_session,
        report_id=old.report_id,
        grant=ConsentGrant(purpose="victim_support"),
        method=ConsentMethod.officer_in_person,
        actor=officer(),
        config=config,
        now=clock.now,
    )
    reporting.withdraw_consent(
        db_session,
        report_id=old.report_id,
        consent_id=consent.id,
        method=ConsentMethod.officer_in_person,
        actor=officer(),
        config=config,
        now=clock.advance(days=1),
    )
    start_draft(db_session, answers={"crime_type": "violence"}, now=clock.now)
    hold = holds.set_hold(
        db_session,
        report_ref=held.reference.lower(),
        reason="Civil claim notified",
        actor="dpo",
        actor_role=Role.disclosure_officer,
        now=clock.now,
    )
    assert hold.report_ref == held.reference and published[-1].kind == "retention.hold_set"
    assert "Civil claim" not in str(published[-1].data)  # only the reason's hash

    clock.advance(days=1500)
    new = _report(db_session, provider, clock.now)
    refs = {old.reference, held.reference, new.reference}

    # After 1,501 days: sealed fields of the two first reports are due for review, the
    # withdrawn consent and the draft for deletion; nothing is shredded yet.
    due = service.plan(db_session, schedule=schedule, as_of=clock.now)
    assert _mine(due, refs) == sorted(
        [
            ("consent_record", str(consent.id), "delete", False),
            ("draft", _draft_ids(db_session)[0], "delete", False),
            ("sealed_field", held.reference, "review", False),  # holds stop deletion, not review
            ("sealed_field", old.reference, "review", False),
        ]
    )
    service.apply(
        db_session, items=due, schedule=schedule, provider=provider, config=config, now=clock.now
    )
    assert db_session.get(Consent, consent.id) is None
    assert _draft_ids(db_session) == []
    assert _mine(service.plan(db_session, schedule=schedule, as_of=clock.now), refs) == []

    # Six years after the first two reports: the old one is shredded, the held one is not.
    clock.advance(days=2190 - 1500)
    due = service.plan(db_session, schedule=schedule, as_of=clock.now)
    assert _mine(due, refs) == sorted(
        [
            ("report", held.reference, "crypto_shred", True),
            ("report", old.reference, "crypto_shred", False),
        ]
    )
    before = len(published)
    result = service.apply(
        db_session, items=due, schedule=schedule, provider=provider, config=config, now=clock.now
    )
    assert result.held >= 1
    shredded = db_session.get_one(Report, old.report_id)
    assert shredded.erased_at is not None and vault.is_destroyed(
        db_session, subject=shredded.public_id
    )
    kept = db_session.get_one(Report, held.report_id)
    assert kept.erased_at is None and not vault.is_destroyed(db_session, subject=kept.public_id)
    fresh = db_session.get_one(Report, new.report_id)
    assert fresh.erased_at is None and not vault.is_destroyed(db_session, subject=fresh.public_id)
    retention_events = [e for e in published[before:] if e.kind.startswith("retention.")]
    assert [(e.kind, e.data["record_key"]) for e in retention_events if e.data["report_ref"]] == [
        ("retention.crypto_shred", old.reference)
    ]
    assert set(retention_events[0].data) == {
        "record_type",
        "record_key",
        "report_ref",
        "schedule_sha256",
        "due_at",
    }

    # Lifting the hold lets the next run shred the held report too.
    holds.lift_hold(
        db_session,
        hold_id=hold.id,
        reason="Claim settled",
        actor="dpo",
        actor_role=Role.disclosure_officer,
        now=clock.advance(days=1),
    )
    with pytest.raises(LegalHoldLiftedError):
        holds.lift_hold(
            db_session, hold_id=hold.id, reason="again", actor="dpo", actor_role=Role.admin
        )
    due = service.plan(db_session, schedule=schedule, as_of=clock.now)
    assert _mine(due, refs) == [("report", held.reference, "crypto_shred", False)]
    service.apply(
        db_session, items=due, schedule=schedule, provider=provider, config=config, now=clock.now
    )
    assert db_session.get_one(Report, held.report_id).erased_at is not None
    assert db_session.get_one(Report, new.report_id).erased_at is None

    recorded = db_session.scalars(
        select(RetentionRecord.record_type).where(RetentionRecord.report_ref.in_(refs))
    ).all()
    assert sorted(recorded) == [
        "consent_record",
        "report",
        "report",
        "sealed_field",
        "sealed_field",
    ]

    # Entries are never removed: the whole log still verifies.
    signer = Ed25519NoteSigner.generate(ORIGIN)
    ledger.create_checkpoint(db_session, signer=signer, origin=ORIGIN)
    report = ledger.verify_log(db_session, verifiers=[signer.verifier], origin=ORIGIN)
    assert report.ok, report.problems


def _draft_ids(session: Session) -> list[str]:
    return [str(i) for i in session.scalars(select(ReportDraft.id))]


def test_holds_need_a_role_a_report_and_a_reason(db_session: Session) -> None:
    provider, config = InMemoryKeyProvider(), reporting_config()
    receipt = create_public_report(db_session, provider=provider, config=config)
    with pytest.raises(PermissionDeniedError):
        holds.set_hold(
            db_session,
            report_ref=receipt.reference,
            reason="x",
            actor="pc",
            actor_role=Role.officer,
        )
    with pytest.raises(InvalidInputError) as refused:
        holds.set_hold(
            db_session, report_ref="SS-NOPE", reason="x", actor="a", actor_role=Role.admin
        )
    assert refused.value.field == "report_ref"
    with pytest.raises(InvalidInputError) as refused:
        holds.set_hold(
            db_session, report_ref=receipt.reference, reason="  ", actor="a", actor_role=Role.admin
        )
    assert refused.value.field == "reason"


def _feedback_due(session: Session, schedule: Schedule, as_of: datetime) -> list[tuple[str, bool]]:
    return sorted(
        (i.record_key, i.is_held)
        for i in service.plan(session, schedule=schedule, as_of=as_of)
        if i.record_type is RecordType.feedback
    )


def test_feedback_is_deleted_when_due_but_not_under_a_hold(
    db_session: Session, clock: Clock, schedule: Schedule, ledgered: None
) -> None:
    """A victim's answer and an advocate's go when the schedule says; an advocate's answer
    about a referral whose report is under a legal hold stays."""
    provider, config = InMemoryKeyProvider(), reporting_config()
    helped = support_service(db_session)
    answers: dict[str, Feedback] = {}
    for name in ("free", "held"):
        report = _report(db_session, provider, clock.now)
        referral = SupportReferral(
            report_id=report.report_id,
            service_id=helped.id,
            organisation_id=helped.organisation_id,
            status="closed",
            created_at=clock.now,
        )
        db_session.add(referral)
        db_session.flush()
        answers[name] = Feedback(
            source="advocate", referral_id=referral.id, felt_safe="yes", given_on=T0.date()
        )
        if name == "held":
            holds.set_hold(
                db_session,
                report_ref=report.reference,
                reason="Complaint under investigation",
                actor="dpo",
                actor_role=Role.disclosure_officer,
                now=clock.now,
            )
    answers["victim"] = Feedback(source="public", was_helpful="no", given_on=T0.date())
    answers["later"] = Feedback(
        source="public", felt_safe="yes", given_on=T0.date() + timedelta(days=1)
    )
    db_session.add_all(answers.values())
    db_session.flush()
    keys = {name: str(answer.id) for name, answer in answers.items()}

    assert _feedback_due(db_session, schedule, clock.advance(days=1094)) == []
    due = _feedback_due(db_session, schedule, clock.advance(days=1))
    assert due == sorted([(keys["free"], False), (keys["held"], True), (keys["victim"], False)])
    items = service.plan(db_session, schedule=schedule, as_of=clock.now)
    result = service.apply(
        db_session, items=items, schedule=schedule, provider=provider, config=config, now=clock.now
    )
    assert result.applied[("feedback", "delete")] == 2
    left = set(db_session.scalars(select(Feedback.id)))
    assert left == {answers["held"].id, answers["later"].id}
    recorded = db_session.scalars(
        select(RetentionRecord.record_key).where(RetentionRecord.record_type == "feedback")
    ).all()
    assert sorted(recorded) == sorted([keys["free"], keys["victim"]])


def test_the_default_schedule_covers_every_record_type() -> None:
    schedule = load_schedule()
    assert set(schedule.rules) == set(RecordType)
    assert schedule.rule(RecordType.ledger_reference).action is RetentionAction.review


@pytest.mark.parametrize(
    "text",
    [
        "report: [",
        SCHEDULE.replace("report: {days: 2190, action: crypto_shred}\n", ""),
        SCHEDULE + "photos: {days: 1, action: delete}\n",
        SCHEDULE.replace(
            "decision: {days: 2190, action: review}", "decision: {days: 1, action: delete}"
        ),
        SCHEDULE.replace("draft: {days: 1,", "draft: {days: -1,"),
    ],
    ids=["not-yaml", "missing-type", "unknown-type", "action-not-allowed", "negative-days"],
)
def test_a_bad_schedule_is_refused_whole(text: str) -> None:
    with pytest.raises(RetentionScheduleError):
        parse_schedule(text, source="test")


def test_a_schedule_file_can_replace_the_default(tmp_path: Path) -> None:
    path = tmp_path / "retention.yaml"
    path.write_text(SCHEDULE, encoding="utf-8")
    loaded = load_schedule(path)
    assert loaded.source == str(path) and loaded.rule(RecordType.report).action == "crypto_shred"
    with pytest.raises(RetentionScheduleError):
        load_schedule(tmp_path / "missing.yaml")
