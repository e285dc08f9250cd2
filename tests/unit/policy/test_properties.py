"""Properties over every contract-valid request, not just the scenario table."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from safeshare.policy.engine import DEFAULT_DENY, features_of
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
FAST = {name: FastDecider(regime) for name, regime in REGIMES.items()}


def has_regularisation_consent(request: ShareRequest) -> bool:
    consents = {(c.purpose, c.withdrawn) for c in request.subject.consents}
    return (Purpose.regularisation_support, False) in consents and (
        Purpose.regularisation_support,
        True,
    ) not in consents


def firewall_consent_path(regime: str, request: ShareRequest) -> bool:
    """The one automatic release allowed: the firewall, for regularisation support, with the
    person's own unwithdrawn consent."""
    return (
        regime == "firewall"
        and request.requester.purpose is Purpose.regularisation_support
        and has_regularisation_consent(request)
    )


def protected(request: ShareRequest) -> bool:
    """A victim or witness (a child witness of domestic abuse is a victim), asked about by or
    for immigration enforcement."""
    requester = request.requester
    return features_of(request).role in (SubjectRole.victim, SubjectRole.witness) and (
        requester.agency is Agency.immigration_enforcement
        or requester.purpose is Purpose.immigration_enforcement
    )


@pytest.mark.parametrize("regime", list(REGIMES))
@settings(max_examples=150, deadline=None)
@given(request=enforcement_requests)
def test_no_regime_automatically_gives_a_victims_status_to_enforcement(
    regime: str, request: ShareRequest
) -> None:
    """Only the firewall's consent path lets status go by itself; under iemvp, npcc-2020 and
    hmicfrs-rec1 it can only be released by a named reviewer (tested on the review queue)."""
    decision = REGIMES[regime].decide(request)
    if Category.immigration_status in decision.disclose:
        assert firewall_consent_path(regime, request), decision
    if regime != "firewall" and protected(request):
        assert decision.outcome is not Outcome.permit


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
        if protected(request) and Category.immigration_status in decision.disclose:
            assert firewall_consent_path(name, request)
        known = set(regime.policies) | {DEFAULT_DENY.id}
        assert {r.id for r in decision.reasons} <= known
        assert decision.reasons, "every decision gives at least one reason"


@settings(max_examples=120, deadline=None)
@given(request=share_requests)
def test_a_general_enquiry_is_never_permitted(request: ShareRequest) -> None:
    for regime in REGIMES.values():
        decision = regime.decide(request, general_enquiry=True)
        assert decision.outcome is not Outcome.permit
        assert decision.disclose == []


@settings(max_examples=80, deadline=None)
@given(request=enforcement_requests)
def test_iemvp_review_can_release_at_most_the_minimum(request: ShareRequest) -> None:
    regime = REGIMES["iemvp"]
    evaluation = regime.evaluate(features_of(request), request.categories)
    reviewable = set(regime.reviewable(evaluation, request.categories))
    if protected(request):
        assert reviewable <= {Category.identity, Category.nationality, Category.immigration_status}


@settings(max_examples=60, deadline=None)
@given(request=share_requests)
def test_remembered_answers_are_cedars_answers(request: ShareRequest) -> None:
    """The decision API's memo of Cedar's answers changes no answer, the first time or later."""
    features = features_of(request)
    for regime in REGIMES.values():
        fresh = regime.evaluate(features, request.categories)
        assert regime.evaluate_remembered(features, request.categories) == fresh
        assert regime.evaluate_remembered(features, list(request.categories)) == fresh
