"""Per-service performance for a period: referrals received, accepted, declined by reason,
time to first contact (median and 90th percentile) and outcomes.

A service's own advocates see their figures exactly; everyone else (the PCC, officers) sees
them through small-count suppression (`safeshare.redaction.small_counts`), so no victim can be
singled out. The cohort is the referrals *made* in the period, so each referral counts once
however long it takes to close; their current state is reported.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission
from safeshare.redaction.small_counts import EXACT, DisclosedCount, DisclosurePolicy
from safeshare.redaction.tables import as_counts, breakdown_table, protect_count, protect_linked
from safeshare.support.access import Actor, is_advocate_of
from safeshare.support.directory import get_service_or_raise
from safeshare.support.errors import InvalidSupportInputError, SupportPermissionError
from safeshare.support.models import SupportReferral, SupportService
from safeshare.support.vocabulary import DeclineReason, ReferralOutcome, ReferralStatus

_REFERRALS = "referrals"  # the total the three breakdowns share

DEFAULT_POLICY = DisclosurePolicy()
"""Counts 1-9 withheld (shown as [c]), no rounding; callers pass `Settings.disclosure_policy()`."""


class Response(StrEnum):
    """How the service responded; the groups partition the referrals received."""

    awaiting = "awaiting"
    accepted = "accepted"  # taken on: still open, or closed with an outcome
    declined = "declined"
    withdrawn = "withdrawn"


_RESPONSE_OF: dict[str, Response] = {
    ReferralStatus.pending: Response.awaiting,
    ReferralStatus.accepted: Response.accepted,
    ReferralStatus.closed: Response.accepted,
    ReferralStatus.declined: Response.declined,
    ReferralStatus.withdrawn: Response.withdrawn,
}


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `fraction` of the values at
    or below it. Always an observed time, which a service can recognise."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class ServicePerformance:
    service_id: int
    service_name: str
    period_start: datetime
    period_end: datetime
    is_exact: bool  # True for the service's own advocates
    received: DisclosedCount
    responses: dict[Response, DisclosedCount]
    declined_by_reason: dict[DeclineReason, DisclosedCount]
    outcomes: dict[ReferralOutcome, DisclosedCount]  # each referral's latest outcome
    first_contacts: DisclosedCount
    # None when there was no first contact or too few to publish (`first_contacts` says which)
    time_to_first_contact_median: timedelta | None
    time_to_first_contact_p90: timedelta | None

    @property
    def accepted(self) -> DisclosedCount:
        return self.responses[Response.accepted]

    @property
    def declined(self) -> DisclosedCount:
        return self.responses[Response.declined]


@dataclass(frozen=True)
class ReferralFacts:
    """What the figures need from one referral."""

    status: str
    decline_reason: str | None
    outcome: str | None
    created_at: datetime
    first_contact_at: datetime | None


def summarise(
    *,
    service_id: int,
    service_name: str,
    period_start: datetime,
    period_end: datetime,
    referrals: Iterable[ReferralFacts],
    policy: DisclosurePolicy,
) -> ServicePerformance:
    """Figures for one service from its referrals in the period, disclosed under `policy`."""
    items = list(referrals)
    responses = Counter(_RESPONSE_OF[item.status] for item in items)
    reasons = Counter(item.decline_reason for item in items)
    outcomes = Counter(item.outcome for item in items)
    waits = [
        (item.first_contact_at - item.created_at).total_seconds()
        for item in items
        if item.first_contact_at is not None
    ]
    # The same three breakdowns of the same referrals as the oversight statistics' support
    # section, protected the same way: together, sharing their total, so no withheld figure
    # can be worked out from another table. `None` holds the referrals with no reason (not
    # declined) or no outcome yet: not shown, but part of the total.
    by_response, by_reason, by_outcome = protect_linked(
        [
            breakdown_table(responses, keys=list(Response), shared_total=_REFERRALS),
            breakdown_table(reasons, keys=[*DeclineReason, None], shared_total=_REFERRALS),
            breakdown_table(outcomes, keys=[*ReferralOutcome, None], shared_total=_REFERRALS),
        ],
        policy=policy,
    )
    response_counts = as_counts(by_response)
    first_contacts = protect_count(len(waits), policy=policy)
    show_times = bool(waits) and not first_contacts.is_suppressed
    return ServicePerformance(
        service_id=service_id,
        service_name=service_name,
        period_start=period_start,
        period_end=period_end,
        is_exact=policy.is_exact,
        received=response_counts.total,
        responses=dict(response_counts.parts),
        declined_by_reason={r: as_counts(by_reason).parts[r] for r in DeclineReason},
        outcomes={o: as_counts(by_outcome).parts[o] for o in ReferralOutcome},
        first_contacts=first_contacts,
        time_to_first_contact_median=(
            timedelta(seconds=statistics.median(waits)) if show_times else None
        ),
        time_to_first_contact_p90=(
            timedelta(seconds=percentile(waits, 0.9)) if show_times else None
        ),
    )


def _policy_for(actor: Actor, organisation_id: int, policy: DisclosurePolicy) -> DisclosurePolicy:
    if is_advocate_of(actor, organisation_id):
        return EXACT
    if actor.can(Permission.PERFORMANCE_READ_ANY):
        return policy
    raise SupportPermissionError("You may not see this service's figures.")


def service_performance(
    session: Session,
    *,
    actor: Actor,
    service_id: int,
    period_start: datetime,
    period_end: datetime,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> ServicePerformance:
    """One service's figures for [period_start, period_end): exact for its own advocates,
    suppressed under `policy` for the PCC and officers."""
    service = get_service_or_raise(session, service_id=service_id)
    return _performance(session, actor, [service], period_start, period_end, policy)[0]


def directory_performance(
    session: Session,
    *,
    actor: Actor,
    period_start: datetime,
    period_end: datetime,
    policy: DisclosurePolicy = DEFAULT_POLICY,
) -> list[ServicePerformance]:
    """Every service's figures for the period (an advocate gets their organisation's only)."""
    statement = select(SupportService).order_by(SupportService.name, SupportService.id)
    if actor.can(Permission.SUPPORT_ORG_ACT):
        statement = statement.where(SupportService.organisation_id == actor.organisation_id)
    services = list(session.scalars(statement))
    return _performance(session, actor, services, period_start, period_end, policy)


def _performance(
    session: Session,
    actor: Actor,
    services: Sequence[SupportService],
    period_start: datetime,
    period_end: datetime,
    policy: DisclosurePolicy,
) -> list[ServicePerformance]:
    if period_end <= period_start:
        raise InvalidSupportInputError("The period must end after it starts.", field="period_end")
    policies = {s.id: _policy_for(actor, s.organisation_id, policy) for s in services}
    rows = session.execute(
        select(
            SupportReferral.service_id,
            SupportReferral.status,
            SupportReferral.decline_reason,
            SupportReferral.outcome,
            SupportReferral.created_at,
            SupportReferral.first_contact_at,
        ).where(
            SupportReferral.service_id.in_(policies),
            SupportReferral.created_at >= period_start,
            SupportReferral.created_at < period_end,
        )
    )
    by_service: defaultdict[int, list[ReferralFacts]] = defaultdict(list)
    for row in rows:
        by_service[row.service_id].append(
            ReferralFacts(
                status=row.status,
                decline_reason=row.decline_reason,
                outcome=row.outcome,
                created_at=row.created_at,
                first_contact_at=row.first_contact_at,
            )
        )
    return [
        summarise(
            service_id=s.id,
            service_name=s.name,
            period_start=period_start,
            period_end=period_end,
            referrals=by_service[s.id],
            policy=policies[s.id],
        )
        for s in services
    ]
