"""Properties over every contract-valid request, not just the scenario table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from safeshare.policy.engine import DEFAULT_DENY
from safeshare.policy.fastpath import FastDecider
from safeshare.policy.regimes import load_regimes
from safeshare.policy.schemas import (
    Agency,
    Category,
    Outcome,
    Purpose,
    ShareRequest,
    SubjectRole,
)
from tests.unit.policy.strategies import enforcement_requests, share_requests

REGIMES = load_regimes()
NOT_IEMVP = [name for name in REGIMES if name != "iemvp"]
FAST = {name: FastDecider(regime) for name, regime in REGIMES.items()}


def has_regularisation_consent(request: ShareRequest) -> bool:
    return any(
        c.purpose is Purpose.regularisation_support and not c.withdrawn
        for c in request.subject.consents
    )


def firewall_applies(request: ShareRequest) -> bool:
    """A victim or witness, asked about by or for immigration enforcement, without consent."""
    requester = request.requester
    return (
        request.subject.role in (SubjectRole.victim, SubjectRole.witness)
        and (
            requester.agency is Agency.immigration_enforcement
            or requester.purpose is Purpose.immigration_enforcement
        )
        and not has_regularisation_consent(request)
    )


@pytest.mark.parametrize("regime", NOT_IEMVP)
@settings(max_examples=120, deadline=None)
@given(request=enforcement_requests)
def test_no_regime_but_iemvp_gives_immigration_status_to_enforcement_without_consent(
    regime: str, request: ShareRequest
) -> None:
    decision = REGIMES[regime].decide(request)
    if firewall_applies(request):
        assert Category.immigration_status not in decision.disclose


@settings(max_examples=120, deadline=None)
@given(request=share_requests)
def test_decisions_are_consistent_and_the_fast_path_agrees(request: ShareRequest) -> None:
    asked = set(request.categories)
    for name, regime in REGIMES.items():
        decision = regime.decide(request)
        assert FAST[name].decide(request) == decision
        assert set(decision.disclose) | set(decision.withhold) == asked
        assert not set(decision.disclose) & set(decision.withhold)
        if decision.outcome is Outcome.review:
            assert decision.disclose == []
        else:
            assert (decision.outcome is Outcome.permit) == bool(decision.disclose)
        if name != "iemvp" and firewall_applies(request):
            assert Category.immigration_status not in decision.disclose
        known = set(regime.policies) | {DEFAULT_DENY.id}
        assert {r.id for r in decision.reasons} <= known
        assert decision.reasons, "every decision gives at least one reason"
