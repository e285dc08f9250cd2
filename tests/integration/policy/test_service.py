"""Decisions, the review queue and regime history, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.errors import PermissionDeniedError
from safeshare.events import DomainEvent
from safeshare.policy import service
from safeshare.policy.errors import (
    InvalidRulingError,
    ReviewAlreadyDecidedError,
    ReviewNotFoundError,
    UnknownRegimeError,
)
from safeshare.policy.models import PolicyDecision, PolicySetRecord, ReviewStatus
from safeshare.policy.regimes import get_regime
from safeshare.policy.schemas import Category, CategoryRuling, Outcome, ShareRequest
from tests.factories.policy import bound_request
from tests.unit.policy.builders import share_request

FORCE = "Testshire Police"
ENFORCEMENT = {"agency": "immigration_enforcement", "purpose": "immigration_enforcement"}


def _decide(
    session: Session, *, request: ShareRequest | None = None, **kwargs: object
) -> PolicyDecision:
    """Decide `request`'s facts, first put on a new report's record, as the service requires."""
    arguments: dict[str, object] = {
        "request": bound_request(session, request or share_request()),
        "actor": "pc.jones",
        "actor_role": Role.officer,
        "force": FORCE,
    } | kwargs
    return service.make_decision(session, **arguments)  # type: ignore[arg-type]


def _review_request() -> ShareRequest:
    return share_request(
        requester=ENFORCEMENT, categories=["identity", "immigration_status", "health"]
    )


def test_a_decision_is_recorded_with_its_policy_hash_and_published(
    db_session: Session, published: list[DomainEvent]
) -> None:
    request = share_request(categories=["identity", "health", "nationality"])
    record = _decide(db_session, request=request, regime="npcc-2020")

    decision = record.as_decision()
    assert decision == get_regime("npcc-2020").decide(request)
    assert record.share_request().subject == request.subject
    assert record.report_ref is not None and record.fact_versions is not None
    assert (record.requested_by, record.requested_by_role) == ("pc.jones", "officer")
    assert record.requested_at.tzinfo is not None
    assert record.review is None
    assert db_session.get(PolicySetRecord, decision.policy_hash) is not None
    states = {e.category: e.state for e in service.explain_decision(record)}
    assert states == {"identity": "disclose", "nationality": "withhold", "health": "withhold"}

    *facts, event = published  # the facts were put on the record first, each published
    assert {e.kind for e in facts} == {"report.fact_recorded"}
    assert (event.kind, event.actor) == ("policy.decision", "pc.jones")
    assert event.data["decision_id"] == record.id
    assert event.data["policy_hash"] == decision.policy_hash
    assert event.data["outcome"] == "permit"
    assert event.data["disclose"] == ["identity"]
    assert event.data["report_ref"] == record.report_ref
    assert "request" not in event.data and "subject" not in event.data
    assert len(event.data["request_sha256"]) == 64


def test_the_active_regime_decides_and_defaults_to_the_firewall(db_session: Session) -> None:
    request = share_request(requester=ENFORCEMENT, categories=["identity"])
    assert service.get_active_regime(db_session, force=FORCE) == "firewall"
    assert _decide(db_session, request=request).outcome == Outcome.deny
    service.set_active_regime(
        db_session, regime="iemvp", actor="admin", actor_role=Role.admin, force=FORCE
    )
    record = _decide(db_session, request=request)
    # The protocol never makes sharing automatic (issue 13).
    assert (record.regime, record.outcome) == ("iemvp", Outcome.review)


def test_regime_changes_keep_their_history_and_are_published(
    db_session: Session, published: list[DomainEvent]
) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for days, regime in enumerate(["npcc-2020", "hmicfrs-rec1", "hmicfrs-rec1", "firewall"]):
        service.set_active_regime(
            db_session,
            regime=regime,
            actor="admin",
            actor_role=Role.admin,
            force=FORCE,
            note="board decision",
            now=start + timedelta(days=days),
        )
    history = service.regime_history(db_session, force=FORCE)
    assert [(a.regime, a.previous_regime) for a in history] == [
        ("firewall", "hmicfrs-rec1"),
        ("hmicfrs-rec1", "npcc-2020"),
        ("npcc-2020", None),
    ]
    assert service.get_active_regime(db_session, force=FORCE) == "firewall"
    assert service.get_active_regime(db_session, force="Elsewhere Police") == "firewall"
    assert [e.kind for e in published] == ["policy.regime_changed"] * 3
    assert published[-1].data == {
        "assignment_id": history[0].id,
        "force": FORCE,
        "regime": "firewall",
        "previous_regime": "hmicfrs-rec1",
        "policy_hash": get_regime("firewall").policy_hash,
    }


def test_only_admins_change_the_regime_and_only_to_a_known_one(db_session: Session) -> None:
    with pytest.raises(PermissionDeniedError):
        service.set_active_regime(
            db_session, regime="iemvp", actor="ds", actor_role=Role.disclosure_officer, force=FORCE
        )
    with pytest.raises(UnknownRegimeError):
        service.set_active_regime(
            db_session, regime="open-door", actor="admin", actor_role=Role.admin, force=FORCE
        )
    assert service.regime_history(db_session, force=FORCE) == []


@pytest.mark.parametrize("role", [Role.advocate, Role.pcc_analyst, Role.inspector, Role.admin])
def test_only_officers_request_decisions(db_session: Session, role: Role) -> None:
    with pytest.raises(PermissionDeniedError):
        _decide(db_session, actor_role=role)


def test_a_review_outcome_queues_the_categories_a_human_may_release(db_session: Session) -> None:
    record = _decide(db_session, request=_review_request(), regime="npcc-2020")
    assert record.outcome == Outcome.review
    review = record.review
    assert review is not None and review.is_pending
    # health stays withheld by policy: no officer can release it
    assert review.reviewable == ["identity", "immigration_status"]
    assert [r.id for r in service.list_pending_reviews(db_session)] == [review.id]


def test_a_disclosure_officer_decides_each_category_with_a_rationale(
    db_session: Session, published: list[DomainEvent]
) -> None:
    record = _decide(db_session, request=_review_request(), regime="npcc-2020")
    assert record.review is not None
    review = service.decide_review(
        db_session,
        review_id=record.review.id,
        rulings=[
            CategoryRuling(category=Category.identity, disclose=True, rationale="Named in warrant"),
            CategoryRuling(
                category=Category.immigration_status,
                disclose=False,
                rationale="Safeguarding outweighs",
            ),
        ],
        actor="ds.khan",
        actor_role=Role.disclosure_officer,
    )
    assert review.status == ReviewStatus.decided
    assert review.decided_by == "ds.khan"
    assert review.disclose == ["identity"]
    assert [(r.category, r.is_disclosed, r.rationale) for r in review.rulings] == [
        ("identity", True, "Named in warrant"),
        ("immigration_status", False, "Safeguarding outweighs"),
    ]
    assert service.list_pending_reviews(db_session) == []

    event = published[-1]
    assert (event.kind, event.actor) == ("policy.review_decision", "ds.khan")
    assert event.data["decision_id"] == record.id
    assert event.data["disclose"] == ["identity"]
    assert event.data["withhold"] == ["immigration_status", "health"]
    assert "Safeguarding outweighs" not in repr(event.data)
    assert all(len(r["rationale_sha256"]) == 64 for r in event.data["rulings"])

    with pytest.raises(ReviewAlreadyDecidedError):
        service.decide_review(
            db_session,
            review_id=review.id,
            rulings=[],
            actor="ds.khan",
            actor_role=Role.disclosure_officer,
        )


@pytest.mark.parametrize(
    "rulings",
    [
        [("identity", True)],  # a category under review left undecided
        [("identity", True), ("immigration_status", False), ("health", True)],  # withheld by policy
        [("identity", True), ("identity", False), ("immigration_status", False)],
    ],
    ids=["missing", "not-reviewable", "twice"],
)
def test_rulings_must_cover_exactly_the_categories_under_review(
    db_session: Session, rulings: list[tuple[str, bool]]
) -> None:
    record = _decide(db_session, request=_review_request(), regime="npcc-2020")
    assert record.review is not None
    with pytest.raises(InvalidRulingError):
        service.decide_review(
            db_session,
            review_id=record.review.id,
            rulings=[
                CategoryRuling(category=Category(c), disclose=d, rationale="because")
                for c, d in rulings
            ],
            actor="ds.khan",
            actor_role=Role.disclosure_officer,
        )
    assert record.review.is_pending


def test_a_blank_rationale_is_refused_even_past_validation(db_session: Session) -> None:
    record = _decide(db_session, request=_review_request(), regime="npcc-2020")
    assert record.review is not None
    rulings = [
        CategoryRuling.model_construct(category=c, disclose=False, rationale=" ")
        for c in (Category.identity, Category.immigration_status)
    ]
    with pytest.raises(InvalidRulingError) as caught:
        service.decide_review(
            db_session,
            review_id=record.review.id,
            rulings=rulings,
            actor="ds.khan",
            actor_role=Role.disclosure_officer,
        )
    assert caught.value.field == "rulings.identity.rationale"


def test_only_disclosure_officers_decide_reviews(db_session: Session) -> None:
    record = _decide(db_session, request=_review_request(), regime="npcc-2020")
    assert record.review is not None
    with pytest.raises(PermissionDeniedError):
        service.decide_review(
            db_session,
            review_id=record.review.id,
            rulings=[],
            actor="pc.jones",
            actor_role=Role.officer,
        )
    with pytest.raises(ReviewNotFoundError):
        service.decide_review(
            db_session,
            review_id=record.review.id + 1000,
            rulings=[],
            actor="ds.khan",
            actor_role=Role.disclosure_officer,
        )


def test_a_recorded_decision_replays_identically_under_its_policy_text(db_session: Session) -> None:
    record = _decide(db_session, request=_review_request(), regime="hmicfrs-rec1")
    assert service.replay_decision(db_session, decision_id=record.id) == record.as_decision()


def test_decisions_are_listed_newest_first_and_filtered(db_session: Session) -> None:
    start = datetime(2025, 3, 1, tzinfo=UTC)
    first = _decide(db_session, now=start)
    second = _decide(
        db_session, request=_review_request(), regime="npcc-2020", now=start + timedelta(hours=1)
    )
    assert [d.id for d in service.list_decisions(db_session)][:2] == [second.id, first.id]
    assert [d.id for d in service.list_decisions(db_session, outcome=Outcome.review)] == [second.id]
    assert [d.id for d in service.list_decisions(db_session, report_ref=first.report_ref)] == [
        first.id
    ]
    assert service.get_decision(db_session, decision_id=second.id) is second


def test_available_regimes_lists_the_four() -> None:
    names = [r.name for r in service.available_regimes()]
    assert names == ["firewall", "hmicfrs-rec1", "npcc-2020", "iemvp"]
