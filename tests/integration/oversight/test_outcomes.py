"""Outcomes after a share: recorded with dates on two tracks, published as references only,
and overdue follow-ups listed for the disclosure officer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.errors import PermissionDeniedError
from safeshare.events import DomainEvent
from safeshare.oversight import outcomes
from safeshare.oversight.errors import (
    DisclosureNotFoundError,
    InvalidOutcomeError,
    NotImmigrationDisclosureError,
)
from safeshare.oversight.schemas import OutcomeCreate
from safeshare.oversight.vocabulary import OutcomeTrack
from tests.factories import oversight as rows
from tests.factories.oversight import at

OFFICER = Role.disclosure_officer


def outcome(track: str, value: str, on: date) -> OutcomeCreate:
    return OutcomeCreate.model_validate(
        {"track": track, "outcome": value, "occurred_on": on, "source": "immigration_enforcement"}
    )


def test_outcomes_are_recorded_dated_and_published_as_references(
    db_session: Session, published: list[DomainEvent]
) -> None:
    sent = rows.disclosure(db_session, sent_at=at(2024, 1, 15), report_ref="RPT-1")
    outcomes.record_outcome(
        db_session,
        disclosure_id=sent.id,
        data=outcome("immigration", "support_contact", date(2024, 1, 20)),
        actor="disclosure-officer",
        actor_role=OFFICER,
        now=at(2024, 2, 1),
    )
    outcomes.record_outcome(
        db_session,
        disclosure_id=sent.id,
        data=outcome("immigration", "enforcement_paused", date(2024, 1, 25)),
        actor="disclosure-officer",
        actor_role=OFFICER,
        now=at(2024, 2, 1),
    )
    outcomes.record_outcome(
        db_session,
        disclosure_id=sent.id,
        data=outcome("case", "charged", date(2024, 1, 30)),
        actor="disclosure-officer",
        actor_role=OFFICER,
        now=at(2024, 2, 1),
    )
    follow = outcomes.get_follow_up(
        db_session, disclosure_id=sent.id, actor_role=OFFICER, follow_up_days=28
    )
    assert [o.outcome for o in follow.outcomes] == [
        "support_contact",
        "enforcement_paused",
        "charged",
    ]
    assert follow.latest(OutcomeTrack.immigration).outcome == "enforcement_paused"  # type: ignore[union-attr]
    assert follow.latest(OutcomeTrack.case).outcome == "charged"  # type: ignore[union-attr]
    assert not follow.is_overdue
    event = [e for e in published if e.kind == "oversight.outcome_recorded"][-1]
    assert event.actor == "disclosure-officer"
    assert set(event.data) == {
        "outcome_id",
        "disclosure_id",
        "decision_id",
        "track",
        "outcome",
        "occurred_on",
        "source",
    }
    assert event.data["disclosure_id"] == sent.id
    assert "RPT-1" not in repr(event.data)


@pytest.mark.parametrize(
    ("on", "field_message"),
    [(date(2024, 1, 14), "on or after"), (date(2024, 3, 2), "today or in the past")],
)
def test_dates_must_fall_between_the_disclosure_and_today(
    db_session: Session, on: date, field_message: str
) -> None:
    sent = rows.disclosure(db_session, sent_at=at(2024, 1, 15))
    with pytest.raises(InvalidOutcomeError, match=field_message) as caught:
        outcomes.record_outcome(
            db_session,
            disclosure_id=sent.id,
            data=outcome("case", "continued", on),
            actor="disclosure-officer",
            actor_role=OFFICER,
            now=at(2024, 3, 1),
        )
    assert caught.value.field == "occurred_on"


def test_only_disclosures_to_immigration_enforcement_are_followed_up(db_session: Session) -> None:
    sent = rows.disclosure(db_session, sent_at=at(2024, 1, 15), agency="police")
    with pytest.raises(NotImmigrationDisclosureError):
        outcomes.record_outcome(
            db_session,
            disclosure_id=sent.id,
            data=outcome("case", "continued", date(2024, 1, 16)),
            actor="disclosure-officer",
            actor_role=OFFICER,
        )
    with pytest.raises(DisclosureNotFoundError):
        outcomes.get_follow_up(
            db_session, disclosure_id=999_999, actor_role=OFFICER, follow_up_days=28
        )


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.disclosure_officer])
def test_only_disclosure_officers_record_outcomes(db_session: Session, role: Role) -> None:
    sent = rows.disclosure(db_session, sent_at=at(2024, 1, 15))
    with pytest.raises(PermissionDeniedError):
        outcomes.record_outcome(
            db_session,
            disclosure_id=sent.id,
            data=outcome("case", "continued", date(2024, 1, 16)),
            actor="someone",
            actor_role=role,
        )
    with pytest.raises(PermissionDeniedError):
        outcomes.follow_up_list(db_session, actor_role=role, follow_up_days=28)


def test_the_overdue_list(db_session: Session) -> None:
    old = rows.disclosure(db_session, sent_at=at(2024, 1, 1))
    older = rows.disclosure(db_session, sent_at=at(2023, 12, 1))
    followed = rows.disclosure(db_session, sent_at=at(2023, 12, 2))
    rows.disclosure(db_session, sent_at=at(2024, 2, 10))  # 19 days old: not yet due
    rows.disclosure(db_session, sent_at=at(2023, 11, 1), agency="police")  # not followed up
    outcomes.record_outcome(
        db_session,
        disclosure_id=followed.id,
        data=outcome("immigration", "no_action", date(2023, 12, 20)),
        actor="disclosure-officer",
        actor_role=OFFICER,
        now=at(2024, 2, 29),
    )
    found = outcomes.follow_up_list(
        db_session, actor_role=OFFICER, follow_up_days=28, now=at(2024, 2, 29)
    )
    assert [r.disclosure_id for r in found.overdue] == [older.id, old.id]
    assert found.overdue[0].days_since == 90
    assert all(r.is_overdue for r in found.overdue)
    assert len(found.recent) == 4
    latest = {r.disclosure_id: r.latest_immigration for r in found.recent}
    assert latest[followed.id] == "no_action"
    assert outcomes.count_overdue(db_session, follow_up_days=28, now=at(2024, 2, 29)) == 2
    # The follow-up period is configuration: with 60 days only the oldest is overdue.
    assert outcomes.count_overdue(db_session, follow_up_days=60, now=at(2024, 2, 29)) == 1


def test_an_outcome_must_fit_its_track() -> None:
    with pytest.raises(ValueError, match="Select what happened"):
        outcome("case", "removal", date(2024, 1, 1))
