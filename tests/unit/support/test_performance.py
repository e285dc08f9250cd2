"""Performance figures: exact for the service, suppressed for everyone else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from safeshare.redaction.small_counts import EXACT, DisclosurePolicy
from safeshare.support.performance import ReferralFacts, Response, percentile, summarise
from safeshare.support.vocabulary import DeclineReason, ReferralOutcome

START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2025, 4, 1, tzinfo=UTC)


def facts(
    status: str,
    *,
    hours: float | None = None,
    reason: str | None = None,
    outcome: str | None = None,
) -> ReferralFacts:
    created = START + timedelta(days=1)
    contact = None if hours is None else created + timedelta(hours=hours)
    return ReferralFacts(status, reason, outcome, created, contact)


def test_nearest_rank_percentile() -> None:
    values = [float(n) for n in range(1, 11)]
    assert percentile(values, 0.9) == 9
    assert percentile(values, 0.5) == 5
    assert percentile([7.0], 0.9) == 7
    with pytest.raises(ValueError):
        percentile([], 0.5)


def sample() -> list[ReferralFacts]:
    closed = [facts("closed", hours=h, outcome="engaged") for h in range(1, 13)]  # 12
    declined = [facts("declined", reason="no_capacity") for _ in range(11)] + [
        facts("declined", reason="outside_area")
    ]
    return [*closed, *declined, facts("pending"), facts("pending")]


def test_the_service_sees_every_figure() -> None:
    result = summarise(
        service_id=1,
        service_name="S",
        period_start=START,
        period_end=END,
        referrals=sample(),
        policy=EXACT,
    )
    assert result.is_exact
    assert result.received.value == 26
    assert (result.accepted.value, result.declined.value) == (12, 12)
    assert result.responses[Response.awaiting].value == 2
    assert result.declined_by_reason[DeclineReason.outside_area].value == 1
    assert result.outcomes[ReferralOutcome.engaged].value == 12
    assert result.time_to_first_contact_median == timedelta(hours=6.5)
    assert result.time_to_first_contact_p90 == timedelta(hours=11)


def test_others_see_small_counts_suppressed_and_not_derivable() -> None:
    result = summarise(
        service_id=1,
        service_name="S",
        period_start=START,
        period_end=END,
        referrals=sample(),
        policy=DisclosurePolicy(),
    )
    assert result.received.value == 26
    assert result.responses[Response.awaiting].value is None
    # 26 - 12 - 12 would reveal the 2 awaiting, so another response count is withheld, and
    # both carry one label so the small one cannot be told apart.
    hidden = [item for item in result.responses.values() if item.is_suppressed]
    assert len(hidden) == 2 and {str(item) for item in hidden} == {"[c]"}
    reasons = result.declined_by_reason
    assert reasons[DeclineReason.outside_area].value is None
    assert reasons[DeclineReason.no_capacity].is_suppressed  # declined total would give it away
    assert str(reasons[DeclineReason.outside_area]) == str(reasons[DeclineReason.no_capacity])
    assert result.time_to_first_contact_median == timedelta(hours=6.5)


def test_times_are_withheld_when_few_victims_were_contacted() -> None:
    few = [facts("closed", hours=h, outcome="engaged") for h in (1, 2, 3)]
    result = summarise(
        service_id=1,
        service_name="S",
        period_start=START,
        period_end=END,
        referrals=few,
        policy=DisclosurePolicy(),
    )
    assert str(result.first_contacts) == "[c]"
    assert result.time_to_first_contact_median is None
    assert result.time_to_first_contact_p90 is None
