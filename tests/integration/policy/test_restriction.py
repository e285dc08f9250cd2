"""Restriction of processing (UK GDPR Art.18, DPA 2018 s.47(2)): a restricted record takes
part in no new share decision until the restriction is lifted, and the refusal is a real,
recorded, ledgered and replayable decision."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.events import DomainEvent
from safeshare.holds import service as holds
from safeshare.holds.vocabulary import HoldKind
from safeshare.policy import service
from safeshare.policy.engine import PROCESSING_RESTRICTED
from safeshare.policy.schemas import Outcome
from tests.factories.policy import bound_request
from tests.unit.policy.builders import share_request

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_a_restriction_blocks_the_next_decision_until_lifted(
    db_session: Session, published: list[DomainEvent]
) -> None:
    request = bound_request(db_session, share_request(categories=["identity", "address"]))

    def decide() -> service.PolicyDecision:
        return service.make_decision(
            db_session,
            request=request,
            actor="pc.jones",
            actor_role=Role.officer,
            regime="firewall",
            now=T0,
        )

    before = decide()
    assert before.outcome == Outcome.permit  # the record allows it while unrestricted
    assert request.report_ref is not None
    restriction = holds.set_hold(
        db_session,
        report_ref=request.report_ref,
        reason="Accuracy contested by the person",
        actor="dpo",
        actor_role=Role.disclosure_officer,
        kind=HoldKind.restriction,
    )

    refused = decide()
    assert refused.outcome == Outcome.deny
    assert refused.disclose == [] and refused.withhold == ["identity", "address"]
    assert [r["id"] for r in refused.reasons] == [PROCESSING_RESTRICTED.id]
    assert refused.reasons[0]["text"].startswith("Processing restricted")
    assert not refused.is_referral_required and not refused.is_enforcement_pause_required
    event = published[-1]
    assert event.kind == "policy.decision" and event.data["decision_id"] == refused.id
    assert event.data["reason_ids"] == [PROCESSING_RESTRICTED.id]
    assert service.replay_decision(db_session, decision_id=refused.id) == refused.as_decision()
    assert service.replay_decision(db_session, decision_id=before.id) == before.as_decision()
    explained = service.explain_decision(refused)
    assert all(e.reasons[0].id == PROCESSING_RESTRICTED.id for e in explained)

    holds.lift_hold(
        db_session,
        hold_id=restriction.id,
        reason="Record corrected",
        actor="dpo",
        actor_role=Role.disclosure_officer,
    )
    assert decide().outcome == Outcome.permit


def test_a_legal_hold_does_not_restrict_sharing(db_session: Session) -> None:
    request = bound_request(db_session, share_request(categories=["identity"]))
    assert request.report_ref is not None
    holds.set_hold(
        db_session, report_ref=request.report_ref, reason="Claim", actor="a", actor_role=Role.admin
    )
    assert not holds.is_restricted(db_session, report_ref=request.report_ref)
