"""Victim and sector voice (issue 19): "was it safe, was it helpful", asked of the victim at
the end of the public journey and of advocates about each referral, and the statistics page
that reports the answers with the one disclosure control.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.db.base import utcnow
from safeshare.oversight.dialect import Counts
from safeshare.oversight.models import Feedback
from safeshare.oversight.presentation import Page, Section
from safeshare.oversight.statistics import Period
from safeshare.oversight.vocabulary import (
    FEEDBACK_ANSWER_LABELS,
    FEEDBACK_QUESTION_LABELS,
    FEEDBACK_SOURCE_LABELS,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackSource,
)
from safeshare.support import referrals

if TYPE_CHECKING:
    from safeshare.oversight.sections import Context

TITLE = "Victim and sector voice"


def record_public_feedback(
    session: Session,
    *,
    felt_safe: FeedbackAnswer | None,
    was_helpful: FeedbackAnswer | None,
    now: datetime | None = None,
) -> bool:
    """Keep a victim's answers, linked to nothing but the day; False (nothing kept) if she
    gave none."""
    if felt_safe is None and was_helpful is None:
        return False
    session.add(
        Feedback(
            source=FeedbackSource.public.value,
            felt_safe=felt_safe,
            was_helpful=was_helpful,
            given_on=(now or utcnow()).date(),
        )
    )
    session.flush()
    return True


def record_referral_feedback(
    session: Session,
    *,
    actor: Actor,
    referral_id: int,
    felt_safe: FeedbackAnswer | None,
    was_helpful: FeedbackAnswer | None,
    now: datetime | None = None,
) -> None:
    """An advocate's answers about one of their organisation's referrals (any other is not
    found); answering again replaces the earlier answers."""
    referrals.get_referral_for_organisation_or_raise(session, actor=actor, referral_id=referral_id)
    row = session.scalar(select(Feedback).where(Feedback.referral_id == referral_id))
    if row is None:
        row = Feedback(source=FeedbackSource.advocate.value, referral_id=referral_id)
        session.add(row)
    row.felt_safe, row.was_helpful, row.given_on = felt_safe, was_helpful, (now or utcnow()).date()
    session.flush()


def referral_feedback(session: Session, *, referral_id: int) -> Feedback | None:
    """The advocate's answers about a referral, if given (for the referral page)."""
    return session.scalar(select(Feedback).where(Feedback.referral_id == referral_id))


def feedback_counts(session: Session, period: Period) -> Counts:
    """Answers given in the period by (source, question, answer); unanswered left out."""
    found: Counts = {}
    for question in FeedbackQuestion:
        answer = getattr(Feedback, question.value)
        statement = (
            select(Feedback.source, answer, func.count())
            .where(Feedback.given_on >= period.start, Feedback.given_on <= period.end)
            .where(answer.is_not(None))
            .group_by(Feedback.source, answer)
        )
        for source, value, n in session.execute(statement):
            found[(source, question.value, value)] = int(n)
    return found


def _row_label(key: str) -> str:
    source, question = key.split("|")
    return (
        f"{FEEDBACK_SOURCE_LABELS[FeedbackSource(source)]}: "
        f"{FEEDBACK_QUESTION_LABELS[FeedbackQuestion(question)].lower()}"
    )


def voice(session: Session, context: Context) -> Section:
    """Answers to "was it safe, was it helpful", by who answered, disclosure-controlled.

    Answers are not tied to a force (a victim's answer is linked to nothing), so the page
    counts every answer in the period whichever force is chosen, and says so.
    """
    counts = feedback_counts(session, context.period)
    rows = [f"{s.value}|{q.value}" for s in FeedbackSource for q in FeedbackQuestion]
    page = Page(context.policy)
    page.crosstab(
        "feedback",
        "Was it safe, was it helpful: answers by who gave them",
        counts={(f"{k[0]}|{k[1]}", k[2]): n for k, n in counts.items()},
        rows=rows,
        columns=tuple(a.value for a in FeedbackAnswer),
        row_label=_row_label,
        column_label=lambda v: FEEDBACK_ANSWER_LABELS[FeedbackAnswer(v)],
        row_heading="Who answered, and about what",
        noun="answers",
        rate_of=(FeedbackAnswer.yes.value,),
        rate_heading="Percentage yes",
        chart="rate",
        description="Victims answer at the end of reporting online, whether they felt safe "
        "reporting and whether the service helped; advocates answer for each referral, whether "
        "it was safe for the victim and whether it helped. Both questions are optional, so the "
        "numbers answering differ. Answers are not linked to a force, so every force's are "
        "counted whichever force is chosen.",
    )
    return Section(
        "voice",
        TITLE,
        "What victims and the advocates who support them say about reporting and referral.",
        page.tables(),
    )


def parse_answer(value: str) -> FeedbackAnswer | None:
    """A posted answer, or None when blank or not one of the choices (never an error: the
    questions are optional)."""
    return FeedbackAnswer(value) if value in set(FeedbackAnswer) else None
