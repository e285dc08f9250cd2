"""Sharing decisions, the review queue, each force's active regime, and actual disclosures.

Plain functions, keyword-only, session first. They flush and never commit: the request or
CLI command commits once, so a decision and the ledger entry its event creates commit
together. Every decision, review decision and regime change is published through
`safeshare.events.publish`; event data holds references and hashes, never sealed values
or free text (a rationale may name a person, so only its SHA-256 goes out).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import rfc8785
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from safeshare import dates
from safeshare.auth.permissions import Actor as ReportingActor
from safeshare.auth.permissions import Permission, allows, demand
from safeshare.auth.roles import Role
from safeshare.config import get_settings
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.holds import service as holds
from safeshare.policy import explain
from safeshare.policy.engine import Regime, capped_at_review, features_of, restricted
from safeshare.policy.errors import (
    DecisionNotFoundError,
    DisclosureNotAllowedError,
    DisclosureNotFoundError,
    InvalidRulingError,
    PolicyEvaluationError,
    ReviewAlreadyDecidedError,
    ReviewNotFoundError,
)
from safeshare.policy.lawful_basis import LawfulBasis, ProcessingCondition, parse_basis
from safeshare.policy.models import (
    PolicyDecision,
    PolicyDisclosure,
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
    FIREWALL_CRIME_TYPES,
    Category,
    CategoryRuling,
    Consent,
    Decision,
    DisclosureMethod,
    Outcome,
    Purpose,
    Reason,
    RecordShareRequest,
    ShareRequest,
    Subject,
    SubjectRole,
    firewall_crime_type,
)
from safeshare.reporting import service as reporting
from safeshare.reporting.errors import ReportNotFoundError
from safeshare.reporting.vocabulary import CrimeType

_ACTIVE_REGIME_CACHE = "policy.active_regime"
_KNOWN_POLICY_SETS = "policy.known_policy_sets"
# Clocks differ a little between the officer's device and the server.
SENT_AT_TOLERANCE = timedelta(minutes=5)


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
    request: RecordShareRequest,
    actor: str,
    actor_role: Role | None,
    actor_organisation_id: int | None = None,
    regime: str | None = None,
    force: str | None = None,
    now: datetime | None = None,
) -> PolicyDecision:
    """Decide `request` on the facts of the report it names, record and publish it.

    `prepare_decision` then `record_decision` in one transaction; see those for the rules.
    """
    prepared = prepare_decision(
        session,
        request=request,
        actor=actor,
        actor_role=actor_role,
        actor_organisation_id=actor_organisation_id,
        regime=regime,
        force=force,
        now=now,
    )
    return record_decision(session, prepared=prepared)


@dataclass(frozen=True, slots=True)
class PreparedDecision:
    """A request with the facts it is decided on, read from the record (the report's facts
    and holds) but not yet decided: `record_decision` decides, stores and publishes it.

    Plain values only, so the reading can happen in one session (a request's) and the
    recording in another (a group commit's), keeping the serialised part short.
    """

    request: ShareRequest
    fact_versions: dict[str, Any]
    actor: str
    actor_role: Role | None
    report_ref: str | None
    force: str
    regime: str | None  # None: the force's active regime when it is recorded
    requested_at: datetime


def prepare_decision(
    session: Session,
    *,
    request: RecordShareRequest,
    actor: str,
    actor_role: Role | None,
    actor_organisation_id: int | None = None,
    regime: str | None = None,
    force: str | None = None,
    now: datetime | None = None,
) -> PreparedDecision:
    """Read what `request` is to be decided on from the report it names; writes nothing.

    The report must exist and be visible to the actor (else `ReportNotFoundError`, a 404;
    erased: 410), and never is a decision made without it: the subject's facts are read from
    the record, never from the requester. The decision keeps the facts it used and their
    record versions, so `replay_decision` is exact.
    """
    demand(actor_role, Permission.DECISION_REQUEST, "request a sharing decision")
    pause = sorted(get_settings().policy.pause_crime_types)
    versions: dict[str, Any]
    if request.report_ref is None:
        subject, versions, reference = GENERAL_ENQUIRY_SUBJECT, {"general_enquiry": True}, None
    else:
        facts = reporting.visible_subject_facts(
            session,
            reference=request.report_ref,
            actor=ReportingActor(actor, actor_role, actor_organisation_id),
        )
        if facts is None:
            raise ReportNotFoundError("There is no report with that reference")
        subject, reference = subject_from_record(facts), facts.reference
        versions = {"report_ref": reference, "facts": facts.versions}
        if holds.is_restricted(session, report_ref=reference):
            versions["restricted"] = True  # replay decides it the same way
    share = ShareRequest(
        requester=request.requester,
        subject=subject.model_copy(update={"status_doubt_only": request.status_doubt_only}),
        categories=request.categories,
        pause_crime_types=pause,
    )
    return PreparedDecision(
        request=share,
        fact_versions=versions,
        actor=actor,
        actor_role=actor_role,
        report_ref=reference,
        force=_force(force),
        regime=regime,
        requested_at=now or utcnow(),
    )


# What a general enquiry is decided on: nothing is known, so nothing can be checked.
GENERAL_ENQUIRY_SUBJECT = Subject(
    role=SubjectRole.victim,
    crime_types=[CrimeType.other],
    suspected_of_non_immigration_offence=False,
    status_doubt_only=False,
    investigation_active=False,
    receiving_regularisation_support=False,
)


def subject_from_record(facts: reporting.SubjectFacts) -> Subject:
    """The contract's subject from the record's facts (the report's crime types as the
    Firewall sees them: anything but its named three is `other`)."""
    crimes = {firewall_crime_type(c) for c in facts.crime_types}
    return Subject(
        role=SubjectRole(facts.role),
        crime_types=[c for c in FIREWALL_CRIME_TYPES if c in crimes],
        suspected_of_non_immigration_offence=facts.suspected_of_non_immigration_offence,
        status_doubt_only=False,
        investigation_active=facts.investigation_active,
        receiving_regularisation_support=facts.receiving_regularisation_support,
        consents=[
            Consent(purpose=Purpose(c["purpose"]), withdrawn=c["withdrawn"]) for c in facts.consents
        ],
        is_child=facts.is_child,
    )


def record_decision(session: Session, *, prepared: PreparedDecision) -> PolicyDecision:
    """Decide a prepared request under the force's active regime (read in this transaction,
    once for a whole group commit), store it (opening a review if it needs one) and publish
    it: the ledger entry its event creates commits with it.

    With no report (a general enquiry) nothing can be permitted: what a policy would let go
    is sent to review. A report whose processing is restricted is refused outright, with the
    reason "processing restricted".
    """
    publish_staged = stage_decision(session, prepared=prepared)
    session.flush()
    return publish_staged()


def stage_decision(session: Session, *, prepared: PreparedDecision) -> Callable[[], PolicyDecision]:
    """`record_decision` in two steps, for a group commit: decide and add the rows now,
    publish once flushed. Staging a whole batch
    before one flush lets the decisions go in as one INSERT rather than one each.

    Returns the function that publishes the decision; call it after `session.flush()`.
    """
    request, force, report_ref = prepared.request, prepared.force, prepared.report_ref
    actor, fact_versions = prepared.actor, prepared.fact_versions
    compiled = get_regime(prepared.regime or get_active_regime(session, force=force))
    evaluation = compiled.evaluate_remembered(features_of(request), request.categories)
    if report_ref is None:
        evaluation = capped_at_review(evaluation)
    if fact_versions.get("restricted"):
        evaluation = restricted(evaluation)
    decision = compiled.decision_from(request.categories, evaluation)
    _record_policy_set(session, compiled)
    record = PolicyDecision(
        force=force,
        regime=decision.regime,
        policy_hash=decision.policy_hash,
        outcome=decision.outcome,
        request=request.model_dump(mode="json"),
        fact_versions=fact_versions,
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
        requested_by_role=str(prepared.actor_role),
        report_ref=report_ref,
        requested_at=prepared.requested_at,
    )
    session.add(record)
    review = None  # kept here: reading `record.review` when unset costs a query
    if decision.outcome is Outcome.review:
        record.review = review = PolicyReview(
            status=ReviewStatus.pending,
            reviewable=[str(c) for c in compiled.reviewable(evaluation, request.categories)],
            created_at=record.requested_at,
        )

    def publish_decision() -> PolicyDecision:
        if record.id is None:
            raise RuntimeError("stage_decision: flush the session before publishing")
        publish(
            session,
            DomainEvent(
                kind=EventKind.POLICY_DECISION,
                actor=actor,
                data={
                    "decision_id": record.id,
                    "review_id": review.id if review else None,
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
                    "general_enquiry": report_ref is None,
                    "request_sha256": _sha256_json(record.request),
                    "fact_versions_sha256": _sha256_json(fact_versions),
                },
            ),
        )
        return record

    return publish_decision


def _per_transaction(session: Session, key: str) -> dict[str, Any]:
    """A cache that lives as long as the session's innermost transaction or savepoint (a
    group commit decides many requests in one transaction; a rolled-back savepoint must
    not leave behind what it cached)."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    cached = session.info.get(key)
    if cached is None or cached[0] is not transaction:
        cached = session.info[key] = (transaction, {})
    found: dict[str, Any] = cached[1]
    return found


def _record_policy_set(session: Session, compiled: Regime) -> None:
    """Keep the texts behind a policy hash the first time a decision uses it."""
    known = _per_transaction(session, _KNOWN_POLICY_SETS)
    if compiled.policy_hash in known:
        return  # (the identity map does not keep the row: it is weakly referenced)
    known[compiled.policy_hash] = True
    if session.execute(_POLICY_SET_STORED, {"policy_hash": compiled.policy_hash}).first():
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


# Whether the texts are kept: their hash only, not the texts (loading and parsing those for
# every group commit cost more than the decisions it held).
_POLICY_SET_STORED = select(PolicySetRecord.__table__.c.policy_hash).where(
    PolicySetRecord.__table__.c.policy_hash == bindparam("policy_hash")
)


def get_decision(session: Session, *, decision_id: int) -> PolicyDecision | None:
    """The recorded decision, or None."""
    return session.get(PolicyDecision, decision_id)


def get_decision_or_raise(session: Session, *, decision_id: int) -> PolicyDecision:
    """The recorded decision, or `DecisionNotFoundError` (a 404 at the edge)."""
    record = get_decision(session, decision_id=decision_id)
    if record is None:
        raise DecisionNotFoundError(f"no sharing decision {decision_id}")
    return record


def get_decision_for_viewer(
    session: Session, *, decision_id: int, actor: str, actor_role: Role | None
) -> PolicyDecision:
    """The decision if `actor` may read it: overseeing roles read any decision, officers only
    those they asked for. Anything else is reported as not found, so ids reveal nothing."""
    record = get_decision(session, decision_id=decision_id)
    if record is None or (
        not allows(actor_role, Permission.DECISION_READ_ALL) and record.requested_by != actor
    ):
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
    query = select(PolicyDecision).options(selectinload(PolicyDecision.review))
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


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    """Everything a page shows about one decision: the record, why each category went the
    way it did, what may actually be sent now, and what has been sent."""

    record: PolicyDecision
    explanations: list[CategoryExplanation]
    obligations: list[Reason]  # why a referral or an enforcement pause is required
    disclosable: list[str]
    disclosures: list[PolicyDisclosure]

    @property
    def review(self) -> PolicyReview | None:
        return self.record.review


def summarise_decision(
    session: Session,
    *,
    decision_id: int,
    actor: str | None = None,
    actor_role: Role | None = None,
) -> DecisionSummary:
    """The decision with its explanations, review, disclosable categories and disclosures.

    With `actor` and `actor_role`, only if they may read it (see `get_decision_for_viewer`).
    """
    if actor is not None and actor_role is not None:
        record = get_decision_for_viewer(
            session, decision_id=decision_id, actor=actor, actor_role=actor_role
        )
    else:
        record = get_decision_or_raise(session, decision_id=decision_id)
    return _summary(session, record)


def summarise_review(session: Session, *, review_id: int) -> DecisionSummary:
    """The summary of the decision a review belongs to (`ReviewNotFoundError` if none)."""
    review = get_review_or_raise(session, review_id=review_id)
    return _summary(session, review.decision)


def _summary(session: Session, record: PolicyDecision) -> DecisionSummary:
    duties = {"referral", "enforcement_pause"}
    return DecisionSummary(
        record=record,
        explanations=explain_decision(record),
        obligations=[Reason.model_validate(r) for r in record.reasons if r["effect"] in duties],
        disclosable=disclosable_categories(record),
        disclosures=list_disclosures(session, decision_id=record.id, limit=1000),
    )


def replay_decision(session: Session, *, decision_id: int) -> Decision:
    """Decide a recorded request again under exactly the policy texts that first decided it."""
    record = get_decision_or_raise(session, decision_id=decision_id)
    stored = session.get(PolicySetRecord, record.policy_hash)
    if stored is None:  # the foreign key forbids this; say so rather than guess
        raise PolicyEvaluationError(f"policy set {record.policy_hash} is missing")
    return _compiled(RegimeSource.from_json(stored.source)).decide(
        record.share_request(),
        general_enquiry=record.is_general_enquiry,
        is_restricted=bool((record.fact_versions or {}).get("restricted")),
    )


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
    actor_role: Role | None,
    now: datetime | None = None,
) -> PolicyReview:
    """Record a disclosure officer's ruling on every category under review, each with reasons.

    Categories the policy withheld outright cannot be released here.
    """
    demand(actor_role, Permission.REVIEW_DECIDE, "decide a review")
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
            kind=EventKind.POLICY_REVIEW_DECISION,
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
    return session.scalars(_latest_assignment(RegimeAssignment), {"force": _force(force)}).first()


def _latest_assignment(*columns: Any) -> Select[Any]:
    """`columns` of the force's (bound as `force`) latest regime change."""
    assignments = RegimeAssignment.__table__.c
    return (
        select(*columns)
        .where(assignments.force == bindparam("force"))
        .order_by(assignments.set_at.desc(), assignments.id.desc())
        .limit(1)
    )


def get_active_regime(session: Session, *, force: str | None = None) -> str:
    """The force's active regime name; the strictest, `firewall`, until an admin sets one.

    Remembered for the rest of the session's transaction (a group commit decides many
    requests in one), and forgotten when this session changes it.
    """
    cache: dict[str, str] = _per_transaction(session, _ACTIVE_REGIME_CACHE)
    force = _force(force)
    if force not in cache:
        found = session.execute(_ACTIVE_REGIME, {"force": force}).scalar()
        cache[force] = found or DEFAULT_REGIME
    return cache[force]


# `active_assignment`'s regime alone, built once: every group commit asks for it.
_ACTIVE_REGIME = _latest_assignment(RegimeAssignment.__table__.c.regime)


def set_active_regime(
    session: Session,
    *,
    regime: str,
    actor: str,
    actor_role: Role | None,
    force: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> RegimeAssignment:
    """Make `regime` the force's active regime, keeping the history. Setting the active
    regime again is a no-op that returns the current assignment."""
    demand(actor_role, Permission.REGIME_CHANGE, "change the active regime")
    compiled = get_regime(regime)
    force = _force(force)
    current = active_assignment(session, force=force)
    if current is not None and current.regime == regime:
        return current
    session.info.pop(_ACTIVE_REGIME_CACHE, None)
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
            kind=EventKind.POLICY_REGIME_CHANGED,
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


@dataclass(frozen=True, slots=True)
class RegimeOverview:
    """The force's active regime, the regimes it could run under, and the change history."""

    active: str
    assignment: RegimeAssignment | None  # None: no admin has set one, so the default applies
    regimes: list[RegimeInfo]
    history: list[RegimeAssignment]


def regime_overview(session: Session, *, force: str | None = None) -> RegimeOverview:
    """What the active-regime page and `GET /api/v1/regimes` show."""
    history = regime_history(session, force=force)
    assignment = history[0] if history else None
    return RegimeOverview(
        active=assignment.regime if assignment else DEFAULT_REGIME,
        assignment=assignment,
        regimes=available_regimes(),
        history=history,
    )


def regime_history(session: Session, *, force: str | None = None) -> list[RegimeAssignment]:
    """Every regime change for the force, newest first."""
    query = (
        select(RegimeAssignment)
        .where(RegimeAssignment.force == _force(force))
        .order_by(RegimeAssignment.set_at.desc(), RegimeAssignment.id.desc())
    )
    return list(session.scalars(query))


# --- disclosures actually made -----------------------------------------------------------
#
# Stable for other features: oversight records what followed a disclosure against
# `PolicyDisclosure.id`, reading records only through `get_disclosure` and `list_disclosures`.


def disclosable_categories(record: PolicyDecision) -> list[str]:
    """Categories that may actually be sent under a decision, in canonical order: what a
    `permit` disclosed, or what a decided review released; nothing otherwise."""
    if record.outcome == Outcome.permit:
        return list(record.disclose)
    review = record.review
    if record.outcome == Outcome.review and review is not None and not review.is_pending:
        released = set(review.disclose)
        return [str(c) for c in CATEGORIES if c in released]
    return []


def _nothing_to_disclose(record: PolicyDecision) -> str:
    if record.outcome == Outcome.review:
        review = record.review
        if review is None or review.is_pending:
            return (
                f"Decision {record.id} is waiting for review. Nothing may be shared until an "
                "information-sharing officer decides."
            )
        return f"The review of decision {record.id} released nothing, so nothing may be shared."
    return f"Decision {record.id} refused sharing, so nothing may be shared."


def _parse_categories(categories: Sequence[Category | str]) -> list[str]:
    parsed: list[str] = []
    for category in categories:
        try:
            parsed.append(str(Category(category)))
        except ValueError:
            raise InvalidInputError(
                f"unknown data category {str(category)[:40]!r}", field="categories"
            ) from None
    if not parsed:
        raise InvalidInputError("Select at least one category that was sent", field="categories")
    if len(set(parsed)) != len(parsed):
        raise InvalidInputError("Name each category once", field="categories")
    return [str(c) for c in CATEGORIES if c in parsed]


def record_disclosure(
    session: Session,
    *,
    decision_id: int,
    categories: Sequence[Category | str],
    sent_at: datetime,
    method: DisclosureMethod | str,
    recipient_organisation: str,
    lawful_basis: LawfulBasis | str | None,
    processing_condition: ProcessingCondition | str | None,
    actor: str,
    actor_role: Role | None,
    now: datetime | None = None,
) -> PolicyDisclosure:
    """Record what a disclosure officer actually sent under a decision, and publish it.

    Every disclosure names the organisation that received it, records the onward-use
    condition that organisation is shown (`explain.onward_use_condition`), and the lawful
    basis and condition relied on (`parse_basis`); without them it is refused.

    The categories must be a subset of what the decision (or its review) allowed; the
    agency and purpose are the decision's. `sent_at` must be aware, not in the future, and
    not before the decision (or review) that allowed the sharing.
    """
    demand(actor_role, Permission.DISCLOSURE_RECORD, "record a disclosure")
    record = get_decision_or_raise(session, decision_id=decision_id)
    wanted = _parse_categories(categories)
    allowed = disclosable_categories(record)
    if not allowed:
        raise DisclosureNotAllowedError(_nothing_to_disclose(record), field="categories")
    refused = [c for c in wanted if c not in allowed]
    if refused:
        raise DisclosureNotAllowedError(
            f"Decision {record.id} does not allow {explain.describe_categories(refused)} to be "
            f"shared. Only {explain.describe_categories(allowed)} may be shared.",
            field="categories",
        )
    try:
        method = DisclosureMethod(method)
    except ValueError:
        raise InvalidInputError("Select how the information was sent", field="method") from None
    if sent_at.tzinfo is None:
        raise InvalidInputError("the time sent needs a timezone", field="sent_at")
    now = now or utcnow()
    if sent_at > now + SENT_AT_TOLERANCE:
        raise InvalidInputError("The time sent must be now or in the past", field="sent_at")
    review = record.review
    allowed_at = review.decided_at if review is not None and review.decided_at else None
    allowed_at = allowed_at or record.requested_at
    # Officers give the time sent to the minute, so compare to the minute.
    if sent_at < allowed_at.replace(second=0, microsecond=0):
        raise InvalidInputError(
            "The time sent must be after the decision that allowed it, made "
            + dates.datetime_text(allowed_at, get_settings().zone),
            field="sent_at",
        )
    recipient = " ".join(recipient_organisation.split())
    if not recipient or len(recipient) > 200:
        raise InvalidInputError(
            "Enter the organisation that received the information, in 200 characters or fewer",
            field="recipient_organisation",
        )
    basis, processing = parse_basis(lawful_basis, processing_condition, categories=wanted)
    request = record.share_request()
    condition = explain.onward_use_condition(
        agency=str(request.requester.agency),
        purpose=str(request.requester.purpose),
        referral=record.is_referral_required,
        enforcement_pause=record.is_enforcement_pause_required,
    )
    disclosure = PolicyDisclosure(
        decision_id=record.id,
        force=record.force,
        agency=str(request.requester.agency),
        purpose=str(request.requester.purpose),
        regime=record.regime,
        policy_hash=record.policy_hash,
        report_ref=record.report_ref,
        categories=wanted,
        recipient_organisation=recipient,
        onward_use_condition=condition,
        lawful_basis=str(basis),
        processing_condition=str(processing),
        method=str(method),
        sent_at=sent_at,
        recorded_by=actor,
        recorded_by_role=str(actor_role),
        recorded_at=now,
    )
    session.add(disclosure)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.POLICY_DISCLOSURE,
            actor=actor,
            data={
                "disclosure_id": disclosure.id,
                "decision_id": record.id,
                "agency": disclosure.agency,
                "purpose": disclosure.purpose,
                "categories": list(wanted),
                "regime": record.regime,
                "report_ref": record.report_ref,
                "policy_hash": record.policy_hash,
                "method": disclosure.method,
                "sent_at": sent_at.astimezone(UTC).isoformat(),
                # The organisation's name is not personal data; the condition's hash proves
                # which terms went with it.
                "recipient_organisation": recipient,
                "onward_use_condition_sha256": hashlib.sha256(condition.encode()).hexdigest(),
                "lawful_basis": str(basis),
                "processing_condition": str(processing),
            },
        ),
    )
    return disclosure


def get_disclosure(session: Session, *, disclosure_id: int) -> PolicyDisclosure | None:
    """The recorded disclosure, or None. Stable: oversight relies on it."""
    return session.get(PolicyDisclosure, disclosure_id)


def get_disclosure_or_raise(session: Session, *, disclosure_id: int) -> PolicyDisclosure:
    """The recorded disclosure, or `DisclosureNotFoundError` (a 404 at the edge)."""
    disclosure = get_disclosure(session, disclosure_id=disclosure_id)
    if disclosure is None:
        raise DisclosureNotFoundError(f"no disclosure {disclosure_id}")
    return disclosure


def list_disclosures(
    session: Session,
    *,
    agency: str | None = None,
    decision_id: int | None = None,
    report_ref: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[PolicyDisclosure]:
    """Recorded disclosures, most recently sent first, optionally to one agency (e.g.
    `"immigration_enforcement"`), under one decision or about one report. Stable: oversight
    relies on it."""
    query = select(PolicyDisclosure)
    if report_ref is not None:
        query = query.where(PolicyDisclosure.report_ref == report_ref)
    if agency is not None:
        query = query.where(PolicyDisclosure.agency == str(agency))
    if decision_id is not None:
        query = query.where(PolicyDisclosure.decision_id == decision_id)
    query = query.order_by(PolicyDisclosure.sent_at.desc(), PolicyDisclosure.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))
