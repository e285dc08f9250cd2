"""In-process domain events: features publish, others (the ledger) subscribe.

Handlers run synchronously inside the publisher's session, so an event and whatever a
subscriber writes for it (a ledger entry) commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session


class EventKind(StrEnum):
    """Every kind of domain event, hence of ledger entry: `feature.what_happened`.

    Stored as its string value, so ledger entries written before the enum read the same.
    """

    ACCESS_ALERT = "access.alert"
    ACCESS_APPROVED = "access.approved"
    ACCESS_BREAK_GLASS = "access.break_glass"
    ACCESS_DENIED = "access.denied"
    ACCESS_REFUSED = "access.refused"
    ACCESS_REQUESTED = "access.requested"

    AUTH_MFA_ENROLLED = "auth.mfa_enrolled"
    AUTH_MFA_FAILED = "auth.mfa_failed"
    AUTH_MFA_RESET = "auth.mfa_reset"
    AUTH_ORGANISATION_CHANGED = "auth.organisation_changed"
    AUTH_ORGANISATION_CREATED = "auth.organisation_created"
    # (S105: event names, not secrets)
    AUTH_PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105
    AUTH_PASSWORD_RESET_COMPLETED = "auth.password_reset_completed"  # noqa: S105
    AUTH_PASSWORD_RESET_STARTED = "auth.password_reset_started"  # noqa: S105
    AUTH_RECOVERY_CODE_USED = "auth.recovery_code_used"
    AUTH_ROLE_CHANGED = "auth.role_changed"
    AUTH_SIGN_IN = "auth.sign_in"
    AUTH_SIGN_IN_FAILED = "auth.sign_in_failed"
    AUTH_TOKEN_ISSUED = "auth.token_issued"  # noqa: S105
    AUTH_TOKEN_REVOKED = "auth.token_revoked"  # noqa: S105
    AUTH_UNLOCKED = "auth.unlocked"
    AUTH_USER_CREATED = "auth.user_created"
    AUTH_USER_DEACTIVATED = "auth.user_deactivated"
    AUTH_USER_REACTIVATED = "auth.user_reactivated"

    CONSENT_RECORDED = "consent.recorded"
    CONSENT_WITHDRAWN = "consent.withdrawn"

    DIRECTORY_AREAS_REPLACED = "directory.areas_replaced"
    DIRECTORY_IMPORTED = "directory.imported"
    DIRECTORY_SERVICE_CREATED = "directory.service_created"
    DIRECTORY_SERVICE_DELETED = "directory.service_deleted"
    DIRECTORY_SERVICE_UPDATED = "directory.service_updated"

    OVERSIGHT_OUTCOME_RECORDED = "oversight.outcome_recorded"
    OVERSIGHT_RECOMMENDATION_CREATED = "oversight.recommendation_created"
    OVERSIGHT_RECOMMENDATION_UPDATED = "oversight.recommendation_updated"

    POLICY_DECISION = "policy.decision"
    POLICY_DISCLOSURE = "policy.disclosure"
    POLICY_REGIME_CHANGED = "policy.regime_changed"
    POLICY_REVIEW_DECISION = "policy.review_decision"

    REPORT_ASSIGNED = "report.assigned"
    REPORT_CREATED = "report.created"
    REPORT_ERASED = "report.erased"
    REPORT_FACT_RECORDED = "report.fact_recorded"
    REPORT_UPDATE_ADDED = "report.update_added"

    SUPPORT_REFERRAL_CREATED = "support.referral_created"
    SUPPORT_REFERRAL_UPDATED = "support.referral_updated"
    SUPPORT_RELEASE_PUBLISHED = "support.release_published"

    VAULT_KEY_RETIRED = "vault.key_retired"
    VAULT_READ = "vault.read"
    VAULT_ROTATED = "vault.rotated"
    VAULT_SHREDDED = "vault.shredded"

    VICTIMS_CODE_RIGHT_MET = "victims_code.right_met"
    VICTIMS_CODE_RIGHT_NOT_APPLICABLE = "victims_code.right_not_applicable"


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened. `data` must hold references, never sealed values."""

    kind: EventKind
    actor: str  # username, "system", or "public" for the unauthenticated pathways
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Session, DomainEvent], None]
_subscribers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """Register `handler` for every event (idempotent)."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def unsubscribe(handler: Handler) -> None:
    if handler in _subscribers:
        _subscribers.remove(handler)


def publish(session: Session, event: DomainEvent) -> None:
    """Deliver `event` to every subscriber in the caller's transaction."""
    for handler in list(_subscribers):
        handler(session, event)
