"""A referral is a disclosure: the victim's consent is checked, the Firewall decides, and only
the categories it disclosed go to the service.

The order matters. Without `victim_support` consent in force nothing is asked of the Firewall
and the officer is told why, in words. With it, the Firewall decides a `support_org` /
`victim_support` request for identity, contact details and offence details under the force's
active regime; the decision is recorded (and ledgered) whatever it says, and a referral is
made only when it permits, remembering the decision and the categories disclosed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.policy import service as policy_service
from safeshare.policy.schemas import (
    Agency,
    Category,
    Outcome,
    Purpose,
    Reason,
    RecordShareRequest,
    Requester,
)
from safeshare.reporting import service as reporting
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.vocabulary import SealedField
from safeshare.support.access import require_permission
from safeshare.support.directory import get_service_or_raise
from safeshare.support.errors import (
    ConsentRequiredError,
    InvalidSupportInputError,
    ReferralNotFoundError,
    ReferralStateError,
    SupportPermissionError,
)
from safeshare.support.models import SupportReferral
from safeshare.support.referrals import (
    VICTIM_SUPPORT,
    create_referral,
    get_referral_for_organisation_or_raise,
    referral_for_decision,
    require_no_open_referral,
)
from safeshare.support.schemas import ReferralCreate
from safeshare.support.vocabulary import OPEN_STATUSES, ServiceType
from safeshare.vault.keys import KeyProvider

# What a support organisation needs to contact and help the victim (universal.cedar).
REFERRAL_CATEGORIES: tuple[Category, ...] = (
    Category.identity,
    Category.contact,
    Category.offence_details,
)
# The sealed report fields each disclosed category lets the receiving advocate read, so they
# can make first contact. Nothing else is ever shown: not immigration status, nationality,
# date of birth, address, health or language notes, whatever the Firewall disclosed (and
# reporting refuses anything outside `reporting.REFERRABLE_FIELDS` in any case).
CATEGORY_FIELDS: dict[str, tuple[SealedField, ...]] = {
    Category.identity.value: (SealedField.name,),
    Category.contact.value: (SealedField.contact_details, SealedField.safe_contact),
    Category.offence_details.value: (SealedField.account,),
}


@dataclass(frozen=True)
class CategoryVerdict:
    category: str
    state: str  # "disclose", "withhold" or "review"
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class ReferralAttempt:
    """A Firewall decision on a referral and the referral it allowed (None if refused)."""

    decision_id: int
    outcome: Outcome
    regime: str
    disclosed: tuple[str, ...]
    withheld: tuple[str, ...]
    verdicts: tuple[CategoryVerdict, ...]
    referral: SupportReferral | None

    @property
    def is_referred(self) -> bool:
        return self.referral is not None


def _report_actor(actor: Actor) -> Actor:
    """The actor as reporting sees it for a referral: no team, so no team-based sealed reads."""
    return Actor(username=actor.username, role=actor.role, organisation_id=actor.organisation_id)


def _consent_in_force(consents: Sequence[reporting.PolicyConsent]) -> None:
    """Refuse, saying which case applies, unless `victim_support` consent is in force."""
    entries = [c for c in consents if c["purpose"] == VICTIM_SUPPORT]
    if any(not c["withdrawn"] for c in entries):
        return
    if entries:
        raise ConsentRequiredError(
            "The victim has withdrawn their consent to be referred to support services, so "
            "no referral was made and nothing was shared."
        )
    raise ConsentRequiredError(
        "The victim has not agreed to be referred to support services, so no referral was "
        "made and nothing was shared. Ask them, and record their consent, before referring."
    )


def share_request(*, reference: str) -> RecordShareRequest:
    """The Firewall request for referring the victim of a report to a support organisation.

    Only who asks, why and for what: the Firewall reads the victim's facts (consents among
    them) from the report itself.
    """
    return RecordShareRequest(
        report_ref=reference,
        requester=Requester(agency=Agency.support_org, purpose=Purpose.victim_support),
        categories=list(REFERRAL_CATEGORIES),
        status_doubt_only=False,
    )


def refer_report(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    service_id: int,
    needs: Sequence[ServiceType] = (),
    language: str | None = None,
    has_nrpf: bool = False,
    force: str | None = None,
    now: datetime | None = None,
) -> ReferralAttempt:
    """Refer the victim of the report with `reference` to a service, through the Firewall.

    Raises (nothing recorded) for an unknown report, an inactive service, a duplicate open
    referral or missing consent; otherwise records the decision and, if it permits, the
    referral sharing only the disclosed categories.
    """
    require_permission(actor, Permission.REFER_THROUGH_FIREWALL, "refer victims to support")
    role = actor.role
    if role is None:  # unreachable after the check above; narrows the type for the Firewall
        raise SupportPermissionError("Sign in to refer victims to support.")
    report_id = reporting.find_report_id(session, reference=reference)
    report = (
        None
        if report_id is None
        else reporting.get_report(session, report_id=report_id, actor=_report_actor(actor))
    )
    if report is None or report.erased_at is not None:
        raise InvalidSupportInputError("There is no report with that reference.", field="reference")
    service = get_service_or_raise(session, service_id=service_id)
    if not service.is_active:
        raise InvalidSupportInputError("This service is not taking referrals.", field="service_id")
    require_no_open_referral(session, report_id=report.id, service_id=service.id)
    consents = reporting.consents_for_policy(session, report.id)
    _consent_in_force(consents)
    record = policy_service.make_decision(
        session,
        request=share_request(reference=report.reference),
        actor=actor.username,
        actor_role=role,
        actor_organisation_id=actor.organisation_id,
        force=force,
        now=now,
    )
    referral = None
    if record.outcome == Outcome.permit and record.disclose:
        referral = create_referral(
            session,
            actor=actor,
            data=ReferralCreate(
                report_id=report.id,
                service_id=service.id,
                needs=list(needs),
                language=language,
                has_nrpf=has_nrpf,
            ),
            decision_id=record.id,
            shared_categories=record.disclose,
            now=now,
        )
    return _attempt(
        decision_id=record.id,
        outcome=record.outcome,
        regime=record.regime,
        disclosed=record.disclose,
        withheld=record.withhold,
        explanations=policy_service.explain_decision(record),
        referral=referral,
    )


def referral_attempt(session: Session, *, actor: Actor, decision_id: int) -> ReferralAttempt:
    """A recorded referral decision with its reasons, for the officer's result page.

    Only decisions on support referrals are shown here; any other id is not found.
    """
    require_permission(actor, Permission.REFER_THROUGH_FIREWALL, "see referral decisions")
    record = policy_service.get_decision(session, decision_id=decision_id)
    requester = (record.request or {}).get("requester", {}) if record is not None else {}
    if record is None or requester != {
        "agency": Agency.support_org.value,
        "purpose": Purpose.victim_support.value,
    }:
        raise ReferralNotFoundError("There is no such referral decision.")
    return _attempt(
        decision_id=record.id,
        outcome=record.outcome,
        regime=record.regime,
        disclosed=record.disclose,
        withheld=record.withhold,
        explanations=policy_service.explain_decision(record),
        referral=referral_for_decision(session, decision_id=decision_id),
    )


def _attempt(
    *,
    decision_id: int,
    outcome: str,
    regime: str,
    disclosed: Sequence[str],
    withheld: Sequence[str],
    explanations: Sequence[policy_service.CategoryExplanation],
    referral: SupportReferral | None,
) -> ReferralAttempt:
    return ReferralAttempt(
        decision_id=decision_id,
        outcome=Outcome(outcome),
        regime=regime,
        disclosed=tuple(disclosed),
        withheld=tuple(withheld),
        verdicts=tuple(
            CategoryVerdict(str(e.category), e.state, tuple(e.reasons)) for e in explanations
        ),
        referral=referral,
    )


def referred_fields(shared_categories: Sequence[str]) -> tuple[SealedField, ...]:
    """The sealed fields the categories a referral shared allow, in a stable order."""
    shared = set(shared_categories)
    return tuple(
        field
        for category, fields in CATEGORY_FIELDS.items()
        if category in shared
        for field in fields
    )


def reveal_referred_fields(
    session: Session,
    *,
    referral_id: int,
    actor: Actor,
    reason: str,
    provider: KeyProvider,
    config: ReportingConfig,
) -> dict[SealedField, str | None]:
    """The victim's details the Firewall allowed, for an advocate of the receiving organisation.

    Refused unless the actor is an advocate of the referral's organisation (another's
    referral is not found), the referral is open (pending or accepted) and the victim's
    `victim_support` consent is in force. Only the fields mapped from the referral's
    `shared_categories` (`CATEGORY_FIELDS`) are read, through reporting's audited path: one
    `vault.read` event, so ledger entry, per field with the stated reason.
    """
    referral = get_referral_for_organisation_or_raise(session, actor=actor, referral_id=referral_id)
    if referral.status not in OPEN_STATUSES:
        raise ReferralStateError(
            f"This referral is {referral.status}, so the victim's details are no longer shared."
        )
    if not any(
        c["purpose"] == VICTIM_SUPPORT and not c["withdrawn"]
        for c in reporting.consents_for_policy(session, referral.report_id)
    ):
        raise ConsentRequiredError(
            "The victim has withdrawn their consent to be referred to support services, so "
            "their details are no longer shared."
        )
    fields = referred_fields(referral.shared_categories)
    if not fields:
        return {}
    return reporting.reveal_referred_fields(
        session,
        report_id=referral.report_id,
        referral_id=referral.id,
        fields=fields,
        actor=_report_actor(actor),
        reason=reason,
        provider=provider,
        config=config,
    )
