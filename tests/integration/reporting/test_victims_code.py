"""Victims' Code rights on reports: Right 6 clocks, meeting rights, the supervisor dashboard."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent
from safeshare.reporting import service, victims_code
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ReportingPermissionError, RightStateError
from safeshare.reporting.models import Report, RightItem
from safeshare.reporting.schemas import ReportReceipt, RightDue, UpdateCreate
from safeshare.reporting.vocabulary import CrimeType, DeliveryMethod, KeyDecision, VictimsCodeRight
from safeshare.vault.keys import KeyProvider
from tests.factories.reporting import create_public_report, officer, reporting_config, staff

# Friday 23 December 2022, 16:00: Boxing Day, the Christmas Day substitute (Tue 27) and the
# New Year's Day substitute (Mon 2 Jan 2023) all follow.
FRIDAY_BEFORE_CHRISTMAS = datetime(2022, 12, 23, 16, tzinfo=UTC)


def _decide(
    session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    receipt: ReportReceipt,
    decision: KeyDecision,
) -> RightItem:
    service.add_update(
        session,
        report_id=receipt.report_id,
        payload=UpdateCreate(key_decision=decision),
        actor=officer(),
        provider=provider,
        config=config,
        now=FRIDAY_BEFORE_CHRISTMAS,
    )
    return session.get_one(Report, receipt.report_id).rights[-1]


def _item(session: Session, receipt: ReportReceipt, right: VictimsCodeRight) -> RightItem:
    return next(i for i in session.get_one(Report, receipt.report_id).rights if i.right == right)


@pytest.mark.parametrize(
    ("crime_type", "expected"),
    [
        # Standard: 5 working days: Wed 28, Thu 29, Fri 30 Dec, Tue 3, Wed 4 Jan 2023.
        (CrimeType.theft_fraud, date(2023, 1, 4)),
        # Enhanced rights (domestic abuse): 1 working day: Wed 28 Dec 2022.
        (CrimeType.domestic_abuse, date(2022, 12, 28)),
    ],
)
def test_key_decision_starts_a_right_6_clock(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    crime_type: CrimeType,
    expected: date,
) -> None:
    receipt = create_public_report(
        db_session, provider=provider, config=config, crime_type=crime_type
    )
    item = _decide(db_session, provider, config, receipt, KeyDecision.arrest)
    assert item.right == VictimsCodeRight.investigation_updates
    assert item.trigger == "key_decision:arrest"
    assert item.due_on == expected


def test_right_6_periods_come_from_configuration(
    db_session: Session, provider: KeyProvider
) -> None:
    config = reporting_config(update_working_days=10, enhanced_update_working_days=3)
    receipt = create_public_report(db_session, provider=provider, config=config)
    item = _decide(db_session, provider, config, receipt, KeyDecision.charge)
    # 10 working days from Fri 23 Dec 2022: 28, 29, 30 Dec, 3, 4, 5, 6, 9, 10, 11 Jan.
    assert item.due_on == date(2023, 1, 11)


def test_acknowledgement_is_met_with_how_it_was_given_safely(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    published: list[DomainEvent],
) -> None:
    receipt = create_public_report(db_session, provider=provider, config=config)
    item = _item(db_session, receipt, VictimsCodeRight.information_when_reporting)
    assert item.due_on is None  # Right 3 has no fixed deadline
    with pytest.raises(InvalidInputError) as caught:
        victims_code.mark_right_met(db_session, item_id=item.id, actor=officer(), config=config)
    assert caught.value.field == "delivery_method"
    when = datetime(2024, 6, 3, 9, tzinfo=UTC)
    met = victims_code.mark_right_met(
        db_session,
        item_id=item.id,
        actor=officer("pc.khan"),
        config=config,
        met_at=when,
        delivery_method=DeliveryMethod.via_advocate,
    )
    assert (met.status, met.met_at, met.met_by, met.delivery_method) == (
        "met",
        when,
        "pc.khan",
        DeliveryMethod.via_advocate,
    )
    assert met.title.startswith("To be provided with information when reporting")
    assert published[-1].kind == "victims_code.right_met"
    assert published[-1].data["right"] == 3
    with pytest.raises(RightStateError):
        victims_code.mark_right_met(
            db_session,
            item_id=item.id,
            actor=officer(),
            config=config,
            delivery_method=DeliveryMethod.in_person,
        )


def test_not_applicable_needs_a_reason_and_a_case_role(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    receipt = create_public_report(db_session, provider=provider, config=config)
    item = _item(db_session, receipt, VictimsCodeRight.trial_information)
    with pytest.raises(ReportingPermissionError):
        victims_code.mark_right_not_applicable(
            db_session,
            item_id=item.id,
            actor=staff(Role.inspector),
            reason="No trial",
            config=config,
        )
    with pytest.raises(InvalidInputError):
        victims_code.mark_right_not_applicable(
            db_session, item_id=item.id, actor=officer(), reason="no", config=config
        )
    done = victims_code.mark_right_not_applicable(
        db_session,
        item_id=item.id,
        actor=officer(),
        reason="No suspect identified; no trial",
        config=config,
    )
    assert (done.status, done.not_applicable_reason) == (
        "not_applicable",
        "No suspect identified; no trial",
    )


def test_dashboard_lists_overdue_and_due_soon(
    db_session: Session, provider: KeyProvider, config: ReportingConfig
) -> None:
    late = create_public_report(db_session, provider=provider, config=config)
    soon = create_public_report(
        db_session, provider=provider, config=config, crime_type=CrimeType.domestic_abuse
    )
    done = create_public_report(db_session, provider=provider, config=config)
    late_item = _decide(db_session, provider, config, late, KeyDecision.bail)  # due Wed 4 Jan
    soon_item = _decide(db_session, provider, config, soon, KeyDecision.bail)  # due Wed 28 Dec
    done_item = _decide(db_session, provider, config, done, KeyDecision.bail)
    victims_code.mark_right_met(db_session, item_id=done_item.id, actor=officer(), config=config)

    def ours(items: list[RightDue]) -> list[tuple[str, int]]:
        refs = {late.reference, soon.reference, done.reference}
        return [(i.reference, i.working_days_overdue) for i in items if i.reference in refs]

    # Tue 27 Dec 2022 (a bank holiday): Wed 28 is the next working day, so "due soon".
    board = victims_code.supervisor_dashboard(
        db_session, config=config, now=datetime(2022, 12, 27, 10, tzinfo=UTC)
    )
    assert board.as_of == date(2022, 12, 27)
    assert ours(board.overdue) == []
    assert ours(board.due_soon) == [(soon.reference, 0)]
    # Mon 9 Jan 2023: both overdue; Wed 4 Jan by 3 working days, Wed 28 Dec by 7.
    board = victims_code.supervisor_dashboard(
        db_session, config=config, now=datetime(2023, 1, 9, 10, tzinfo=UTC)
    )
    assert ours(board.overdue) == [(soon.reference, 7), (late.reference, 3)]
    assert board.overdue[0].title.startswith("To be provided with information about the invest")
    assert soon_item.id in {i.item_id for i in board.overdue}
    assert late_item.id in {i.item_id for i in board.overdue}
