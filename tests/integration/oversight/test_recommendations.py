"""The recommendations tracker: the eight "Safe to share?" recommendations, per-recommendation
due dates, overdue flags, responses with evidence, and who may change them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission, allows
from safeshare.auth.roles import Role
from safeshare.errors import PermissionDeniedError
from safeshare.events import DomainEvent
from safeshare.oversight import recommendations as tracker
from safeshare.oversight.errors import InvalidRecommendationError, RecommendationNotFoundError
from safeshare.oversight.schemas import RecommendationCreate, RecommendationUpdate
from safeshare.oversight.vocabulary import RecommendationStatus
from tests.factories.oversight import at


def test_seeding_tracks_all_eight_once(db_session: Session) -> None:
    assert tracker.seed_safe_to_share(db_session) == 8
    assert tracker.seed_safe_to_share(db_session) == 0
    found = tracker.list_recommendations(db_session, actor_role=Role.inspector)
    assert [r.number for r in found] == list(range(1, 9))
    assert found[2].recipients == ["Home Office", "National Police Chiefs' Council"]
    # Due dates are set per recommendation: there is no single statutory deadline.
    assert len({r.response_due_on for r in found}) > 1
    overdue = [r.number for r in found if r.is_overdue(date(2021, 7, 1))]
    assert overdue == [1, 6, 8]  # recommendation 2 has its response
    assert not found[0].is_overdue(date(2021, 1, 31))


def test_recording_a_response(db_session: Session, published: list[DomainEvent]) -> None:
    tracker.seed_safe_to_share(db_session)
    first = tracker.list_recommendations(db_session, actor_role=Role.admin)[0]
    updated = tracker.update_recommendation(
        db_session,
        recommendation_id=first.id,
        data=RecommendationUpdate(
            response_due_on=date(2021, 2, 28),
            response_text="Adopted as force policy.",
            response_date=date(2021, 2, 1),
            status=RecommendationStatus.implemented,
            evidence="Force policy 12/2021",
        ),
        actor="pcc-analyst",
        actor_role=Role.pcc_analyst,
        now=at(2021, 3, 1),
    )
    assert updated.status == "implemented"
    assert updated.updated_by == "pcc-analyst"
    assert not updated.is_overdue(date(2030, 1, 1))
    event = published[-1]
    assert event.kind == "oversight.recommendation_updated"
    assert event.data["changed"] == [
        "response_due_on",
        "response_text",
        "response_date",
        "status",
        "evidence",
    ]
    assert "Adopted" not in repr(event.data)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"response_text": "Done"}, "response_date"),
        ({"status": RecommendationStatus.implemented}, "response_date"),
        ({"response_date": date(2021, 2, 1)}, "status"),
        ({"response_date": date(2031, 1, 1), "status": "implemented"}, "response_date"),
        ({"response_due_on": date(2019, 1, 1)}, "response_due_on"),
    ],
)
def test_inconsistent_responses_are_refused_with_the_field(
    db_session: Session, changes: dict[str, object], field: str
) -> None:
    tracker.seed_safe_to_share(db_session)
    first = tracker.list_recommendations(db_session, actor_role=Role.admin)[0]
    values: dict[str, object] = {
        "response_due_on": date(2021, 1, 31),
        "status": RecommendationStatus.awaiting_response,
    }
    values.update(changes)
    with pytest.raises(InvalidRecommendationError) as caught:
        tracker.update_recommendation(
            db_session,
            recommendation_id=first.id,
            data=RecommendationUpdate.model_validate(values),
            actor="admin",
            actor_role=Role.admin,
            now=at(2022, 1, 1),
        )
    assert caught.value.field == field


@pytest.mark.parametrize(
    "role", [r for r in Role if not allows(r, Permission.RECOMMENDATIONS_EDIT)]
)
def test_only_analysts_and_admins_edit(db_session: Session, role: Role) -> None:
    tracker.seed_safe_to_share(db_session)
    with pytest.raises(PermissionDeniedError):
        tracker.update_recommendation(
            db_session,
            recommendation_id=1,
            data=RecommendationUpdate(
                response_due_on=date(2021, 1, 31), status=RecommendationStatus.awaiting_response
            ),
            actor="x",
            actor_role=role,
        )


def test_viewers_and_missing_recommendations(db_session: Session) -> None:
    with pytest.raises(PermissionDeniedError):
        tracker.list_recommendations(db_session, actor_role=Role.officer)
    with pytest.raises(RecommendationNotFoundError):
        tracker.get_recommendation_or_raise(
            db_session, recommendation_id=999_999, actor_role=Role.inspector
        )


def test_tracking_another_report(db_session: Session) -> None:
    data = RecommendationCreate(
        source="A later inspection (fictional)",
        number=1,
        title="Publish data on sharing",
        text="Publish quarterly data on sharing with Immigration Enforcement.",
        recipients=["Chief constables"],
        report_date=date(2023, 5, 1),
        response_due_on=date(2023, 11, 1),
        status=RecommendationStatus.awaiting_response,
    )
    made = tracker.create_recommendation(
        db_session, data=data, actor="admin", actor_role=Role.admin
    )
    assert made.id is not None
    with pytest.raises(InvalidRecommendationError):
        tracker.create_recommendation(db_session, data=data, actor="admin", actor_role=Role.admin)
