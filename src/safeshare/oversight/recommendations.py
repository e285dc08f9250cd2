"""The tracker of inspection recommendations and the responses to them.

There is no single statutory deadline for responses (DOMAIN.md, recommendation 8): each
recommendation carries its own due date, and one with no response after it is overdue.
Changes publish events with references and field names only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission, demand
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.oversight.errors import InvalidRecommendationError, RecommendationNotFoundError
from safeshare.oversight.models import Recommendation
from safeshare.oversight.schemas import RecommendationCreate, RecommendationUpdate
from safeshare.oversight.vocabulary import RecommendationStatus

SAFE_TO_SHARE = "Safe to share? (super-complaint report, December 2020)"
SAFE_TO_SHARE_DATE = date(2020, 12, 17)

# Our summary of the report's eight recommendations (DOMAIN.md). Due dates are fictional
# placeholders for the demo: each should be set from the recipient's own commitment.
_SAFE_TO_SHARE: tuple[tuple[int, str, list[str], str, date], ...] = (
    (
        1,
        "Stop sharing where the only concern is immigration status (interim)",
        ["Chief constables"],
        "Where officers' only concern is doubt about a domestic abuse victim's immigration "
        "status, stop sharing that victim's information with Immigration Enforcement and link "
        "the victim to a third party for advice and assistance instead. Not where there is "
        "evidence the victim is suspected of offences themselves.",
        date(2021, 1, 31),
    ),
    (
        2,
        "Review law and policy for migrant victims and witnesses",
        ["Home Office"],
        "Review the law and policy for migrant victims and witnesses with insecure status, "
        "including whether to build a firewall, with an equality impact assessment, and "
        "report its conclusions.",
        date(2021, 6, 30),
    ),
    (
        3,
        "A safeguarding protocol for migrant victims and witnesses",
        ["Home Office", "National Police Chiefs' Council"],
        "Agree a safeguarding protocol guiding how police, the Home Office and other agencies "
        "respond to all migrant victims and witnesses.",
        date(2021, 12, 31),
    ),
    (
        4,
        "Safe reporting pathways",
        ["Chief constables"],
        "Put in place safe reporting pathways for all migrant victims and witnesses to the "
        "police and other statutory agencies.",
        date(2021, 12, 31),
    ),
    (
        5,
        "Specialist support for victims with insecure status",
        ["Chief constables", "Police and Crime Commissioners"],
        "Make sure specialist support is there for victims with insecure status, for example "
        "by commissioning 'by and for' services, including refuge places for people with no "
        "recourse to public funds.",
        date(2021, 12, 31),
    ),
    (
        6,
        "Share up-to-date information on specialist support",
        ["Police and Crime Commissioners"],
        "Share up-to-date information on specialist victim support organisations with the "
        "police, cascaded to all relevant officers and supplemented with performance data.",
        date(2021, 6, 30),
    ),
    (
        7,
        "Improve recording and assurance of information shared",
        ["Home Office"],
        "Improve the recording and assurance of information shared by police, including what "
        "action followed (not only removals: the effect on the investigation matters) and "
        "compliance with the Victims' Code.",
        date(2021, 12, 31),
    ),
    (
        8,
        "Publish a response to the recommendations",
        ["All recipients"],
        "Every recipient publishes a response to the recommendations. There is no single "
        "statutory deadline: each due date here is set per recommendation.",
        date(2021, 3, 31),
    ),
)


def list_recommendations(session: Session, *, actor_role: Role | None) -> list[Recommendation]:
    """Every tracked recommendation, by report and number."""
    demand(actor_role, Permission.RECOMMENDATIONS_READ, "see the recommendations tracker")
    return list(
        session.scalars(
            select(Recommendation).order_by(
                Recommendation.report_date, Recommendation.source, Recommendation.number
            )
        )
    )


def get_recommendation(
    session: Session, *, recommendation_id: int, actor_role: Role | None
) -> Recommendation | None:
    """The recommendation, or None."""
    demand(actor_role, Permission.RECOMMENDATIONS_READ, "see the recommendations tracker")
    return session.get(Recommendation, recommendation_id)


def get_recommendation_or_raise(
    session: Session, *, recommendation_id: int, actor_role: Role | None
) -> Recommendation:
    """The recommendation, or `RecommendationNotFoundError` (a 404 at the edge)."""
    found = get_recommendation(session, recommendation_id=recommendation_id, actor_role=actor_role)
    if found is None:
        raise RecommendationNotFoundError(f"no recommendation {recommendation_id}")
    return found


def _check_response(data: RecommendationUpdate, report_date: date, today: date) -> None:
    if data.response_date is None:
        if data.response_text:
            raise InvalidRecommendationError(
                "Enter the date the response was published", field="response_date"
            )
        if data.status is not RecommendationStatus.awaiting_response:
            raise InvalidRecommendationError(
                "Enter the date of the response, or set the status to awaiting response",
                field="response_date",
            )
    else:
        if data.response_date > today:
            raise InvalidRecommendationError(
                "The response date must be today or in the past", field="response_date"
            )
        if data.response_date < report_date:
            raise InvalidRecommendationError(
                "The response date must be on or after the report date", field="response_date"
            )
        if data.status is RecommendationStatus.awaiting_response:
            raise InvalidRecommendationError(
                "A recommendation with a response is no longer awaiting one: choose its status",
                field="status",
            )
    if data.response_due_on < report_date:
        raise InvalidRecommendationError(
            "The due date must be on or after the report date", field="response_due_on"
        )


_EDITABLE = ("response_due_on", "response_text", "response_date", "status", "evidence")


def update_recommendation(
    session: Session,
    *,
    recommendation_id: int,
    data: RecommendationUpdate,
    actor: str,
    actor_role: Role | None,
    now: datetime | None = None,
) -> Recommendation:
    """Record the response, its date, status, evidence or a new due date."""
    demand(actor_role, Permission.RECOMMENDATIONS_EDIT, "edit the recommendations tracker")
    record = get_recommendation_or_raise(
        session, recommendation_id=recommendation_id, actor_role=actor_role
    )
    now = now or utcnow()
    _check_response(data, record.report_date, now.date())
    changed = [name for name in _EDITABLE if getattr(record, name) != _stored(getattr(data, name))]
    for name in changed:
        setattr(record, name, _stored(getattr(data, name)))
    if changed:
        record.updated_at = now
        record.updated_by = actor
        session.flush()
        publish(
            session,
            DomainEvent(
                kind=EventKind.OVERSIGHT_RECOMMENDATION_UPDATED,
                actor=actor,
                data={
                    "recommendation_id": record.id,
                    "number": record.number,
                    "status": record.status,
                    "changed": changed,
                },
            ),
        )
    return record


def _stored(value: object) -> object:
    return value.value if isinstance(value, RecommendationStatus) else value


def create_recommendation(
    session: Session,
    *,
    data: RecommendationCreate,
    actor: str,
    actor_role: Role | None,
    now: datetime | None = None,
) -> Recommendation:
    """Track a new recommendation (from any inspection report)."""
    demand(actor_role, Permission.RECOMMENDATIONS_EDIT, "edit the recommendations tracker")
    now = now or utcnow()
    _check_response(data, data.report_date, now.date())
    exists = session.scalar(
        select(Recommendation.id).where(
            Recommendation.source == data.source, Recommendation.number == data.number
        )
    )
    if exists is not None:
        raise InvalidRecommendationError(
            f"Recommendation {data.number} of that report is already tracked", field="number"
        )
    record = Recommendation(
        source=data.source,
        number=data.number,
        title=data.title,
        text=data.text,
        recipients=list(data.recipients),
        report_date=data.report_date,
        response_due_on=data.response_due_on,
        response_text=data.response_text,
        response_date=data.response_date,
        status=data.status.value,
        evidence=data.evidence,
        created_at=now,
        updated_at=now,
        updated_by=actor,
    )
    session.add(record)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.OVERSIGHT_RECOMMENDATION_CREATED,
            actor=actor,
            data={"recommendation_id": record.id, "number": record.number},
        ),
    )
    return record


def seed_safe_to_share(session: Session, *, actor: str = "demo") -> int:
    """Track the eight "Safe to share?" recommendations (idempotent); returns how many added.

    Due dates are fictional placeholders; the Home Office's December 2021 review is recorded
    as the response to recommendation 2.
    """
    existing = set(
        session.scalars(select(Recommendation.number).where(Recommendation.source == SAFE_TO_SHARE))
    )
    added = 0
    for number, title, recipients, text, due in _SAFE_TO_SHARE:
        if number in existing:
            continue
        record = Recommendation(
            source=SAFE_TO_SHARE,
            number=number,
            title=title,
            text=text,
            recipients=recipients,
            report_date=SAFE_TO_SHARE_DATE,
            response_due_on=due,
            status=RecommendationStatus.awaiting_response.value,
            updated_by=actor,
        )
        if number == 2:
            record.response_date = date(2021, 12, 17)
            record.response_text = (
                "The Home Office's review of data sharing for migrant victims rejected a "
                "firewall and announced the migrant victims protocol: police sharing continues, "
                "but no enforcement action while an investigation or prosecution is ongoing and "
                "the victim is receiving support to regularise their stay."
            )
            record.status = RecommendationStatus.response_published.value
        session.add(record)
        added += 1
    session.flush()
    return added


def is_overdue(record: Recommendation, *, today: date) -> bool:
    """No response yet, and the due date has passed."""
    return record.is_overdue(today)
