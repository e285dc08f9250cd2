"""Sharing decisions, the review queue and each force's active regime.

Plain functions, keyword-only, session first. They flush and never commit: the request or
CLI command commits once, so a decision and the ledger entry its event creates commit
together. Every decision, review decision and regime change is published through
`safeshare.events.publish`; event data holds references and hashes, never sealed values
or free text (a rationale may name a person, so only its SHA-256 goes out).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import rfc8785
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.config import get_settings
from safeshare.db.base import utcnow
from safeshare.errors import PermissionDeniedError
from safeshare.events import DomainEvent, publish
from safeshare.policy.engine import Regime, features_of
from safeshare.policy.errors import (
    DecisionNotFoundError,
    InvalidRulingError,
    PolicyEvaluationError,
    ReviewAlreadyDecidedError,
    ReviewNotFoundError,
)
from safeshare.policy.models import (
    PolicyDecision,
    PolicyReview,
    PolicyReviewRuling,
    PolicySetRecord,
    RegimeAssignment,
    ReviewStatus,
)
from safeshare.policy.regimes import DEFAULT_REGIME, RegimeSource, compile_regime, get_regime
from safeshare.policy.regimes import load_regimes as _load_regimes
from safeshare.policy.schemas import (
    CATEGORIES,
    Category,
    CategoryRuling,
    Decision,
    Outcome,
    Reason,
    ShareRequest,
)

DECIDING_ROLES = frozenset({Role.officer, Role.disclosure_officer})
REVIEWING_ROLES = frozenset({Role.disclosure_officer})
REGIME_ROLES = frozenset({Role.admin})


@dataclass(frozen=True, slots=True)
class RegimeInfo:
    """A regime as pages list it: name, title, summary and the hash of its policy set."""

    name: str
    title: str
    summary: str
    policy_hash: str
    policy_count: int


@dataclass(frozen=True, slots=True)
class CategoryExplanation:
    """Why one category of a recorded decision may go, is withheld, or awaits review."""

    category: Category
    state: str  # "disclose", "review" or "withhold"
    reasons: list[Reason]


def _require_role(actor_role: Role, allowed: frozenset[Role], action: str) -> None:
    # Routes check roles first; this is the second lock on the same door.
    if actor_role not in allowed:
        raise PermissionDeniedError(f"the {actor_role} role may not {action}")


def _sha256_json(value: Any) -> str:
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def _force(force: str | None) -> str:
    return force if force is not None else get_settings().force_name


def available_regimes() -> list[RegimeInfo]:
    """Every regime a force may run under, compiled and validated."""
    return [
        RegimeInfo(r.name, r.title, r.summary, r.policy_hash, len(r.policies))
        for r in _load_regimes().values()
    ]


# --- decisions -------------------------------------------------------------------------


def make_decision(
    session: Session,
    *,
    request: ShareRequest,
    actor: str,
    actor_role: Role,
    report_ref: str | None = None,
    regime: str | None = None,
    force: str | None = None,
    now: datetime | None = None,
) -> PolicyDecision:
    """Decide `request` under the force's active regime (or `regime`), record and publish it.

    A `review` outcome also opens a review for a disclosure officer.
    """
    _require_role(actor_role, DECIDING_ROLES, "request a sharing decision")
    force = _force(force)
    compiled = get_regime(regime or get_active_regime(session, force=force))
    evaluation = compiled.evaluate(features_of(request), request.categories)
    decision = compiled.decision_from(request.categories, evaluation)
    _record_policy_set(session, compiled)
    record = PolicyDecision(
        force=force,
        regime=decision.regime,
        policy_hash=decision.policy_hash,
        outcome=decision.outcome,
        request=request.model_dump(mode="json"),
        disclose=[str(c) for c in decision.disclose],
        withhold=[str(c) for c in decision.withhold],
        reasons=[r.model_dump(mode="json") for r in decision.reasons],
        verdicts={
            str(c): {"state": str(v.state), "reason_ids": list(v.reason_ids)}
            for c, v in evaluation.verdicts.items()
        },
        is_referral_required=decision.referral_required,
        is_enforcement_pause_required=decision.enforcement_pause_required,
        requested_by=actor,
        requested_by_role=str(actor_role),
        report_ref=report_ref,
        requested_at=now or utcnow(),
    )
    session.add(record)
    if decision.outcome is Outcome.review:
        record.review = PolicyReview(
            status=ReviewStatus.pending,
            reviewable=[str(c) for c in compiled.reviewable(evaluation, request.categories)],
            created_at=record.requested_at,
        )
    session.flush()
    publish(
        session,
        DomainEvent(
            kind="policy.decision",
            actor=actor,
            data={
                "decision_id": record.id,
                "review_id": record.review.id if record.review else None,
                "force": force,
                "regime": decision.regime,
                "policy_hash": decision.policy_hash,
                "outcome": str(decision.outcome),
                "agency": str(request.requester.agency),
                "purpose": str(request.requester.purpose),
                "categories": [str(c) for c in request.categories],
                "disclose": record.disclose,
                "withhold": record.withhold,
                "reason_ids": [r.id for r in decision.reasons],
                "referral_required": decision.referral_required,
                "enforcement_pause_required": decision.enforcement_pause_required,
                "report_ref": report_ref,
                "request_sha256": _sha256_json(record.request),
            },
        ),
    )
    return record


def _record_policy_set(session: Session, compiled: Regime) -> None:
    """Keep the texts behind a policy hash the first time a decision uses it."""
    if session.get(PolicySetRecord, compiled.policy_hash) is not None:
        return
    try:
        with session.begin_nested():
            session.add(
                PolicySetRecord(
                    policy_hash=compiled.policy_hash,
                    regime=compiled.name,
                    source=compiled.source.to_json(),
                )
            )
    except IntegrityError:
        pass  # a concurrent transaction recorded the same texts first; they are identical


def get_decision(session: Session, *, decision_id: int) -> PolicyDecision | None:
    """The recorded decision, or None."""
    return session.get(PolicyDecision, decision_id)


def get_decision_or_raise(session: Session, *, decision_id: int) -> PolicyDecision:
    """The recorded decision, or `DecisionNotFoundError` (a 404 at the edge)."""
    record = get_decision(session, decision_id=decision_id)
    if record is None:
        raise DecisionNotFoundError(f"no sharing decision {decision_id}")
    return record


def list_decisions(
    session: Session,
    *,
    limit: int = 50,
    offset: int = 0,
    outcome: Outcome | None = None,
    report_ref: str | None = None,
) -> list[PolicyDecision]:
    """Recorded decisions, newest first, optionally for one outcome or report."""
    query = select(PolicyDecision)
    if outcome is not None:
        query = query.where(PolicyDecision.outcome == outcome)
    if report_ref is not None:
        query = query.where(PolicyDecision.report_ref == report_ref)
    query = query.order_by(PolicyDecision.requested_at.desc(), PolicyDecision.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def explain_decision(record: PolicyDecision) -> list[CategoryExplanation]:
    """Per category asked for: what happens to it and the plain-English reasons why."""
    texts = {r["id"]: Reason.model_validate(r) for r in record.reasons}
    return [
        CategoryExplanation(
            category=category,
            state=record.verdicts[category]["state"],
            reasons=[texts[i] for i in record.verdicts[category]["reason_ids"] if i in texts],
        )
        for category in CATEGORIES
        if category in record.verdicts
    ]


def replay_decision(session: Session, *, decision_id: int) -> Decision:
    """Decide a recorded request again under exactly the policy texts that first decided it."""
    record = get_decision_or_raise(session, decision_id=decision_id)
    stored = session.get(PolicySetRecord, record.policy_hash)
    if stored is None:  # the foreign key forbids this; say so rather than guess
        raise PolicyEvaluationError(f"policy set {record.policy_hash} is missing")
    return _compiled(RegimeSource.from_json(stored.source)).decide(record.share_request())


@lru_cache(maxsize=16)
def _compiled(source: RegimeSource) -> Regime:
    return compile_regime(source)


# --- review queue ----------------------------------------------------------------------


def list_pending_reviews(
    session: Session, *, limit: int = 50, offset: int = 0
) -> list[PolicyReview]:
    """Reviews awaiting a disclosure officer, oldest first."""
    query = (
        select(PolicyReview)
        .where(PolicyReview.status == ReviewStatus.pending)
        .order_by(PolicyReview.created_at, PolicyReview.id)
    )
    return list(session.scalars(query.limit(limit).offset(offset)))


def get_review(session: Session, *, review_id: int) -> PolicyReview | None:
    """The review, pending or decided, or None."""
    return session.get(PolicyReview, review_id)


def get_review_or_raise(session: Session, *, review_id: int) -> PolicyReview:
    """The review, or `ReviewNotFoundError` (a 404 at the edge)."""
    review = get_review(session, review_id=review_id)
    if review is None:
        raise ReviewNotFoundError(f"no review {review_id}")
    return review


def decide_review(
    session: Session,
    *,
    review_id: int,
    rulings: Sequence[CategoryRuling],
    actor: str,
    actor_role: Role,
    now: datetime | None = None,
) -> PolicyReview:
    """Record a disclosure officer's ruling on every category under review, each with reasons.

    Categories the policy withheld outright cannot be released here.
    """
    _require_role(actor_role, REVIEWING_ROLES, "decide a review")
    # Lock the row and re-read it, so two officers cannot both decide the same review.
    review = session.get(
        PolicyReview,
        review_id,
        with_for_update={"of": PolicyReview},
        populate_existing=True,
    )
    if review is None:
        raise ReviewNotFoundError(f"no review {review_id}")
    if not review.is_pending:
        raise ReviewAlreadyDecidedError(f"review {review_id} was already decided")
    ruled = [str(r.category) for r in rulings]
    if len(set(ruled)) != len(ruled):
        raise InvalidRulingError("each category may be ruled on once", field="rulings")
    if set(ruled) != set(review.reviewable):
        raise InvalidRulingError(
            "rule on exactly the categories under review: " + ", ".join(review.reviewable),
            field="rulings",
        )
    for ruling in rulings:
        if not ruling.rationale.strip():
            raise InvalidRulingError(
                f"a written rationale is required for {ruling.category}",
                field=f"rulings.{ruling.category}.rationale",
            )
    for ruling in sorted(rulings, key=lambda r: CATEGORIES.index(r.category)):
        review.rulings.append(
            PolicyReviewRuling(
                category=str(ruling.category),
                is_disclosed=ruling.disclose,
                rationale=ruling.rationale.strip(),
            )
        )
    review.status = ReviewStatus.decided
    review.decided_by = actor
    review.decided_at = now or utcnow()
    session.flush()
    decision = review.decision
    disclose = review.disclose
    publish(
        session,
        DomainEvent(
            kind="policy.review_decision",
            actor=actor,
            data={
                "review_id": review.id,
                "decision_id": decision.id,
                "regime": decision.regime,
                "policy_hash": decision.policy_hash,
                "disclose": disclose,
                "withhold": [c for c in decision.withhold if c not in disclose],
                "rulings": [
                    {
                        "category": r.category,
                        "disclose": r.is_disclosed,
                        "rationale_sha256": hashlib.sha256(r.rationale.encode()).hexdigest(),
                    }
                    for r in review.rulings
                ],
                "report_ref": decision.report_ref,
            },
        ),
    )
    return review


# --- active regime ---------------------------------------------------------------------


def active_assignment(session: Session, *, force: str | None = None) -> RegimeAssignment | None:
    """The latest regime change for the force, or None if an admin never set one."""
    query = (
        select(RegimeAssignment)
        .where(RegimeAssignment.force == _force(force))
        .order_by(RegimeAssignment.set_at.desc(), RegimeAssignment.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def get_active_regime(session: Session, *, force: str | None = None) -> str:
    """The force's active regime name; the strictest, `firewall`, until an admin sets one."""
    assignment = active_assignment(session, force=force)
    return assignment.regime if assignment else DEFAULT_REGIME


def set_active_regime(
    session: Session,
    *,
    regime: str,
    actor: str,
    actor_role: Role,
    force: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> RegimeAssignment:
    """Make `regime` the force's active regime, keeping the history. Setting the active
    regime again is a no-op that returns the current assignment."""
    _require_role(actor_role, REGIME_ROLES, "change the active regime")
    compiled = get_regime(regime)
    force = _force(force)
    current = active_assignment(session, force=force)
    if current is not None and current.regime == regime:
        return current
    previous = current.regime if current else None
    assignment = RegimeAssignment(
        force=force,
        regime=regime,
        policy_hash=compiled.policy_hash,
        previous_regime=previous,
        note=note,
        set_by=actor,
        set_at=now or utcnow(),
    )
    session.add(assignment)
    _record_policy_set(session, compiled)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind="policy.regime_changed",
            actor=actor,
            data={
                "assignment_id": assignment.id,
                "force": force,
                "regime": regime,
                "previous_regime": previous,
                "policy_hash": compiled.policy_hash,
            },
        ),
    )
    return assignment


def regime_history(session: Session, *, force: str | None = None) -> list[RegimeAssignment]:
    """Every regime change for the force, newest first."""
    query = (
        select(RegimeAssignment)
        .where(RegimeAssignment.force == _force(force))
        .order_by(RegimeAssignment.set_at.desc(), RegimeAssignment.id.desc())
    )
    return list(session.scalars(query))
