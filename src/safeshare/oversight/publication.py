"""Published responses to inspection recommendations (recommendation 8: "publish a
response"): once someone approves a recorded response, anyone may read it on a public page
and download it as a PDF, with its date and evidence links.

Approval is separate from editing: the tracker's text is a working draft until approved,
and any later change to what the public page shows withdraws it (`recommendations`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission, demand
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.oversight.errors import InvalidRecommendationError, RecommendationNotFoundError
from safeshare.oversight.models import Recommendation
from safeshare.oversight.recommendations import get_recommendation_or_raise
from safeshare.oversight.vocabulary import RecommendationStatus

_LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class EvidenceItem:
    """One line of evidence: plain text, or a link (only http and https are linked)."""

    text: str
    href: str | None = None


def evidence_items(evidence: str | None) -> list[EvidenceItem]:
    """The evidence field line by line; a line holding a web address becomes a link to it,
    with the rest of the line as its text (or the address itself)."""
    items = []
    for line in (evidence or "").splitlines():
        line = line.strip().lstrip("-*• ").strip()
        if not line:
            continue
        found = _LINK.search(line)
        if found is None:
            items.append(EvidenceItem(line))
            continue
        href = found.group(0).rstrip(".,;:)")
        rest = (line[: found.start()] + line[found.start() + len(href) :]).strip(" -:().,;")
        items.append(EvidenceItem(rest or href, href))
    return items


def approve_publication(
    session: Session,
    *,
    recommendation_id: int,
    actor: str,
    actor_role: Role | None,
    now: datetime | None = None,
) -> Recommendation:
    """Approve the recorded response for the public page; it must have text and a date.
    The tracker's editors approve (`Permission.RECOMMENDATIONS_EDIT`)."""
    demand(actor_role, Permission.RECOMMENDATIONS_EDIT, "approve a response")
    record = get_recommendation_or_raise(
        session, recommendation_id=recommendation_id, actor_role=actor_role
    )
    if (
        not record.response_text
        or record.response_date is None
        or record.status == RecommendationStatus.awaiting_response.value
    ):
        raise InvalidRecommendationError(
            "Record the response and its date before approving it for publication"
        )
    record.published_at = now or utcnow()
    record.published_by = actor
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.OVERSIGHT_RECOMMENDATION_PUBLISHED,
            actor=actor,
            data={"recommendation_id": record.id, "number": record.number},
        ),
    )
    return record


def published_recommendations(session: Session) -> list[Recommendation]:
    """Every approved response, by report and number (public)."""
    return list(
        session.scalars(
            select(Recommendation)
            .where(Recommendation.published_at.is_not(None))
            .order_by(Recommendation.report_date, Recommendation.source, Recommendation.number)
        )
    )


def get_published_or_raise(session: Session, *, recommendation_id: int) -> Recommendation:
    """An approved response, or `RecommendationNotFoundError`: an unapproved one is not
    found either, so the public cannot tell drafts exist."""
    record = session.get(Recommendation, recommendation_id)
    if record is None or record.published_at is None:
        raise RecommendationNotFoundError(f"no published response {recommendation_id}")
    return record
