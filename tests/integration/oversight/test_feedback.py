"""Victim and sector voice: answers kept, counted by who gave them and shown with disclosure
control; hand-checked on both back ends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.oversight import feedback
from safeshare.oversight.models import Feedback
from safeshare.oversight.statistics import Period
from safeshare.oversight.vocabulary import FeedbackAnswer
from safeshare.support.errors import ReferralNotFoundError
from tests.factories import oversight as rows
from tests.factories.oversight import at

Q1 = Period(date(2024, 1, 1), date(2024, 3, 31))
YES, PARTLY, NO = FeedbackAnswer.yes, FeedbackAnswer.partly, FeedbackAnswer.no


def given(
    s: Session,
    source: str,
    felt_safe: str | None,
    was_helpful: str | None,
    on: date,
    referral_id: int | None = None,
) -> None:
    s.add(
        Feedback(
            source=source,
            felt_safe=felt_safe,
            was_helpful=was_helpful,
            given_on=on,
            referral_id=referral_id,
        )
    )
    s.flush()


@pytest.fixture
def answers(db_session: Session) -> Session:
    s = db_session
    given(s, "public", "yes", "yes", date(2024, 1, 3))
    given(s, "public", "yes", None, date(2024, 2, 3))  # answered only the first question
    given(s, "public", "no", "partly", date(2024, 3, 31))
    given(s, "public", "no", "no", date(2024, 4, 1))  # after the period
    given(s, "advocate", "partly", "yes", date(2024, 2, 9), referral_id=101)
    given(s, "advocate", None, "yes", date(2024, 3, 9), referral_id=102)
    return s


def test_answers_counted_by_source_question_and_answer(answers: Session) -> None:
    assert feedback.feedback_counts(answers, Q1) == {
        ("public", "felt_safe", "yes"): 2,
        ("public", "felt_safe", "no"): 1,
        ("public", "was_helpful", "yes"): 1,
        ("public", "was_helpful", "partly"): 1,
        ("advocate", "felt_safe", "partly"): 1,
        ("advocate", "was_helpful", "yes"): 2,
    }


def _grid(s: Session, tmp_path: Path, threshold: int, base: int) -> dict[str, list[str]]:
    section = rows.statistics_page(
        s,
        tmp_path,
        "voice",
        start=Q1.start,
        end=Q1.end,
        threshold=threshold,
        base=base,
        now=at(2024, 4, 10),
    )
    (table,) = section.tables
    return {row.heading: [f.label for f in row.figures] for row in table.rows}


def test_the_page_shows_exact_figures_without_disclosure_control(
    answers: Session, tmp_path: Path
) -> None:
    grid = _grid(answers, tmp_path, threshold=1, base=1)
    # Yes, partly, no, total, percentage yes.
    assert grid["Victims, at the end of reporting online: safe"] == ["2", "0", "1", "3", "67%"]
    assert grid["Advocates, about a referral: helpful"] == ["2", "0", "0", "2", "100%"]


def test_small_counts_are_withheld(answers: Session, tmp_path: Path) -> None:
    grid = _grid(answers, tmp_path, threshold=10, base=5)
    counts = {f for figures in grid.values() for f in figures[:4]}
    assert counts <= {"[c]", "0"}, grid  # every answer count is below 10


def test_public_feedback_with_no_answer_keeps_nothing(db_session: Session) -> None:
    assert not feedback.record_public_feedback(db_session, felt_safe=None, was_helpful=None)
    assert feedback.record_public_feedback(db_session, felt_safe=YES, was_helpful=None)


def test_an_advocate_answers_only_for_their_organisations_referrals(db_session: Session) -> None:
    s = db_session
    service = rows.support_service(s)
    mine = rows.referral(s, service, created_at=at(2024, 1, 5))
    advocate = Actor(
        username="advocate", role=Role.advocate, organisation_id=service.organisation_id
    )
    other = Actor(
        username="advocate-b", role=Role.advocate, organisation_id=service.organisation_id + 1000
    )
    feedback.record_referral_feedback(
        s, actor=advocate, referral_id=mine.id, felt_safe=YES, was_helpful=PARTLY
    )
    feedback.record_referral_feedback(
        s, actor=advocate, referral_id=mine.id, felt_safe=NO, was_helpful=None
    )
    found = feedback.referral_feedback(s, referral_id=mine.id)
    assert found is not None and (found.felt_safe, found.was_helpful) == ("no", None)
    with pytest.raises(ReferralNotFoundError):
        feedback.record_referral_feedback(
            s, actor=other, referral_id=mine.id, felt_safe=YES, was_helpful=YES
        )
